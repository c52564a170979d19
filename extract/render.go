// Package extract renders certified copies (bản sao trích lục) of register
// entries as PDF: the birth, marriage, death and parent–child recognition
// forms of Thông tư 04/2020/TT-BTP as issued in practice, A4, in Liberation
// Serif (metric-compatible with Times New Roman), with a QR code carrying a
// signed payload.
//
// Renderers take registry values and an io.Writer; they know no store and
// no key. The signature is asked for through a callback once the page's
// content is final, and the page content stream up to that point is what
// the payload's hash covers (see Read).
package extract

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/hotich/hotich/extract/internal/gofpdf"
	"github.com/hotich/hotich/registry"
	"github.com/hotich/hotich/registry/vntext"
)

//go:embed font/LiberationSerif-Regular.ttf font/LiberationSerif-Bold.ttf font/LiberationSerif-Italic.ttf
var fontFS embed.FS

// Renderer renders copies. It holds the fonts, parsed once; it is safe for
// concurrent use.
type Renderer struct {
	regular, bold, italic *gofpdf.UTF8Font
}

// NewRenderer parses the embedded fonts.
func NewRenderer() (*Renderer, error) {
	var r Renderer
	for _, f := range []struct {
		name string
		dst  **gofpdf.UTF8Font
	}{
		{"font/LiberationSerif-Regular.ttf", &r.regular},
		{"font/LiberationSerif-Bold.ttf", &r.bold},
		{"font/LiberationSerif-Italic.ttf", &r.italic},
	} {
		b, err := fontFS.ReadFile(f.name)
		if err != nil {
			return nil, err
		}
		if *f.dst, err = gofpdf.ParseUTF8Font(b); err != nil {
			return nil, fmt.Errorf("extract: font %s: %w", f.name, err)
		}
	}
	return &r, nil
}

// Issuer is the authority issuing a copy today, as its header prints it.
type Issuer struct {
	Code     string
	Province string // "THÀNH PHỐ HỒ CHÍ MINH"
	Name     string // "UBND PHƯỜNG SÀI GÒN"
	Place    string // "Sài Gòn": the place of the date line
}

// IssuerFor returns the issuing authority with a code of the units in
// force today (after 1 July 2025).
func IssuerFor(rd *registry.RefData, code string) (Issuer, error) {
	u, ok := rd.UnitNow(code)
	if !ok || u.Level != 3 {
		return Issuer{}, registry.Errorf(registry.EINVALID, "mã %q không phải một xã, phường, đặc khu hiện nay", code)
	}
	iss := Issuer{Code: u.Code, Name: upper("UBND " + u.Name), Place: placeName(u)}
	if p, ok := rd.Province(u); ok {
		iss.Province = upper(p.Name)
	}
	return iss, nil
}

// DefaultIssuer returns the unit that holds the register of an authority
// today (its primary successor), which issues copies of its entries.
func DefaultIssuer(rd *registry.RefData, authorityCode string) (Issuer, error) {
	succ := rd.Successors(authorityCode)
	if len(succ) == 0 || succ[0].Level != 3 {
		return Issuer{}, registry.Errorf(registry.EINVALID, "không xác định được đơn vị đang giữ sổ của nơi đăng ký %s: ghi rõ cơ quan cấp (--issuer MÃ)", authorityCode)
	}
	return IssuerFor(rd, succ[0].Code)
}

// placeName is a unit's name without its type: "Phường Sài Gòn" gives
// "Sài Gòn"; a numbered ward keeps its type ("Phường 1").
func placeName(u registry.Unit) string {
	name := vntext.Clean(u.Name)
	if rest, ok := strings.CutPrefix(name, u.Type+" "); ok && rest != "" && !isDigits(rest) {
		return rest
	}
	return name
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// Copy is everything a certified copy prints.
type Copy struct {
	Record      *registry.Record
	Form        registry.ExtractForm
	Issuer      Issuer
	Serial      registry.Serial
	IssuedAt    time.Time
	Signer      registry.Signer
	Copies      int                   // identical pages; 0 means 1
	Corrections []registry.Correction // printed among the marginal notes
}

// Result is what rendering produced besides the PDF bytes.
type Result struct {
	ContentSHA256 string // hex: the hash the payload signs
	Payload       string // as returned by seal
	Pages         int
	Bytes         int
}

// qrMarker separates what a page shows from the QR code drawn after it;
// everything before it on the page is hashed.
const qrMarker = "%hotich-qr"

// Render writes a copy as PDF to w. seal receives the hex SHA-256 of the
// page content (everything but the QR code) and returns the payload to
// encode in the QR code and the PDF's keywords.
func (r *Renderer) Render(w io.Writer, c *Copy, seal func(contentSHA256 string) (string, error)) (*Result, error) {
	if err := c.check(); err != nil {
		return nil, err
	}
	var (
		pdf   *gofpdf.Fpdf
		err   error
		scale float64
		qr    box
		fits  bool
	)
	// Shrink the body until it fits one page: a long marginal note must
	// not push the signature onto a second sheet.
	for _, scale = range []float64{1, 0.94, 0.88, 0.82, 0.76} {
		pdf, err = r.newDoc(c)
		if err != nil {
			return nil, err
		}
		if qr, fits = r.drawPage(pdf, c, scale); fits {
			break
		}
		pdf = nil
	}
	if pdf == nil {
		return nil, registry.Errorf(registry.EINVALID, "nội dung trích lục %s quá dài, không vừa một trang", c.Record.ID)
	}
	sum := sha256.Sum256(pdf.PageContent())
	res := &Result{ContentSHA256: hex.EncodeToString(sum[:]), Pages: max(c.Copies, 1)}
	if res.Payload, err = seal(res.ContentSHA256); err != nil {
		return nil, err
	}
	if err := drawQR(pdf, qr, res.Payload); err != nil {
		return nil, err
	}
	// Further copies repeat the first page byte for byte: the same state
	// at the start of the page, the same drawing (Read checks this).
	for i := 1; i < res.Pages; i++ {
		pdf.AddPage()
		r.drawPage(pdf, c, scale)
		if err := drawQR(pdf, qr, res.Payload); err != nil {
			return nil, err
		}
	}
	pdf.SetKeywords(res.Payload, false)
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("extract: render %s: %w", c.Record.ID, err)
	}
	res.Bytes = buf.Len()
	if _, err := w.Write(buf.Bytes()); err != nil {
		return nil, err
	}
	return res, nil
}

func (c *Copy) check() error {
	switch {
	case c.Record == nil:
		return registry.Errorf(registry.EINVALID, "không có trích lục để sao")
	case c.Form.Register() != c.Record.Register:
		return registry.Errorf(registry.EINVALID, "mẫu %s không dùng cho sổ %s", c.Form, c.Record.Register.Name())
	case c.Serial.IsZero():
		return registry.Errorf(registry.EINVALID, "bản sao chưa có số")
	case c.Issuer.Name == "":
		return registry.Errorf(registry.EINVALID, "chưa có cơ quan cấp bản sao")
	case c.Copies < 0 || c.Copies > 50:
		return registry.Errorf(registry.EINVALID, "số bản %d không hợp lệ (1 đến 50)", c.Copies)
	}
	return nil
}

// Page geometry, in millimetres (A4; margins after Nghị định 30/2020).
const (
	pageW, pageH = 210.0, 297.0
	marginL      = 25.0
	marginR      = 15.0
	marginT      = 15.0
	marginB      = 12.0
	contentW     = pageW - marginL - marginR
)

const family = "serif"

func (r *Renderer) newDoc(c *Copy) (*gofpdf.Fpdf, error) {
	pdf := gofpdf.New("P", "mm", "A4", "")
	pdf.SetCatalogSort(true)
	pdf.SetCreationDate(c.IssuedAt.UTC())
	pdf.SetModificationDate(c.IssuedAt.UTC())
	pdf.SetCreator("hotich", false)
	pdf.SetProducer("hotich (gofpdf)", false)
	pdf.SetTitle(nfc(c.Form.Title()+" (BẢN SAO) số "+c.Serial.String()), true)
	pdf.SetSubject(nfc("Bản sao trích lục hộ tịch cấp từ cơ sở dữ liệu hộ tịch điện tử"), true)
	pdf.SetMargins(marginL, marginT, marginR)
	pdf.SetAutoPageBreak(false, 0)
	pdf.AddUTF8FontParsed(family, "", r.regular)
	pdf.AddUTF8FontParsed(family, "B", r.bold)
	pdf.AddUTF8FontParsed(family, "I", r.italic)
	if err := pdf.Error(); err != nil {
		return nil, fmt.Errorf("extract: %w", err)
	}
	r.startPage(pdf)
	return pdf, nil
}

// startPage adds the first page in a fixed graphics state.
func (r *Renderer) startPage(pdf *gofpdf.Fpdf) {
	resetState(pdf)
	pdf.AddPage()
}

// resetState sets the state every page starts in. drawPage ends with it
// too (before the QR code, which changes no state), so a further copy's
// page starts exactly as the first did.
func resetState(pdf *gofpdf.Fpdf) {
	pdf.SetFont(family, "", bodySize)
	pdf.SetLineWidth(0.2)
}

// drawPage draws everything but the QR code and returns where the code
// goes. It reports false if the content does not fit the page at this
// scale.
func (r *Renderer) drawPage(pdf *gofpdf.Fpdf, c *Copy, scale float64) (box, bool) {
	p := newPage(pdf, scale)
	p.words = vntext.Words{Thousand: c.Signer.Thousand}
	p.header(c)
	p.title(c.Form)
	switch c.Form {
	case registry.FormBirthExtract, registry.FormBirthCertificate:
		p.birth(c)
	case registry.FormMarriage:
		p.marriage(c)
	case registry.FormDeath:
		p.death(c)
	case registry.FormRecognition:
		p.recognition(c)
	}
	fits := p.footer(c)
	resetState(pdf)
	return p.qr, fits
}
