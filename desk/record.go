package desk

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/hotich/hotich/accounts"
	"github.com/hotich/hotich/registry"
)

// field is one labelled value of a record as shown.
type field struct {
	Name  string // canonical column, or "extra:HEADER"
	Label string
	Value string
}

// sourceRow is a batch row folded into a record, with its cells labelled.
type sourceRow struct {
	Ref, Outcome, File, Encoding, Hash string
	Cells                              []field
}

// conflictView is a conflict with its choices.
type conflictView struct {
	Field, Label string
	Values       []string
	Refs         []string
	Resolved     bool
}

// recordView is the record page's data.
type recordView struct {
	Rec         *registry.Record
	Sum         registry.RecordSummary
	Holders     []registry.Unit
	Fields      []field
	Sources     []sourceRow
	Conflicts   []conflictView
	Corrections []registry.Correction
	History     []registry.Event
	Issues      []*registry.ExtractIssue
	Blockers    []string
	CanIssue    bool
	CanDecide   bool    // the account's unit holds the register and reviews
	Correctable []field // the columns a correction may change, with their values
	HolderName  string  // the unit holding the register today
	HolderCode  string
}

// recordFields lists a record's values as a clerk reads them.
func recordFields(r *registry.Record) []field {
	var out []field
	for _, c := range r.Register.Columns() {
		if v, ok := r.Fields[c.Name]; ok && !registry.IsEntryColumn(c.Name) {
			out = append(out, field{Name: c.Name, Label: c.Aliases[0], Value: registry.DisplayValue(c, v)})
		}
	}
	var extra []string
	for k := range r.Extra {
		extra = append(extra, k)
	}
	sort.Strings(extra)
	for _, k := range extra {
		out = append(out, field{Name: registry.ExtraField(k), Label: r.Register.FieldLabel(registry.ExtraField(k)), Value: r.Extra[k]})
	}
	return out
}

// loadRecord reads a record and everything its page shows, and audits the
// view before returning it.
func (s *Server) loadRecord(ctx context.Context, c *call, id, why string) (*recordView, error) {
	rec, err := s.cfg.Store.FindRecordByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := s.audit.Record(ctx, c.who(), accounts.AuditView, rec.ID, why); err != nil {
		return nil, err
	}
	v := &recordView{Rec: rec, Sum: registry.Summarize(rec, s.ref), Holders: s.ref.Successors(rec.AuthorityCode), Fields: recordFields(rec),
		Blockers: registry.ExtractBlockers(rec), CanIssue: accounts.Allowed(c.account(), accounts.ActIssue)}
	v.HolderCode, v.HolderName = v.Sum.HolderCode, v.Sum.HolderName
	v.CanDecide = accounts.Allowed(c.account(), accounts.ActDecide) && accounts.HoldsRegister(s.ref, c.account(), rec) == nil
	for _, cf := range rec.Conflicts {
		v.Conflicts = append(v.Conflicts, conflictView{Field: cf.Field, Label: rec.Register.FieldLabel(cf.Field), Values: cf.Values, Refs: cf.SourceRefs, Resolved: cf.Resolved})
	}
	if v.CanDecide {
		for _, col := range rec.Register.Columns() {
			switch col.Name {
			case registry.ColRegister, registry.ColAuthorityCode, registry.ColBook, registry.ColNumber:
				continue
			}
			v.Correctable = append(v.Correctable, field{Name: col.Name, Label: col.Aliases[0], Value: rec.Field(col.Name)})
		}
	}
	return v, nil
}

// loadRecordDetail adds the source rows, corrections, history and issues.
func (s *Server) loadRecordDetail(ctx context.Context, v *recordView) error {
	rows, err := s.cfg.Store.SourceRows(ctx, v.Rec.ID)
	if err != nil {
		return err
	}
	for _, row := range rows {
		labels := registry.ColumnLabels(row.Header)
		for i := len(labels); i < len(row.Raw); i++ {
			labels = append(labels, fmt.Sprintf("#%d", i+1))
		}
		sr := sourceRow{Ref: row.Ref, Outcome: registry.OutcomeLabel(row.Outcome), File: row.File, Encoding: row.Encoding, Hash: short(row.FileHash)}
		for i, cell := range row.Raw {
			if cell != "" {
				sr.Cells = append(sr.Cells, field{Label: labels[i], Value: cell})
			}
		}
		v.Sources = append(v.Sources, sr)
	}
	if v.Corrections, err = s.cfg.Store.Corrections(ctx, v.Rec.ID); err != nil {
		return err
	}
	if v.History, err = s.cfg.Store.RecordEvents(ctx, v.Rec.ID); err != nil {
		return err
	}
	v.Issues, err = s.cfg.Store.FindIssues(ctx, registry.IssueFilter{RecordID: v.Rec.ID, Limit: 200})
	return err
}

// fullRecord reads a record with everything its page shows, auditing the
// view.
func (s *Server) fullRecord(ctx context.Context, c *call, id string) (*recordView, error) {
	v, err := s.loadRecord(ctx, c, id, "")
	if err != nil {
		return nil, err
	}
	if err := s.loadRecordDetail(ctx, v); err != nil {
		return nil, err
	}
	return v, nil
}

func short(h string) string {
	if len(h) > 12 {
		return h[:12] + "…"
	}
	return h
}

func (s *Server) recordPage(c *call) error {
	ctx := c.r.Context()
	v, err := s.fullRecord(ctx, c, c.r.PathValue("id"))
	if err != nil {
		return err
	}
	msg := ""
	switch c.r.URL.Query().Get("da") {
	case "cai-chinh":
		msg = "Đã ghi cải chính."
	case "xung-dot":
		msg = "Đã giải quyết xung đột."
	}
	s.renderMsg(c, http.StatusOK, "record", "Trích lục "+v.Rec.ID, v, "", msg)
	return nil
}

// correct corrects a field of a record on a legal basis.
func (s *Server) correct(c *call) error {
	ctx, id := c.r.Context(), c.r.PathValue("id")
	field, value, basis := c.r.PostFormValue("truong"), strings.TrimSpace(c.r.PostFormValue("gia-tri")), strings.TrimSpace(c.r.PostFormValue("can-cu"))
	err := s.reviewer(c).Correct(ctx, id, field, value, c.account().Name, basis)
	if err != nil {
		return s.decisionFailed(c, id, err)
	}
	if err := s.audit.Record(ctx, c.who(), accounts.AuditCorrect, id, "trường "+field+"; căn cứ: "+basis); err != nil {
		return err
	}
	http.Redirect(c.w, c.r, "/ban-ghi/"+id+"?da=cai-chinh", http.StatusSeeOther)
	return nil
}

// resolveConflict settles a conflict of a record.
func (s *Server) resolveConflict(c *call) error {
	ctx, id := c.r.Context(), c.r.PathValue("id")
	field, note := c.r.PostFormValue("truong"), strings.TrimSpace(c.r.PostFormValue("ghi-chu"))
	var pick int
	fmt.Sscanf(c.r.PostFormValue("chon"), "%d", &pick)
	if pick < 1 {
		return s.decisionFailed(c, id, invalid(registry.FieldChoice, "chọn một giá trị"))
	}
	if err := s.reviewer(c).ResolveConflict(ctx, id, field, c.account().Name, note, reviewChoice(pick)); err != nil {
		return s.decisionFailed(c, id, err)
	}
	if err := s.audit.Record(ctx, c.who(), accounts.AuditConflict, id, fmt.Sprintf("trường %s, chọn giá trị %d", field, pick)); err != nil {
		return err
	}
	back := c.r.PostFormValue("ve")
	if back == "xung-dot" {
		http.Redirect(c.w, c.r, "/duyet/xung-dot?da=1", http.StatusSeeOther)
		return nil
	}
	http.Redirect(c.w, c.r, "/ban-ghi/"+id+"?da=xung-dot", http.StatusSeeOther)
	return nil
}

// decisionFailed shows why a decision about a record was not taken, on
// the record's page; a refusal by jurisdiction is audited and answered 403.
func (s *Server) decisionFailed(c *call, id string, err error) error {
	if accounts.IsForbidden(err) {
		return s.refuse(c, id, err)
	}
	code := registry.ErrorCode(err)
	if code != registry.EINVALID && code != registry.ECONFLICT {
		return err
	}
	v, lerr := s.fullRecord(c.r.Context(), c, id)
	if lerr != nil {
		return lerr
	}
	s.render(c, statusOf(err), "record", "Trích lục "+v.Rec.ID, v, messageOf(err))
	return nil
}
