package linkage_test

import (
	"context"
	"flag"
	"path/filepath"
	"testing"
	"time"

	"github.com/hotich/hotich/linkage"
	"github.com/hotich/hotich/registry"
	"github.com/hotich/hotich/registry/sqlite"
	"github.com/hotich/hotich/registry/storetest"
	"github.com/hotich/hotich/samples"
)

var benchStore = flag.String("dedup-store", "", "store BenchmarkRun matches (default: a generated corpus of -quality-entries entries)")

// BenchmarkRun matches every entry of a store (all four registers, as
// "hotich dedup --since 0" does, without writing links) and reports
// records per second and per CPU-second of candidate generation plus
// scoring ("match"), of the whole run including reading the store
// ("run"), and the pairs compared per record. The model is estimated
// from the store once, before the timer.
func BenchmarkRun(b *testing.B) {
	ctx := context.Background()
	path := *benchStore
	if path == "" {
		path = filepath.Join(b.TempDir(), "hotich.db")
		db, err := sqlite.Open(ctx, path)
		if err != nil {
			b.Fatal(err)
		}
		cfg := samples.DefaultConfig()
		cfg.Entries, cfg.Seed = *qualityEntries, 4
		storetest.IngestCorpus(b, db, cfg)
		db.Close()
	}
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	var jobs []linkage.Job
	for _, reg := range registry.Registers {
		jobs = append(jobs, linkage.Job{Register: reg})
	}
	model := linkage.DefaultModel()
	if _, err := linkage.New(model, linkage.Options{Estimate: linkage.EstimateAlways}).Run(ctx, db, jobs...); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	var entries, pairs int64
	var match, matchCPU, load, loadCPU, total time.Duration
	for i := 0; i < b.N; i++ {
		start := time.Now()
		results, err := linkage.New(model, linkage.Options{Estimate: linkage.EstimateNever}).Run(ctx, db, jobs...)
		if err != nil {
			b.Fatal(err)
		}
		total += time.Since(start)
		for _, r := range results {
			entries += int64(r.Entries)
			pairs += r.Candidates
			match += r.Matching
			matchCPU += r.MatchingCPU
		}
		load += results[0].Load
		loadCPU += results[0].LoadCPU
	}
	n := float64(entries)
	b.ReportMetric(n/float64(b.N), "records/op")
	b.ReportMetric(n/match.Seconds(), "match-records/s")
	b.ReportMetric(n/matchCPU.Seconds(), "match-records/cpu-s")
	b.ReportMetric(n/total.Seconds(), "run-records/s")
	b.ReportMetric(n/(matchCPU+loadCPU).Seconds(), "run-records/cpu-s")
	b.ReportMetric(float64(pairs)/n, "pairs/record")
}
