// Package desk is the clerks' web desk: server-rendered pages in
// Vietnamese over the shared store, for the justice clerks of every ward
// and commune of the city. A clerk signs in, finds any entry wherever it
// was registered, opens it with its source rows and history, and issues a
// certified copy as their own unit; a reviewer works the city's review
// queue and decides about the registers their unit holds; an operator sees
// the batches; an administrator manages accounts and signer blocks. Anyone
// holding a copy checks it on the public verification page its QR code
// points to. Every search, view, issue, download, decision and login is
// written to the audit trail (package accounts).
//
// Everything is in the binary (templates and one stylesheet, embedded); no
// page needs JavaScript, and none is served: the Content-Security-Policy
// allows no script at all. Personal data never travels in a URL: searches
// are POSTed, and the only identifiers in paths are record IDs, link
// numbers and serials (the public page's ?m= is the copy's own signed QR
// code). The access log records the route pattern, not the path.
//
// Element IDs are stable for scripted browsers: #dang-nhap (the login
// form: #ten-dang-nhap, #mat-khau), #tra-cuu (search: #dinh-danh, #ma,
// #ho-ten, #ngay-sinh, #cha-me, #so, #noi-dang-ky, #quyen, #so-dk),
// #ket-qua (results, one tr[data-record-id] each), #ban-ghi (a record),
// #cap-ban-sao (link to issue), #form-cap (issue form: #mau-TLKS, #mau-GKS,
// #nguoi-yeu-cau, #so-ban), #xem-truoc (preview), #ly-do (override
// reason), #cap (issue button), #so-ban-sao (the serial issued), #tai-ve
// (download), #thu-hoi (revoke form), #trang-thai (verification status),
// #loi (an error), #thong-bao (a notice), #dang-xuat (log out).
package desk

import (
	"context"
	"html/template"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/hotich/hotich/accounts"
	"github.com/hotich/hotich/issuing"
	"github.com/hotich/hotich/registry"
)

// Issuer issues copies: the issuing desk (package issuing) in production,
// a stand-in in tests.
type Issuer interface {
	// Issue issues one copy (EREFUSED with the reasons when the entry is
	// under review and no override is given).
	Issue(ctx context.Context, req issuing.Request) (*issuing.Issued, error)
	// Reissue returns the file of a logged copy again, byte for byte.
	Reissue(iss *registry.ExtractIssue) ([]byte, error)
}

// Rate is a rate limit per client address: Burst requests at once, then
// one per Every.
type Rate struct {
	Every time.Duration
	Burst int
}

// Config is what a desk runs on.
type Config struct {
	Store    registry.Store
	Accounts *accounts.Service
	Issuer   Issuer // nil: the desk cannot issue copies, and says so
	// BaseURL is the desk's public address ("https://hotich.example.gov.vn"),
	// shown with each copy's verification URL. An https address makes
	// cookies Secure, as does Secure.
	BaseURL string
	Secure  bool // served over TLS
	// TrustProxy takes the client's address from the last entry of
	// X-Forwarded-For (set it only behind a reverse proxy that sets it).
	TrustProxy bool
	Log        *slog.Logger     // access log and errors; nil: none
	Now        func() time.Time // nil: time.Now
	// PublicRate limits the public verification page per client address;
	// LoginRate limits login attempts. Zero: 30 a minute after a burst of
	// 10, and 10 a minute after a burst of 10.
	PublicRate Rate
	LoginRate  Rate
}

// Server is the desk.
type Server struct {
	cfg    Config
	ref    *registry.RefData
	pages  map[string]*template.Template
	public *limiter
	logins *limiter
	audit  *accounts.Auditor
	log    *slog.Logger
	secure bool
}

// New returns a desk on a store.
func New(ctx context.Context, cfg Config) (*Server, error) {
	ref, err := cfg.Store.RefData(ctx)
	if err != nil {
		return nil, err
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.PublicRate == (Rate{}) {
		cfg.PublicRate = Rate{Every: 2 * time.Second, Burst: 10}
	}
	if cfg.LoginRate == (Rate{}) {
		cfg.LoginRate = Rate{Every: 6 * time.Second, Burst: 10}
	}
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	pages, err := parsePages()
	if err != nil {
		return nil, err
	}
	audit := cfg.Accounts.Auditor
	if audit == nil {
		audit = &accounts.Auditor{Store: cfg.Store, Log: log}
		cfg.Accounts.Auditor = audit
	}
	return &Server{
		cfg:    cfg,
		ref:    ref,
		pages:  pages,
		public: newLimiter(cfg.PublicRate, cfg.Now),
		logins: newLimiter(cfg.LoginRate, cfg.Now),
		audit:  audit,
		log:    log,
		secure: cfg.Secure || strings.HasPrefix(strings.ToLower(cfg.BaseURL), "https://"),
	}, nil
}

// Handler returns the desk's routes with its security headers, limits and
// access log.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	// Public: health, the stylesheet, the verification page, the login.
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.HandleFunc("GET /static/desk.css", serveCSS)
	mux.HandleFunc("GET /xac-thuc/{serial}", s.verifyPage)
	mux.HandleFunc("GET /dang-nhap", s.loginForm)
	mux.HandleFunc("POST /dang-nhap", s.login)

	// Every account.
	mux.Handle("GET /{$}", s.page("", s.home))
	mux.Handle("POST /dang-xuat", s.page("", s.logout))
	mux.Handle("GET /mat-khau", s.page("", s.passwordForm))
	mux.Handle("POST /mat-khau", s.page("", s.changePassword))

	// Clerks (and reviewers): search and records.
	mux.Handle("GET /tra-cuu", s.page(accounts.ActSearch, s.searchForm))
	mux.Handle("POST /tra-cuu", s.page(accounts.ActSearch, s.searchPage))
	mux.Handle("GET /ban-ghi/{id}", s.page(accounts.ActView, s.recordPage))

	// Clerks: copies.
	mux.Handle("GET /ban-ghi/{id}/cap-ban-sao", s.page(accounts.ActIssue, s.issueForm))
	mux.Handle("POST /ban-ghi/{id}/xem-truoc", s.page(accounts.ActIssue, s.issuePreview))
	mux.Handle("POST /ban-ghi/{id}/cap-ban-sao", s.page(accounts.ActIssue, s.issue))
	mux.Handle("GET /ban-sao/{issuer}/{serial}", s.page(accounts.ActDownload, s.issuedPage))
	mux.Handle("GET /ban-sao/{issuer}/{serial}/pdf", s.page(accounts.ActDownload, s.download))
	mux.Handle("POST /ban-sao/{issuer}/{serial}/thu-hoi", s.page(accounts.ActDownload, s.revoke))

	// Reviewers: the queue for the city, decisions for their unit.
	mux.Handle("GET /duyet", s.page(accounts.ActReview, s.queuePage))
	mux.Handle("GET /duyet/lien-ket/{id}", s.page(accounts.ActReview, s.linkPage))
	mux.Handle("POST /duyet/lien-ket/{id}", s.page(accounts.ActDecide, s.decideLink))
	mux.Handle("GET /duyet/mo-hinh", s.page(accounts.ActReview, s.modelPage))
	mux.Handle("GET /duyet/co", s.page(accounts.ActReview, s.flagsPage))
	mux.Handle("POST /duyet/co/{id}", s.page(accounts.ActDecide, s.resolveFlag))
	mux.Handle("GET /duyet/xung-dot", s.page(accounts.ActReview, s.conflictsPage))
	mux.Handle("POST /ban-ghi/{id}/xung-dot", s.page(accounts.ActDecide, s.resolveConflict))
	mux.Handle("POST /ban-ghi/{id}/cai-chinh", s.page(accounts.ActDecide, s.correct))

	// Operators and administrators.
	mux.Handle("GET /lo-du-lieu", s.page(accounts.ActBatches, s.batchesPage))
	mux.Handle("GET /quan-tri", s.page(accounts.ActAdmin, s.adminPage))
	mux.Handle("POST /quan-tri/tai-khoan", s.page(accounts.ActAdmin, s.addAccount))
	mux.Handle("POST /quan-tri/tai-khoan/{username}", s.page(accounts.ActAdmin, s.changeAccount))
	mux.Handle("POST /quan-tri/nguoi-ky", s.page(accounts.ActAdmin, s.setSigner))

	// The JSON API: the same session, CSRF token (X-CSRF-Token) and audit.
	mux.Handle("POST /api/search", s.api(accounts.ActSearch, s.apiSearch))
	mux.Handle("GET /api/records/{id}", s.api(accounts.ActView, s.apiRecord))
	mux.Handle("POST /api/records/{id}/issue", s.api(accounts.ActIssue, s.apiIssue))

	mux.HandleFunc("/", s.notFound)
	return s.recover(s.accessLog(s.headers(limitBody(mux))))
}

// unitName returns the name of a unit of today, or its code.
func (s *Server) unitName(code string) string {
	if u, ok := s.ref.UnitNow(code); ok {
		return u.Name
	}
	if u, ok := s.ref.UnitThen(code); ok {
		return u.Name
	}
	return code
}
