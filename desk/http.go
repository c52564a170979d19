package desk

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/hotich/hotich/accounts"
	"github.com/hotich/hotich/registry"
)

// maxBody bounds a request body: forms and JSON requests are small.
const maxBody = 64 << 10

// limitBody bounds every request's body.
func limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > maxBody {
			http.Error(w, "yêu cầu quá lớn", http.StatusRequestEntityTooLarge)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxBody)
		next.ServeHTTP(w, r)
	})
}

// csp allows nothing but the desk's own stylesheet, images and forms: no
// script at all, no inline style, no framing.
const csp = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; " +
	"frame-ancestors 'none'; base-uri 'none'"

// headers sets the security headers of every response. Pages are not
// cached: they carry personal data.
func (s *Server) headers(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Frame-Options", "DENY")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
		h.Set("Cache-Control", "no-store")
		if s.secure {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		next.ServeHTTP(w, r)
	})
}

// reqInfo is what a handler tells the access log: who made the request.
type reqInfo struct{ user string }

type infoKey struct{}

func setUser(r *http.Request, user string) {
	if ri, ok := r.Context().Value(infoKey{}).(*reqInfo); ok {
		ri.user = user
	}
}

// statusWriter remembers the status and size of a response.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}

// accessLog logs every request: the route pattern (never the path, which
// may carry a record ID or a serial, nor the query), the status, the size,
// the time taken, the account and the client's address. Nothing of a
// request's body is logged.
func (s *Server) accessLog(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		ri := &reqInfo{user: "-"}
		r = r.WithContext(context.WithValue(r.Context(), infoKey{}, ri))
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		route := r.Pattern
		if route == "" {
			route = "-"
		}
		s.log.Info("http", "method", r.Method, "route", route, "status", sw.status, "bytes", sw.bytes,
			"ms", time.Since(start).Milliseconds(), "user", ri.user, "addr", s.clientAddr(r))
	})
}

// recover turns a panic in a handler into a 500 and a log line.
func (s *Server) recover(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("panic", "route", r.Pattern, "panic", v, "stack", string(debug.Stack()))
				http.Error(w, "Lỗi hệ thống, vui lòng báo cho quản trị viên.", http.StatusInternalServerError)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// clientAddr is the client's address: the connection's, or behind a
// trusted proxy the last X-Forwarded-For entry.
func (s *Server) clientAddr(r *http.Request) string {
	if s.cfg.TrustProxy {
		if xff := r.Header.Values("X-Forwarded-For"); len(xff) > 0 {
			parts := strings.Split(xff[len(xff)-1], ",")
			if a := strings.TrimSpace(parts[len(parts)-1]); net.ParseIP(a) != nil {
				return a
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// errCSRF is the error of a state-changing request without the session's
// token.
var errCSRF = accounts.Forbid("yêu cầu thiếu mã chống giả mạo (CSRF) hoặc mã không đúng: tải lại trang rồi thử lại")

// statusOf maps an error to an HTTP status.
func statusOf(err error) int {
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return http.StatusRequestEntityTooLarge
	case accounts.IsForbidden(err):
		return http.StatusForbidden
	case errors.Is(err, context.Canceled):
		return 499 // the client went away
	}
	var l *accounts.Locked
	if errors.As(err, &l) {
		return http.StatusLocked
	}
	switch registry.ErrorCode(err) {
	case registry.ENOTFOUND:
		return http.StatusNotFound
	case registry.EINVALID:
		return http.StatusBadRequest
	case registry.EREFUSED, registry.ECONFLICT:
		return http.StatusConflict
	case registry.EBUSY:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// messageOf is what a person is told about an error.
func messageOf(err error) string {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return "Yêu cầu quá lớn."
	}
	return registry.ErrorMessage(err)
}

// writeJSON writes v as a JSON response.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	enc.Encode(v)
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	if _, err := s.cfg.Store.Setting(r.Context(), "verify_url"); err != nil {
		s.log.Error("health check", "err", err)
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "store unavailable"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func serveCSS(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	w.Write(deskCSS)
}
