package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/hotich/hotich/extract"
	"github.com/hotich/hotich/internal/atomicfile"
	"github.com/hotich/hotich/registry"
	"github.com/hotich/hotich/registry/sign"
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
	rd, err := db.RefData(ctx)
	if err != nil {
		return err
	}
	r, err := extract.NewRenderer()
	if err != nil {
		return err
	}
	base := strings.TrimSpace(*verifyURL)
	if base == "" {
		if base, err = db.Setting(ctx, settingVerifyURL); err != nil {
			return err
		}
	}
	tsa := strings.TrimSpace(*tsaURL)
	if tsa == "" {
		if tsa, err = db.Setting(ctx, settingTSA); err != nil {
			return err
		}
	}
	is := &issuing{
		e:    e,
		db:   db,
		desk: &extract.Desk{Records: db, Issues: db, RefData: rd, Renderer: r, Log: e.log, BaseURL: base},
		dir:  keysDir(e, *keys),
		keys: map[string]*sign.UnitKey{},
		tsa:  tsa,
		req:  extract.Request{IssuerCode: *issuer, BirthCertificate: *gks, Requester: *requester, Clerk: clerk, Copies: *copies, Override: *override},
	}
	if *batch != "" {
		return is.batch(ctx, *batch, *out)
	}
	recID := *id
	if *pid != "" {
		reg, err := registry.ParseRegister(*regFlag)
		if err != nil {
			return err
		}
		if recID, err = findByPersonalID(ctx, db, strings.TrimSpace(*pid), reg); err != nil {
			return err
		}
	}
	path := *out
	if path != "-" {
		if _, err := os.Stat(path); err == nil {
			return registry.Errorf(registry.ECONFLICT, "đã có tệp %s: chọn tên khác (bản sao đã cấp không bị ghi đè)", path)
		}
	}
	req, err := is.request(ctx, recID)
	if err != nil {
		return err
	}
	got, err := is.desk.Issue(ctx, req)
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

// The store settings of the desk's public address and of its
// time-stamping authority.
const (
	settingVerifyURL = "verify_url"
	settingTSA       = "tsa_url"
)

// issuing holds what issuing copies from the command line needs: the
// desk, and the signing keys loaded so far (batch mode may need several).
type issuing struct {
	e    *env
	db   registry.Store
	desk *extract.Desk
	dir  string
	keys map[string]*sign.UnitKey
	tsa  string // the time-stamping authority's URL, "" for none
	req  extract.Request
}

// request makes the request for a copy of a record, with the key of the
// unit that issues it.
func (is *issuing) request(ctx context.Context, id string) (extract.Request, error) {
	req := is.req
	rec, err := is.db.FindRecordByID(ctx, id)
	if err != nil {
		return req, err
	}
	key, err := is.key(ctx, rec)
	if err != nil {
		return req, err
	}
	req.RecordID, req.Sealer = rec.ID, key
	return req, nil
}

// key loads the key of the unit that will issue a copy of rec, and checks
// that its certificate is registered: a copy signed with an unregistered
// certificate could not be verified against this store.
func (is *issuing) key(ctx context.Context, rec *registry.Record) (*sign.UnitKey, error) {
	issuer, err := is.desk.IssuerOf(rec, is.req.IssuerCode)
	if err != nil {
		return nil, err
	}
	code := issuer.Code
	if k, ok := is.keys[code]; ok {
		return k, nil
	}
	k, err := sign.LoadUnitKey(is.dir, code)
	if err != nil {
		return nil, err
	}
	certs, err := is.db.FindCertificates(ctx, k.KeyID())
	if err != nil {
		return nil, err
	}
	registered := false
	for _, c := range certs {
		registered = registered || c.Fingerprint == k.CertSHA256() && c.IssuerCode == code
	}
	if !registered {
		return nil, registry.Errorf(registry.EREFUSED, "chứng thư ký của cơ quan %s (%s) chưa được đăng ký trong kho này: cài bằng hotich keys import hoặc keys init", code, k.SignerName())
	}
	if is.tsa != "" {
		k.TSA = &sign.TSA{URL: is.tsa}
	}
	is.keys[code] = k
	return k, nil
}

// batchGroup is how many copies a batch issues per store transaction: the
// renderer uses every core within one, and a crash loses one group or
// none.
const batchGroup = 32

// batch issues a copy of every record listed in a file into a folder. The
// run is named by the list, the folder and the form asked for: run again
// after an interruption, it issues only what has no copy from this run
// yet, and writes again, from the issue log, any file of it lost.
func (is *issuing) batch(ctx context.Context, list, dir string) error {
	ids, raw, err := readIDs(is.e, list)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if n, err := atomicfile.RemoveStale(dir); err != nil {
		return err
	} else if n > 0 {
		is.e.log.Info("removed temporary files of an interrupted run", "dir", dir, "files", n)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	h := sha256.Sum256([]byte(fmt.Sprintf("%s\x00%s\x00%s\x00%t\x00%d\x00", raw, abs, is.req.IssuerCode, is.req.BirthCertificate, is.req.Copies)))
	batchID := hex.EncodeToString(h[:8])
	done, err := is.db.FindBatchIssues(ctx, batchID)
	if err != nil {
		return err
	}
	// One log line per copy would scroll the progress bar away; the issue
	// log in the store has every copy, the log gets the summary.
	is.desk.Log = nil
	var bar *progressbar.ProgressBar
	if isTerminal(is.e.stderr) {
		bar = progressbar.NewOptions(len(ids),
			progressbar.OptionSetWriter(is.e.stderr),
			progressbar.OptionSetDescription("cấp bản sao"),
			progressbar.OptionShowCount(),
			progressbar.OptionSetWidth(30),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionClearOnFinish())
	}
	var (
		issued, resumed, rewritten, refused int
		failures                            []error
		mu                                  sync.Mutex // failures, the bar and stderr, shared with the writer
	)
	fail := func(id string, err error) {
		mu.Lock()
		defer mu.Unlock()
		failures = append(failures, fmt.Errorf("%s: %s", id, registry.ErrorMessage(err)))
		fmt.Fprintf(is.e.stderr, "lỗi %s: %s\n", id, registry.ErrorMessage(err))
	}
	tick := func() {
		mu.Lock()
		defer mu.Unlock()
		if bar != nil {
			bar.Add(1)
		}
	}
	logged := map[string]*registry.ExtractIssue{}
	for _, iss := range done {
		logged[iss.BatchItem] = iss
	}
	// The files of a group are written while the next group is issued:
	// writing (two fsyncs a file) would otherwise leave the cores idle. A
	// group is logged before its files are written; a run that stops in
	// between writes them again from the log when it is run again.
	files := make(chan []*extract.Issued, 1)
	written := make(chan struct{})
	go func() {
		defer close(written)
		for group := range files {
			for _, g := range group {
				if err := atomicfile.WriteFile(filepath.Join(dir, fileName(g.Issue)), g.PDF, atomicfile.Public); err != nil {
					fail(g.Issue.BatchItem, fmt.Errorf("bản sao số %s đã được ghi vào sổ cấp nhưng không ghi được tệp (chạy lại lệnh để ghi lại): %w", g.Issue.Serial, err))
				} else {
					mu.Lock()
					issued++
					mu.Unlock()
				}
				tick()
			}
		}
	}()
	var closeOnce sync.Once
	finishWrites := func() {
		closeOnce.Do(func() { close(files) })
		<-written
	}
	defer finishWrites()
	var todo []extract.Request
	flush := func() error {
		if len(todo) == 0 {
			return nil
		}
		got, errs, err := is.desk.IssueMany(ctx, todo)
		if err != nil {
			return err
		}
		var group []*extract.Issued
		for k, g := range got {
			id := todo[k].BatchItem
			switch {
			case errs[k] == nil:
				group = append(group, g)
				continue
			case registry.ErrorCode(errs[k]) == registry.EREFUSED:
				refused++
				mu.Lock()
				fmt.Fprintf(is.e.stderr, "từ chối %s: %s\n", id, registry.ErrorMessage(errs[k]))
				mu.Unlock()
			default:
				fail(id, errs[k])
			}
			tick()
		}
		files <- group
		todo = todo[:0]
		return nil
	}
	seen := map[string]bool{}
	for _, id := range ids {
		if err := ctx.Err(); err != nil {
			return err
		}
		if seen[id] {
			tick()
			continue
		}
		seen[id] = true
		if iss, ok := logged[id]; ok {
			// Issued by an earlier run of this batch: never a second
			// serial; write the file again if it is missing.
			path := filepath.Join(dir, fileName(iss))
			if fileHas(path, iss.DocumentSHA256) {
				resumed++
			} else if pdf, err := is.desk.Reissue(iss); err != nil {
				fail(id, err)
			} else if err := atomicfile.WriteFile(path, pdf, atomicfile.Public); err != nil {
				fail(id, err)
			} else {
				rewritten++
			}
			tick()
			continue
		}
		req, err := is.request(ctx, id)
		if err != nil {
			// Not found, or the unit's key or certificate missing: a
			// failure to report, not a record refused for review (that
			// is decided when it is issued).
			fail(id, err)
			tick()
			continue
		}
		req.BatchID, req.BatchItem = batchID, id
		todo = append(todo, req)
		if len(todo) == batchGroup {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := flush(); err != nil {
		return err
	}
	finishWrites()
	if bar != nil {
		bar.Finish()
	}
	is.e.log.Info("extract batch done", "batch", batchID, "issued", issued, "already", resumed, "rewritten", rewritten, "refused", refused, "failed", len(failures), "dir", dir)
	fmt.Fprintf(is.e.stdout, "Lô %s: đã cấp %d bản sao vào %s; đã cấp từ lần chạy trước %d (ghi lại tệp %d); từ chối %d; lỗi %d.\n",
		batchID, issued, dir, resumed+rewritten, rewritten, refused, len(failures))
	if len(failures) > 0 {
		return errors.Join(failures...)
	}
	if refused > 0 {
		return registry.Errorf(registry.EREFUSED, "%d trích lục bị từ chối (xem danh sách ở trên); cấp từng trích lục với --override nếu cần", refused)
	}
	return nil
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

// findByPersonalID returns the ID of the one entry of reg whose subject
// has the personal ID. Messages show only the last digits of the number.
func findByPersonalID(ctx context.Context, db registry.Store, pid string, reg registry.Register) (string, error) {
	f := registry.RecordFilter{Register: reg, PersonalID: pid, Limit: 20}
	switch reg {
	case registry.Birth:
		f.Role = registry.RoleChild
	case registry.Death:
		f.Role = registry.RoleDeceased
	}
	recs, err := db.FindRecords(ctx, f)
	if err != nil {
		return "", err
	}
	switch len(recs) {
	case 0:
		return "", registry.Errorf(registry.ENOTFOUND, "sổ %s không có trích lục nào của số định danh %s", reg.Name(), maskID(pid))
	case 1:
		return recs[0].ID, nil
	}
	ids := make([]string, len(recs))
	for i, r := range recs {
		ids[i] = r.ID
	}
	return "", registry.Errorf(registry.EINVALID, "số định danh %s có %d trích lục trong sổ %s: %s; chọn một bằng --id", maskID(pid), len(recs), reg.Name(), strings.Join(ids, ", "))
}

// maskID shows the last four digits of a personal ID only.
func maskID(s string) string {
	if len(s) <= 4 {
		return strings.Repeat("*", len(s))
	}
	return strings.Repeat("*", len(s)-4) + s[len(s)-4:]
}
