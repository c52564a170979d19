// Package extract renders certified copies (bản sao trích lục) of register
// entries as PDF and signs them: the birth, marriage, death and
// parent–child recognition forms of Thông tư 04/2020/TT-BTP as issued in
// practice, A4, in Liberation Serif (metric-compatible with Times New
// Roman; a copy printing only ASCII and Vietnamese uses a reduced copy of
// it, see encoding.go), continued on further pages when an entry is long,
// with a QR code
// carrying the signed printed values (see sign.Payload) and a PAdES
// signature over the whole file (see Sign).
//
// Renderers take registry values; they know no store and no key. The
// rendering is deterministic: the same Copy gives the same bytes, so a
// copy can be rendered again from the issue log's snapshot.
package extract

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jung-kurt/gofpdf"

	"github.com/hotich/hotich/registry"
	"github.com/hotich/hotich/registry/vntext"
)

//go:embed font/LiberationSerif-Regular.ttf font/LiberationSerif-Bold.ttf font/LiberationSerif-Italic.ttf
var fontFS embed.FS

// Renderer renders copies. It holds the font files; it is safe for
// concurrent use.
type Renderer struct {
	regular, bold, italic []byte                     // the full fonts
	vn                    [3]struct{ def, z []byte } // the fast fonts (see encoding.go), by vnStyles
}

// NewRenderer reads the embedded fonts.
func NewRenderer() (*Renderer, error) {
	var r Renderer
	for i, s := range vnStyles {
		var err error
		if r.vn[i].def, err = vnFontFS.ReadFile(s.file + ".json"); err != nil {
			return nil, err
		}
		if r.vn[i].z, err = vnFontFS.ReadFile(s.file + ".z"); err != nil {
			return nil, err
		}
	}
	for _, f := range []struct {
		name string
		dst  *[]byte
	}{
		{"font/LiberationSerif-Regular.ttf", &r.regular},
		{"font/LiberationSerif-Bold.ttf", &r.bold},
		{"font/LiberationSerif-Italic.ttf", &r.italic},
	} {
		b, err := fontFS.ReadFile(f.name)
		if err != nil {
			return nil, err
		}
		*f.dst = b
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
		return Issuer{}, registry.FieldErrorf(registry.EINVALID, registry.FieldIssuer, "không xác định được đơn vị đang giữ sổ của nơi đăng ký %s: cần nói rõ cơ quan cấp", authorityCode)
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
	Copies      int                   // identical copies, one after the other; 0 means 1
	Corrections []registry.Correction // printed among the marginal notes
	QR          string                // what the QR code holds (see sign.Payload.QRText)
	SignedBy    string                // the signing certificate's subject, in the signature block
}

// Rendered is a rendered copy, not yet signed.
type Rendered struct {
	PDF   []byte // as the PDF library wrote it
	Pages int    // in the document (all copies)
	Sig   box    // where the visible signature is, on the last page
	Info  info   // what Sign writes into the document information
}

type info struct {
	Title, Subject, Keywords string
	At                       time.Time
}

// Layout is the version of the layout copies are drawn with today. The
// issue log's snapshot of a copy keeps the version it was drawn with, so
// that a lost file is drawn again byte for byte after an upgrade:
//
//   - 1: the first PAdES release: the full fonts always, and a footer
//     that asked for 56 mm above the page number's room;
//   - 2: the fast fonts when the copy's characters allow (encoding.go),
//     and a footer that asks for what it draws, down to the bottom margin
//     on a one-page copy.
const Layout = 2

// Render lays out and draws a copy. It refuses a copy that would take more
// than maxPages pages: the layout's work is bounded by that.
func (r *Renderer) Render(c *Copy) (*Rendered, error) {
	return r.renderLayout(c, Layout)
}

// renderLayout draws a copy in a layout version.
func (r *Renderer) renderLayout(c *Copy, layout int) (*Rendered, error) {
	if err := c.check(); err != nil {
		return nil, err
	}
	switch layout {
	case 1:
		return r.render(c, false, 1)
	case 2:
		out, err := r.render(c, true, 2)
		if err == errOutsideVN {
			out, err = r.render(c, false, 2)
		}
		return out, err
	}
	return nil, fmt.Errorf("extract: no layout %d", layout)
}

// errOutsideVN says that a copy prints a character the fast fonts lack.
var errOutsideVN = errors.New("extract: a character outside the fast fonts")

// render draws a copy in the fast fonts (vn) or the full ones.
func (r *Renderer) render(c *Copy, vn bool, layout int) (*Rendered, error) {
	pdf, err := r.newDoc(c, vn)
	if err != nil {
		return nil, err
	}
	var last *page
	for k := 0; k < max(c.Copies, 1); k++ {
		resetState(pdf)
		pdf.AddPage()
		p := &page{pdf: pdf, c: c, size: bodySize, lh: lineHeight, y: marginT, first: pdf.PageNo(), pages: 1, vn: vn, layout: layout}
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
		p.footer(c)
		if p.outside {
			return nil, errOutsideVN
		}
		if p.over {
			return nil, registry.Errorf(registry.EINVALID, "nội dung trích lục %s quá dài: hơn %d trang", c.Record.ID, maxPages)
		}
		if err := drawQR(pdf, p.qr, c.QR); err != nil {
			return nil, err
		}
		p.pageNumbers()
		last = p
	}
	resetState(pdf)
	if err := pdf.Error(); err != nil {
		return nil, fmt.Errorf("extract: render %s: %w", c.Record.ID, err)
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("extract: render %s: %w", c.Record.ID, err)
	}
	return &Rendered{PDF: buf.Bytes(), Pages: pdf.PageCount(), Sig: last.sig, Info: info{
		Title:    nfc(c.Form.Title() + " (BẢN SAO) số " + c.Serial.String()),
		Subject:  nfc("Bản sao trích lục hộ tịch cấp từ cơ sở dữ liệu hộ tịch điện tử, " + c.Issuer.Name),
		Keywords: c.QR,
		At:       c.IssuedAt,
	}}, nil
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
	case strings.TrimSpace(c.Signer.Title) == "" || strings.TrimSpace(c.Signer.Name) == "":
		return registry.Errorf(registry.EREFUSED, "cơ quan %s chưa khai báo người ký bản sao (chức danh và họ tên người ký)", c.Issuer.Code)
	case c.Copies < 0 || c.Copies > 50:
		return registry.Errorf(registry.EINVALID, "số bản %d không hợp lệ (1 đến 50)", c.Copies)
	case c.QR == "":
		return registry.Errorf(registry.EINVALID, "bản sao chưa có mã xác thực")
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

func (r *Renderer) newDoc(c *Copy, vn bool) (*gofpdf.Fpdf, error) {
	pdf := gofpdf.New("P", "mm", "A4", "")
	pdf.SetCatalogSort(true)
	// The document information is written again, whole, by Sign (dates
	// with their time zone); these keep the library's own deterministic.
	pdf.SetCreationDate(c.IssuedAt.UTC())
	pdf.SetModificationDate(c.IssuedAt.UTC())
	pdf.SetMargins(marginL, marginT, marginR)
	pdf.SetAutoPageBreak(false, 0)
	if vn {
		// Definitions made in advance (font/README.md): the library
		// reads them and copies the compressed font into the file.
		for i, s := range vnStyles {
			pdf.AddFontFromBytes(family, s.style, r.vn[i].def, r.vn[i].z)
		}
		if err := pdf.Error(); err != nil {
			return nil, fmt.Errorf("extract: %w", err)
		}
		return pdf, nil
	}
	// Each document parses its own copy of the font files: the library
	// pads a table in place while subsetting, and the embedded bytes are
	// shared by every goroutine.
	pdf.AddUTF8FontFromBytes(family, "", bytes.Clone(r.regular))
	pdf.AddUTF8FontFromBytes(family, "B", bytes.Clone(r.bold))
	pdf.AddUTF8FontFromBytes(family, "I", bytes.Clone(r.italic))
	if err := pdf.Error(); err != nil {
		return nil, fmt.Errorf("extract: %w", err)
	}
	return pdf, nil
}

// resetState sets the state every page starts in.
func resetState(pdf *gofpdf.Fpdf) {
	pdf.SetFont(family, "", bodySize)
	pdf.SetLineWidth(0.2)
}

func itoa(n int) string { return strconv.Itoa(n) }
