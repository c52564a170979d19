package extract

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/hotich/hotich/registry"
	"github.com/hotich/hotich/registry/sign"
	"github.com/hotich/hotich/registry/vntext"
)

// Desk issues certified copies the way a ward clerk does: it finds who
// issues (the unit holding the register today, unless told), refuses a
// record under review unless the clerk overrides with a reason, has the
// store allocate the serial, renders and signs the copy, and has the issue
// logged. It works through registry interfaces, not a store.
type Desk struct {
	Records  registry.RecordService
	Issues   registry.IssueService
	RefData  *registry.RefData
	Renderer *Renderer
	Log      *slog.Logger // nil: no logging
	// BaseURL is the desk's public address: the QR code holds the
	// verification URL BaseURL/xac-thuc/SERIAL?m=PAYLOAD. "" for the
	// payload alone.
	BaseURL string
	// Workers renders this many copies at once in IssueMany; 0 means
	// GOMAXPROCS.
	Workers int
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
	Sealer           registry.Sealer
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
func (d *Desk) IssuerOf(rec *registry.Record, code string) (Issuer, error) {
	if code != "" {
		return IssuerFor(d.RefData, code)
	}
	return DefaultIssuer(d.RefData, rec.AuthorityCode)
}

// Issue issues one copy. The issue is logged before the caller writes the
// file; a file lost after that is rendered again from the log (Reissue).
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
	issuer Issuer
	signer registry.Signer
	corr   []registry.Correction
	iss    *registry.ExtractIssue
	out    *Issued
}

// IssueMany issues copies in one store transaction, rendering and signing
// them on Workers goroutines while the store's write lock is held. A
// request refused or not found gets its error in errs; err is a failure of
// the whole group, none of which is then issued.
func (d *Desk) IssueMany(ctx context.Context, reqs []Request) (out []*Issued, errs []error, err error) {
	out, errs = make([]*Issued, len(reqs)), make([]error, len(reqs))
	var jobs []*job
	var idx []int
	for i, req := range reqs {
		j, err := d.prepare(ctx, req)
		if err != nil {
			if registry.ErrorCode(err) == "" {
				return out, errs, err
			}
			errs[i] = err
			continue
		}
		jobs, idx = append(jobs, j), append(idx, i)
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
		// rec is read under the store's write lock: what is checked here
		// is what the copy prints.
		j := byIssue[iss]
		if blockers := registry.ExtractBlockers(rec); len(blockers) > 0 {
			override := strings.TrimSpace(j.req.Override)
			if override == "" {
				return registry.Errorf(registry.EREFUSED, "chưa thể cấp bản sao trích lục %s: %s. Nếu vẫn cấp, ghi rõ lý do cấp (lý do được ghi vào sổ cấp)",
					rec.ID, strings.Join(blockers, "; "))
			}
			iss.Blockers, iss.Override = blockers, override
		}
		return nil
	}
	render := func(accepted []*registry.ExtractIssue, recs []*registry.Record) error {
		return d.renderAll(ctx, accepted, recs, byIssue)
	}
	ierrs, err := d.Issues.IssueExtracts(ctx, issues, check, render)
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

// prepare checks a request and reads what its copy needs besides the
// record: the issuer, its signer block, the corrections.
func (d *Desk) prepare(ctx context.Context, req Request) (*job, error) {
	if strings.TrimSpace(req.Clerk) == "" {
		return nil, registry.Errorf(registry.EINVALID, "cần ghi tên người cấp bản sao")
	}
	if req.Sealer == nil {
		return nil, registry.Errorf(registry.EINVALID, "chưa có khóa ký của cơ quan cấp")
	}
	if req.Copies < 1 || req.Copies > 50 {
		return nil, registry.Errorf(registry.EINVALID, "số bản %d không hợp lệ (1 đến 50)", req.Copies)
	}
	rec, err := d.Records.FindRecordByID(ctx, req.RecordID)
	if err != nil {
		return nil, err
	}
	issuer, err := d.IssuerOf(rec, req.IssuerCode)
	if err != nil {
		return nil, err
	}
	if k := req.Sealer.Issuer(); k != issuer.Code {
		return nil, registry.Errorf(registry.EINVALID, "khóa ký thuộc cơ quan %s, bản sao do cơ quan %s (%s) cấp", k, issuer.Code, issuer.Name)
	}
	signer, err := d.Issues.Signer(ctx, issuer.Code)
	if err != nil {
		return nil, err
	}
	corr, err := d.Issues.Corrections(ctx, rec.ID)
	if err != nil {
		return nil, err
	}
	return &job{req: req, issuer: issuer, signer: signer, corr: corr, iss: &registry.ExtractIssue{
		IssuerCode: issuer.Code,
		RecordID:   rec.ID,
		Form:       registry.FormFor(rec.Register, req.BirthCertificate),
		Clerk:      strings.TrimSpace(req.Clerk),
		Requester:  strings.TrimSpace(req.Requester),
		Copies:     req.Copies,
		BatchID:    req.BatchID,
		BatchItem:  req.BatchItem,
	}}, nil
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
				if err := d.renderOne(byIssue[accepted[k]], recs[k]); err != nil {
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
func (d *Desk) renderOne(j *job, rec *registry.Record) error {
	iss, s := j.iss, j.req.Sealer
	c := &Copy{
		Record:      rec,
		Form:        iss.Form,
		Issuer:      j.issuer,
		Serial:      iss.Serial,
		IssuedAt:    iss.IssuedAt,
		Signer:      j.signer,
		Copies:      iss.Copies,
		Corrections: j.corr,
		SignedBy:    s.SignerName(),
	}
	p, err := sign.Seal(s, PayloadValues(c))
	if err != nil {
		return err
	}
	c.QR = p.QRText(d.BaseURL)
	snap, err := json.Marshal(snapshotOf(c, s.CMSSize()))
	if err != nil {
		return err
	}
	r, err := d.Renderer.Render(c)
	if err != nil {
		return err
	}
	f, err := Sign(r, s)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(f.PDF)
	iss.ValuesSHA256 = p.ValuesSHA256()
	iss.DocumentSHA256 = hex.EncodeToString(sum[:])
	iss.KeyID = s.KeyID()
	iss.Payload = p.String()
	iss.Snapshot = snap
	iss.CMS = f.CMS
	iss.CertSHA256 = s.CertSHA256()
	j.out = &Issued{Issue: iss, PDF: f.PDF}
	return nil
}

// PayloadValues returns the printed values a copy's QR code signs: what
// identifies the copy and the entry, as printed.
func PayloadValues(c *Copy) []sign.Value {
	r, f := c.Record, c.Record.Fields
	at := c.IssuedAt.In(registry.Vietnam)
	vs := []sign.Value{
		{Key: "so", Value: c.Serial.String()},
		{Key: "cq", Value: c.Issuer.Code},
		{Key: "ngay_cap", Value: at.Format("02/01/2006")},
		{Key: "mau", Value: string(c.Form)},
		{Key: "trich_luc", Value: r.ID},
		{Key: "so_dk", Value: "Số " + r.Number + ", quyển số " + r.Book},
		{Key: "ngay_dk", Value: r.RegisteredOn.Numeric()},
	}
	add := func(key, v string) {
		if v = strings.TrimSpace(v); v != "" {
			vs = append(vs, sign.Value{Key: key, Value: oneLine(v)})
		}
	}
	switch r.Register {
	case registry.Birth:
		add("ho_ten", upper(f["ho_ten"]))
		add("ngay_sinh", r.Date("ngay_sinh").Numeric())
		add("me", upper(f["me_ho_ten"]))
		add("cha", upper(f["cha_ho_ten"]))
	case registry.Marriage:
		add("vo", upper(f["vo_ho_ten"]))
		add("chong", upper(f["chong_ho_ten"]))
	case registry.Death:
		add("ho_ten", upper(f["ho_ten"]))
		add("ngay_sinh", r.Date("ngay_sinh").Numeric())
		add("ngay_chet", r.Date("ngay_chet").Numeric())
	case registry.Recognition:
		add("nguoi_nhan", upper(f["nguoi_nhan_ho_ten"]))
		add("duoc_nhan", upper(f["nguoi_duoc_nhan_ho_ten"]))
	}
	return vs
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// snapshot is what the issue log keeps of a copy to render it again: every
// value it prints.
type snapshot struct {
	Version       int // the layout it was drawn with (see Layout)
	RecordID      string
	Register      registry.Register
	AuthorityCode string
	AuthorityName string
	Book, Number  string
	RegisteredOn  string // ISO
	Fields        map[string]string
	Extra         map[string]string `json:",omitempty"`
	Form          registry.ExtractForm
	Issuer        Issuer
	Serial        string
	IssuedAt      time.Time
	Signer        registry.Signer
	Copies        int
	Corrections   []registry.Correction `json:",omitempty"`
	QR            string
	SignedBy      string
	SigSpace      int // bytes reserved for the CMS
}

func snapshotOf(c *Copy, space int) snapshot {
	r := c.Record
	return snapshot{Version: Layout, RecordID: r.ID, Register: r.Register, AuthorityCode: r.AuthorityCode, AuthorityName: r.AuthorityName,
		Book: r.Book, Number: r.Number, RegisteredOn: r.RegisteredOn.ISO(), Fields: r.Fields, Extra: r.Extra,
		Form: c.Form, Issuer: c.Issuer, Serial: c.Serial.String(), IssuedAt: c.IssuedAt.UTC(), Signer: c.Signer, Copies: c.Copies,
		Corrections: c.Corrections, QR: c.QR, SignedBy: c.SignedBy, SigSpace: space}
}

// Reissue renders a logged copy again from its snapshot and signature:
// the same bytes as issued, checked against the log's SHA-256.
func (d *Desk) Reissue(iss *registry.ExtractIssue) ([]byte, error) {
	if len(iss.Snapshot) == 0 || len(iss.CMS) == 0 {
		return nil, registry.Errorf(registry.EINVALID, "sổ cấp không giữ đủ dữ liệu để in lại bản sao số %s", iss.Serial)
	}
	var s snapshot
	if err := json.Unmarshal(iss.Snapshot, &s); err != nil || s.Version < 1 || s.Version > Layout {
		return nil, fmt.Errorf("bản sao số %s: dữ liệu trong sổ cấp hỏng hoặc của phiên bản mới hơn (%d): %v", iss.Serial, s.Version, err)
	}
	reg, err := vntext.ParseISODate(s.RegisteredOn)
	if err != nil {
		return nil, fmt.Errorf("bản sao số %s: ngày đăng ký trong sổ cấp hỏng: %w", iss.Serial, err)
	}
	serial, err := registry.ParseSerial(s.Serial)
	if err != nil {
		return nil, err
	}
	c := &Copy{
		Record: &registry.Record{ID: s.RecordID, Register: s.Register, AuthorityCode: s.AuthorityCode, AuthorityName: s.AuthorityName,
			Book: s.Book, Number: s.Number, RegisteredOn: reg, Fields: s.Fields, Extra: s.Extra},
		Form: s.Form, Issuer: s.Issuer, Serial: serial, IssuedAt: s.IssuedAt, Signer: s.Signer, Copies: s.Copies,
		Corrections: s.Corrections, QR: s.QR, SignedBy: s.SignedBy,
	}
	r, err := d.Renderer.renderLayout(c, s.Version)
	if err != nil {
		return nil, err
	}
	pdf, err := Resign(r, s.SignedBy, s.SigSpace, iss.CMS)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(pdf)
	if hex.EncodeToString(sum[:]) != iss.DocumentSHA256 {
		return nil, fmt.Errorf("bản sao số %s in lại không trùng tệp đã cấp (SHA-256 khác): phần mềm in đã thay đổi", iss.Serial)
	}
	return pdf, nil
}
