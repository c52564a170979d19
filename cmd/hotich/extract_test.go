package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hotich/hotich/registry"
	"github.com/hotich/hotich/registry/sqlite"
	"github.com/hotich/hotich/registry/vntext"
)

// extractEntry is a birth entry of Phường Bến Nghé, Quận 1 (26740), whose
// register Phường Sài Gòn holds today.
func extractEntry(number, pid string) *registry.Record {
	r := &registry.Record{
		Register: registry.Birth, AuthorityCode: "26740", AuthorityName: "UBND Phường Bến Nghé, Quận 1",
		Book: "01/2010", Number: number, RegisteredOn: vntext.Date{Year: 2010, Month: 3, Day: 5},
		Fields: map[string]string{
			"ho_ten": "Trần Ngọc Bảo Anh", "ngay_sinh": "2010-02-15", "gioi_tinh": "Nữ", "dan_toc": "Kinh",
			"quoc_tich": "Việt Nam", "so_dinh_danh": pid, "me_ho_ten": "Lê Thị Hồng", "me_ngay_sinh": "1985",
		},
	}
	r.ID = r.Identity().RecordID()
	return r
}

// extractStore creates a store with a clean entry and a flagged one, an
// issuing key for Phường Sài Gòn and its signer block. It returns the
// environment the commands run in.
func extractStore(t *testing.T) (envv map[string]string, clean, flagged *registry.Record) {
	t.Helper()
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "hotich.db")
	db, err := sqlite.Open(context.Background(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	clean = extractEntry("123", "079310012345")
	flagged = extractEntry("124", "079310099999")
	flagged.Flags = []registry.Flag{{Code: registry.FlagIDMismatch, Field: "so_dinh_danh", Detail: "năm sinh không khớp"}}
	im := db.NewImporter("test")
	for _, r := range []*registry.Record{clean, flagged} {
		if _, err := im.Record(context.Background(), r); err != nil {
			t.Fatal(err)
		}
	}
	if err := im.Checkpoint(context.Background()); err != nil {
		t.Fatal(err)
	}
	db.Close()
	envv = map[string]string{"HOTICH_DB": dbPath, "HOTICH_KEYS": filepath.Join(dir, "keys"), "HOTICH_CLERK": "Nguyễn Văn Cán"}
	issueCLI(t, envv, "keys", "init", "--issuer", "26740")
	issueCLI(t, envv, "keys", "signer", "--issuer", "26740", "--capacity", "KT. CHỦ TỊCH", "--title", "PHÓ CHỦ TỊCH", "--name", "Trần Thị Bích", "--by", "admin")
	return envv, clean, flagged
}

func issueCLI(t *testing.T, envv map[string]string, args ...string) string {
	t.Helper()
	out, errOut, code := cli(t, envv, args...)
	if code != 0 {
		t.Fatalf("hotich %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

func needPDFTool(t *testing.T, name string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s not installed (CI=true)", name)
		}
		t.Skipf("%s not installed", name)
	}
}

func TestKeysInit(t *testing.T) {
	envv, _, _ := extractStore(t)
	dir := envv["HOTICH_KEYS"]
	for name, mode := range map[string]os.FileMode{"26740.key": 0o600, "26740.pub": 0o644} {
		st, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != mode {
			t.Errorf("%s mode %v, want %v", name, st.Mode().Perm(), mode)
		}
	}
	list := issueCLI(t, envv, "keys", "list")
	if !strings.Contains(list, "26740") {
		t.Fatalf("keys list:\n%s", list)
	}
	t.Run("ErrExists", func(t *testing.T) {
		if _, _, code := cli(t, envv, "keys", "init", "--issuer", "26740"); code == 0 {
			t.Fatal("replaced a key without --force")
		}
	})
	t.Run("ErrNotACommune", func(t *testing.T) {
		if _, errOut, code := cli(t, envv, "keys", "init", "--issuer", "760"); code != 1 || !strings.Contains(errOut, "760") {
			t.Fatalf("exit %d: %s", code, errOut)
		}
	})
	t.Run("ErrNoIssuer", func(t *testing.T) {
		if _, _, code := cli(t, envv, "keys", "init"); code != 2 {
			t.Fatalf("exit %d", code)
		}
	})
	t.Run("PrivateKeyNotInStore", func(t *testing.T) {
		priv, _ := os.ReadFile(filepath.Join(dir, "26740.key"))
		block := strings.Split(strings.TrimSpace(string(priv)), "\n")
		secret := block[len(block)-2] // a line of the key's base64
		for _, suffix := range []string{"", "-wal"} {
			db, err := os.ReadFile(envv["HOTICH_DB"] + suffix)
			if err != nil && suffix == "" {
				t.Fatal(err)
			}
			if bytes.Contains(db, []byte(secret)) {
				t.Fatal("the private key is in the store")
			}
		}
	})
}

func TestExtractCLI(t *testing.T) {
	needPDFTool(t, "pdftotext")
	envv, clean, flagged := extractStore(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "ks.pdf")

	stdout := issueCLI(t, envv, "extract", "--id", clean.ID, "--requester", "Trần Văn Ơn", "-o", out)
	if !strings.Contains(stdout, "Đã cấp bản sao số 1/2025/TLKS-BS") {
		t.Fatalf("stdout: %s", stdout)
	}
	text, err := exec.Command("pdftotext", "-layout", out, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"UBND PHƯỜNG SÀI GÒN", "Số: 1/2025/TLKS-BS", "Sài Gòn, ngày 09 tháng 06 năm 2025",
		"Họ, chữ đệm, tên: TRẦN NGỌC BẢO ANH", "Nơi đăng ký khai sinh: UBND Phường Bến Nghé, Quận 1", "PHÓ CHỦ TỊCH", "Trần Thị Bích"} {
		if !strings.Contains(string(text), want) {
			t.Errorf("no %q in the copy:\n%s", want, text)
		}
	}

	t.Run("ByPersonalID", func(t *testing.T) {
		gks := filepath.Join(dir, "gks.pdf")
		stdout := issueCLI(t, envv, "extract", "--dinh-danh", "079310012345", "--register", "KS", "--giay-khai-sinh", "--copies", "2", "-o", gks)
		if !strings.Contains(stdout, "1/2025/GKS-BS") || !strings.Contains(stdout, "2 bản") {
			t.Fatalf("stdout: %s", stdout)
		}
		if _, errOut, code := cli(t, envv, "extract", "--dinh-danh", "079300000000", "--register", "KS", "-o", filepath.Join(dir, "x.pdf")); code != 4 || strings.Contains(errOut, "079300000000") {
			t.Fatalf("unknown personal ID: exit %d, stderr %s (the number must be masked)", code, errOut)
		}
	})
	t.Run("Reprint", func(t *testing.T) {
		stdout := issueCLI(t, envv, "extract", "--id", clean.ID, "-o", filepath.Join(dir, "ks2.pdf"))
		if !strings.Contains(stdout, "2/2025/TLKS-BS") {
			t.Fatalf("a re-print is a new issue: %s", stdout)
		}
	})
	t.Run("ErrFileExists", func(t *testing.T) {
		if _, _, code := cli(t, envv, "extract", "--id", clean.ID, "-o", out); code != 1 {
			t.Fatalf("exit %d", code)
		}
	})
	t.Run("Issued", func(t *testing.T) {
		list := issueCLI(t, envv, "issued", "--record", clean.ID)
		for _, want := range []string{"2/2025/TLKS-BS", "1/2025/TLKS-BS", "1/2025/GKS-BS", "Nguyễn Văn Cán", "Trần Văn Ơn", "còn hiệu lực"} {
			if !strings.Contains(list, want) {
				t.Errorf("no %q in:\n%s", want, list)
			}
		}
		js := issueCLI(t, envv, "issued", "--json", "--record", clean.ID)
		var first struct {
			Serial         string `json:"serial"`
			DocumentSHA256 string `json:"document_sha256"`
		}
		if err := json.Unmarshal([]byte(strings.SplitN(js, "\n", 2)[0]), &first); err != nil || first.Serial != "2/2025/TLKS-BS" || len(first.DocumentSHA256) != 64 {
			t.Fatalf("json %q: %v", js, err)
		}
	})
	t.Run("Verify", func(t *testing.T) {
		res := issueCLI(t, envv, "verify", out)
		for _, want := range []string{"Bản sao số 1/2025/TLKS-BS", "chữ ký hợp lệ", "nội dung trang khớp", "có trong sổ cấp", "trùng khớp với tệp đã cấp", "HỢP LỆ"} {
			if !strings.Contains(res, want) {
				t.Errorf("no %q in:\n%s", want, res)
			}
		}
		off := map[string]string{"HOTICH_KEYS": envv["HOTICH_KEYS"]}
		res = issueCLI(t, off, "verify", "--offline", out)
		if !strings.Contains(res, "kiểm tra ngoại tuyến") || !strings.HasSuffix(res, "HỢP LỆ\n") {
			t.Fatalf("offline:\n%s", res)
		}
		payload := payloadOf(t, out)
		res = issueCLI(t, envv, "verify", "--payload", payload)
		if !strings.HasSuffix(res, "HỢP LỆ\n") {
			t.Fatalf("--payload:\n%s", res)
		}
	})
	t.Run("ErrTampered", func(t *testing.T) {
		b, _ := os.ReadFile(out)
		p := payloadOf(t, out)
		i := strings.Index(p, clean.ID) + len(clean.ID) - 1
		last := byte('A')
		if p[i] == 'A' {
			last = 'B'
		}
		altered := p[:i] + string(last) + p[i+1:]
		bad := filepath.Join(dir, "altered.pdf")
		os.WriteFile(bad, bytes.Replace(b, []byte(p), []byte(altered), 1), 0o644)
		stdout, errOut, code := cli(t, envv, "verify", bad)
		if code != 1 || !strings.Contains(stdout, "KHÔNG HỢP LỆ: chữ ký không hợp lệ") {
			t.Fatalf("exit %d\n%s\n%s", code, stdout, errOut)
		}
		// A byte appended: the content is intact, the file is not the one issued.
		appended := filepath.Join(dir, "appended.pdf")
		os.WriteFile(appended, append(b, '\n'), 0o644)
		if stdout, _, code := cli(t, envv, "verify", appended); code != 1 || !strings.Contains(stdout, "tệp PDF khác với tệp đã cấp") {
			t.Fatalf("exit %d\n%s", code, stdout)
		}
	})
	t.Run("ErrOtherKey", func(t *testing.T) {
		other := t.TempDir()
		issueCLI(t, map[string]string{"HOTICH_DB": filepath.Join(other, "x.db"), "HOTICH_KEYS": other}, "keys", "init", "--issuer", "26740")
		stdout, _, code := cli(t, map[string]string{"HOTICH_KEYS": other}, "verify", "--offline", out)
		if code != 1 || !strings.Contains(stdout, "KHÔNG HỢP LỆ: chữ ký không hợp lệ") {
			t.Fatalf("exit %d\n%s", code, stdout)
		}
	})
	t.Run("Revoke", func(t *testing.T) {
		res := issueCLI(t, envv, "issued", "revoke", "1/2025/TLKS-BS", "--by", "Lê Văn Trưởng", "--reason", "cấp nhầm người yêu cầu")
		if !strings.Contains(res, "Đã thu hồi bản sao số 1/2025/TLKS-BS") {
			t.Fatal(res)
		}
		stdout, _, code := cli(t, envv, "verify", out)
		if code != 1 || !strings.Contains(stdout, "đã bị thu hồi") || !strings.Contains(stdout, "cấp nhầm người yêu cầu") {
			t.Fatalf("exit %d\n%s", code, stdout)
		}
		if _, _, code := cli(t, envv, "issued", "revoke", "--by", "x", "--reason", "y", "1/2025/TLKS-BS"); code != 1 {
			t.Fatalf("revoking twice: exit %d", code)
		}
		if list := issueCLI(t, envv, "issued", "--record", clean.ID); !strings.Contains(list, "đã thu hồi 09/06/2025: cấp nhầm người yêu cầu") {
			t.Fatalf("issued:\n%s", list)
		}
	})
	t.Run("RefusedThenOverride", func(t *testing.T) {
		f := filepath.Join(dir, "flagged.pdf")
		_, errOut, code := cli(t, envv, "extract", "--id", flagged.ID, "-o", f)
		if code != 3 || !strings.Contains(errOut, "chưa thể cấp bản sao") || !strings.Contains(errOut, "Số định danh không khớp") {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		if _, err := os.Stat(f); err == nil {
			t.Fatal("a refused copy was written")
		}
		stdout := issueCLI(t, envv, "extract", "--id", flagged.ID, "--override", "Đã đối chiếu sổ gốc", "-o", f)
		if !strings.Contains(stdout, "Cấp theo quyết định của người cấp") {
			t.Fatalf("stdout %s", stdout)
		}
		if list := issueCLI(t, envv, "issued", "--record", flagged.ID); !strings.Contains(list, "cấp khi đang chờ xem xét: Đã đối chiếu sổ gốc") {
			t.Fatalf("issued:\n%s", list)
		}
	})
	t.Run("NoPersonalDataInLogs", func(t *testing.T) {
		_, errOut, _ := cli(t, envv, "extract", "--id", clean.ID, "--requester", "Trần Văn Ơn", "-o", filepath.Join(dir, "log.pdf"))
		for _, secret := range []string{"079310012345", "Trần", "TRẦN", "Nguyễn Văn Cán"} {
			if strings.Contains(errOut, secret) {
				t.Errorf("the log shows %q: %s", secret, errOut)
			}
		}
	})
}

// payloadOf reads the payload from a PDF's keywords.
func payloadOf(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`/Keywords \((HT1\*[^)]*)\)`).FindSubmatch(b)
	if m == nil {
		t.Fatal("no payload in the PDF")
	}
	return string(m[1])
}

func TestExtractBatch(t *testing.T) {
	envv, clean, flagged := extractStore(t)
	dir := t.TempDir()
	list := filepath.Join(dir, "ids.txt")
	os.WriteFile(list, []byte("# ward 26740\n"+clean.ID+"\n\n"+flagged.ID+"\n"+clean.ID+"\nKS-26740-0000000000\n"), 0o644)
	outDir := filepath.Join(dir, "out")
	stdout, errOut, code := cli(t, envv, "extract", "--batch", list, "-o", outDir)
	if code != 1 {
		t.Fatalf("exit %d (want 1: one unknown ID)\n%s\n%s", code, stdout, errOut)
	}
	if !strings.Contains(stdout, "Đã cấp 2 bản sao") || !strings.Contains(stdout, "từ chối 1") || !strings.Contains(stdout, "lỗi 1") {
		t.Fatalf("stdout: %s", stdout)
	}
	if !strings.Contains(errOut, "từ chối "+flagged.ID) {
		t.Fatalf("stderr: %s", errOut)
	}
	entries, _ := os.ReadDir(outDir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	want := []string{"1-2025-TLKS-BS_" + clean.ID + ".pdf", "2-2025-TLKS-BS_" + clean.ID + ".pdf"}
	if strings.Join(names, " ") != strings.Join(want, " ") {
		t.Fatalf("files %v, want %v", names, want)
	}
	t.Run("OnlyRefusals", func(t *testing.T) {
		os.WriteFile(list, []byte(flagged.ID+"\n"), 0o644)
		if _, _, code := cli(t, envv, "extract", "--batch", list, "-o", outDir); code != 3 {
			t.Fatalf("exit %d", code)
		}
	})
	t.Run("ErrOverrideInBatch", func(t *testing.T) {
		if _, _, code := cli(t, envv, "extract", "--batch", list, "--override", "x", "-o", outDir); code != 2 {
			t.Fatalf("exit %d", code)
		}
	})
}
