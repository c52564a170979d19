package desk

import (
	"net/http"
	"slices"

	"github.com/hotich/hotich/registry"
	"github.com/hotich/hotich/registry/sign"
)

// publicKeys are the printed values the public page shows: what
// identifies the copy and its subject. Parents' names, the record ID and
// the register number are printed too but not needed to compare the paper
// with the log, so the page, open to anyone, leaves them out.
var publicKeys = []string{"ho_ten", "ngay_sinh", "ngay_chet", "vo", "chong", "nguoi_nhan", "duoc_nhan"}

// verifyView is the public verification page's data.
type verifyView struct {
	Serial     string
	IssuerName string
	IssuedOn   string
	FormTitle  string
	Values     []field
	Revoked    bool
	RevokedOn  string
	Mismatch   bool            // the QR code's payload is not the one logged
	Issuers    []registry.Unit // several units issued this serial: pick one
	NotFound   bool
	issue      *registry.ExtractIssue
}

// verifyPage is the public page a copy's QR code points to: no login,
// limited per client address, showing only what the copy prints and
// whether it is still valid. Public verifications are not audited (no
// account processes anything); the access log records them by route.
func (s *Server) verifyPage(w http.ResponseWriter, r *http.Request) {
	c := &call{w: w, r: r, addr: s.clientAddr(r)}
	if !s.public.allow(c.addr) {
		w.Header().Set("Retry-After", "60")
		s.render(c, http.StatusTooManyRequests, "verify", "Xác thực bản sao", &verifyView{}, "Quá nhiều yêu cầu từ máy này: vui lòng chờ một phút rồi thử lại.")
		return
	}
	serial, err := parseDashedSerial(r.PathValue("serial"))
	if err != nil {
		s.render(c, http.StatusNotFound, "verify", "Xác thực bản sao", &verifyView{NotFound: true}, "Số bản sao không đúng dạng (ví dụ 45-2025-TLKS-BS).")
		return
	}
	q := r.URL.Query()
	var qr *sign.Payload
	if m := q.Get("m"); m != "" {
		if p, err := sign.ParsePayload(m); err == nil {
			qr = p
		}
	}
	issuer := q.Get("cq")
	if issuer == "" && qr != nil {
		issuer = qr.IssuerCode()
	}
	issues, err := s.cfg.Store.FindIssues(r.Context(), registry.IssueFilter{Serial: &serial, IssuerCode: issuer, Limit: 20})
	if err != nil {
		s.log.Error("verify", "err", err)
		s.render(c, http.StatusServiceUnavailable, "verify", "Xác thực bản sao", &verifyView{}, "Hệ thống đang bận, vui lòng thử lại sau.")
		return
	}
	v := &verifyView{Serial: serial.String()}
	switch len(issues) {
	case 0:
		v.NotFound = true
		s.render(c, http.StatusNotFound, "verify", "Xác thực bản sao", v, "")
		return
	case 1:
	default:
		for _, iss := range issues {
			if u, ok := s.ref.UnitNow(iss.IssuerCode); ok && !slices.ContainsFunc(v.Issuers, func(x registry.Unit) bool { return x.Code == u.Code }) {
				v.Issuers = append(v.Issuers, u)
			}
		}
		s.render(c, http.StatusOK, "verify", "Xác thực bản sao", v, "")
		return
	}
	iss := issues[0]
	v.IssuerName, v.IssuedOn, v.FormTitle = "UBND "+s.unitName(iss.IssuerCode), iss.IssuedOn().Format("02/01/2006"), iss.Form.Title()
	if logged, err := sign.ParsePayload(iss.Payload); err == nil {
		for _, k := range publicKeys {
			if val := logged.Get(k); val != "" {
				v.Values = append(v.Values, field{Name: k, Label: sign.Labels[k], Value: val})
			}
		}
	}
	if rv := iss.Revocation; rv != nil {
		v.Revoked, v.RevokedOn = true, rv.At.In(registry.Vietnam).Format("02/01/2006")
	}
	// The code on the paper must be the one logged: the page shows the
	// log's values, never the URL's.
	v.Mismatch = q.Get("m") != "" && q.Get("m") != iss.Payload
	s.render(c, http.StatusOK, "verify", "Xác thực bản sao", v, "")
}
