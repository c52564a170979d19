package extract

import (
	"fmt"
	"strings"

	qrcode "github.com/skip2/go-qrcode"

	"github.com/hotich/hotich/extract/internal/gofpdf"
)

// drawQR draws the payload as a QR code (error correction level M) in the
// box the footer reserved, as filled rectangles: vector, so it stays sharp
// at any print resolution. It writes qrMarker first: what follows it on
// the page is only the code, which Read checks.
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
	module := b.size / float64(n)
	var s strings.Builder
	s.WriteString(qrMarker + "\nq 0 g\n")
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
			fmt.Fprintf(&s, "%.3f %.3f %.3f %.3f re\n", x, y, float64(col-start)*module*k, module*k)
		}
	}
	s.WriteString("f Q")
	pdf.RawWriteStr(s.String())
	return nil
}
