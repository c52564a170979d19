package main

import (
	"bytes"
	"context"
	"database/sql"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hotich/hotich/registry"
	"github.com/hotich/hotich/registry/sqlite"
	"github.com/hotich/hotich/registry/vntext"
	"github.com/hotich/hotich/samples"
)

var (
	loadEntries = flag.Int("load-entries", 100000, "entries the ingest of BenchmarkClerksDuringIngest loads while clerks work")
	loadBase    = flag.Int("load-base", 20000, "entries in the store before BenchmarkClerksDuringIngest starts")
	loadLookups = flag.Int("load-lookups", 10, "concurrent show/search callers of BenchmarkClerksDuringIngest")
	loadIssuers = flag.Int("load-extracts", 2, "concurrent extract callers of BenchmarkClerksDuringIngest")
	loadThink   = flag.Duration("load-think", 100*time.Millisecond, "mean pause of a lookup caller between calls (0: none)")
)

// BenchmarkClerksDuringIngest measures what clerks see while an operator
// ingests: an ingest process loads -load-entries entries into a store that
// holds -load-base, while -load-lookups callers look entries up (show by
// record ID, search by name and birth year, search by personal ID) and
// -load-extracts callers issue signed copies. A lookup caller keeps a store
// handle, as a clerk's session does, and pauses -load-think on average
// between calls (a busy desk: ten clerks, a hundred lookups a second); an
// extract caller runs the whole hotich extract command, with its own store
// handle, one after another without pause.
// Then the same callers run on the idle store. It reports errors and the
// p50, p99 and maximum latency of lookups and extracts in both phases, and
// the ingest's time with and without the clerks. The documented figures
// come from
//
//	go test ./cmd/hotich -run '^$' -bench ClerksDuringIngest -benchtime 1x
func BenchmarkClerksDuringIngest(b *testing.B) {
	for range b.N {
		clerksDuringIngest(b)
	}
}

func clerksDuringIngest(b *testing.B) {
	ctx := context.Background()
	dir := b.TempDir()
	gen := func(name string, entries int, seed uint64) string {
		cfg := samples.DefaultConfig()
		cfg.Entries, cfg.Seed, cfg.TruthFields = entries, seed, false
		out := filepath.Join(dir, name)
		if _, err := samples.Generate(ctx, cfg, out); err != nil {
			b.Fatal(err)
		}
		return filepath.Join(out, "batches")
	}
	base, load := gen("base", *loadBase, 11), gen("load", *loadEntries, 12)
	store := filepath.Join(dir, "hotich.db")
	envv := map[string]string{"HOTICH_DB": store, "HOTICH_KEYS": filepath.Join(dir, "keys"), "HOTICH_LOG": "error", "HOTICH_CLERK": "Nguyễn Văn Cán"}
	loadCLI(b, envv, "ingest", "--quiet", "--rejects", filepath.Join(dir, "r0"), base)
	targets := loadTargets(b, store)

	// One issuing unit copies entries of any ward, as the city allows.
	loadCLI(b, envv, "ca", "init", "--dir", filepath.Join(dir, "ca"))
	for _, unit := range []string{loadIssuer} {
		loadCLI(b, envv, "keys", "init", "--issuer", unit, "--test-ca", filepath.Join(dir, "ca"))
		loadCLI(b, envv, "keys", "signer", "--issuer", unit, "--capacity", "KT. CHỦ TỊCH", "--title", "PHÓ CHỦ TỊCH", "--name", "Trần Thị Bích", "--by", "admin")
	}
	backup := filepath.Join(dir, "before.db")
	loadCLI(b, envv, "backup", "--out", backup)

	// The ingest alone, on a copy of the store, for comparison.
	alone := filepath.Join(dir, "alone.db")
	loadCLI(b, envv, "restore", "--from", backup, "--db", alone)
	start := time.Now()
	loadCLI(b, map[string]string{"HOTICH_LOG": "error"}, "ingest", "--db", alone, "--quiet", "--rejects", filepath.Join(dir, "r1"), load)
	aloneTook := time.Since(start)

	// The ingest with clerks at work.
	ingest := childCommand("ingest", "--db", store, "--quiet", "--rejects", filepath.Join(dir, "r2"), load)
	ingest.Env = append(ingest.Env, "HOTICH_LOG=error")
	var ingestOut bytes.Buffer
	ingest.Stdout, ingest.Stderr = &ingestOut, &ingestOut
	start = time.Now()
	if err := ingest.Start(); err != nil {
		b.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- ingest.Wait() }()
	busy := runClerks(b, envv, targets, filepath.Join(dir, "busy"), done)
	withTook := time.Since(start)
	if busy.ingestErr != nil {
		b.Fatalf("ingest: %v\n%s", busy.ingestErr, ingestOut.String())
	}
	mustCheckB(b, store)

	// The same callers on the idle store, for as long.
	stop := make(chan error)
	go func() { time.Sleep(withTook); close(stop) }()
	idle := runClerks(b, envv, targets, filepath.Join(dir, "idle"), stop)

	report := func(phase string, r *clerkRun) {
		for _, kind := range []string{"lookup", "extract"} {
			d := r.took[kind]
			b.Logf("%-6s %-7s calls %5d  errors %d  p50 %6.1f ms  p99 %6.1f ms  max %6.1f ms",
				phase, kind, len(d), r.errors[kind], ms(pct(d, 50)), ms(pct(d, 99)), ms(pct(d, 100)))
			for i, e := range r.firstErrs[kind] {
				b.Logf("       error %d: %s", i+1, e)
			}
			b.ReportMetric(ms(pct(d, 99)), phase+"-"+kind+"-p99-ms")
			b.ReportMetric(float64(r.errors[kind]), phase+"-"+kind+"-errors")
		}
	}
	b.Logf("ingest of %d entries into a store of %d: %.1f s alone, %.1f s with %d lookup and %d extract callers",
		*loadEntries, *loadBase, aloneTook.Seconds(), withTook.Seconds(), *loadLookups, *loadIssuers)
	report("ingest", busy)
	report("idle", idle)
	b.ReportMetric(aloneTook.Seconds(), "ingest-alone-s")
	b.ReportMetric(withTook.Seconds(), "ingest-with-clerks-s")
}

// loadIssuer is the unit that issues the copies: Phường Sài Gòn.
const loadIssuer = "26740"

// loadTargetsSet is what the clerks look up and copy.
type loadTargetsSet struct {
	ids       []string    // record IDs for show
	names     [][2]string // full name, birth year
	pids      []string    // personal IDs
	extractID []string    // records to copy
}

// loadTargets picks entries of the store for the clerks.
func loadTargets(b *testing.B, store string) *loadTargetsSet {
	db, err := sql.Open("sqlite3", "file:"+store+"?mode=ro")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	t := &loadTargetsSet{}
	scan := func(q string, fn func(*sql.Rows) error) {
		rows, err := db.Query(q)
		if err != nil {
			b.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			if err := fn(rows); err != nil {
				b.Fatal(err)
			}
		}
	}
	scan(`SELECT id FROM records ORDER BY random() LIMIT 2000`, func(r *sql.Rows) error {
		var id string
		err := r.Scan(&id)
		t.ids = append(t.ids, id)
		return err
	})
	scan(`SELECT r.fields ->> '$.ho_ten', COALESCE(substr(r.fields ->> '$.ngay_sinh', 1, 4), '') FROM records r
		WHERE r.fields ->> '$.ho_ten' IS NOT NULL ORDER BY random() LIMIT 2000`, func(r *sql.Rows) error {
		var n [2]string
		err := r.Scan(&n[0], &n[1])
		t.names = append(t.names, n)
		return err
	})
	scan(`SELECT personal_id FROM persons WHERE personal_id IS NOT NULL ORDER BY random() LIMIT 2000`, func(r *sql.Rows) error {
		var p string
		err := r.Scan(&p)
		t.pids = append(t.pids, p)
		return err
	})
	scan(`SELECT id FROM records ORDER BY random() LIMIT 2000`, func(r *sql.Rows) error {
		var id string
		err := r.Scan(&id)
		t.extractID = append(t.extractID, id)
		return err
	})
	return t
}

// clerkRun is what the callers saw.
type clerkRun struct {
	mu        sync.Mutex
	took      map[string][]time.Duration
	errors    map[string]int
	firstErrs map[string][]string
	ingestErr error
}

// record notes one call: its time, and its error unless errMsg is "".
func (r *clerkRun) record(kind string, d time.Duration, errMsg string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if d > 0 {
		r.took[kind] = append(r.took[kind], d)
	}
	if errMsg != "" {
		r.errors[kind]++
		if len(r.firstErrs[kind]) < 5 {
			r.firstErrs[kind] = append(r.firstErrs[kind], errMsg)
		}
	}
}

// runClerks runs the lookup and extract callers until stop yields (the
// ingest's end), and returns what they saw.
func runClerks(b *testing.B, envv map[string]string, t *loadTargetsSet, out string, stop <-chan error) *clerkRun {
	os.MkdirAll(out, 0o755)
	r := &clerkRun{took: map[string][]time.Duration{}, errors: map[string]int{}, firstErrs: map[string][]string{}}
	quit := make(chan struct{})
	var wg sync.WaitGroup
	// An extract caller runs the whole command, as a clerk at the
	// command line does (extracts give --override: a refusal of an entry
	// under review is the rule working, not an error).
	call := func(kind string, args ...string) {
		start := time.Now()
		stdout, stderr, code := cliQuiet(envv, args...)
		msg := ""
		if code != 0 {
			msg = fmt.Sprintf("%q: exit %d %s%s", args, code, stdout, strings.TrimSpace(stderr))
		}
		r.record(kind, time.Since(start), msg)
	}
	// A lookup caller keeps its store handle, as a clerk's session at the
	// desk does; what it measures is the store's answer while the ingest
	// writes, not a process starting.
	lookup := func(db *sqlite.DB, ref *registry.RefData, rnd *rand.Rand) error {
		ctx := context.Background()
		switch rnd.IntN(3) {
		case 0:
			rec, err := db.FindRecordByID(ctx, t.ids[rnd.IntN(len(t.ids))])
			if err != nil {
				return err
			}
			_, err = db.SourceRows(ctx, rec.ID)
			return err
		case 1:
			n := t.names[rnd.IntN(len(t.names))]
			f := registry.RecordFilter{Name: n[0], Limit: 101}
			if y, err := vntext.ParseDate(n[1]); err == nil {
				f.Birth = y
			}
			recs, err := db.FindRecords(ctx, f)
			for _, r := range recs {
				registry.Summarize(r, ref)
			}
			return err
		default:
			recs, err := db.FindRecords(ctx, registry.RecordFilter{PersonalID: t.pids[rnd.IntN(len(t.pids))], Limit: 101})
			for _, r := range recs {
				registry.Summarize(r, ref)
			}
			return err
		}
	}
	for i := range *loadLookups {
		wg.Add(1)
		go func() {
			defer wg.Done()
			db, err := sqlite.OpenExisting(context.Background(), envv["HOTICH_DB"])
			if err != nil {
				r.record("lookup", 0, err.Error())
				return
			}
			defer db.Close()
			ref, err := db.RefData(context.Background())
			if err != nil {
				r.record("lookup", 0, err.Error())
				return
			}
			rnd := rand.New(rand.NewPCG(uint64(i), 1))
			for {
				select {
				case <-quit:
					return
				default:
				}
				if *loadThink > 0 {
					select {
					case <-quit:
						return
					case <-time.After(time.Duration(rnd.Int64N(int64(2 * *loadThink)))):
					}
				}
				start := time.Now()
				err := lookup(db, ref, rnd)
				msg := ""
				if err != nil {
					msg = err.Error()
				}
				r.record("lookup", time.Since(start), msg)
			}
		}()
	}
	var next int
	var nextMu sync.Mutex
	for range *loadIssuers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-quit:
					return
				default:
				}
				nextMu.Lock()
				id := t.extractID[next%len(t.extractID)]
				next++
				n := next
				nextMu.Unlock()
				call("extract", "extract", "--id", id, "--issuer", loadIssuer, "--override", "kiểm thử tải", "--requester", "Người yêu cầu",
					"-o", filepath.Join(out, fmt.Sprintf("%d.pdf", n)))
			}
		}()
	}
	r.ingestErr = <-stop
	close(quit)
	wg.Wait()
	return r
}

// cliQuiet runs hotich in-process like cli, for a benchmark's goroutines.
func cliQuiet(envv map[string]string, args ...string) (stdout, stderr string, code int) {
	var out, errb bytes.Buffer
	getenv := func(k string) string { return envv[k] }
	err := run(context.Background(), args, strings.NewReader(""), &out, &errb, getenv)
	code = exitCode(err, &errb)
	return out.String(), errb.String(), code
}

func loadCLI(b *testing.B, envv map[string]string, args ...string) {
	b.Helper()
	if out, errOut, code := cliQuiet(envv, args...); code != 0 {
		b.Fatalf("hotich %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errOut)
	}
}

func mustCheckB(b *testing.B, db string) {
	b.Helper()
	loadCLI(b, nil, "check", "--db", db)
}

// pct returns the p-th percentile of durations (100: the maximum).
func pct(d []time.Duration, p int) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	i := (len(s)*p + 99) / 100
	return s[max(0, min(i, len(s))-1)]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
