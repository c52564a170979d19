package samples

import (
	"math/rand/v2"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Combining tone marks of Vietnamese (NFD).
const (
	markGrave = '\u0300' // huyền
	markAcute = '\u0301' // sắc
	markTilde = '\u0303' // ngã
	markHook  = '\u0309' // hỏi
	markDot   = '\u0323' // nặng
)

func isToneMark(r rune) bool {
	switch r {
	case markGrave, markAcute, markTilde, markHook, markDot:
		return true
	}
	return false
}

// hasTone reports whether a precomposed letter carries a tone mark.
func hasTone(r rune) bool {
	if r < 0xC0 {
		return false
	}
	for _, m := range norm.NFD.String(string(r)) {
		if isToneMark(m) {
			return true
		}
	}
	return false
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// swapTonePlacement moves the tone of an open syllable ending in oa, oe or
// uy to the other vowel: "Hoà" <-> "Hòa", "Thuý" <-> "Thúy". It reports
// whether the word has such a syllable.
func swapTonePlacement(word string) (string, bool) {
	d := []rune(norm.NFD.String(word))
	ti := -1
	for i, r := range d {
		if isToneMark(r) {
			ti = i
		}
	}
	if ti < 1 {
		return word, false
	}
	base := removeRune(d, ti)
	lower := strings.ToLower(string(base))
	if strings.HasPrefix(lower, "qu") || strings.HasPrefix(lower, "gi") ||
		!(strings.HasSuffix(lower, "oa") || strings.HasSuffix(lower, "oe") || strings.HasSuffix(lower, "uy")) {
		return word, false
	}
	n := len(base)
	var at int // insert the mark after base[at]
	switch ti - 1 {
	case n - 2:
		at = n - 1
	case n - 1:
		at = n - 2
	default:
		return word, false
	}
	out := make([]rune, 0, len(d))
	out = append(out, base[:at+1]...)
	out = append(out, d[ti])
	out = append(out, base[at+1:]...)
	return norm.NFC.String(string(out)), true
}

func removeRune(d []rune, i int) []rune {
	out := make([]rune, 0, len(d)-1)
	out = append(out, d[:i]...)
	return append(out, d[i+1:]...)
}

// swapNameTone applies swapTonePlacement to the first word of a name that
// has an oa/oe/uy syllable.
func swapNameTone(name string) (string, bool) {
	ws := strings.Fields(name)
	for i, w := range ws {
		if s, ok := swapTonePlacement(w); ok && s != w {
			ws[i] = s
			return strings.Join(ws, " "), true
		}
	}
	return name, false
}

// neighbours are letters a typist hits for one another.
var neighbours = map[rune]string{
	'a': "sq", 'b': "vn", 'c': "xv", 'd': "sf", 'e': "wr", 'g': "fh", 'h': "gjn",
	'i': "uo", 'k': "jl", 'l': "k", 'm': "n", 'n': "mh", 'o': "ip", 'p': "o",
	'q': "w", 'r': "et", 's': "ad", 't': "ry", 'u': "yi", 'v': "cb", 'x': "zc", 'y': "tu",
}

// typo makes a one-letter keying error in a name word other than the
// surname: a neighbouring key, a dropped or a doubled letter.
func typo(r *rand.Rand, name string) (string, bool) {
	ws := strings.Fields(name)
	if len(ws) < 2 {
		return name, false
	}
	wi := 1 + r.IntN(len(ws)-1)
	w := []rune(ws[wi])
	// candidate positions: plain ASCII lower-case letters
	var pos []int
	for i, c := range w {
		if c >= 'a' && c <= 'z' && i > 0 {
			pos = append(pos, i)
		}
	}
	if len(pos) == 0 {
		return name, false
	}
	i := pos[r.IntN(len(pos))]
	switch k := r.IntN(4); {
	case k < 2 && neighbours[w[i]] != "":
		nb := []rune(neighbours[w[i]])
		w[i] = nb[r.IntN(len(nb))]
	case k == 2 && len(w) > 3:
		w = append(w[:i:i], w[i+1:]...)
	default:
		w = append(w[:i+1:i+1], w[i:]...)
	}
	ws[wi] = string(w)
	out := strings.Join(ws, " ")
	return out, out != name
}

// cp1252 maps the bytes 0x80-0x9F to what Windows-1252 shows for them; the
// five undefined bytes pass through as C1 controls, as "sloppy" decoders
// (and the files they produced) have them.
var cp1252 = [32]rune{
	'€', 0x81, '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', 0x8D, 'Ž', 0x8F,
	0x90, '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', 0x9D, 'ž', 'Ÿ',
}

// mojibake returns s as it reads after its UTF-8 bytes were decoded once as
// Windows-1252 and saved again as UTF-8: "Nguyễn" -> "Nguyá»…n".
func mojibake(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c < 0x80:
			b.WriteByte(c)
		case c < 0xA0:
			b.WriteRune(cp1252[c-0x80])
		default:
			b.WriteRune(rune(c))
		}
	}
	return b.String()
}

// collapse trims s and collapses inner white space.
func collapse(s string) string { return strings.Join(strings.Fields(s), " ") }

// upperFirst upper-cases the first letter of s.
func upperFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}
