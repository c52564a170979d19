package linkage_test

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/hotich/hotich/linkage"
	"github.com/hotich/hotich/registry"
	"github.com/hotich/hotich/registry/sqlite"
	"github.com/hotich/hotich/registry/storetest"
	"github.com/hotich/hotich/samples"
)

var qualityEntries = flag.Int("quality-entries", 20000, "entries of the generated corpus TestQuality measures")

// TestQuality generates a corpus with the sample generator (realistic
// keying differences between the entries of one event, and the designed
// hard negatives: twins, siblings, father and son of one name, common names
// of one birth year), ingests it into a store, runs linkage and measures
// it against the generator's ground truth. The goals: no false auto link
// (auto precision ≥ 0.999), auto+suspected recall ≥ 0.95, no hard negative
// auto-linked. Larger corpora: see BENCHMARKS.md.
func TestQuality(t *testing.T) {
	if testing.Short() {
		t.Skip("generates and ingests a corpus")
	}
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "hotich.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	cfg := samples.DefaultConfig()
	cfg.Entries, cfg.Seed = *qualityEntries, 4
	dir := storetest.IngestCorpus(t, db, cfg)

	var jobs []linkage.Job
	for _, reg := range registry.Registers {
		jobs = append(jobs, linkage.Job{Register: reg})
	}
	linker := linkage.New(nil, linkage.Options{})
	results, err := linker.Run(ctx, db, jobs...)
	if err != nil {
		t.Fatal(err)
	}
	var links []linkage.LinkedPair
	for _, res := range results {
		t.Logf("%s: %d entries, %d pairs compared, %d auto, %d suspected (model %s)", res.Register, res.Entries, res.Candidates, res.Auto, res.Suspected, res.Model.Method)
		for _, p := range res.Pairs {
			links = append(links, linkage.LinkedPair{A: p.A, B: p.B, Status: p.Status})
		}
	}
	f, err := os.Open(filepath.Join(dir, "truth", "pairs.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	truth, err := linkage.ReadTruth(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	q := linkage.Evaluate(truth, links)
	br, err := linker.BlockingRecall(ctx, db, truth)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d true pairs; blocking recall %.4f", q.Duplicates, br["all"])
	t.Logf("auto:           precision %.4f recall %.4f F1 %.4f (%d links)", q.Auto.Precision, q.Auto.Recall, q.Auto.F1, q.Auto.Predicted)
	t.Logf("auto+suspected: precision %.4f recall %.4f F1 %.4f (%d links)", q.AutoSuspected.Precision, q.AutoSuspected.Recall, q.AutoSuspected.F1, q.AutoSuspected.Predicted)
	for kind, n := range q.HardNegatives {
		t.Logf("hard negatives %s: %d pairs, %d auto, %d suspected", kind, n.Pairs, n.Auto, n.Suspected)
	}

	if q.Duplicates < 200 {
		t.Fatalf("only %d true pairs in the corpus", q.Duplicates)
	}
	if q.Auto.Precision < 0.999 {
		t.Errorf("auto precision %.4f < 0.999; false auto links: %v", q.Auto.Precision, q.FalseAuto)
	}
	if q.AutoSuspected.Recall < 0.95 {
		t.Errorf("auto+suspected recall %.4f < 0.95; missed: %v", q.AutoSuspected.Recall, q.Missed)
	}
	if br["all"] < 0.99 {
		t.Errorf("blocking recall %.4f < 0.99", br["all"])
	}
	for _, kind := range []string{"twins", "siblings", "father_son", "common_name"} {
		n := q.HardNegatives[kind]
		if n == nil || n.Pairs == 0 {
			t.Errorf("no %s in the corpus", kind)
			continue
		}
		if n.Auto != 0 {
			t.Errorf("%d of %d %s auto-linked", n.Auto, n.Pairs, kind)
		}
	}
}
