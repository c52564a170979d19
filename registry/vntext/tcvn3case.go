package vntext

import "unicode/utf8"

// TCVN3 (VN3) has no codes for upper-case toned letters: the ".VnTimeH"
// font draws the lower-case codes as capitals, so "NGUYỄN" is stored as
// "NGUYÔN" (0xD4 is ễ) and "Ánh" as "\xB8nh". Decoding must give each toned
// letter back its case from what surrounds it: restoreCase (tcvn3.go) does
// it line by line for NewReader and Decode; caseState, here, cell by cell
// with the column's and the line's evidence, for NewCellCaseReader.

// letterCase classes a letter of TCVN3 text by what its code says of its
// case: certainly upper (an ASCII capital, or one of the capitals VN3 has:
// Ă Â Ê Ô Ơ Ư Đ), certainly lower (a letter without a tone, whose capital
// VN3 has), or either (a toned letter).
type letterCase uint8

const (
	caseUpper letterCase = iota + 1
	caseLower
	caseEither
)

// The shapes of a word.
const (
	wordUnsure = iota // its letters do not say
	wordCaps          // NGUYỄN
	wordTitle         // Nguyễn
	wordLower         // nguyễn
)

// tcvnWord is a word of decoded TCVN3 text, with what its letters say.
type tcvnWord struct {
	start, end int32 // byte span in the text (a chunk is at most 64 KiB)
	upperAfter int32 // certain capitals after the first letter
	lower      int32 // certain lower-case letters
	toned      int32 // letters of either case
	seg        int32 // the cell part it is in (see caseState)
	col        int32 // the column of its line
	line       int32 // its line within the chunk
	first      letterCase
	segStart   bool
}

// shape returns the shape a word has whatever case its toned letters take.
func (w *tcvnWord) shape() int {
	switch {
	case w.lower == 0 && w.upperAfter > 0 && w.first != caseLower:
		return wordCaps // capitals, no lower case: "TH\xDE" is "THỊ"
	case w.first == caseUpper && w.lower > 0:
		return wordTitle
	case w.first == caseLower:
		return wordLower
	}
	return wordUnsure
}

// votes counts the words of a cell, column or line by shape.
type votes [4]int

// mode returns the shape most words have, wordUnsure for none or a tie.
func (v *votes) mode() int {
	mode, best := wordUnsure, 0
	for sh := wordCaps; sh <= wordLower; sh++ {
		switch {
		case v[sh] > best:
			mode, best = sh, v[sh]
		case v[sh] == best && best > 0:
			mode = wordUnsure
		}
	}
	return mode
}

// caseState restores the case of toned letters in decoded TCVN3 text, chunk
// after chunk (a chunk ends after a line feed, or inside a line over the
// reader's chunk size). A word whose letters show its shape ("NGUY\xD4N":
// capitals and no certain lower case) takes it. A word they do not show
// ("Hå" is "Hồ" or "HỒ"; "N÷" is "Nữ" or "NỮ") takes, in this order, the
// shape most words of its cell part certainly have, else of its column
// (the cells of the same place in the lines read so far: "NAM" in other
// rows makes "N÷" "NỮ", "Nam" makes it "Nữ"), else of its line. The first
// word of a cell part is capitalised when the other cell parts of its
// line, else of its column, begin with a capital: registers write "Ấp 6",
// "Ủy ban nhân dân", "Ảnh scan", a list of words in lower case does not.
// With no evidence at all, a toned letter stays lower case. Cell parts are split at , ; TAB
// and quotes; columns at the file's delimiter outside quotes, sniffed from
// its first line. The upper- and lower-case forms of every Vietnamese
// letter have UTF-8 forms of the same length, so the text does not move.
type caseState struct {
	delim   byte    // the column delimiter; 0 until the first line is seen
	cols    []votes // shapes of the words of each column so far
	starts  []votes // of each column so far: cell parts begun with a capital ([wordTitle]) or not ([wordLower])
	midLine bool    // the last chunk ended inside a line
	col     int     // the column the last chunk ended in
	quoted  bool    // the last chunk ended inside quotes
	// Buffers of one chunk, kept from chunk to chunk.
	words             []tcvnWord
	segs, lines, lstx []votes // per cell part, per line: shapes; per line: how cell parts begin
}

// grow returns v with n zeroed entries, reusing its array.
func grow(v []votes, n int) []votes {
	v = v[:0]
	for range n {
		v = append(v, votes{})
	}
	return v
}

// decode decodes a chunk and restores its case.
func (cs *caseState) decode(dst, src []byte) []byte {
	start := len(dst)
	dst = tcvn3Table.decode(dst, src)
	cs.restore(dst[start:])
	cs.midLine = len(src) > 0 && src[len(src)-1] != '\n'
	return dst
}

// sniff picks the column delimiter from the first line of text: the most
// frequent of , ; and TAB outside quotes.
func sniff(text []byte) byte {
	var n [3]int
	quoted := false
	for _, c := range text {
		switch c {
		case '\n':
			goto done
		case '"':
			quoted = !quoted
		case ',', ';', '\t':
			if !quoted {
				n[map[byte]int{',': 0, ';': 1, '\t': 2}[c]]++
			}
		}
	}
done:
	switch {
	case n[1] > n[0] && n[1] >= n[2]:
		return ';'
	case n[2] > n[0] && n[2] > n[1]:
		return '\t'
	}
	return ','
}

// restore gives the toned letters of text, a decoded chunk, their case.
func (cs *caseState) restore(text []byte) {
	if cs.delim == 0 {
		cs.delim = sniff(text)
	}
	words := cs.words[:0]
	seg, line, col, quoted := 0, 0, 0, cs.quoted
	segStart := !cs.midLine // the next word begins a cell part
	if cs.midLine {
		col = cs.col
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
			c := caseLower
			switch {
			case li.upper:
				c = caseUpper
			case li.tone != ToneNgang:
				c = caseEither
			}
			if !inWord {
				words = append(words, tcvnWord{start: int32(i), first: c, seg: int32(seg), col: int32(col), line: int32(line), segStart: segStart})
				inWord, segStart = true, false
			} else if c == caseUpper {
				words[len(words)-1].upperAfter++
			} else if c == caseLower {
				words[len(words)-1].lower++
			}
			w := &words[len(words)-1]
			w.end = int32(i + n)
			if c == caseEither {
				w.toned++
			}
		case r == '\n':
			inWord, segStart = false, true
			seg, line, col, quoted = seg+1, line+1, 0, false
		case r == '"' || r == ',' || r == ';' || r == '\t' || r == '\r':
			inWord, segStart = false, true
			seg++
			if r == '"' {
				quoted = !quoted
			} else if byte(r) == cs.delim && !quoted {
				col++
			}
		default:
			inWord = false
		}
		i += n
	}
	cs.col, cs.quoted, cs.words = col, quoted, words

	// Count the shapes of cells, columns and lines, then decide.
	cs.segs, cs.lines, cs.lstx = grow(cs.segs, seg+1), grow(cs.lines, line+1), grow(cs.lstx, line+1)
	segs, lines, lineStarts := cs.segs, cs.lines, cs.lstx
	for i := range words {
		w := &words[i]
		for len(cs.cols) <= int(w.col) {
			cs.cols = append(cs.cols, votes{})
			cs.starts = append(cs.starts, votes{})
		}
		sh := w.shape()
		segs[w.seg][sh]++
		lines[w.line][sh]++
		cs.cols[w.col][sh]++
		if w.segStart {
			switch w.first {
			case caseUpper:
				cs.starts[w.col][wordTitle]++
				lineStarts[w.line][wordTitle]++
			case caseLower:
				cs.starts[w.col][wordLower]++
				lineStarts[w.line][wordLower]++
			}
		}
	}
	capitalStart := func(w *tcvnWord) bool {
		m := lineStarts[w.line].mode()
		if m == wordUnsure {
			m = cs.starts[w.col].mode()
		}
		return m == wordTitle
	}
	for i := range words {
		w := &words[i]
		if w.toned == 0 {
			continue
		}
		mode := segs[w.seg].mode()
		if mode == wordUnsure {
			mode = cs.cols[w.col].mode()
		}
		if mode == wordUnsure {
			mode = lines[w.line].mode()
		}
		word := text[w.start:w.end]
		switch sh := w.shape(); {
		case sh == wordCaps || sh == wordUnsure && w.lower == 0 && mode == wordCaps:
			upperToned(word)
		case w.first == caseEither && (mode == wordTitle || w.segStart && capitalStart(w)):
			_, n := utf8.DecodeRune(word)
			upperToned(word[:n])
		}
	}
}
