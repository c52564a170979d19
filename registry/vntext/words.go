package vntext

import (
	"strings"
	"unicode/utf8"
)

// Settings of Words: both spellings are found on issued copies.
const (
	ThousandNghin = "nghìn" // the default thousands word
	ThousandNgan  = "ngàn"  // the Southern one
	ZeroTensLe    = "lẻ"    // the default word for a zero tens digit: 105 "một trăm lẻ năm"
	ZeroTensLinh  = "linh"  // the Northern one: 105 "một trăm linh năm"
)

// Words writes numbers, dates and times in Vietnamese words, as
// civil-status extracts do ("ghi bằng chữ"). The zero value uses "nghìn"
// and "lẻ".
type Words struct {
	Thousand string // ThousandNghin (default) or ThousandNgan
	ZeroTens string // ZeroTensLe (default) or ZeroTensLinh
}

var digitWords = [10]string{"không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"}

func (w Words) thousand() string {
	if w.Thousand == "" {
		return ThousandNghin
	}
	return w.Thousand
}

func (w Words) zeroTens() string {
	if w.ZeroTens == "" {
		return ZeroTensLe
	}
	return w.ZeroTens
}

// Number writes n in words: 11 "mười một", 15 "mười lăm", 21 "hai mươi
// mốt", 24 "hai mươi tư", 105 "một trăm lẻ năm", 1001 "một nghìn không trăm
// lẻ một", 2022 "hai nghìn không trăm hai mươi hai". Millions are "triệu",
// thousand millions "tỷ".
func (w Words) Number(n int) string {
	if n == 0 {
		return digitWords[0]
	}
	var b strings.Builder
	if n < 0 {
		b.WriteString("âm")
		if n == -n { // the smallest int has no positive counterpart
			n++
		}
		n = -n
	}
	w.writeNumber(&b, n, false)
	return b.String()
}

// writeNumber writes n > 0; full says that higher digits were written, so
// an inner zero hundreds digit reads "không trăm".
func (w Words) writeNumber(b *strings.Builder, n int, full bool) {
	const billion = 1_000_000_000
	if n >= billion {
		w.writeNumber(b, n/billion, full)
		add(b, "tỷ")
		if r := n % billion; r != 0 {
			w.writeNumber(b, r, true)
		}
		return
	}
	scales := [...]struct {
		size int
		word string
	}{{1_000_000, "triệu"}, {1000, w.thousand()}, {1, ""}}
	for _, s := range scales {
		g := n / s.size % 1000
		if g == 0 {
			continue
		}
		w.writeGroup(b, g, full)
		if s.word != "" {
			add(b, s.word)
		}
		full = true
	}
}

// writeGroup writes 1 <= g <= 999.
func (w Words) writeGroup(b *strings.Builder, g int, full bool) {
	h, t, u := g/100, g/10%10, g%10
	if full || h > 0 {
		add(b, digitWords[h])
		add(b, "trăm")
		full = true
	}
	switch {
	case t == 0 && u == 0:
	case t == 0:
		if full {
			add(b, w.zeroTens())
		}
		add(b, digitWords[u])
	case t == 1:
		add(b, "mười")
		switch u {
		case 0:
		case 5:
			add(b, "lăm")
		default:
			add(b, digitWords[u])
		}
	default:
		add(b, digitWords[t])
		add(b, "mươi")
		switch u {
		case 0:
		case 1:
			add(b, "mốt")
		case 4:
			add(b, "tư")
		case 5:
			add(b, "lăm")
		default:
			add(b, digitWords[u])
		}
	}
}

func add(b *strings.Builder, word string) {
	if b.Len() > 0 {
		b.WriteByte(' ')
	}
	b.WriteString(word)
}

// Month writes a month in words: "một" ... "mười hai", with "tư" for April
// ("tháng tư").
func (w Words) Month(m int) string {
	if m == 4 {
		return "tư"
	}
	return w.Number(m)
}

// Time writes a time of day in words: "mười bốn giờ ba mươi phút"; a full
// hour is "mười bốn giờ".
func (w Words) Time(hour, minute int) string {
	s := w.Number(hour) + " giờ"
	if minute != 0 {
		s += " " + w.Number(minute) + " phút"
	}
	return s
}

// Date writes d in words as the form's "ghi bằng chữ" line: "Ngày mười
// lăm, tháng sáu, năm hai nghìn không trăm hai mươi hai"; partial dates
// "Tháng sáu, năm ..." and "Năm ..."; a time comes first ("Mười bốn giờ ba
// mươi phút, ngày ..."). The zero Date gives "".
func (w Words) Date(d Date) string {
	year := "năm " + w.Number(d.Year)
	var s string
	switch d.Precision() {
	case PrecNone:
		return ""
	case PrecYear:
		s = year
	case PrecMonth:
		s = "tháng " + w.Month(d.Month) + ", " + year
	default:
		s = "ngày " + w.Number(d.Day) + ", tháng " + w.Month(d.Month) + ", " + year
		if d.HasTime {
			s = w.Time(d.Hour, d.Minute) + ", " + s
		}
	}
	return upperFirst(s)
}

// upperFirst upper-cases the first letter of s.
func upperFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if li, ok := vnLetter(r); ok {
		return string(compose(li.code, li.tone, true)) + s[n:]
	}
	return s
}

// NumberWords writes n in words with the default settings.
func NumberWords(n int) string { return Words{}.Number(n) }

// DateWords writes d in words with the default settings.
func DateWords(d Date) string { return Words{}.Date(d) }

// numberWordSet holds every word a number in words may contain, and its
// value as a digit (-1 for the other words).
var numberWordSet = map[string]int{
	"không": 0, "một": 1, "mốt": 1, "hai": 2, "ba": 3, "bốn": 4, "tư": 4,
	"năm": 5, "lăm": 5, "nhăm": 5, "sáu": 6, "bảy": 7, "bẩy": 7, "tám": 8, "chín": 9,
	"mười": -1, "mươi": -1, "trăm": -1, "nghìn": -1, "ngàn": -1, "triệu": -1,
	"tỷ": -1, "tỉ": -1, "lẻ": -1, "linh": -1,
}

// ParseNumberWords reads a number written in words, in any of the forms
// Words writes and the variants found in registers (ngàn/nghìn, lẻ/linh,
// bảy/bẩy, năm/lăm/nhăm, một/mốt, bốn/tư). It reports false for anything
// else.
func ParseNumberWords(s string) (int, bool) {
	words := strings.Fields(CanonKey(s))
	if len(words) == 0 {
		return 0, false
	}
	total, pos, lastScale := 0, 0, 0
	for {
		g, next, ok := parseGroupWords(words, pos, total > 0)
		if !ok {
			return 0, false
		}
		pos = next
		if pos == len(words) {
			return total + g, true
		}
		scale := 0
		switch words[pos] {
		case "tỷ", "tỉ":
			scale = 1_000_000_000
		case "triệu":
			scale = 1_000_000
		case "nghìn", "ngàn":
			scale = 1000
		}
		if scale == 0 || lastScale != 0 && scale >= lastScale || g == 0 && total == 0 {
			return 0, false
		}
		total += g * scale
		lastScale = scale
		pos++
		if pos == len(words) {
			return total, true
		}
	}
}

// parseGroupWords reads a number 0..999 in words at pos; inner says a
// higher scale came before, which allows a bare "lẻ năm".
func parseGroupWords(words []string, pos int, inner bool) (int, int, bool) {
	digit := func(i int) (int, bool) {
		if i >= len(words) {
			return 0, false
		}
		switch words[i] {
		case "mốt", "lăm", "nhăm":
			return 0, false // only after mươi/mười
		}
		v, ok := numberWordSet[words[i]]
		return v, ok && v >= 0
	}
	is := func(i int, w ...string) bool {
		if i >= len(words) {
			return false
		}
		for _, x := range w {
			if words[i] == x {
				return true
			}
		}
		return false
	}
	h := -1
	if d, ok := digit(pos); ok && is(pos+1, "trăm") {
		h, pos = d, pos+2
	}
	val := 0
	if h > 0 {
		val = h * 100
	}
	switch {
	case is(pos, "lẻ", "linh"):
		u, ok := digit(pos + 1)
		if !ok || u == 0 || h < 0 && !inner {
			return 0, 0, false
		}
		return val + u, pos + 2, true
	case is(pos, "mười"):
		val += 10
		pos++
		switch {
		case is(pos, "lăm", "nhăm"):
			return val + 5, pos + 1, true
		case is(pos, "mốt"):
			return val + 1, pos + 1, true
		}
		if u, ok := digit(pos); ok && u > 0 {
			return val + u, pos + 1, true
		}
		return val, pos, true
	}
	if t, ok := digit(pos); ok {
		if is(pos+1, "mươi") {
			if t < 2 {
				return 0, 0, false
			}
			val += t * 10
			pos += 2
			switch {
			case is(pos, "mốt"):
				return val + 1, pos + 1, true
			case is(pos, "lăm", "nhăm"):
				return val + 5, pos + 1, true
			}
			if u, ok := digit(pos); ok && u > 0 {
				return val + u, pos + 1, true
			}
			return val, pos, true
		}
		if h >= 0 {
			return 0, 0, false // "một trăm năm" is not how 105 is written
		}
		return val + t, pos + 1, true
	}
	if h < 0 {
		return 0, 0, false
	}
	return val, pos, true
}
