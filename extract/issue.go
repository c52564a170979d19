package extract

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/hotich/hotich/registry"
	"github.com/hotich/hotich/registry/sign"
	"github.com/hotich/hotich/registry/vntext"
)

// Issue renders and signs the copy c of an issue whose serial and date
// are set, with the issuing unit's key: its QR code signs the printed
// values (and holds the verification URL under baseURL, if one is set),
// the PDF carries a PAdES signature. It fills in what the issue log keeps
// of the copy (hashes, key, payload, CMS, the snapshot to print it again)
// and returns the file.
func (r *Renderer) Issue(ctx context.Context, c *Copy, s registry.Sealer, baseURL string, iss *registry.ExtractIssue) ([]byte, error) {
	c.SignedBy = s.SignerName()
	p, err := sign.Seal(s, PayloadValues(c))
	if err != nil {
		return nil, err
	}
	c.QR = p.QRText(baseURL)
	snap, err := json.Marshal(snapshotOf(c, s.CMSSize()))
	if err != nil {
		return nil, err
	}
	rendered, err := r.Render(c)
	if err != nil {
		return nil, err
	}
	f, err := Sign(ctx, rendered, s)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(f.PDF)
	iss.ValuesSHA256 = p.ValuesSHA256()
	iss.DocumentSHA256 = hex.EncodeToString(sum[:])
	iss.KeyID = s.KeyID()
	iss.Payload = p.String()
	iss.Snapshot = snap
	iss.CMS = f.CMS
	iss.CertSHA256 = s.CertSHA256()
	return f.PDF, nil
}

// PayloadValues returns the printed values a copy's QR code signs: what
// identifies the copy and the entry, as printed.
func PayloadValues(c *Copy) []sign.Value {
	r, f := c.Record, c.Record.Fields
	at := c.IssuedAt.In(registry.Vietnam)
	vs := []sign.Value{
		{Key: "so", Value: c.Serial.String()},
		{Key: "cq", Value: c.Issuer.Code},
		{Key: "ngay_cap", Value: at.Format("02/01/2006")},
		{Key: "mau", Value: string(c.Form)},
		{Key: "trich_luc", Value: r.ID},
		{Key: "so_dk", Value: "Số " + r.Number + ", quyển số " + r.Book},
		{Key: "ngay_dk", Value: r.RegisteredOn.Numeric()},
	}
	add := func(key, v string) {
		if v = strings.TrimSpace(v); v != "" {
			vs = append(vs, sign.Value{Key: key, Value: oneLine(v)})
		}
	}
	switch r.Register {
	case registry.Birth:
		add("ho_ten", upper(f[registry.ColHoTen]))
		add("ngay_sinh", r.Date(registry.ColNgaySinh).Numeric())
		add("me", upper(f[registry.PrefixMother+registry.ColHoTen]))
		add("cha", upper(f[registry.PrefixFather+registry.ColHoTen]))
	case registry.Marriage:
		add("vo", upper(f[registry.PrefixWife+registry.ColHoTen]))
		add("chong", upper(f[registry.PrefixHusband+registry.ColHoTen]))
	case registry.Death:
		add("ho_ten", upper(f[registry.ColHoTen]))
		add("ngay_sinh", r.Date(registry.ColNgaySinh).Numeric())
		add("ngay_chet", r.Date(registry.ColNgayChet).Numeric())
	case registry.Recognition:
		add("nguoi_nhan", upper(f[registry.PrefixRecognizer+registry.ColHoTen]))
		add("duoc_nhan", upper(f[registry.PrefixRecognized+registry.ColHoTen]))
	}
	return vs
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// snapshot is what the issue log keeps of a copy to render it again: every
// value it prints.
type snapshot struct {
	Version       int // the layout it was drawn with (see Layout)
	RecordID      string
	Register      registry.Register
	AuthorityCode string
	AuthorityName string
	Book, Number  string
	RegisteredOn  string // ISO
	Fields        map[string]string
	Extra         map[string]string `json:",omitempty"`
	Form          registry.ExtractForm
	Issuer        Issuer
	Serial        string
	IssuedAt      time.Time
	Signer        registry.Signer
	Copies        int
	Corrections   []registry.Correction `json:",omitempty"`
	QR            string
	SignedBy      string
	SigSpace      int // bytes reserved for the CMS
}

func snapshotOf(c *Copy, space int) snapshot {
	r := c.Record
	return snapshot{Version: Layout, RecordID: r.ID, Register: r.Register, AuthorityCode: r.AuthorityCode, AuthorityName: r.AuthorityName,
		Book: r.Book, Number: r.Number, RegisteredOn: r.RegisteredOn.ISO(), Fields: r.Fields, Extra: r.Extra,
		Form: c.Form, Issuer: c.Issuer, Serial: c.Serial.String(), IssuedAt: c.IssuedAt.UTC(), Signer: c.Signer, Copies: c.Copies,
		Corrections: c.Corrections, QR: c.QR, SignedBy: c.SignedBy, SigSpace: space}
}

// Reprint renders a logged copy again from its snapshot and signature:
// the same bytes as issued, checked against the log's SHA-256.
func (r *Renderer) Reprint(iss *registry.ExtractIssue) ([]byte, error) {
	if len(iss.Snapshot) == 0 || len(iss.CMS) == 0 {
		return nil, registry.Errorf(registry.EINVALID, "sổ cấp không giữ đủ dữ liệu để in lại bản sao số %s", iss.Serial)
	}
	var s snapshot
	if err := json.Unmarshal(iss.Snapshot, &s); err != nil || s.Version < 1 || s.Version > Layout {
		return nil, fmt.Errorf("bản sao số %s: dữ liệu trong sổ cấp hỏng hoặc của phiên bản mới hơn (%d): %v", iss.Serial, s.Version, err)
	}
	reg, err := vntext.ParseISODate(s.RegisteredOn)
	if err != nil {
		return nil, fmt.Errorf("bản sao số %s: ngày đăng ký trong sổ cấp hỏng: %w", iss.Serial, err)
	}
	serial, err := registry.ParseSerial(s.Serial)
	if err != nil {
		return nil, err
	}
	c := &Copy{
		Record: &registry.Record{ID: s.RecordID, Register: s.Register, AuthorityCode: s.AuthorityCode, AuthorityName: s.AuthorityName,
			Book: s.Book, Number: s.Number, RegisteredOn: reg, Fields: s.Fields, Extra: s.Extra},
		Form: s.Form, Issuer: s.Issuer, Serial: serial, IssuedAt: s.IssuedAt, Signer: s.Signer, Copies: s.Copies,
		Corrections: s.Corrections, QR: s.QR, SignedBy: s.SignedBy,
	}
	rendered, err := r.renderLayout(c, s.Version)
	if err != nil {
		return nil, err
	}
	pdf, err := Resign(rendered, s.SignedBy, s.SigSpace, iss.CMS)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(pdf)
	if hex.EncodeToString(sum[:]) != iss.DocumentSHA256 {
		return nil, fmt.Errorf("bản sao số %s in lại không trùng tệp đã cấp (SHA-256 khác): phần mềm in đã thay đổi", iss.Serial)
	}
	return pdf, nil
}
