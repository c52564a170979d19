package desk

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/hotich/hotich/accounts"
	"github.com/hotich/hotich/registry"
)

// call is one request of a signed-in account (or, on public pages, of
// nobody).
type call struct {
	w    http.ResponseWriter
	r    *http.Request
	sess *accounts.Session
	addr string
}

func (c *call) account() *registry.Account {
	if c.sess == nil {
		return nil
	}
	return c.sess.Account
}

func (c *call) who() accounts.Actor { return accounts.ActorOf(c.account(), c.addr) }

// cookieName is the session cookie's name: with the __Host- prefix when
// Secure, so that no other host or path can set it.
func (s *Server) cookieName() string {
	if s.secure {
		return "__Host-hotich"
	}
	return "hotich"
}

// loginCookie holds the token the login form must echo (double submit):
// a login from another site's form is refused.
func (s *Server) loginCookie() string {
	if s.secure {
		return "__Host-hotich-dn"
	}
	return "hotich-dn"
}

func (s *Server) setCookie(w http.ResponseWriter, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteStrictMode})
}

// session returns the session of a request's cookie, or an ENOTFOUND
// error.
func (s *Server) session(r *http.Request) (*accounts.Session, error) {
	ck, err := r.Cookie(s.cookieName())
	if err != nil {
		return nil, registry.Errorf(registry.ENOTFOUND, "chưa đăng nhập")
	}
	return s.cfg.Accounts.Authenticate(r.Context(), ck.Value)
}

// sameOrigin reports whether a state-changing request comes from the
// desk's own pages, by its Origin header when the browser sends one.
func sameOrigin(r *http.Request) bool {
	o := r.Header.Get("Origin")
	if o == "" {
		return true
	}
	u, err := url.Parse(o)
	return err == nil && strings.EqualFold(u.Host, r.Host)
}

// csrfOK checks a state-changing request's CSRF token: the form field
// "csrf" or the X-CSRF-Token header, against the session's.
func csrfOK(r *http.Request, sess *accounts.Session) bool {
	got := r.Header.Get("X-CSRF-Token")
	if got == "" {
		got = r.PostFormValue("csrf")
	}
	return got != "" && sameOrigin(r) && subtle.ConstantTimeCompare([]byte(got), []byte(sess.Session.CSRF)) == 1
}

// guard checks a request of a signed-in account: its CSRF token when it
// changes state, and its duty. A refusal is audited.
func (s *Server) guard(c *call, act accounts.Action) error {
	if c.r.Method != http.MethodGet && c.r.Method != http.MethodHead && !csrfOK(c.r, c.sess) {
		s.log.Warn("csrf token missing or wrong", "route", c.r.Pattern, "user", c.sess.Account.Username, "addr", c.addr)
		return errCSRF
	}
	if act == "" {
		return nil
	}
	if err := accounts.Require(c.sess.Account, act); err != nil {
		return s.refuse(c, "", err)
	}
	return nil
}

// refuse audits a refusal, by duty or by jurisdiction, and returns it
// (or the error of writing the entry).
func (s *Server) refuse(c *call, target string, err error) error {
	if aerr := s.audit.Record(c.r.Context(), c.who(), accounts.AuditForbidden, target, c.r.Method+" "+c.r.Pattern); aerr != nil {
		return aerr
	}
	return err
}

// page serves an HTML page to a signed-in account whose duties allow act
// ("" for any account); without a session it sends the browser to the
// login page.
func (s *Server) page(act accounts.Action, h func(*call) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := &call{w: w, r: r, addr: s.clientAddr(r)}
		sess, err := s.session(r)
		if err != nil {
			if registry.ErrorCode(err) != registry.ENOTFOUND {
				s.fail(c, err)
				return
			}
			if _, cerr := r.Cookie(s.cookieName()); cerr == nil { // a session that expired
				s.setCookie(w, s.cookieName(), "", -1)
				http.Redirect(w, r, "/dang-nhap?het-han", http.StatusSeeOther)
				return
			}
			http.Redirect(w, r, "/dang-nhap", http.StatusSeeOther)
			return
		}
		c.sess = sess
		setUser(r, sess.Account.Username)
		if err := s.guard(c, act); err != nil {
			s.fail(c, err)
			return
		}
		if err := h(c); err != nil {
			s.fail(c, err)
		}
	})
}

// api serves a JSON endpoint under the same rules as page; without a
// session it answers 401.
func (s *Server) api(act accounts.Action, h func(*call) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := &call{w: w, r: r, addr: s.clientAddr(r)}
		sess, err := s.session(r)
		if err != nil {
			status := statusOf(err)
			if registry.ErrorCode(err) == registry.ENOTFOUND {
				status = http.StatusUnauthorized
			}
			writeJSON(w, status, apiError{Code: registry.ErrorCode(err), Message: messageOf(err)})
			return
		}
		c.sess = sess
		setUser(r, sess.Account.Username)
		if err := s.guard(c, act); err == nil {
			err = h(c)
			if err == nil {
				return
			}
			s.apiFail(c, err)
		} else {
			s.apiFail(c, err)
		}
	})
}

// apiError is an error as the JSON API answers it.
type apiError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

func (s *Server) apiFail(c *call, err error) {
	status := statusOf(err)
	if status >= 500 {
		s.log.Error("request failed", "route", c.r.Pattern, "err", err)
	}
	code := registry.ErrorCode(err)
	if accounts.IsForbidden(err) {
		code = "forbidden"
	}
	writeJSON(c.w, status, apiError{Code: code, Message: messageOf(err), Field: registry.ErrorField(err)})
}

// fail answers a page request with an error page.
func (s *Server) fail(c *call, err error) {
	status := statusOf(err)
	if status >= 500 {
		s.log.Error("request failed", "route", c.r.Pattern, "err", err)
	}
	s.render(c, status, "error", "Không thực hiện được", nil, messageOf(err))
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	c := &call{w: w, r: r, addr: s.clientAddr(r)}
	if sess, err := s.session(r); err == nil {
		c.sess = sess
	}
	s.render(c, http.StatusNotFound, "error", "Không tìm thấy", nil, "Không có trang này.")
}

// home sends an account to the page of its first duty.
func (s *Server) home(c *call) error {
	a := c.account()
	to := "/mat-khau"
	switch {
	case accounts.Allowed(a, accounts.ActSearch):
		to = "/tra-cuu"
	case accounts.Allowed(a, accounts.ActReview):
		to = "/duyet"
	case accounts.Allowed(a, accounts.ActBatches):
		to = "/lo-du-lieu"
	case accounts.Allowed(a, accounts.ActAdmin):
		to = "/quan-tri"
	}
	http.Redirect(c.w, c.r, to, http.StatusSeeOther)
	return nil
}

type loginData struct {
	Username string
	Token    string
}

func randomString() string {
	b := make([]byte, 24)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) {
	c := &call{w: w, r: r, addr: s.clientAddr(r)}
	if _, err := s.session(r); err == nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	msg := ""
	if r.URL.Query().Has("het-han") {
		msg = "Phiên làm việc đã hết hạn, vui lòng đăng nhập lại."
	}
	s.showLogin(c, http.StatusOK, "", "", msg)
}

func (s *Server) showLogin(c *call, status int, username, errMsg, msg string) {
	tok := randomString()
	s.setCookie(c.w, s.loginCookie(), tok, 3600)
	s.renderMsg(c, status, "login", "Đăng nhập", loginData{Username: username, Token: tok}, errMsg, msg)
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	c := &call{w: w, r: r, addr: s.clientAddr(r)}
	username := strings.TrimSpace(r.PostFormValue("username"))
	ck, err := r.Cookie(s.loginCookie())
	if err != nil || !sameOrigin(r) || subtle.ConstantTimeCompare([]byte(ck.Value), []byte(r.PostFormValue("csrf"))) != 1 {
		s.showLogin(c, http.StatusForbidden, username, "Trang đăng nhập đã cũ hoặc không hợp lệ: vui lòng đăng nhập lại.", "")
		return
	}
	if !s.logins.allow(c.addr) {
		s.log.Warn("login throttled", "addr", c.addr)
		s.showLogin(c, http.StatusTooManyRequests, username, "Đăng nhập thử quá nhiều lần từ máy này: vui lòng chờ một phút rồi thử lại.", "")
		return
	}
	sess, err := s.cfg.Accounts.Login(r.Context(), username, r.PostFormValue("password"), c.addr)
	if err != nil {
		status := statusOf(err)
		if registry.ErrorCode(err) == registry.EINVALID {
			status = http.StatusUnauthorized
		}
		if status >= 500 {
			s.log.Error("login failed", "err", err)
		}
		var l *accounts.Locked
		if errors.As(err, &l) || registry.ErrorCode(err) == registry.EREFUSED {
			status = http.StatusForbidden
			if l != nil {
				status = http.StatusLocked
			}
		}
		s.showLogin(c, status, username, messageOf(err), "")
		return
	}
	setUser(r, sess.Account.Username)
	s.setCookie(w, s.loginCookie(), "", -1)
	s.setCookie(w, s.cookieName(), sess.Token, 0)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (s *Server) logout(c *call) error {
	if err := s.cfg.Accounts.Logout(c.r.Context(), c.sess, c.addr); err != nil {
		return err
	}
	s.setCookie(c.w, s.cookieName(), "", -1)
	http.Redirect(c.w, c.r, "/dang-nhap", http.StatusSeeOther)
	return nil
}

func (s *Server) passwordForm(c *call) error {
	s.render(c, http.StatusOK, "password", "Đổi mật khẩu", nil, "")
	return nil
}

func (s *Server) changePassword(c *call) error {
	r := c.r
	next := r.PostFormValue("moi")
	if next != r.PostFormValue("nhap-lai") {
		s.render(c, http.StatusBadRequest, "password", "Đổi mật khẩu", nil, "Hai lần nhập mật khẩu mới không khớp.")
		return nil
	}
	if err := s.cfg.Accounts.ChangePassword(r.Context(), c.sess, c.addr, r.PostFormValue("hien-tai"), next); err != nil {
		if registry.ErrorCode(err) == registry.EINVALID {
			s.render(c, http.StatusBadRequest, "password", "Đổi mật khẩu", nil, messageOf(err))
			return nil
		}
		return err
	}
	s.setCookie(c.w, s.cookieName(), "", -1)
	http.Redirect(c.w, c.r, "/dang-nhap", http.StatusSeeOther)
	return nil
}
