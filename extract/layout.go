package extract

import (
	"math"
	"strings"

	"github.com/hotich/hotich/extract/internal/gofpdf"
	"github.com/hotich/hotich/registry"
	"github.com/hotich/hotich/registry/vntext"
)

// Type sizes in points, and the body's line height in millimetres.
const (
	bodySize   = 12.5
	headSize   = 12.5
	mottoSize  = 13
	titleSize  = 14
	smallSize  = 9
	lineHeight = 7.2
)

// page draws one copy: the frame (header, title, footer) and the body
// fields, top to bottom, tracking the vertical position.
type page struct {
	pdf   *gofpdf.Fpdf
	scale float64
	size  float64 // body type size
	lh    float64 // body line height
	y     float64 // top of the next line
	words vntext.Words
	qr    box // where the QR code goes, set by footer
}

type box struct{ x, y, size float64 }

func newPage(pdf *gofpdf.Fpdf, scale float64) *page {
	return &page{pdf: pdf, scale: scale, size: bodySize * scale, lh: lineHeight * scale, y: marginT}
}

func (p *page) font(style string, size float64) { p.pdf.SetFont(family, style, size) }

// centered writes one line of text centred between x0 and x1 at y, shrunk
// to fit if it is wider, and returns its width.
func (p *page) centered(x0, x1, y float64, style string, size float64, text string) float64 {
	text = nfc(text)
	p.font(style, size)
	w := p.pdf.GetStringWidth(text)
	if w > x1-x0 {
		size = size * (x1 - x0) / w * 0.98
		p.font(style, size)
		w = p.pdf.GetStringWidth(text)
	}
	p.pdf.SetXY(x0, y)
	p.pdf.CellFormat(x1-x0, size/72*25.4*1.2, text, "", 0, "C", false, 0, "")
	return w
}

// rule draws a horizontal line of width w centred between x0 and x1.
func (p *page) rule(x0, x1, y, w float64) {
	mid := (x0 + x1) / 2
	p.pdf.SetLineWidth(0.3)
	p.pdf.Line(mid-w/2, y, mid+w/2, y)
	p.pdf.SetLineWidth(0.2)
}

// A value's style: plain, or a person's name (bold capitals).
type valueStyle int

const (
	plain valueStyle = iota
	name
)

func (s valueStyle) format(v string) (string, string) {
	if s == name {
		return upper(v), "B"
	}
	return v, ""
}

// span is a run of text in a style, for flowing text.
type span struct {
	text  string
	style string
}

// flow writes spans as one paragraph between x0 and x1 starting at the
// current line, wrapping at x1 and continuing at x0, and moves to the next
// line.
func (p *page) flow(x0, x1 float64, spans ...span) {
	pdf := p.pdf
	pdf.SetLeftMargin(x0)
	pdf.SetRightMargin(pageW - x1)
	pdf.SetXY(x0, p.y)
	for _, s := range spans {
		p.font(s.style, p.size)
		pdf.Write(p.lh, nfc(s.text))
	}
	p.y = pdf.GetY() + p.lh
	pdf.SetLeftMargin(marginL)
	pdf.SetRightMargin(marginR)
}

// blank writes a dotted blank from the current position to x1.
func (p *page) blank(x1 float64) {
	pdf := p.pdf
	p.font("", p.size)
	x := pdf.GetX()
	n := int(math.Floor((x1 - x - 1) / pdf.GetStringWidth(".")))
	if n < 3 {
		n = 3
	}
	pdf.CellFormat(x1-x, p.lh, strings.Repeat(".", n), "", 0, "L", false, 0, "")
}

// field writes "label value" on a new line across the body width, the
// value wrapping under it; an unknown value is a dotted blank.
func (p *page) field(label, value string, st valueStyle) {
	p.fieldIn(marginL, pageW-marginR, label, value, st)
}

func (p *page) fieldIn(x0, x1 float64, label, value string, st valueStyle) {
	if value = strings.TrimSpace(value); value == "" {
		p.pdf.SetLeftMargin(x0)
		p.pdf.SetXY(x0, p.y)
		p.font("", p.size)
		p.pdf.Write(p.lh, nfc(label+" "))
		p.blank(x1)
		p.pdf.SetLeftMargin(marginL)
		p.y += p.lh
		return
	}
	v, style := st.format(value)
	p.flow(x0, x1, span{label + " ", ""}, span{v, style})
}

// col is one field of a line holding several: its share of the line.
type col struct {
	label, value string
	share        float64
	st           valueStyle
}

// inline writes fields side by side on one line, each in its share of the
// width; if one does not fit its share, each goes on its own line.
func (p *page) inline(x0, x1 float64, cols ...col) {
	w := x1 - x0
	fits := true
	for i, c := range cols {
		v, style := c.st.format(c.value)
		p.font("", p.size)
		need := p.pdf.GetStringWidth(nfc(c.label + " "))
		p.font(style, p.size)
		if c.value == "" {
			need += p.pdf.GetStringWidth("......")
		} else {
			need += p.pdf.GetStringWidth(nfc(v))
		}
		if need > c.share*w-1.5 && i < len(cols)-1 || need > c.share*w+0.5 && i == len(cols)-1 {
			fits = false
		}
	}
	if !fits {
		for _, c := range cols {
			p.fieldIn(x0, x1, c.label, c.value, c.st)
		}
		return
	}
	x := x0
	for _, c := range cols {
		end := x + c.share*w
		p.pdf.SetXY(x, p.y)
		p.font("", p.size)
		p.pdf.CellFormat(p.pdf.GetStringWidth(nfc(c.label+" ")), p.lh, nfc(c.label+" "), "", 0, "L", false, 0, "")
		if strings.TrimSpace(c.value) == "" {
			p.blank(end - 2)
		} else {
			v, style := c.st.format(c.value)
			p.font(style, p.size)
			p.pdf.CellFormat(p.pdf.GetStringWidth(nfc(v)), p.lh, nfc(v), "", 0, "L", false, 0, "")
		}
		x = end
	}
	p.y += p.lh
}

// line writes a line of text in a style at the body's left margin.
func (p *page) line(style, text string) {
	p.flow(marginL, pageW-marginR, span{text, style})
}

// gap adds vertical space, in lines.
func (p *page) gap(lines float64) { p.y += lines * p.lh }

// columns draws rows of two columns side by side, each row as high as its
// taller cell.
func (p *page) columns(rows [][2]func(x0, x1 float64)) {
	const gutter = 6
	mid := marginL + (contentW-gutter)/2
	for _, row := range rows {
		y0 := p.y
		row[0](marginL, mid)
		y1 := p.y
		p.y = y0
		row[1](mid+gutter, pageW-marginR)
		p.y = max(y1, p.y)
	}
}

// header draws the two header blocks: the issuing authority and the
// copy's serial on the left, the national motto and the place and date on
// the right.
func (p *page) header(c *Copy) {
	const (
		leftX0, leftX1   = marginL - 8, marginL + 72
		rightX0, rightX1 = marginL + 72, pageW - marginR + 3
	)
	y := marginT
	hl := headSize / 72 * 25.4 * 1.25
	p.centered(leftX0, leftX1, y, "", headSize, c.Issuer.Province)
	p.centered(rightX0, rightX1, y, "B", headSize, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
	y += hl
	w := p.centered(leftX0, leftX1, y, "B", headSize, c.Issuer.Name)
	m := p.centered(rightX0, rightX1, y, "B", mottoSize, "Độc lập - Tự do - Hạnh phúc")
	y += hl + 1.6
	p.rule(leftX0, leftX1, y, math.Min(w*0.45, 40))
	p.rule(rightX0, rightX1, y, m)
	y += 3.5
	p.centered(leftX0, leftX1, y, "", headSize, "Số: "+c.Serial.String())
	date := vntext.Date{Year: c.IssuedAt.Year(), Month: int(c.IssuedAt.Month()), Day: c.IssuedAt.Day()}
	p.centered(rightX0, rightX1, y, "I", headSize, c.Issuer.Place+", "+date.Written())
	p.y = y + hl + 9
}

// title draws the form's title with "(BẢN SAO)".
func (p *page) title(f registry.ExtractForm) {
	p.centered(marginL, pageW-marginR, p.y, "B", titleSize, f.Title()+" (BẢN SAO)")
	p.y += titleSize/72*25.4*1.2 + 7*p.scale
}

// footer draws "Sao từ Sổ đăng ký …", the signer block and the caption of
// the QR code, and records where the code goes. It reports whether the
// page holds everything.
func (p *page) footer(c *Copy) bool {
	p.y += 6 * p.scale
	top := p.y
	const (
		leftX0, leftX1   = marginL, marginL + 70
		rightX0, rightX1 = marginL + 75, pageW - marginR
	)
	hl := headSize / 72 * 25.4 * 1.3
	p.centered(leftX0, leftX1, top, "I", headSize, "Sao từ Sổ đăng ký "+c.Record.Register.Name())
	y := top
	if s := strings.TrimSpace(c.Signer.Capacity); s != "" {
		p.centered(rightX0, rightX1, y, "B", headSize, s)
		y += hl
	}
	p.centered(rightX0, rightX1, y, "B", headSize, c.Signer.Title)
	y += hl
	y += 24 // the signature and the seal
	if s := strings.TrimSpace(c.Signer.Name); s != "" {
		p.centered(rightX0, rightX1, y, "B", headSize, s)
	}
	y += hl
	const qrSize = 30.0
	p.qr = box{x: (leftX0+leftX1)/2 - qrSize/2, y: top + hl + 3, size: qrSize}
	capY := p.qr.y + qrSize + 2.5
	p.centered(leftX0, leftX1, capY, "", smallSize, "Mã xác thực bản sao số "+c.Serial.String())
	bottom := max(y, capY+smallSize/72*25.4*1.2)
	return bottom <= pageH-marginB
}
