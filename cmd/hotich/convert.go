package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/hotich/hotich/ingest"
	"github.com/hotich/hotich/registry/vntext"
)

func init() {
	register("convert", "convert legacy-encoded text/CSV files (TCVN3, VNI, CP1258, VISCII, UTF-16) to UTF-8 NFC", runConvert)
}

const convertUsage = `
Usage: hotich convert [--encoding ENC] [--check] [--repair-mojibake] [--bom] [-o OUT] FILE...

Converts text and CSV files written in the legacy Vietnamese encodings
(TCVN3/ABC ".VnTime", VNI-Windows, Windows-1258, VISCII) or in UTF-16 to
UTF-8 in NFC, the job operators used to do one file at a time with a desktop
converter. The encoding of each file is detected from its first 64 KiB and
printed on standard error with its confidence; --encoding forces one.
Files are streamed, never loaded whole. FILE "-" is standard input.

With one FILE and no -o the result goes to standard output. -o names the
output file, or, with several FILEs (or an existing folder), the folder the
results are written to under their own names. Outputs are written to a
temporary file and renamed, so a reader never sees half a file; an output
may not replace its input.

--check only detects and reports; nothing is written. --repair-mojibake
also repairs, field by field, UTF-8 text that was once misread as CP1252
("Nguyá»…n" becomes "Nguyễn"); correct text is never changed.

Examples:

	hotich convert so-ks-1995.csv > so-ks-1995.utf8.csv
	hotich convert --check exports/*.csv
	hotich convert --encoding tcvn3 -o utf8/ so-ks-1995.csv so-ks-1996.csv
	hotich convert --repair-mojibake --bom -o ks-2001.csv ks-2001-raw.csv
`

// lowConfidence is the confidence under which convert warns.
const lowConfidence = 0.6

func runConvert(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "convert", convertUsage)
	encName := fs.String("encoding", "auto", "source encoding: auto, utf8, utf16, utf16le, utf16be, cp1258, tcvn3, vni, viscii")
	check := fs.Bool("check", false, "only detect and report the encodings; write nothing")
	out := fs.String("o", "", "output file, or folder for several files (default: standard output)")
	repair := fs.Bool("repair-mojibake", false, "repair UTF-8 misread as CP1252, field by field")
	bom := fs.Bool("bom", false, "start each output with a UTF-8 BOM (for Excel)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	files := fs.Args()
	if len(files) == 0 {
		fs.Usage()
		return usageError("convert: no file given")
	}
	force, err := vntext.ParseEncoding(*encName)
	if err != nil {
		return usageError(fmt.Sprintf("convert: --encoding: %v", err))
	}
	outDir := ""
	if !*check {
		switch st, err := os.Stat(*out); {
		case len(files) > 1 && *out == "":
			return usageError("convert: several files need -o FOLDER")
		case len(files) > 1 || *out != "" && err == nil && st.IsDir():
			outDir = *out
			if err := os.MkdirAll(outDir, 0o755); err != nil {
				return fmt.Errorf("convert: %w", err)
			}
		}
	}
	opt := convertOptions{force: force, check: *check, repair: *repair, bom: *bom}
	var errs []error
	for _, name := range files {
		if err := ctx.Err(); err != nil {
			return err
		}
		dst := *out
		if outDir != "" {
			dst = filepath.Join(outDir, filepath.Base(name))
		}
		if err := convertFile(ctx, e, name, dst, opt); err != nil {
			fmt.Fprintf(e.stderr, "%s: lỗi: %v\n", name, err)
			errs = append(errs, fmt.Errorf("convert %s: %w", name, err))
		}
	}
	return errors.Join(errs...)
}

// convertOptions are the flags that shape one file's conversion.
type convertOptions struct {
	force  vntext.Encoding
	check  bool
	repair bool
	bom    bool
}

// convertFile detects the encoding of the file name (or standard input for
// "-"), reports it, and unless checking writes the UTF-8 NFC text to dst
// (standard output when dst is "").
func convertFile(ctx context.Context, e *env, name, dst string, opt convertOptions) error {
	var in io.Reader = e.stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		defer f.Close()
		if dst != "" && sameFile(f, dst) {
			return errors.New("kết quả sẽ ghi đè lên tệp gốc; hãy chọn -o khác")
		}
		in = f
	}
	br := bufio.NewReaderSize(in, 64<<10)
	sample, err := br.Peek(64 << 10)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return err
	}
	det := vntext.Detect(sample)
	enc := det.Encoding
	if opt.force != vntext.Unknown {
		enc = opt.force
	}
	fmt.Fprintf(e.stderr, "%s: %s\n", name, describeDetection(det, opt.force))
	if opt.check {
		return nil
	}
	src := vntext.NewCellCaseReader(ingest.ContextReader(ctx, br), enc)
	repaired := 0
	err = writeAtomically(e, dst, func(w io.Writer) error {
		bw := bufio.NewWriterSize(w, 64<<10)
		if opt.bom {
			bw.WriteString("\uFEFF")
		}
		if opt.repair {
			var err error
			repaired, err = copyRepairing(bw, src)
			if err != nil {
				return err
			}
		} else if _, err := io.Copy(bw, src); err != nil {
			return err
		}
		return bw.Flush()
	})
	if err != nil {
		return err
	}
	if opt.repair {
		fmt.Fprintf(e.stderr, "%s: đã sửa %d ô lỗi phông (mojibake)\n", name, repaired)
	}
	return nil
}

// describeDetection writes the line convert prints for a file.
func describeDetection(d vntext.Detection, force vntext.Encoding) string {
	if force != vntext.Unknown {
		return fmt.Sprintf("%v (chỉ định bằng --encoding; tự nhận dạng: %v, tin cậy %.2f)", force, d.Encoding, d.Confidence)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%v, tin cậy %.2f", d.Encoding, d.Confidence)
	var notes []string
	if d.BOM {
		notes = append(notes, "có BOM")
	}
	if d.NFD {
		notes = append(notes, "dạng tổ hợp NFD")
	}
	if d.Words > 0 {
		notes = append(notes, fmt.Sprintf("%d từ có dấu, %.0f%% là âm tiết tiếng Việt", d.Words, 100*d.Valid))
	}
	if d.RunnerUp != vntext.Unknown {
		notes = append(notes, fmt.Sprintf("kế tiếp: %v", d.RunnerUp))
	}
	if len(notes) > 0 {
		fmt.Fprintf(&b, " (%s)", strings.Join(notes, "; "))
	}
	if d.Confidence < lowConfidence {
		b.WriteString(" — độ tin cậy thấp: hãy kiểm tra kết quả hoặc chỉ định --encoding")
	}
	return b.String()
}

// copyRepairing copies lines from r to w, repairing the mojibake of each
// field. Fields are split at the CSV/TSV separators and quotes, which
// mojibake never contains. It returns the number of fields repaired.
func copyRepairing(w *bufio.Writer, r io.Reader) (int, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	repaired := 0
	for {
		line, err := br.ReadString('\n')
		if len(line) > 0 {
			start := 0
			for i := 0; i <= len(line); i++ {
				if i < len(line) && !strings.ContainsRune(",;\t\"\r\n", rune(line[i])) {
					continue
				}
				field := line[start:i]
				if fixed, ok := vntext.RepairMojibake(field); ok {
					field = fixed
					repaired++
				}
				w.WriteString(field)
				if i < len(line) {
					w.WriteByte(line[i])
				}
				start = i + 1
			}
		}
		if errors.Is(err, io.EOF) {
			return repaired, nil
		}
		if err != nil {
			return repaired, err
		}
	}
}

// sameFile reports whether path names the file f is open on.
func sameFile(f *os.File, path string) bool {
	a, err := f.Stat()
	if err != nil {
		return false
	}
	b, err := os.Stat(path)
	return err == nil && os.SameFile(a, b)
}
