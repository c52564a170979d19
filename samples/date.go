package samples

import (
	"fmt"
	"time"
)

// date is a calendar date of known precision with an optional time of day,
// the generator's own so that the truth does not depend on the parser it
// scores.
type date struct {
	y, m, d int
	hh, mi  int
	hasTime bool
}

// cutoff is the last registration date: the wards of 1 March 2025 ended on
// 30 June 2025.
var cutoff = date{y: 2025, m: 6, d: 30}

func dayOf(t time.Time) date { return date{y: t.Year(), m: int(t.Month()), d: t.Day()} }

func (d date) zero() bool { return d.y == 0 }

// prec is 0 unknown, 1 year, 2 month, 3 day.
func (d date) prec() int {
	switch {
	case d.y == 0:
		return 0
	case d.m == 0:
		return 1
	case d.d == 0:
		return 2
	}
	return 3
}

func (d date) time() time.Time { return time.Date(d.y, time.Month(d.m), d.d, 0, 0, 0, 0, time.UTC) }

func (d date) addDays(n int) date { return dayOf(d.time().AddDate(0, 0, n)) }

// after compares two full dates, ignoring times of day.
func (d date) after(o date) bool { return d.time().After(o.time()) }

func (d date) dayOnly() date { return date{y: d.y, m: d.m, d: d.d} }

// iso formats d as ISO 8601 with its precision: "1950", "1950-03",
// "1990-03-05", "2001-03-05T14:30".
func (d date) iso() string {
	switch d.prec() {
	case 1:
		return fmt.Sprintf("%04d", d.y)
	case 2:
		return fmt.Sprintf("%04d-%02d", d.y, d.m)
	case 3:
		if d.hasTime {
			return fmt.Sprintf("%04d-%02d-%02dT%02d:%02d", d.y, d.m, d.d, d.hh, d.mi)
		}
		return fmt.Sprintf("%04d-%02d-%02d", d.y, d.m, d.d)
	}
	return ""
}

// bounds returns the first and last day d may denote.
func (d date) bounds() (lo, hi time.Time) {
	switch d.prec() {
	case 1:
		lo = time.Date(d.y, 1, 1, 0, 0, 0, 0, time.UTC)
		return lo, lo.AddDate(1, 0, -1)
	case 2:
		lo = time.Date(d.y, time.Month(d.m), 1, 0, 0, 0, 0, time.UTC)
		return lo, lo.AddDate(0, 1, -1)
	}
	lo = d.time()
	return lo, lo
}

// certainlyAfter reports whether every day a may denote is after every
// day b may denote (the ingest's order rule).
func certainlyAfter(a, b date) bool {
	if a.zero() || b.zero() {
		return false
	}
	alo, _ := a.bounds()
	_, bhi := b.bounds()
	return alo.After(bhi)
}

// dateForm is how a file writes full dates.
type dateForm uint8

const (
	dateDMY      dateForm = iota // 05/03/1990
	dateDMYShort                 // 5/3/1990
	dateDash                     // 05-03-1990
	dateDot                      // 05.03.1990
	dateISO                      // 1990-03-05
	dateWords                    // ngày 5 tháng 3 năm 1990
	numDateForms
)

// format writes d in form f; partial dates are written as registers write
// them (1950, 03/1950), the time of a death before the date.
func (d date) format(f dateForm) string {
	switch d.prec() {
	case 0:
		return ""
	case 1:
		return fmt.Sprintf("%04d", d.y)
	case 2:
		return fmt.Sprintf("%02d/%04d", d.m, d.y)
	}
	var s string
	switch f {
	case dateDMYShort:
		s = fmt.Sprintf("%d/%d/%04d", d.d, d.m, d.y)
	case dateDash:
		s = fmt.Sprintf("%02d-%02d-%04d", d.d, d.m, d.y)
	case dateDot:
		s = fmt.Sprintf("%02d.%02d.%04d", d.d, d.m, d.y)
	case dateISO:
		s = fmt.Sprintf("%04d-%02d-%02d", d.y, d.m, d.d)
	case dateWords:
		s = fmt.Sprintf("ngày %d tháng %d năm %04d", d.d, d.m, d.y)
	default:
		s = fmt.Sprintf("%02d/%02d/%04d", d.d, d.m, d.y)
	}
	return s
}

// formatPartialZeros writes a partial date with zero day and month, as
// some registers do: 00/00/1950, 00/03/1950.
func (d date) formatPartialZeros() string {
	switch d.prec() {
	case 1:
		return fmt.Sprintf("00/00/%04d", d.y)
	case 2:
		return fmt.Sprintf("00/%02d/%04d", d.m, d.y)
	}
	return d.format(dateDMY)
}

// formatTime writes a death time: "14:30 05/03/2001" or "14 giờ 30 phút,
// ngày 05/03/2001".
func (d date) formatTime(words bool, f dateForm) string {
	if !d.hasTime || d.prec() != 3 {
		return d.format(f)
	}
	if !words {
		return fmt.Sprintf("%02d:%02d %s", d.hh, d.mi, d.format(dateDMY))
	}
	if f == dateWords {
		return fmt.Sprintf("%02d giờ %02d phút, %s", d.hh, d.mi, d.format(dateWords))
	}
	return fmt.Sprintf("%02d giờ %02d phút, ngày %s", d.hh, d.mi, d.format(dateDMY))
}

func daysIn(y, m int) int {
	return time.Date(y, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}
