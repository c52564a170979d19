package vntext

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// ParseDate parses a date in any form of the batch format, keeping its
// precision:
//
//	05/03/1990  5/3/1990  05-03-1990  05.03.1990  1990-03-05
//	03/1990  1990  00/00/1950 (year only)  00/03/1950 (month only)
//	ngày 5 tháng 3 năm 1990   Ngày 05 tháng 03 năm 1990   mồng/mùng 5 tháng 3 năm 1990
//	ngày mười lăm, tháng sáu, năm hai nghìn không trăm hai mươi hai
//	tháng 3 năm 1990   năm 1990
//
// and, for deaths, with a time before or after the date: "14:30
// 05/03/1990", "14h30 ngày 5/3/1990", "14 giờ 30 phút, ngày 5 tháng 3 năm
// 1990", "mười bốn giờ ba mươi phút ngày ...", "lúc 2 giờ chiều ngày ...".
// The ISO forms of Date.ISO are accepted too. Years need four digits.
//
// Errors are *DateError: DateEmpty (errors.Is ErrEmptyDate) for blank
// input, DateMalformed for text that is no date, DateImpossible (31/02/2001,
// month 13, hour 25) with the reason.
func ParseDate(s string) (Date, error) {
	in := s
	s = strings.TrimSpace(s)
	if s == "" {
		return Date{}, &DateError{Input: in, Kind: DateEmpty, Reason: "ngày trống"}
	}
	if d, ok := parseCommonDate(s); ok {
		if reason := d.impossible(); reason != "" {
			return Date{}, &DateError{Input: in, Kind: DateImpossible, Reason: reason}
		}
		return d, nil
	}
	return parseDateSlow(in, s)
}

// parseDateSlow is the general parser of ParseDate, for trimmed, non-empty s.
func parseDateSlow(in, s string) (Date, error) {
	p := dateParser{toks: tokenizeDate(CanonKey(s))}
	d, reason, ok := p.parse()
	if !ok {
		if reason == "" {
			reason = "không đọc được ngày; cần dạng dd/mm/yyyy, yyyy-mm-dd, mm/yyyy, yyyy hoặc \"ngày 5 tháng 3 năm 1990\""
		}
		return Date{}, &DateError{Input: in, Kind: DateMalformed, Reason: reason}
	}
	if reason := d.impossible(); reason != "" {
		return Date{}, &DateError{Input: in, Kind: DateImpossible, Reason: reason}
	}
	return d, nil
}

// parseCommonDate is the fast path for the commonest forms: dd/mm/yyyy,
// dd-mm-yyyy and dd.mm.yyyy, yyyy-mm-dd, and a year alone. It declines
// (false) whatever else, and the general parser reads it; the two agree on
// every input the fast path takes (TestDateFastPathAgrees).
func parseCommonDate(s string) (Date, bool) {
	if len(s) == 4 {
		y, ok := digits(s)
		return Date{Year: y}, ok && y != 0
	}
	if len(s) != 10 {
		return Date{}, false
	}
	var d Date
	var okD, okM, okY bool
	switch {
	case (s[2] == '/' || s[2] == '-' || s[2] == '.') && s[5] == s[2]:
		d.Day, okD = digits(s[0:2])
		d.Month, okM = digits(s[3:5])
		d.Year, okY = digits(s[6:10])
	case s[4] == '-' && s[7] == '-':
		d.Year, okY = digits(s[0:4])
		d.Month, okM = digits(s[5:7])
		d.Day, okD = digits(s[8:10])
		if d.Month == 0 || d.Day == 0 {
			return Date{}, false // the slow path says what a zero means here
		}
	default:
		return Date{}, false
	}
	if !okD || !okM || !okY || d.Year == 0 {
		return Date{}, false // the slow path says why
	}
	if d.Day == 0 {
		return fixPartial(d), true
	}
	return d, true
}

// digits reads a run of ASCII digits as a number.
func digits(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// fixPartial turns 00/00/1950 into 1950 and 00/03/1950 into 03/1950.
func fixPartial(d Date) Date {
	if d.Day == 0 && d.Month == 0 {
		return Date{Year: d.Year}
	}
	return d
}

// tokKind is the kind of a date token.
type tokKind uint8

const (
	tokNum  tokKind = iota + 1 // digits
	tokWord                    // letters
	tokSep                     // one punctuation character
)

// dateTok is one token of a date.
type dateTok struct {
	kind tokKind
	text string
	val  int // for tokNum
}

// tokenizeDate splits lower-cased text into digit runs, letter runs and
// punctuation; white space only separates.
func tokenizeDate(s string) []dateTok {
	var toks []dateTok
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r >= '0' && r <= '9':
			j := i
			v := 0
			for j < len(s) && s[j] >= '0' && s[j] <= '9' {
				if v < 1e6 {
					v = v*10 + int(s[j]-'0')
				}
				j++
			}
			toks = append(toks, dateTok{kind: tokNum, text: s[i:j], val: v})
			i = j
		case unicode.IsLetter(r) || unicode.Is(unicode.Mn, r):
			j := i + n
			for j < len(s) {
				r2, n2 := utf8.DecodeRuneInString(s[j:])
				if !unicode.IsLetter(r2) && !unicode.Is(unicode.Mn, r2) {
					break
				}
				j += n2
			}
			toks = append(toks, dateTok{kind: tokWord, text: s[i:j]})
			i = j
		case unicode.IsSpace(r):
			i += n
		default:
			toks = append(toks, dateTok{kind: tokSep, text: s[i : i+n]})
			i += n
		}
	}
	return toks
}

// dateParser parses date tokens by trying the forms in turn; a form that
// can read a run of number words several ways ("tháng mười năm ..." is
// October, not month fifteen) tries each reading.
type dateParser struct {
	toks []dateTok
}

func (p *dateParser) word(i int, words ...string) bool {
	if i >= len(p.toks) || p.toks[i].kind != tokWord {
		return false
	}
	for _, w := range words {
		if p.toks[i].text == w {
			return true
		}
	}
	return false
}

func (p *dateParser) sep(i int, seps string) bool {
	return i < len(p.toks) && p.toks[i].kind == tokSep && strings.Contains(seps, p.toks[i].text)
}

// skipFiller skips punctuation between parts and the words "lúc", "vào",
// "hồi" and "t" (of ISO 8601).
func (p *dateParser) skipFiller(i int) int {
	for i < len(p.toks) && (p.sep(i, ",;") || p.word(i, "lúc", "vào", "hồi", "t")) {
		i++
	}
	return i
}

// parse reads [time] date [time]. reason explains a form that was nearly
// right (a two-digit year).
func (p *dateParser) parse() (d Date, reason string, ok bool) {
	var impossible *Date
	for _, ta := range append(p.times(p.skipFiller(0)), timeAlt{next: -1}) {
		i := 0
		if ta.next >= 0 {
			i = ta.next
		}
		for _, da := range p.dates(p.skipFiller(i)) {
			if da.reason != "" {
				reason = da.reason
				continue
			}
			d := da.d
			end := []int{da.next}
			tails := []timeAlt{{next: -1}}
			if ta.next < 0 {
				tails = append(p.times(p.skipFiller(da.next)), tails...)
			} else {
				d.Hour, d.Minute, d.HasTime = ta.hour, ta.minute, true
			}
			for _, tt := range tails {
				dd := d
				e := end[0]
				if tt.next >= 0 {
					dd.Hour, dd.Minute, dd.HasTime = tt.hour, tt.minute, true
					e = tt.next
				}
				for e < len(p.toks) && p.sep(e, ".,;") {
					e++
				}
				if e != len(p.toks) {
					continue
				}
				if dd.impossible() == "" {
					return dd, "", true
				}
				if impossible == nil {
					impossible = &dd
				}
			}
		}
	}
	if impossible != nil {
		return *impossible, "", true // the caller reports why
	}
	return Date{}, reason, false
}

// timeAlt is one reading of a time of day; next is the token after it.
type timeAlt struct {
	hour, minute, next int
}

// times returns the readings of a time of day at i: "14:30", "14h30",
// "14h", "14g30", "14 giờ 30 phút", "14 giờ", "mười bốn giờ ba mươi phút",
// each optionally followed by sáng/trưa/chiều/tối/đêm.
func (p *dateParser) times(i int) []timeAlt {
	var out []timeAlt
	add := func(h, m, next int) {
		next, h = p.dayPeriod(next, h)
		out = append(out, timeAlt{hour: h, minute: m, next: next})
	}
	if i < len(p.toks) && p.toks[i].kind == tokNum && len(p.toks[i].text) <= 2 {
		h := p.toks[i].val
		switch {
		case p.sep(i+1, ":") && p.num(i+2, 2):
			add(h, p.toks[i+2].val, i+3)
		case p.word(i+1, "h", "g"):
			if p.num(i+2, 2) {
				next := i + 3
				if p.sep(next, "'’") || p.word(next, "p", "phút") {
					next++
				}
				add(h, p.toks[i+2].val, next)
			}
			add(h, 0, i+2) // "14h 05/03/1990": the number is the day
		}
	}
	for _, ha := range p.number(i, 24) {
		if !p.word(ha.next, "giờ") {
			continue
		}
		j := ha.next + 1
		if p.word(j, "kém") {
			continue // "2 giờ kém 15" is not written in registers
		}
		for _, ma := range p.number(j, 60) {
			next := ma.next
			if p.word(next, "phút") || p.sep(next, "'’") {
				next++
			}
			add(ha.v, ma.v, next)
		}
		add(ha.v, 0, j)
	}
	return out
}

// dayPeriod reads sáng/trưa/chiều/tối/đêm after an hour and returns the
// 24-hour hour ("2 giờ chiều" is 14).
func (p *dateParser) dayPeriod(i, h int) (int, int) {
	switch {
	case p.word(i, "sáng"):
		return i + 1, h
	case p.word(i, "trưa"):
		if h < 11 {
			h += 12
		}
		return i + 1, h
	case p.word(i, "chiều", "tối"):
		if h < 12 {
			h += 12
		}
		return i + 1, h
	case p.word(i, "đêm"):
		if h >= 6 && h < 12 {
			h += 12
		}
		return i + 1, h
	}
	return i, h
}

// num reports a number token of at most max digits at i.
func (p *dateParser) num(i, maxDigits int) bool {
	return i < len(p.toks) && p.toks[i].kind == tokNum && len(p.toks[i].text) <= maxDigits
}

// dateAlt is one reading of a date; reason is set for a near miss.
type dateAlt struct {
	d      Date
	next   int
	reason string
}

// dates returns the readings of a date at i.
func (p *dateParser) dates(i int) []dateAlt {
	var out []dateAlt
	if a, ok := p.numericDate(i); ok {
		out = append(out, a)
	}
	j := i
	if p.word(j, "ngày") {
		j++
		if a, ok := p.numericDate(j); ok && a.d.Day != 0 {
			out = append(out, a)
		}
	}
	if p.word(j, "mồng", "mùng") {
		j++
	}
	for _, da := range p.number(j, 31) {
		for _, ma := range p.monthPart(da.next) {
			if ma.reason == "" {
				ma.d.Day = da.v
			}
			out = append(out, ma)
		}
	}
	out = append(out, p.monthPart(i)...)
	if p.word(i, "năm") {
		for _, ya := range p.year(i + 1) {
			out = append(out, dateAlt{d: Date{Year: ya.v}, next: ya.next})
		}
	}
	return out
}

// monthPart reads "tháng M năm Y" (or "tháng 3/1990") at i.
func (p *dateParser) monthPart(i int) []dateAlt {
	for i < len(p.toks) && p.sep(i, ",") {
		i++
	}
	if !p.word(i, "tháng") {
		return nil
	}
	var out []dateAlt
	if a, ok := p.numericDate(i + 1); ok && a.d.Day == 0 && a.d.Month != 0 {
		out = append(out, a)
	}
	for _, ma := range p.month(i + 1) {
		j := ma.next
		for j < len(p.toks) && p.sep(j, ",") {
			j++
		}
		if !p.word(j, "năm") {
			continue
		}
		for _, ya := range p.year(j + 1) {
			out = append(out, dateAlt{d: Date{Year: ya.v, Month: ma.v}, next: ya.next})
		}
	}
	return out
}

// month reads a month: digits or words, "giêng" (1) and "chạp" (12)
// included.
func (p *dateParser) month(i int) []numAlt {
	switch {
	case p.word(i, "giêng"):
		return []numAlt{{1, i + 1}}
	case p.word(i, "chạp"):
		return []numAlt{{12, i + 1}}
	}
	return p.number(i, 99)
}

// year reads a year: four digits or words.
func (p *dateParser) year(i int) []numAlt {
	if i < len(p.toks) && p.toks[i].kind == tokNum {
		if len(p.toks[i].text) != 4 {
			return nil
		}
		return []numAlt{{p.toks[i].val, i + 1}}
	}
	return p.number(i, 9999)
}

// numericDate reads d/m/y, y-m-d, m/y, y-m or y in digits at i; separators
// are / - or . (the same twice). Day and month 0 mean unknown.
func (p *dateParser) numericDate(i int) (dateAlt, bool) {
	var nums []dateTok
	var seps []string
	j := i
	for j < len(p.toks) && p.toks[j].kind == tokNum && len(nums) < 3 {
		nums = append(nums, p.toks[j])
		j++
		if len(nums) < 3 && p.sep(j, "/-.") && j+1 < len(p.toks) && p.toks[j+1].kind == tokNum {
			seps = append(seps, p.toks[j].text)
			j++
			continue
		}
		break
	}
	if len(nums) == 0 || len(seps) == 2 && seps[0] != seps[1] {
		return dateAlt{}, false
	}
	l := func(k int) int { return len(nums[k].text) }
	var d Date
	switch {
	case len(nums) == 3 && l(0) <= 2 && l(1) <= 2 && l(2) == 4:
		d = fixPartial(Date{Day: nums[0].val, Month: nums[1].val, Year: nums[2].val})
	case len(nums) == 3 && l(0) == 4 && l(1) <= 2 && l(2) <= 2:
		d = fixPartial(Date{Year: nums[0].val, Month: nums[1].val, Day: nums[2].val})
	case len(nums) == 2 && l(0) <= 2 && l(1) == 4:
		d = Date{Month: nums[0].val, Year: nums[1].val}
	case len(nums) == 2 && l(0) == 4 && l(1) <= 2 && seps[0] == "-":
		d = Date{Year: nums[0].val, Month: nums[1].val}
	case len(nums) == 1 && l(0) == 4:
		d = Date{Year: nums[0].val}
	case len(nums) == 3 && l(0) <= 2 && l(1) <= 2 && l(2) <= 3,
		len(nums) == 2 && l(0) <= 2 && l(1) == 2 && seps[0] != ".":
		return dateAlt{next: j, reason: "năm phải ghi đủ 4 chữ số"}, true
	default:
		return dateAlt{}, false
	}
	if d.Year == 0 {
		return dateAlt{next: j, reason: "năm không được bằng 0"}, true
	}
	return dateAlt{d: d, next: j}, true
}

// numAlt is one reading of a number; next is the token after it.
type numAlt struct{ v, next int }

// number returns the readings of a number at i not above max: a digit
// token, or each run of number words that reads as a number, longest
// first.
func (p *dateParser) number(i, max int) []numAlt {
	if i >= len(p.toks) {
		return nil
	}
	if p.toks[i].kind == tokNum {
		if len(p.toks[i].text) > 4 {
			return nil
		}
		return []numAlt{{p.toks[i].val, i + 1}}
	}
	var words []string
	for j := i; j < len(p.toks) && p.toks[j].kind == tokWord && len(words) < 12; j++ {
		if _, ok := numberWordSet[p.toks[j].text]; !ok {
			break
		}
		words = append(words, p.toks[j].text)
	}
	var out []numAlt
	for k := len(words); k > 0; k-- {
		if v, ok := ParseNumberWords(strings.Join(words[:k], " ")); ok && v <= max {
			out = append(out, numAlt{v, i + k})
		}
	}
	return out
}
