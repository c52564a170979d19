package vntext

import (
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/unicode/norm"
)

// The legacy encodings all read a byte at a time: most bytes stand for one
// character, and some (CP1258's tone bytes, VNI's mark bytes, TCVN3's five
// combining marks) modify the letter before them. byteTable holds one
// encoding's 256 entries in arrays, so decoding never looks a rune up in a
// map.

// Shape modifiers a mark byte may apply to the letter before it.
const (
	shapeNone       = 0
	shapeCircumflex = 1 // a e o -> â ê ô
	shapeBreve      = 2 // a -> ă
)

// modifier is what a mark byte does to the letter before it.
type modifier struct {
	ok    bool
	shape uint8
	tone  Tone
}

// byteTable decodes one single-byte encoding.
type byteTable struct {
	runes [256]rune     // the character of each byte (0 for a modifier)
	utf   [256][4]byte  // its UTF-8 form
	size  [256]uint8    // length of utf
	plain [256]bool     // the byte is ASCII and stands for itself
	mod   [256]modifier // the byte modifies the letter before it
}

// newByteTable builds a table from a rune per byte (0 or a modifier for a
// mark byte).
func newByteTable(runes [256]rune, mods map[byte]modifier) *byteTable {
	t := &byteTable{runes: runes}
	for b, r := range runes {
		if m, ok := mods[byte(b)]; ok {
			t.mod[b] = m
			t.runes[b] = 0
			continue
		}
		t.size[b] = uint8(utf8.EncodeRune(t.utf[b][:], r))
		t.plain[b] = b < utf8.RuneSelf && r == rune(b)
	}
	return t
}

// cp1252Runes returns the Windows-1252 character of each byte, with U+FFFD
// for the five undefined bytes 0x81 0x8D 0x8F 0x90 0x9D. TCVN3 and VNI files
// of the Word era hold CP1252 punctuation (curly quotes, dashes) in
// 0x80–0x9F.
func cp1252Runes() (t [256]rune) {
	for b := range t {
		t[b] = charmap.Windows1252.DecodeByte(byte(b))
	}
	return t
}

// decode appends the NFC UTF-8 decoding of src to dst.
func (t *byteTable) decode(dst, src []byte) []byte {
	start := len(dst)
	last := -1 // index in dst of the last rune when it is a vowel letter
	var lastInfo letterInfo
	needNFC := false
	for i := 0; i < len(src); i++ {
		b := src[i]
		if t.plain[b] {
			j := i + 1
			for j < len(src) && t.plain[src[j]] {
				j++
			}
			dst = append(dst, src[i:j]...)
			last = -1
			if li := letters.low[src[j-1]]; isVowelCode[li.code] {
				last, lastInfo = len(dst)-1, li
			}
			i = j - 1
			continue
		}
		if m := t.mod[b]; m.ok {
			if last >= 0 {
				if li, ok := applyModifier(lastInfo, m); ok {
					dst = utf8.AppendRune(dst[:last], compose(li.code, li.tone, li.upper))
					lastInfo = li
					continue
				}
			}
			dst = appendMarks(dst, m)
			needNFC = true
			last = -1
			continue
		}
		n := len(dst)
		dst = append(dst, t.utf[b][:t.size[b]]...)
		last = -1
		if li, ok := vnLetter(t.runes[b]); ok && isVowelCode[li.code] {
			last, lastInfo = n, li
		}
	}
	if needNFC {
		out := norm.NFC.Bytes(dst[start:])
		dst = append(dst[:start], out...)
	}
	return dst
}

// applyModifier returns the letter li becomes under m, or false when m
// does not apply (a second tone, a breve on e, ...).
func applyModifier(li letterInfo, m modifier) (letterInfo, bool) {
	if m.tone != ToneNgang {
		if li.tone != ToneNgang {
			return li, false
		}
		li.tone = m.tone
	}
	switch m.shape {
	case shapeCircumflex:
		switch li.code {
		case 'a':
			li.code = cAa
		case 'e':
			li.code = cEe
		case 'o':
			li.code = cOo
		default:
			return li, false
		}
	case shapeBreve:
		if li.code != 'a' {
			return li, false
		}
		li.code = cAw
	}
	return li, true
}

// appendMarks appends m as Unicode combining characters, for a mark byte
// that follows no letter it can modify.
func appendMarks(dst []byte, m modifier) []byte {
	switch m.shape {
	case shapeCircumflex:
		dst = utf8.AppendRune(dst, '\u0302')
	case shapeBreve:
		dst = utf8.AppendRune(dst, '\u0306')
	}
	if m.tone != ToneNgang {
		dst = utf8.AppendRune(dst, toneMarks[m.tone])
	}
	return dst
}

// byteEncoder encodes runes into a single-byte encoding.
type byteEncoder struct {
	bytes map[rune][]byte
}

// encode encodes the NFC string s.
func (e *byteEncoder) encode(enc Encoding, s string) ([]byte, error) {
	out := make([]byte, 0, len(s))
	for i, r := range s {
		if r < utf8.RuneSelf {
			if b, ok := e.bytes[r]; ok {
				out = append(out, b...)
				continue
			}
		} else if b, ok := e.bytes[r]; ok {
			out = append(out, b...)
			continue
		}
		return nil, &EncodeError{Encoding: enc, Rune: r, Offset: i}
	}
	return out, nil
}

// reverse returns the rune-to-bytes map of a table: for each rune its
// first byte, skipping U+FFFD and the bytes skip excludes.
func (t *byteTable) reverse(skip func(b byte, r rune) bool) map[rune][]byte {
	m := make(map[rune][]byte, 256)
	for b := 0; b < 256; b++ {
		r := t.runes[b]
		if t.mod[b].ok || r == utf8.RuneError || (skip != nil && skip(byte(b), r)) {
			continue
		}
		if _, dup := m[r]; !dup {
			m[r] = []byte{byte(b)}
		}
	}
	return m
}
