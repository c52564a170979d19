package vntext_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hotich/hotich/registry/vntext"
)

func day(y, m, d int) vntext.Date { return vntext.Date{Year: y, Month: m, Day: d} }

func at(y, m, d, hh, mm int) vntext.Date {
	return vntext.Date{Year: y, Month: m, Day: d, Hour: hh, Minute: mm, HasTime: true}
}

func TestParseDate(t *testing.T) {
	tests := []struct {
		in   string
		want vntext.Date
	}{
		{"05/03/1990", day(1990, 3, 5)},
		{"5/3/1990", day(1990, 3, 5)},
		{"05-03-1990", day(1990, 3, 5)},
		{"05.03.1990", day(1990, 3, 5)},
		{"1990-03-05", day(1990, 3, 5)},
		{" 05 / 03 / 1990 ", day(1990, 3, 5)},
		{"03/1990", vntext.Date{Year: 1990, Month: 3}},
		{"3/1990", vntext.Date{Year: 1990, Month: 3}},
		{"1990-03", vntext.Date{Year: 1990, Month: 3}},
		{"1990", vntext.Date{Year: 1990}},
		{"00/00/1950", vntext.Date{Year: 1950}},
		{"00/03/1950", vntext.Date{Year: 1950, Month: 3}},
		{"0/0/1950", vntext.Date{Year: 1950}},
		{"00/1950", vntext.Date{Year: 1950}},
		{"ngày 5 tháng 3 năm 1990", day(1990, 3, 5)},
		{"Ngày 05 tháng 03 năm 1990", day(1990, 3, 5)},
		{"NGÀY 05 THÁNG 03 NĂM 1990", day(1990, 3, 5)},
		{"ngày 5, tháng 3, năm 1990", day(1990, 3, 5)},
		{"mồng 5 tháng 3 năm 1990", day(1990, 3, 5)},
		{"mùng 5 tháng 3 năm 1990", day(1990, 3, 5)},
		{"ngày mồng năm tháng ba năm 1990", day(1990, 3, 5)},
		{"5 tháng 3 năm 1990", day(1990, 3, 5)},
		{"ngày 05/03/1990", day(1990, 3, 5)},
		{"Ngày mười lăm, tháng sáu, năm hai nghìn không trăm hai mươi hai", day(2022, 6, 15)},
		{"ngày hai mươi tư tháng tư năm một ngàn chín trăm bảy mươi lăm", day(1975, 4, 24)},
		{"ngày ba mươi mốt tháng mười hai năm một nghìn chín trăm chín mươi chín", day(1999, 12, 31)},
		{"tháng mười năm 1990", vntext.Date{Year: 1990, Month: 10}},
		{"tháng năm năm một nghìn chín trăm năm mươi lăm", vntext.Date{Year: 1955, Month: 5}},
		{"tháng giêng năm 1960", vntext.Date{Year: 1960, Month: 1}},
		{"tháng 3 năm 1990", vntext.Date{Year: 1990, Month: 3}},
		{"Tháng sáu, năm hai nghìn", vntext.Date{Year: 2000, Month: 6}},
		{"tháng 03/1990", vntext.Date{Year: 1990, Month: 3}},
		{"năm 1990", vntext.Date{Year: 1990}},
		{"Năm một nghìn chín trăm năm mươi", vntext.Date{Year: 1950}},
		{"2010-03-01T14:30", at(2010, 3, 1, 14, 30)},
		{"14:30 05/03/1990", at(1990, 3, 5, 14, 30)},
		{"05/03/1990 14:30", at(1990, 3, 5, 14, 30)},
		{"8:05 05/03/1990", at(1990, 3, 5, 8, 5)},
		{"14 giờ 30 phút, ngày 05/03/1990", at(1990, 3, 5, 14, 30)},
		{"14 giờ 30 phút ngày 5 tháng 3 năm 1990", at(1990, 3, 5, 14, 30)},
		{"14 giờ, ngày 5 tháng 3 năm 1990", at(1990, 3, 5, 14, 0)},
		{"14h30 ngày 5/3/1990", at(1990, 3, 5, 14, 30)},
		{"14h30' 05/03/1990", at(1990, 3, 5, 14, 30)},
		{"14h 05/03/1990", at(1990, 3, 5, 14, 0)},
		{"14g30 05/03/1990", at(1990, 3, 5, 14, 30)},
		{"lúc 2 giờ chiều ngày 5/3/1990", at(1990, 3, 5, 14, 0)},
		{"vào lúc 9 giờ tối, ngày 5/3/1990", at(1990, 3, 5, 21, 0)},
		{"05/03/1990 lúc 14 giờ 30", at(1990, 3, 5, 14, 30)},
		{"Mười bốn giờ ba mươi phút, ngày mười lăm, tháng sáu, năm hai nghìn không trăm hai mươi hai", at(2022, 6, 15, 14, 30)},
		{"29/02/2000", day(2000, 2, 29)},
		{"05/03/1990.", day(1990, 3, 5)},
	}
	for _, tt := range tests {
		got, err := vntext.ParseDate(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseDate(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
	}
}

func TestParseDateErrors(t *testing.T) {
	tests := []struct {
		in     string
		kind   vntext.DateErrorKind
		reason string // a part of the reason
	}{
		{"", vntext.DateEmpty, ""},
		{"  \t", vntext.DateEmpty, ""},
		{"31/02/2001", vntext.DateImpossible, "chỉ có 28 ngày"},
		{"29/02/1900", vntext.DateImpossible, "chỉ có 28 ngày"},
		{"31/04/2000", vntext.DateImpossible, "chỉ có 30 ngày"},
		{"ngày 31 tháng 4 năm 2000", vntext.DateImpossible, "chỉ có 30 ngày"},
		{"15/13/2001", vntext.DateImpossible, "tháng 13"},
		{"tháng 13 năm 2001", vntext.DateImpossible, "tháng 13"},
		{"05/00/1990", vntext.DateImpossible, "không có tháng"},
		{"25:00 05/03/1990", vntext.DateImpossible, "25 giờ"},
		{"14:60 05/03/1990", vntext.DateImpossible, "60 phút"},
		{"25 giờ ngày 05/03/1990", vntext.DateImpossible, "25 giờ"},
		{"14:30 03/1990", vntext.DateImpossible, "có giờ"},
		{"0000", vntext.DateMalformed, "bằng 0"},
		{"5/3/90", vntext.DateMalformed, "4 chữ số"},
		{"05/03/90", vntext.DateMalformed, "4 chữ số"},
		{"hello", vntext.DateMalformed, "không đọc được"},
		{"không rõ", vntext.DateMalformed, ""},
		{"ngày 5 tháng 3", vntext.DateMalformed, ""},
		{"05/03-1990", vntext.DateMalformed, ""},
		{"12345", vntext.DateMalformed, ""},
		{"1990 1991", vntext.DateMalformed, ""},
	}
	for _, tt := range tests {
		_, err := vntext.ParseDate(tt.in)
		var de *vntext.DateError
		if !errors.As(err, &de) {
			t.Errorf("ParseDate(%q) error = %v, want a *DateError", tt.in, err)
			continue
		}
		if de.Kind != tt.kind || !strings.Contains(de.Reason, tt.reason) || de.Input != tt.in {
			t.Errorf("ParseDate(%q) = %+v, want kind %v, reason with %q", tt.in, de, tt.kind, tt.reason)
		}
		sentinel := map[vntext.DateErrorKind]error{vntext.DateEmpty: vntext.ErrEmptyDate, vntext.DateMalformed: vntext.ErrNotADate, vntext.DateImpossible: vntext.ErrImpossibleDate}[tt.kind]
		if !errors.Is(err, sentinel) {
			t.Errorf("ParseDate(%q): errors.Is(%v, %v) is false", tt.in, err, sentinel)
		}
		if de.Impossible() != (tt.kind == vntext.DateImpossible) {
			t.Errorf("ParseDate(%q): Impossible() = %v", tt.in, de.Impossible())
		}
	}
}

func TestDateFormats(t *testing.T) {
	tests := []struct {
		d                     vntext.Date
		iso, numeric, written string
		prec                  vntext.Precision
	}{
		{day(2025, 6, 9), "2025-06-09", "09/06/2025", "ngày 09 tháng 06 năm 2025", vntext.PrecDay},
		{vntext.Date{Year: 1950, Month: 3}, "1950-03", "03/1950", "tháng 03 năm 1950", vntext.PrecMonth},
		{vntext.Date{Year: 1950}, "1950", "1950", "năm 1950", vntext.PrecYear},
		{at(2010, 3, 1, 14, 30), "2010-03-01T14:30", "01/03/2010", "14 giờ 30 phút, ngày 01 tháng 03 năm 2010", vntext.PrecDay},
		{vntext.Date{}, "", "", "", vntext.PrecNone},
	}
	for _, tt := range tests {
		if got := tt.d.ISO(); got != tt.iso {
			t.Errorf("ISO() = %q, want %q", got, tt.iso)
		}
		if got := tt.d.Numeric(); got != tt.numeric {
			t.Errorf("Numeric() = %q, want %q", got, tt.numeric)
		}
		if got := tt.d.Written(); got != tt.written {
			t.Errorf("Written() = %q, want %q", got, tt.written)
		}
		if got := tt.d.Precision(); got != tt.prec {
			t.Errorf("Precision() = %v, want %v", got, tt.prec)
		}
		if tt.iso == "" {
			if !tt.d.IsZero() {
				t.Errorf("IsZero() = false")
			}
			continue
		}
		back, err := vntext.ParseISODate(tt.iso)
		if err != nil || back != tt.d {
			t.Errorf("ParseISODate(%q) = %+v, %v; want %+v", tt.iso, back, err, tt.d)
		}
		for _, s := range []string{tt.numeric, tt.written} {
			if tt.d.HasTime && s == tt.numeric {
				continue
			}
			if back, err := vntext.ParseDate(s); err != nil || back != tt.d {
				t.Errorf("ParseDate(%q) = %+v, %v; want %+v", s, back, err, tt.d)
			}
		}
	}
}

func TestParseISODateErrors(t *testing.T) {
	for _, s := range []string{"1990-3-5", "90", "1990-13", "1990-02-30", "1990/03/05", "abcd", "1990-00", "1990-03-00", "2010-03-01T24:00", "2010-03-01 14:30", "0000"} {
		if d, err := vntext.ParseISODate(s); err == nil {
			t.Errorf("ParseISODate(%q) = %+v, want an error", s, d)
		}
	}
	if _, err := vntext.ParseISODate(""); !errors.Is(err, vntext.ErrEmptyDate) {
		t.Errorf("ParseISODate(\"\") error = %v, want ErrEmptyDate", err)
	}
}

func TestBounds(t *testing.T) {
	utc := func(y, m, d, hh, mm, ss, ns int) time.Time {
		return time.Date(y, time.Month(m), d, hh, mm, ss, ns, time.UTC)
	}
	tests := []struct {
		d      vntext.Date
		lo, hi time.Time
	}{
		{vntext.Date{Year: 1950}, utc(1950, 1, 1, 0, 0, 0, 0), utc(1950, 12, 31, 23, 59, 59, 999999999)},
		{vntext.Date{Year: 2000, Month: 2}, utc(2000, 2, 1, 0, 0, 0, 0), utc(2000, 2, 29, 23, 59, 59, 999999999)},
		{day(2010, 3, 1), utc(2010, 3, 1, 0, 0, 0, 0), utc(2010, 3, 1, 23, 59, 59, 999999999)},
		{at(2010, 3, 1, 14, 30), utc(2010, 3, 1, 14, 30, 0, 0), utc(2010, 3, 1, 14, 30, 59, 999999999)},
		{vntext.Date{}, time.Time{}, time.Time{}},
	}
	for _, tt := range tests {
		lo, hi := tt.d.Bounds()
		if !lo.Equal(tt.lo) || !hi.Equal(tt.hi) {
			t.Errorf("%q.Bounds() = %v, %v; want %v, %v", tt.d.ISO(), lo, hi, tt.lo, tt.hi)
		}
	}
}

func TestValidate(t *testing.T) {
	for _, d := range []vntext.Date{{}, {Year: 1950}, {Year: 1950, Month: 2}, day(2000, 2, 29), at(2000, 1, 1, 23, 59)} {
		if err := d.Validate(); err != nil {
			t.Errorf("%+v.Validate() = %v", d, err)
		}
	}
	for _, d := range []vntext.Date{{Month: 1}, {Year: 2001, Month: 2, Day: 29}, {Year: 2001, Day: 3}, {Year: 2001, Month: 13}, at(2001, 1, 1, 24, 0), {Year: 2001, HasTime: true}} {
		if err := d.Validate(); !errors.Is(err, vntext.ErrImpossibleDate) {
			t.Errorf("%+v.Validate() = %v, want ErrImpossibleDate", d, err)
		}
	}
}
