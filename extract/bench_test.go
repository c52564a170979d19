package extract_test

import (
	"bytes"
	"io"
	"os"
	"testing"
	"time"

	upstream "github.com/jung-kurt/gofpdf"

	"github.com/hotich/hotich/extract"
	"github.com/hotich/hotich/extract/internal/gofpdf"
	"github.com/hotich/hotich/registry"
)

// benchCopy prepares a case for rendering in a loop.
func benchCopy(b *testing.B, tc testCase) (*extract.Copy, func(string) (string, error)) {
	b.Helper()
	rec := tc.rec(b)
	issuer, err := extract.DefaultIssuer(refdata(b), rec.AuthorityCode)
	if err != nil {
		b.Fatal(err)
	}
	key := testKey(b, issuer.Code)
	form := registry.FormFor(rec.Register, tc.gks)
	s := signer
	s.IssuerCode = issuer.Code
	iss := &registry.ExtractIssue{IssuerCode: issuer.Code, RecordID: rec.ID, Form: form,
		Serial: registry.Serial{Number: 1, Year: 2025, Form: form}, IssuedAt: issuedAt}
	c := &extract.Copy{Record: rec, Form: form, Issuer: issuer, Serial: iss.Serial, IssuedAt: iss.IssuedOn(),
		Signer: s, Corrections: tc.corr}
	return c, func(h string) (string, error) {
		i := *iss
		i.ContentSHA256 = h
		return key.Seal(&i)
	}
}

// BenchmarkRender renders one copy per iteration, signed, on one
// goroutine: run with -cpu 1 for the figure per core.
func BenchmarkRender(b *testing.B) {
	r := newRenderer(b)
	for _, name := range []string{"birth-tlks", "marriage", "death", "recognition"} {
		var tc testCase
		for _, c := range cases {
			if c.name == name {
				tc = c
			}
		}
		tc.copies = 0
		b.Run(string(tc.rec(b).Register), func(b *testing.B) {
			c, seal := benchCopy(b, tc)
			var n int
			b.ReportAllocs()
			cpu0 := cpuTime()
			for b.Loop() {
				res, err := r.Render(io.Discard, c, seal)
				if err != nil {
					b.Fatal(err)
				}
				n = res.Bytes
			}
			reportRates(b, cpuTime()-cpu0)
			b.ReportMetric(float64(n), "bytes/pdf")
		})
	}
}

// reportRates reports documents per second of wall-clock time and per
// CPU-second (see cpuTime).
func reportRates(b *testing.B, cpu time.Duration) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pdfs/s")
	if cpu > 0 {
		b.ReportMetric(float64(b.N)/cpu.Seconds(), "pdfs/cpu-s")
	}
}

// BenchmarkRenderParallel renders the four forms on all cores (GOMAXPROCS
// goroutines sharing one Renderer).
func BenchmarkRenderParallel(b *testing.B) {
	r := newRenderer(b)
	type job struct {
		c    *extract.Copy
		seal func(string) (string, error)
	}
	var jobs []job
	for _, tc := range cases {
		if tc.gks {
			continue
		}
		tc.copies = 0
		c, seal := benchCopy(b, tc)
		jobs = append(jobs, job{c, seal})
	}
	b.ReportAllocs()
	cpu0 := cpuTime()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			j := jobs[i%len(jobs)]
			if _, err := r.Render(io.Discard, j.c, j.seal); err != nil {
				b.Error(err)
				return
			}
			i++
		}
	})
	reportRates(b, cpuTime()-cpu0)
}

// BenchmarkFontCost measures what loading the fonts costs per document:
// the same one-page document (the text layer of the birth copy, drawn line
// by line in regular, bold and italic) made with upstream gofpdf v1.16.2,
// which parses each TrueType file again for every document, and with the
// patched copy, which parses once.
func BenchmarkFontCost(b *testing.B) {
	golden, err := os.ReadFile("testdata/birth-tlks.golden.txt")
	if err != nil {
		b.Fatal(err)
	}
	text := lines(string(golden))
	var ttf [3][]byte
	for i, name := range []string{"Regular", "Bold", "Italic"} {
		if ttf[i], err = os.ReadFile("font/LiberationSerif-" + name + ".ttf"); err != nil {
			b.Fatal(err)
		}
	}
	styles := []string{"", "B", "I"}
	b.Run("upstream-per-document", func(b *testing.B) {
		var n int
		cpu0 := cpuTime()
		for b.Loop() {
			pdf := upstream.New("P", "mm", "A4", "")
			for i, s := range styles {
				// Each document its own copy: upstream writes into the slice.
				pdf.AddUTF8FontFromBytes("serif", s, bytes.Clone(ttf[i]))
			}
			pdf.AddPage()
			for i, l := range text {
				pdf.SetFont("serif", styles[i%3], 12.5)
				pdf.CellFormat(0, 7, l, "", 1, "L", false, 0, "")
			}
			var buf bytes.Buffer
			if err := pdf.Output(&buf); err != nil {
				b.Fatal(err)
			}
			n = buf.Len()
		}
		reportRates(b, cpuTime()-cpu0)
		b.ReportMetric(float64(n), "bytes/pdf")
	})
	b.Run("parsed-once", func(b *testing.B) {
		var parsed [3]*gofpdf.UTF8Font
		for i := range ttf {
			if parsed[i], err = gofpdf.ParseUTF8Font(ttf[i]); err != nil {
				b.Fatal(err)
			}
		}
		var n int
		cpu0 := cpuTime()
		for b.Loop() {
			pdf := gofpdf.New("P", "mm", "A4", "")
			for i, s := range styles {
				pdf.AddUTF8FontParsed("serif", s, parsed[i])
			}
			pdf.AddPage()
			for i, l := range text {
				pdf.SetFont("serif", styles[i%3], 12.5)
				pdf.CellFormat(0, 7, l, "", 1, "L", false, 0, "")
			}
			var buf bytes.Buffer
			if err := pdf.Output(&buf); err != nil {
				b.Fatal(err)
			}
			n = buf.Len()
		}
		reportRates(b, cpuTime()-cpu0)
		b.ReportMetric(float64(n), "bytes/pdf")
	})
}
