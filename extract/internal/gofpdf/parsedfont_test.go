package gofpdf

import (
	"bytes"
	"os"
	"sync"
	"testing"
	"time"
)

func mustParse(tb testing.TB, path string) *UTF8Font {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	f, err := ParseUTF8Font(b)
	if err != nil {
		tb.Fatal(err)
	}
	return f
}

// render makes a small document; texts differ per i so that documents use
// different subsets of the font.
func render(tb testing.TB, i int, add func(*Fpdf)) []byte {
	pdf := New("P", "mm", "A4", "")
	pdf.SetCatalogSort(true)
	pdf.SetCreationDate(time.Date(2025, 6, 9, 8, 0, 0, 0, time.UTC))
	pdf.SetModificationDate(time.Date(2025, 6, 9, 8, 0, 0, 0, time.UTC))
	add(pdf)
	pdf.AddPage()
	pdf.SetFont("serif", "B", 13)
	pdf.Cell(0, 8, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
	pdf.Ln(10)
	pdf.SetFont("serif", "", 13)
	texts := []string{"Nguyễn Thị Minh Khai", "Huỳnh Hoàng Dũng", "Trần Văn Ơn, Phường Sài Gòn", "Lê Thị Ưng, năm một nghìn"}
	pdf.MultiCell(0, 6, texts[i%len(texts)], "", "L", false)
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// TestParsedFontConcurrent renders documents from one parsed font on many
// goroutines (run with -race): each must equal the same document rendered
// alone, and read back as a PDF.
func TestParsedFontConcurrent(t *testing.T) {
	reg := mustParse(t, "../../font/LiberationSerif-Regular.ttf")
	bold := mustParse(t, "../../font/LiberationSerif-Bold.ttf")
	add := func(p *Fpdf) {
		p.AddUTF8FontParsed("serif", "", reg)
		p.AddUTF8FontParsed("serif", "B", bold)
	}
	const n = 4
	want := make([][]byte, n)
	for i := range want {
		want[i] = render(t, i, add)
	}
	got := make([][]byte, 8*n)
	var wg sync.WaitGroup
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i] = render(t, i, add)
		}()
	}
	wg.Wait()
	for i, g := range got {
		if !bytes.Equal(g, want[i%n]) {
			t.Errorf("document %d rendered concurrently differs from the same document rendered alone", i)
		}
	}
	if !bytes.HasPrefix(want[0], []byte("%PDF-1.")) || !bytes.Contains(want[0], []byte("/FontFile2")) {
		t.Fatal("no PDF with an embedded TrueType font")
	}
}

// TestChecksumDoesNotWriteIntoInput: upstream padded a table to a multiple
// of four bytes by appending to the caller's slice, which wrote into the
// font file shared by every document.
func TestChecksumDoesNotWriteIntoInput(t *testing.T) {
	file := []byte{1, 2, 3, 4, 5, 6, 0xAA, 0xBB}
	table := file[:5]
	var utf utf8FontFile
	if sum := utf.generateChecksum(table); sum[0] != 0x0102+0x0500 || sum[1] != 0x0304 {
		t.Fatalf("checksum = %04x, want [0602 0304]", sum)
	}
	if file[5] != 6 || file[6] != 0xAA || file[7] != 0xBB {
		t.Fatalf("generateChecksum wrote into the bytes after its input: % x", file)
	}
}

func TestParseUTF8FontRejectsGarbage(t *testing.T) {
	for _, b := range [][]byte{nil, []byte("not a font"), make([]byte, 64)} {
		if _, err := ParseUTF8Font(b); err == nil {
			t.Errorf("ParseUTF8Font(%q) succeeded", b)
		}
	}
}
