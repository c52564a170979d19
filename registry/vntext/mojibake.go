package vntext

import (
	"math"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/unicode/norm"
)

// Mojibake here is UTF-8 that a program read as CP1252 (or Latin-1) and
// saved again as UTF-8, once or twice: "Nguyễn" (4E 67 75 79 E1 BB 85 6E)
// becomes "Nguyá»…n". RepairMojibake encodes the cell back to those bytes
// and reads them as UTF-8. Two things make the bytes hard to get back:
//
//   - CP1252 leaves 0x81 0x8D 0x8F 0x90 0x9D undefined, and they occur in
//     Vietnamese: Đ is C4 90, ờ is E1 BB 9D. Tools that pass them through
//     leave C1 control characters (U+0081 ...), which the "sloppy" CP1252
//     here maps back; tools that do not leave U+FFFD or "?", for which the
//     repairer tries the five bytes and keeps the one that spells a
//     Vietnamese syllable.
//   - à is C3 A0 and A0 read as CP1252 is NBSP, which editors turn into a
//     space or trim at the end of a cell ("vÃ " for "và").
//
// A correct cell is never changed: the cell must hold only characters
// CP1252/Latin-1 can encode, show a mojibake pattern (a UTF-8 lead byte
// read as CP1252 followed by a continuation byte read as CP1252), its bytes
// must be valid UTF-8 once repaired, and the result must read as Vietnamese
// (every character a Vietnamese letter, ASCII or common punctuation, and
// most words well-formed syllables).

// lostBytes are the CP1252 bytes a strict decoder loses.
var lostBytes = [...]byte{0x81, 0x8D, 0x8F, 0x90, 0x9D}

// cp1252Reverse maps the CP1252 characters of 0x80–0x9F back to their
// bytes.
var cp1252Reverse = func() map[rune]byte {
	m := make(map[rune]byte, 32)
	for b := 0x80; b < 0xA0; b++ {
		if r := charmap.Windows1252.DecodeByte(byte(b)); r != utf8.RuneError {
			m[r] = byte(b)
		}
	}
	return m
}()

// placeholder marks a byte lost to U+FFFD or "?" while undoing CP1252.
const placeholder = 0x00

// RepairMojibake repairs one cell holding UTF-8 mojibake ("Nguyá»…n Ä‘á»©c"
// gives "Nguyễn đức"), undoing up to three rounds of misreading. It reports
// whether it changed s; a correct string is returned unchanged with false.
func RepairMojibake(s string) (string, bool) {
	if isASCII(s) || !looksMojibake(s, true) {
		return s, false
	}
	t := s
	for round := 0; round < 3; round++ {
		u, ok := undoCP1252(t)
		if !ok || u == t {
			break
		}
		t = norm.NFC.String(u)
		if readsVietnamese(t) {
			return t, true
		}
		if !looksMojibake(t, true) {
			break
		}
	}
	return s, false
}

// isLeadChar reports the CP1252 readings of the UTF-8 lead bytes that
// start Vietnamese letters and punctuation: C2–C6 (Â Ã Ä Å Æ), CC–CD (Ì Í,
// combining marks of NFD text), E1 (á) and E2 (â).
func isLeadChar(r rune) bool {
	switch r {
	case 'Â', 'Ã', 'Ä', 'Å', 'Æ', 'Ì', 'Í', 'á', 'â':
		return true
	}
	return false
}

// isContChar reports the CP1252/Latin-1 readings of continuation bytes
// 0x80–0xBF, plus U+FFFD for a lost byte.
func isContChar(r rune) bool {
	if r >= 0x80 && r < 0xC0 || r == utf8.RuneError {
		return true
	}
	_, ok := cp1252Reverse[r]
	return ok
}

// looksMojibake reports a lead character followed by a continuation
// character, or with space set by a space ("vÃ  " for "và " whose NBSP
// became a space). A cell whose only sign is a lead character at its end
// ("HoÃ" for "Hoà" whose NBSP was trimmed) is left alone: "LÃ" is the
// surname Lã in capitals.
func looksMojibake(s string, space bool) bool {
	prev := rune(0)
	for _, r := range s {
		if isLeadChar(prev) && (isContChar(r) || space && r == ' ') {
			return true
		}
		prev = r
	}
	return false
}

// undoCP1252 encodes s as sloppy CP1252 and reads the bytes as UTF-8. It
// fails when a character has no CP1252/Latin-1 byte or the bytes are not
// valid UTF-8 even after restoring NBSPs and trying the lost bytes.
func undoCP1252(s string) (string, bool) {
	b := make([]byte, 0, len(s))
	var holes []int
	for _, r := range s {
		switch {
		case r < 0x100 && r != placeholder:
			b = append(b, byte(r))
		case r == utf8.RuneError:
			holes = append(holes, len(b))
			b = append(b, placeholder)
		default:
			c, ok := cp1252Reverse[r]
			if !ok {
				return "", false
			}
			b = append(b, c)
		}
	}
	// A '?' where a continuation byte must be is a lost byte too.
	for i := 1; i < len(b); i++ {
		if b[i] == '?' && needsContinuation(b, i) {
			holes = append(holes, i)
			b[i] = placeholder
		}
	}
	restoreNBSP(b)
	if len(b) > 0 && needsContinuation(b, len(b)) {
		b = append(b, 0xA0) // an NBSP trimmed off the end of the cell
	}
	if len(holes) == 0 {
		if !utf8.Valid(b) {
			return "", false
		}
		return string(b), true
	}
	if len(holes) > 3 {
		return "", false
	}
	return fillHoles(b, holes)
}

// needsContinuation reports whether position i of b must hold a UTF-8
// continuation byte, judging by the lead byte before it.
func needsContinuation(b []byte, i int) bool {
	for k := 1; k <= 3 && i-k >= 0; k++ {
		c := b[i-k]
		switch {
		case c >= 0x80 && c < 0xC0 || c == placeholder && k < 3:
			continue // a continuation (or a hole): look further back
		case c >= 0xC2 && c < 0xE0:
			return k < 2
		case c >= 0xE0 && c < 0xF0:
			return k < 3
		case c >= 0xF0 && c < 0xF5:
			return true
		}
		return false
	}
	return false
}

// restoreNBSP turns back into NBSP (A0) each space that stands where a
// continuation byte must be.
func restoreNBSP(b []byte) {
	for i := 1; i < len(b); i++ {
		if b[i] == ' ' && needsContinuation(b, i) {
			b[i] = 0xA0
		}
	}
}

// fillHoles tries the lost bytes in each hole and keeps the one reading
// most like Vietnamese; a tie between two different readings fails.
func fillHoles(b []byte, holes []int) (string, bool) {
	best, bestScore, tie := "", math.MinInt, false
	var try func(k int)
	try = func(k int) {
		if k == len(holes) {
			if !utf8.Valid(b) {
				return
			}
			s := string(b)
			score := scoreText([]byte(s))
			v := score.valid*2 - score.words
			switch {
			case v > bestScore:
				best, bestScore, tie = s, v, false
			case v == bestScore && s != best:
				tie = true
			}
			return
		}
		for _, c := range lostBytes {
			b[holes[k]] = c
			try(k + 1)
		}
	}
	try(0)
	if best == "" || tie {
		return "", false
	}
	return best, true
}

// readsVietnamese reports whether s reads as Vietnamese text: no mojibake
// pattern left, only Vietnamese letters, ASCII and common punctuation, at
// least one word with a non-ASCII letter, and at least half of such words
// well-formed syllables (a typo in a name still gets repaired).
func readsVietnamese(s string) bool {
	if looksMojibake(s, false) {
		return false
	}
	for _, r := range s {
		if r < utf8.RuneSelf {
			if r < 0x20 && r != '\t' {
				return false
			}
			continue
		}
		if !isVietnameseLetter(r) && !unicode.IsSpace(r) && !isCommonPunct(r) {
			return false
		}
	}
	sc := scoreText([]byte(s))
	return sc.words > 0 && sc.valid*2 >= sc.words
}
