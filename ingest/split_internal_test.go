package ingest

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// splitAll splits text as a CSV batch whose rows have want cells.
func splitAll(text string, comma byte, want int) ([][]string, error) {
	s := &csvSplitter{lines: lineReader{br: bufio.NewReaderSize(strings.NewReader(text), 64<<10)}, comma: comma, want: want}
	var rows [][]string
	for {
		cells, err := s.next()
		if err == io.EOF {
			return rows, nil
		}
		var me *malformedError
		if err != nil && !errors.As(err, &me) {
			return rows, err
		}
		rows = append(rows, cells)
	}
}

// checkLikeEncodingCSV checks that well-formed CSV, as encoding/csv writes
// it, splits into the rows encoding/csv reads from it.
func checkLikeEncodingCSV(t *testing.T, rows [][]string, comma rune, crlf bool) {
	t.Helper()
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Comma, w.UseCRLF = comma, crlf
	if err := w.WriteAll(rows); err != nil {
		t.Skip(err)
	}
	r := csv.NewReader(bytes.NewReader(buf.Bytes()))
	r.Comma, r.FieldsPerRecord = comma, -1
	want, err := r.ReadAll()
	if err != nil {
		t.Fatalf("encoding/csv: %v", err)
	}
	var keep [][]string
	for _, rec := range want {
		if !isBlank(rec) {
			keep = append(keep, rec)
		}
	}
	s := &csvSplitter{lines: lineReader{br: bufio.NewReaderSize(bytes.NewReader(buf.Bytes()), 64<<10)}, comma: byte(comma), want: len(rows[0])}
	var got [][]string
	for {
		cells, err := s.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("split %q: %v", buf.String(), err)
		}
		got = append(got, cells)
	}
	if !reflect.DeepEqual(got, keep) && !(len(got) == 0 && len(keep) == 0) {
		t.Fatalf("split %q:\n got %q\nwant %q", buf.String(), got, keep)
	}
}

// TestSplitterReadsWellFormedCSVAsEncodingCSV: on CSV that encoding/csv
// writes (quotes, delimiters, line breaks and CRLF inside cells), the
// splitter and encoding/csv agree row for row.
func TestSplitterReadsWellFormedCSVAsEncodingCSV(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []string{"a", "Nguyễn", " ", ",", ";", "\t", "\"", "\n", "\r\n", "\r", "x\"y", "", "Đ"}
	for i := 0; i < 3000; i++ {
		cols := 1 + rng.IntN(6)
		var rows [][]string
		for r := 0; r < 1+rng.IntN(5); r++ {
			row := make([]string, cols)
			for c := range row {
				var b strings.Builder
				for k := rng.IntN(5); k > 0; k-- {
					b.WriteString(alphabet[rng.IntN(len(alphabet))])
				}
				row[c] = b.String()
			}
			rows = append(rows, row)
		}
		comma := []rune{',', ';', '\t'}[rng.IntN(3)]
		checkLikeEncodingCSV(t, rows, comma, rng.IntN(2) == 0)
	}
}

func FuzzSplitter(f *testing.F) {
	f.Add("a,b\n\"c\nd\",e\n", 2)
	f.Add("a,\"b\nc,d\n", 2)
	f.Add("\"\"\"\",x\r\n", 2)
	f.Fuzz(func(t *testing.T, text string, want int) {
		rows, err := splitAll(text, ',', want%8)
		if err != nil {
			t.Fatal(err)
		}
		// Every line of the text is in at most one row: a row never takes
		// more lines than the text has.
		if n := strings.Count(text, "\n") + 1; len(rows) > n {
			t.Fatalf("%d rows from %d lines", len(rows), n)
		}
	})
}
