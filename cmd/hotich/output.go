package main

import (
	"flag"
	"fmt"
	"io"
	"time"
	"unicode/utf8"

	"github.com/schollz/progressbar/v3"
)

// Human output (tables, records) carries text from batch files, which may
// hold terminal control sequences: an ESC in a name could recolour the
// terminal, move the cursor or retitle the window. termSafe escapes every
// control character but newline and tab as \x1b, \u009b, … so the clerk
// sees what the cell holds and the terminal does nothing with it. Data
// output (exports, JSON, PDFs on standard output) is never filtered.

// termSafeWriter escapes control characters in what it writes.
type termSafeWriter struct {
	w       io.Writer
	pending []byte // an incomplete UTF-8 sequence at the end of a write
}

// termSafe wraps w for human output.
func termSafe(w io.Writer) io.Writer {
	if _, ok := w.(*termSafeWriter); ok {
		return w
	}
	return &termSafeWriter{w: w}
}

func (t *termSafeWriter) Write(p []byte) (int, error) {
	n := len(p)
	if len(t.pending) > 0 {
		p = append(t.pending, p...)
		t.pending = nil
	}
	out := make([]byte, 0, len(p))
	for len(p) > 0 {
		r, size := utf8.DecodeRune(p)
		if r == utf8.RuneError && size <= 1 && !utf8.FullRune(p) {
			t.pending = append(t.pending, p...) // completed by the next write
			break
		}
		switch {
		case r == '\n' || r == '\t':
			out = append(out, byte(r))
		case r == utf8.RuneError && size == 1:
			out = append(out, fmt.Sprintf(`\x%02x`, p[0])...)
		case r < 0x20 || r == 0x7f:
			out = append(out, fmt.Sprintf(`\x%02x`, r)...)
		case r >= 0x80 && r < 0xa0, r == 0x2028, r == 0x2029, r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
			// C1 controls (CSI is U+009B), line separators and the
			// bidirectional overrides that reorder what is shown.
			out = append(out, fmt.Sprintf(`\u%04x`, r)...)
		default:
			out = append(out, p[:size]...)
		}
		p = p[size:]
	}
	if _, err := t.w.Write(out); err != nil {
		return 0, err
	}
	return n, nil
}

// listing holds the flags every listing command shares: how many rows to
// show and whether to print JSON. Lists stop at 100 rows unless told
// otherwise, and say so when they do.
type listing struct {
	limit int
	all   bool
	json  bool
}

// defaultLimit is how many rows a listing shows unless told otherwise.
const defaultLimit = 100

func addListFlags(fs *flag.FlagSet) *listing {
	l := &listing{}
	fs.IntVar(&l.limit, "limit", defaultLimit, "show at most this many")
	fs.BoolVar(&l.all, "all", false, "show all, however many")
	fs.BoolVar(&l.json, "json", false, "print a JSON array (snake_case keys) instead of a table")
	return l
}

// check validates the flags.
func (l *listing) check(cmd string) error {
	if l.limit < 1 && !l.all {
		return usageError(fmt.Sprintf("%s: --limit must be at least 1 (or --all)", cmd))
	}
	return nil
}

// fetch is how many rows to ask the store for: one more than shown, to
// know whether the list was cut; 0 for all.
func (l *listing) fetch() int {
	if l.all {
		return 0
	}
	return l.limit + 1
}

// cut trims n rows to the limit and reports whether any were left out.
func (l *listing) cut(n int) (shown int, cut bool) {
	if l.all || n <= l.limit {
		return n, false
	}
	return l.limit, true
}

// footer says on w that the list was cut (for a table), or on stderr (for
// JSON, whose output must stay one array).
func (l *listing) footer(e *env, w io.Writer, shown int, cut bool) {
	if !cut {
		return
	}
	msg := fmt.Sprintf("(chỉ hiện %d dòng đầu; còn nữa: dùng --limit N hoặc --all)\n", shown)
	if l.json {
		fmt.Fprint(e.stderr, "hotich: "+msg)
		return
	}
	fmt.Fprint(w, msg)
}

// print writes a listing of shown rows: v as JSON, or else the table on
// standard output with control characters escaped (the empty message when
// there are no rows), then the footer.
func (l *listing) print(e *env, shown int, cut bool, v any, empty string, table func(w io.Writer) error) error {
	if l.json {
		if err := printJSON(e.stdout, v); err != nil {
			return err
		}
		l.footer(e, e.stdout, shown, cut)
		return nil
	}
	w := termSafe(e.stdout)
	if shown == 0 {
		fmt.Fprintln(w, empty)
		return nil
	}
	if err := table(w); err != nil {
		return err
	}
	l.footer(e, w, shown, cut)
	return nil
}

// newBar returns the progress bar of a long command on standard error:
// total items (bytes when unit is "" ), a description, drawn at most five
// times a second and cleared when done.
func newBar(e *env, total int64, desc, unit string) *progressbar.ProgressBar {
	opts := []progressbar.Option{
		progressbar.OptionSetWriter(e.stderr),
		progressbar.OptionSetDescription(desc),
		progressbar.OptionSetWidth(30),
		progressbar.OptionThrottle(200 * time.Millisecond),
		progressbar.OptionClearOnFinish(),
	}
	if unit == "" {
		opts = append(opts, progressbar.OptionShowBytes(true))
	} else {
		opts = append(opts, progressbar.OptionShowCount(), progressbar.OptionShowIts(), progressbar.OptionSetItsString(unit))
	}
	return progressbar.NewOptions64(total, opts...)
}
