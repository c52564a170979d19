// Package issuing is the issuing desk: what a ward clerk does to issue a
// certified copy (bản sao trích lục) of a register entry, for every front
// end (the command line, the web desk). It finds the unit that issues
// (the one holding the register today, unless told), checks what holds
// the entry up (open flags, conflicts, links under review) and refuses
// unless the clerk gives a reason, has the store allocate the serial,
// renders and signs the copy with the unit's key, and has the issue
// logged — all on the record as the store holds it while no one else can
// write. Batches resume after a kill without a second serial; a copy lost
// after it was logged is made again from the log, byte for byte.
package issuing

import (
	"context"
	"log/slog"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/hotich/hotich/extract"
	"github.com/hotich/hotich/registry"
)

// FieldSigner names the signer block a unit must set before it issues.
const FieldSigner = "signer"

// Store is what the desk needs of a store.
type Store interface {
	registry.RecordService
	registry.IssueService
}

// Desk issues certified copies.
type Desk struct {
	Store    Store
	RefData  *registry.RefData
	Renderer *extract.Renderer
	Keys     *KeyRing
	// BaseURL is the desk's public address: the QR code holds the
	// verification URL BaseURL/xac-thuc/SERIAL?m=PAYLOAD. "" for the
	// payload alone.
	BaseURL string
	// Workers renders this many copies at once in IssueMany; 0 means
	// GOMAXPROCS.
	Workers int
	Log     *slog.Logger // nil: no logging
}

// Request is a clerk's request for a copy.
type Request struct {
	RecordID         string
	IssuerCode       string // "" for the unit holding the register today
	BirthCertificate bool   // a birth entry on the Giấy khai sinh form
	Requester        string
	Clerk            string
	Copies           int    // identical copies in the file, 1 to 50
	Override         string // the clerk's reason to issue despite review
	// BatchID and BatchItem name the batch run and line the request comes
	// from, logged with the issue.
	BatchID, BatchItem string
}

// Issued is an issued copy: its log entry and its file.
type Issued struct {
	Issue *registry.ExtractIssue
	PDF   []byte
}

// IssuerOf returns the unit that issues a copy of rec: the one asked for,
// else the unit holding its register today.
func (d *Desk) IssuerOf(rec *registry.Record, code string) (extract.Issuer, error) {
	if code != "" {
		return extract.IssuerFor(d.RefData, code)
	}
	return extract.DefaultIssuer(d.RefData, rec.AuthorityCode)
}

// Issue issues one copy. The issue is logged before the caller writes the
// file; a file lost after that is made again from the log (Reissue).
func (d *Desk) Issue(ctx context.Context, req Request) (*Issued, error) {
	out, errs, err := d.IssueMany(ctx, []Request{req})
	if err != nil {
		return nil, err
	}
	if errs[0] != nil {
		return nil, errs[0]
	}
	return out[0], nil
}

// job is one request on its way through IssueMany.
type job struct {
	req    Request
	issuer extract.Issuer
	key    registry.Sealer
	signer registry.Signer
	corr   []registry.Correction
	iss    *registry.ExtractIssue
	out    *Issued
}

// IssueMany issues copies in one store transaction, rendering and signing
// them on Workers goroutines while the store's write lock is held. Each
// record is read once, under that lock: what is checked is what the copy
// prints. A request refused or not found gets its error in errs; err is a
// failure of the whole group, none of which is then issued.
func (d *Desk) IssueMany(ctx context.Context, reqs []Request) (out []*Issued, errs []error, err error) {
	out, errs = make([]*Issued, len(reqs)), make([]error, len(reqs))
	var jobs []*job
	var idx []int
	for i, req := range reqs {
		if err := checkRequest(req); err != nil {
			errs[i] = err
			continue
		}
		jobs = append(jobs, &job{req: req, iss: &registry.ExtractIssue{
			RecordID:  req.RecordID,
			Clerk:     strings.TrimSpace(req.Clerk),
			Requester: strings.TrimSpace(req.Requester),
			Copies:    req.Copies,
			BatchID:   req.BatchID,
			BatchItem: req.BatchItem,
		}})
		idx = append(idx, i)
	}
	if len(jobs) == 0 {
		return out, errs, nil
	}
	issues := make([]*registry.ExtractIssue, len(jobs))
	byIssue := make(map[*registry.ExtractIssue]*job, len(jobs))
	for k, j := range jobs {
		issues[k] = j.iss
		byIssue[j.iss] = j
	}
	check := func(iss *registry.ExtractIssue, rec *registry.Record) error {
		return d.prepare(ctx, byIssue[iss], rec)
	}
	render := func(accepted []*registry.ExtractIssue, recs []*registry.Record) error {
		return d.renderAll(ctx, accepted, recs, byIssue)
	}
	ierrs, err := d.Store.IssueExtracts(ctx, issues, check, render)
	if err != nil {
		return out, errs, err
	}
	for k, j := range jobs {
		i := idx[k]
		if ierrs[k] != nil {
			errs[i] = ierrs[k]
			continue
		}
		out[i] = j.out
		if d.Log != nil {
			// No names or personal IDs at info level: the record ID and
			// the serial identify the copy.
			d.Log.Info("extract issued", "serial", j.iss.Serial.String(), "issuer", j.iss.IssuerCode, "record", j.iss.RecordID,
				"copies", j.iss.Copies, "override", j.iss.Override != "", "bytes", len(j.out.PDF))
		}
	}
	return out, errs, nil
}

// checkRequest checks what a request must give before the store is asked.
func checkRequest(req Request) error {
	switch {
	case strings.TrimSpace(req.Clerk) == "":
		return registry.FieldErrorf(registry.EINVALID, registry.FieldActor, "thiếu tên người cấp bản sao")
	case req.Copies < 1 || req.Copies > 50:
		return registry.Errorf(registry.EINVALID, "số bản %d không hợp lệ (1 đến 50)", req.Copies)
	case strings.TrimSpace(req.RecordID) == "":
		return registry.Errorf(registry.EINVALID, "thiếu mã trích lục")
	}
	return nil
}

// prepare decides a request on the record as stored: the form, the unit
// that issues with its key and signer block, the corrections the copy
// prints, and what holds the record up (refused unless overridden).
func (d *Desk) prepare(ctx context.Context, j *job, rec *registry.Record) error {
	issuer, err := d.IssuerOf(rec, j.req.IssuerCode)
	if err != nil {
		return err
	}
	key, err := d.Keys.Key(ctx, issuer.Code)
	if err != nil {
		return err
	}
	// A copy must say who signs it.
	signer, err := d.Store.Signer(ctx, issuer.Code)
	if registry.ErrorCode(err) == registry.ENOTFOUND {
		return registry.FieldErrorf(registry.EREFUSED, FieldSigner, "cơ quan %s (%s) chưa khai báo người ký bản sao (chức danh và họ tên người ký): cần khai báo trước khi cấp", issuer.Code, issuer.Name)
	}
	if err != nil {
		return err
	}
	corr, err := d.Store.Corrections(ctx, rec.ID)
	if err != nil {
		return err
	}
	iss := j.iss
	if blockers := registry.ExtractBlockers(rec); len(blockers) > 0 {
		override := strings.TrimSpace(j.req.Override)
		if override == "" {
			return registry.FieldErrorf(registry.EREFUSED, registry.FieldOverride, "chưa thể cấp bản sao trích lục %s: %s. Nếu vẫn cấp, ghi rõ lý do cấp (lý do được ghi vào sổ cấp)",
				rec.ID, strings.Join(blockers, "; "))
		}
		iss.Blockers, iss.Override = blockers, override
	}
	iss.IssuerCode, iss.Form = issuer.Code, registry.FormFor(rec.Register, j.req.BirthCertificate)
	j.issuer, j.key, j.signer, j.corr = issuer, key, signer, corr
	return nil
}

// renderAll renders and signs the accepted issues on Workers goroutines.
func (d *Desk) renderAll(ctx context.Context, accepted []*registry.ExtractIssue, recs []*registry.Record, byIssue map[*registry.ExtractIssue]*job) error {
	workers := d.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, len(accepted))
	var (
		wg    sync.WaitGroup
		next  = make(chan int)
		mu    sync.Mutex
		first error
	)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range next {
				if err := d.renderOne(ctx, byIssue[accepted[k]], recs[k]); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
				}
			}
		}()
	}
	for k := range accepted {
		if ctx.Err() != nil {
			break
		}
		next <- k
	}
	close(next)
	wg.Wait()
	if first != nil {
		return first
	}
	return ctx.Err()
}

// renderOne renders and signs one copy, filling in its issue.
func (d *Desk) renderOne(ctx context.Context, j *job, rec *registry.Record) error {
	iss := j.iss
	c := &extract.Copy{
		Record:      rec,
		Form:        iss.Form,
		Issuer:      j.issuer,
		Serial:      iss.Serial,
		IssuedAt:    iss.IssuedAt,
		Signer:      j.signer,
		Copies:      iss.Copies,
		Corrections: j.corr,
	}
	pdf, err := d.Renderer.Issue(ctx, c, j.key, d.BaseURL, iss)
	if err != nil {
		return err
	}
	j.out = &Issued{Issue: iss, PDF: pdf}
	return nil
}

// Reissue makes a logged copy again from the log: the same bytes as
// issued, or an error saying why not.
func (d *Desk) Reissue(iss *registry.ExtractIssue) ([]byte, error) {
	return d.Renderer.Reprint(iss)
}

// FindByPersonalID returns the ID of the one entry of reg in which a party
// (the child, the deceased, either spouse, either party of a recognition)
// has a personal ID. Messages show only the last digits of the number.
func (d *Desk) FindByPersonalID(ctx context.Context, pid string, reg registry.Register) (string, error) {
	desc := reg.Descriptor()
	if desc == nil {
		return "", registry.Errorf(registry.EINVALID, "loại sổ %q không hợp lệ", reg)
	}
	var recs []*registry.Record
	for _, role := range desc.Parties {
		found, err := d.Store.FindRecords(ctx, registry.RecordFilter{Register: reg, PersonalID: pid, Role: role, Limit: 20})
		if err != nil {
			return "", err
		}
		for _, r := range found {
			if !slices.ContainsFunc(recs, func(x *registry.Record) bool { return x.ID == r.ID }) {
				recs = append(recs, r)
			}
		}
	}
	switch len(recs) {
	case 0:
		return "", registry.Errorf(registry.ENOTFOUND, "sổ %s không có trích lục nào của số định danh %s", reg.Name(), registry.MaskID(pid))
	case 1:
		return recs[0].ID, nil
	}
	ids := make([]string, len(recs))
	for i, r := range recs {
		ids[i] = r.ID
	}
	return "", registry.Errorf(registry.EINVALID, "số định danh %s có %d trích lục trong sổ %s: %s; chọn một theo mã trích lục", registry.MaskID(pid), len(recs), reg.Name(), strings.Join(ids, ", "))
}

// The store settings of the desk's public address and of its
// time-stamping authority.
const (
	SettingBaseURL = "verify_url"
	SettingTSA     = "tsa_url"
)

// Options configure a desk made by New.
type Options struct {
	KeysDir string // the units' keys and certificates
	BaseURL string // "": the store's setting
	TSA     string // "": the store's setting, read at each issue
	Log     *slog.Logger
}

// New makes the desk of a store: its reference data, the renderer with its
// fonts, the units' keys from a folder, and the public address the store
// is set up with (unless given). The time-stamping authority, unless
// given, is the store's setting at the time of each issue.
func New(ctx context.Context, store Store, opt Options) (*Desk, error) {
	rd, err := store.RefData(ctx)
	if err != nil {
		return nil, err
	}
	r, err := extract.NewRenderer()
	if err != nil {
		return nil, err
	}
	if opt.BaseURL == "" {
		if opt.BaseURL, err = store.Setting(ctx, SettingBaseURL); err != nil {
			return nil, err
		}
	}
	return &Desk{Store: store, RefData: rd, Renderer: r, BaseURL: opt.BaseURL, Log: opt.Log,
		Keys: &KeyRing{Dir: opt.KeysDir, Store: store, TSA: opt.TSA, TSAFromStore: opt.TSA == ""}}, nil
}

// Revoke revokes an issued copy, saying who and why: the copy is no longer
// valid, and the verification page says so. With issuerCode "" the serial
// alone must name one copy.
func Revoke(ctx context.Context, store registry.IssueService, issuerCode string, serial registry.Serial, by, reason string) (*registry.ExtractIssue, error) {
	by, reason = strings.TrimSpace(by), strings.TrimSpace(reason)
	switch {
	case by == "":
		return nil, registry.FieldErrorf(registry.EINVALID, registry.FieldActor, "thiếu tên người thu hồi bản sao")
	case reason == "":
		return nil, registry.FieldErrorf(registry.EINVALID, registry.FieldReason, "thiếu lý do thu hồi bản sao")
	}
	return store.RevokeIssue(ctx, issuerCode, serial, by, reason)
}
