package vntext_test

import (
	"fmt"
	"testing"

	"github.com/hotich/hotich/registry/vntext"
)

// TestISOMatchesPrintf checks the hand-written ISO formatting against
// fmt's %04d/%02d for every precision, small years and times included.
func TestISOMatchesPrintf(t *testing.T) {
	want := func(d vntext.Date) string {
		switch d.Precision() {
		case vntext.PrecYear:
			return fmt.Sprintf("%04d", d.Year)
		case vntext.PrecMonth:
			return fmt.Sprintf("%04d-%02d", d.Year, d.Month)
		case vntext.PrecDay:
			if d.HasTime {
				return fmt.Sprintf("%04d-%02d-%02dT%02d:%02d", d.Year, d.Month, d.Day, d.Hour, d.Minute)
			}
			return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day)
		}
		return ""
	}
	n := 0
	for _, y := range []int{0, 1, 9, 10, 99, 100, 999, 1000, 1900, 1975, 2009, 2025, 9999, 12345} {
		for _, m := range []int{0, 1, 9, 10, 12} {
			for _, day := range []int{0, 1, 9, 10, 31} {
				for _, tm := range [][2]int{{-1, 0}, {0, 0}, {7, 5}, {23, 59}} {
					d := vntext.Date{Year: y, Month: m, Day: day}
					if tm[0] >= 0 {
						d.HasTime, d.Hour, d.Minute = true, tm[0], tm[1]
					}
					if got, w := d.ISO(), want(d); got != w {
						t.Errorf("%+v: ISO %q, want %q", d, got, w)
					}
					n++
				}
			}
		}
	}
	if n < 1000 {
		t.Fatalf("only %d dates checked", n)
	}
}
