package vntext

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Clean returns the display form of a cell: NFC, trimmed, inner white space
// (tabs, newlines, NBSP) collapsed to single spaces, zero-width characters
// dropped, and Ð/ð (U+00D0/U+00F0, Icelandic eth, typed for the Vietnamese
// letter) replaced by Đ/đ. Spelling, case and tone-mark placement are the
// source's: a certified copy must reproduce the register. Clean returns s
// itself, without allocating, when s is already clean. Bytes that are not
// UTF-8 become U+FFFD.
func Clean(s string) string {
	s = validUTF8(s)
	if isASCII(s) {
		if isCleanASCII(s) {
			return s
		}
	} else if !isNFC(s) {
		s = norm.NFC.String(s)
	}
	if isCleanText(s) {
		return s
	}
	dst := make([]byte, 0, len(s))
	space := false
	for _, r := range s {
		switch {
		case isInvisible(r):
			continue
		case isSeparator(r):
			space = true
			continue
		case r == 'Ð':
			r = 'Đ'
		case r == 'ð':
			r = 'đ'
		}
		if space && len(dst) > 0 {
			dst = append(dst, ' ')
		}
		space = false
		dst = utf8.AppendRune(dst, r)
	}
	return string(dst)
}

// isCleanASCII reports whether the ASCII string s has no white space other
// than single inner spaces.
func isCleanASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case ' ':
			if i == 0 || i == len(s)-1 || s[i+1] == ' ' {
				return false
			}
		case '\t', '\n', '\v', '\f', '\r':
			return false
		}
	}
	return true
}

// isCleanText reports whether the NFC string s is already in Clean's form.
func isCleanText(s string) bool {
	prevSpace := true
	for _, r := range s {
		sep := isSeparator(r)
		if sep && (r != ' ' || prevSpace) || isInvisible(r) || r == 'Ð' || r == 'ð' {
			return false
		}
		prevSpace = sep
	}
	return !prevSpace || s == ""
}

// TitleName returns the display form of a person's name: Clean, then
// Vietnamese title case, each word's first letter upper case and the others
// lower case ("NGUYỄN VĂN AN" gives "Nguyễn Văn An"). The tone-mark placement
// is kept ("hoà" gives "Hoà"). A letter after a hyphen or an apostrophe
// starts a word ("H'Hen", "K'Sor").
func TitleName(s string) string {
	s = Clean(s)
	dst := make([]byte, 0, len(s))
	prevAlnum := false
	for _, r := range s {
		switch {
		case unicode.IsLetter(r):
			if li, ok := vnLetter(r); ok {
				r = compose(li.code, li.tone, !prevAlnum)
			} else if prevAlnum {
				r = unicode.ToLower(r)
			} else {
				r = unicode.ToTitle(r)
			}
			prevAlnum = true
		case unicode.IsDigit(r):
			prevAlnum = true
		case unicode.Is(unicode.Mn, r):
			// A combining mark that did not compose stays with its letter.
		default:
			prevAlnum = false
		}
		dst = utf8.AppendRune(dst, r)
	}
	if string(dst) == s {
		return s
	}
	return string(dst)
}

// validUTF8 returns s with each byte that is not valid UTF-8 replaced by
// U+FFFD, or s itself when it is valid.
func validUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return string(appendValidUTF8(make([]byte, 0, len(s)+8), []byte(s)))
}

// appendValidUTF8 appends src to dst with each byte that does not start a
// valid UTF-8 sequence replaced by U+FFFD.
func appendValidUTF8(dst, src []byte) []byte {
	for len(src) > 0 {
		r, n := utf8.DecodeRune(src)
		if r == utf8.RuneError && n == 1 {
			dst = append(dst, "\uFFFD"...)
		} else {
			dst = append(dst, src[:n]...)
		}
		src = src[n:]
	}
	return dst
}

// DropXMLInvalid returns s without the characters XML 1.0 cannot carry
// (C0 controls other than TAB, LF and CR; U+FFFE and U+FFFF; bytes that
// are not UTF-8), and how many it dropped. It returns s itself, without
// allocating, when there are none. A register's value never holds them:
// they are keying or export accidents (an ESC sequence, a stray ^A), and
// an exchange file in XML cannot hold them at all.
func DropXMLInvalid(s string) (string, int) {
	i := 0
	for i < len(s) {
		c := s[i]
		if c >= 0x20 && c < 0x80 {
			i++
			continue
		}
		if c < 0x20 {
			if c == '\t' || c == '\n' || c == '\r' {
				i++
				continue
			}
			break
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 || r == 0xFFFE || r == 0xFFFF {
			break
		}
		i += n
	}
	if i == len(s) {
		return s, 0
	}
	var b strings.Builder
	b.Grow(len(s))
	b.WriteString(s[:i])
	dropped := 0
	for i < len(s) {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r < 0x20 && r != '\t' && r != '\n' && r != '\r' || r == 0xFFFE || r == 0xFFFF || r == utf8.RuneError && n == 1 {
			dropped++
		} else {
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String(), dropped
}
