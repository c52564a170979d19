package vntext

import (
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// Windows-1258 (CP1258) is CP1252 with Vietnamese letters in place of some
// Western ones: Ă ă Ơ ơ Ư ư Đ đ ₫, and five combining tone bytes written
// after their base letter:
//
//	0xCC huyền (U+0300)   0xEC sắc (U+0301)   0xD2 hỏi (U+0309)
//	0xDE ngã (U+0303)     0xF2 nặng (U+0323)
//
// Some toned letters are also precomposed (à á â ã è é ê ì í ò ó ô õ ù ú ý,
// in both cases, less those whose slots the tone bytes took). Windows writes
// a precomposed letter where the code page has one, else a base letter (â,
// ơ, ... included) and a tone byte. The table comes from x/text's
// charmap.Windows1258, which agrees with glibc's CP1258 (checked by the
// iconv tests); its nine undefined bytes decode to U+FFFD.

// cp1258ToneBytes maps each tone to its combining byte.
var cp1258ToneBytes = [numTones]byte{0, 0xCC, 0xD2, 0xDE, 0xEC, 0xF2}

var cp1258Table = func() *byteTable {
	var runes [256]rune
	for b := range runes {
		runes[b] = charmap.Windows1258.DecodeByte(byte(b))
	}
	mods := make(map[byte]modifier)
	for t := ToneHuyen; t < numTones; t++ {
		mods[cp1258ToneBytes[t]] = modifier{ok: true, tone: t}
	}
	return newByteTable(runes, mods)
}()

var cp1258Bytes = cp1258Table.reverse(nil)

// encodeCP1258 encodes the NFC string s as Windows does: a precomposed
// letter when the code page has one, else the untoned letter and a tone
// byte.
func encodeCP1258(s string) ([]byte, error) {
	out := make([]byte, 0, len(s)+len(s)/4)
	for i, r := range s {
		if r < utf8.RuneSelf {
			out = append(out, byte(r))
			continue
		}
		if b, ok := cp1258Bytes[r]; ok {
			out = append(out, b...)
			continue
		}
		if r >= '\u0300' && r <= '\u0323' {
			if t := toneOfMark(r); t != ToneNgang {
				out = append(out, cp1258ToneBytes[t])
				continue
			}
		}
		if li, ok := vnLetter(r); ok && li.tone != ToneNgang {
			if b, ok := cp1258Bytes[compose(li.code, ToneNgang, li.upper)]; ok {
				out = append(out, b[0], cp1258ToneBytes[li.tone])
				continue
			}
		}
		return nil, &EncodeError{Encoding: CP1258, Rune: r, Offset: i}
	}
	return out, nil
}

// toneOfMark returns the tone of a combining tone mark, or ToneNgang.
func toneOfMark(r rune) Tone {
	for t := ToneHuyen; t < numTones; t++ {
		if toneMarks[t] == r {
			return t
		}
	}
	return ToneNgang
}
