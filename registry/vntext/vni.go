package vntext

import "unicode/utf8"

// VNI-Windows writes a toned or shaped vowel as its ASCII base letter
// followed by a mark byte, with a lower-case and an upper-case variant of
// each mark (the upper-case one sits higher, over a capital):
//
//	mark           lower upper    mark            lower upper
//	sắc            F9    D9       circumflex      E2    C2
//	huyền          F8    D8       circ. + sắc     E1    C1
//	hỏi            FB    DB       circ. + huyền   E0    C0
//	ngã            F5    D5       circ. + hỏi     E5    C5
//	nặng           EF    CF       circ. + ngã     E3    C3
//	breve          EA    CA       circ. + nặng    E4    C4
//	breve + sắc    E9    C9       breve + hỏi     FA    DA
//	breve + huyền  E8    C8       breve + ngã     FC    DC
//	breve + nặng   EB    CB
//
// Some letters are single bytes: Đ D1, đ F1, Ơ D4, ơ F4, Ư D6, ư F6 (ơ and
// ư take tone marks after them), the toned i (Í CD í ED, Ì CC ì EC, Ỉ C6
// ỉ E6, Ĩ D3 ĩ F3, Ị D2 ị F2) and Ỵ CE, ỵ EE. 0x80–0x9F are CP1252
// punctuation and the other bytes read as CP1252. The table follows
// Unikey's VNI-WIN converter table (the vnconv data in fcitx5-unikey).

// vniLetters are the single-byte letters.
var vniLetters = map[byte]rune{
	0xD1: 'Đ', 0xF1: 'đ', 0xD4: 'Ơ', 0xF4: 'ơ', 0xD6: 'Ư', 0xF6: 'ư',
	0xCD: 'Í', 0xED: 'í', 0xCC: 'Ì', 0xEC: 'ì', 0xC6: 'Ỉ', 0xE6: 'ỉ',
	0xD3: 'Ĩ', 0xF3: 'ĩ', 0xD2: 'Ị', 0xF2: 'ị', 0xCE: 'Ỵ', 0xEE: 'ỵ',
}

// vniMarks are the mark bytes, lower-case variant: [shape][tone].
var vniMarks = [3][numTones]byte{
	shapeNone:       {0, 0xF8, 0xFB, 0xF5, 0xF9, 0xEF},
	shapeCircumflex: {0xE2, 0xE0, 0xE5, 0xE3, 0xE1, 0xE4},
	shapeBreve:      {0xEA, 0xE8, 0xFA, 0xFC, 0xE9, 0xEB},
}

// vniUpper turns a lower-case mark byte into its upper-case variant.
const vniUpper = 0x20

var vniTable = func() *byteTable {
	runes := cp1252Runes()
	for b, r := range vniLetters {
		runes[b] = r
	}
	mods := make(map[byte]modifier)
	for shape, tones := range vniMarks {
		for t, b := range tones {
			if b == 0 {
				continue
			}
			m := modifier{ok: true, shape: uint8(shape), tone: Tone(t)}
			mods[b] = m
			mods[b-vniUpper] = m
		}
	}
	return newByteTable(runes, mods)
}()

// vniPlain maps the runes VNI writes as one byte: ASCII, its single-byte
// letters, and the CP1252 characters whose bytes VNI leaves alone, less the
// Vietnamese letters among those (ý is written y + mark, not CP1252's 0xFD).
var vniPlain = vniTable.reverse(func(b byte, r rune) bool {
	_, single := vniLetters[b]
	return r >= 0x80 && !single && isVietnameseLetter(r)
})

// decodeVNI decodes a chunk of VNI-Windows text.
func decodeVNI(dst, src []byte) []byte { return vniTable.decode(dst, src) }

// encodeVNI encodes the NFC string s as VNI-Windows.
func encodeVNI(s string) ([]byte, error) {
	out := make([]byte, 0, len(s)+len(s)/4)
	for i, r := range s {
		if r < utf8.RuneSelf {
			out = append(out, byte(r))
			continue
		}
		if b, ok := vniPlain[r]; ok {
			out = append(out, b...)
			continue
		}
		li, ok := vnLetter(r)
		if !ok {
			return nil, &EncodeError{Encoding: VNI, Rune: r, Offset: i}
		}
		base, shape := li.code, uint8(shapeNone)
		switch li.code {
		case cAa:
			base, shape = 'a', shapeCircumflex
		case cEe:
			base, shape = 'e', shapeCircumflex
		case cOo:
			base, shape = 'o', shapeCircumflex
		case cAw:
			base, shape = 'a', shapeBreve
		}
		b0, ok := vniPlain[compose(base, ToneNgang, li.upper)]
		mark := vniMarks[shape][li.tone]
		if !ok || mark == 0 {
			return nil, &EncodeError{Encoding: VNI, Rune: r, Offset: i}
		}
		if li.upper {
			mark -= vniUpper
		}
		out = append(out, b0[0], mark)
	}
	return out, nil
}
