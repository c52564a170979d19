package desk

import (
	"net/http"
	"strings"

	"github.com/hotich/hotich/accounts"
	"github.com/hotich/hotich/registry"
)

type adminView struct {
	Accounts []*registry.Account
	Duties   []registry.Duty
	Locked   map[string]bool
	Signer   *registry.Signer
	SignerOf string
	Form     accounts.NewAccount
}

func (s *Server) adminView(c *call, signerOf string) (*adminView, error) {
	ctx := c.r.Context()
	list, err := s.cfg.Store.Accounts(ctx)
	if err != nil {
		return nil, err
	}
	v := &adminView{Accounts: list, Duties: registry.Duties, Locked: map[string]bool{}, SignerOf: signerOf}
	now := s.cfg.Now()
	for _, a := range list {
		v.Locked[a.Username] = a.LockedUntil.After(now)
	}
	if sg, err := s.cfg.Store.Signer(ctx, signerOf); err == nil {
		v.Signer = &sg
	} else if registry.ErrorCode(err) != registry.EREFUSED {
		return nil, err
	}
	return v, nil
}

func (s *Server) adminPage(c *call) error {
	unit := strings.TrimSpace(c.r.URL.Query().Get("don-vi"))
	if unit == "" {
		unit = c.account().Unit
	}
	v, err := s.adminView(c, unit)
	if err != nil {
		return err
	}
	msg := ""
	switch c.r.URL.Query().Get("da") {
	case "tao":
		msg = "Đã tạo tài khoản."
	case "doi":
		msg = "Đã cập nhật tài khoản."
	case "nguoi-ky":
		msg = "Đã lưu người ký."
	}
	s.renderMsg(c, http.StatusOK, "admin", "Quản trị", v, "", msg)
	return nil
}

// adminFailed shows the admin page again with what was wrong.
func (s *Server) adminFailed(c *call, err error, form accounts.NewAccount) error {
	if code := registry.ErrorCode(err); code != registry.EINVALID && code != registry.ECONFLICT && code != registry.ENOTFOUND {
		return err
	}
	v, verr := s.adminView(c, c.account().Unit)
	if verr != nil {
		return verr
	}
	v.Form = form
	s.render(c, statusOf(err), "admin", "Quản trị", v, messageOf(err))
	return nil
}

func (s *Server) addAccount(c *call) error {
	r := c.r
	if err := r.ParseForm(); err != nil {
		return err
	}
	n := accounts.NewAccount{Username: r.PostFormValue("ten-dang-nhap"), Name: r.PostFormValue("ho-ten"), Unit: r.PostFormValue("don-vi"),
		Password: r.PostFormValue("mat-khau")}
	for _, d := range r.PostForm["vai-tro"] {
		ds, err := registry.ParseDuties(d)
		if err != nil {
			return s.adminFailed(c, err, n)
		}
		n.Duties = append(n.Duties, ds...)
	}
	if _, err := s.cfg.Accounts.AddAccount(r.Context(), c.who(), n); err != nil {
		n.Password = ""
		return s.adminFailed(c, err, n)
	}
	http.Redirect(c.w, r, "/quan-tri?da=tao", http.StatusSeeOther)
	return nil
}

func (s *Server) changeAccount(c *call) error {
	r, username := c.r, c.r.PathValue("username")
	var err error
	switch r.PostFormValue("viec") {
	case "vo-hieu":
		if username == c.account().Username {
			err = registry.Errorf(registry.EINVALID, "không tự vô hiệu hóa tài khoản của mình")
		} else {
			err = s.cfg.Accounts.SetDisabled(r.Context(), c.who(), username, true)
		}
	case "mo-lai":
		err = s.cfg.Accounts.SetDisabled(r.Context(), c.who(), username, false)
	case "mat-khau":
		err = s.cfg.Accounts.SetPassword(r.Context(), c.who(), username, r.PostFormValue("mat-khau"))
	default:
		err = registry.Errorf(registry.EINVALID, "việc không hợp lệ")
	}
	if err != nil {
		return s.adminFailed(c, err, accounts.NewAccount{})
	}
	http.Redirect(c.w, r, "/quan-tri?da=doi", http.StatusSeeOther)
	return nil
}

func (s *Server) setSigner(c *call) error {
	r := c.r
	v := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	sg := registry.Signer{IssuerCode: v("don-vi"), Capacity: v("tu-cach"), Title: v("chuc-danh"), Name: v("ho-ten"), Thousand: "nghìn"}
	if r.PostFormValue("ngan") != "" {
		sg.Thousand = "ngàn"
	}
	if u, ok := s.ref.UnitNow(sg.IssuerCode); !ok || u.Level != 3 {
		return s.adminFailed(c, registry.Errorf(registry.EINVALID, "mã đơn vị %q không phải một xã, phường, đặc khu hiện nay", sg.IssuerCode), accounts.NewAccount{})
	}
	if err := sg.Validate(); err != nil {
		return s.adminFailed(c, err, accounts.NewAccount{})
	}
	if err := s.cfg.Store.SetSigner(r.Context(), sg, c.account().Name); err != nil {
		return err
	}
	if err := s.audit.Record(r.Context(), c.who(), accounts.AuditSigner, "unit:"+sg.IssuerCode, strings.Join([]string{sg.Capacity, sg.Title, sg.Name}, " / ")); err != nil {
		return err
	}
	http.Redirect(c.w, r, "/quan-tri?da=nguoi-ky&don-vi="+sg.IssuerCode, http.StatusSeeOther)
	return nil
}
