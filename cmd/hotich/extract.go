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
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/hotich/hotich/extract"
	"github.com/hotich/hotich/internal/atomicfile"
	"github.com/hotich/hotich/registry"
	"github.com/hotich/hotich/registry/sign"
	"github.com/hotich/hotich/registry/sqlite"
)

func init() {
	register("extract", "issue certified copies (bản sao trích lục) as signed PDFs", runExtract)
}

const extractUsage = `
Usage: hotich extract [--db PATH] (--id ID | --dinh-danh NUMBER --register KS|KH|KT|NCMC)
                      [--issuer CODE] [--requester NAME] [--copies N] [--by CLERK]
                      [--giay-khai-sinh] [--override REASON] [--keys DIR] -o FILE.pdf
       hotich extract [--db PATH] --batch FILE_OF_IDS [--issuer CODE] [--by CLERK]
                      [--giay-khai-sinh] [--keys DIR] -o DIR

Issues a certified copy of a register entry: the form of its register
(Trích lục khai sinh, or with --giay-khai-sinh a copy of the Giấy khai sinh;
Trích lục kết hôn, khai tử, đăng ký nhận cha, mẹ, con), issued by the unit
that holds the register today (the primary successor of the authority the
entry was registered at; --issuer CODE for another), with the next serial of
that unit, year and form ("45/2025/TLKS-BS"), signed with the unit's key
(KEYS/CODE.key, see "hotich keys init") in a QR code. Every issue is logged
(who, when, record, requester, serial, document SHA-256); a re-print is a
new issue with a new serial. --copies N prints N identical pages.

A record with open flags, an unresolved conflict or a duplicate link under
review is refused with the reasons, unless --override gives the clerk's
reason to issue anyway; the reason is logged with the issue.

--dinh-danh finds the entry by the personal ID of its subject (the child,
the deceased; either spouse; either party of a recognition).

Batch mode issues a copy of every record ID in FILE_OF_IDS (one per line,
"#" comments; "-" reads standard input) into DIR, named SERIAL_ID.pdf, with
a progress bar when standard error is a terminal. Refused records are
listed and skipped (no --override in batch mode: overrides are decided one
by one). -o - writes a single copy to standard output.

CLERK defaults to $HOTICH_CLERK, else $USER; KEYS to $HOTICH_KEYS, else
./keys. Exit status 3 means refused, 4 not found.

Examples:

	hotich extract --id KS-26740-7F3K9Q2MXA --requester "Trần Văn Ơn" --by lan -o ks.pdf
	hotich extract --dinh-danh 079310012345 --register KS --giay-khai-sinh --copies 2 --by lan -o gks.pdf
	hotich extract --id KH-760-EZVM7CTXPG --issuer 26743 --by lan -o kh.pdf
	hotich extract --id KS-26740-7F3K9Q2MXA --override "Đã đối chiếu sổ gốc" --by lan -o ks.pdf
	hotich extract --batch ids.txt --by lan -o ban-sao/
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
	is := &issuing{
		e:     e,
		db:    db,
		desk:  &extract.Desk{Records: db, Issues: db, RefData: rd, Renderer: r, Log: e.log},
		rd:    rd,
		dir:   keysDir(e, *keys),
		keys:  map[string]*sign.Key{},
		req:   extract.Request{IssuerCode: *issuer, BirthCertificate: *gks, Requester: *requester, Clerk: clerk, Copies: *copies, Override: *override},
		outTo: *out,
	}
	if *batch != "" {
		return is.batch(ctx, *batch)
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
	iss, err := is.issue(ctx, recID, path)
	if err != nil {
		return err
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

// issuing holds what issuing copies from the command line needs: the
// desk, and the signing keys loaded so far (batch mode may need several).
type issuing struct {
	e     *env
	db    *sqlite.DB
	desk  *extract.Desk
	rd    *registry.RefData
	dir   string
	keys  map[string]*sign.Key
	req   extract.Request
	outTo string
}

// key loads the private key of the authority that will issue a copy of
// rec, and checks that its public key is registered: a copy signed with an
// unregistered key could not be verified against this store.
func (is *issuing) key(ctx context.Context, rec *registry.Record) (*sign.Key, error) {
	code := is.req.IssuerCode
	if code == "" {
		iss, err := extract.DefaultIssuer(is.rd, rec.AuthorityCode)
		if err != nil {
			return nil, err
		}
		code = iss.Code
	}
	if k, ok := is.keys[code]; ok {
		return k, nil
	}
	k, err := sign.LoadPrivateKey(sign.PrivateKeyPath(is.dir, code))
	if err != nil {
		return nil, err
	}
	if k.IssuerCode != code {
		return nil, registry.Errorf(registry.EINVALID, "tệp khóa %s là khóa của cơ quan %s", sign.PrivateKeyPath(is.dir, code), k.IssuerCode)
	}
	if _, err := is.db.FindSigningKey(ctx, k.KeyID()); registry.ErrorCode(err) == registry.ENOTFOUND {
		return nil, registry.Errorf(registry.EREFUSED, "khóa ký %s của cơ quan %s chưa được đăng ký trong kho này: chạy hotich keys register --issuer %s", k.KeyID(), code, code)
	} else if err != nil {
		return nil, err
	}
	is.keys[code] = k
	return k, nil
}

// issue issues one copy into path ("-": standard output), written through a
// temporary file so that no partial PDF is ever left under the name.
func (is *issuing) issue(ctx context.Context, id, path string) (*registry.ExtractIssue, error) {
	rec, err := is.db.FindRecordByID(ctx, id)
	if err != nil {
		return nil, err
	}
	key, err := is.key(ctx, rec)
	if err != nil {
		return nil, err
	}
	req := is.req
	req.RecordID, req.Sealer = rec.ID, key
	if path == "-" {
		return is.desk.Issue(ctx, req, is.e.stdout)
	}
	var w pdfFile
	iss, err := is.desk.Issue(ctx, req, &w)
	if err != nil {
		return iss, err
	}
	if err := w.save(path); err != nil {
		return iss, fmt.Errorf("bản sao số %s đã được ghi vào sổ cấp nhưng không ghi được tệp %s: %w", iss.Serial, path, err)
	}
	return iss, nil
}

// pdfFile collects a PDF in memory until it is saved.
type pdfFile struct{ b []byte }

func (f *pdfFile) Write(p []byte) (int, error) { f.b = append(f.b, p...); return len(p), nil }

func (f *pdfFile) save(path string) error {
	return atomicfile.WriteFile(path, f.b, atomicfile.Public)
}

// batch issues a copy of every record listed in a file into a folder.
func (is *issuing) batch(ctx context.Context, list string) error {
	ids, err := readIDs(is.e, list)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(is.outTo, 0o755); err != nil {
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
	var issued, refused int
	var failures []error
	for _, id := range ids {
		if err := ctx.Err(); err != nil {
			return err
		}
		// The serial is only known once issued: write to a temporary name,
		// then rename.
		tmp := filepath.Join(is.outTo, ".issuing-"+id+".pdf")
		iss, err := is.issue(ctx, id, tmp)
		switch {
		case err == nil:
			name := filepath.Join(is.outTo, strings.ReplaceAll(iss.Serial.String(), "/", "-")+"_"+iss.RecordID+".pdf")
			if err := os.Rename(tmp, name); err != nil {
				failures = append(failures, fmt.Errorf("%s: %w", id, err))
			} else {
				issued++
			}
		case registry.ErrorCode(err) == registry.EREFUSED:
			refused++
			fmt.Fprintf(is.e.stderr, "từ chối %s: %s\n", id, registry.ErrorMessage(err))
		case errors.Is(err, context.Canceled):
			return err
		default:
			failures = append(failures, fmt.Errorf("%s: %s", id, registry.ErrorMessage(err)))
			fmt.Fprintf(is.e.stderr, "lỗi %s: %s\n", id, registry.ErrorMessage(err))
		}
		if bar != nil {
			bar.Add(1)
		}
	}
	if bar != nil {
		bar.Finish()
	}
	is.e.log.Info("extract batch done", "issued", issued, "refused", refused, "failed", len(failures), "dir", is.outTo)
	fmt.Fprintf(is.e.stdout, "Đã cấp %d bản sao vào %s; từ chối %d; lỗi %d.\n", issued, is.outTo, refused, len(failures))
	if len(failures) > 0 {
		return errors.Join(failures...)
	}
	if refused > 0 {
		return registry.Errorf(registry.EREFUSED, "%d trích lục bị từ chối (xem danh sách ở trên); cấp từng trích lục với --override nếu cần", refused)
	}
	return nil
}

// readIDs reads record IDs, one per line, skipping blank lines and "#"
// comments.
func readIDs(e *env, path string) ([]string, error) {
	var r io.Reader = e.stdin
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	var ids []string
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		ids = append(ids, strings.Fields(line)[0])
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, registry.Errorf(registry.EINVALID, "tệp %s không có mã trích lục nào", path)
	}
	return ids, nil
}

// findByPersonalID returns the ID of the one entry of reg whose subject
// has the personal ID. Messages show only the last digits of the number.
func findByPersonalID(ctx context.Context, db *sqlite.DB, pid string, reg registry.Register) (string, error) {
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
