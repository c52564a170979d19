package extract

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"encoding/hex"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/hotich/hotich/registry"
	"github.com/hotich/hotich/registry/sign"
)

// MaxPDF bounds a PDF given to Verify.
const MaxPDF = 64 << 20

// Verifier checks certified copies: the PAdES signature over the file, the
// signing certificate against trust roots, the signed QR values, and the
// issue log.
type Verifier struct {
	// Roots are the trusted CAs; none makes the certificate unverifiable.
	Roots []*x509.Certificate
	// Issues is the issue log (and the registered certificates); nil
	// checks without it (offline).
	Issues registry.IssueService
	// Certs are certificates at hand besides those a copy carries (a
	// unit's CODE.crt), for checking a QR payload offline.
	Certs []*x509.Certificate
	// Now is the clock for a signature without a signing time.
	Now func() time.Time
}

// Report says what a verification found and checked, in Vietnamese for
// the clerk: every check done, every check that could not be done.
type Report struct {
	Payload   *sign.Payload
	Legacy    *sign.LegacyPayload // an old-format copy's payload
	Timestamp *sign.Timestamp     // a trusted signature timestamp (B-T)
	Notes     []string            // what a check proves and does not
	Signer    *x509.Certificate
	SignedAt  time.Time
	Issue     *registry.ExtractIssue
	Checked   []string
	Unchecked []string
}

func (r *Report) ok(format string, args ...any) {
	r.Checked = append(r.Checked, fmt.Sprintf(format, args...))
}
func (r *Report) skip(format string, args ...any) {
	r.Unchecked = append(r.Unchecked, fmt.Sprintf(format, args...))
}
func (r *Report) note(format string, args ...any) {
	r.Notes = append(r.Notes, fmt.Sprintf(format, args...))
}

var byteRangeRE = regexp.MustCompile(`/ByteRange\s*\[\s*(\d{1,12})\s+(\d{1,12})\s+(\d{1,12})\s+(\d{1,12})\s*\]`)

// signedRange is a signature's /ByteRange: [0, a) and [b, b+n).
type signedRange struct{ a, b, n int }

// findSignature finds the signature of a copy: the first /ByteRange whose
// gap is exactly a hex string, and reports the others.
func findSignature(pdf []byte) (signedRange, int, error) {
	var found []signedRange
	for _, m := range byteRangeRE.FindAllSubmatch(pdf, 16) {
		var v [4]int
		for i := range v {
			v[i], _ = strconv.Atoi(string(m[i+1]))
		}
		r := signedRange{a: v[1], b: v[2], n: v[3]}
		if v[0] != 0 || r.a <= 0 || r.b <= r.a+1 || r.b+r.n > len(pdf) || pdf[r.a] != '<' || pdf[r.b-1] != '>' {
			continue
		}
		found = append(found, r)
	}
	if len(found) == 0 {
		if byteRangeRE.Match(pdf) {
			return signedRange{}, 0, registry.Errorf(registry.EINVALID, "tệp không còn là tệp đã ký: vị trí chữ ký không khớp /ByteRange (tệp đã được lưu lại bằng phần mềm khác hoặc bị sửa)")
		}
		return signedRange{}, 0, registry.Errorf(registry.EINVALID, "tệp không có chữ ký số (PAdES): không phải bản sao điện tử do hệ thống cấp")
	}
	return found[0], len(found), nil
}

// cmsOf decodes the CMS in a signature's gap, without the zero padding.
func cmsOf(pdf []byte, r signedRange) ([]byte, error) {
	h := bytes.TrimRight(pdf[r.a+1:r.b-1], "0")
	if len(h)%2 == 1 {
		h = append(h, '0')
	}
	if len(h) > 2*sign.MaxCMS {
		return nil, registry.Errorf(registry.EINVALID, "chữ ký số quá lớn")
	}
	der := make([]byte, len(h)/2)
	if _, err := hex.Decode(der, h); err != nil {
		return nil, registry.Errorf(registry.EINVALID, "chữ ký số hỏng (không phải chuỗi hex)")
	}
	var raw asn1.RawValue
	if _, err := asn1.Unmarshal(der, &raw); err != nil {
		return nil, registry.Errorf(registry.EINVALID, "chữ ký số hỏng: %v", err)
	}
	return raw.FullBytes, nil
}

// VerifyPDF checks a copy's file. A copy proven altered or not genuine is
// an EINVALID error; one that cannot be checked with what is at hand (no
// trust root) an EUNVERIFIABLE error. The report holds what was checked
// before.
func (v *Verifier) VerifyPDF(ctx context.Context, pdf []byte) (*Report, error) {
	rep := &Report{}
	if len(pdf) > MaxPDF {
		return rep, registry.Errorf(registry.EINVALID, "tệp quá lớn (%d MB), không phải bản sao do hệ thống cấp", len(pdf)>>20)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		return rep, registry.Errorf(registry.EINVALID, "tệp không phải PDF")
	}
	if !byteRangeRE.Match(pdf) {
		if m := legacyKeywordsRE.FindAllSubmatch(pdf, 2); len(m) == 1 {
			return rep, v.verifyLegacy(ctx, rep, string(m[0][1]), pdf)
		}
	}
	r, n, err := findSignature(pdf)
	if err != nil {
		return rep, err
	}
	der, err := cmsOf(pdf, r)
	if err != nil {
		return rep, err
	}
	signed := make([]byte, 0, r.a+r.n)
	signed = append(append(signed, pdf[:r.a]...), pdf[r.b:r.b+r.n]...)
	cms, err := sign.CheckCMS(der, signed)
	if cms != nil {
		rep.Signer, rep.SignedAt = cms.Signer, cms.SigningTime
	}
	if err != nil {
		return rep, err
	}
	// PAdES puts the time of signing in the signature dictionary, inside
	// the signed bytes.
	if m, ok := signingTime(pdf[:r.a]); ok {
		rep.SignedAt = m
	}
	rep.ok("chữ ký số PAdES toàn vẹn: phần được ký (%d byte, cả phông chữ và thông tin tài liệu) không bị thay đổi", len(signed))
	if end := r.b + r.n; end != len(pdf) || n > 1 {
		return rep, registry.Errorf(registry.EINVALID, "tệp đã bị thêm %d byte sau khi ký (cập nhật gia tăng, %d chữ ký): nội dung hiển thị có thể khác bản đã cấp", len(pdf)-end, n)
	}
	rep.ok("chữ ký bao trùm toàn bộ tệp: không có cập nhật nào sau khi ký")

	at := rep.SignedAt
	if at.IsZero() {
		at = v.now()
	}
	if ts := cms.Timestamp; ts != nil {
		// B-T: a trusted timestamp is the time the signature is known to
		// have existed at; the signer's certificate is checked then.
		if _, err := sign.CheckChain(ts.TSA, ts.Certs, v.Roots, ts.Time); err == nil {
			rep.Timestamp, at = ts, ts.Time
			rep.ok("dấu thời gian RFC 3161 (PAdES B-T): chữ ký đã có lúc %s", ts)
		} else {
			rep.skip("dấu thời gian %s: chứng thư của đơn vị cấp dấu thời gian không thuộc danh sách tin cậy", ts)
		}
	}
	// The payload, read from the signed bytes: everything in the file was
	// written by the signer.
	kw, ok := keywords(signed)
	if !ok {
		return rep, registry.Errorf(registry.EINVALID, "tệp không mang mã xác thực (Keywords)")
	}
	p, err := sign.ParsePayload(kw)
	if err != nil {
		return rep, err
	}
	rep.Payload = p
	if sign.KeyID(rep.Signer.PublicKey) != p.KeyID {
		return rep, registry.Errorf(registry.EINVALID, "mã QR được ký bằng khóa %s, tệp được ký bằng khóa %s", p.KeyID, sign.KeyID(rep.Signer.PublicKey))
	}
	if err := sign.CheckPayload(p, rep.Signer); err != nil {
		return rep, err
	}
	rep.ok("mã QR: chữ ký hợp lệ trên các giá trị in trên bản sao (cùng khóa với chữ ký số)")
	return rep, v.trustAndLog(ctx, rep, cms.Certs, at, pdf)
}

// VerifyPayload checks a payload (or verification URL) read from a
// printed copy's QR code.
func (v *Verifier) VerifyPayload(ctx context.Context, text string) (*Report, error) {
	rep := &Report{}
	if sign.IsLegacy(text) {
		return rep, v.verifyLegacy(ctx, rep, text, nil)
	}
	p, err := sign.ParsePayload(text)
	if err != nil {
		return rep, err
	}
	rep.Payload = p
	var certs []*x509.Certificate
	for _, c := range v.Certs {
		if sign.KeyID(c.PublicKey) == p.KeyID {
			certs = append(certs, c)
		}
	}
	if v.Issues != nil {
		reg, err := v.Issues.FindCertificates(ctx, p.KeyID)
		if err != nil {
			return rep, err
		}
		for _, c := range reg {
			if x, err := x509.ParseCertificate(c.DER); err == nil {
				certs = append(certs, x)
			}
		}
	}
	if len(certs) == 0 {
		return rep, registry.Errorf(registry.EUNVERIFIABLE, "không kiểm tra được: không có chứng thư của khóa %s (cơ quan %s); cần kho dữ liệu có chứng thư đã đăng ký hoặc tệp chứng thư của cơ quan", p.KeyID, p.IssuerCode())
	}
	rep.Signer = certs[0]
	if err := sign.CheckPayload(p, rep.Signer); err != nil {
		return rep, err
	}
	rep.ok("mã QR: chữ ký hợp lệ trên các giá trị in (khóa %s)", p.KeyID)
	at, err := time.ParseInLocation("02/01/2006", p.Get("ngay_cap"), registry.Vietnam)
	if err != nil {
		at = v.now()
	}
	// The payload has the day of issue only: the end of it.
	return rep, v.trustAndLog(ctx, rep, v.Certs, at.Add(24*time.Hour-time.Second), nil)
}

// trustAndLog checks the signer's certificate against the trust roots,
// its registration for the unit, and the issue log.
func (v *Verifier) trustAndLog(ctx context.Context, rep *Report, intermediates []*x509.Certificate, at time.Time, pdf []byte) error {
	p := rep.Payload
	chain, err := sign.CheckChain(rep.Signer, intermediates, v.Roots, at)
	if registry.ErrorCode(err) == registry.EUNVERIFIABLE {
		rep.skip("chuỗi chứng thư: không có chứng thư gốc tin cậy (cần kho dữ liệu có tổ chức chứng thực đã đăng ký, hoặc tệp danh sách tin cậy)")
		return registry.Errorf(registry.EUNVERIFIABLE, "không kiểm tra được bản sao: thiếu chứng thư gốc tin cậy để xác định người ký %q", rep.Signer.Subject.CommonName)
	}
	if err != nil {
		return err
	}
	rep.ok("chứng thư ký %s do %q cấp, hợp lệ lúc ký", sign.Describe(rep.Signer), chain[len(chain)-1].Subject.CommonName)
	if chain[len(chain)-1].Subject.CommonName != "" && bytes.HasPrefix([]byte(chain[len(chain)-1].Subject.CommonName), []byte(sign.TestCAName)) {
		rep.ok("LƯU Ý: chứng thư gốc là tổ chức chứng thực THỬ NGHIỆM của hotich, không dùng cho bản sao thật")
	}
	if v.Issues == nil {
		rep.skip("chứng thư ký thuộc cơ quan %s: chưa đối chiếu (kiểm tra ngoại tuyến, không có kho dữ liệu)", p.IssuerCode())
		rep.skip("sổ cấp bản sao (bản số %s có được cấp, có bị thu hồi): chưa đối chiếu (kiểm tra ngoại tuyến)", p.Get("so"))
		return nil
	}
	reg, err := v.Issues.FindCertificates(ctx, sign.KeyID(rep.Signer.PublicKey))
	if err != nil {
		return err
	}
	fp := sign.Fingerprint(rep.Signer)
	owned := false
	for _, c := range reg {
		if c.Fingerprint == fp && c.Role == registry.CertUnit && c.IssuerCode == p.IssuerCode() {
			owned = true
		}
	}
	if !owned {
		return registry.Errorf(registry.EINVALID, "chứng thư ký %q không phải chứng thư đã đăng ký của cơ quan %s ghi trên bản sao", rep.Signer.Subject.CommonName, p.IssuerCode())
	}
	rep.ok("chứng thư ký là chứng thư đã đăng ký của cơ quan %s", p.IssuerCode())
	serial, err := p.Serial()
	if err != nil {
		return err
	}
	issues, err := v.Issues.FindIssues(ctx, registry.IssueFilter{IssuerCode: p.IssuerCode(), Serial: &serial, Limit: 2})
	if err != nil {
		return err
	}
	if len(issues) == 0 {
		return registry.Errorf(registry.EINVALID, "sổ cấp bản sao không có bản số %s của cơ quan %s", serial, p.IssuerCode())
	}
	iss := issues[0]
	rep.Issue = iss
	switch {
	case iss.Payload != p.String():
		return registry.Errorf(registry.EINVALID, "mã xác thực khác với mã của bản số %s trong sổ cấp", serial)
	case iss.RecordID != p.Get("trich_luc"):
		return registry.Errorf(registry.EINVALID, "bản số %s trong sổ cấp là bản sao của trích lục %s, không phải %s", serial, iss.RecordID, p.Get("trich_luc"))
	}
	rep.ok("có trong sổ cấp: bản số %s, cấp ngày %s, các giá trị in khớp sổ cấp", serial, iss.IssuedOn().Format("02/01/2006"))
	if pdf != nil {
		sum := sha256.Sum256(pdf)
		if hex.EncodeToString(sum[:]) != iss.DocumentSHA256 {
			return registry.Errorf(registry.EINVALID, "tệp PDF khác với tệp đã cấp")
		}
		rep.ok("tệp PDF trùng khớp từng byte với tệp đã cấp")
	}
	if r := iss.Revocation; r != nil {
		return registry.Errorf(registry.EINVALID, "bản sao số %s đã bị thu hồi ngày %s (%s): %s",
			serial, r.At.In(registry.Vietnam).Format("02/01/2006"), r.By, r.Reason)
	}
	rep.ok("chưa bị thu hồi")
	return nil
}

// legacyKeywordsRE finds an old-format copy's payload, in its Keywords as
// the PDF library wrote it then: a literal string.
var legacyKeywordsRE = regexp.MustCompile(`/Keywords\s*\((` + sign.LegacyVersion + `\*[0-9A-Z*/-]{1,1000})\)`)

// verifyLegacy checks a copy issued before PAdES signatures (payload
// HT1): its QR signature with the key the store registered then, and the
// issue log, the file byte for byte when it is given. It says what that
// proves and what it does not.
func (v *Verifier) verifyLegacy(ctx context.Context, rep *Report, text string, pdf []byte) error {
	p, err := sign.ParseLegacy(text)
	if err != nil {
		return err
	}
	rep.Legacy = p
	rep.note("bản sao định dạng cũ, cấp trước khi có chữ ký số PAdES: chỉ có chữ ký trong mã QR (khóa Ed25519 của cơ quan cấp), không có chữ ký số trong tệp PDF")
	rep.skip("chữ ký số PAdES và chứng thư số của người ký: bản sao định dạng cũ không có")
	if v.Issues == nil {
		rep.skip("chữ ký mã QR: khóa công khai của định dạng cũ chỉ có trong kho dữ liệu đã cấp bản sao")
		return registry.Errorf(registry.EUNVERIFIABLE, "bản sao định dạng cũ (chỉ có chữ ký mã QR) chỉ kiểm tra được với kho dữ liệu đã cấp nó")
	}
	key, err := v.Issues.FindLegacyKey(ctx, p.KeyID)
	if registry.ErrorCode(err) == registry.ENOTFOUND {
		rep.skip("chữ ký mã QR: kho này không có khóa %s của cơ quan %s", p.KeyID, p.IssuerCode)
		return registry.Errorf(registry.EUNVERIFIABLE, "không kiểm tra được bản sao định dạng cũ: kho này không có khóa %s của cơ quan %s (kiểm tra tại kho đã cấp bản sao)", p.KeyID, p.IssuerCode)
	}
	if err != nil {
		return err
	}
	if err := p.Check(key); err != nil {
		return err
	}
	rep.ok("chữ ký mã QR (định dạng cũ) hợp lệ: cơ quan %s đã cấp bản số %s của trích lục %s ngày %s (khóa %s)", p.IssuerCode, p.Serial, p.RecordID, p.Date(), p.KeyID)
	rep.note("chữ ký mã QR chứng minh cơ quan nào cấp, số bản sao, trích lục nào và ngày cấp; nó KHÔNG chứng minh nội dung hiển thị của tệp (chữ ký không bao trùm tệp PDF): chỉ đối chiếu tệp với sổ cấp mới chứng minh được")
	issues, err := v.Issues.FindIssues(ctx, registry.IssueFilter{IssuerCode: p.IssuerCode, Serial: &p.Serial, Limit: 2})
	if err != nil {
		return err
	}
	if len(issues) == 0 {
		return registry.Errorf(registry.EINVALID, "sổ cấp bản sao không có bản số %s của cơ quan %s", p.Serial, p.IssuerCode)
	}
	iss := issues[0]
	rep.Issue = iss
	if iss.Payload != p.String() || iss.RecordID != p.RecordID {
		return registry.Errorf(registry.EINVALID, "mã xác thực khác với mã của bản số %s trong sổ cấp", p.Serial)
	}
	rep.ok("có trong sổ cấp: bản số %s, trích lục %s, cấp ngày %s", p.Serial, iss.RecordID, iss.IssuedOn().Format("02/01/2006"))
	if pdf != nil {
		sum := sha256.Sum256(pdf)
		if hex.EncodeToString(sum[:]) != iss.DocumentSHA256 {
			return registry.Errorf(registry.EINVALID, "tệp PDF khác với tệp đã cấp ghi trong sổ cấp: đã bị sửa hoặc lưu lại bằng phần mềm khác (bản sao định dạng cũ không có chữ ký số để biết phần nào bị sửa)")
		}
		rep.ok("tệp PDF trùng khớp từng byte với tệp đã cấp ghi trong sổ cấp: nội dung là nội dung đã cấp")
	} else {
		rep.skip("nội dung bản sao: mã QR định dạng cũ không mang các giá trị in; đối chiếu bản giấy với trích lục %s trong sổ", p.RecordID)
	}
	if r := iss.Revocation; r != nil {
		return registry.Errorf(registry.EINVALID, "bản sao số %s đã bị thu hồi ngày %s (%s): %s",
			p.Serial, r.At.In(registry.Vietnam).Format("02/01/2006"), r.By, r.Reason)
	}
	rep.ok("chưa bị thu hồi")
	return nil
}

func (v *Verifier) now() time.Time {
	if v.Now != nil {
		return v.Now()
	}
	return time.Now()
}

var (
	sigDictRE = regexp.MustCompile(`/Type\s*/Sig\b`)
	sigTimeRE = regexp.MustCompile(`/M\s*\(D:(\d{14})(Z|[+-]\d\d'\d\d'?)\)`)
)

// signingTime reads the /M of the signature dictionary that ends where
// before ends (at its /Contents).
func signingTime(before []byte) (time.Time, bool) {
	if len(before) > 4096 {
		before = before[len(before)-4096:]
	}
	locs := sigDictRE.FindAllIndex(before, -1)
	if len(locs) == 0 {
		return time.Time{}, false
	}
	m := sigTimeRE.FindSubmatch(before[locs[len(locs)-1][0]:])
	if m == nil {
		return time.Time{}, false
	}
	zone := strings.ReplaceAll(strings.TrimSuffix(string(m[2]), "'"), "'", "")
	if zone == "Z" {
		zone = "+0000"
	}
	t, err := time.Parse("20060102150405-0700", string(m[1])+zone)
	return t, err == nil
}

var keywordsRE = regexp.MustCompile(`/Keywords\s*<([0-9A-Fa-f]*)>`)

// keywords reads the document's /Keywords, as Sign writes it (UTF-16BE in
// hex).
func keywords(b []byte) (string, bool) {
	m := keywordsRE.FindAllSubmatch(b, -1)
	if len(m) != 1 {
		return "", false
	}
	raw := make([]byte, len(m[0][1])/2)
	if _, err := hex.Decode(raw, m[0][1][:2*len(raw)]); err != nil || len(raw) < 2 || raw[0] != 0xFE || raw[1] != 0xFF {
		return "", false
	}
	u := make([]uint16, 0, len(raw)/2)
	for i := 2; i+1 < len(raw); i += 2 {
		u = append(u, uint16(raw[i])<<8|uint16(raw[i+1]))
	}
	return string(utf16.Decode(u)), true
}
