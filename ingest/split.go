package ingest

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/hotich/hotich/registry"
)

// Limits of what one batch file may hold. A row over a limit is rejected
// alone (reason over_limit, with the first rawKeepBytes of it kept as its
// raw content); a header over a limit refuses the file. What the reader
// holds at a time stays under these bounds, whatever the file holds: a
// longer line is skipped as it is read, never held whole.
const (
	// MaxLineBytes bounds a physical line of a CSV, TSV or JSONL file, and
	// a CSV row whose quoted cells run over several lines.
	MaxLineBytes = 1 << 20
	// MaxCellBytes bounds one cell (for .jsonl, one value; for .xlsx, one
	// cell of the sheet).
	MaxCellBytes = 64 << 10
	// MaxColumns bounds the cells of a row and of the header (for .jsonl,
	// the keys of a line).
	MaxColumns = 1024
	// MaxRowLines bounds the physical lines one CSV row may span when its
	// quoted cells hold line breaks.
	MaxRowLines = 100
	// rawKeepBytes is how much of a row over a limit its reject keeps.
	rawKeepBytes = 4 << 10
)

// lineReader reads the physical lines of decoded text, each without its
// line ending (LF or CRLF). A line longer than MaxLineBytes is read to its
// end and dropped, but for its first bytes.
type lineReader struct {
	br  *bufio.Reader
	buf []byte
}

// next returns the next line, valid until the next call, and the length of
// the line as it was when it is longer than MaxLineBytes (then line holds
// only its first rawKeepBytes). It returns io.EOF after the last line.
func (l *lineReader) next() (line []byte, long int, err error) {
	frag, err := l.br.ReadSlice('\n')
	if err == nil || err == io.EOF && len(frag) > 0 {
		return trimEOL(frag), 0, nil // the common case: no copy
	}
	if err != bufio.ErrBufferFull {
		return nil, 0, err
	}
	l.buf = append(l.buf[:0], frag...)
	n := len(frag)
	for err == bufio.ErrBufferFull {
		frag, err = l.br.ReadSlice('\n')
		n += len(frag)
		if n <= MaxLineBytes+2 {
			l.buf = append(l.buf, frag...)
		}
	}
	if err != nil && err != io.EOF {
		return nil, 0, err
	}
	if n > MaxLineBytes+2 { // +2: the line ending
		return cutUTF8(l.buf, rawKeepBytes), n, nil
	}
	return trimEOL(l.buf), 0, nil
}

func trimEOL(b []byte) []byte {
	b = bytes.TrimSuffix(b, []byte{'\n'})
	return bytes.TrimSuffix(b, []byte{'\r'})
}

// longLine is the row of a line over MaxLineBytes, as lineReader.next
// gives it: rejected, its first bytes kept as its raw content.
func longLine(line []byte, long int) ([]string, error) {
	return []string{string(line) + "…"}, &malformedError{code: registry.RejectOverLimit,
		msg: fmt.Sprintf("dòng dài %d byte, quá giới hạn %d byte", long, MaxLineBytes)}
}

// cutUTF8 returns at most n bytes of b, not ending inside a character.
func cutUTF8(b []byte, n int) []byte {
	if len(b) <= n {
		return b
	}
	for n > 0 && !utf8.RuneStart(b[n]) {
		n--
	}
	return b[:n]
}

// csvSplitter splits decoded CSV text into rows: RFC 4180 quoting (a
// quoted cell may hold delimiters, doubled quotes and line breaks), CRLF or
// LF, a stray quote inside a cell kept as written. It is ours rather than
// encoding/csv's for two reasons. A quote that opens a cell and never
// closes must not swallow the lines after it: a row is allowed to run over
// several lines only if its quotes are balanced (every quote in the cell
// doubled or closing it before a delimiter or the line's end) and it then
// has the header's number of cells; otherwise its first line is a row of
// its own, rejected, and the next lines are read again as rows, so that
// every later source reference stays the row the operator sees. And a
// line, a row or a cell over the limits is skipped as it is read, without
// holding it.
type csvSplitter struct {
	lines lineReader
	comma byte
	want  int           // cells per row (the header's); 0 while reading the header
	again []pendingLine // lines read ahead by a row that was given up, to read again

	rec  []byte // the cells of the row being split, one after the other
	ends []int  // where each cell ends in rec
	cut  []byte // a copy of the lines of a row running over several
}

// pendingLine is a line to read again (long as lineReader.next says).
type pendingLine struct {
	line []byte
	long int
}

// readLine returns the next line to split: one read again, or a new one.
func (s *csvSplitter) readLine() ([]byte, int, error) {
	if len(s.again) > 0 {
		l := s.again[0]
		s.again = s.again[1:]
		return l.line, l.long, nil
	}
	return s.lines.next()
}

// next returns the cells of the next row that is not blank. A row the
// splitter cannot read as a row comes back with a *malformedError and its
// raw content as one cell. It returns io.EOF after the last row.
func (s *csvSplitter) next() ([]string, error) {
	for {
		line, long, err := s.readLine()
		if err != nil {
			return nil, err
		}
		if long > 0 {
			return longLine(line, long)
		}
		if len(bytes.TrimSpace(line)) == 0 {
			continue // a blank line is not a row
		}
		cells, err := s.split(line)
		if err != nil || !isBlank(cells) {
			return cells, err
		}
	}
}

// split splits the row that begins with line, reading more lines while a
// quoted cell runs on.
func (s *csvSplitter) split(first []byte) ([]string, error) {
	s.rec, s.ends = s.rec[:0], s.ends[:0]
	open, lazy, over := s.splitLine(first, false)
	if !open {
		return s.cells(over, first)
	}
	// A quoted cell runs over the line: keep copies of the lines, to read
	// them again if the row is given up.
	lines := []pendingLine{{line: append([]byte(nil), first...)}}
	size := len(first)
	for open && !lazy {
		line, long, err := s.readLine()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		pl := pendingLine{line: append([]byte(nil), line...), long: long}
		if long > 0 || len(lines) == MaxRowLines || size+len(line) > MaxLineBytes {
			lines = append(lines, pl) // not part of the row: read again
			open = true
			break
		}
		lines = append(lines, pl)
		size += len(line) + 1
		s.rec = append(s.rec, '\n')
		var l bool
		open, l, over = s.splitLine(line, true)
		lazy = lazy || l
	}
	if !open && !lazy && (s.want == 0 || len(s.ends) == s.want) {
		return s.cells(over, lines[0].line)
	}
	// Given up: the first line is a row of its own, the others rows again.
	s.again = append(lines[1:], s.again...)
	return []string{string(lines[0].line)}, &malformedError{code: registry.RejectMalformed,
		msg: "dấu ngoặc kép mở một ô nhưng không đóng: dòng không tách được thành các ô"}
}

// cells returns the cells split into rec, or the row's problem.
func (s *csvSplitter) cells(over bool, first []byte) ([]string, error) {
	if over {
		return []string{string(cutUTF8(first, rawKeepBytes)) + "…"}, &malformedError{code: registry.RejectOverLimit,
			msg: fmt.Sprintf("dòng có quá %d ô", MaxColumns)}
	}
	str := string(s.rec)
	cells := make([]string, len(s.ends))
	start := 0
	for i, end := range s.ends {
		cells[i] = str[start:end]
		start = end
	}
	return cells, nil
}

// splitLine splits one line into cells appended to rec and ends. quoted
// says the line goes on a quoted cell of the line before. It returns
// whether the line ends inside a quoted cell (open), whether a quote in a
// quoted cell was neither doubled nor closing it (lazy: kept as written),
// and whether the row has more than MaxColumns cells (over: the cells after
// the limit are not kept).
func (s *csvSplitter) splitLine(line []byte, quoted bool) (open, lazy, over bool) {
	i := 0
	for {
		if !quoted {
			if i < len(line) && line[i] == '"' {
				quoted = true
				i++
			} else {
				// An unquoted cell: up to the next delimiter, quotes and all.
				j := bytes.IndexByte(line[i:], s.comma)
				if j < 0 {
					j = len(line) - i
				}
				s.rec = append(s.rec, line[i:i+j]...)
				i += j
				if over = s.endCell(); over {
					return false, lazy, true
				}
				if i == len(line) {
					return false, lazy, false
				}
				i++ // the delimiter
				continue
			}
		}
		// In a quoted cell.
		j := bytes.IndexByte(line[i:], '"')
		if j < 0 {
			s.rec = append(s.rec, line[i:]...)
			return true, lazy, false
		}
		s.rec = append(s.rec, line[i:i+j]...)
		i += j + 1
		switch {
		case i < len(line) && line[i] == '"': // a doubled quote
			s.rec = append(s.rec, '"')
			i++
		case i == len(line): // the cell and the row end
			quoted = false
			if over = s.endCell(); over {
				return false, lazy, true
			}
			return false, lazy, false
		case line[i] == s.comma: // the cell ends
			quoted = false
			if over = s.endCell(); over {
				return false, lazy, true
			}
			i++
			if i == len(line) {
				// A delimiter ends the line: one more, empty, cell.
				if over = s.endCell(); over {
					return false, lazy, true
				}
				return false, lazy, false
			}
		default: // a stray quote inside the cell: kept as written
			s.rec = append(s.rec, '"')
			lazy = true
		}
	}
}

// endCell ends the cell being split, and reports whether the row now has
// more cells than MaxColumns.
func (s *csvSplitter) endCell() bool {
	if len(s.ends) == MaxColumns {
		return true
	}
	s.ends = append(s.ends, len(s.rec))
	return false
}
