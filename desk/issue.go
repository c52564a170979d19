package desk

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/hotich/hotich/accounts"
	"github.com/hotich/hotich/issuing"
	"github.com/hotich/hotich/registry"
)

// issueInput is a clerk's request for a copy as the form gives it.
type issueInput struct {
	BirthCertificate bool   `json:"giay_khai_sinh"`
	Requester        string `json:"nguoi_yeu_cau"`
	Copies           int    `json:"so_ban"`
	Override         string `json:"ly_do,omitempty"`
}

func formIssue(r *http.Request) issueInput {
	n, _ := strconv.Atoi(strings.TrimSpace(r.PostFormValue("so_ban")))
	return issueInput{BirthCertificate: r.PostFormValue("mau") == string(registry.FormBirthCertificate),
		Requester: strings.TrimSpace(r.PostFormValue("nguoi_yeu_cau")), Copies: n, Override: strings.TrimSpace(r.PostFormValue("ly_do"))}
}

// check checks a request before anything is issued.
func (in issueInput) check() error {
	switch {
	case in.Requester == "":
		return invalid(registry.FieldRequester, "Ghi rõ người yêu cầu cấp bản sao.")
	case len(in.Requester) > 200 || strings.ContainsAny(in.Requester, "\r\n\t"):
		return invalid(registry.FieldRequester, "Tên người yêu cầu không hợp lệ.")
	case in.Copies < 1 || in.Copies > 50:
		return invalid("copies", "Số bản phải từ 1 đến 50.")
	case len(in.Override) > 500:
		return invalid(registry.FieldOverride, "Lý do quá dài.")
	}
	return nil
}

// issueView is the issue form's and preview's data.
type issueView struct {
	*recordView
	In          issueInput
	Form        registry.ExtractForm
	FormTitle   string
	IssuerCode  string
	IssuerName  string
	Signer      *registry.Signer
	SignerErr   string
	CanOverride bool
	CanIssueNow bool // an issuer is configured
	Forms       []registry.ExtractForm
}

func (s *Server) issueView(ctx context.Context, c *call, id, why string, in issueInput) (*issueView, error) {
	rv, err := s.loadRecord(ctx, c, id, why)
	if err != nil {
		return nil, err
	}
	a := c.account()
	v := &issueView{recordView: rv, In: in, Form: registry.FormFor(rv.Rec.Register, in.BirthCertificate),
		IssuerCode: a.Unit, IssuerName: s.unitName(a.Unit), CanOverride: accounts.Allowed(a, accounts.ActOverride), CanIssueNow: s.cfg.Issuer != nil}
	v.FormTitle = v.Form.Title()
	if forms := rv.Rec.Register.Descriptor().Forms; len(forms) > 1 {
		v.Forms = forms // a choice to offer
	}
	if sg, err := s.cfg.Store.Signer(ctx, a.Unit); err == nil {
		v.Signer = &sg
	} else if registry.ErrorCode(err) == registry.EREFUSED {
		v.SignerErr = registry.ErrorMessage(err)
	} else {
		return nil, err
	}
	return v, nil
}

func (s *Server) issueForm(c *call) error {
	v, err := s.issueView(c.r.Context(), c, c.r.PathValue("id"), "trang cấp bản sao", issueInput{Copies: 1})
	if err != nil {
		return err
	}
	s.render(c, http.StatusOK, "issue", "Cấp bản sao", v, "")
	return nil
}

func (s *Server) issuePreview(c *call) error {
	in := formIssue(c.r)
	v, err := s.issueView(c.r.Context(), c, c.r.PathValue("id"), "xem trước bản sao", in)
	if err != nil {
		return err
	}
	if err := in.check(); err != nil {
		s.render(c, http.StatusBadRequest, "issue", "Cấp bản sao", v, messageOf(err))
		return nil
	}
	s.render(c, http.StatusOK, "preview", "Xem trước bản sao", v, "")
	return nil
}

// issueCopy issues a copy as the account's unit, and audits the issue or
// the refusal.
func (s *Server) issueCopy(ctx context.Context, c *call, id string, in issueInput) (*issuing.Issued, error) {
	if err := in.check(); err != nil {
		return nil, err
	}
	a := c.account()
	if in.Override != "" {
		if err := accounts.Require(a, accounts.ActOverride); err != nil {
			return nil, s.refuse(c, id, err)
		}
	}
	if s.cfg.Issuer == nil {
		return nil, registry.Errorf(registry.EREFUSED, "bàn làm việc này chưa được cấu hình khóa ký nên chưa cấp được bản sao: báo quản trị viên")
	}
	got, err := s.cfg.Issuer.Issue(ctx, issuing.Request{RecordID: id, IssuerCode: a.Unit, BirthCertificate: in.BirthCertificate,
		Requester: in.Requester, Clerk: a.Name, Copies: in.Copies, Override: in.Override})
	if err != nil {
		if code := registry.ErrorCode(err); code == registry.EREFUSED || code == registry.EINVALID {
			if aerr := s.audit.Record(ctx, c.who(), accounts.AuditIssueRefused, id, registry.ErrorMessage(err)); aerr != nil {
				return nil, aerr
			}
		}
		return nil, err
	}
	iss := got.Issue
	detail := fmt.Sprintf("số %s, mẫu %s, %d bản", iss.Serial, iss.Form, iss.Copies)
	if iss.Override != "" {
		detail += ", cấp khi đang chờ xem xét: " + iss.Override
	}
	if err := s.audit.Record(ctx, c.who(), accounts.AuditIssue, iss.RecordID, detail); err != nil {
		// The copy is issued and in the issue log; the trail's failure is
		// logged by the auditor and does not undo it.
		s.log.Error("issue not audited", "serial", iss.Serial.String(), "issuer", iss.IssuerCode)
	}
	return got, nil
}

func (s *Server) issue(c *call) error {
	ctx, id := c.r.Context(), c.r.PathValue("id")
	in := formIssue(c.r)
	got, err := s.issueCopy(ctx, c, id, in)
	if err != nil {
		if accounts.IsForbidden(err) || statusOf(err) >= 500 || registry.ErrorCode(err) == registry.ENOTFOUND {
			return err
		}
		v, verr := s.issueView(ctx, c, id, "xem trước bản sao", in)
		if verr != nil {
			return verr
		}
		s.render(c, statusOf(err), "preview", "Xem trước bản sao", v, messageOf(err))
		return nil
	}
	http.Redirect(c.w, c.r, issuedPath(got.Issue), http.StatusSeeOther)
	return nil
}

func issuedPath(iss *registry.ExtractIssue) string {
	return "/ban-sao/" + iss.IssuerCode + "/" + dashedSerial(iss.Serial)
}

// findIssued returns the copy a path names, if the account's unit issued
// it.
func (s *Server) findIssued(c *call) (*registry.ExtractIssue, error) {
	issuer := c.r.PathValue("issuer")
	serial, err := parseDashedSerial(c.r.PathValue("serial"))
	if err != nil {
		return nil, registry.Errorf(registry.ENOTFOUND, "không có bản sao này")
	}
	if issuer != c.account().Unit {
		return nil, s.refuse(c, "", accounts.Forbid("bản sao do đơn vị %s cấp; tài khoản %s thuộc đơn vị %s", issuer, c.account().Username, c.account().Unit))
	}
	issues, err := s.cfg.Store.FindIssues(c.r.Context(), registry.IssueFilter{IssuerCode: issuer, Serial: &serial, Limit: 1})
	if err != nil {
		return nil, err
	}
	if len(issues) == 0 {
		return nil, registry.Errorf(registry.ENOTFOUND, "sổ cấp của đơn vị %s không có bản sao số %s", issuer, serial)
	}
	return issues[0], nil
}

// issuedView is the page of an issued copy.
type issuedView struct {
	Iss        *registry.ExtractIssue
	IssuerName string
	VerifyURL  string
	Path       string
}

func (s *Server) issuedPage(c *call) error {
	iss, err := s.findIssued(c)
	if err != nil {
		return err
	}
	if err := s.audit.Record(c.r.Context(), c.who(), accounts.AuditView, iss.RecordID, "bản sao số "+iss.Serial.String()); err != nil {
		return err
	}
	v := &issuedView{Iss: iss, IssuerName: s.unitName(iss.IssuerCode), Path: issuedPath(iss)}
	if s.cfg.BaseURL != "" {
		v.VerifyURL = strings.TrimRight(s.cfg.BaseURL, "/") + "/xac-thuc/" + dashedSerial(iss.Serial)
	}
	msg := ""
	if c.r.URL.Query().Has("da-thu-hoi") {
		msg = "Đã thu hồi bản sao."
	}
	s.renderMsg(c, http.StatusOK, "issued", "Bản sao số "+iss.Serial.String(), v, "", msg)
	return nil
}

func (s *Server) download(c *call) error {
	iss, err := s.findIssued(c)
	if err != nil {
		return err
	}
	if s.cfg.Issuer == nil {
		return registry.Errorf(registry.EREFUSED, "bàn làm việc này chưa được cấu hình để in bản sao")
	}
	pdf, err := s.cfg.Issuer.Reissue(iss)
	if err != nil {
		return err
	}
	if err := s.audit.Record(c.r.Context(), c.who(), accounts.AuditDownload, iss.RecordID, "bản sao số "+iss.Serial.String()); err != nil {
		return err
	}
	h := c.w.Header()
	h.Set("Content-Type", "application/pdf")
	h.Set("Content-Disposition", `attachment; filename="`+dashedSerial(iss.Serial)+`.pdf"`)
	h.Set("Content-Length", strconv.Itoa(len(pdf)))
	c.w.Write(pdf)
	return nil
}

func (s *Server) revoke(c *call) error {
	iss, err := s.findIssued(c)
	if err != nil {
		return err
	}
	reason := strings.TrimSpace(c.r.PostFormValue("ly_do_thu_hoi"))
	if reason == "" || len(reason) > 500 {
		return invalid(registry.FieldNote, "Ghi rõ lý do thu hồi.")
	}
	if _, err := s.cfg.Store.RevokeIssue(c.r.Context(), iss.IssuerCode, iss.Serial, c.account().Name, reason); err != nil {
		return err
	}
	if err := s.audit.Record(c.r.Context(), c.who(), accounts.AuditRevoke, iss.RecordID, "bản sao số "+iss.Serial.String()+"; lý do: "+reason); err != nil {
		return err
	}
	http.Redirect(c.w, c.r, issuedPath(iss)+"?da-thu-hoi", http.StatusSeeOther)
	return nil
}
