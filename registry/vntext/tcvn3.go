package vntext

import "unicode/utf8"

// TCVN3 is TCVN 5712:1993 VN3, the encoding of the ".VnTime" (ABC) fonts
// that most ward offices typed in before Unicode. Its upper half holds the
// seven capitals with a shape diacritic (0xA1–0xA7), their lower-case forms
// (0xA8–0xAE) and the toned lower-case letters (0xB5–0xFE). Upper-case toned
// letters were typed with the ".VnTimeH" font, which draws the lower-case
// codes as capitals: the file stores "NGUYỄN" as "NGUYÔN" (0xD4 is ễ).
//
// glibc's TCVN5712-1 is the full VN1 set, with capitals at 0x01–0x17 and
// 0x80–0x9F. Files of the Word era hold CP1252 punctuation there instead
// (0x93/0x94 curly quotes, 0x96 en dash), so this decoder reads 0x00–0x7F as
// ASCII and 0x80–0x9F as CP1252. 0xA0–0xFF follow glibc (which agrees with
// Unikey's TCVN3 table on every letter Unikey writes); 0xB0–0xB4 are
// combining tone marks.

// tcvn3High is the character of each byte 0xA0–0xFF (glibc TCVN5712-1).
var tcvn3High = [96]rune{
	0x00A0, 0x0102, 0x00C2, 0x00CA, 0x00D4, 0x01A0, 0x01AF, 0x0110, // A0 nbsp Ă Â Ê Ô Ơ Ư Đ
	0x0103, 0x00E2, 0x00EA, 0x00F4, 0x01A1, 0x01B0, 0x0111, 0x1EB0, // A8 ă â ê ô ơ ư đ Ằ
	0x0300, 0x0309, 0x0303, 0x0301, 0x0323, 0x00E0, 0x1EA3, 0x00E3, // B0 (marks) à ả ã
	0x00E1, 0x1EA1, 0x1EB2, 0x1EB1, 0x1EB3, 0x1EB5, 0x1EAF, 0x1EB4, // B8 á ạ Ẳ ằ ẳ ẵ ắ Ẵ
	0x1EAE, 0x1EA6, 0x1EA8, 0x1EAA, 0x1EA4, 0x1EC0, 0x1EB7, 0x1EA7, // C0 Ắ Ầ Ẩ Ẫ Ấ Ề ặ ầ
	0x1EA9, 0x1EAB, 0x1EA5, 0x1EAD, 0x00E8, 0x1EC2, 0x1EBB, 0x1EBD, // C8 ẩ ẫ ấ ậ è Ể ẻ ẽ
	0x00E9, 0x1EB9, 0x1EC1, 0x1EC3, 0x1EC5, 0x1EBF, 0x1EC7, 0x00EC, // D0 é ẹ ề ể ễ ế ệ ì
	0x1EC9, 0x1EC4, 0x1EBE, 0x1ED2, 0x0129, 0x00ED, 0x1ECB, 0x00F2, // D8 ỉ Ễ Ế Ồ ĩ í ị ò
	0x1ED4, 0x1ECF, 0x00F5, 0x00F3, 0x1ECD, 0x1ED3, 0x1ED5, 0x1ED7, // E0 Ổ ỏ õ ó ọ ồ ổ ỗ
	0x1ED1, 0x1ED9, 0x1EDD, 0x1EDF, 0x1EE1, 0x1EDB, 0x1EE3, 0x00F9, // E8 ố ộ ờ ở ỡ ớ ợ ù
	0x1ED6, 0x1EE7, 0x0169, 0x00FA, 0x1EE5, 0x1EEB, 0x1EED, 0x1EEF, // F0 Ỗ ủ ũ ú ụ ừ ử ữ
	0x1EE9, 0x1EF1, 0x1EF3, 0x1EF7, 0x1EF9, 0x00FD, 0x1EF5, 0x1ED0, // F8 ứ ự ỳ ỷ ỹ ý ỵ Ố
}

var tcvn3Table = func() *byteTable {
	runes := cp1252Runes()
	copy(runes[0xA0:], tcvn3High[:])
	mods := make(map[byte]modifier)
	for b := 0xB0; b <= 0xB4; b++ {
		mods[byte(b)] = modifier{ok: true, tone: toneOfMark(tcvn3High[b-0xA0])}
	}
	return newByteTable(runes, mods)
}()

// tcvn3Encoder writes lower-case codes for upper-case toned letters, and
// never the VN1 capitals glibc keeps in the upper half.
var tcvn3Encoder = func() *byteEncoder {
	m := tcvn3Table.reverse(func(b byte, r rune) bool {
		li, ok := vnLetter(r)
		return ok && li.upper && li.tone != ToneNgang
	})
	for r, b := range m {
		if li, ok := vnLetter(r); ok && !li.upper && li.tone != ToneNgang {
			m[compose(li.code, li.tone, true)] = b
		}
	}
	for t := ToneHuyen; t < numTones; t++ {
		m[toneMarks[t]] = []byte{0xB0 + byte(tcvn3MarkIndex(t))}
	}
	return &byteEncoder{bytes: m}
}()

// tcvn3MarkIndex returns the offset from 0xB0 of a tone's combining mark.
func tcvn3MarkIndex(t Tone) int {
	for i := 0; i < 5; i++ {
		if tcvn3High[0x10+i] == toneMarks[t] {
			return i
		}
	}
	return 0
}

// decodeTCVN3 decodes a chunk and restores the case of upper-case toned
// letters in upper-case words.
func decodeTCVN3(dst, src []byte) []byte {
	start := len(dst)
	dst = tcvn3Table.decode(dst, src)
	restoreCase(dst[start:])
	return dst
}

// wordCase sums up the letters of a word for restoreCase.
type wordCase struct {
	start, end int // byte span in the text
	upper      int // upper-case letters
	lower      int // lower-case letters TCVN3 also has in upper case
	toned      int // lower-case toned letters, which may stand for capitals
	nonASCII   bool
}

// caps reports a word written in capitals: at least two of them and no
// letter that is certainly lower case.
func (w wordCase) caps() bool { return w.upper >= 2 && w.lower == 0 }

// restoreCase upper-cases, in place, the toned lower-case letters of the
// words of text that are written in capitals. A word with a single capital
// ("HỒ" stored as "Hå") is upper-cased when a neighbouring word is in
// capitals and holds a Vietnamese letter ("HỒ THỊ" but "TP. Hồ"). The
// upper- and lower-case forms of every Vietnamese letter have UTF-8 forms of
// the same length, so the text does not move.
func restoreCase(text []byte) {
	var buf [32]wordCase
	words := buf[:0]
	flush := func() {
		for i, w := range words {
			if w.toned == 0 || w.lower > 0 {
				continue
			}
			ok := w.caps()
			if !ok && w.upper == 1 {
				ok = i > 0 && words[i-1].caps() && words[i-1].nonASCII ||
					i+1 < len(words) && words[i+1].caps() && words[i+1].nonASCII
			}
			if ok {
				upperToned(text[w.start:w.end])
			}
		}
		words = words[:0]
	}
	inWord := false
	for i := 0; i < len(text); {
		r, n := rune(text[i]), 1
		if r >= utf8.RuneSelf {
			r, n = utf8.DecodeRune(text[i:])
		}
		li, isLetter := vnLetter(r)
		switch {
		case isLetter:
			if !inWord {
				words = append(words, wordCase{start: i})
				inWord = true
			}
			w := &words[len(words)-1]
			w.end = i + n
			switch {
			case li.upper:
				w.upper++
			case li.tone != ToneNgang:
				w.toned++
			default:
				w.lower++
			}
			if r >= utf8.RuneSelf {
				w.nonASCII = true
			}
		case r == '\n':
			inWord = false
			flush()
		default:
			inWord = false
		}
		i += n
	}
	flush()
}

// upperToned upper-cases the toned lower-case letters of word in place.
func upperToned(word []byte) {
	for i := 0; i < len(word); {
		r, n := utf8.DecodeRune(word[i:])
		if li, ok := vnLetter(r); ok && !li.upper && li.tone != ToneNgang {
			u := compose(li.code, li.tone, true)
			if utf8.RuneLen(u) == n {
				utf8.EncodeRune(word[i:], u)
			}
		}
		i += n
	}
}
