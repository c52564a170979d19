// Command deskload measures the clerks' desk under load, as issue 14 asks:
// simulated clerks, each with an account and a session of their own, work
// a real "hotich serve" process over HTTP (search 70 %, record view 25 %,
// issue 5 %) on a store of a million entries, first alone ("idle") and
// then while another process ingests more entries into the same store
// ("ingest"). It reports the errors and the latency percentiles of each
// kind of request in each phase, with the machine's load average, and
// checks the audit trail with "hotich audit verify" at the end.
//
//	go run ./internal/deskload --dir /tmp/deskload
//
// The first run generates the corpora (the plain preset of samples/gen:
// --entries for the store, --extra for the concurrent ingest, from
// registration years that do not overlap, so that the ingest adds new
// entries rather than rescans), ingests the first into DIR/base.db and
// sets up a test CA, the keys and signer blocks of --units units and the
// accounts. Later runs reuse that and start from a copy of the base
// store. Logins (argon2id) happen before any timing.
//
// A full run takes minutes and its figures depend on the machine, so
// "go test ./..." runs it only at a toy size (TestSmoke), to keep it
// working. BENCHMARKS.md ("Desk") has the command and the figures.
package main

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/hotich/hotich/registry"
	"github.com/hotich/hotich/registry/sqlite"
	"github.com/hotich/hotich/samples"
)

type options struct {
	dir        string
	hotich     string
	entries    int
	extra      int
	clerks     int
	units      int
	idle       time.Duration
	think      time.Duration
	cpuprofile string
	seed       uint64
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var o options
	fs := flag.NewFlagSet("deskload", flag.ContinueOnError)
	fs.StringVar(&o.dir, "dir", filepath.Join(os.TempDir(), "hotich-deskload"), "work folder: corpora, the base store, keys, logs")
	fs.StringVar(&o.hotich, "hotich", "", "the hotich binary (default: built from ./cmd/hotich into the work folder)")
	fs.IntVar(&o.entries, "entries", 1000000, "entries of the store the clerks work on")
	fs.IntVar(&o.extra, "extra", 100000, "entries ingested by another process during the second phase")
	fs.IntVar(&o.clerks, "clerks", 50, "simulated clerks, each with an account and a session")
	fs.IntVar(&o.units, "units", 5, "units the clerks belong to (each with a key and signer block)")
	fs.DurationVar(&o.idle, "idle", time.Minute, "length of the phase without an ingest")
	fs.DurationVar(&o.think, "think", time.Second, "mean pause of a clerk between two requests (exponential; 0: none)")
	fs.StringVar(&o.cpuprofile, "cpuprofile", "", "write the server's CPU profile to this file (HOTICH_CPUPROFILE)")
	fs.Uint64Var(&o.seed, "seed", 1, "seed of the clerks' choices")
	if err := fs.Parse(os.Args[1:]); err != nil {
		os.Exit(2)
	}
	if err := run(ctx, o, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "deskload:", err)
		os.Exit(1)
	}
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "deskload: "+format+"\n", args...)
}

// password is every simulated account's password.
const password = "một câu dài dễ nhớ cho bàn thử tải"

// run prepares (or reuses) the corpora and the base store, runs both
// phases and writes the report to out. It fails if any request, the
// ingest, the server's shutdown or the audit trail's check failed.
func run(ctx context.Context, o options, out io.Writer) error {
	if err := os.MkdirAll(o.dir, 0o755); err != nil {
		return err
	}
	if o.hotich == "" {
		o.hotich = filepath.Join(o.dir, "hotich")
		logf("building %s", o.hotich)
		if out, err := exec.CommandContext(ctx, "go", "build", "-o", o.hotich, "./cmd/hotich").CombinedOutput(); err != nil {
			return fmt.Errorf("go build: %v\n%s", err, out)
		}
	}
	baseCorpus, err := corpus(ctx, filepath.Join(o.dir, fmt.Sprintf("corpus-%d", o.entries)), o.entries, 1976, 2019, 1)
	if err != nil {
		return err
	}
	extraCorpus, err := corpus(ctx, filepath.Join(o.dir, fmt.Sprintf("extra-%d", o.extra)), o.extra, 2020, 2025, 2)
	if err != nil {
		return err
	}
	setup, err := prepareBase(ctx, o, baseCorpus)
	if err != nil {
		return err
	}

	// Each run starts from a copy of the base store.
	db := filepath.Join(o.dir, "run.db")
	for _, suffix := range []string{"", "-wal", "-shm", "-writer.lock", "-intent.lock"} {
		os.Remove(db + suffix)
	}
	for _, suffix := range []string{"", "-wal"} {
		if _, err := os.Stat(setup.db + suffix); err == nil {
			if err := copyFile(setup.db+suffix, db+suffix); err != nil {
				return err
			}
		}
	}
	w, err := pickWork(ctx, db)
	if err != nil {
		return err
	}
	logf("work: %d searches, %d records to view, %d to issue", len(w.searches), len(w.views), len(w.issues))

	srv, err := startServe(ctx, o, db)
	if err != nil {
		return err
	}
	defer srv.stop()
	clerks, err := login(ctx, srv.base, setup.clerks, o.seed)
	if err != nil {
		return err
	}
	logf("%d clerks signed in", len(clerks))

	var phases []*phase
	idle := newPhase("idle")
	phases = append(phases, idle)
	logf("phase idle: %v", o.idle)
	pctx, cancel := context.WithTimeout(ctx, o.idle)
	work(pctx, clerks, idle, w, o.think)
	cancel()
	if ctx.Err() != nil {
		return ctx.Err()
	}

	during := newPhase("ingest")
	phases = append(phases, during)
	logf("phase ingest: %d entries by another process", o.extra)
	ing := exec.CommandContext(ctx, o.hotich, "ingest", "--quiet", "--db", db, "--rejects", filepath.Join(o.dir, "rejects-extra"), extraCorpus)
	ingLog, err := os.Create(filepath.Join(o.dir, "ingest.log"))
	if err != nil {
		return err
	}
	defer ingLog.Close()
	ing.Stdout, ing.Stderr = ingLog, ingLog
	ing.Env = append(os.Environ(), "HOTICH_LOG=info")
	pctx, cancel = context.WithCancel(ctx)
	ingStart := time.Now()
	if err := ing.Start(); err != nil {
		cancel()
		return err
	}
	ingErr := make(chan error, 1)
	go func() { ingErr <- ing.Wait(); cancel() }()
	work(pctx, clerks, during, w, o.think)
	ingErr2 := <-ingErr
	ingTook := time.Since(ingStart)
	cancel()
	if ctx.Err() != nil {
		return ctx.Err()
	}

	serveErr := srv.stop()
	verify, verifyErr := exec.CommandContext(ctx, o.hotich, "audit", "verify", "--db", db).CombinedOutput()

	report(out, o, setup, phases, ingErr2, ingTook, srv, serveErr, verify, verifyErr)
	if ingErr2 != nil || verifyErr != nil || serveErr != nil {
		return errors.New("the run failed: see the report")
	}
	for _, p := range phases {
		if p.errors() > 0 {
			return errors.New("requests failed: see the report")
		}
	}
	return nil
}

// corpus generates a plain corpus (samples/gen --plain) into dir, unless
// an earlier run did, and returns its batches folder.
func corpus(ctx context.Context, dir string, entries, from, to int, seed uint64) (string, error) {
	batches := filepath.Join(dir, "batches")
	done := filepath.Join(dir, "done")
	if _, err := os.Stat(done); err == nil {
		return batches, nil
	}
	logf("generating %d entries (%d-%d) into %s", entries, from, to, dir)
	cfg := samples.DefaultConfig()
	cfg.SetPlain()
	cfg.Entries, cfg.YearFrom, cfg.YearTo, cfg.Seed, cfg.Clean = entries, from, to, seed, true
	cfg.TruthFields = false
	sum, err := samples.Generate(ctx, cfg, dir)
	if err != nil {
		return "", err
	}
	logf("%d files, %d rows, %d records", sum.Files, sum.Rows, sum.Records)
	return batches, os.WriteFile(done, nil, 0o644)
}

// baseSetup is the prepared base store: its accounts and units.
type baseSetup struct {
	db     string
	keys   string
	Units  []string `json:"units"`
	clerks []account
	Clerks int     `json:"clerks"`
	Ingest float64 `json:"ingest_seconds"`
	Load   string  `json:"ingest_load"`
}

type account struct{ username, unit string }

// prepareBase ingests the base corpus and sets up keys, signer blocks and
// accounts, unless an earlier run did for as many clerks.
func prepareBase(ctx context.Context, o options, batches string) (*baseSetup, error) {
	s := &baseSetup{db: filepath.Join(o.dir, fmt.Sprintf("base-%d.db", o.entries)), keys: filepath.Join(o.dir, "keys")}
	ready := s.db + ".ready"
	if b, err := os.ReadFile(ready); err == nil && json.Unmarshal(b, s) == nil && s.Clerks == o.clerks && len(s.Units) > 0 {
		s.clerks = accounts(s.Units, o.clerks)
		return s, nil
	}
	for _, p := range []string{s.db, s.db + "-wal", s.db + "-shm", s.db + "-writer.lock", s.db + "-intent.lock"} {
		os.Remove(p)
	}
	os.RemoveAll(s.keys)
	ca := filepath.Join(o.dir, "ca")
	os.RemoveAll(ca)
	logf("ingesting the base corpus into %s", s.db)
	s.Load = loadavg()
	start := time.Now()
	if err := hotich(ctx, o, "", "ingest", "--quiet", "--db", s.db, "--rejects", filepath.Join(o.dir, "rejects-base"), batches); err != nil {
		return nil, err
	}
	s.Ingest = time.Since(start).Seconds()
	s.Load += " → " + loadavg()
	logf("ingested in %.0f s", s.Ingest)

	units, err := pickUnits(ctx, s.db, o.units)
	if err != nil {
		return nil, err
	}
	s.Units = units
	if err := hotich(ctx, o, "", "ca", "init", "--db", s.db, "--dir", ca); err != nil {
		return nil, err
	}
	for _, u := range units {
		if err := hotich(ctx, o, "", "keys", "init", "--dir", s.keys, "--db", s.db, "--issuer", u, "--test-ca", ca); err != nil {
			return nil, err
		}
		if err := hotich(ctx, o, "", "keys", "signer", "--db", s.db, "--issuer", u, "--capacity", "KT. CHỦ TỊCH", "--title", "PHÓ CHỦ TỊCH", "--name", "Người Ký Thử", "--by", "deskload"); err != nil {
			return nil, err
		}
	}
	if err := hotich(ctx, o, password+"\n", "users", "add", "--db", s.db, "--username", "admin", "--unit", units[0], "--duties", "admin"); err != nil {
		return nil, err
	}
	s.clerks = accounts(units, o.clerks)
	logf("adding %d accounts", len(s.clerks))
	for i, a := range s.clerks {
		if err := hotich(ctx, o, password+"\n", "users", "add", "--db", s.db, "--user", "admin", "--username", a.username,
			"--name", fmt.Sprintf("Cán Bộ Thử %d", i+1), "--unit", a.unit, "--duties", "clerk"); err != nil {
			return nil, err
		}
	}
	s.Clerks = o.clerks
	b, _ := json.Marshal(s)
	return s, os.WriteFile(ready, b, 0o644)
}

func accounts(units []string, n int) []account {
	var out []account
	for i := range n {
		out = append(out, account{username: fmt.Sprintf("canbo%02d", i+1), unit: units[i%len(units)]})
	}
	return out
}

// hotich runs a hotich command on its store, with stdin.
func hotich(ctx context.Context, o options, stdin string, args ...string) error {
	cmd := exec.CommandContext(ctx, o.hotich, args...)
	cmd.Stdin = strings.NewReader(stdin)
	cmd.Env = append(os.Environ(), "HOTICH_LOG=warn", "HOTICH_KEYS="+filepath.Join(o.dir, "keys"))
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("hotich %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return nil
}

// pickUnits returns n units of today that hold registers of the store.
func pickUnits(ctx context.Context, path string, n int) ([]string, error) {
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	ref, err := db.RefData(ctx)
	if err != nil {
		return nil, err
	}
	raw, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		return nil, err
	}
	defer raw.Close()
	rows, err := raw.QueryContext(ctx, `SELECT DISTINCT authority_code FROM records WHERE rid % 1009 = 0`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var units []string
	for rows.Next() && len(units) < n {
		var code string
		if err := rows.Scan(&code); err != nil {
			return nil, err
		}
		for _, u := range ref.Successors(code) {
			if _, ok := ref.UnitNow(u.Code); ok && !slices.Contains(units, u.Code) {
				units = append(units, u.Code)
				break
			}
		}
	}
	if len(units) == 0 {
		return nil, errors.New("no unit of today holds a register of the store")
	}
	return units, rows.Err()
}

func copyFile(from, to string) error {
	src, err := os.Open(from)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := os.Create(to)
	if err != nil {
		return err
	}
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		return err
	}
	return dst.Close()
}

// search is a search a clerk types: a name without diacritics and a full
// birth date or a year, and the record it must find.
type search struct {
	name, birth, id string
	full            bool // a full date: the record is among the results
}

type workload struct {
	searches []search
	views    []string
	issues   []string // records with nothing under review
}

// pickWork samples the store for the clerks' requests.
func pickWork(ctx context.Context, path string) (*workload, error) {
	raw, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		return nil, err
	}
	defer raw.Close()
	var maxRid int64
	if err := raw.QueryRowContext(ctx, `SELECT MAX(rid) FROM records`).Scan(&maxRid); err != nil {
		return nil, err
	}
	step := max(maxRid/4000, 1)
	rows, err := raw.QueryContext(ctx, `SELECT r.id, p.name_fold, p.birth FROM records r JOIN persons p ON p.record_rid = r.rid
		WHERE r.rid % ? = 0 AND p.role IN ('con', 'nguoi_chet', 'chong', 'vo') AND length(p.birth) = 10`, step)
	if err != nil {
		return nil, err
	}
	w := &workload{}
	seen := map[string]bool{}
	for rows.Next() {
		var id, name, birth string
		if err := rows.Scan(&id, &name, &birth); err != nil {
			rows.Close()
			return nil, err
		}
		full := len(w.searches)%2 == 0
		typed := birth[:4]
		if full {
			typed = birth[8:10] + "/" + birth[5:7] + "/" + birth[:4]
		}
		w.searches = append(w.searches, search{name: name, birth: typed, id: id, full: full})
		if !seen[id] {
			seen[id] = true
			w.views = append(w.views, id)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(w.searches) == 0 {
		return nil, errors.New("the store has no entry to search for")
	}
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	for _, id := range w.views {
		rec, err := db.FindRecordByID(ctx, id)
		if err != nil {
			return nil, err
		}
		if len(registry.ExtractBlockers(rec)) == 0 {
			w.issues = append(w.issues, id)
		}
	}
	return w, nil
}

// server is a running hotich serve.
type server struct {
	cmd    *exec.Cmd
	base   string
	log    string
	errors int // lines at level ERROR
	once   sync.Once
	err    error
	done   chan error
	mu     sync.Mutex
}

var listeningRE = regexp.MustCompile(`hotich serve: listening on (http://\S+)`)

func startServe(ctx context.Context, o options, db string) (*server, error) {
	s := &server{log: filepath.Join(o.dir, "serve.log"), done: make(chan error, 1)}
	f, err := os.Create(s.log)
	if err != nil {
		return nil, err
	}
	// Clerks sit at their own PCs: the desk takes their addresses from
	// X-Forwarded-For (as behind the city's reverse proxy), so that the
	// per-address login limit applies to each, not to all at once.
	s.cmd = exec.Command(o.hotich, "serve", "--db", db, "--addr", "127.0.0.1:0", "--trust-proxy",
		"--keys", filepath.Join(o.dir, "keys"), "--base-url", "https://hotich.example.gov.vn")
	s.cmd.Env = append(os.Environ(), "HOTICH_LOG=info")
	if o.cpuprofile != "" {
		s.cmd.Env = append(s.cmd.Env, "HOTICH_CPUPROFILE="+o.cpuprofile)
	}
	pipe, err := s.cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := s.cmd.Start(); err != nil {
		return nil, err
	}
	listening := make(chan string, 1)
	go func() {
		defer f.Close()
		sc := bufio.NewScanner(pipe)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			l := sc.Text()
			fmt.Fprintln(f, l)
			if m := listeningRE.FindStringSubmatch(l); m != nil {
				listening <- m[1]
			}
			if strings.Contains(l, "level=ERROR") {
				s.mu.Lock()
				s.errors++
				s.mu.Unlock()
			}
		}
		s.done <- s.cmd.Wait()
	}()
	select {
	case s.base = <-listening:
		return s, nil
	case err := <-s.done:
		return nil, fmt.Errorf("serve exited: %v (see %s)", err, s.log)
	case <-time.After(2 * time.Minute):
		s.cmd.Process.Kill()
		return nil, fmt.Errorf("serve did not start (see %s)", s.log)
	case <-ctx.Done():
		s.cmd.Process.Kill()
		return nil, ctx.Err()
	}
}

// stop stops serve with SIGTERM, as a service manager does.
func (s *server) stop() error {
	s.once.Do(func() {
		s.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case s.err = <-s.done:
		case <-time.After(time.Minute):
			s.cmd.Process.Kill()
			s.err = errors.New("serve did not stop within a minute of SIGTERM")
		}
	})
	return s.err
}

// clerk is a signed-in simulated clerk.
type clerk struct {
	account
	c    *http.Client
	base string
	addr string
	csrf string
	rnd  *rand.Rand
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (c *clerk) request(ctx context.Context, method, path string, form url.Values) (*http.Response, string, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return nil, "", err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("X-Forwarded-For", c.addr)
	res, err := c.c.Do(req)
	if err != nil {
		return nil, "", err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return res, string(b), err
}

// login signs every clerk in, two at a time (argon2id takes 64 MiB and
// most of a core each), before anything is timed.
func login(ctx context.Context, base string, accts []account, seed uint64) ([]*clerk, error) {
	clerks := make([]*clerk, len(accts))
	errs := make([]error, len(accts))
	sem := make(chan struct{}, 2)
	var wg sync.WaitGroup
	for i, a := range accts {
		jar, _ := cookiejar.New(nil)
		c := &clerk{account: a, base: base, addr: fmt.Sprintf("10.14.%d.%d", i/250, i%250+1),
			rnd: rand.New(rand.NewPCG(seed, uint64(i))),
			c: &http.Client{Jar: jar, Timeout: time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: 2},
				CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
		clerks[i] = c
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			errs[i] = c.login(ctx)
		}()
	}
	wg.Wait()
	return clerks, errors.Join(errs...)
}

func (c *clerk) login(ctx context.Context) error {
	_, page, err := c.request(ctx, "GET", "/dang-nhap", nil)
	if err != nil {
		return err
	}
	m := csrfRE.FindStringSubmatch(page)
	if m == nil {
		return fmt.Errorf("%s: the login page has no token", c.username)
	}
	res, body, err := c.request(ctx, "POST", "/dang-nhap", url.Values{"username": {c.username}, "password": {password}, "csrf": {m[1]}})
	if err != nil {
		return err
	}
	if res.StatusCode != http.StatusSeeOther {
		return fmt.Errorf("%s: login answered %d: %.300s", c.username, res.StatusCode, body)
	}
	_, page, err = c.request(ctx, "GET", "/tra-cuu", nil)
	if err != nil {
		return err
	}
	if m = csrfRE.FindStringSubmatch(page); m == nil {
		return fmt.Errorf("%s: the search page has no token", c.username)
	}
	c.csrf = m[1]
	return nil
}

// The kinds of request, and their shares.
const (
	opSearch = iota
	opView
	opIssue
	nOps
)

var opNames = [nOps]string{"search", "view", "issue"}

func (c *clerk) pick() int {
	switch r := c.rnd.Float64(); {
	case r < 0.70:
		return opSearch
	case r < 0.95:
		return opView
	}
	return opIssue
}

// do makes one request of a kind, and checks its answer.
func (c *clerk) do(ctx context.Context, op int, w *workload) error {
	switch op {
	case opSearch:
		s := w.searches[c.rnd.IntN(len(w.searches))]
		res, body, err := c.request(ctx, "POST", "/tra-cuu", url.Values{"csrf": {c.csrf}, "ho_ten": {s.name}, "ngay_sinh": {s.birth}})
		if err != nil {
			return err
		}
		if res.StatusCode != http.StatusOK {
			return fmt.Errorf("search: %d", res.StatusCode)
		}
		if s.full && !strings.Contains(body, `data-record-id="`+s.id+`"`) {
			return fmt.Errorf("search for a name and full birth date did not find %s", s.id)
		}
	case opView:
		id := w.views[c.rnd.IntN(len(w.views))]
		res, body, err := c.request(ctx, "GET", "/ban-ghi/"+id, nil)
		if err != nil {
			return err
		}
		if res.StatusCode != http.StatusOK || !strings.Contains(body, `id="ban-ghi"`) {
			return fmt.Errorf("view: %d", res.StatusCode)
		}
	case opIssue:
		id := w.issues[c.rnd.IntN(len(w.issues))]
		res, body, err := c.request(ctx, "POST", "/ban-ghi/"+id+"/cap-ban-sao",
			url.Values{"csrf": {c.csrf}, "mau": {"TLKS"}, "nguoi_yeu_cau": {"Người Yêu Cầu Thử"}, "so_ban": {"1"}})
		if err != nil {
			return err
		}
		if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/ban-sao/"+c.unit+"/") {
			return fmt.Errorf("issue: %d %s", res.StatusCode, firstError(body))
		}
	}
	return nil
}

var errorRE = regexp.MustCompile(`id="loi"[^>]*>([^<]*)<`)

func firstError(body string) string {
	if m := errorRE.FindStringSubmatch(body); m != nil {
		return m[1]
	}
	return ""
}

// phase collects the latencies and errors of one phase.
type phase struct {
	name       string
	start, end time.Time
	loadStart  string
	loadEnd    string
	mu         sync.Mutex
	took       [nOps][]time.Duration
	errs       [nOps]int
	samples    []string
}

func newPhase(name string) *phase { return &phase{name: name} }

func (p *phase) record(op int, d time.Duration, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err != nil {
		p.errs[op]++
		if len(p.samples) < 10 {
			p.samples = append(p.samples, opNames[op]+": "+err.Error())
		}
		return
	}
	p.took[op] = append(p.took[op], d)
}

func (p *phase) errors() int {
	n := 0
	for _, e := range p.errs {
		n += e
	}
	return n
}

// work runs every clerk until ctx ends. A request under way when it ends
// is finished and counted.
func work(ctx context.Context, clerks []*clerk, p *phase, w *workload, think time.Duration) {
	p.start, p.loadStart = time.Now(), loadavg()
	var wg sync.WaitGroup
	for _, c := range clerks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				if think > 0 {
					pause := time.Duration(c.rnd.ExpFloat64() * float64(think))
					select {
					case <-ctx.Done():
						return
					case <-time.After(pause):
					}
				} else if ctx.Err() != nil {
					return
				}
				op := c.pick()
				start := time.Now()
				err := c.do(context.WithoutCancel(ctx), op, w)
				p.record(op, time.Since(start), err)
			}
		}()
	}
	wg.Wait()
	p.end, p.loadEnd = time.Now(), loadavg()
}

// loadavg is the machine's load average as uptime gives it.
func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

// quantile is the nearest-rank q-quantile of sorted durations.
func quantile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f", float64(d)/float64(time.Millisecond)) }

func report(out io.Writer, o options, s *baseSetup, phases []*phase, ingErr error, ingTook time.Duration, srv *server, serveErr error, verify []byte, verifyErr error) {
	fmt.Fprintf(out, "Desk load: %d clerks over %d units, mean think time %v, store of %d entries (base ingest %.0f s at load %s); %d CPUs, %s\n\n",
		o.clerks, len(s.Units), o.think, o.entries, s.Ingest, s.Load, runtime.NumCPU(), runtime.Version())
	fmt.Fprintln(out, "| phase | load avg (start → end) | request | n | errors | p50 ms | p90 ms | p99 ms | max ms | per s |")
	fmt.Fprintln(out, "|---|---|---|---|---|---|---|---|---|---|")
	for _, p := range phases {
		secs := p.end.Sub(p.start).Seconds()
		for op := range nOps {
			d := slices.Clone(p.took[op])
			slices.Sort(d)
			fmt.Fprintf(out, "| %s (%.0f s) | %s → %s | %s | %d | %d | %s | %s | %s | %s | %.1f |\n", p.name, secs, p.loadStart, p.loadEnd, opNames[op],
				len(d), p.errs[op], ms(quantile(d, 0.5)), ms(quantile(d, 0.9)), ms(quantile(d, 0.99)), ms(quantile(d, 1)), float64(len(d)+p.errs[op])/secs)
		}
	}
	fmt.Fprintln(out)
	for _, p := range phases {
		for _, e := range p.samples {
			fmt.Fprintf(out, "error (%s): %s\n", p.name, e)
		}
	}
	fmt.Fprintf(out, "ingest of %d entries beside the desk: %.1f s, %v\n", o.extra, ingTook.Seconds(), errOK(ingErr))
	srv.mu.Lock()
	fmt.Fprintf(out, "serve: %d error lines in %s; after SIGTERM: %v\n", srv.errors, srv.log, errOK(serveErr))
	srv.mu.Unlock()
	fmt.Fprintf(out, "audit verify: %v: %s\n", errOK(verifyErr), strings.TrimSpace(string(verify)))
}

func errOK(err error) string {
	if err == nil {
		return "ok"
	}
	return err.Error()
}
