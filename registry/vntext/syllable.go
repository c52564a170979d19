package vntext

import (
	"strings"
	"unicode/utf8"
)

// Syllable is a written Vietnamese syllable split into its parts, in lower
// case and without its tone mark: "Nguyễn" is {Onset: "ng", Vowels: "uyê",
// Coda: "n", Tone: ToneNga}. "gi" and "qu" are onsets ("giữ" is gi + ư,
// "quý" is qu + y).
type Syllable struct {
	Onset  string // phụ âm đầu: "", "b", "ch", "gi", "ngh", "qu", ...
	Vowels string // nguyên âm, with glides: "a", "oa", "ươ", "uyê", ...
	Coda   string // âm cuối: "", "c", "ch", "m", "n", "ng", "nh", "p", "t"
	Tone   Tone
}

// ParseSyllable parses one written syllable, in any case, with its tone mark
// on any of its vowels ("baỏ" parses as bảo). It reports false when word is
// not a well-formed Vietnamese syllable.
func ParseSyllable(word string) (Syllable, bool) {
	var buf [16]byte
	codes, tone, ok := wordCodes(buf[:0], word)
	if !ok {
		return Syllable{}, false
	}
	p, ok := parseCodes(codes, tone)
	if !ok {
		return Syllable{}, false
	}
	return Syllable{
		Onset:  codesString(codes[:p.onsetEnd]),
		Vowels: codesString(codes[p.onsetEnd:p.vowelEnd]),
		Coda:   codesString(codes[p.vowelEnd:]),
		Tone:   tone,
	}, true
}

// String writes s with its tone mark on the vowel where style puts it.
func (s Syllable) String(style ToneStyle) string {
	var buf [16]byte
	codes := append(append(append(buf[:0], stringCodes(s.Onset)...), stringCodes(s.Vowels)...), stringCodes(s.Coda)...)
	p, ok := parseCodes(codes, s.Tone)
	var b strings.Builder
	for i, c := range codes {
		t := ToneNgang
		if ok && i == p.tonePos(style) {
			t = s.Tone
		}
		b.WriteRune(compose(c, t, false))
	}
	return b.String()
}

// wordCodes appends the letter codes of word to dst and returns the tone of
// the word. ok is false when word holds a rune that is not a Vietnamese
// letter or more than one tone mark.
func wordCodes(dst []byte, word string) (codes []byte, tone Tone, ok bool) {
	for _, r := range word {
		li, isLetter := vnLetter(r)
		if !isLetter {
			return dst, 0, false
		}
		if li.tone != ToneNgang {
			if tone != ToneNgang {
				return dst, 0, false
			}
			tone = li.tone
		}
		dst = append(dst, li.code)
	}
	return dst, tone, true
}

// wordCodesBytes is wordCodes for a word held in bytes.
func wordCodesBytes(dst []byte, word []byte) (codes []byte, tone Tone, ok bool) {
	for i := 0; i < len(word); {
		r, n := rune(word[i]), 1
		if r >= utf8.RuneSelf {
			r, n = utf8.DecodeRune(word[i:])
		}
		i += n
		li, isLetter := vnLetter(r)
		if !isLetter {
			return dst, 0, false
		}
		if li.tone != ToneNgang {
			if tone != ToneNgang {
				return dst, 0, false
			}
			tone = li.tone
		}
		dst = append(dst, li.code)
	}
	return dst, tone, true
}

func codesString(c []byte) string {
	var b strings.Builder
	for _, x := range c {
		b.WriteRune(codeRunes[x&127])
	}
	return b.String()
}

func stringCodes(s string) []byte {
	c, _, _ := wordCodes(nil, s)
	return c
}

// parsed is a syllable analysed in place: codes[:onsetEnd] is the onset,
// codes[onsetEnd:vowelEnd] the vowels, codes[vowelEnd:] the coda.
type parsed struct {
	onsetEnd, vowelEnd int
	rhyme              rhymeInfo
	merged             bool // the rhyme's first glide merged into the onset (giếng, quỳnh)
}

// tonePos returns the index in the codes of the vowel that carries the tone
// mark in the given style.
func (p parsed) tonePos(style ToneStyle) int {
	pos := p.onsetEnd + int(p.rhyme.newPos)
	if style == ToneOld {
		pos = p.onsetEnd + int(p.rhyme.oldPos)
	}
	if p.merged {
		pos--
	}
	return pos
}

// rhymeInfo is what the rhyme table knows of a rhyme (vowels + coda): where
// each style puts the tone mark, counted from the first vowel, and whether
// the coda is a stop (c, ch, p, t), which only takes sắc or nặng.
type rhymeInfo struct {
	newPos, oldPos int8
	stop           bool
}

// onsetLen returns the length of the initial consonant of c (b, c, ch, d,
// đ, g, gh, h, k, kh, l, m, n, ng, ngh, nh, p, ph, r, s, t, th, tr, v, x),
// 0 if c does not start with one; gi and qu are recognised before.
func onsetLen(c []byte) int {
	next := func(i int) byte {
		if i < len(c) {
			return c[i]
		}
		return 0
	}
	switch c[0] {
	case 'b', 'd', cDd, 'h', 'l', 'm', 'r', 's', 'v', 'x':
		return 1
	case 'c', 'g', 'k', 'p':
		if next(1) == 'h' {
			return 2
		}
		return 1
	case 't':
		if next(1) == 'h' || next(1) == 'r' {
			return 2
		}
		return 1
	case 'n':
		switch {
		case next(1) == 'g' && next(2) == 'h':
			return 3
		case next(1) == 'g' || next(1) == 'h':
			return 2
		}
		return 1
	}
	return 0
}

// rhymeSpec lists the vowel groups of Vietnamese spelling with the codas
// each takes ("-" for none). Glides (ai, ao, uôi, ...) are part of the vowel
// group.
var rhymeSpec = []struct{ vowels, codas string }{
	{"a", "- c ch m n ng nh p t"}, {"ai", "-"}, {"ao", "-"}, {"au", "-"}, {"ay", "-"},
	{"ă", "c m n ng p t"}, {"â", "c m n ng p t"}, {"âu", "-"}, {"ây", "-"},
	{"e", "- c m n ng p t"}, {"eo", "-"},
	{"ê", "- ch m n nh p t"}, {"êu", "-"},
	{"i", "- ch m n nh p t"}, {"ia", "-"}, {"iê", "c m n ng p t"}, {"iêu", "-"}, {"iu", "-"},
	{"o", "- c m n ng p t"}, {"oa", "- c ch i m n ng nh p t"}, {"oai", "-"}, {"oay", "-"},
	{"oă", "c m n ng t"}, {"oe", "- n t"}, {"oeo", "-"}, {"oi", "-"}, {"oo", "c ng"},
	{"ô", "- c m n ng p t"}, {"ôi", "-"},
	{"ơ", "- m n p t"}, {"ơi", "-"},
	{"u", "- c m n ng p t"}, {"ua", "-"}, {"uâ", "n ng t"}, {"uây", "-"},
	{"uê", "- ch nh"}, {"ui", "-"}, {"uô", "c m n ng t"}, {"uôi", "-"}, {"uơ", "-"},
	{"uy", "- ch n nh p t"}, {"uya", "-"}, {"uyê", "n t"}, {"uyu", "-"},
	{"ư", "- c m n ng t"}, {"ưa", "-"}, {"ưi", "-"}, {"ưu", "-"},
	{"ươ", "c m n ng p t"}, {"ươi", "-"}, {"ươu", "-"},
	{"y", "-"}, {"yê", "m n ng t"}, {"yêu", "-"},
}

// syllableTables holds the rhyme table in letter codes.
type syllableTables struct {
	rhymes map[string]rhymeInfo
}

var sylTables = buildSyllableTables()

func buildSyllableTables() *syllableTables {
	t := &syllableTables{rhymes: make(map[string]rhymeInfo)}
	for _, r := range rhymeSpec {
		v := stringCodes(r.vowels)
		for _, coda := range strings.Fields(r.codas) {
			if coda == "-" {
				coda = ""
			}
			info := rhymeInfo{stop: coda == "c" || coda == "ch" || coda == "p" || coda == "t"}
			info.newPos, info.oldPos = toneIndex(v, coda != "")
			t.rhymes[string(v)+string(stringCodes(coda))] = info
			if coda == "c" {
				// Place names from minority languages end in k: Đắk Lắk.
				t.rhymes[string(v)+"k"] = info
			}
		}
	}
	return t
}

// toneIndex applies the placement rules to a vowel group: a single vowel
// takes the tone; else the last vowel with a circumflex, breve or horn (ươ
// -> ơ); else the middle of three; else, with a coda, the second of two.
// Without a coda the styles differ on oa, oe, uy: the new style (QĐ 2018)
// marks the main vowel (hoà, khoẻ, thuý), the old one the first (hòa, khỏe,
// thúy); other pairs take it on the first vowel (mía, múa, tài).
func toneIndex(v []byte, coda bool) (newPos, oldPos int8) {
	if len(v) == 1 {
		return 0, 0
	}
	for i := len(v) - 1; i >= 0; i-- {
		if hasShape[v[i]] {
			return int8(i), int8(i)
		}
	}
	if len(v) == 3 {
		return 1, 1
	}
	if coda {
		return 1, 1
	}
	switch string(v) {
	case "oa", "oe", "uy":
		return 1, 0
	}
	return 0, 0
}

// parseCodes analyses a word given as letter codes. It checks the onset,
// the rhyme against the rhyme table, the spelling rules of c, g/gh and
// ng/ngh (k is let before any vowel: Kon Tum, Bắc Kạn), and that a stop
// coda carries sắc or nặng.
func parseCodes(c []byte, tone Tone) (p parsed, ok bool) {
	n := len(c)
	if n == 0 {
		return p, false
	}
	// Onset.
	if !isVowelCode[c[0]] {
		switch {
		case n > 2 && c[0] == 'g' && c[1] == 'i' && isVowelCode[c[2]]:
			p.onsetEnd = 2
		case c[0] == 'q':
			if n < 3 || c[1] != 'u' || !isVowelCode[c[2]] {
				return p, false
			}
			p.onsetEnd = 2
		default:
			p.onsetEnd = onsetLen(c)
			if p.onsetEnd == 0 {
				return p, false
			}
		}
	}
	// Vowels: the longest run of vowel codes.
	p.vowelEnd = p.onsetEnd
	for p.vowelEnd < n && isVowelCode[c[p.vowelEnd]] {
		p.vowelEnd++
	}
	if p.vowelEnd == p.onsetEnd {
		return p, false
	}
	rhyme := c[p.onsetEnd:]
	info, found := sylTables.rhymes[string(rhyme)]
	if !found && p.onsetEnd == 2 && len(rhyme) < 8 {
		// The i of iê merges into a gi onset ("giếng" is gi + iêng) and the
		// u of uy into a qu onset ("quỳnh" is qu + uynh).
		var glide byte
		switch {
		case c[0] == 'g' && c[1] == 'i' && rhyme[0] == cEe:
			glide = 'i'
		case c[0] == 'q' && rhyme[0] == 'y':
			glide = 'u'
		}
		if glide != 0 {
			var buf [8]byte
			info, found = sylTables.rhymes[string(append(append(buf[:0], glide), rhyme...))]
			p.merged = found
		}
	}
	if !found {
		return p, false
	}
	if info.stop && tone != ToneSac && tone != ToneNang {
		return p, false
	}
	first := c[p.onsetEnd]
	front := first == 'i' || first == 'e' || first == cEe || first == 'y'
	switch string(c[:p.onsetEnd]) {
	case "c":
		if front {
			return p, false
		}
	case "gh", "ngh":
		if !front || first == 'y' {
			return p, false
		}
	case "g":
		if first == 'e' || first == cEe {
			return p, false
		}
	case "ng":
		if front {
			return p, false
		}
	}
	p.rhyme = info
	return p, true
}
