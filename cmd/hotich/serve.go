package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hotich/hotich/desk"
	"github.com/hotich/hotich/issuing"
	"github.com/hotich/hotich/registry"
)

func init() {
	register("serve", "the clerks' web desk and its JSON API over the store", runServe)
}

const serveUsage = `
Usage: hotich serve [--db PATH] [--addr :8080] [--tls-cert FILE --tls-key FILE]
                    [--base-url URL] [--keys DIR] [--trust-proxy]

Serves the clerks' desk: one process, many clerks, over the same store
(readers never wait for writers; an ingest may run beside it). Clerks sign
in with the accounts of "hotich users"; pages are in Vietnamese and work
without JavaScript. The JSON API (/api/search, /api/records/ID,
/api/records/ID/issue) takes the same session cookie and, on POST, the
session's CSRF token in the X-CSRF-Token header. /healthz answers
{"status":"ok"} while the store is readable. The public verification page
/xac-thuc/SERIAL, which the QR code of every copy points to, needs no login.

Copies are issued as the clerk's unit, signed with that unit's key in the
key folder (KEYS/CODE.key and its registered certificate, see "hotich keys
init"); a unit without a key or signer block is told so.

--base-url is the desk's public address: the QR code of every new copy
then holds BASE/xac-thuc/SERIAL?m=…, and an https address makes the
session cookie Secure (as --tls-cert does). It defaults to the store's
setting ("hotich keys url"). --trust-proxy takes the client's address from
X-Forwarded-For, behind a reverse proxy that sets it.

When it listens, serve writes one line to standard error:

	hotich serve: listening on http://127.0.0.1:8080

(--addr 127.0.0.1:0 picks a free port, which that line gives). SIGINT or
SIGTERM stops it gracefully: it accepts no new connections and finishes
the requests under way (15 seconds at most), then exits 0. The access log
(one line per request, on standard error) records the route, status, time,
account and client address: never a search term, a name or a personal ID.

Examples:

	hotich users add --username admin --unit 26740 --duties admin,clerk
	hotich serve --addr :8080
	hotich serve --addr :443 --tls-cert desk.crt --tls-key desk.key --base-url https://hotich.example.gov.vn
`

func runServe(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "serve", serveUsage)
	dbPath := dbFlag(fs)
	addr := fs.String("addr", ":8080", "address to listen on (host:port; port 0 picks a free one)")
	certFile := fs.String("tls-cert", "", "TLS certificate chain (PEM), with --tls-key")
	keyFile := fs.String("tls-key", "", "TLS private key (PEM), with --tls-cert")
	baseURL := fs.String("base-url", "", "the desk's public address (default: the store's setting, see keys url)")
	keys := fs.String("keys", "", "key folder of the issuing units (default $HOTICH_KEYS, else ./keys)")
	trustProxy := fs.Bool("trust-proxy", false, "take the client's address from X-Forwarded-For (behind a reverse proxy)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return usageError(fmt.Sprintf("serve: unexpected argument %q", fs.Arg(0)))
	}
	if (*certFile == "") != (*keyFile == "") {
		return usageError("serve: --tls-cert and --tls-key go together")
	}
	base := strings.TrimRight(strings.TrimSpace(*baseURL), "/")
	if base != "" {
		u, err := url.Parse(base)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" {
			return usageError(fmt.Sprintf("serve: --base-url %q is not an http(s) address without a query", base))
		}
	}
	db, err := openStore(ctx, e, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	issuer, err := issuing.New(ctx, db, issuing.Options{KeysDir: keysDir(e, *keys), BaseURL: base, Log: e.log})
	if err != nil {
		return err
	}
	base = issuer.BaseURL
	svc, err := accountService(ctx, e, db)
	if err != nil {
		return err
	}
	d, err := desk.New(ctx, desk.Config{
		Store:      db,
		Accounts:   svc,
		Issuer:     issuer,
		BaseURL:    base,
		Secure:     *certFile != "",
		TrustProxy: *trustProxy,
		Log:        e.log,
		Now:        e.now,
	})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return registry.Errorf(registry.EBUSY, "không mở được địa chỉ %s: %v", *addr, err)
	}
	hs := &http.Server{
		Handler:           d.Handler(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       20 * time.Second,
		WriteTimeout:      2 * time.Minute, // a copy is rendered and signed within the request
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    32 << 10,
		ErrorLog:          slog.NewLogLogger(e.log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	scheme := "http"
	if *certFile != "" {
		scheme = "https"
	}
	fmt.Fprintf(e.stderr, "hotich serve: listening on %s://%s\n", scheme, listenHost(ln.Addr()))
	errc := make(chan error, 1)
	go func() {
		if *certFile != "" {
			errc <- hs.ServeTLS(ln, *certFile, *keyFile)
		} else {
			errc <- hs.Serve(ln)
		}
	}()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	e.log.Info("stopping: finishing the requests under way")
	sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	err = hs.Shutdown(sctx)
	if serr := <-errc; !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	fmt.Fprintln(e.stderr, "hotich serve: stopped")
	return err
}

// listenHost is the address a browser on this machine reaches a listener
// at: an unspecified host ("[::]:8080") as localhost.
func listenHost(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}
