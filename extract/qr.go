package extract

import (
	"fmt"
	"strconv"

	qrcode "github.com/skip2/go-qrcode"

	"github.com/jung-kurt/gofpdf"
)

// drawQR draws the payload as a QR code (error correction level M) in the
// box the footer reserved, as filled rectangles: vector, so it stays sharp
// at any print resolution.
func drawQR(pdf *gofpdf.Fpdf, b box, payload string) error {
	q, err := qrcode.New(payload, qrcode.Medium)
	if err != nil {
		return fmt.Errorf("extract: QR code: %w", err)
	}
	q.DisableBorder = true
	bits := q.Bitmap()
	n := len(bits)
	if n == 0 {
		return fmt.Errorf("extract: empty QR code")
	}
	const k = 72 / 25.4 // points per millimetre
	module := b.w / float64(n)
	s := make([]byte, 0, 64*1024)
	s = append(s, "q 0 g\n"...)
	num := func(v float64) { s = strconv.AppendFloat(s, v, 'f', 3, 64); s = append(s, ' ') }
	// One rectangle per horizontal run of dark modules.
	for row, line := range bits {
		for col := 0; col < n; {
			if !line[col] {
				col++
				continue
			}
			start := col
			for col < n && line[col] {
				col++
			}
			x := (b.x + float64(start)*module) * k
			y := (pageH - (b.y + float64(row+1)*module)) * k
			num(x)
			num(y)
			num(float64(col-start) * module * k)
			num(module * k)
			s = append(s, "re\n"...)
		}
	}
	s = append(s, "f Q"...)
	pdf.RawWriteStr(string(s))
	return nil
}
