package vntext

import (
	"bytes"
	"fmt"
	"io"
)

// readerChunk is how much input the streaming reader decodes at a time; a
// line longer than that is cut at a space.
const readerChunk = 64 << 10

// NewReader returns a reader of r decoded from e to UTF-8 in NFC. A UTF-8 or
// UTF-16 BOM is removed. It decodes up to 64 KiB at a time, cut after a line
// feed (or, in a longer line, after a space), so the whole input is never
// held in memory and no character is split. An unknown e makes every Read
// fail with ErrUnknownEncoding.
func NewReader(r io.Reader, e Encoding) io.Reader {
	d := decoderFor(e)
	if d == nil {
		return errReader{fmt.Errorf("decode %v: %w", e, ErrUnknownEncoding)}
	}
	if e == UTF16LE || e == UTF16BE {
		r = utf16Reader(r, e)
	}
	return &reader{r: r, dec: d, enc: e, in: make([]byte, 0, readerChunk), bom: e == UTF8 || e == UTF16LE || e == UTF16BE}
}

// NewCellCaseReader is NewReader, but for TCVN3 text the case of toned
// letters (which VN3 stores with lower-case codes only) is restored from the
// word's cell, its column and its line rather than from its line alone
// (see caseState): "Trần Ngọc Ánh" and a "Nữ" beside a name in capitals
// come back as written. The ingest and hotich convert read with it; the two
// readers differ only in the case of toned letters.
func NewCellCaseReader(r io.Reader, e Encoding) io.Reader {
	rd := NewReader(r, e)
	if x, ok := rd.(*reader); ok && e == TCVN3 {
		x.cells = &caseState{}
	}
	return rd
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

// reader decodes chunk by chunk.
type reader struct {
	r   io.Reader
	dec chunkDecoder
	in  []byte // undecoded input
	out []byte // decoded output not yet read
	pos int    // read position in out
	err error  // the error (io.EOF at the end) r returned
	bom bool   // a leading UTF-8 BOM is still to be removed
	enc Encoding
	// cells restores TCVN3's case per cell, column and line, from chunk
	// to chunk (NewCellCaseReader).
	cells *caseState
}

// Read implements io.Reader.
func (r *reader) Read(p []byte) (int, error) {
	for r.pos == len(r.out) {
		if r.err != nil && len(r.in) == 0 {
			return 0, r.err
		}
		r.fill()
	}
	n := copy(p, r.out[r.pos:])
	r.pos += n
	return n, nil
}

// fill reads input until a chunk is complete and decodes it into out.
func (r *reader) fill() {
	for r.err == nil && len(r.in) < cap(r.in) {
		n, err := r.r.Read(r.in[len(r.in):cap(r.in)])
		r.in = r.in[:len(r.in)+n]
		if err != nil {
			r.err = err
			break
		}
		if n > 0 && bytes.IndexByte(r.in[len(r.in)-n:], '\n') >= 0 && len(r.in) >= cap(r.in)/2 {
			break
		}
		if n == 0 {
			break // a reader returning 0, nil: try again on the next Read
		}
	}
	if r.bom {
		if len(r.in) < len(utf8BOM) && r.err == nil && bytes.HasPrefix(utf8BOM, r.in) {
			return // too little input yet to tell
		}
		r.in = trimUTF8BOM(r.in)
		r.bom = false
	}
	end := len(r.in)
	if r.err == nil {
		end = chunkEnd(r.in, len(r.in) == cap(r.in), r.enc)
	}
	if r.cells != nil {
		r.out = r.cells.decode(r.out[:0], r.in[:end])
	} else {
		r.out = r.dec(r.out[:0], r.in[:end])
	}
	r.pos = 0
	r.in = r.in[:copy(r.in, r.in[end:])]
}

// chunkEnd returns where to cut buf: after its last line feed, or, when
// the buffer is full and holds none, after its last space, else next to
// its last ASCII byte (after a punctuation mark, before a letter, which may
// be a VNI base letter whose mark follows), else before the last byte that
// starts a character in e.
func chunkEnd(buf []byte, full bool, e Encoding) int {
	if i := bytes.LastIndexByte(buf, '\n'); i >= 0 {
		return i + 1
	}
	if !full {
		return 0
	}
	if i := bytes.LastIndexByte(buf, ' '); i >= 0 {
		return i + 1
	}
	for i := len(buf) - 1; i > 0; i-- {
		if c := buf[i]; c < 0x80 {
			if 'a' <= c|0x20 && c|0x20 <= 'z' {
				return i
			}
			return i + 1
		}
	}
	var t *byteTable
	switch e {
	case CP1258:
		t = cp1258Table
	case TCVN3:
		t = tcvn3Table
	case VNI:
		t = vniTable
	case VISCII:
		return len(buf)
	}
	for i := len(buf) - 1; i > 0; i-- {
		c := buf[i]
		if t != nil && !t.mod[c].ok || t == nil && (c < 0x80 || c >= 0xC0) {
			return i
		}
	}
	return len(buf)
}
