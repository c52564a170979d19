package vntext

import (
	"bytes"
	"fmt"
	"io"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// trimUTF8BOM removes a leading UTF-8 byte order mark.
func trimUTF8BOM(b []byte) []byte {
	return bytes.TrimPrefix(b, utf8BOM)
}

// decodeUTF8 appends src, UTF-8 that may be NFD or hold invalid bytes, to
// dst in NFC, each invalid byte replaced by U+FFFD.
func decodeUTF8(dst, src []byte) []byte {
	if !utf8.Valid(src) {
		src = appendValidUTF8(make([]byte, 0, len(src)+8), src)
	}
	return appendNFC(dst, src)
}

// appendNFC appends the valid UTF-8 src to dst in NFC. Text already in NFC
// (the common case: ASCII, precomposed Vietnamese) is copied as it is;
// Vietnamese in NFD (an ASCII vowel followed by its marks) is composed
// with a table; anything else goes through x/text's normaliser.
func appendNFC(dst, src []byte) []byte {
	if isVietnameseNFC(src) {
		return append(dst, src...)
	}
	n := norm.NFC.QuickSpan(src)
	if n == len(src) {
		return append(dst, src...)
	}
	start := len(dst)
	if out, ok := composeNFD(dst, src); ok && (isVietnameseNFC(out[start:]) || norm.NFC.QuickSpan(out[start:]) == len(out)-start) {
		return out
	}
	// dst may hold earlier output; normalise this chunk on its own (chunks
	// start after a line feed, a boundary NFC never crosses).
	dst = append(dst[:start], src[:n]...)
	tail := norm.NFC.Append(dst[start:start+n:start+n], src[n:]...)
	return append(dst[:start], tail...)
}

// utf16Encoding returns the x/text UTF-16 encoding for e; a BOM in the
// input overrides the byte order e names.
func utf16Encoding(e Encoding) encoding.Encoding {
	if e == UTF16BE {
		return unicode.UTF16(unicode.BigEndian, unicode.UseBOM)
	}
	return unicode.UTF16(unicode.LittleEndian, unicode.UseBOM)
}

// utf16ToUTF8 converts UTF-16 to UTF-8; unpaired surrogates and a trailing
// odd byte become U+FFFD.
func utf16ToUTF8(e Encoding, b []byte) ([]byte, error) {
	out, err := utf16Encoding(e).NewDecoder().Bytes(b)
	if err != nil {
		return nil, fmt.Errorf("decode %v: %w", e, err)
	}
	return out, nil
}

// utf16Reader returns a reader of r converted from UTF-16 to UTF-8.
func utf16Reader(r io.Reader, e Encoding) io.Reader {
	return transform.NewReader(r, utf16Encoding(e).NewDecoder())
}

// encodeUTF16 encodes s as UTF-16 in e's byte order, with a BOM.
func encodeUTF16(e Encoding, s string) ([]byte, error) {
	out, err := utf16Encoding(e).NewEncoder().Bytes([]byte(s))
	if err != nil {
		return nil, fmt.Errorf("encode %v: %w", e, err)
	}
	return out, nil
}

// nfdMarks are the combining marks of Vietnamese in NFD, numbered from 1.
var nfdMarks = [...]rune{'\u0300', '\u0301', '\u0303', '\u0309', '\u0323', '\u0302', '\u0306', '\u031B'}

// nfdTable composes an ASCII vowel and up to two marks (in the order NFD
// writes them) into its precomposed letter: [upper][vowel][mark1*9+mark2].
var nfdTable = func() (t *[2][6][81]rune) {
	t = new([2][6][81]rune)
	for _, upper := range []bool{false, true} {
		for c := range isVowelCode {
			if !isVowelCode[c] {
				continue
			}
			for tone := ToneNgang; tone < numTones; tone++ {
				r := compose(byte(c), tone, upper)
				d := []rune(norm.NFD.String(string(r)))
				if len(d) < 2 || len(d) > 3 {
					continue
				}
				v := nfdVowel(d[0])
				key := 0
				for _, m := range d[1:] {
					key = key*9 + nfdMark(m)
				}
				if v >= 0 {
					u := 0
					if upper {
						u = 1
					}
					t[u][v][key] = r
				}
			}
		}
	}
	return t
}()

// nfdVowel numbers the ASCII vowels a e i o u y (either case) 0..5.
func nfdVowel(r rune) int {
	switch r | 0x20 {
	case 'a':
		return 0
	case 'e':
		return 1
	case 'i':
		return 2
	case 'o':
		return 3
	case 'u':
		return 4
	case 'y':
		return 5
	}
	return -1
}

// nfdMark numbers a Vietnamese combining mark 1..8, 0 for another rune.
func nfdMark(r rune) int {
	for i, m := range nfdMarks {
		if m == r {
			return i + 1
		}
	}
	return 0
}

// composeNFD appends src to dst with each ASCII vowel and its following
// Vietnamese combining marks composed. It reports false on a combining mark
// it cannot place (after another letter, a third mark, an order NFD does
// not write), leaving the work to the full normaliser.
func composeNFD(dst, src []byte) ([]byte, bool) {
	for i := 0; i < len(src); {
		c := src[i]
		if c == 0xCC || c == 0xCD {
			return dst, false // a mark after something other than an ASCII vowel
		}
		if c >= utf8.RuneSelf {
			_, n := utf8.DecodeRune(src[i:])
			dst = append(dst, src[i:i+n]...)
			i += n
			continue
		}
		if i+1 >= len(src) || src[i+1] != 0xCC && src[i+1] != 0xCD {
			dst = append(dst, c)
			i++
			continue
		}
		v := nfdVowel(rune(c))
		if v < 0 {
			return dst, false
		}
		key, j := 0, i+1
		for k := 0; j+1 < len(src) && (src[j] == 0xCC || src[j] == 0xCD); k++ {
			m, n := utf8.DecodeRune(src[j:])
			mi := nfdMark(m)
			if mi == 0 || k == 2 {
				return dst, false
			}
			key = key*9 + mi
			j += n
		}
		u := 0
		if c < 'a' {
			u = 1
		}
		r := nfdTable[u][v][key]
		if r == 0 {
			return dst, false
		}
		dst = utf8.AppendRune(dst, r)
		i = j
	}
	return dst, true
}

// isVietnameseNFC is a quick check for the text of registers: ASCII,
// precomposed Vietnamese letters and common punctuation are all in NFC and
// never compose with a neighbour that is one of them. It reports false
// (undecided) at the first other rune.
func isVietnameseNFC(b []byte) bool {
	for i := 0; i < len(b); {
		c := b[i]
		if c < utf8.RuneSelf {
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if _, ok := vnLetter(r); !ok && !isCommonPunct(r) && r != '₫' {
			return false
		}
		i += n
	}
	return true
}
