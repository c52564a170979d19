package desk

import (
	"encoding/json"
	"net/http"

	"github.com/hotich/hotich/registry"
	"github.com/hotich/hotich/registry/jsonl"
)

// The JSON API is the desk's own search, record and issue for programs
// (the ward's case-management software, scripts): the same session cookie,
// the CSRF token in the X-CSRF-Token header on POST, the same duties,
// jurisdiction and audit. Errors are {"code", "message", "field"}.

// decodeJSON reads a small JSON request body into v, refusing unknown
// fields.
func decodeJSON(r *http.Request, v any) error {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if statusOf(err) == http.StatusRequestEntityTooLarge {
			return err
		}
		return registry.Errorf(registry.EINVALID, "nội dung yêu cầu không phải JSON hợp lệ: %v", err)
	}
	return nil
}

func (s *Server) apiSearch(c *call) error {
	var f SearchForm
	if err := decodeJSON(c.r, &f); err != nil {
		return err
	}
	res, err := s.search(c.r.Context(), c, f)
	if err != nil {
		return err
	}
	out := struct {
		Results []registry.RecordSummary `json:"results"`
		More    bool                     `json:"more"`
	}{res.Results, res.More}
	if out.Results == nil {
		out.Results = []registry.RecordSummary{}
	}
	writeJSON(c.w, http.StatusOK, out)
	return nil
}

func (s *Server) apiRecord(c *call) error {
	ctx := c.r.Context()
	v, err := s.fullRecord(ctx, c, c.r.PathValue("id"))
	if err != nil {
		return err
	}
	type source struct {
		Ref      string            `json:"source_ref"`
		Outcome  string            `json:"outcome"`
		File     string            `json:"file"`
		Encoding string            `json:"encoding"`
		Cells    map[string]string `json:"cells"`
	}
	type issue struct {
		Serial   string `json:"serial"`
		Issuer   string `json:"issuer"`
		Form     string `json:"form"`
		IssuedAt string `json:"issued_at"`
		Revoked  bool   `json:"revoked"`
	}
	out := struct {
		jsonl.Line
		Summary  registry.RecordSummary `json:"summary"`
		Blockers []string               `json:"blockers"`
		Sources  []source               `json:"sources"`
		Issues   []issue                `json:"issues"`
	}{Line: jsonl.FromRecord(v.Rec), Summary: v.Sum, Blockers: v.Blockers}
	for _, sr := range v.Sources {
		cells := map[string]string{}
		for _, cell := range sr.Cells {
			cells[cell.Label] = cell.Value
		}
		out.Sources = append(out.Sources, source{sr.Ref, sr.Outcome, sr.File, sr.Encoding, cells})
	}
	for _, iss := range v.Issues {
		out.Issues = append(out.Issues, issue{iss.Serial.String(), iss.IssuerCode, string(iss.Form), iss.IssuedAt.UTC().Format("2006-01-02T15:04:05Z"), iss.Revocation != nil})
	}
	writeJSON(c.w, http.StatusOK, out)
	return nil
}

func (s *Server) apiIssue(c *call) error {
	var in issueInput
	if err := decodeJSON(c.r, &in); err != nil {
		return err
	}
	got, err := s.issueCopy(c.r.Context(), c, c.r.PathValue("id"), in)
	if err != nil {
		return err
	}
	iss := got.Issue
	writeJSON(c.w, http.StatusCreated, map[string]any{
		"serial": iss.Serial.String(), "issuer": iss.IssuerCode, "form": iss.Form, "record_id": iss.RecordID,
		"copies": iss.Copies, "document_sha256": iss.DocumentSHA256, "download": issuedPath(iss) + "/pdf",
	})
	return nil
}
