package desk

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/hotich/hotich/accounts"
	"github.com/hotich/hotich/registry"
	"github.com/hotich/hotich/registry/vntext"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static/desk.css
var deskCSS []byte

// parsePages parses each page template with the layout.
func parsePages() (map[string]*template.Template, error) {
	base, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html")
	if err != nil {
		return nil, err
	}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	pages := map[string]*template.Template{}
	for _, n := range names {
		name := strings.TrimSuffix(path.Base(n), ".html")
		if name == "layout" {
			continue
		}
		t, err := template.Must(base.Clone()).ParseFS(templateFS, n)
		if err != nil {
			return nil, fmt.Errorf("template %s: %w", n, err)
		}
		pages[name] = t
	}
	return pages, nil
}

// view is what every page template gets.
type view struct {
	Title   string
	Account *registry.Account
	Unit    string // the account's unit, by name
	CSRF    string
	Can     map[string]bool // by action
	Err     string
	Msg     string
	Public  bool // the public verification page: no menu
	D       any  // the page's own data
}

// render writes a page with an error message (or none).
func (s *Server) render(c *call, status int, name, title string, data any, errMsg string) {
	s.renderMsg(c, status, name, title, data, errMsg, "")
}

// renderMsg writes a page with an error message and a notice.
func (s *Server) renderMsg(c *call, status int, name, title string, data any, errMsg, msg string) {
	v := view{Title: title, Err: errMsg, Msg: msg, D: data, Can: map[string]bool{}}
	if a := c.account(); a != nil {
		v.Account, v.CSRF, v.Unit = a, c.sess.Session.CSRF, s.unitName(a.Unit)
		for _, act := range accounts.Actions {
			v.Can[string(act)] = accounts.Allowed(a, act)
		}
	}
	t, ok := s.pages[name]
	if !ok {
		s.log.Error("no template", "name", name)
		http.Error(c.w, "Lỗi hệ thống.", http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		s.log.Error("template", "name", name, "err", err)
		http.Error(c.w, "Lỗi hệ thống.", http.StatusInternalServerError)
		return
	}
	c.w.Header().Set("Content-Type", "text/html; charset=utf-8")
	c.w.WriteHeader(status)
	c.w.Write(buf.Bytes())
}

// funcs are the template functions.
var funcs = template.FuncMap{
	"iso":        isoDisplay,
	"date":       registry.DisplayDate,
	"flagLabel":  func(c registry.FlagCode) string { return c.Label() },
	"linkLabel":  func(s registry.LinkStatus) string { return s.Label() },
	"regName":    func(r registry.Register) string { return r.Name() },
	"fieldLabel": registry.Register.FieldLabel,
	"dashed":     dashedSerial,
	"score":      func(f float64) string { return fmt.Sprintf("%.3f", f) },
	"bits":       func(f float64) string { return fmt.Sprintf("%+.2f", f) },
	"when":       func(t time.Time) string { return t.In(registry.Vietnam).Format("15:04 02/01/2006") },
	"day":        func(t time.Time) string { return t.In(registry.Vietnam).Format("02/01/2006") },
	"add":        func(a, b int) int { return a + b },
	"registers":  func() []registry.Register { return registry.Registers },
	"flagCodes": func() []registry.FlagCode {
		return []registry.FlagCode{registry.FlagIDMismatch, registry.FlagIDMalformed, registry.FlagIDUnknownProvince, registry.FlagUnknownAuthority,
			registry.FlagConflict, registry.FlagSuspectDuplicate, registry.FlagUnknownValue, registry.FlagTextRepaired}
	},
}

// isoDisplay shows a stored ISO date as documents write it.
func isoDisplay(iso string) string {
	if iso == "" {
		return ""
	}
	d, err := vntext.ParseISODate(iso)
	if err != nil {
		return iso
	}
	return registry.DisplayDate(d)
}

// dashedSerial writes a serial as the verification URL's path does:
// "45/2025/TLKS-BS" as "45-2025-TLKS-BS".
func dashedSerial(s registry.Serial) string {
	return strings.ReplaceAll(s.String(), "/", "-")
}

// parseDashedSerial reads a serial from a path: "45-2025-TLKS-BS" (as
// the QR code's URL writes it) or "45/2025/TLKS-BS".
func parseDashedSerial(p string) (registry.Serial, error) {
	if parts := strings.Split(p, "-"); len(parts) == 4 && !strings.Contains(p, "/") {
		p = parts[0] + "/" + parts[1] + "/" + parts[2] + "-" + parts[3]
	}
	return registry.ParseSerial(p)
}
