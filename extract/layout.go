package extract

import (
	"math"
	"strings"
	"unicode/utf8"

	"github.com/jung-kurt/gofpdf"

	"github.com/hotich/hotich/registry"
	"github.com/hotich/hotich/registry/vntext"
)

// Type sizes in points, and the body's line height in millimetres.
const (
	bodySize   = 12.5
	headSize   = 12.5
	mottoSize  = 13
	titleSize  = 14
	smallSize  = 9.0
	lineHeight = 7.2
)

// Limits on what one copy may take: a register value is untrusted input,
// and a copy of it must be laid out in bounded time.
const (
	maxPages = 12      // pages of one copy
	maxText  = 1 << 16 // bytes of one value
)

// page lays out one copy top to bottom, page after page: the frame
// (header, title, footer) and the body fields, tracking the vertical
// position, starting a continuation page when a line does not fit.
type page struct {
	pdf    *gofpdf.Fpdf
	c      *Copy
	size   float64 // body type size
	lh     float64 // body line height
	y      float64 // top of the next line
	words  vntext.Words
	first  int  // the copy's first page in the document
	pages  int  // pages of this copy so far
	over   bool // the copy needs more than maxPages
	vn     bool // drawn in the fast fonts (see encoding.go)
	layout int  // the layout version (see Layout)
	// outside: a character outside the fast fonts' encoding was drawn;
	// the copy is drawn again in the full fonts.
	outside bool
	qr      box // where the QR code goes, set by footer
	sig     box // the visible signature, set by footer
}

type box struct{ x, y, w, h float64 }

// bottom is the lowest a body line may reach: above the page number.
const bottom = pageH - marginB - 7

func (p *page) font(style string, size float64) { p.pdf.SetFont(family, style, size) }

// width measures text in the current font; cell draws it. Text reaches the
// PDF library only through these two: on the fast fonts it is encoded one
// byte a character first (see vnEncode), and a character outside their
// encoding marks the copy for the full fonts.
func (p *page) width(text string) float64 { return p.pdf.GetStringWidth(p.encode(text)) }

func (p *page) cell(w, h float64, text, align string) {
	p.pdf.CellFormat(w, h, p.encode(text), "", 0, align, false, 0, "")
}

func (p *page) encode(text string) string {
	if !p.vn {
		return text
	}
	b, ok := vnEncode(text)
	if !ok {
		p.outside = true
	}
	return b
}

// ensure starts a continuation page unless h millimetres fit below y.
func (p *page) ensure(h float64) { p.ensureAbove(h, bottom) }

// ensureAbove starts a continuation page unless h millimetres fit between
// y and limit.
func (p *page) ensureAbove(h, limit float64) {
	if p.y+h <= limit {
		return
	}
	if p.pages >= maxPages {
		// Keep drawing over the last page: the caller refuses the copy,
		// and no more work is done than maxPages of it.
		p.over = true
		p.y = marginT
		return
	}
	resetState(p.pdf)
	p.pdf.AddPage()
	p.pages++
	p.continuation()
}

// continuation draws the head of a continuation page: who issued which
// copy, and that it continues.
func (p *page) continuation() {
	c := p.c
	y := marginT
	p.centered(marginL, pageW-marginR, y, "I", smallSize+1, c.Issuer.Name+" – Bản sao số "+c.Serial.String()+" – "+c.Form.Title()+" (tiếp theo)")
	y += 6
	p.pdf.SetLineWidth(0.2)
	p.pdf.Line(marginL, y, pageW-marginR, y)
	p.y = y + 4
}

// centered writes one line of text centred between x0 and x1 at y, shrunk
// to fit if it is wider, and returns its width.
func (p *page) centered(x0, x1, y float64, style string, size float64, text string) float64 {
	text = nfc(text)
	p.font(style, size)
	w := p.width(text)
	if w > x1-x0 {
		size = size * (x1 - x0) / w * 0.98
		p.font(style, size)
		w = p.width(text)
	}
	p.pdf.SetXY(x0, y)
	p.cell(x1-x0, size/72*25.4*1.2, text, "C")
	return w
}

// rule draws a horizontal line of width w centred between x0 and x1.
func (p *page) rule(x0, x1, y, w float64) {
	mid := (x0 + x1) / 2
	p.pdf.SetLineWidth(0.3)
	p.pdf.Line(mid-w/2, y, mid+w/2, y)
	p.pdf.SetLineWidth(0.2)
}

// A value's style: plain, or a person's name (bold capitals, kept on one
// line when it fits one).
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

// span is a run of text in a style, for flowing text; keep holds it on one
// line when it fits one.
type span struct {
	text  string
	style string
	keep  bool
}

// word is a unit of line breaking: text in a style, with its width and
// whether a space precedes it.
type word struct {
	text  string
	style string
	w     float64
	space bool
}

// glued are phrases that must not break across lines: place names a
// reader would misread split.
var glued = []string{"Thành phố Hồ Chí Minh", "TP. Hồ Chí Minh", "TP Hồ Chí Minh", "Hồ Chí Minh", "Bà Rịa – Vũng Tàu", "Bà Rịa - Vũng Tàu"}

const nbsp = "\u00a0"

// glue joins the words of the glued phrases with no-break spaces.
func glue(s string) string {
	for _, g := range glued {
		if strings.Contains(s, g) {
			s = strings.ReplaceAll(s, g, strings.ReplaceAll(g, " ", nbsp))
		}
	}
	return s
}

// wrap breaks spans into lines between x0 and x1 (the first line starting
// at x0 + indent). Its work is linear in the text: a word is measured once.
func (p *page) wrap(width, indent float64, spans ...span) [][]word {
	var words []word
	trailing := false // the previous span ended with a space
	for _, s := range spans {
		text := nfc(s.text)
		if len(text) > maxText {
			text = text[:maxText]
			for !utf8.ValidString(text) {
				text = text[:len(text)-1]
			}
		}
		p.font(s.style, p.size)
		if s.keep {
			text = strings.ReplaceAll(text, " ", nbsp)
		} else {
			text = glue(text)
		}
		lead := strings.HasPrefix(text, " ") || trailing
		for i, f := range strings.Fields(text) {
			f = strings.ReplaceAll(f, nbsp, " ")
			words = append(words, word{text: f, style: s.style, w: p.width(f), space: i > 0 || lead})
		}
		if strings.TrimSpace(text) != "" {
			trailing = strings.HasSuffix(text, " ")
		} else if text != "" {
			trailing = true
		}
	}
	var lines [][]word
	var line []word
	x := indent
	for _, w := range words {
		sp := 0.0
		if w.space && len(line) > 0 {
			p.font(w.style, p.size)
			sp = p.width(" ")
		}
		if len(line) > 0 && x+sp+w.w > width {
			lines = append(lines, line)
			line, x, sp = nil, 0, 0
		}
		// A word wider than the line (a kept name too long for one, or
		// a run without spaces) is cut where the line ends.
		for x+w.w > width && utf8.RuneCountInString(w.text) > 1 {
			head, rest := p.cut(w, width-x)
			line = append(line, head)
			lines = append(lines, line)
			line, x = nil, 0
			w = rest
		}
		w.space = w.space && len(line) > 0
		line = append(line, w)
		x += sp + w.w
	}
	if len(line) > 0 || len(lines) == 0 {
		lines = append(lines, line)
	}
	return lines
}

// cut splits a word at the last rune that fits in room (at least one).
func (p *page) cut(w word, room float64) (word, word) {
	p.font(w.style, p.size)
	r := []rune(w.text)
	n := 1
	for n < len(r) && p.width(string(r[:n+1])) <= room {
		n++
	}
	head := word{text: string(r[:n]), style: w.style, space: w.space}
	head.w = p.width(head.text)
	rest := word{text: string(r[n:]), style: w.style}
	rest.w = p.width(rest.text)
	return head, rest
}

// flow writes spans as one paragraph between x0 and x1 starting at the
// current line, wrapping at x1 and continuing at x0, and moves to the
// next line.
func (p *page) flow(x0, x1 float64, spans ...span) {
	for _, l := range p.wrap(x1-x0, 0, spans...) {
		p.ensure(p.lh)
		p.drawLine(x0, l)
		p.y += p.lh
	}
}

// drawLine draws a line's words from x at the current y.
func (p *page) drawLine(x float64, l []word) {
	for _, w := range l {
		p.font(w.style, p.size)
		if w.space {
			x += p.width(" ")
		}
		p.pdf.SetXY(x, p.y)
		p.cell(w.w, p.lh, w.text, "L")
		x += w.w
	}
}

// dots returns a dotted blank as wide as w at the body size.
func (p *page) dots(w float64) string {
	p.font("", p.size)
	n := int(math.Floor((w - 1) / p.width(".")))
	return strings.Repeat(".", max(n, 3))
}

// field writes "label value" on a new line across the body width, the
// value wrapping under it; an unknown value is a dotted blank.
func (p *page) field(label, value string, st valueStyle) {
	p.fieldIn(marginL, pageW-marginR, label, value, st)
}

func (p *page) fieldIn(x0, x1 float64, label, value string, st valueStyle) {
	if value = strings.TrimSpace(value); value == "" {
		p.font("", p.size)
		lw := p.width(nfc(label + " "))
		p.flow(x0, x1, span{text: label + " "}, span{text: p.dots(x1 - x0 - lw), keep: true})
		return
	}
	v, style := st.format(value)
	p.flow(x0, x1, span{text: label + " "}, span{text: v, style: style, keep: st == name})
}

// fieldHeight is the height fieldIn takes between x0 and x1.
func (p *page) fieldHeight(x0, x1 float64, label, value string, st valueStyle) float64 {
	if strings.TrimSpace(value) == "" {
		return p.lh
	}
	v, style := st.format(strings.TrimSpace(value))
	return float64(len(p.wrap(x1-x0, 0, span{text: label + " "}, span{text: v, style: style, keep: st == name}))) * p.lh
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
	for i, c := range cols {
		v, style := c.st.format(c.value)
		p.font("", p.size)
		need := p.width(nfc(c.label + " "))
		p.font(style, p.size)
		if strings.TrimSpace(c.value) == "" {
			need += p.width("......")
		} else {
			need += p.width(nfc(v))
		}
		if need > c.share*w-1.5 && i < len(cols)-1 || need > c.share*w+0.5 && i == len(cols)-1 {
			for _, c := range cols {
				p.fieldIn(x0, x1, c.label, c.value, c.st)
			}
			return
		}
	}
	p.ensure(p.lh)
	x := x0
	for _, c := range cols {
		end := x + c.share*w
		p.pdf.SetXY(x, p.y)
		p.font("", p.size)
		lw := p.width(nfc(c.label + " "))
		p.cell(lw, p.lh, nfc(c.label+" "), "L")
		if strings.TrimSpace(c.value) == "" {
			p.cell(end-2-x-lw, p.lh, p.dots(end-2-x-lw), "L")
		} else {
			v, style := c.st.format(c.value)
			p.font(style, p.size)
			p.cell(p.width(nfc(v)), p.lh, nfc(v), "L")
		}
		x = end
	}
	p.y += p.lh
}

// line writes a line of text in a style at the body's left margin.
func (p *page) line(style, text string) {
	p.flow(marginL, pageW-marginR, span{text: text, style: style})
}

// gap adds vertical space, in lines.
func (p *page) gap(lines float64) { p.y += lines * p.lh }

// cell is one field of a two-column row.
type cell struct {
	label, value string
	st           valueStyle
}

// columns draws rows of two fields side by side, each row as high as its
// taller cell, a row never split across pages.
func (p *page) columns(rows [][2]cell) {
	const gutter = 6
	mid := marginL + (contentW-gutter)/2
	for _, row := range rows {
		l, r := row[0], row[1]
		h := max(p.fieldHeight(marginL, mid, l.label, l.value, l.st), p.fieldHeight(mid+gutter, pageW-marginR, r.label, r.value, r.st))
		p.ensure(h)
		y0 := p.y
		p.fieldIn(marginL, mid, l.label, l.value, l.st)
		y1 := p.y
		p.y = y0
		p.fieldIn(mid+gutter, pageW-marginR, r.label, r.value, r.st)
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
	at := c.IssuedAt.In(registry.Vietnam)
	date := vntext.Date{Year: at.Year(), Month: int(at.Month()), Day: at.Day()}
	p.centered(rightX0, rightX1, y, "I", headSize, c.Issuer.Place+", "+date.Written())
	p.y = y + hl + 9
}

// title draws the form's title with "(BẢN SAO)".
func (p *page) title(f registry.ExtractForm) {
	p.centered(marginL, pageW-marginR, p.y, "B", titleSize, f.Title()+" (BẢN SAO)")
	p.y += titleSize/72*25.4*1.2 + 7
}

// The footer's geometry: the gap above it, its line height, the QR code
// and the room left for the handwritten signature and seal.
const (
	footerGap = 6.0
	footerHL  = headSize / 72 * 25.4 * 1.3
	qrSize    = 32.0
	sealRoom  = 24.0
)

// footerHeight is what the footer takes below the body, as footer draws
// it: the taller of the signer block and the QR code with its caption.
func footerHeight(c *Copy) float64 {
	signer := footerHL + 1 + sealRoom + footerHL
	if strings.TrimSpace(c.Signer.Capacity) != "" {
		signer += footerHL
	}
	code := footerHL + 3 + qrSize + 2.5 + smallSize/72*25.4*1.2
	return footerGap + max(signer, code)
}

// footer draws "Sao từ Sổ đăng ký …", the signer block with the visible
// digital signature, and the caption of the QR code, on a new page if the
// body left too little room; it records where the code and the signature
// go.
func (p *page) footer(c *Copy) {
	if p.layout == 1 {
		// Layout 1 asked for 56 mm above the page number's room.
		p.ensure(56)
	} else {
		// A copy that stays on one page prints no page number: its
		// footer may use the page number's room.
		limit := bottom
		if p.pages == 1 {
			limit = pageH - marginB
		}
		p.ensureAbove(footerHeight(c), limit)
	}
	p.y += footerGap
	top := p.y
	const (
		leftX0, leftX1   = marginL, marginL + 70
		rightX0, rightX1 = marginL + 75, pageW - marginR
	)
	hl := footerHL
	p.centered(leftX0, leftX1, top, "I", headSize, "Sao từ Sổ đăng ký "+c.Record.Register.Name())
	y := top
	if s := strings.TrimSpace(c.Signer.Capacity); s != "" {
		p.centered(rightX0, rightX1, y, "B", headSize, s)
		y += hl
	}
	p.centered(rightX0, rightX1, y, "B", headSize, signerTitle(c))
	y += hl + 1
	// The visible digital signature: who signed, when.
	p.sig = box{x: rightX0 + 6, y: y, w: rightX1 - rightX0 - 12, h: 20}
	at := c.IssuedAt.In(registry.Vietnam)
	sy := y + 2
	for _, l := range []string{"Đã ký số bởi: " + c.SignedBy, "Thời gian ký: " + at.Format("15:04, 02/01/2006") + " (GMT+7)"} {
		p.centered(p.sig.x+1, p.sig.x+p.sig.w-1, sy, "I", smallSize, l)
		sy += smallSize / 72 * 25.4 * 1.35
	}
	y += sealRoom
	p.centered(rightX0, rightX1, y, "B", headSize, c.Signer.Name)
	y += hl
	p.qr = box{x: (leftX0+leftX1)/2 - qrSize/2, y: top + hl + 3, w: qrSize, h: qrSize}
	capY := p.qr.y + qrSize + 2.5
	p.centered(leftX0, leftX1, capY, "", smallSize, "Mã xác thực bản sao số "+c.Serial.String())
	p.y = max(y, capY+smallSize/72*25.4*1.2)
}

// signerTitle is the signer's title as the form prints it: a Giấy khai
// sinh copy is a copy, not an extract.
func signerTitle(c *Copy) string {
	t := c.Signer.Title
	if c.Form == registry.FormBirthCertificate && strings.EqualFold(nfc(t), nfc("NGƯỜI KÝ TRÍCH LỤC")) {
		return "NGƯỜI KÝ BẢN SAO"
	}
	return t
}

// pageNumbers writes "Trang i/n" at the foot of each page of a copy of
// more than one page.
func (p *page) pageNumbers() {
	if p.pages < 2 {
		return
	}
	for i := 0; i < p.pages; i++ {
		p.pdf.SetPage(p.first + i)
		// SetFont writes nothing when the font does not change; the page
		// gone back to may have ended in another.
		p.pdf.SetFont(family, "B", smallSize)
		p.font("I", smallSize+1)
		p.pdf.SetXY(marginL, pageH-marginB-5)
		p.cell(contentW, 5, "Trang "+itoa(i+1)+"/"+itoa(p.pages), "R")
	}
	p.pdf.SetPage(p.first + p.pages - 1)
}
