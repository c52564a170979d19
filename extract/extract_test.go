package extract_test

import (
	"bytes"
	"context"
	"crypto/x509"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"golang.org/x/text/unicode/norm"

	"github.com/hotich/hotich/extract"
	"github.com/hotich/hotich/registry"
	"github.com/hotich/hotich/registry/sign"
)

var update = flag.Bool("update", false, "rewrite the golden text layers and PNG renders under testdata/")

// testCase is one form rendered from a fixture, with the lines its text
// layer must contain (pdftotext -layout, white space collapsed).
type testCase struct {
	name    string
	rec     func(testing.TB) *registry.Record
	gks     bool
	corr    []registry.Correction
	copies  int
	baseURL string
	want    []string
}

var cases = []testCase{
	{
		name: "birth-tlks", rec: birthRecord, corr: birthCorrections(),
		want: []string{
			"THÀNH PHỐ HỒ CHÍ MINH CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
			"UBND PHƯỜNG SÀI GÒN Độc lập - Tự do - Hạnh phúc",
			"Số: 1/2025/TLKS-BS Sài Gòn, ngày 09 tháng 06 năm 2025",
			"TRÍCH LỤC KHAI SINH (BẢN SAO)",
			"Họ, chữ đệm, tên: TRẦN NGỌC BẢO ANH",
			"Ngày, tháng, năm sinh: 15/02/2010 – ghi bằng chữ: Ngày mười lăm, tháng hai, năm hai nghìn",
			"không trăm mười",
			"Giới tính: Nữ Dân tộc: Kinh Quốc tịch: Việt Nam",
			"Nơi sinh: Bệnh viện Từ Dũ, Quận 1, Thành phố Hồ Chí Minh",
			"Số định danh cá nhân: 079310012345",
			"Họ, chữ đệm, tên người mẹ: LÊ THỊ HỒNG",
			"Năm sinh: 1985 Dân tộc: Kinh Quốc tịch: Việt Nam",
			"Nơi cư trú: 12 Nguyễn Huệ, Phường Bến Nghé, Quận 1, Thành phố Hồ Chí Minh",
			"Họ, chữ đệm, tên người cha: TRẦN VĂN ƠN",
			"Năm sinh: 07/1982 Dân tộc: Kinh Quốc tịch: Việt Nam",
			"Nơi đăng ký khai sinh: UBND Phường Bến Nghé, Quận 1",
			"Ngày, tháng, năm đăng ký: 05/03/2010",
			"Số: 123 Quyển số: 01/2010",
			"- Đăng ký lại.",
			"- Đăng ký lại theo Tờ khai ngày 01/03/2010, bản chính Giấy khai sinh bị mất.",
			"- Ngày 02/05/2024 cải chính họ tên mẹ từ “Lê Thị Hông” thành “Lê Thị Hồng” (căn cứ:",
			"Sao từ Sổ đăng ký khai sinh KT. CHỦ TỊCH",
			"PHÓ CHỦ TỊCH",
			"Trần Thị Bích",
		},
	},
	{
		name: "birth-gks", rec: birthRecord, gks: true,
		want: []string{
			"GIẤY KHAI SINH (BẢN SAO)",
			"Số: 1/2025/GKS-BS Sài Gòn, ngày 09 tháng 06 năm 2025",
			"Họ, chữ đệm, tên người đi khai sinh: TRẦN VĂN ƠN",
			"NGƯỜI KÝ GIẤY KHAI SINH (Đã ký)",
		},
	},
	{
		name: "marriage", rec: marriageRecord,
		want: []string{
			"UBND PHƯỜNG TÂN ĐỊNH Độc lập - Tự do - Hạnh phúc",
			"Số: 1/2025/TLKH-BS Tân Định, ngày 09 tháng 06 năm 2025",
			"TRÍCH LỤC KẾT HÔN (BẢN SAO)",
			"Họ, chữ đệm, tên vợ: NGUYỄN THỊ LAN Họ, chữ đệm, tên chồng: KIM JI HOON",
			"Ngày, tháng, năm sinh: 12/05/1992 Ngày, tháng, năm sinh: 03/11/1988",
			"Quốc tịch: Việt Nam Quốc tịch: Hàn Quốc",
			"Giấy tờ tùy thân: CMND số 024123456 Giấy tờ tùy thân: Hộ chiếu số M12345678",
			"Đăng ký kết hôn tại: UBND Quận 1",
			"Số: 12 Quyển số: 01/2015 Ngày đăng ký: 10/10/2015",
			"Ghi chú: Đăng ký có yếu tố nước ngoài.",
			"Sao từ Sổ đăng ký kết hôn KT. CHỦ TỊCH",
		},
	},
	{
		name: "death", rec: deathRecord, copies: 2,
		want: []string{
			"UBND PHƯỜNG PHÚ NHUẬN Độc lập - Tự do - Hạnh phúc",
			"Số: 1/2025/TLKT-BS Phú Nhuận, ngày 09 tháng 06 năm 2025",
			"TRÍCH LỤC KHAI TỬ (BẢN SAO)",
			"Họ, chữ đệm, tên: PHẠM VĂN HÙNG",
			"Năm sinh: 1950",
			"Giới tính: Nam Dân tộc: Kinh Quốc tịch: Việt Nam",
			"Đã chết vào lúc: 14 giờ 30 phút, ngày 05/03/2001",
			"Nơi chết: Bệnh viện Chợ Rẫy, Quận 5, Thành phố Hồ Chí Minh",
			"Giấy báo tử (số, ngày, cơ quan cấp): Số 112/GBT, ngày 05/03/2001, Bệnh viện Chợ Rẫy",
			"Nơi cư trú cuối cùng: 30 Phan Đăng Lưu, Phường 10, Quận Phú Nhuận",
			"Đã được đăng ký khai tử tại: UBND Phường 10, Quận Phú Nhuận",
			"Số: 57 Quyển số: 02/2001 Ngày đăng ký: 06/03/2001",
			"Sao từ Sổ đăng ký khai tử KT. CHỦ TỊCH",
		},
	},
	{
		name: "recognition", rec: recognitionRecord,
		want: []string{
			"UBND PHƯỜNG BẾN THÀNH Độc lập - Tự do - Hạnh phúc",
			"Số: 1/2025/TLNCMC-BS Bến Thành, ngày 09 tháng 06 năm 2025",
			"TRÍCH LỤC ĐĂNG KÝ NHẬN CHA, MẸ, CON (BẢN SAO)",
			"Xác nhận đăng ký việc cha nhận con giữa:",
			"Họ, chữ đệm, tên: ĐẶNG QUỐC BẢO",
			"Ngày, tháng, năm sinh: 20/01/1980",
			"Giấy tờ tùy thân: CCCD số 079080001234",
			"Và",
			"Họ, chữ đệm, tên: ĐẶNG MINH THƯ",
			"Giấy khai sinh/Giấy tờ tùy thân: Giấy khai sinh số 210, quyển 01/2012",
			"Đã đăng ký việc cha nhận con tại: UBND Phường Bến Thành, Quận 1",
			"Số: 5 Quyển số: 01/2019 Ngày đăng ký: 15/02/2019",
			"Sao từ Sổ đăng ký nhận cha, mẹ, con KT. CHỦ TỊCH",
		},
	},
}

// dotted lines: a field whose value is unknown prints as a dotted blank.
var wantBlank = map[string][]string{
	"birth-tlks":  {"Quê quán:", "Nơi cư trú:"},
	"birth-gks":   {"Giấy tờ tùy thân:", "Họ, chữ đệm, tên người ký:"},
	"marriage":    {"Dân tộc:"},
	"death":       {"Số định danh cá nhân:", "Giấy tờ tùy thân:", "Nguyên nhân chết:", "Ghi chú:"},
	"recognition": {"Ghi chú:"},
}

var signer = registry.Signer{Capacity: "KT. CHỦ TỊCH", Title: "PHÓ CHỦ TỊCH", Name: "Trần Thị Bích", Thousand: "nghìn"}

var (
	rendererOnce sync.Once
	renderer     *extract.Renderer
)

func newRenderer(tb testing.TB) *extract.Renderer {
	tb.Helper()
	rendererOnce.Do(func() {
		var err error
		if renderer, err = extract.NewRenderer(); err != nil {
			tb.Fatal(err)
		}
	})
	return renderer
}

// render renders and signs a case as the desk would: serial 1 of 2025,
// issued by the unit holding the register today, signed with its test key.
func render(tb testing.TB, tc testCase) ([]byte, *sign.Payload) {
	tb.Helper()
	pdf, p, err := renderCase(tb, tc)
	if err != nil {
		tb.Fatal(err)
	}
	return pdf, p
}

// copyOf builds a case's copy, with its signed payload.
func copyOf(tb testing.TB, tc testCase) (*extract.Copy, *sign.Payload, *sign.UnitKey, error) {
	rec := tc.rec(tb)
	issuer, err := extract.DefaultIssuer(refdata(tb), rec.AuthorityCode)
	if err != nil {
		return nil, nil, nil, err
	}
	key := testKey(tb, issuer.Code)
	form := registry.FormFor(rec.Register, tc.gks)
	s := signer
	s.IssuerCode = issuer.Code
	c := &extract.Copy{Record: rec, Form: form, Issuer: issuer, Serial: registry.Serial{Number: 1, Year: 2025, Form: form},
		IssuedAt: issuedAt, Signer: s, Copies: max(tc.copies, 1), Corrections: tc.corr, SignedBy: key.SignerName()}
	p, err := sign.Seal(key, extract.PayloadValues(c))
	if err != nil {
		return nil, nil, nil, err
	}
	c.QR = p.QRText(tc.baseURL)
	return c, p, key, nil
}

// renderCase is render without failing the test, for other goroutines.
func renderCase(tb testing.TB, tc testCase) ([]byte, *sign.Payload, error) {
	c, p, key, err := copyOf(tb, tc)
	if err != nil {
		return nil, nil, err
	}
	r, err := newRenderer(tb).Render(c)
	if err != nil {
		return nil, nil, err
	}
	f, err := extract.Sign(context.Background(), r, key)
	if err != nil {
		return nil, nil, err
	}
	return f.PDF, p, nil
}

func writeTemp(t *testing.T, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func pdftotext(t *testing.T, path string) string {
	t.Helper()
	needTool(t, "pdftotext")
	out, err := exec.Command("pdftotext", "-layout", "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

var spaces = regexp.MustCompile(`\s+`)

// lines returns the text layer's lines with white space collapsed.
func lines(text string) []string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if l = strings.TrimSpace(spaces.ReplaceAllString(l, " ")); l != "" {
			out = append(out, l)
		}
	}
	return out
}

func TestRender(t *testing.T) {
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			pdf, p := render(t, tc)
			path := writeTemp(t, tc.name+".pdf", pdf)
			text := pdftotext(t, path)

			t.Run("TextLayer", func(t *testing.T) {
				got := lines(text)
				have := map[string]bool{}
				for _, l := range got {
					have[l] = true
				}
				for _, w := range tc.want {
					if !have[w] {
						t.Errorf("text layer has no line %q", w)
					}
				}
				for _, label := range wantBlank[tc.name] {
					found := false
					for _, l := range got {
						if strings.Contains(l, label+" ......") {
							found = true
						}
					}
					if !found {
						t.Errorf("no dotted blank after %q", label)
					}
				}
				if strings.Contains(strings.ToLower(text), "null") {
					t.Error("text layer contains \"null\"")
				}
				if t.Failed() {
					t.Logf("text layer:\n%s", text)
				}
			})

			t.Run("Golden", func(t *testing.T) {
				golden := filepath.Join("testdata", tc.name+".golden.txt")
				if *update {
					if err := os.WriteFile(golden, []byte(text), 0o644); err != nil {
						t.Fatal(err)
					}
					writePNG(t, path, filepath.Join("testdata", tc.name+".png"))
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatalf("%v (run go test ./extract -update)", err)
				}
				if string(want) != text {
					t.Errorf("text layer differs from %s (run go test ./extract -update and review the diff):\n%s", golden, text)
				}
			})

			t.Run("OnePagePerCopy", func(t *testing.T) {
				// Every fixture fits its form's one page: the signer
				// block never spills onto a page of its own.
				if n, want := pageCount(t, path), max(tc.copies, 1); n != want {
					t.Errorf("%d pages, want %d (one per copy)", n, want)
				}
			})

			t.Run("QPDFCheck", func(t *testing.T) {
				needTool(t, "qpdf")
				out, err := exec.Command("qpdf", "--check", path).CombinedOutput()
				if err != nil || !bytes.Contains(out, []byte("No syntax or stream encoding errors")) {
					t.Fatalf("qpdf --check: %v\n%s", err, out)
				}
			})

			t.Run("Verify", func(t *testing.T) {
				v := &extract.Verifier{Roots: []*x509.Certificate{testCA(t)}}
				rep, err := v.VerifyPDF(context.Background(), pdf)
				if err != nil {
					t.Fatalf("%v\n%v", err, rep)
				}
				if rep.Payload.String() != p.String() {
					t.Fatalf("payload %q, want %q", rep.Payload, p)
				}
				if len(rep.Unchecked) == 0 {
					t.Error("offline verification claims it checked the issue log")
				}
				if !rep.SignedAt.Equal(issuedAt) {
					t.Errorf("signed at %v (the signature dictionary's /M), want %v", rep.SignedAt, issuedAt)
				}
			})

			t.Run("IndependentVerifiers", func(t *testing.T) {
				pdfsigOK(t, path)
				opensslOK(t, pdf)
			})

			t.Run("QRCode", func(t *testing.T) {
				got := decodeQR(t, path)
				if got != p.QRText(tc.baseURL) {
					t.Fatalf("QR code says %q, want %q", got, p.QRText(tc.baseURL))
				}
			})
		})
	}
}

// decodeQR renders the last page at 300 dpi and decodes its QR code.
func decodeQR(t *testing.T, pdfPath string) string {
	t.Helper()
	needTool(t, "pdftoppm")
	needTool(t, "zbarimg")
	prefix := filepath.Join(t.TempDir(), "page")
	n := strconv.Itoa(pageCount(t, pdfPath))
	if out, err := exec.Command("pdftoppm", "-r", "300", "-png", "-f", n, "-l", n, "-singlefile", pdfPath, prefix).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v\n%s", err, out)
	}
	out, err := exec.Command("zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", prefix+".png").Output()
	if err != nil {
		t.Fatalf("zbarimg found no QR code: %v", err)
	}
	return strings.TrimRight(string(out), "\n")
}

// writePNG renders every page for reviewers: NAME.png for a one-page
// copy, NAME-1.png, NAME-2.png… for more.
func writePNG(t *testing.T, pdfPath, pngPath string) {
	t.Helper()
	needTool(t, "pdftoppm")
	prefix := strings.TrimSuffix(pngPath, ".png")
	old, _ := filepath.Glob(prefix + "-*.png")
	for _, f := range append(old, pngPath) {
		os.Remove(f)
	}
	args := []string{"-r", "80", "-png"}
	if pageCount(t, pdfPath) == 1 {
		args = append(args, "-singlefile")
	}
	if out, err := exec.Command("pdftoppm", append(args, pdfPath, prefix)...).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v\n%s", err, out)
	}
}

var pagesRE = regexp.MustCompile(`(?m)^Pages:\s+(\d+)`)

// pageCount asks pdfinfo how many pages a PDF has.
func pageCount(t *testing.T, pdfPath string) int {
	t.Helper()
	needTool(t, "pdfinfo")
	out, err := exec.Command("pdfinfo", pdfPath).Output()
	m := pagesRE.FindSubmatch(out)
	if err != nil || m == nil {
		t.Fatalf("pdfinfo: %v\n%s", err, out)
	}
	n, _ := strconv.Atoi(string(m[1]))
	return n
}

// TestNFDInput: decomposed text (as some legacy converters leave it) must
// come out composed, on one line: gofpdf would otherwise break the line at
// every combining mark.
func TestNFDInput(t *testing.T) {
	tc := cases[3]
	tc.rec = func(tb testing.TB) *registry.Record {
		r := deathRecord(tb)
		r.Fields["ho_ten"] = norm.NFD.String("Huỳnh Hoàng Dũng")
		r.Fields["noi_chet"] = norm.NFD.String("Bệnh viện Chợ Rẫy")
		return r
	}
	pdf, _ := render(t, tc)
	got := lines(pdftotext(t, writeTemp(t, "nfd.pdf", pdf)))
	want := map[string]bool{"Họ, chữ đệm, tên: HUỲNH HOÀNG DŨNG": false, "Nơi chết: Bệnh viện Chợ Rẫy": false}
	for _, l := range got {
		if _, ok := want[l]; ok {
			want[l] = true
		}
		if !norm.NFC.IsNormalString(l) {
			t.Errorf("line %q is not NFC", l)
		}
	}
	for l, ok := range want {
		if !ok {
			t.Errorf("no line %q in %q", l, got)
		}
	}
}

// TestRenderConcurrent renders every form on many goroutines at once (run
// with -race): one Renderer, byte-identical unsigned documents (the
// signature is ECDSA, randomised).
func TestRenderConcurrent(t *testing.T) {
	copies := make([]*extract.Copy, len(cases))
	want := make([][]byte, len(cases))
	for i, tc := range cases {
		c, _, _, err := copyOf(t, tc)
		if err != nil {
			t.Fatal(err)
		}
		r, err := newRenderer(t).Render(c)
		if err != nil {
			t.Fatal(err)
		}
		copies[i], want[i] = c, r.PDF
	}
	var wg sync.WaitGroup
	for n := range 4 * len(cases) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := newRenderer(t).Render(copies[n%len(cases)])
			if err != nil {
				t.Error(err)
				return
			}
			if !bytes.Equal(r.PDF, want[n%len(cases)]) {
				t.Errorf("%s rendered concurrently differs", cases[n%len(cases)].name)
			}
		}()
	}
	wg.Wait()
}

// TestFullFontsFallback: a copy printing a character outside the fast
// fonts' encoding (a foreign name with "ü", a sign like "@") is drawn in
// the full fonts, every character printed; the others in the fast fonts.
func TestFullFontsFallback(t *testing.T) {
	plain, _ := render(t, cases[3])
	if !bytes.Contains(plain, []byte("+HotichSerifVN")) || bytes.Contains(plain, []byte("LiberationSerif")) {
		t.Error("a Vietnamese copy is not drawn in the fast fonts alone")
	}
	tc := cases[3]
	tc.rec = func(tb testing.TB) *registry.Record {
		r := deathRecord(tb)
		r.Fields["ho_ten"] = "Jürgen Müller"
		r.Fields["noi_chet"] = "Bệnh viện FV <Quận 7> @ 6 Nguyễn Lương Bằng"
		return r
	}
	pdf, _ := render(t, tc)
	if !bytes.Contains(pdf, []byte("+LiberationSerif")) || bytes.Contains(pdf, []byte("HotichSerifVN")) {
		t.Error("a copy printing \"ü\" is not drawn in the full fonts")
	}
	path := writeTemp(t, "fallback.pdf", pdf)
	have := map[string]bool{}
	for _, l := range lines(pdftotext(t, path)) {
		have[l] = true
	}
	for _, want := range []string{"Họ, chữ đệm, tên: JÜRGEN MÜLLER", "Nơi chết: Bệnh viện FV <Quận 7> @ 6 Nguyễn Lương Bằng"} {
		if !have[want] {
			t.Errorf("text layer has no line %q", want)
		}
	}
	pdfsigOK(t, path)
}
