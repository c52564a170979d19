package desk

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/hotich/hotich/accounts"
	"github.com/hotich/hotich/linkage"
	"github.com/hotich/hotich/registry"
	"github.com/hotich/hotich/review"
)

// reviewer is the review use case as the account: its decisions are
// checked against its unit's registers inside the store's transaction.
func (s *Server) reviewer(c *call) *review.Service {
	return &review.Service{Store: accounts.NewJurisdiction(s.cfg.Store, s.ref, c.account()), Now: s.cfg.Now}
}

func reviewChoice(pick int) review.Choice { return review.Choice{Pick: pick} }

// queueLimit is how many links, flags or conflicts a review page lists.
const queueLimit = 100

// linkRow is one link of the queue, its two entries side by side.
type linkRow struct {
	Link    *registry.Link
	A, B    registry.RecordSummary
	Decides bool // the account's unit may decide it
}

type queueView struct {
	Rows     []linkRow
	More     bool
	Register string
	Status   string
}

func (s *Server) queuePage(c *call) error {
	ctx := c.r.Context()
	q := c.r.URL.Query()
	f := registry.LinkFilter{Limit: queueLimit + 1}
	v := &queueView{Register: q.Get("so"), Status: q.Get("trang-thai")}
	if v.Register != "" {
		reg, err := registry.ParseRegister(v.Register)
		if err != nil {
			return err
		}
		f.Register = reg
	}
	switch v.Status {
	case "", "cho-duyet":
		f.Status = []registry.LinkStatus{registry.LinkSuspected, registry.LinkAuto}
	case "nghi-trung":
		f.Status = []registry.LinkStatus{registry.LinkSuspected}
	case "tu-dong":
		f.Status = []registry.LinkStatus{registry.LinkAuto}
	case "da-quyet-dinh":
		f.Status = []registry.LinkStatus{registry.LinkConfirmed, registry.LinkRejected}
	default:
		return invalid("", "trạng thái %q không hợp lệ", v.Status)
	}
	links, err := s.cfg.Store.Links(ctx, f)
	if err != nil {
		return err
	}
	if len(links) > queueLimit {
		links, v.More = links[:queueLimit], true
	}
	for _, l := range links {
		a, b, err := s.pair(ctx, l)
		if err != nil {
			return err
		}
		v.Rows = append(v.Rows, linkRow{Link: l, A: registry.Summarize(a, s.ref), B: registry.Summarize(b, s.ref),
			Decides: accounts.HoldsEither(s.ref, c.account(), a, b) == nil})
	}
	// The queue shows names and dates of the entries: a view of each.
	if len(v.Rows) > 0 {
		if err := s.audit.Record(ctx, c.who(), accounts.AuditView, "", fmt.Sprintf("danh sách nghi trùng: %d liên kết", len(v.Rows))); err != nil {
			return err
		}
	}
	s.render(c, http.StatusOK, "queue", "Duyệt nghi trùng", v, "")
	return nil
}

func (s *Server) pair(ctx context.Context, l *registry.Link) (a, b *registry.Record, err error) {
	if a, err = s.cfg.Store.FindRecordByID(ctx, l.A); err != nil {
		return nil, nil, err
	}
	if b, err = s.cfg.Store.FindRecordByID(ctx, l.B); err != nil {
		return nil, nil, err
	}
	return a, b, nil
}

// sideRow is one field of two entries side by side.
type sideRow struct {
	Label string
	A, B  string
	Diff  bool
}

// chart is one hypothesis of a link's explanation drawn as bars: each
// comparison's weight for (to the right) or against (to the left) the two
// entries recording the same event.
type chart struct {
	ID            string
	Title         string
	Width, Height int
	Mid           int
	Bars          []bar
	Prior, Total  float64
}

type bar struct {
	Label, Level string
	Value        float64
	X, Y, W      int
	For          bool
	TextX        int
	TextAnchor   string
}

// Chart geometry, in SVG user units.
// The labels ("Nơi cư trú cuối cùng — thiếu hoặc thừa một phần") take up
// to about 320 units at 12px; a bar against reaches back to just after
// them, with its value between.
const (
	chartWidth = 900
	labelWidth = 330
	rowHeight  = 22
	barSpan    = 200 // the longest bar, each side of the middle
	valueSpace = 50  // room for a bar's value beside it
)

// charts draws a link's explanation: against unrelated entries, then
// against each alternative (twins, siblings), with the comparisons that
// count there.
func charts(reg registry.Register, ex *registry.LinkExplanation) []chart {
	if ex == nil {
		return nil
	}
	labels := map[string]string{linkage.NameFrequencyField: "Độ hiếm của cả họ tên"}
	for _, sp := range linkage.Specs(reg) {
		labels[sp.Name] = sp.Label
	}
	label := func(n string) string {
		if l := labels[n]; l != "" {
			return l
		}
		return n
	}
	type hyp struct {
		id, title string
		prior     float64
		total     float64
		weight    func(registry.LinkContribution) (float64, bool)
	}
	hyps := []hyp{{"khong-lien-quan", "So với hai trích lục không liên quan", ex.Prior, ex.Unrelated,
		func(f registry.LinkContribution) (float64, bool) { return f.Weight, true }}}
	for _, alt := range ex.Alternatives {
		name := alt.Name
		hyps = append(hyps, hyp{"so-voi-" + name, "So với giả thuyết " + altLabel(name), alt.Prior, alt.Bits,
			func(f registry.LinkContribution) (float64, bool) { w, ok := f.Alt[name]; return w, ok }})
	}
	var out []chart
	for _, h := range hyps {
		ch := chart{ID: h.id, Title: h.title, Width: chartWidth, Mid: labelWidth + valueSpace + barSpan, Prior: h.prior, Total: h.total}
		type item struct {
			label, level string
			w            float64
		}
		var items []item
		maxAbs := 1.0
		for _, f := range ex.Fields {
			if w, ok := h.weight(f); ok {
				items = append(items, item{label(f.Name), linkage.LevelLabel(f.Level), w})
				maxAbs = math.Max(maxAbs, math.Abs(w))
			}
		}
		items = append(items, item{"Tiên nghiệm", "", h.prior})
		maxAbs = math.Max(maxAbs, math.Abs(h.prior))
		for i, it := range items {
			w := int(math.Round(math.Abs(it.w) / maxAbs * barSpan))
			b := bar{Label: it.label, Level: it.level, Value: it.w, Y: 8 + i*rowHeight, W: w, For: it.w >= 0}
			if b.For {
				b.X, b.TextX, b.TextAnchor = ch.Mid, ch.Mid+w+4, "start"
			} else {
				b.X, b.TextX, b.TextAnchor = ch.Mid-w, ch.Mid-w-4, "end"
			}
			ch.Bars = append(ch.Bars, b)
		}
		ch.Height = 16 + len(items)*rowHeight
		out = append(out, ch)
	}
	return out
}

func altLabel(name string) string {
	switch name {
	case "twin":
		return "sinh đôi"
	case "sibling":
		return "anh chị em ruột"
	}
	return name
}

type linkView struct {
	Link        *registry.Link
	A, B        *registry.Record
	SumA, SumB  registry.RecordSummary
	Side        []sideRow
	Charts      []chart
	Probability float64
	History     []registry.Event
	Decides     bool
	DecideErr   string // why the account's unit may not decide it
}

func (s *Server) linkView(ctx context.Context, c *call, id int64) (*linkView, error) {
	l, err := s.cfg.Store.FindLink(ctx, id)
	if err != nil {
		return nil, err
	}
	a, b, err := s.pair(ctx, l)
	if err != nil {
		return nil, err
	}
	if err := s.audit.Record(ctx, c.who(), accounts.AuditView, fmt.Sprintf("link:%d", id), a.ID+" ↔ "+b.ID); err != nil {
		return nil, err
	}
	v := &linkView{Link: l, A: a, B: b, SumA: registry.Summarize(a, s.ref), SumB: registry.Summarize(b, s.ref), Charts: charts(l.Register, l.Explanation)}
	if l.Explanation != nil {
		v.Probability = linkage.Probability(l.Explanation.Bits)
	}
	for _, col := range a.Register.Columns() {
		va, vb := a.Field(col.Name), b.Field(col.Name)
		if va == "" && vb == "" {
			continue
		}
		v.Side = append(v.Side, sideRow{Label: col.Aliases[0], A: registry.DisplayValue(col, va), B: registry.DisplayValue(col, vb), Diff: va != vb})
	}
	if v.History, err = s.cfg.Store.LinkEvents(ctx, id); err != nil {
		return nil, err
	}
	if !accounts.Allowed(c.account(), accounts.ActDecide) {
		v.DecideErr = "Tài khoản không có quyền duyệt."
	} else if err := accounts.HoldsEither(s.ref, c.account(), a, b); err != nil {
		v.DecideErr = messageOf(err)
	} else {
		v.Decides = true
	}
	return v, nil
}

func linkID(c *call) (int64, error) {
	id, err := strconv.ParseInt(c.r.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		return 0, registry.Errorf(registry.ENOTFOUND, "không có liên kết này")
	}
	return id, nil
}

func (s *Server) linkPage(c *call) error {
	id, err := linkID(c)
	if err != nil {
		return err
	}
	v, err := s.linkView(c.r.Context(), c, id)
	if err != nil {
		return err
	}
	msg := ""
	if c.r.URL.Query().Has("da") {
		msg = "Đã ghi quyết định: " + v.Link.Status.Label() + "."
	}
	s.renderMsg(c, http.StatusOK, "link", fmt.Sprintf("Liên kết %d", id), v, "", msg)
	return nil
}

func (s *Server) decideLink(c *call) error {
	ctx := c.r.Context()
	id, err := linkID(c)
	if err != nil {
		return err
	}
	note := strings.TrimSpace(c.r.PostFormValue("ghi-chu"))
	rs, name := s.reviewer(c), c.account().Name
	var l *registry.Link
	action := c.r.PostFormValue("quyet-dinh")
	var kind string
	switch action {
	case "xac-nhan":
		kind = accounts.AuditLinkConfirm
		l, err = rs.ConfirmLink(ctx, id, name, note)
	case "bac-bo":
		kind = accounts.AuditLinkReject
		l, err = rs.RejectLink(ctx, id, name, note)
	case "mo-lai":
		kind = accounts.AuditLinkReopen
		l, err = rs.ReopenLink(ctx, id, name, note)
	default:
		return invalid("", "quyết định %q không hợp lệ", action)
	}
	target := fmt.Sprintf("link:%d", id)
	if err != nil {
		if accounts.IsForbidden(err) {
			return s.refuse(c, target, err)
		}
		if code := registry.ErrorCode(err); code != registry.EINVALID && code != registry.ECONFLICT {
			return err
		}
		v, verr := s.linkView(ctx, c, id)
		if verr != nil {
			return verr
		}
		s.render(c, statusOf(err), "link", fmt.Sprintf("Liên kết %d", id), v, messageOf(err))
		return nil
	}
	if err := s.audit.Record(ctx, c.who(), kind, target, l.A+" ↔ "+l.B); err != nil {
		return err
	}
	http.Redirect(c.w, c.r, fmt.Sprintf("/duyet/lien-ket/%d?da", id), http.StatusSeeOther)
	return nil
}

// modelView is one register's linkage model.
type modelView struct {
	Register    registry.Register
	ID          string
	Method      string
	Records     int
	Prior       float64
	Auto        float64
	AutoMargin  float64
	Suspect     float64
	Description string
}

func (s *Server) modelPage(c *call) error {
	m, err := linkage.StoredModel(c.r.Context(), s.cfg.Store, registry.Registers...)
	if err != nil {
		return err
	}
	var out []modelView
	for _, reg := range registry.Registers {
		rm := m.Register(reg)
		out = append(out, modelView{Register: reg, ID: rm.ID(), Method: rm.Method, Records: rm.Records, Prior: rm.PriorBits,
			Auto: rm.AutoBits, AutoMargin: rm.AutoBits + rm.MarginBits, Suspect: rm.SuspectBits, Description: linkage.Describe(rm, reg)})
	}
	s.render(c, http.StatusOK, "model", "Mô hình so khớp", out, "")
	return nil
}

// flagRow is an open flag with whether the account's unit may close it.
type flagRow struct {
	Flag    registry.OpenFlag
	Label   string
	Decides bool
}

type flagsView struct {
	Rows []flagRow
	More bool
	Code string
}

func (s *Server) flagsPage(c *call) error {
	ctx := c.r.Context()
	code := registry.FlagCode(c.r.URL.Query().Get("loai"))
	flags, err := s.cfg.Store.OpenFlags(ctx, registry.FlagFilter{Code: code, Limit: queueLimit + 1})
	if err != nil {
		return err
	}
	v := &flagsView{Code: string(code)}
	if len(flags) > queueLimit {
		flags, v.More = flags[:queueLimit], true
	}
	holds := map[string]bool{}
	for _, f := range flags {
		d, ok := holds[f.RecordID]
		if !ok {
			rec, err := s.cfg.Store.FindRecordByID(ctx, f.RecordID)
			if err != nil {
				return err
			}
			d = accounts.Allowed(c.account(), accounts.ActDecide) && accounts.HoldsRegister(s.ref, c.account(), rec) == nil
			holds[f.RecordID] = d
		}
		v.Rows = append(v.Rows, flagRow{Flag: f, Label: f.Register.FieldLabel(f.Flag.Field), Decides: d && f.Flag.Code != registry.FlagConflict})
	}
	msg := ""
	if c.r.URL.Query().Has("da") {
		msg = "Đã đóng cờ."
	}
	s.renderMsg(c, http.StatusOK, "flags", "Cờ cần xem xét", v, "", msg)
	return nil
}

func (s *Server) resolveFlag(c *call) error {
	ctx := c.r.Context()
	id, err := strconv.ParseInt(c.r.PathValue("id"), 10, 64)
	if err != nil {
		return registry.Errorf(registry.ENOTFOUND, "không có cờ này")
	}
	note := strings.TrimSpace(c.r.PostFormValue("ghi-chu"))
	target := fmt.Sprintf("flag:%d", id)
	if err := s.reviewer(c).ResolveFlag(ctx, id, c.account().Name, note); err != nil {
		if accounts.IsForbidden(err) {
			return s.refuse(c, target, err)
		}
		return err
	}
	if err := s.audit.Record(ctx, c.who(), accounts.AuditFlag, target, "ghi chú: "+note); err != nil {
		return err
	}
	http.Redirect(c.w, c.r, "/duyet/co?da", http.StatusSeeOther)
	return nil
}

// conflictRow is an open conflict of a record.
type conflictRow struct {
	RecordID string
	Conflict conflictView
	Decides  bool
}

func (s *Server) conflictsPage(c *call) error {
	ctx := c.r.Context()
	flags, err := s.cfg.Store.OpenFlags(ctx, registry.FlagFilter{Code: registry.FlagConflict})
	if err != nil {
		return err
	}
	var rows []conflictRow
	seen := map[string]bool{}
	more := false
	for _, f := range flags {
		if seen[f.RecordID] {
			continue
		}
		seen[f.RecordID] = true
		if len(rows) >= queueLimit {
			more = true
			break
		}
		rec, err := s.cfg.Store.FindRecordByID(ctx, f.RecordID)
		if err != nil {
			return err
		}
		d := accounts.Allowed(c.account(), accounts.ActDecide) && accounts.HoldsRegister(s.ref, c.account(), rec) == nil
		for _, cf := range rec.OpenConflicts() {
			rows = append(rows, conflictRow{RecordID: rec.ID, Decides: d,
				Conflict: conflictView{Field: cf.Field, Label: rec.Register.FieldLabel(cf.Field), Values: cf.Values, Refs: cf.SourceRefs}})
		}
	}
	if len(rows) > 0 {
		if err := s.audit.Record(ctx, c.who(), accounts.AuditView, "", fmt.Sprintf("danh sách xung đột: %d", len(rows))); err != nil {
			return err
		}
	}
	msg := ""
	if c.r.URL.Query().Has("da") {
		msg = "Đã giải quyết xung đột."
	}
	s.renderMsg(c, http.StatusOK, "conflicts", "Xung đột giữa các bản quét", struct {
		Rows []conflictRow
		More bool
	}{rows, more}, "", msg)
	return nil
}

func (s *Server) batchesPage(c *call) error {
	bs, err := s.cfg.Store.Batches(c.r.Context())
	if err != nil {
		return err
	}
	// Newest first.
	for i, j := 0, len(bs)-1; i < j; i, j = i+1, j-1 {
		bs[i], bs[j] = bs[j], bs[i]
	}
	s.render(c, http.StatusOK, "batches", "Lô dữ liệu", bs, "")
	return nil
}
