package ingest

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/xuri/excelize/v2"

	"github.com/hotich/hotich/registry"
	"github.com/hotich/hotich/registry/vntext"
)

// Containers of batch files.
const (
	ContainerCSV   = "csv"
	ContainerTSV   = "tsv"
	ContainerXLSX  = "xlsx"
	ContainerJSONL = "jsonl"
)

// containerOf returns the container of a batch file from its extension, or
// "" for a file that is not a batch.
func containerOf(path string) string {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv", ".txt":
		return ContainerCSV
	case ".tsv", ".tab":
		return ContainerTSV
	case ".xlsx":
		return ContainerXLSX
	case ".jsonl", ".ndjson":
		return ContainerJSONL
	}
	return ""
}

// jsonlHeader is the header of a .jsonl batch: its rows have no columns, and
// each row's raw content is the line as read.
var jsonlHeader = []string{"_line"}

// rowReader reads the data rows of a batch file.
type rowReader interface {
	// Header returns the header row as written (for .jsonl, jsonlHeader).
	Header() []string
	// Next returns the next data row's cells, aligned with the header, and
	// io.EOF after the last. Blank rows are skipped and not counted.
	Next() ([]string, error)
	Close() error
}

// sampleSize is how much of a file encoding detection looks at, at most;
// quickSampleSize is what it looks at first.
const (
	sampleSize      = 64 << 10
	quickSampleSize = 16 << 10
)

// textSource opens a text batch file decoded to NFC UTF-8, detecting its
// encoding unless one is forced.
type textSource struct {
	f        *os.File
	r        io.Reader // decoded text
	counted  *countingReader
	encoding vntext.Encoding
	detected vntext.Detection
}

func openText(ctx context.Context, path string, force vntext.Encoding) (*textSource, error) {
	f, r, err := openRegular(ctx, path)
	if err != nil {
		return nil, err
	}
	counted := &countingReader{r: r}
	br := bufio.NewReaderSize(counted, sampleSize)
	sample, err := br.Peek(sampleSize)
	if err != nil && err != io.EOF && !errors.Is(err, bufio.ErrBufferFull) {
		f.Close()
		return nil, err
	}
	if kind := binaryKind(sample); kind != "" {
		f.Close()
		return nil, &refusedError{"tệp nhị phân, không phải tệp văn bản: " + kind}
	}
	ts := &textSource{f: f, counted: counted}
	// Most files are told apart by their first 16 KiB; only an uncertain
	// answer is worth decoding the whole sample five ways.
	ts.detected = vntext.Detect(sample[:min(len(sample), quickSampleSize)])
	if ts.detected.Confidence < 0.95 && len(sample) > quickSampleSize {
		ts.detected = vntext.Detect(sample)
	}
	ts.encoding = ts.detected.Encoding
	if force != vntext.Unknown {
		ts.encoding = force
		ts.detected = vntext.Detection{Encoding: force, Confidence: 1}
	}
	if ts.detected.Confidence < MinConfidence {
		f.Close()
		return nil, &refusedError{fmt.Sprintf("không xác định được bảng mã: đọc như %s thì độ tin cậy %.2f, dưới ngưỡng %.2f; "+
			"nếu biết bảng mã của tệp, nhập lại với --encoding (utf8, cp1258, tcvn3, vni, viscii, utf16)", ts.detected.Encoding, ts.detected.Confidence, MinConfidence)}
	}
	if ts.detected.Encoding == vntext.UTF16LE || ts.detected.Encoding == vntext.UTF16BE {
		// UTF-16 text holds NUL bytes; other text never does.
	} else if bytes.IndexByte(sample, 0) >= 0 {
		f.Close()
		return nil, &refusedError{"tệp nhị phân, không phải tệp văn bản: có byte NUL"}
	}
	if ts.encoding == vntext.Unknown {
		ts.encoding = vntext.UTF8
	}
	ts.r = vntext.NewCellCaseReader(br, ts.encoding)
	return ts, nil
}

func (ts *textSource) Close() error { return ts.f.Close() }

// MinConfidence is the least confidence of encoding detection a text file
// is read with. Below it no encoding reads the file as Vietnamese text
// (it is another language, or not text): the file is refused as a whole,
// and an operator who knows the encoding forces it with --encoding. Ward
// batches of one row and up detect at 0.99 or more; a lone name, at 0.5 to
// 0.9; bytes that are no language's text, near 0.
const MinConfidence = 0.5

// binaryKind names the kind of file a sample's first bytes say it is, for
// files that are no text: "" for anything else.
func binaryKind(b []byte) string {
	for _, m := range []struct{ magic, kind string }{
		{"\x7fELF", "chương trình (ELF)"},
		{"MZ\x90\x00", "chương trình Windows (EXE/DLL)"},
		{"PK\x03\x04", "tệp nén ZIP; nếu là sổ tính Excel bị đổi tên, đặt lại đuôi .xlsx"},
		{"\xd0\xcf\x11\xe0", "tệp Office cũ (.xls, .doc); lưu lại thành .xlsx hoặc .csv"},
		{"%PDF", "PDF"},
		{"\x89PNG", "ảnh PNG"},
		{"\xff\xd8\xff", "ảnh JPEG"},
		{"GIF8", "ảnh GIF"},
		{"II*\x00", "ảnh TIFF"},
		{"MM\x00*", "ảnh TIFF"},
		{"\x1f\x8b", "tệp nén gzip"},
		{"7z\xbc\xaf", "tệp nén 7z"},
		{"Rar!", "tệp nén RAR"},
		{"SQLite format 3\x00", "cơ sở dữ liệu SQLite"},
	} {
		if bytes.HasPrefix(b, []byte(m.magic)) {
			return m.kind
		}
	}
	return ""
}

// countingReader counts the bytes read through it, for progress.
// countingReader counts the bytes read, for the progress bar: the reader
// goroutine reads, the writer asks how far it got.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// sniffDelimiter picks the delimiter of a CSV file from its header line: the
// most frequent of ',', ';' and TAB outside quotes.
func sniffDelimiter(line string) rune {
	counts := map[rune]int{}
	quoted := false
	for _, r := range line {
		switch {
		case r == '"':
			quoted = !quoted
		case !quoted && (r == ',' || r == ';' || r == '\t'):
			counts[r]++
		}
	}
	best := ','
	for _, r := range []rune{';', '\t'} {
		if counts[r] > counts[best] {
			best = r
		}
	}
	return best
}

// csvReader reads CSV and TSV batches (see csvSplitter).
type csvReader struct {
	src    *textSource
	split  *csvSplitter
	header []string
	delim  rune
}

func openCSV(ctx context.Context, path string, force vntext.Encoding, tsv bool) (*csvReader, error) {
	src, err := openText(ctx, path, force)
	if err != nil {
		return nil, err
	}
	br := bufio.NewReaderSize(src.r, 64<<10)
	delim := '\t'
	if !tsv {
		first, _ := br.Peek(16 << 10)
		line := string(first)
		if i := strings.IndexAny(line, "\r\n"); i >= 0 {
			line = line[:i]
		}
		delim = sniffDelimiter(line)
	}
	sp := &csvSplitter{lines: lineReader{br: br}, comma: byte(delim)}
	header, err := sp.next()
	if err != nil {
		src.Close()
		var me *malformedError
		switch {
		case err == io.EOF:
			return nil, &refusedError{"tệp rỗng, không có dòng tiêu đề"}
		case errors.As(err, &me):
			return nil, &refusedError{"dòng tiêu đề không đọc được: " + me.msg}
		}
		return nil, fmt.Errorf("đọc dòng tiêu đề: %w", err)
	}
	sp.want = len(header)
	return &csvReader{src: src, split: sp, header: header, delim: delim}, nil
}

func (c *csvReader) Header() []string { return c.header }

func (c *csvReader) Next() ([]string, error) { return c.split.next() }

func (c *csvReader) Close() error { return c.src.Close() }

func isBlank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// malformedError marks a row that cannot be read as a row of its file; the
// reader can go on with the next row. code is the reason of its reject.
type malformedError struct {
	code registry.RejectCode
	msg  string
}

func (e *malformedError) Error() string { return e.msg }

// rowError is the reject of the row.
func (e *malformedError) rowError() *registry.RowError {
	if e.code == registry.RejectMalformed || e.code == "" {
		return registry.RowErrorf(registry.RejectMalformed, "", "không đọc được dòng: %s", e.msg)
	}
	return registry.RowErrorf(e.code, "", "%s", e.msg)
}

// jsonlReader reads .jsonl batches: each non-empty line is one row.
type jsonlReader struct {
	src   *textSource
	lines lineReader
}

func openJSONL(ctx context.Context, path string, force vntext.Encoding) (*jsonlReader, error) {
	src, err := openText(ctx, path, force)
	if err != nil {
		return nil, err
	}
	return &jsonlReader{src: src, lines: lineReader{br: bufio.NewReaderSize(src.r, 64<<10)}}, nil
}

func (j *jsonlReader) Header() []string { return jsonlHeader }

func (j *jsonlReader) Next() ([]string, error) {
	for {
		line, long, err := j.lines.next()
		if err != nil {
			return nil, err
		}
		if long > 0 {
			return longLine(line, long)
		}
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		return []string{string(line)}, nil
	}
}

func (j *jsonlReader) Close() error { return j.src.Close() }

// xlsxReader reads the first sheet of an .xlsx workbook, streaming its rows.
type xlsxReader struct {
	f      *excelize.File
	rows   *excelize.Rows
	header []string
	tmp    string // the folder of the library's temporary files
}

// Limits of a workbook, on top of the row limits (see MaxLineBytes).
const (
	// MaxXLSXUnzipped bounds what a workbook unzips to, all its parts
	// together. A zip bomb (a few megabytes unzipping to gigabytes) is
	// refused before anything is unzipped.
	MaxXLSXUnzipped = 256 << 20
	// xlsxInMemory is the largest part kept in memory; a larger sheet or
	// string table is unzipped to a temporary file and streamed.
	xlsxInMemory = 16 << 20
)

func openXLSX(ctx context.Context, path string) (*xlsxReader, error) {
	// Refuse what is not a regular file before the workbook library opens it.
	file, _, err := openRegular(ctx, path)
	if err != nil {
		return nil, err
	}
	err = checkZip(file)
	file.Close()
	if err != nil {
		return nil, err
	}
	// The library's temporary files go to a folder of ours, removed on
	// Close, on a failed open, and by a later run if this process is
	// killed (removeStaleXLSXTemp).
	removeStaleXLSXTemp()
	tmp, err := os.MkdirTemp("", fmt.Sprintf("%s%d-", xlsxTempPrefix, os.Getpid()))
	if err != nil {
		return nil, err
	}
	f, err := excelize.OpenFile(path, excelize.Options{ShortDatePattern: "dd/mm/yyyy", LongDatePattern: "dd/mm/yyyy",
		UnzipSizeLimit: MaxXLSXUnzipped, UnzipXMLSizeLimit: xlsxInMemory, TmpDir: tmp})
	if err != nil {
		if f != nil {
			f.Close()
		}
		os.RemoveAll(tmp)
		if errors.Is(err, excelize.ErrWorkbookFileFormat) || errors.Is(err, excelize.ErrWorkbookPassword) {
			return nil, &refusedError{"không mở được sổ tính: tệp Excel cũ (.xls) hoặc có mật khẩu; lưu lại thành .xlsx không mật khẩu"}
		}
		return nil, fmt.Errorf("mở tệp xlsx: %w", err)
	}
	x := &xlsxReader{f: f, tmp: tmp}
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		x.Close()
		return nil, &refusedError{"tệp xlsx không có trang tính"}
	}
	if x.rows, err = f.Rows(sheets[0]); err != nil {
		x.Close()
		return nil, fmt.Errorf("đọc trang tính %q: %w", sheets[0], err)
	}
	for {
		cells, err := x.next()
		if err != nil {
			x.Close()
			if err == io.EOF {
				return nil, &refusedError{"trang tính rỗng, không có dòng tiêu đề"}
			}
			return nil, err
		}
		if len(cells) > MaxColumns {
			x.Close()
			return nil, &refusedError{fmt.Sprintf("dòng tiêu đề có %d cột, quá giới hạn %d cột", len(cells), MaxColumns)}
		}
		if !isBlank(cells) {
			x.header = cells
			return x, nil
		}
	}
}

// checkZip refuses a file that is not a zip archive, or whose parts unzip
// to more than MaxXLSXUnzipped, as the archive declares them. The declared
// sizes hold: the zip reader fails on a part that unzips to more.
func checkZip(f *os.File) error {
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	zr, err := zip.NewReader(f, fi.Size())
	if err != nil {
		return &refusedError{"không phải tệp xlsx (không đọc được như tệp nén zip): " + err.Error()}
	}
	var total uint64
	for _, e := range zr.File {
		total += e.UncompressedSize64
		if total > MaxXLSXUnzipped {
			return &refusedError{fmt.Sprintf("tệp xlsx %d byte giải nén ra hơn %d MiB, quá giới hạn (có thể là \"bom zip\")", fi.Size(), MaxXLSXUnzipped>>20)}
		}
	}
	return nil
}

// xlsxTempPrefix begins the names of the folders of the workbook library's
// temporary files, followed by the PID of the process that made them.
const xlsxTempPrefix = "hotich-xlsx-"

// removeStaleXLSXTemp removes the temporary folders that processes no longer
// running left (a killed ingest of a large workbook).
func removeStaleXLSXTemp() {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), xlsxTempPrefix+"*"))
	for _, d := range dirs {
		pid, _, ok := strings.Cut(strings.TrimPrefix(filepath.Base(d), xlsxTempPrefix), "-")
		if n, err := strconv.Atoi(pid); ok && err == nil && n != os.Getpid() && !processAlive(n) {
			os.RemoveAll(d)
		}
	}
}

func (x *xlsxReader) next() ([]string, error) {
	if !x.rows.Next() {
		if err := x.rows.Error(); err != nil {
			return nil, err
		}
		return nil, io.EOF
	}
	return x.rows.Columns()
}

func (x *xlsxReader) Header() []string { return x.header }

func (x *xlsxReader) Next() ([]string, error) {
	for {
		cells, err := x.next()
		if err != nil {
			return nil, err
		}
		if isBlank(cells) {
			continue
		}
		// Spreadsheets omit trailing empty cells: pad to the header.
		for len(cells) < len(x.header) {
			cells = append(cells, "")
		}
		return cells, nil
	}
}

func (x *xlsxReader) Close() error {
	if x.rows != nil {
		x.rows.Close()
	}
	err := x.f.Close()
	os.RemoveAll(x.tmp)
	return err
}
