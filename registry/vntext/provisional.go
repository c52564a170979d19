package vntext

// PROVISIONAL: this file holds placeholder implementations of the package
// API so that the rest of the project compiles while the real implementations
// are written. Every function here is replaced by its real implementation in
// its own file, and this file is deleted before the work lands.

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Name is a person's name split into its parts.
type Name struct{ Surname, Middle, Given string }

// SplitName splits a full name.
func SplitName(s string) Name {
	f := strings.Fields(Clean(s))
	switch len(f) {
	case 0:
		return Name{}
	case 1:
		return Name{Given: f[0]}
	}
	return Name{Surname: f[0], Middle: strings.Join(f[1:len(f)-1], " "), Given: f[len(f)-1]}
}

// Precision says how much of a date is known.
type Precision uint8

// The precisions.
const (
	PrecNone Precision = iota
	PrecYear
	PrecMonth
	PrecDay
)

// Date is a calendar date of known precision, with an optional time of day.
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

// ISO formats d as ISO 8601 with its precision.
func (d Date) ISO() string {
	switch d.Precision() {
	case PrecYear:
		return fmt.Sprintf("%04d", d.Year)
	case PrecMonth:
		return fmt.Sprintf("%04d-%02d", d.Year, d.Month)
	case PrecDay:
		if d.HasTime {
			return fmt.Sprintf("%04d-%02d-%02dT%02d:%02d", d.Year, d.Month, d.Day, d.Hour, d.Minute)
		}
		return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day)
	}
	return ""
}

// Bounds returns the first and last instant d may denote.
func (d Date) Bounds() (lo, hi time.Time) {
	switch d.Precision() {
	case PrecYear:
		lo = time.Date(d.Year, 1, 1, 0, 0, 0, 0, time.UTC)
		return lo, lo.AddDate(1, 0, 0).Add(-time.Nanosecond)
	case PrecMonth:
		lo = time.Date(d.Year, time.Month(d.Month), 1, 0, 0, 0, 0, time.UTC)
		return lo, lo.AddDate(0, 1, 0).Add(-time.Nanosecond)
	case PrecDay:
		lo = time.Date(d.Year, time.Month(d.Month), d.Day, 0, 0, 0, 0, time.UTC)
		return lo, lo.AddDate(0, 0, 1).Add(-time.Nanosecond)
	}
	return time.Time{}, time.Time{}
}

// ErrEmptyDate is returned for an empty date.
var ErrEmptyDate = errors.New("empty date")

// ParseDate parses a date in any form of the batch format.
func ParseDate(s string) (Date, error) {
	s = Clean(s)
	if s == "" {
		return Date{}, ErrEmptyDate
	}
	t, err := time.Parse("02/01/2006", s)
	if err == nil {
		return Date{Year: t.Year(), Month: int(t.Month()), Day: t.Day()}, nil
	}
	if y, err := strconv.Atoi(s); err == nil && len(s) == 4 {
		return Date{Year: y}, nil
	}
	return ParseISODate(s)
}

// ParseISODate parses the ISO form written by Date.ISO.
func ParseISODate(s string) (Date, error) {
	var d Date
	switch len(s) {
	case 4:
		_, err := fmt.Sscanf(s, "%04d", &d.Year)
		return d, err
	case 7:
		_, err := fmt.Sscanf(s, "%04d-%02d", &d.Year, &d.Month)
		return d, err
	case 10:
		_, err := fmt.Sscanf(s, "%04d-%02d-%02d", &d.Year, &d.Month, &d.Day)
		return d, err
	case 16:
		d.HasTime = true
		_, err := fmt.Sscanf(s, "%04d-%02d-%02dT%02d:%02d", &d.Year, &d.Month, &d.Day, &d.Hour, &d.Minute)
		return d, err
	}
	return d, fmt.Errorf("bad ISO date %q", s)
}
