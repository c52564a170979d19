package vntext

import (
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// ToneStyle says on which vowel of oa, oe, uy (without a final consonant)
// the tone mark goes. Both styles are found in official text; registers keep
// theirs, match keys use ToneNew.
type ToneStyle uint8

// The tone styles.
const (
	// ToneNew marks the main vowel: hoà, khoẻ, thuý (QĐ 1989, QĐ 2018 Art. 8).
	ToneNew ToneStyle = iota
	// ToneOld marks the first vowel: hòa, khỏe, thúy (the older habit).
	ToneOld
)

// Retone returns s (made NFC) with the tone mark of every Vietnamese
// syllable moved to the vowel where style puts it: "Hòa" becomes "Hoà" in
// ToneNew, "baỏ" and "lựơng" become "bảo" and "lượng" in both. Case and
// every other character are kept; words that are not well-formed syllables
// are left alone.
func Retone(s string, style ToneStyle) string {
	s = validUTF8(s)
	if isASCII(s) {
		return s
	}
	if !isNFC(s) {
		s = norm.NFC.String(s)
	}
	var buf [128]byte
	dst := buf[:0]
	for i := 0; i < len(s); {
		end, word := nextSegment(s, i)
		if word {
			dst = appendRetoned(dst, s[i:end], style, false)
		} else {
			dst = append(dst, s[i:end]...)
		}
		i = end
	}
	if string(dst) == s {
		return s
	}
	return string(dst)
}

// nextSegment returns the end of the segment of s starting at i: a
// maximal run of Vietnamese letters (word true) or of other runes.
func nextSegment(s string, i int) (end int, word bool) {
	first := true
	for j, r := range s[i:] {
		w := isVietnameseLetter(r)
		if first {
			word, first = w, false
			continue
		}
		if w != word {
			return i + j, word
		}
	}
	return len(s), word
}

// appendRetoned appends word, a run of Vietnamese letters, to dst with its
// tone mark placed by style, in lower case if lower is set. A word that is
// not a well-formed syllable keeps its marks where they are.
func appendRetoned(dst []byte, word string, style ToneStyle, lower bool) []byte {
	var infoBuf [12]letterInfo
	infos := infoBuf[:0]
	var codeBuf [12]byte
	codes := codeBuf[:0]
	tone, tones := ToneNgang, 0
	for _, r := range word {
		li, _ := vnLetter(r)
		if lower {
			li.upper = false
		}
		infos = append(infos, li)
		codes = append(codes, li.code)
		if li.tone != ToneNgang {
			tone = li.tone
			tones++
		}
	}
	pos := -1
	if tones == 1 {
		if p, ok := parseCodes(codes, tone); ok {
			if i := p.tonePos(style); i >= 0 && i < len(codes) && isVowelCode[codes[i]] {
				pos = i
			}
		}
	}
	for i, li := range infos {
		t := li.tone
		if pos >= 0 {
			t = ToneNgang
			if i == pos {
				t = tone
			}
		}
		dst = utf8.AppendRune(dst, compose(li.code, t, li.upper))
	}
	return dst
}

// isNFC reports whether s is certainly in NFC, without allocating (a
// false answer only costs a normalisation). ASCII, Vietnamese letters and
// common punctuation are decided with the letter tables (see
// isVietnameseNFC), anything else by x/text.
func isNFC(s string) bool {
	for i := 0; i < len(s); {
		if s[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if _, ok := vnLetter(r); !ok && !isCommonPunct(r) {
			return norm.NFC.QuickSpanString(s) == len(s)
		}
		i += n
	}
	return true
}

// isASCII reports whether s is all ASCII.
func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
