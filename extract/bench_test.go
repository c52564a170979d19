package extract_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hotich/hotich/extract"
	"github.com/hotich/hotich/registry/sign"
)

// BenchmarkRender renders one copy per iteration (no signature), on one
// goroutine: run with -cpu 1 for the figure per core.
func BenchmarkRender(b *testing.B) {
	for _, tc := range cases[:4] {
		c, _, _, err := copyOf(b, tc)
		if err != nil {
			b.Fatal(err)
		}
		c.Copies = 1
		b.Run(tc.name, func(b *testing.B) {
			r := newRenderer(b)
			b.ReportAllocs()
			cpu0 := cpuTime()
			for b.Loop() {
				if _, err := r.Render(c); err != nil {
					b.Fatal(err)
				}
			}
			reportRates(b, cpuTime()-cpu0)
		})
	}
}

// BenchmarkRenderSign renders and signs (PAdES) one copy per iteration.
func BenchmarkRenderSign(b *testing.B) {
	c, _, key, err := copyOf(b, cases[0])
	if err != nil {
		b.Fatal(err)
	}
	r := newRenderer(b)
	cpu0 := cpuTime()
	for b.Loop() {
		rd, err := r.Render(c)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := extract.Sign(context.Background(), rd, key); err != nil {
			b.Fatal(err)
		}
	}
	reportRates(b, cpuTime()-cpu0)
}

// reportRates reports documents per second of wall-clock time and per
// CPU-second (see cpuTime).
func reportRates(b *testing.B, cpu time.Duration) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pdfs/s")
	if cpu > 0 {
		b.ReportMetric(float64(b.N)/cpu.Seconds(), "pdfs/cpu-s")
	}
}

// BenchmarkRenderSignParallel renders and signs the four forms on every
// core at once, as a batch does (run with -cpu 2 for the two-core figure).
func BenchmarkRenderSignParallel(b *testing.B) {
	var copies []*extract.Copy
	var keys []*sign.UnitKey
	for _, tc := range cases[:4] {
		c, _, key, err := copyOf(b, tc)
		if err != nil {
			b.Fatal(err)
		}
		c.Copies = 1
		copies, keys = append(copies, c), append(keys, key)
	}
	r := newRenderer(b)
	cpu0 := cpuTime()
	var n atomic.Int64
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := int(n.Add(1)) % len(copies)
			rd, err := r.Render(copies[i])
			if err != nil {
				b.Error(err)
				return
			}
			if _, err := extract.Sign(context.Background(), rd, keys[i]); err != nil {
				b.Error(err)
				return
			}
		}
	})
	reportRates(b, cpuTime()-cpu0)
}
