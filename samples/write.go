package samples

import (
	"bufio"
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/unicode/norm"

	"github.com/hotich/hotich/registry/vntext"
)

// fileOut is a rendered file: its style and rows, ready to be written.
type fileOut struct {
	f    *fileSpec
	st   *fileStyle
	rows []*rowOut
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// encodeText encodes the text of a CSV or TSV file.
func encodeText(enc Encoding, s string) ([]byte, error) {
	var e vntext.Encoding
	switch enc {
	case UTF8, "":
		return []byte(s), nil
	case UTF8BOM:
		return append(append([]byte{}, utf8BOM...), s...), nil
	case UTF8NFD:
		return norm.NFD.Bytes([]byte(s)), nil
	case UTF16LE:
		e = vntext.UTF16LE
	case UTF16BE:
		e = vntext.UTF16BE
	case CP1258:
		e = vntext.CP1258
	case TCVN3:
		e = vntext.TCVN3
	case VNI:
		e = vntext.VNI
	case VISCII:
		e = vntext.VISCII
	default:
		return nil, fmt.Errorf("unknown encoding %q", enc)
	}
	b, err := vntext.Encode(e, s)
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", enc, err)
	}
	return b, nil
}

// write writes the file to dir.
func (fo *fileOut) write(dir string, r *rand.Rand) error {
	path := dir + string(os.PathSeparator) + fo.f.name
	switch fo.f.format {
	case XLSX:
		return fo.writeXLSX(path)
	case JSONL:
		return os.WriteFile(path, fo.jsonl(r), 0o644)
	}
	text, err := fo.delimited(r)
	if err != nil {
		return err
	}
	b, err := encodeText(fo.f.enc, text)
	if err != nil {
		return fmt.Errorf("%s: %w", fo.f.name, err)
	}
	return os.WriteFile(path, b, 0o644)
}

func (fo *fileOut) delimiter() byte {
	switch fo.f.format {
	case CSVSemicolon:
		return ';'
	case CSVTab, TSV:
		return '\t'
	}
	return ','
}

// delimited writes a CSV or TSV file: RFC 4180 quoting for CSV, none for
// TSV (its values hold no TAB, quote or line break).
func (fo *fileOut) delimited(r *rand.Rand) (string, error) {
	var b strings.Builder
	d := fo.delimiter()
	tsv := fo.f.format == TSV
	eol := "\n"
	if fo.st.crlf {
		eol = "\r\n"
	}
	line := func(cells []string) error {
		for i, c := range cells {
			if i > 0 {
				b.WriteByte(d)
			}
			if tsv {
				if strings.ContainsAny(c, "\t\r\n\"") {
					return fmt.Errorf("%s: TSV value %q", fo.f.name, c)
				}
				b.WriteString(c)
				continue
			}
			if fo.st.quoteAll || strings.IndexByte(c, d) >= 0 || strings.ContainsAny(c, "\"\r\n") {
				b.WriteByte('"')
				b.WriteString(strings.ReplaceAll(c, `"`, `""`))
				b.WriteByte('"')
			} else {
				b.WriteString(c)
			}
		}
		b.WriteString(eol)
		return nil
	}
	header := make([]string, len(fo.st.cols))
	for i, c := range fo.st.cols {
		header[i] = c.header
	}
	if err := line(header); err != nil {
		return "", err
	}
	for _, ro := range fo.rows {
		cells := ro.cells
		switch ro.malformed {
		case 1: // a separator typed inside a value, unquoted
			cells = strayField(r, cells, d)
		case 2: // the row stops early
			cells = cells[:max(1, len(cells)-1-r.IntN(3))]
		}
		if err := line(cells); err != nil {
			return "", err
		}
	}
	return b.String(), nil
}

// strayField splits a value at a separator it contained ("12 Lê Lợi,
// Phường 3") or inserts an empty field, so that the row has one field more
// than the header.
func strayField(r *rand.Rand, cells []string, d byte) []string {
	sep := string(d)
	if d == ',' || d == ';' {
		sep = ", "
	}
	for i, c := range cells {
		if j := strings.Index(c, sep); j > 0 && d != '\t' {
			out := append([]string{}, cells[:i]...)
			out = append(out, c[:j], strings.TrimSpace(c[j+len(sep):]))
			return append(out, cells[i+1:]...)
		}
	}
	p := 1 + r.IntN(len(cells))
	out := append([]string{}, cells[:p]...)
	out = append(out, "")
	return append(out, cells[p:]...)
}

// jsonl writes a JSONL file: one object per line, keys the canonical names
// (and extra columns as written).
func (fo *fileOut) jsonl(r *rand.Rand) []byte {
	var b []byte
	for _, ro := range fo.rows {
		var obj []byte
		obj = append(obj, '{')
		n := 0
		for i, c := range fo.st.cols {
			if ro.omit[i] {
				continue
			}
			if n > 0 {
				obj = append(obj, ", "...)
			}
			n++
			obj = appendJSONString(obj, c.header)
			obj = append(obj, ": "...)
			obj = appendJSONString(obj, ro.cells[i])
		}
		obj = append(obj, '}')
		if ro.malformed == 3 {
			switch r.IntN(3) {
			case 0: // cut off mid-line
				obj = obj[:len(obj)*2/3]
				if !utf8Valid(obj) {
					obj = bytes.ToValidUTF8(obj, nil)
				}
			case 1: // values without keys
				obj = obj[:0]
				obj = append(obj, '[')
				for i := range fo.st.cols {
					if i > 0 {
						obj = append(obj, ", "...)
					}
					obj = appendJSONString(obj, ro.cells[i])
				}
				obj = append(obj, ']')
			default: // single quotes, as a hand-written export has them
				obj = bytes.ReplaceAll(obj, []byte(`"`), []byte(`'`))
			}
		}
		b = append(b, obj...)
		b = append(b, '\n')
	}
	return b
}

func utf8Valid(b []byte) bool { return bytes.Equal(bytes.ToValidUTF8(b, nil), b) }

// writeXLSX writes the file with excelize's stream writer: rows go to a
// temporary file as they come, so memory stays flat for any book size.
func (fo *fileOut) writeXLSX(path string) (err error) {
	x := excelize.NewFile()
	defer func() {
		if cerr := x.Close(); err == nil {
			err = cerr
		}
	}()
	sheet := "Sheet1"
	if fo.st.sheet != sheet {
		if err := x.SetSheetName(sheet, fo.st.sheet); err != nil {
			return err
		}
		sheet = fo.st.sheet
	}
	sw, err := x.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	vals := make([]any, len(fo.st.cols))
	for i, c := range fo.st.cols {
		vals[i] = c.header
	}
	if err := sw.SetRow("A1", vals); err != nil {
		return err
	}
	for n, ro := range fo.rows {
		for i, c := range ro.cells {
			if c == "" {
				vals[i] = nil
			} else {
				vals[i] = c
			}
		}
		cell, _ := excelize.CoordinatesToCellName(1, n+2)
		if err := sw.SetRow(cell, vals); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	out, err := os.Create(path)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(out, 1<<16)
	if _, err := x.WriteTo(bw); err != nil {
		out.Close()
		return err
	}
	if err := bw.Flush(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
