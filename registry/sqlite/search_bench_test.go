package sqlite_test

import (
	"context"
	"flag"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/hotich/hotich/registry"
	"github.com/hotich/hotich/registry/sqlite"
	"github.com/hotich/hotich/registry/storetest"
	"github.com/hotich/hotich/registry/vntext"
	"github.com/hotich/hotich/samples"
)

var searchStore = flag.String("search-store", "", "store BenchmarkSearch queries (default: a new store of -search-entries entries)")
var searchEntries = flag.Int("search-entries", 50000, "entries of the store BenchmarkSearch builds when -search-store is not given")
var searchSeed = flag.Uint64("search-seed", 1, "seed of the queries BenchmarkSearch draws: another seed, other records (a run after another with the same seed finds its pages cached)")

// BenchmarkSearch measures single searches as a clerk makes them: by
// full name with the birth year, by a person's personal ID, and by the
// entry's place in its register, each returning the matches with their
// flags, conflicts and links, and a name no one has (no match). It reports the p50 and p99 latency of each
// kind over 2,000 queries drawn from the store. The documented 12-million
// figures come from a store built as BENCHMARKS.md says and
//
//	go test ./registry/sqlite -run '^$' -bench Search -benchtime 1x -search-store /data/c12m.db
func BenchmarkSearch(b *testing.B) {
	ctx := context.Background()
	path := *searchStore
	if path == "" {
		path = filepath.Join(b.TempDir(), "hotich.db")
		db, err := sqlite.Open(ctx, path)
		if err != nil {
			b.Fatal(err)
		}
		cfg := samples.DefaultConfig()
		cfg.Entries, cfg.Seed, cfg.TruthFields = *searchEntries, 5, false
		storetest.IngestCorpus(b, db, cfg)
		db.Close()
	}
	db, err := sqlite.OpenExisting(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()

	// Queries drawn from the store: random record IDs, then their persons.
	var maxRID int64
	db.SQL().QueryRow(`SELECT MAX(rid) FROM records`).Scan(&maxRID)
	rnd := rand.New(rand.NewPCG(*searchSeed, 2))
	var byName []registry.RecordFilter
	var byID []registry.RecordFilter
	var byNumber []registry.RecordFilter
	var byNone []registry.RecordFilter
	for len(byName) < 2000 {
		var rid int64
		var reg, auth, book, number, name, birth, pid string
		// The record first, then its first person: a join ordered by rid
		// would sort every person after the drawn rid.
		err := db.SQL().QueryRow(`SELECT r.rid, r.register, r.authority_code, r.book, r.number, p.name_fold, p.birth, COALESCE(p.personal_id, '')
			FROM (SELECT rid, register, authority_code, book, number FROM records WHERE rid >= ? ORDER BY rid LIMIT 1) r
			JOIN persons p ON p.record_rid = r.rid LIMIT 1`, 1+rnd.Int64N(maxRID)).
			Scan(&rid, &reg, &auth, &book, &number, &name, &birth, &pid)
		if err != nil {
			b.Fatal(err)
		}
		f := registry.RecordFilter{Name: name, Limit: 101}
		if d, err := vntext.ParseISODate(birth); err == nil && d.Year != 0 {
			f.Birth = vntext.Date{Year: d.Year}
		}
		byName = append(byName, f)
		// The same name with a word no one has: a search that finds
		// nothing, as a clerk's mistyped name does.
		if len(byNone) < 200 {
			none := f
			none.Name += " khongco"
			byNone = append(byNone, none)
		}
		if pid != "" {
			byID = append(byID, registry.RecordFilter{PersonalID: pid, Limit: 101})
		}
		byNumber = append(byNumber, registry.RecordFilter{Register: registry.Register(reg), Limit: 101,
			Identity: &registry.Identity{Register: registry.Register(reg), AuthorityCode: auth, Book: book, Number: number}})
	}
	ref, err := db.RefData(ctx)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		for _, q := range []struct {
			name    string
			filters []registry.RecordFilter
		}{{"name+year", byName}, {"personal-id", byID}, {"number", byNumber}, {"no-match", byNone}} {
			took := make([]time.Duration, 0, len(q.filters))
			found := 0
			for _, f := range q.filters {
				start := time.Now()
				recs, err := db.FindRecords(ctx, f)
				if err != nil {
					b.Fatal(err)
				}
				for _, r := range recs {
					registry.Summarize(r, ref)
				}
				took = append(took, time.Since(start))
				found += len(recs)
			}
			slices.Sort(took)
			p := func(pc int) float64 { return float64(took[(len(took)*pc+99)/100-1].Microseconds()) / 1000 }
			b.ReportMetric(p(50), q.name+"-p50-ms")
			b.ReportMetric(p(99), q.name+"-p99-ms")
			b.Logf("%-12s %d queries, %.1f results each: p50 %.2f ms, p99 %.2f ms, max %.2f ms", q.name, len(took), float64(found)/float64(len(took)), p(50), p(99), p(100))
		}
	}
}
