package registry

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Vietnam is the time zone of the registers (UTC+7, no daylight saving):
// issue dates and serial years are counted in it. A fixed zone needs no
// time-zone database on the clerk's machine.
var Vietnam = time.FixedZone("ICT", 7*60*60)

// ExtractForm is the kind of certified copy (bản sao trích lục), named by
// the symbol its serial carries ("45/2025/TLKS-BS").
type ExtractForm string

// The forms of Thông tư 04/2020/TT-BTP that copies are issued on.
const (
	FormBirthExtract     ExtractForm = "TLKS"   // Trích lục khai sinh (bản sao)
	FormBirthCertificate ExtractForm = "GKS"    // Giấy khai sinh (bản sao)
	FormMarriage         ExtractForm = "TLKH"   // Trích lục kết hôn (bản sao)
	FormDeath            ExtractForm = "TLKT"   // Trích lục khai tử (bản sao)
	FormRecognition      ExtractForm = "TLNCMC" // Trích lục đăng ký nhận cha, mẹ, con (bản sao)
)

// FormFor returns the form a copy of an entry of reg is issued on: the
// register's first form, or with birthCertificate a copy of the Giấy khai
// sinh for a register that issues one.
func FormFor(reg Register, birthCertificate bool) ExtractForm {
	d := reg.Descriptor()
	if d == nil || len(d.Forms) == 0 {
		return ""
	}
	if birthCertificate && slices.Contains(d.Forms, FormBirthCertificate) {
		return FormBirthCertificate
	}
	return d.Forms[0]
}

// Register returns the register whose entries the form copies.
func (f ExtractForm) Register() Register {
	for _, d := range descriptors {
		if slices.Contains(d.Forms, f) {
			return d.Register
		}
	}
	return ""
}

// Valid reports whether f is one of the forms.
func (f ExtractForm) Valid() bool { return f.Register() != "" }

// Title returns the form's title as printed, without "(BẢN SAO)".
func (f ExtractForm) Title() string {
	switch f {
	case FormBirthExtract:
		return "TRÍCH LỤC KHAI SINH"
	case FormBirthCertificate:
		return "GIẤY KHAI SINH"
	case FormMarriage:
		return "TRÍCH LỤC KẾT HÔN"
	case FormDeath:
		return "TRÍCH LỤC KHAI TỬ"
	case FormRecognition:
		return "TRÍCH LỤC ĐĂNG KÝ NHẬN CHA, MẸ, CON"
	}
	return string(f)
}

// Serial is the number of an issued copy, counted per issuing authority,
// year and form: "45/2025/TLKS-BS" is the 45th copy on the Trích lục khai
// sinh form that the authority issued in 2025 (BS: bản sao).
type Serial struct {
	Number int
	Year   int
	Form   ExtractForm
}

// String formats s as printed: "45/2025/TLKS-BS".
func (s Serial) String() string {
	return fmt.Sprintf("%d/%d/%s-BS", s.Number, s.Year, s.Form)
}

// IsZero reports whether no serial is set.
func (s Serial) IsZero() bool { return s == Serial{} }

var serialRE = regexp.MustCompile(`^([0-9]{1,9})/([0-9]{4})/([A-Z]+)-BS$`)

// ParseSerial parses a serial as printed ("45/2025/TLKS-BS"; case and
// surrounding space are ignored).
func ParseSerial(s string) (Serial, error) {
	m := serialRE.FindStringSubmatch(strings.ToUpper(strings.TrimSpace(s)))
	if m == nil {
		return Serial{}, Errorf(EINVALID, "số bản sao %q không đúng dạng số/năm/ký hiệu-BS (ví dụ 45/2025/TLKS-BS)", s)
	}
	n, _ := strconv.Atoi(m[1])
	y, _ := strconv.Atoi(m[2])
	sr := Serial{Number: n, Year: y, Form: ExtractForm(m[3])}
	if n < 1 || !sr.Form.Valid() {
		return Serial{}, Errorf(EINVALID, "số bản sao %q không hợp lệ", s)
	}
	return sr, nil
}

// Signer is how an issuing authority signs its copies: the signer block
// (`KT. CHỦ TỊCH` / `PHÓ CHỦ TỊCH` / name) and the wording of dates in
// words. It is configured per authority; an authority that configured
// none cannot issue (a copy must say who signs it).
type Signer struct {
	IssuerCode string // the issuing authority
	Capacity   string // "KT. CHỦ TỊCH", "TM. ỦY BAN NHÂN DÂN"; "" when the head signs in person
	Title      string // "PHÓ CHỦ TỊCH", "NGƯỜI KÝ TRÍCH LỤC"
	Name       string // "Trần Thị Bích", as signed
	Thousand   string // "nghìn" or "ngàn" in dates in words
}

// Validate checks a signer configuration.
func (s *Signer) Validate() error {
	if !isAuthorityCode(s.IssuerCode) {
		return Errorf(EINVALID, "mã cơ quan cấp %q phải gồm 5 chữ số (xã) hoặc 3 chữ số (huyện)", s.IssuerCode)
	}
	if strings.TrimSpace(s.Title) == "" {
		return Errorf(EINVALID, "thiếu chức danh người ký (ví dụ PHÓ CHỦ TỊCH)")
	}
	if strings.TrimSpace(s.Name) == "" {
		return Errorf(EINVALID, "thiếu họ tên người ký: bản sao phải ghi rõ ai ký")
	}
	switch s.Thousand {
	case "nghìn", "ngàn":
	default:
		return Errorf(EINVALID, "cách đọc số nghìn %q không hợp lệ (nghìn hoặc ngàn)", s.Thousand)
	}
	for _, v := range []string{s.Capacity, s.Title, s.Name} {
		if len(v) > 120 || strings.ContainsAny(v, "\n\r\t") {
			return Errorf(EINVALID, "thông tin người ký %q quá dài hoặc có ký tự xuống dòng", v)
		}
	}
	return nil
}

// ExtractIssue is one issued copy as the issue log keeps it. A re-print is
// a new issue with its own serial; an issue is never changed, only revoked.
type ExtractIssue struct {
	ID         int64       // the log's key
	IssuerCode string      // the authority that issued it (today's unit)
	Serial     Serial      // allocated by the store
	RecordID   string      // the register entry copied
	Form       ExtractForm // the form it was printed on
	IssuedAt   time.Time   // set by the store's clock
	Clerk      string      // who issued it
	Requester  string      // who asked for it (personal data: not for logs)
	Copies     int         // identical pages printed

	ValuesSHA256   string // hex SHA-256 of the printed values the QR code signs
	DocumentSHA256 string // hex SHA-256 of the PDF file as issued, signature included
	KeyID          string // the signing key (see sign.KeyID)
	Payload        string // the signed payload the QR code carries

	// What re-issuing the same file needs: the values printed (a JSON
	// snapshot, see extract.Copy) and the PDF signature (CMS) made over
	// them, with the SHA-256 of the signing certificate.
	Snapshot   []byte
	CMS        []byte
	CertSHA256 string

	// BatchID names the batch run that issued it, and BatchItem the line
	// of the batch (the record ID as listed): a re-run of the batch skips
	// what was issued.
	BatchID, BatchItem string

	Override string   // why the clerk issued despite Blockers; "" if none
	Blockers []string // the reasons the record would have been refused

	Revocation *Revocation // nil while the copy is valid
}

// Revocation records that an issued copy is no longer valid.
type Revocation struct {
	At     time.Time
	By     string
	Reason string
}

// IssuedOn returns the issue date in Vietnam.
func (i *ExtractIssue) IssuedOn() time.Time { return i.IssuedAt.In(Vietnam) }

// Validate checks an issue before it is logged: everything the log and the
// verification need is present and consistent.
func (i *ExtractIssue) Validate() error {
	switch {
	case !isAuthorityCode(i.IssuerCode):
		return Errorf(EINVALID, "mã cơ quan cấp %q không hợp lệ", i.IssuerCode)
	case i.RecordID == "":
		return Errorf(EINVALID, "thiếu mã trích lục được sao")
	case !i.Form.Valid():
		return Errorf(EINVALID, "mẫu bản sao %q không hợp lệ", i.Form)
	case i.Serial.Number < 1 || i.Serial.Form != i.Form || i.Serial.Year != i.IssuedOn().Year():
		return Errorf(EINVALID, "số bản sao %s không khớp mẫu %s hoặc năm cấp", i.Serial, i.Form)
	case i.IssuedAt.IsZero():
		return Errorf(EINVALID, "thiếu ngày cấp")
	case strings.TrimSpace(i.Clerk) == "":
		return FieldErrorf(EINVALID, FieldActor, "thiếu tên người cấp")
	case i.Copies < 1 || i.Copies > 50:
		return Errorf(EINVALID, "số bản %d không hợp lệ (1 đến 50)", i.Copies)
	case !isHexSHA256(i.ValuesSHA256) || !isHexSHA256(i.DocumentSHA256) || !isHexSHA256(i.CertSHA256):
		return Errorf(EINVALID, "thiếu mã băm nội dung, tệp hoặc chứng thư ký")
	case i.KeyID == "" || i.Payload == "" || len(i.CMS) == 0 || len(i.Snapshot) == 0:
		return Errorf(EINVALID, "bản sao chưa được ký")
	case len(i.Blockers) > 0 && strings.TrimSpace(i.Override) == "":
		return Errorf(EREFUSED, "trích lục %s chưa thể cấp bản sao: %s", i.RecordID, strings.Join(i.Blockers, "; "))
	}
	return nil
}

func isHexSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, r := range s {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f') {
			return false
		}
	}
	return true
}

// ExtractBlockers returns, in Vietnamese, why a copy of r may not be issued
// without an explicit override: open flags, unresolved conflicts between
// scans, and duplicate links still under review (suspected or automatic).
// None means the record may be copied.
func ExtractBlockers(r *Record) []string {
	var reasons []string
	for _, f := range r.Flags {
		s := "đang chờ xem xét: " + f.Code.Label()
		if f.Field != "" {
			s += " (" + f.Field + ")"
		}
		reasons = append(reasons, s)
	}
	for _, c := range r.OpenConflicts() {
		reasons = append(reasons, fmt.Sprintf("các bản quét khác nhau ở trường %s, chưa được giải quyết", c.Field))
	}
	for _, d := range r.Duplicates {
		switch d.Status {
		case LinkSuspected, LinkAuto:
			reasons = append(reasons, fmt.Sprintf("nghi trùng với trích lục %s, đang chờ xem xét", d.ID))
		}
	}
	return reasons
}

// Correction is a change made to a register entry after registration (cải
// chính, bổ sung), decided on a legal basis. Copies print it among the
// marginal notes, with the value it replaced.
type Correction struct {
	Field string // canonical column
	Old   string // stored value before ("" if none)
	New   string // stored value after ("" if cleared)
	Basis string // the decision it rests on
	At    time.Time
	By    string
}

// CertRole is what a registered certificate is for.
type CertRole string

const (
	CertUnit CertRole = "unit" // an issuing unit's signing certificate
	CertCA   CertRole = "ca"   // a certification authority (root or intermediate)
)

// Certificate is an X.509 certificate registered in the store: the
// signing certificates of the issuing units (old ones stay, so that copies
// signed before a key rotation still verify) and the certification
// authorities, of which the trusted ones are the store's trust roots.
type Certificate struct {
	Fingerprint  string // hex SHA-256 of DER
	KeyID        string // of its public key (see sign.KeyID)
	IssuerCode   string // the unit it signs for; "" for a CA
	Role         CertRole
	Trusted      bool // a trust root of this store
	Test         bool // made by "hotich ca init": for trials, never for real copies
	Subject      string
	NotBefore    time.Time
	NotAfter     time.Time
	DER          []byte
	RegisteredAt time.Time
}

// LegacyKey is the Ed25519 public key an issuing authority signed its
// copies' QR codes with before copies carried PAdES signatures (payload
// format HT1); the store keeps them so that those copies can still be
// checked.
type LegacyKey struct {
	KeyID      string
	IssuerCode string
	PublicKey  []byte
	CreatedAt  time.Time
}

// Sealer signs issued copies for one issuing authority with its
// certified key.
type Sealer interface {
	// Issuer returns the code of the authority whose key it is.
	Issuer() string
	// KeyID names the key.
	KeyID() string
	// CertSHA256 is the hex SHA-256 of the signing certificate.
	CertSHA256() string
	// SignerName is the certificate's subject as a signature appearance
	// shows it.
	SignerName() string
	// SignPayload signs the canonical printed values of a copy for its QR
	// code.
	SignPayload(msg []byte) ([]byte, error)
	// SignCMS returns a detached CMS signature (PAdES baseline) of
	// content, at most CMSSize bytes long. at is the time the PDF's
	// signature dictionary states; the CMS itself carries no signing time
	// (PAdES), only a TSA's timestamp when one is configured.
	SignCMS(ctx context.Context, content []byte, at time.Time) ([]byte, error)
	CMSSize() int
}

// IssueFilter selects issues. Set fields are combined with AND.
type IssueFilter struct {
	RecordID   string
	IssuerCode string
	Serial     *Serial
	Limit      int // 0: a default limit
}

// IssueService keeps the issue log of certified copies.
type IssueService interface {
	// FindIssues returns the issues matching f, newest first.
	FindIssues(ctx context.Context, f IssueFilter) ([]*ExtractIssue, error)
	// RevokeIssue revokes an issued copy, or returns ENOTFOUND or
	// ECONFLICT (already revoked). With issuerCode "" the serial alone
	// must name one issue: EINVALID when several units issued it.
	RevokeIssue(ctx context.Context, issuerCode string, serial Serial, by, reason string) (*ExtractIssue, error)
	// IssueExtracts issues copies in one write transaction, allocating
	// for each the next serial of its authority, year and form (concurrent
	// calls never get the same one) and setting Serial and IssuedAt. check
	// is called for each issue in turn with its record as stored and sets
	// what the issue is (its issuing unit, its form, any override); an
	// issue it refuses gets that error in errs (ENOTFOUND for a record
	// that does not exist, without calling check) and no
	// serial; the others get consecutive serials and are passed to render
	// together (which may render them concurrently; render is not called
	// when none is left), then logged. If render fails nothing is logged
	// and no serial is used up: the next copies take the same serials.
	IssueExtracts(ctx context.Context, issues []*ExtractIssue, check func(*ExtractIssue, *Record) error,
		render func([]*ExtractIssue, []*Record) error) (errs []error, err error)
	// FindBatchIssues returns the issues of a batch run, oldest first,
	// with their snapshots and signatures.
	FindBatchIssues(ctx context.Context, batchID string) ([]*ExtractIssue, error)
	// RegisterCertificate records a certificate; registering the same one
	// again changes nothing but its trust, which it can only raise (a
	// trusted registration makes it a trust root, an untrusted one leaves
	// it as it was). The same certificate for another unit or role is
	// ECONFLICT.
	RegisterCertificate(ctx context.Context, c *Certificate) error
	// FindCertificates returns the certificates with a key ID, newest first.
	FindCertificates(ctx context.Context, keyID string) ([]*Certificate, error)
	// FindLegacyKey returns the old-format public key with an ID, or an
	// ENOTFOUND error.
	FindLegacyKey(ctx context.Context, keyID string) (*LegacyKey, error)
	// Certificates returns the registered certificates of a unit ("" for
	// all) and the CAs, newest first.
	Certificates(ctx context.Context, issuerCode string) ([]*Certificate, error)
	// Signer returns the signer configuration of an authority, or an
	// ENOTFOUND error when none is set (the issuing desk then refuses to
	// issue).
	Signer(ctx context.Context, issuerCode string) (Signer, error)
	// SetSigner stores the signer configuration of an authority.
	SetSigner(ctx context.Context, s Signer, actor string) error
	// Setting returns a store setting ("" when unset); SetSetting sets it.
	Setting(ctx context.Context, name string) (string, error)
	SetSetting(ctx context.Context, name, value, actor string) error
	// Corrections returns the corrections made to a record, oldest first.
	Corrections(ctx context.Context, recordID string) ([]Correction, error)
}
