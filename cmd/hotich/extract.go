package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/schollz/progressbar/v3"

	"github.com/hotich/hotich/internal/atomicfile"
	"github.com/hotich/hotich/issuing"
	"github.com/hotich/hotich/registry"
)

func init() {
	register("extract", "issue certified copies (bản sao trích lục) as signed PDFs", runExtract)
}

const extractUsage = `
Usage: hotich extract [--db PATH] (--id ID | --dinh-danh NUMBER --register KS|KH|KT|NCMC)
                      [--issuer CODE] [--requester NAME] [--copies N] [--by CLERK]
                      [--giay-khai-sinh] [--override REASON] [--keys DIR]
                      [--verify-url URL] [--tsa URL] -o FILE.pdf
       hotich extract [--db PATH] --batch FILE_OF_IDS [--issuer CODE] [--by CLERK]
                      [--giay-khai-sinh] [--copies N] [--keys DIR] [--tsa URL] -o DIR

Issues a certified copy of a register entry as a signed PDF: the form of its
register (Trích lục khai sinh, or with --giay-khai-sinh a copy of the Giấy
khai sinh; Trích lục kết hôn, khai tử, đăng ký nhận cha, mẹ, con), issued by
the unit that holds the register today (the primary successor of the
authority the entry was registered at; --issuer CODE for another: anyone may
ask any unit), with the next serial of that unit, year and form
("1/2026/TLKT-BS"). A long entry continues on further pages.

The copy carries a PAdES signature (ETSI EN 319 142-1) over the whole file,
made with the unit's key and certificate (KEYS/CODE.key and CODE.crt, see
"hotich keys"), which PDF readers check, and a QR code signing the printed
values (register, serial, names, dates, unit), or the desk's verification
URL with them (--verify-url, default the store's "keys url"). With a
time-stamping authority (--tsa, default the store's "keys tsa") each
signature also carries its RFC 3161 timestamp (PAdES B-T). A unit without a
registered certificate or a signer block (keys signer) cannot issue.

Every issue is logged (who, when, record, requester, serial, the signature
and the SHA-256 of the file); a re-print is a new issue with a new serial,
and "hotich issued reprint" writes a lost file again, byte for byte.
--copies N puts N identical copies in the file.

A record with open flags, an unresolved conflict or a duplicate link under
review is refused with the reasons (exit 3), unless --override gives the
clerk's reason to issue anyway; the reason is logged with the issue.

--dinh-danh finds the entry by the personal ID of its subject (the child,
the deceased; either spouse; either party of a recognition).

Batch mode issues a copy of every record ID in FILE_OF_IDS (one per line,
"#" comments; "-" reads standard input) into DIR, named SERIAL_ID.pdf, with
a progress bar when standard error is a terminal. Refused records are
listed and skipped (no --override in batch mode: overrides are decided one
by one). Run again after an interruption, the same command issues only
what has no copy from that run yet and writes lost files again from the
log. -o - writes a single copy to standard output.

CLERK defaults to $HOTICH_CLERK, else $USER; KEYS to $HOTICH_KEYS, else
./keys. Exit status 3 means refused, 4 not found.

Examples (IDs of the sample store, see README; unit 26740 set up as there):

	hotich extract --id KT-26740-0EKDGEA11E --requester "Trần Văn Ơn" --by lan -o kt.pdf
	hotich extract --dinh-danh 079304549379 --register KS --giay-khai-sinh --copies 2 --issuer 26740 --by lan -o gks.pdf
	hotich extract --id KH-27211-V5DR2VKGT3 --issuer 26740 --by lan -o kh.pdf
	printf 'KT-26740-0EKDGEA11E\nNCMC-26776-06047R3VZF\n' > ids.txt
	hotich extract --batch ids.txt --issuer 26740 --by lan -o ban-sao/
`

func runExtract(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "extract", extractUsage)
	dbPath := dbFlag(fs)
	id := fs.String("id", "", "record ID")
	pid := fs.String("dinh-danh", "", "personal ID (số định danh) of the entry's subject, with --register")
	regFlag := fs.String("register", "", "register of --dinh-danh: KS, KH, KT or NCMC")
	batch := fs.String("batch", "", "file of record IDs, one per line (\"-\": standard input)")
	issuer := fs.String("issuer", "", "issuing authority code (default: the unit holding the register today)")
	requester := fs.String("requester", "", "who asks for the copy (logged, not printed)")
	copies := fs.Int("copies", 1, "identical pages to print (1 to 50)")
	by := fs.String("by", "", "clerk issuing the copy (default $HOTICH_CLERK, else $USER)")
	gks := fs.Bool("giay-khai-sinh", false, "copy a birth entry on the Giấy khai sinh form instead of the Trích lục khai sinh")
	override := fs.String("override", "", "issue a record under review anyway, for this reason (logged)")
	keys := fs.String("keys", "", "key folder (default $HOTICH_KEYS, else ./keys)")
	verifyURL := fs.String("verify-url", "", "the desk's public address for the QR code's verification URL (default: the store's setting, see keys url)")
	tsaURL := fs.String("tsa", "", "time-stamping authority (RFC 3161) for the signatures (default: the store's setting, see keys tsa)")
	out := fs.String("o", "", "output file (\"-\": standard output), or folder in batch mode (required)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return usageError(fmt.Sprintf("extract: unexpected argument %q", fs.Arg(0)))
	}
	modes := 0
	for _, set := range []bool{*id != "", *pid != "", *batch != ""} {
		if set {
			modes++
		}
	}
	switch {
	case modes != 1:
		fs.Usage()
		return usageError("extract: give exactly one of --id, --dinh-danh or --batch")
	case *pid != "" && *regFlag == "":
		return usageError("extract: --dinh-danh needs --register KS|KH|KT|NCMC")
	case *out == "":
		return usageError("extract: -o FILE.pdf (or -o DIR with --batch) is required")
	case *batch != "" && *override != "":
		return usageError("extract: no --override in batch mode; issue records under review one by one")
	case *batch != "" && *out == "-":
		return usageError("extract: --batch writes into a folder, not to standard output")
	}
	if *copies < 1 || *copies > 50 {
		return usageError(fmt.Sprintf("extract: --copies %d: want 1 to 50", *copies))
	}
	if *pid != "" && !personalIDRE.MatchString(strings.TrimSpace(*pid)) {
		return usageError("extract: --dinh-danh: a personal ID is 12 digits (or 9 for an old identity card)")
	}
	clerk := strings.TrimSpace(*by)
	if clerk == "" {
		clerk = e.getenv("HOTICH_CLERK")
	}
	if clerk == "" {
		clerk = e.getenv("USER")
	}
	if clerk == "" {
		return usageError("extract: who issues the copy? (--by CLERK or HOTICH_CLERK)")
	}

	db, err := openStore(ctx, e, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	desk, err := issuing.New(ctx, db, issuing.Options{KeysDir: keysDir(e, *keys), BaseURL: strings.TrimSpace(*verifyURL), TSA: strings.TrimSpace(*tsaURL), Log: e.log})
	if err != nil {
		return err
	}
	tmpl := issuing.Request{IssuerCode: *issuer, BirthCertificate: *gks, Requester: *requester, Clerk: clerk, Copies: *copies, Override: *override}
	if *batch != "" {
		return extractBatch(ctx, e, desk, tmpl, *batch, *out)
	}
	recID := *id
	if *pid != "" {
		reg, err := registry.ParseRegister(*regFlag)
		if err != nil {
			return err
		}
		if recID, err = desk.FindByPersonalID(ctx, strings.TrimSpace(*pid), reg); err != nil {
			return err
		}
	}
	path := *out
	if path != "-" {
		if _, err := os.Stat(path); err == nil {
			return registry.Errorf(registry.ECONFLICT, "đã có tệp %s: chọn tên khác (bản sao đã cấp không bị ghi đè)", path)
		}
	}
	req := tmpl
	req.RecordID = recID
	got, err := desk.Issue(ctx, req)
	if err != nil {
		return err
	}
	iss := got.Issue
	if path == "-" {
		_, err = e.stdout.Write(got.PDF)
	} else {
		err = atomicfile.WriteFile(path, got.PDF, atomicfile.Public)
	}
	if err != nil {
		return fmt.Errorf("bản sao số %s đã được ghi vào sổ cấp nhưng không ghi được tệp %s (in lại từ sổ cấp bằng: hotich issued reprint): %w", iss.Serial, path, err)
	}
	report := e.stdout
	if path == "-" {
		report = e.stderr
	}
	fmt.Fprintf(report, "Đã cấp bản sao số %s (%s), trích lục %s, cơ quan cấp %s, %d bản", iss.Serial, iss.Form.Title(), iss.RecordID, iss.IssuerCode, iss.Copies)
	if path != "-" {
		fmt.Fprintf(report, ": %s", path)
	}
	fmt.Fprintln(report)
	if iss.Override != "" {
		fmt.Fprintf(report, "Cấp theo quyết định của người cấp (đã ghi vào sổ cấp), dù: %s\n", strings.Join(iss.Blockers, "; "))
	}
	return nil
}

// personalIDRE is the shape of a personal ID: 12 digits (số định danh cá
// nhân), or 9 for an old identity card.
var personalIDRE = regexp.MustCompile(`^([0-9]{12}|[0-9]{9})$`)

// extractBatch issues a copy of every record listed in a file into a
// folder. The run is named by the list, the folder and the form asked for:
// run again after an interruption, it issues only what has no copy from
// this run yet, and writes again, from the issue log, any file of it lost.
func extractBatch(ctx context.Context, e *env, desk *issuing.Desk, tmpl issuing.Request, list, dir string) error {
	ids, raw, err := readIDs(e, list)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if n, err := atomicfile.RemoveStale(dir); err != nil {
		return err
	} else if n > 0 {
		e.log.Info("removed temporary files of an interrupted run", "dir", dir, "files", n)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	h := sha256.Sum256([]byte(fmt.Sprintf("%s\x00%s\x00%s\x00%t\x00%d\x00", raw, abs, tmpl.IssuerCode, tmpl.BirthCertificate, tmpl.Copies)))
	b := issuing.Batch{ID: hex.EncodeToString(h[:8]), IDs: ids, Template: tmpl}
	// One log line per copy would scroll the progress bar away; the issue
	// log in the store has every copy, the log gets the summary.
	desk.Log = nil
	var tick func()
	var bar *progressbar.ProgressBar
	if isTerminal(e.stderr) {
		bar = newBar(e, int64(len(ids)), "cấp bản sao", "bản")
		tick = func() { bar.Add(1) }
	}
	res, err := desk.RunBatch(ctx, b, folderSink(dir), tick)
	if bar != nil {
		bar.Finish()
	}
	if err != nil {
		return err
	}
	for _, id := range slices.Sorted(maps.Keys(res.Refused)) {
		fmt.Fprintf(e.stderr, "từ chối %s: %s\n", id, registry.ErrorMessage(res.Refused[id]))
	}
	for _, id := range slices.Sorted(maps.Keys(res.Failed)) {
		fmt.Fprintf(e.stderr, "lỗi %s: %s\n", id, registry.ErrorMessage(res.Failed[id]))
	}
	e.log.Info("extract batch done", "batch", b.ID, "issued", res.Issued, "already", res.Resumed, "rewritten", res.Rewritten,
		"refused", len(res.Refused), "failed", len(res.Failed), "dir", dir)
	fmt.Fprintf(e.stdout, "Lô %s: đã cấp %d bản sao vào %s; đã cấp từ lần chạy trước %d (ghi lại tệp %d); từ chối %d; lỗi %d.\n",
		b.ID, res.Issued, dir, res.Resumed+res.Rewritten, res.Rewritten, len(res.Refused), len(res.Failed))
	if err := res.Err(); err != nil {
		return err
	}
	if len(res.Refused) > 0 {
		return registry.Errorf(registry.EREFUSED, "%d trích lục bị từ chối (xem danh sách ở trên); cấp từng trích lục với --override nếu cần", len(res.Refused))
	}
	return nil
}

// folderSink writes a batch's copies into a folder as SERIAL_ID.pdf.
type folderSink string

func (dir folderSink) Has(iss *registry.ExtractIssue) bool {
	return fileHas(filepath.Join(string(dir), fileName(iss)), iss.DocumentSHA256)
}

func (dir folderSink) Write(iss *registry.ExtractIssue, pdf []byte) error {
	return atomicfile.WriteFile(filepath.Join(string(dir), fileName(iss)), pdf, atomicfile.Public)
}

// fileName is a batch copy's file name: SERIAL_ID.pdf.
func fileName(iss *registry.ExtractIssue) string {
	return strings.ReplaceAll(iss.Serial.String(), "/", "-") + "_" + iss.RecordID + ".pdf"
}

// fileHas reports whether a file exists with the given SHA-256.
func fileHas(path, sha string) bool {
	b, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]) == sha
}

// readIDs reads record IDs, one per line, skipping blank lines and "#"
// comments.
func readIDs(e *env, path string) ([]string, []byte, error) {
	var r io.Reader = e.stdin
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return nil, nil, err
		}
		defer f.Close()
		r = f
	}
	raw, err := io.ReadAll(io.LimitReader(r, 64<<20))
	if err != nil {
		return nil, nil, err
	}
	var ids []string
	sc := bufio.NewScanner(bytes.NewReader(raw))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		ids = append(ids, strings.Fields(line)[0])
	}
	if err := sc.Err(); err != nil {
		return nil, nil, err
	}
	if len(ids) == 0 {
		return nil, nil, registry.Errorf(registry.EINVALID, "tệp %s không có mã trích lục nào", path)
	}
	return ids, raw, nil
}
