package vntext

import (
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// CanonKey returns the first match key of s: lower case, NFC, white space
// trimmed and collapsed to single spaces, Ð read as đ, and the tone mark of
// every syllable on the vowel where ToneNew puts it, so that "Hoà" and
// "Hòa", "Thuý" and "Thúy", "khoẻ" and "khỏe" give the same key. gi and qu
// count as consonants ("giữa", "quý"). The key is stable and idempotent:
// CanonKey(CanonKey(s)) == CanonKey(s).
func CanonKey(s string) string {
	if isASCII(s) {
		return asciiKey(s)
	}
	if !isNFC(s) {
		s = norm.NFC.String(s)
	}
	var buf [96]byte
	dst := buf[:0]
	space := false
	for i := 0; i < len(s); {
		end, word := nextSegment(s, i)
		if word {
			if space && len(dst) > 0 {
				dst = append(dst, ' ')
			}
			space = false
			dst = appendRetoned(dst, s[i:end], ToneNew, true)
			i = end
			continue
		}
		for _, r := range s[i:end] {
			if isInvisible(r) {
				continue
			}
			if isSeparator(r) {
				space = true
				continue
			}
			if space && len(dst) > 0 {
				dst = append(dst, ' ')
			}
			space = false
			dst = utf8.AppendRune(dst, unicode.ToLower(r))
		}
		i = end
	}
	if string(dst) == s {
		return s
	}
	return string(dst)
}

// FoldKey returns the second match key of s: folded to ASCII where the
// letter allows it (every diacritic removed, đ/Đ/Ð to d), lower case, white
// space trimmed and collapsed: "Nguyễn Văn Đức" gives "nguyen van duc".
// Letters outside the Vietnamese alphabet lose their marks too ("Müller"
// gives "muller"). FoldKey is idempotent.
func FoldKey(s string) string {
	if isASCII(s) {
		return asciiKey(s)
	}
	var buf [96]byte
	dst := buf[:0]
	space := false
	for _, r := range s {
		if isSeparator(r) {
			space = true
			continue
		}
		if li, ok := vnLetter(r); ok {
			if space && len(dst) > 0 {
				dst = append(dst, ' ')
			}
			space = false
			dst = append(dst, codeFold[li.code])
			continue
		}
		if unicode.Is(unicode.Mn, r) || isInvisible(r) {
			continue // a combining mark of NFD input, a zero-width character
		}
		if space && len(dst) > 0 {
			dst = append(dst, ' ')
		}
		space = false
		dst = appendFolded(dst, r)
	}
	return string(dst)
}

// appendFolded appends r lower-cased and stripped of its combining marks.
func appendFolded(dst []byte, r rune) []byte {
	var rb [utf8.UTFMax]byte
	d := norm.NFD.Bytes(utf8.AppendRune(rb[:0], r))
	for len(d) > 0 {
		x, n := utf8.DecodeRune(d)
		d = d[n:]
		if unicode.Is(unicode.Mn, x) {
			continue
		}
		dst = utf8.AppendRune(dst, unicode.ToLower(x))
	}
	return dst
}

// asciiKey lower-cases an ASCII string and collapses its white space,
// returning s itself when nothing changes.
func asciiKey(s string) string {
	clean := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'A' <= c && c <= 'Z':
			clean = false
		case c == ' ':
			if i == 0 || i == len(s)-1 || s[i+1] == ' ' {
				clean = false
			}
		case c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f':
			clean = false
		}
		if !clean {
			break
		}
	}
	if clean {
		return s
	}
	var buf [96]byte
	dst := buf[:0]
	space := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case ' ', '\t', '\n', '\r', '\v', '\f':
			space = true
			continue
		}
		if space && len(dst) > 0 {
			dst = append(dst, ' ')
		}
		space = false
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return string(dst)
}

// isSeparator reports the runes that separate words: Unicode white space,
// NBSP included.
func isSeparator(r rune) bool {
	if r < utf8.RuneSelf {
		return r == ' ' || ('\t' <= r && r <= '\r')
	}
	return unicode.IsSpace(r)
}

// isInvisible reports the zero-width characters that editors leave inside
// cells (zero-width space and joiners, word joiner, BOM); they are dropped.
func isInvisible(r rune) bool {
	switch r {
	case '\u200B', '\u200C', '\u200D', '\u2060', '\uFEFF':
		return true
	}
	return false
}
