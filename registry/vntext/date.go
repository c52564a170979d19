package vntext

import (
	"errors"
	"fmt"
	"strconv"
	"time"
)

// Precision says how much of a date is known. Old registers hold partial
// dates (a birth year alone), which are kept as they are: a day is never
// invented.
type Precision uint8

// The precisions, from nothing known to the day.
const (
	PrecNone Precision = iota
	PrecYear
	PrecMonth
	PrecDay
)

// String returns "none", "year", "month" or "day".
func (p Precision) String() string {
	switch p {
	case PrecYear:
		return "year"
	case PrecMonth:
		return "month"
	case PrecDay:
		return "day"
	}
	return "none"
}

// Date is a calendar date of known precision, with an optional time of day
// (deaths are registered with one). Month 0 means only the year is known,
// Day 0 only the year and month; Year 0 means nothing is known.
type Date struct {
	Year, Month, Day int
	Hour, Minute     int
	HasTime          bool
}

// Precision reports how much of d is known.
func (d Date) Precision() Precision {
	switch {
	case d.Year == 0:
		return PrecNone
	case d.Month == 0:
		return PrecYear
	case d.Day == 0:
		return PrecMonth
	}
	return PrecDay
}

// IsZero reports whether nothing of d is known.
func (d Date) IsZero() bool { return d.Year == 0 }

// ISO formats d in ISO 8601 to its precision: "2010-03-01", "1950-03",
// "1950", with a time "2010-03-01T14:30"; "" for the zero Date.
func (d Date) ISO() string {
	// By hand rather than with fmt: ingest formats several dates a row.
	var b [16]byte
	out := appendPadded(b[:0], d.Year, 4)
	switch d.Precision() {
	case PrecYear:
		return string(out)
	case PrecMonth:
		return string(appendPadded(append(out, '-'), d.Month, 2))
	case PrecDay:
		out = appendPadded(append(out, '-'), d.Month, 2)
		out = appendPadded(append(out, '-'), d.Day, 2)
		if d.HasTime {
			out = appendPadded(append(out, 'T'), d.Hour, 2)
			out = appendPadded(append(out, ':'), d.Minute, 2)
		}
		return string(out)
	}
	return ""
}

// appendPadded appends the decimal digits of v, left-padded with zeros to
// width, as %0*d does for the non-negative values a Date holds.
func appendPadded(b []byte, v, width int) []byte {
	if v < 0 {
		return fmt.Appendf(b, "%0*d", width, v)
	}
	var buf [20]byte
	digits := strconv.AppendInt(buf[:0], int64(v), 10)
	for n := len(digits); n < width; n++ {
		b = append(b, '0')
	}
	return append(b, digits...)
}

// Numeric formats d as documents write it, days and months with two
// digits: "09/06/2025", "06/2025", "2025" (the time is left out); "" for the
// zero Date.
func (d Date) Numeric() string {
	switch d.Precision() {
	case PrecYear:
		return fmt.Sprintf("%04d", d.Year)
	case PrecMonth:
		return fmt.Sprintf("%02d/%04d", d.Month, d.Year)
	case PrecDay:
		return fmt.Sprintf("%02d/%02d/%04d", d.Day, d.Month, d.Year)
	}
	return ""
}

// Written formats d in the running-text form of documents: "ngày 09 tháng
// 06 năm 2025", "tháng 06 năm 2025", "năm 2025", with a time "14 giờ 30
// phút, ngày 09 tháng 06 năm 2025"; "" for the zero Date.
func (d Date) Written() string {
	var s string
	switch d.Precision() {
	case PrecYear:
		return fmt.Sprintf("năm %04d", d.Year)
	case PrecMonth:
		return fmt.Sprintf("tháng %02d năm %04d", d.Month, d.Year)
	case PrecDay:
		s = fmt.Sprintf("ngày %02d tháng %02d năm %04d", d.Day, d.Month, d.Year)
	default:
		return ""
	}
	if d.HasTime {
		s = fmt.Sprintf("%02d giờ %02d phút, %s", d.Hour, d.Minute, s)
	}
	return s
}

// Bounds returns the first and the last instant d may denote, in UTC: the
// whole year of a year, the whole day of a day, the minute of a time. The
// zero Date gives two zero times.
func (d Date) Bounds() (lo, hi time.Time) {
	switch d.Precision() {
	case PrecYear:
		lo = time.Date(d.Year, 1, 1, 0, 0, 0, 0, time.UTC)
		return lo, lo.AddDate(1, 0, 0).Add(-time.Nanosecond)
	case PrecMonth:
		lo = time.Date(d.Year, time.Month(d.Month), 1, 0, 0, 0, 0, time.UTC)
		return lo, lo.AddDate(0, 1, 0).Add(-time.Nanosecond)
	case PrecDay:
		if d.HasTime {
			lo = time.Date(d.Year, time.Month(d.Month), d.Day, d.Hour, d.Minute, 0, 0, time.UTC)
			return lo, lo.Add(time.Minute - time.Nanosecond)
		}
		lo = time.Date(d.Year, time.Month(d.Month), d.Day, 0, 0, 0, 0, time.UTC)
		return lo, lo.AddDate(0, 0, 1).Add(-time.Nanosecond)
	}
	return time.Time{}, time.Time{}
}

// Validate reports a Date that cannot exist (31 February, month 13, hour
// 25, a day without a month, a time without a day) as a *DateError of kind
// DateImpossible, with the reason in Vietnamese. The zero Date is valid.
func (d Date) Validate() error {
	if reason := d.impossible(); reason != "" {
		return &DateError{Input: d.ISO(), Kind: DateImpossible, Reason: reason}
	}
	return nil
}

// impossible returns why d cannot exist, or "".
func (d Date) impossible() string {
	switch {
	case d.Year == 0 && (d.Month != 0 || d.Day != 0 || d.HasTime):
		return "có ngày hoặc tháng mà không có năm"
	case d.Year < 0 || d.Year > 9999:
		return fmt.Sprintf("năm %d không hợp lệ", d.Year)
	case d.Month < 0 || d.Month > 12:
		return fmt.Sprintf("không có tháng %d (tháng phải từ 1 đến 12)", d.Month)
	case d.Month == 0 && d.Day != 0:
		return "có ngày mà không có tháng"
	case d.Day < 0:
		return fmt.Sprintf("không có ngày %d", d.Day)
	case d.Day > 0 && d.Day > daysIn(d.Year, d.Month):
		return fmt.Sprintf("tháng %d năm %d chỉ có %d ngày, không có ngày %d", d.Month, d.Year, daysIn(d.Year, d.Month), d.Day)
	case d.HasTime && d.Day == 0:
		return "có giờ mà không có ngày đầy đủ"
	case d.HasTime && (d.Hour < 0 || d.Hour > 23):
		return fmt.Sprintf("không có %d giờ (giờ phải từ 0 đến 23)", d.Hour)
	case d.HasTime && (d.Minute < 0 || d.Minute > 59):
		return fmt.Sprintf("không có %d phút (phút phải từ 0 đến 59)", d.Minute)
	}
	return ""
}

// daysIn returns the number of days of a month.
func daysIn(year, month int) int {
	return time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// DateErrorKind tells an empty date, text that is no date, and a date that
// cannot exist apart.
type DateErrorKind uint8

// The kinds of date errors.
const (
	DateEmpty      DateErrorKind = iota + 1 // nothing written
	DateMalformed                           // not a date in any known form
	DateImpossible                          // a date that cannot exist
)

// Sentinel errors that a *DateError unwraps to, by kind.
var (
	ErrEmptyDate      = errors.New("vntext: empty date")
	ErrNotADate       = errors.New("vntext: not a date")
	ErrImpossibleDate = errors.New("vntext: impossible date")
)

// DateError is the error of ParseDate and ParseISODate: the input, the kind
// of failure, and a reason a clerk can read (in Vietnamese). errors.Is
// matches it with ErrEmptyDate, ErrNotADate or ErrImpossibleDate.
type DateError struct {
	Input  string
	Kind   DateErrorKind
	Reason string
}

// Error implements error.
func (e *DateError) Error() string {
	if e.Kind == DateEmpty {
		return "ngày trống"
	}
	return fmt.Sprintf("ngày %q không hợp lệ: %s", e.Input, e.Reason)
}

// Impossible reports whether e is about a date that cannot exist rather
// than text that is no date.
func (e *DateError) Impossible() bool { return e.Kind == DateImpossible }

// Unwrap returns the sentinel error of e's kind.
func (e *DateError) Unwrap() error {
	switch e.Kind {
	case DateEmpty:
		return ErrEmptyDate
	case DateImpossible:
		return ErrImpossibleDate
	}
	return ErrNotADate
}

// ParseISODate parses the forms Date.ISO writes: "2010-03-01", "1950-03",
// "1950", "2010-03-01T14:30" (and "" as ErrEmptyDate). The date must exist.
func ParseISODate(s string) (Date, error) {
	var d Date
	bad := func() (Date, error) {
		return Date{}, &DateError{Input: s, Kind: DateMalformed, Reason: "không đúng dạng ISO yyyy, yyyy-mm, yyyy-mm-dd hoặc yyyy-mm-ddThh:mm"}
	}
	num := func(from, to int) (int, bool) {
		for i := from; i < to; i++ {
			if s[i] < '0' || s[i] > '9' {
				return 0, false
			}
		}
		n, err := strconv.Atoi(s[from:to])
		return n, err == nil
	}
	ok := true
	field := func(from, to int) int {
		n, good := num(from, to)
		ok = ok && good
		return n
	}
	switch len(s) {
	case 0:
		return Date{}, &DateError{Input: s, Kind: DateEmpty, Reason: "ngày trống"}
	case 4:
		d.Year = field(0, 4)
	case 7:
		d.Year, d.Month = field(0, 4), field(5, 7)
		ok = ok && s[4] == '-'
	case 10:
		d.Year, d.Month, d.Day = field(0, 4), field(5, 7), field(8, 10)
		ok = ok && s[4] == '-' && s[7] == '-'
	case 16:
		d.Year, d.Month, d.Day = field(0, 4), field(5, 7), field(8, 10)
		d.Hour, d.Minute, d.HasTime = field(11, 13), field(14, 16), true
		ok = ok && s[4] == '-' && s[7] == '-' && s[10] == 'T' && s[13] == ':'
	default:
		return bad()
	}
	if !ok {
		return bad()
	}
	if d.Year == 0 {
		return Date{}, &DateError{Input: s, Kind: DateImpossible, Reason: "không có năm 0"}
	}
	if len(s) >= 7 && d.Month == 0 || len(s) >= 10 && d.Day == 0 {
		return Date{}, &DateError{Input: s, Kind: DateImpossible, Reason: "tháng hoặc ngày bằng 0"}
	}
	if reason := d.impossible(); reason != "" {
		return Date{}, &DateError{Input: s, Kind: DateImpossible, Reason: reason}
	}
	return d, nil
}
