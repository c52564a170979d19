package vntext

import (
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Tone is one of the six tones (thanh) of a Vietnamese syllable. The
// constants are declared in the order Vietnamese dictionaries sort them.
type Tone uint8

// The tones.
const (
	ToneNgang Tone = iota // level tone, no mark
	ToneHuyen             // grave accent: à
	ToneHoi               // hook above: ả
	ToneNga               // tilde: ã
	ToneSac               // acute accent: á
	ToneNang              // dot below: ạ
	numTones
)

// String returns the Vietnamese name of t ("ngang", "huyền", ...).
func (t Tone) String() string {
	switch t {
	case ToneNgang:
		return "ngang"
	case ToneHuyen:
		return "huyền"
	case ToneHoi:
		return "hỏi"
	case ToneNga:
		return "ngã"
	case ToneSac:
		return "sắc"
	case ToneNang:
		return "nặng"
	}
	return "?"
}

// toneMarks are the combining characters of the tones.
var toneMarks = [numTones]rune{0, '\u0300', '\u0309', '\u0303', '\u0301', '\u0323'}

// Letter codes. A Vietnamese word is analysed as a sequence of one-byte
// letter codes: the plain letters are their lower-case ASCII bytes, the
// letters with a shape diacritic (breve, circumflex, horn, bar) get the
// small codes below. Tone marks are kept apart.
const (
	cAw byte = 1 + iota // ă
	cAa                 // â
	cEe                 // ê
	cOo                 // ô
	cOw                 // ơ
	cUw                 // ư
	cDd                 // đ
	numSpecialCodes
)

// codeRunes maps a letter code to its lower-case letter without tone.
var codeRunes = func() (t [128]rune) {
	for c := 'a'; c <= 'z'; c++ {
		t[c] = c
	}
	t[cAw], t[cAa], t[cEe], t[cOo], t[cOw], t[cUw], t[cDd] = 'ă', 'â', 'ê', 'ô', 'ơ', 'ư', 'đ'
	return t
}()

// codeFold maps a letter code to the ASCII letter it folds to.
var codeFold = func() (t [128]byte) {
	for c := byte('a'); c <= 'z'; c++ {
		t[c] = c
	}
	t[cAw], t[cAa], t[cEe], t[cOo], t[cOw], t[cUw], t[cDd] = 'a', 'a', 'e', 'o', 'o', 'u', 'd'
	return t
}()

// isVowelCode reports which letter codes are vowels.
var isVowelCode = func() (t [128]bool) {
	for _, c := range []byte{'a', cAw, cAa, 'e', cEe, 'i', 'o', cOo, cOw, 'u', cUw, 'y'} {
		t[c] = true
	}
	return t
}()

// hasShape reports which vowel codes carry a breve, circumflex or horn.
var hasShape = func() (t [128]bool) {
	for _, c := range []byte{cAw, cAa, cEe, cOo, cOw, cUw} {
		t[c] = true
	}
	return t
}()

// letterInfo describes one precomposed letter of the Vietnamese alphabet:
// its letter code (0 when the rune is not a Vietnamese letter), its tone
// and whether it is upper case.
type letterInfo struct {
	code  byte
	tone  Tone
	upper bool
}

// Two dense tables cover every Vietnamese letter: runes below 0x1B4 (ASCII,
// Latin-1, Latin Extended-A and the Ơ/Ư of Extended-B) and the Vietnamese
// block of Latin Extended Additional, U+1EA0–U+1EF9.
const (
	lowLimit  = 0x1B4
	highFirst = 0x1EA0
	highLimit = 0x1EFA
)

// letterTables holds the letter tables, built once from the Unicode
// decompositions so that no code point is typed by hand.
type letterTables struct {
	low      [lowLimit]letterInfo
	high     [highLimit - highFirst]letterInfo
	composed [128][numTones][2]rune // code, tone, upper -> rune
}

var letters = buildLetters()

func buildLetters() *letterTables {
	t := new(letterTables)
	set := func(r rune, li letterInfo) {
		switch {
		case r < lowLimit:
			t.low[r] = li
		case r >= highFirst && r < highLimit:
			t.high[r-highFirst] = li
		default:
			panic("vntext: letter outside the tables") // unreachable: fixed input
		}
	}
	for c := byte('a'); c <= 'z'; c++ {
		set(rune(c), letterInfo{code: c})
		set(rune(c-'a'+'A'), letterInfo{code: c, upper: true})
		t.composed[c][ToneNgang] = [2]rune{rune(c), rune(c - 'a' + 'A')}
	}
	for c := cAw; c < numSpecialCodes; c++ {
		r := codeRunes[c]
		set(r, letterInfo{code: c})
		set(unicode.ToUpper(r), letterInfo{code: c, upper: true})
		t.composed[c][ToneNgang] = [2]rune{r, unicode.ToUpper(r)}
	}
	// Ð/ð (Icelandic eth) are typed for Đ/đ; they read as đ.
	set('Ð', letterInfo{code: cDd, upper: true})
	set('ð', letterInfo{code: cDd})
	for c := range isVowelCode {
		if !isVowelCode[c] {
			continue
		}
		for tone := ToneHuyen; tone < numTones; tone++ {
			s := norm.NFC.String(string(codeRunes[c]) + string(toneMarks[tone]))
			r, n := utf8.DecodeRuneInString(s)
			if n != len(s) {
				panic("vntext: toned vowel does not compose") // unreachable
			}
			u := unicode.ToUpper(r)
			set(r, letterInfo{code: byte(c), tone: tone})
			set(u, letterInfo{code: byte(c), tone: tone, upper: true})
			t.composed[c][tone] = [2]rune{r, u}
		}
	}
	return t
}

// vnLetter returns what r is as a letter of the Vietnamese alphabet; ok is
// false for any other rune (digits, punctuation, foreign letters such as ñ).
func vnLetter(r rune) (li letterInfo, ok bool) {
	switch {
	case r < lowLimit:
		li = letters.low[r]
	case r >= highFirst && r < highLimit:
		li = letters.high[r-highFirst]
	}
	return li, li.code != 0
}

// compose returns the letter with code c, tone t and the given case, or 0
// when there is none (a tone on a consonant).
func compose(c byte, t Tone, upper bool) rune {
	if c >= 128 || t >= numTones {
		return 0
	}
	u := 0
	if upper {
		u = 1
	}
	return letters.composed[c][t][u]
}

// isVietnameseLetter reports whether r is one of the letters of the
// Vietnamese alphabet (ASCII letters included), in either case.
func isVietnameseLetter(r rune) bool {
	_, ok := vnLetter(r)
	return ok
}

// AllLetters returns the 134 letters with diacritics of the Vietnamese
// alphabet (67 lower-case, 67 upper-case: the 12 vowels with their tones and
// ă â ê ô ơ ư đ), in a fixed order. Tests and sample generators use it.
func AllLetters() []rune {
	out := make([]rune, 0, 134)
	for _, upper := range []bool{false, true} {
		for _, c := range []byte{'a', cAw, cAa, cDd, 'e', cEe, 'i', 'o', cOo, cOw, 'u', cUw, 'y'} {
			for t := ToneNgang; t < numTones; t++ {
				r := compose(c, t, upper)
				if r == 0 || r < 0x80 {
					continue
				}
				out = append(out, r)
			}
		}
	}
	return out
}
