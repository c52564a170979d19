package desk_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hotich/hotich/accounts"
	"github.com/hotich/hotich/desk"
	"github.com/hotich/hotich/issuing"
	"github.com/hotich/hotich/registry"
)

// linkAB is the link between the two Phạm Văn Trùng entries, one held by
// Phường Sài Gòn and one by Phường Bến Thành.
func (e *env) linkAB() int64 {
	links, err := e.db.Links(context.Background(), registry.LinkFilter{Status: []registry.LinkStatus{registry.LinkSuspected, registry.LinkAuto, registry.LinkConfirmed, registry.LinkRejected}})
	if err != nil {
		e.t.Fatal(err)
	}
	for _, l := range links {
		if l.A == id(recA) && l.B == id(recB) || l.A == id(recB) && l.B == id(recA) {
			return l.ID
		}
	}
	e.t.Fatal("no link A–B")
	return 0
}

// sampleLink is a link of the sample data with its explanation, between
// two entries of one unit's register.
func (e *env) sampleLink() *registry.Link {
	links, err := e.db.Links(context.Background(), registry.LinkFilter{Register: registry.Birth, Status: []registry.LinkStatus{registry.LinkSuspected}})
	if err != nil {
		e.t.Fatal(err)
	}
	for _, l := range links {
		if l.Explanation != nil && len(l.Explanation.Alternatives) > 0 {
			return l
		}
	}
	e.t.Fatal("no suspected birth link with an explanation in the samples")
	return nil
}

func (e *env) flagOf(recID string) int64 {
	flags, err := e.db.OpenFlags(context.Background(), registry.FlagFilter{})
	if err != nil {
		e.t.Fatal(err)
	}
	for _, f := range flags {
		if f.RecordID == recID && f.Flag.Code != registry.FlagConflict {
			return f.ID
		}
	}
	e.t.Fatalf("no flag of %s", recID)
	return 0
}

// issueClean issues a copy of the clean entry as Phường Sài Gòn.
func (e *env) issueClean() *registry.ExtractIssue {
	got, err := (&fakeIssuer{db: e.db}).Issue(context.Background(), issuing.Request{RecordID: id(recClean), IssuerCode: "26740", Requester: "Võ Văn Cha", Clerk: "Người thu", Copies: 1})
	if err != nil {
		e.t.Fatal(err)
	}
	return got.Issue
}

func dashed(s registry.Serial) string { return strings.ReplaceAll(s.String(), "/", "-") }

// route is one request of the desk and the action it needs.
type route struct {
	method, path string
	act          accounts.Action
	form         url.Values
	api          bool // JSON body, CSRF header
	body         string
	heldBy       string // the unit whose accounts alone may (jurisdiction), if any
}

func (e *env) routes() []route {
	iss := e.issueClean()
	copyPath := "/ban-sao/26740/" + dashed(iss.Serial)
	clean, flagged, conflict := id(recClean), id(recFlagged), id(recConflict)
	link := fmt.Sprint(e.linkAB())
	return []route{
		{method: "GET", path: "/tra-cuu", act: accounts.ActSearch},
		{method: "POST", path: "/tra-cuu", act: accounts.ActSearch, form: url.Values{"ho_ten": {"nguyen van an"}, "ngay_sinh": {"1984"}}},
		{method: "POST", path: "/api/search", act: accounts.ActSearch, api: true, body: `{"dinh_danh":"079210009901"}`},
		{method: "GET", path: "/ban-ghi/" + clean, act: accounts.ActView},
		{method: "GET", path: "/api/records/" + clean, act: accounts.ActView, api: true},
		{method: "GET", path: "/ban-ghi/" + clean + "/cap-ban-sao", act: accounts.ActIssue},
		{method: "POST", path: "/ban-ghi/" + clean + "/xem-truoc", act: accounts.ActIssue, form: url.Values{"nguoi_yeu_cau": {"Võ Văn Cha"}, "so_ban": {"1"}}},
		{method: "POST", path: "/ban-ghi/" + clean + "/cap-ban-sao", act: accounts.ActIssue, form: url.Values{"nguoi_yeu_cau": {"Võ Văn Cha"}, "so_ban": {"1"}}},
		{method: "POST", path: "/api/records/" + clean + "/issue", act: accounts.ActIssue, api: true, body: `{"nguoi_yeu_cau":"Võ Văn Cha","so_ban":1}`},
		{method: "POST", path: "/ban-ghi/" + flagged + "/cap-ban-sao", act: accounts.ActOverride, form: url.Values{"nguoi_yeu_cau": {"Trần Văn Ơn"}, "so_ban": {"1"}, "ly_do": {"đã đối chiếu sổ gốc"}}},
		{method: "GET", path: copyPath, act: accounts.ActDownload, heldBy: "26740"},
		{method: "GET", path: copyPath + "/pdf", act: accounts.ActDownload, heldBy: "26740"},
		{method: "POST", path: copyPath + "/thu-hoi", act: accounts.ActDownload, heldBy: "26740", form: url.Values{"ly_do_thu_hoi": {"cấp nhầm"}}},
		{method: "GET", path: "/duyet", act: accounts.ActReview},
		{method: "GET", path: "/duyet/lien-ket/" + link, act: accounts.ActReview},
		{method: "GET", path: "/duyet/mo-hinh", act: accounts.ActReview},
		{method: "GET", path: "/duyet/co", act: accounts.ActReview},
		{method: "GET", path: "/duyet/xung-dot", act: accounts.ActReview},
		{method: "POST", path: "/duyet/co/" + fmt.Sprint(e.flagOf(flagged)), act: accounts.ActDecide, heldBy: "26740", form: url.Values{"ghi-chu": {"đã đối chiếu sổ gốc"}}},
		{method: "POST", path: "/ban-ghi/" + conflict + "/xung-dot", act: accounts.ActDecide, heldBy: "26740", form: url.Values{"truong": {"noi_sinh"}, "chon": {"1"}, "ghi-chu": {"sổ gốc"}}},
		{method: "POST", path: "/ban-ghi/" + clean + "/cai-chinh", act: accounts.ActDecide, heldBy: "26740", form: url.Values{"truong": {"noi_sinh"}, "gia-tri": {"Bệnh viện Từ Dũ, TP. Hồ Chí Minh"}, "can-cu": {"QĐ 12/QĐ-UBND"}}},
		// Either unit decides a link between their registers.
		{method: "POST", path: "/duyet/lien-ket/" + link, act: accounts.ActDecide, form: url.Values{"quyet-dinh": {"bac-bo"}, "ghi-chu": {"hai người"}}},
		{method: "GET", path: "/lo-du-lieu", act: accounts.ActBatches},
		{method: "GET", path: "/quan-tri", act: accounts.ActAdmin},
		{method: "POST", path: "/quan-tri/tai-khoan", act: accounts.ActAdmin, form: url.Values{"ten-dang-nhap": {"moi"}, "ho-ten": {"Người mới"}, "don-vi": {"26740"}, "vai-tro": {"clerk"}, "mat-khau": {password}}},
		{method: "POST", path: "/quan-tri/tai-khoan/thub", act: accounts.ActAdmin, form: url.Values{"viec": {"mat-khau"}, "mat-khau": {"một mật khẩu mới hẳn"}}},
		{method: "POST", path: "/quan-tri/nguoi-ky", act: accounts.ActAdmin, form: url.Values{"don-vi": {"26743"}, "chuc-danh": {"CHỦ TỊCH"}, "ho-ten": {"Lê Văn Ký"}}},
	}
}

func (b *browser) send(rt route) *http.Response {
	if rt.api {
		hdr := map[string]string{"Content-Type": "application/json", "X-CSRF-Token": b.csrf}
		var body *strings.Reader
		if rt.body != "" {
			body = strings.NewReader(rt.body)
			return b.do(rt.method, rt.path, body, hdr).Result()
		}
		return b.do(rt.method, rt.path, nil, hdr).Result()
	}
	if rt.method == "GET" {
		return b.get(rt.path).Result()
	}
	return b.post(rt.path, rt.form).Result()
}

// TestRoleMatrix: every account against every route — allowed (not 403)
// exactly when its duties allow the action and, where the action is about
// a register or a copy, its unit holds it; a refusal changes nothing and
// is audited.
func TestRoleMatrix(t *testing.T) {
	for _, a := range testAccounts {
		t.Run(a.user, func(t *testing.T) {
			e := newEnv(t)
			acct, err := e.db.FindAccount(context.Background(), a.user)
			if err != nil {
				t.Fatal(err)
			}
			b := e.as(a.user)
			for _, rt := range e.routes() {
				want := accounts.Allowed(acct, rt.act) && (rt.heldBy == "" || rt.heldBy == a.unit)
				before := len(e.trail())
				res := b.send(rt)
				if got := res.StatusCode != http.StatusForbidden; got != want {
					t.Errorf("%s %s %s: status %d, want allowed=%v", a.user, rt.method, rt.path, res.StatusCode, want)
				}
				if res.StatusCode >= 500 {
					t.Errorf("%s %s %s: status %d", a.user, rt.method, rt.path, res.StatusCode)
				}
				if !want {
					tr := e.trail()
					if len(tr) != before+1 || tr[len(tr)-1].Action != accounts.AuditForbidden || tr[len(tr)-1].Actor != a.user {
						t.Errorf("%s %s %s: refusal not audited: %d → %d entries", a.user, rt.method, rt.path, before, len(tr))
					}
				}
			}
		})
	}
}

// TestEveryRoute: each route answers as it should for an account allowed
// to use it, and public routes without one.
func TestEveryRoute(t *testing.T) {
	e := newEnv(t)
	anon := e.browser("10.0.0.9")
	for path, want := range map[string]int{"/healthz": 200, "/static/desk.css": 200, "/dang-nhap": 200, "/": 303, "/tra-cuu": 303,
		"/xac-thuc/1-2026-TLKS-BS": 404, "/khong-co": 404, "/api/records/x": 401} {
		if w := anon.get(path); w.Code != want {
			t.Errorf("anonymous GET %s: %d, want %d", path, w.Code, want)
		}
	}
	if w := anon.get("/healthz"); !strings.Contains(w.Body.String(), `"ok"`) {
		t.Errorf("healthz: %s", w.Body)
	}
	if w := anon.get("/static/desk.css"); !strings.HasPrefix(w.Header().Get("Content-Type"), "text/css") || w.Body.Len() < 1000 {
		t.Errorf("stylesheet: %s %d bytes", w.Header().Get("Content-Type"), w.Body.Len())
	}
	users := map[accounts.Action]string{accounts.ActSearch: "truong", accounts.ActView: "truong", accounts.ActIssue: "truong",
		accounts.ActOverride: "truong", accounts.ActDownload: "truong", accounts.ActReview: "truong", accounts.ActDecide: "truong",
		accounts.ActBatches: "vanhanh", accounts.ActAdmin: "quantri"}
	browsers := map[string]*browser{}
	for _, rt := range e.routes() {
		u := users[rt.act]
		if browsers[u] == nil {
			browsers[u] = e.as(u)
		}
		res := browsers[u].send(rt)
		ok := res.StatusCode == 200 || res.StatusCode == 201 || res.StatusCode == 303
		if !ok {
			t.Errorf("%s %s %s: %d", u, rt.method, rt.path, res.StatusCode)
		}
	}
	// Home sends each account to its first duty's page; logout ends the
	// session.
	for u, to := range map[string]string{"thu": "/tra-cuu", "duyet": "/tra-cuu", "vanhanh": "/lo-du-lieu", "quantri": "/quan-tri"} {
		b := e.as(u)
		if w := b.get("/"); w.Code != 303 || w.Header().Get("Location") != to {
			t.Errorf("home of %s: %d %s", u, w.Code, w.Header().Get("Location"))
		}
		if w := b.post("/dang-xuat", nil); w.Code != 303 {
			t.Errorf("logout: %d", w.Code)
		}
		if w := b.get("/tra-cuu"); w.Code != 303 {
			t.Errorf("after logout: %d", w.Code)
		}
	}
}

// TestJurisdiction: a reviewer of Phường Bến Thành cannot correct, settle
// or close a flag on an entry whose register Phường Sài Gòn holds; the
// reviewer of Phường Sài Gòn can.
func TestJurisdiction(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	before, _ := e.db.FindRecordByID(ctx, id(recClean))
	correct := url.Values{"truong": {"ho_ten"}, "gia-tri": {"Võ Thị Sạch Đẹp"}, "can-cu": {"QĐ 12/QĐ-UBND ngày 03/02/2026"}}
	b := e.as("duyetb")
	if w := b.post("/ban-ghi/"+id(recClean)+"/cai-chinh", correct); w.Code != 403 || !strings.Contains(w.Body.String(), "Phường Sài Gòn") && !strings.Contains(w.Body.String(), "26740") {
		t.Fatalf("unit B corrects unit A's entry: %d\n%s", w.Code, w.Body)
	}
	if w := b.post("/ban-ghi/"+id(recConflict)+"/xung-dot", url.Values{"truong": {"noi_sinh"}, "chon": {"2"}, "ghi-chu": {"x"}}); w.Code != 403 {
		t.Errorf("unit B settles unit A's conflict: %d", w.Code)
	}
	if w := b.post(fmt.Sprintf("/duyet/co/%d", e.flagOf(id(recFlagged))), url.Values{"ghi-chu": {"x"}}); w.Code != 403 {
		t.Errorf("unit B closes unit A's flag: %d", w.Code)
	}
	after, _ := e.db.FindRecordByID(ctx, id(recClean))
	if after.Fields["ho_ten"] != before.Fields["ho_ten"] || after.Version != before.Version {
		t.Fatal("a refused correction changed the entry")
	}
	// The record page offers unit B no correction form.
	if w := b.get("/ban-ghi/" + id(recClean)); strings.Contains(w.Body.String(), "form-cai-chinh") {
		t.Error("unit B is offered the correction form")
	}
	a := e.as("duyet")
	if w := a.get("/ban-ghi/" + id(recClean)); !strings.Contains(w.Body.String(), "form-cai-chinh") {
		t.Error("unit A is not offered the correction form")
	}
	// Without a legal basis: refused, and said why.
	if w := a.post("/ban-ghi/"+id(recClean)+"/cai-chinh", url.Values{"truong": {"ho_ten"}, "gia-tri": {"Võ Thị Sạch Đẹp"}}); w.Code != 400 || !strings.Contains(w.Body.String(), "căn cứ") {
		t.Errorf("correction without basis: %d", w.Code)
	}
	if w := a.post("/ban-ghi/"+id(recClean)+"/cai-chinh", correct); w.Code != 303 {
		t.Fatalf("unit A corrects: %d\n%s", w.Code, w.Body)
	}
	after, _ = e.db.FindRecordByID(ctx, id(recClean))
	if after.Fields["ho_ten"] != "Võ Thị Sạch Đẹp" {
		t.Errorf("corrected name: %q", after.Fields["ho_ten"])
	}
	page := a.get("/ban-ghi/" + id(recClean)).Body.String()
	if !strings.Contains(page, "QĐ 12/QĐ-UBND ngày 03/02/2026") || !strings.Contains(page, "Võ Thị Sạch Đẹp") {
		t.Error("the correction and its basis are not on the record page")
	}
	// A reviewer sees the whole city's queue, marked where they decide.
	q := b.get("/duyet").Body.String()
	if !strings.Contains(q, fmt.Sprintf(`data-link-id="%d"`, e.linkAB())) || strings.Count(q, "data-link-id") < 10 {
		t.Error("unit B does not see the city's queue")
	}
}

// TestCSRF: state-changing requests without the session's token, with a
// wrong one, or from another origin are refused and change nothing.
func TestCSRF(t *testing.T) {
	e := newEnv(t)
	b := e.as("truong")
	form := url.Values{"nguoi_yeu_cau": {"Võ Văn Cha"}, "so_ban": {"1"}}
	for name, f := range map[string]url.Values{"Missing": {"csrf": {""}}, "Wrong": {"csrf": {b.csrf + "x"}}} {
		for k, v := range form {
			f[k] = v
		}
		if w := b.post("/ban-ghi/"+id(recClean)+"/cap-ban-sao", f); w.Code != 403 || !strings.Contains(w.Body.String(), "CSRF") {
			t.Errorf("%s token: %d", name, w.Code)
		}
	}
	if w := b.do("POST", "/ban-ghi/"+id(recClean)+"/cap-ban-sao", strings.NewReader(url.Values{"csrf": {b.csrf}, "nguoi_yeu_cau": {"X"}, "so_ban": {"1"}}.Encode()),
		map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Origin": "https://evil.example"}); w.Code != 403 {
		t.Errorf("another origin: %d", w.Code)
	}
	if w := b.do("POST", "/api/search", strings.NewReader(`{"dinh_danh":"079210009901"}`), map[string]string{"Content-Type": "application/json"}); w.Code != 403 {
		t.Errorf("API without the header: %d", w.Code)
	}
	if w := b.post("/dang-xuat", url.Values{"csrf": {""}}); w.Code != 403 {
		t.Errorf("logout without token: %d", w.Code)
	}
	issues, _ := e.db.FindIssues(context.Background(), registry.IssueFilter{RecordID: id(recClean)})
	if len(issues) != 0 {
		t.Fatal("a copy was issued without the CSRF token")
	}
	// The login form carries its own token (double submit).
	anon := e.browser("10.0.0.7")
	anon.get("/dang-nhap")
	if w := anon.post("/dang-nhap", url.Values{"csrf": {"forged"}, "username": {"thu"}, "password": {password}}); w.Code != 403 {
		t.Errorf("login without the form's token: %d", w.Code)
	}
}

// TestEscaping: a name holding markup is shown as text on every page.
func TestEscaping(t *testing.T) {
	e := newEnv(t)
	b := e.as("truong")
	pages := map[string]string{
		"search":  b.post("/tra-cuu", url.Values{"dinh_danh": {"079210009901"}}).Body.String(),
		"record":  b.get("/ban-ghi/" + id(recScript)).Body.String(),
		"issue":   b.get("/ban-ghi/" + id(recScript) + "/cap-ban-sao").Body.String(),
		"preview": b.post("/ban-ghi/"+id(recScript)+"/xem-truoc", url.Values{"nguoi_yeu_cau": {`"><script>alert(2)</script>`}, "so_ban": {"1"}}).Body.String(),
		"form":    b.post("/tra-cuu", url.Values{"ho_ten": {`"><script>alert(3)</script>`}, "ngay_sinh": {"2010"}}).Body.String(),
	}
	for name, body := range pages {
		if strings.Contains(body, "<script") {
			t.Errorf("%s: markup not escaped", name)
		}
		if name != "form" && !strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt;") && name != "preview" {
			t.Errorf("%s: the name is not shown escaped", name)
		}
	}
	if !strings.Contains(pages["preview"], "&lt;script&gt;alert(2)") {
		t.Error("preview: the requester is not shown escaped")
	}
}

// TestLoginLockout: five wrong passwords lock the account for 15 minutes
// and the desk says so; the right password waits; failures are audited.
func TestLoginLockout(t *testing.T) {
	e := newEnv(t)
	b := e.browser("10.0.0.8")
	for i := 1; i <= 4; i++ {
		if w := b.tryLogin("thu", "sai rồi sai rồi"); w.Code != 401 || !strings.Contains(w.Body.String(), "không đúng") {
			t.Fatalf("wrong password %d: %d", i, w.Code)
		}
	}
	w := b.tryLogin("thu", "sai rồi sai rồi")
	if w.Code != http.StatusLocked || !strings.Contains(w.Body.String(), "tạm khóa") || !strings.Contains(w.Body.String(), "15 phút") {
		t.Fatalf("5th wrong password: %d\n%s", w.Code, w.Body)
	}
	if w := b.tryLogin("thu", password); w.Code != http.StatusLocked {
		t.Fatalf("right password while locked: %d", w.Code)
	}
	e.clock.advance(15 * time.Minute)
	if w := b.tryLogin("thu", password); w.Code != 303 {
		t.Fatalf("after 15 minutes: %d", w.Code)
	}
	failed := 0
	for _, en := range e.trail() {
		if en.Action == accounts.AuditLoginFailed && en.Actor == "thu" && en.Addr == "10.0.0.8" {
			failed++
		}
	}
	if failed != 6 {
		t.Errorf("%d failed logins audited, want 6", failed)
	}
}

// TestLoginThrottle: one address trying many logins is slowed down,
// whatever usernames it tries; another address is not.
func TestLoginThrottle(t *testing.T) {
	e := newEnv(t, func(c *desk.Config) { c.LoginRate = desk.Rate{Every: time.Minute, Burst: 3} })
	b := e.browser("10.0.0.66")
	for i, u := range []string{"a1", "a2", "a3"} {
		if w := b.tryLogin(u, "x"); w.Code != 401 {
			t.Fatalf("attempt %d: %d", i, w.Code)
		}
	}
	if w := b.tryLogin("thu", password); w.Code != http.StatusTooManyRequests {
		t.Fatalf("4th attempt from one address: %d", w.Code)
	}
	e.browser("10.0.0.67").login("thu")
	e.clock.advance(time.Minute)
	b.login("thu")
}

// TestSessionExpiry: a session idle for 30 minutes, or 12 hours old,
// sends the browser back to the login page, saying why.
func TestSessionExpiry(t *testing.T) {
	e := newEnv(t)
	b := e.as("thu")
	e.clock.advance(29 * time.Minute)
	if w := b.get("/tra-cuu"); w.Code != 200 {
		t.Fatalf("29 minutes idle: %d", w.Code)
	}
	e.clock.advance(31 * time.Minute)
	w := b.get("/tra-cuu")
	if w.Code != 303 || w.Header().Get("Location") != "/dang-nhap?het-han" {
		t.Fatalf("31 minutes idle: %d %s", w.Code, w.Header().Get("Location"))
	}
	if !strings.Contains(b.get("/dang-nhap?het-han").Body.String(), "hết hạn") {
		t.Error("the login page does not say the session expired")
	}
	b.login("thu")
	for range 12 * 3 {
		e.clock.advance(20 * time.Minute)
		if w := b.get("/tra-cuu"); w.Code != 200 {
			t.Fatalf("in use: %d", w.Code)
		}
	}
	e.clock.advance(20 * time.Minute)
	if w := b.get("/tra-cuu"); w.Code != 303 {
		t.Fatalf("after 12 hours: %d", w.Code)
	}
}

// TestSecurityHeaders: every response forbids scripts, framing and
// sniffing and sends a referrer to the desk itself only; cookies are HttpOnly, SameSite=Strict,
// and Secure with the __Host- prefix behind an https address.
func TestSecurityHeaders(t *testing.T) {
	for _, secure := range []bool{false, true} {
		e := newEnv(t, func(c *desk.Config) {
			if !secure {
				c.BaseURL = "http://localhost:8080"
			}
		})
		b := e.browser("10.0.0.5")
		page := b.get("/dang-nhap")
		if !strings.Contains(page.Body.String(), `<meta name="referrer" content="same-origin">`) {
			t.Error("the pages' referrer policy is not the header's: a meta tag overrides the header")
		}
		w := b.tryLogin("thu", password)
		for _, res := range []http.Header{page.Header(), w.Header(), b.get("/tra-cuu").Header(), b.get("/xac-thuc/1-2026-TLKS-BS").Header()} {
			csp := res.Get("Content-Security-Policy")
			if !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "frame-ancestors 'none'") {
				t.Errorf("CSP %q", csp)
			}
			// Not no-referrer: under it a browser sends "Origin: null" with
			// every form, and the desk, which checks the Origin of each POST,
			// refused every login from Chromium.
			for k, v := range map[string]string{"X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin", "Cache-Control": "no-store"} {
				if res.Get(k) != v {
					t.Errorf("%s: %q", k, res.Get(k))
				}
			}
			if secure != (res.Get("Strict-Transport-Security") != "") {
				t.Errorf("HSTS with secure=%v: %q", secure, res.Get("Strict-Transport-Security"))
			}
		}
		cookies := w.Result().Cookies()
		var sess *http.Cookie
		for _, c := range cookies {
			if strings.HasSuffix(c.Name, "hotich") {
				sess = c
			}
		}
		if sess == nil || !sess.HttpOnly || sess.SameSite != http.SameSiteStrictMode || sess.Secure != secure || (secure && sess.Name != "__Host-hotich") || len(sess.Value) != 43 {
			t.Errorf("session cookie (secure=%v): %+v", secure, sess)
		}
		// No page carries a script or an inline style.
		for _, body := range []string{page.Body.String(), b.get("/tra-cuu").Body.String(), b.get("/ban-ghi/" + id(recClean)).Body.String()} {
			if strings.Contains(body, "<script") || strings.Contains(body, "style=") || strings.Contains(body, "<style") {
				t.Error("a page carries a script or an inline style")
			}
		}
	}
}

// TestPublicRateLimit: the verification page answers a burst from one
// address, then 429 until time passes; other addresses are not held up.
func TestPublicRateLimit(t *testing.T) {
	e := newEnv(t, func(c *desk.Config) { c.PublicRate = desk.Rate{Every: 6 * time.Second, Burst: 5} })
	iss := e.issueClean()
	path := "/xac-thuc/" + dashed(iss.Serial)
	b := e.browser("203.0.113.7")
	for i := range 5 {
		if w := b.get(path); w.Code != 200 {
			t.Fatalf("request %d: %d", i, w.Code)
		}
	}
	w := b.get(path)
	if w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") == "" || !strings.Contains(w.Body.String(), "Quá nhiều yêu cầu") {
		t.Fatalf("6th request: %d", w.Code)
	}
	if w := e.browser("203.0.113.8").get(path); w.Code != 200 {
		t.Errorf("another address: %d", w.Code)
	}
	e.clock.advance(6 * time.Second)
	if w := b.get(path); w.Code != 200 {
		t.Errorf("after 6 s: %d", w.Code)
	}
	if w := b.get(path); w.Code != 429 {
		t.Errorf("one token per 6 s: %d", w.Code)
	}
}

// TestProxyAddress: behind a trusted proxy the client is the last
// X-Forwarded-For address; otherwise the header is ignored.
func TestProxyAddress(t *testing.T) {
	for _, trust := range []bool{false, true} {
		e := newEnv(t, func(c *desk.Config) { c.TrustProxy = trust; c.PublicRate = desk.Rate{Every: time.Hour, Burst: 1} })
		b := e.browser("127.0.0.1")
		b.do("GET", "/xac-thuc/1-2026-TLKS-BS", nil, map[string]string{"X-Forwarded-For": "198.51.100.1"})
		w := b.do("GET", "/xac-thuc/1-2026-TLKS-BS", nil, map[string]string{"X-Forwarded-For": "198.51.100.2"})
		if limited := w.Code == 429; limited == trust {
			t.Errorf("trust=%v: two clients behind one proxy got %d", trust, w.Code)
		}
	}
}

// TestVerifyPage: the public page shows what the copy prints and whether
// it is valid, from the issue log; a revoked copy says so; a QR code that
// is not the one logged is called out; nothing beyond the copy shows.
func TestVerifyPage(t *testing.T) {
	e := newEnv(t)
	iss := e.issueClean()
	path := "/xac-thuc/" + dashed(iss.Serial) + "?m=" + url.QueryEscape(iss.Payload)
	anon := e.browser("198.51.100.9")
	body := anon.get(path).Body.String()
	for _, want := range []string{`id="trang-thai"`, "còn hiệu lực", iss.Serial.String(), "UBND Phường Sài Gòn", "VÕ THỊ SẠCH", "01/03/2010"} {
		if !strings.Contains(body, want) {
			t.Errorf("valid copy: page lacks %q", want)
		}
	}
	for _, leak := range []string{"Võ Văn Cha", "TRẦN THỊ BÌNH", iss.RecordID, "Người thu"} {
		if strings.Contains(body, leak) {
			t.Errorf("the public page shows %q", leak)
		}
	}
	if w := anon.get("/xac-thuc/" + dashed(iss.Serial) + "?m=" + url.QueryEscape(iss.Payload+"A")); !strings.Contains(w.Body.String(), "không khớp") || strings.Contains(w.Body.String(), "còn hiệu lực") {
		t.Error("a QR code not logged is not called out")
	}
	if w := anon.get("/xac-thuc/99-2026-TLKS-BS"); w.Code != 404 || !strings.Contains(w.Body.String(), "Không có bản sao") {
		t.Errorf("unknown serial: %d", w.Code)
	}
	if w := anon.get("/xac-thuc/not-a-serial"); w.Code != 404 {
		t.Errorf("malformed serial: %d", w.Code)
	}
	// Revoked at the desk by the issuing unit's clerk.
	b := e.as("thu")
	if w := b.post("/ban-sao/26740/"+dashed(iss.Serial)+"/thu-hoi", url.Values{"ly_do_thu_hoi": {"cấp nhầm người yêu cầu"}}); w.Code != 303 {
		t.Fatalf("revoke: %d", w.Code)
	}
	body = anon.get(path).Body.String()
	if !strings.Contains(body, "đã thu hồi") || strings.Contains(body, "còn hiệu lực") || strings.Contains(body, "cấp nhầm") {
		t.Errorf("revoked copy:\n%s", body)
	}
}

// TestIssueFlow: form, preview, issue, the copy's page, download; a record
// under review is refused with the reasons, and only a clerk who also
// reviews may override, giving a reason the issue log keeps.
func TestIssueFlow(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	b := e.as("thu")
	form := b.get("/ban-ghi/" + id(recClean) + "/cap-ban-sao").Body.String()
	for _, want := range []string{`id="form-cap"`, `id="mau-GKS"`, `id="nguoi-yeu-cau"`, `id="so-ban"`, "Phường Sài Gòn"} {
		if !strings.Contains(form, want) {
			t.Errorf("issue form lacks %s", want)
		}
	}
	if w := b.post("/ban-ghi/"+id(recClean)+"/xem-truoc", url.Values{"so_ban": {"1"}}); w.Code != 400 || !strings.Contains(w.Body.String(), "người yêu cầu") {
		t.Errorf("preview without requester: %d", w.Code)
	}
	in := url.Values{"mau": {"GKS"}, "nguoi_yeu_cau": {"Võ Văn Cha"}, "so_ban": {"2"}}
	prev := b.post("/ban-ghi/"+id(recClean)+"/xem-truoc", in).Body.String()
	for _, want := range []string{`id="xem-truoc"`, "GIẤY KHAI SINH (BẢN SAO)", "Võ Thị Sạch", "Trần Thị Bích", `id="cap"`} {
		if !strings.Contains(prev, want) {
			t.Errorf("preview lacks %s", want)
		}
	}
	w := b.post("/ban-ghi/"+id(recClean)+"/cap-ban-sao", in)
	if w.Code != 303 || !strings.HasPrefix(w.Header().Get("Location"), "/ban-sao/26740/1-2026-GKS-BS") {
		t.Fatalf("issue: %d %s\n%s", w.Code, w.Header().Get("Location"), w.Body)
	}
	page := b.get(w.Header().Get("Location")).Body.String()
	if !strings.Contains(page, `id="so-ban-sao">1/2026/GKS-BS`) || !strings.Contains(page, `id="tai-ve"`) || !strings.Contains(page, "https://hotich.example.gov.vn/xac-thuc/1-2026-GKS-BS") {
		t.Errorf("issued page:\n%s", page)
	}
	dl := b.get(w.Header().Get("Location") + "/pdf")
	if dl.Code != 200 || dl.Header().Get("Content-Type") != "application/pdf" || !strings.Contains(dl.Header().Get("Content-Disposition"), "1-2026-GKS-BS.pdf") || !strings.HasPrefix(dl.Body.String(), "%PDF") {
		t.Errorf("download: %d %v", dl.Code, dl.Header())
	}
	issues, _ := e.db.FindIssues(ctx, registry.IssueFilter{RecordID: id(recClean)})
	if len(issues) != 1 || issues[0].IssuerCode != "26740" || issues[0].Clerk != "Người thu" || issues[0].Copies != 2 || issues[0].Form != registry.FormBirthCertificate {
		t.Fatalf("issue log: %+v", issues)
	}
	// Another unit's clerk neither sees nor downloads it.
	if w := e.as("thub").get(w.Header().Get("Location") + "/pdf"); w.Code != 403 {
		t.Errorf("download by another unit: %d", w.Code)
	}

	// Under review: refused with the reasons.
	flagged := "/ban-ghi/" + id(recFlagged)
	if f := b.get(flagged + "/cap-ban-sao").Body.String(); !strings.Contains(f, "đang chờ xem xét") || strings.Contains(f, `id="ly-do"`) {
		t.Error("the clerk is not warned, or is offered an override")
	}
	w = b.post(flagged+"/cap-ban-sao", url.Values{"nguoi_yeu_cau": {"Trần Văn Ơn"}, "so_ban": {"1"}})
	if w.Code != 409 || !strings.Contains(w.Body.String(), "Số định danh không khớp") {
		t.Errorf("flagged record: %d\n%s", w.Code, w.Body)
	}
	if w := b.post(flagged+"/cap-ban-sao", url.Values{"nguoi_yeu_cau": {"Trần Văn Ơn"}, "so_ban": {"1"}, "ly_do": {"tôi muốn"}}); w.Code != 403 {
		t.Errorf("override by a clerk who does not review: %d", w.Code)
	}
	boss := e.as("truong")
	if p := boss.post(flagged+"/xem-truoc", url.Values{"nguoi_yeu_cau": {"Trần Văn Ơn"}, "so_ban": {"1"}}).Body.String(); !strings.Contains(p, `id="ly-do"`) {
		t.Error("a reviewing clerk is not offered the override")
	}
	if w := boss.post(flagged+"/cap-ban-sao", url.Values{"nguoi_yeu_cau": {"Trần Văn Ơn"}, "so_ban": {"1"}, "ly_do": {"đã đối chiếu sổ gốc"}}); w.Code != 303 {
		t.Fatalf("override: %d\n%s", w.Code, w.Body)
	}
	issues, _ = e.db.FindIssues(ctx, registry.IssueFilter{RecordID: id(recFlagged)})
	if len(issues) != 1 || issues[0].Override != "đã đối chiếu sổ gốc" || len(issues[0].Blockers) == 0 {
		t.Errorf("override not logged: %+v", issues)
	}
	// A desk without keys says so.
	noKeys := newEnv(t, func(c *desk.Config) { c.Issuer = nil })
	if w := noKeys.as("thu").post("/ban-ghi/"+id(recClean)+"/cap-ban-sao", in); w.Code != 409 || !strings.Contains(w.Body.String(), "khóa ký") {
		t.Errorf("no issuer: %d", w.Code)
	}
}

// TestReviewPages: the queue, a link side by side with its explanation
// drawn, decisions, the model, flags and conflicts.
func TestReviewPages(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	l := e.sampleLink()
	// A reviewer of the unit holding the first entry's register.
	a, _ := e.db.FindRecordByID(ctx, l.A)
	unit := accounts.Holder(e.svc.RefData, a.AuthorityCode)
	if _, err := e.svc.AddAccount(ctx, accounts.Actor{Username: "-"}, accounts.NewAccount{Username: "duyetl", Name: "Người duyệt", Unit: unit, Duties: []registry.Duty{registry.DutyReviewer}, Password: password}); err != nil {
		t.Fatal(err)
	}
	b := e.as("duyetl")
	page := b.get(fmt.Sprintf("/duyet/lien-ket/%d", l.ID)).Body.String()
	for _, want := range []string{`id="so-sanh"`, `id="bieu-do-khong-lien-quan"`, "<svg", `class="for"`, `class="against"`, "Tiên nghiệm", "sinh đôi", `id="xac-nhan"`} {
		if !strings.Contains(page, want) {
			t.Errorf("link page lacks %s", want)
		}
	}
	// One bar per comparison in the first chart, plus the prior.
	first := page[strings.Index(page, `id="bieu-do-khong-lien-quan"`):]
	first = first[:strings.Index(first, "</svg>")]
	if n := strings.Count(first, "<rect"); n != len(l.Explanation.Fields)+1 {
		t.Errorf("%d bars for %d comparisons", n, len(l.Explanation.Fields))
	}
	if w := b.post(fmt.Sprintf("/duyet/lien-ket/%d", l.ID), url.Values{"quyet-dinh": {"xac-nhan"}, "ghi-chu": {"đối chiếu sổ gốc"}}); w.Code != 303 {
		t.Fatalf("confirm: %d\n%s", w.Code, w.Body)
	}
	got, _ := e.db.FindLink(ctx, l.ID)
	if got.Status != registry.LinkConfirmed || got.DecidedBy != "Người duyệt" {
		t.Errorf("after confirm: %+v", got)
	}
	if w := b.post(fmt.Sprintf("/duyet/lien-ket/%d", l.ID), url.Values{"quyet-dinh": {"xac-nhan"}}); w.Code != 409 {
		t.Errorf("confirming twice: %d", w.Code)
	}
	if w := b.post(fmt.Sprintf("/duyet/lien-ket/%d", l.ID), url.Values{"quyet-dinh": {"mo-lai"}}); w.Code != 303 {
		t.Errorf("reopen: %d", w.Code)
	}
	model := b.get("/duyet/mo-hinh").Body.String()
	for _, reg := range registry.Registers {
		if !strings.Contains(model, `id="mo-hinh-`+string(reg)+`"`) {
			t.Errorf("model page lacks %s", reg)
		}
	}
	if !strings.Contains(model, "m=") || !strings.Contains(model, "u=") {
		t.Error("model page lacks m and u")
	}
	b = e.as("duyet")
	flags := b.get("/duyet/co?loai=id_mismatch").Body.String()
	if !strings.Contains(flags, fmt.Sprintf(`data-flag-id="%d"`, e.flagOf(id(recFlagged)))) {
		t.Error("flags page lacks the test flag")
	}
	if w := b.post(fmt.Sprintf("/duyet/co/%d", e.flagOf(id(recFlagged))), url.Values{"ghi-chu": {"đã đối chiếu sổ gốc"}}); w.Code != 303 {
		t.Errorf("close flag: %d", w.Code)
	}
	conf := b.get("/duyet/xung-dot").Body.String()
	if !strings.Contains(conf, `data-record-id="`+id(recConflict)+`"`) || !strings.Contains(conf, "Bệnh viện Hùng Vương") {
		t.Error("conflicts page lacks the test conflict")
	}
	if w := b.post("/ban-ghi/"+id(recConflict)+"/xung-dot", url.Values{"truong": {"noi_sinh"}, "chon": {"2"}, "ghi-chu": {"sổ gốc"}, "ve": {"xung-dot"}}); w.Code != 303 {
		t.Errorf("settle conflict: %d", w.Code)
	}
	rec, _ := e.db.FindRecordByID(ctx, id(recConflict))
	if rec.Fields["noi_sinh"] != "Bệnh viện Hùng Vương" || len(rec.OpenConflicts()) != 0 {
		t.Errorf("after settling: %q %v", rec.Fields["noi_sinh"], rec.OpenConflicts())
	}
	if w := e.as("vanhanh").get("/lo-du-lieu"); !strings.Contains(w.Body.String(), "desk-test.csv") {
		t.Error("batches page lacks the test batch")
	}
}

// TestAdminPage: accounts added, disabled (their sessions end), given a
// new password; a signer block set; all audited.
func TestAdminPage(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	b := e.as("quantri")
	thu := e.as("thu")
	if w := b.post("/quan-tri/tai-khoan", url.Values{"ten-dang-nhap": {"lan"}, "ho-ten": {"Nguyễn Thị Lan"}, "don-vi": {"26740"}, "vai-tro": {"clerk", "reviewer"}, "mat-khau": {"ngắn"}}); w.Code != 400 || !strings.Contains(w.Body.String(), "10 ký tự") {
		t.Errorf("weak password: %d", w.Code)
	}
	if w := b.post("/quan-tri/tai-khoan", url.Values{"ten-dang-nhap": {"lan"}, "ho-ten": {"Nguyễn Thị Lan"}, "don-vi": {"26740"}, "vai-tro": {"clerk", "reviewer"}, "mat-khau": {password}}); w.Code != 303 {
		t.Fatalf("add: %d\n%s", w.Code, w.Body)
	}
	if a, err := e.db.FindAccount(ctx, "lan"); err != nil || !a.Can(registry.DutyReviewer) {
		t.Fatalf("added: %+v %v", a, err)
	}
	e.as("lan")
	if w := b.post("/quan-tri/tai-khoan/thu", url.Values{"viec": {"vo-hieu"}}); w.Code != 303 {
		t.Fatalf("disable: %d", w.Code)
	}
	if w := thu.get("/tra-cuu"); w.Code != 303 {
		t.Errorf("a disabled account's session goes on: %d", w.Code)
	}
	if w := b.post("/quan-tri/tai-khoan/quantri", url.Values{"viec": {"vo-hieu"}}); w.Code != 400 {
		t.Errorf("an admin disabling themself: %d", w.Code)
	}
	if w := b.post("/quan-tri/nguoi-ky", url.Values{"don-vi": {"26743"}, "tu-cach": {"KT. CHỦ TỊCH"}, "chuc-danh": {"PHÓ CHỦ TỊCH"}, "ho-ten": {"Lê Văn Ký"}, "ngan": {"1"}}); w.Code != 303 {
		t.Fatalf("signer: %d\n%s", w.Code, w.Body)
	}
	if sg, err := e.db.Signer(ctx, "26743"); err != nil || sg.Name != "Lê Văn Ký" || sg.Thousand != "ngàn" {
		t.Errorf("signer: %+v %v", sg, err)
	}
	var actions []string
	for _, en := range e.trail() {
		if en.Actor == "quantri" {
			actions = append(actions, en.Action)
		}
	}
	for _, want := range []string{accounts.AuditUserAdd, accounts.AuditUserDisable, accounts.AuditSigner} {
		if !slices.Contains(actions, want) {
			t.Errorf("trail of the admin lacks %s: %v", want, actions)
		}
	}
}

// TestAPI: search, record and issue as JSON, under the same session,
// CSRF header and audit.
func TestAPI(t *testing.T) {
	e := newEnv(t)
	b := e.as("thu")
	hdr := map[string]string{"Content-Type": "application/json", "X-CSRF-Token": b.csrf}
	w := b.do("POST", "/api/search", strings.NewReader(`{"ho_ten":"VÕ THỊ SẠCH","ngay_sinh":"2010"}`), hdr)
	var res struct {
		Results []registry.RecordSummary `json:"results"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &res); err != nil || w.Code != 200 || len(res.Results) != 1 || res.Results[0].ID != id(recClean) {
		t.Fatalf("search: %d %s", w.Code, w.Body)
	}
	if w := b.do("POST", "/api/search", strings.NewReader(`{"ho_ten":"Võ Thị Sạch"}`), hdr); w.Code != 400 || !strings.Contains(w.Body.String(), `"field":"ho_ten"`) {
		t.Errorf("a name alone: %d %s", w.Code, w.Body)
	}
	if w := b.do("POST", "/api/search", strings.NewReader(`{"ten":"x"}`), hdr); w.Code != 400 {
		t.Errorf("an unknown field: %d", w.Code)
	}
	w = b.do("GET", "/api/records/"+id(recConflict), nil, nil)
	var rec struct {
		ID       string   `json:"id"`
		Blockers []string `json:"blockers"`
		Sources  []struct {
			Ref string `json:"source_ref"`
		} `json:"sources"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &rec); err != nil || rec.ID != id(recConflict) || len(rec.Sources) != 2 || len(rec.Blockers) == 0 {
		t.Fatalf("record: %d %s", w.Code, w.Body)
	}
	if w := b.do("GET", "/api/records/KS-00000-0000000000", nil, nil); w.Code != 404 || !strings.Contains(w.Body.String(), `"code":"not_found"`) {
		t.Errorf("unknown record: %d %s", w.Code, w.Body)
	}
	w = b.do("POST", "/api/records/"+id(recClean)+"/issue", strings.NewReader(`{"nguoi_yeu_cau":"Võ Văn Cha","so_ban":1}`), hdr)
	var out struct {
		Serial   string `json:"serial"`
		Download string `json:"download"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil || w.Code != 201 || out.Serial != "1/2026/TLKS-BS" {
		t.Fatalf("issue: %d %s", w.Code, w.Body)
	}
	if dl := b.get(out.Download); dl.Code != 200 {
		t.Errorf("download %s: %d", out.Download, dl.Code)
	}
	if w := b.do("POST", "/api/records/"+id(recFlagged)+"/issue", strings.NewReader(`{"nguoi_yeu_cau":"X","so_ban":1}`), hdr); w.Code != 409 || !strings.Contains(w.Body.String(), `"code":"refused"`) {
		t.Errorf("flagged: %d %s", w.Code, w.Body)
	}
	if w := e.browser("10.0.0.5").do("GET", "/api/records/"+id(recClean), nil, nil); w.Code != 401 {
		t.Errorf("no session: %d", w.Code)
	}
}

// TestBodyLimit: a request body beyond 64 KiB is refused.
func TestBodyLimit(t *testing.T) {
	e := newEnv(t)
	b := e.as("thu")
	big := url.Values{"ho_ten": {strings.Repeat("a", 100<<10)}, "ngay_sinh": {"2010"}, "csrf": {b.csrf}}
	if w := b.do("POST", "/tra-cuu", strings.NewReader(big.Encode()), map[string]string{"Content-Type": "application/x-www-form-urlencoded"}); w.Code != http.StatusRequestEntityTooLarge && w.Code != 403 {
		t.Errorf("100 KiB form: %d", w.Code)
	}
	// Without a declared length too (chunked).
	r := strings.NewReader(`{"ho_ten":"` + strings.Repeat("a", 100<<10) + `","ngay_sinh":"2010"}`)
	if w := b.do("POST", "/api/search", struct{ *strings.Reader }{r}, map[string]string{"Content-Type": "application/json", "X-CSRF-Token": b.csrf}); w.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("100 KiB JSON: %d %s", w.Code, w.Body)
	}
}

// TestAuditTrail: every search, view, issue, download, correction,
// decision, login and failed login is in the trail with who, unit, what
// and from where; personal IDs are masked and names hashed; the chain
// verifies.
func TestAuditTrail(t *testing.T) {
	e := newEnv(t)
	anon := e.browser("10.1.1.1")
	anon.tryLogin("truong", "sai mật khẩu rồi")
	b := e.browser("10.1.1.2").login("truong")
	b.post("/tra-cuu", url.Values{"dinh_danh": {"079210009901"}})
	b.post("/tra-cuu", url.Values{"ho_ten": {"Võ Thị Sạch"}, "ngay_sinh": {"01/03/2010"}, "cha_me": {"Võ Văn Cha"}})
	b.get("/ban-ghi/" + id(recClean))
	w := b.post("/ban-ghi/"+id(recClean)+"/cap-ban-sao", url.Values{"nguoi_yeu_cau": {"Võ Văn Cha"}, "so_ban": {"1"}})
	b.get(w.Header().Get("Location") + "/pdf")
	b.post("/ban-ghi/"+id(recClean)+"/cai-chinh", url.Values{"truong": {"noi_sinh"}, "gia-tri": {"Bệnh viện Hùng Vương"}, "can-cu": {"QĐ 5/QĐ-UBND"}})
	b.post(fmt.Sprintf("/duyet/lien-ket/%d", e.linkAB()), url.Values{"quyet-dinh": {"bac-bo"}, "ghi-chu": {"hai người"}})
	b.post("/dang-xuat", nil)

	want := []struct{ action, target, detail string }{
		{accounts.AuditLoginFailed, "", "sai mật khẩu"},
		{accounts.AuditLogin, "", ""},
		{accounts.AuditSearch, "", "dinh_danh=********9901"},
		{accounts.AuditSearch, "", "ho_ten=" + accounts.NameTerm("vo thi sach")},
		{accounts.AuditView, id(recClean), ""},
		{accounts.AuditIssue, id(recClean), "số 1/2026/TLKS-BS"},
		{accounts.AuditDownload, id(recClean), "1/2026/TLKS-BS"},
		{accounts.AuditCorrect, id(recClean), "căn cứ: QĐ 5/QĐ-UBND"},
		{accounts.AuditLinkReject, fmt.Sprintf("link:%d", e.linkAB()), id(recA)},
		{accounts.AuditLogout, "", ""},
	}
	var got []*registry.AuditEntry
	for _, en := range e.trail() {
		if en.Actor == "truong" {
			got = append(got, en)
		}
	}
	if len(got) != len(want) {
		for _, g := range got {
			t.Logf("%s %s %s", g.Action, g.Target, g.Detail)
		}
		t.Fatalf("%d entries, want %d", len(got), len(want))
	}
	for i, w := range want {
		g := got[i]
		if g.Action != w.action || g.Target != w.target || !strings.Contains(g.Detail, w.detail) || g.Unit != "26740" || !strings.HasPrefix(g.Addr, "10.1.1.") || !g.At.Equal(t0) {
			t.Errorf("entry %d = %s %q %q %s %s, want %s %q %q", i, g.Action, g.Target, g.Detail, g.Unit, g.Addr, w.action, w.target, w.detail)
		}
	}
	var all strings.Builder
	for _, en := range e.trail() {
		fmt.Fprintln(&all, en.Detail, en.Target)
	}
	for _, leak := range []string{"079210009901", "Võ Thị Sạch", "vo thi sach", "Võ Văn Cha", "VÕ"} {
		if strings.Contains(all.String(), leak) {
			t.Errorf("the trail holds %q in clear", leak)
		}
	}
	if n, err := registry.VerifyAuditChain(func(fn func(*registry.AuditEntry) error) error { return e.db.EachAudit(context.Background(), fn) }); err != nil || n < int64(len(want)) {
		t.Errorf("verify: %d %v", n, err)
	}
	// Nor are they in the access log.
	log := e.log.String()
	for _, leak := range []string{"079210009901", "Võ Thị Sạch", "Sạch", "9901", id(recClean)} {
		if strings.Contains(log, leak) {
			t.Errorf("the access log holds %q", leak)
		}
	}
	if !strings.Contains(log, `route="POST /tra-cuu"`) || !strings.Contains(log, "user=truong") {
		t.Errorf("access log:\n%s", log)
	}
}

// TestConcurrentClerks: clerks of two units search, open entries and
// issue copies at once; nothing fails, and every copy gets its own serial
// of its unit.
func TestConcurrentClerks(t *testing.T) {
	e := newEnv(t)
	clerks := []*browser{e.as("thu"), e.as("thub"), e.as("truong"), e.browser("10.0.0.6").login("thu")}
	errs := make(chan error, 64)
	done := make(chan struct{})
	for i, b := range clerks {
		go func() {
			defer func() { done <- struct{}{} }()
			for j := range 5 {
				checks := map[string]int{
					"search": b.post("/tra-cuu", url.Values{"ho_ten": {"nguyen van an"}, "ngay_sinh": {"1984"}}).Code,
					"view":   b.get("/ban-ghi/" + id(recClean)).Code,
					"issue":  b.post("/ban-ghi/"+id(recClean)+"/cap-ban-sao", url.Values{"nguoi_yeu_cau": {fmt.Sprint("Người ", i, j)}, "so_ban": {"1"}}).Code,
				}
				for what, code := range checks {
					if code != 200 && code != 303 {
						errs <- fmt.Errorf("clerk %d %s: %d", i, what, code)
					}
				}
			}
		}()
	}
	for range clerks {
		<-done
	}
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	issues, err := e.db.FindIssues(context.Background(), registry.IssueFilter{RecordID: id(recClean), Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, iss := range issues {
		k := iss.IssuerCode + " " + iss.Serial.String()
		if seen[k] {
			t.Errorf("serial %s given twice", k)
		}
		seen[k] = true
	}
	if len(issues) != 20 {
		t.Errorf("%d copies issued, want 20", len(issues))
	}
}
