package storetest

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/hotich/hotich/ingest"
	"github.com/hotich/hotich/registry"
	"github.com/hotich/hotich/samples"
)

// IngestCorpus generates a sample corpus by cfg and ingests it into
// store: the realistic store that benchmarks and quality tests work on. It
// returns the corpus folder, whose truth/ the tests score against.
func IngestCorpus(tb testing.TB, store registry.BatchService, cfg samples.Config) (dir string) {
	tb.Helper()
	ctx := context.Background()
	dir = tb.TempDir()
	if _, err := samples.Generate(ctx, cfg, dir); err != nil {
		tb.Fatal(err)
	}
	if _, err := ingest.New(store, ingest.Options{}).Run(ctx, []string{filepath.Join(dir, "batches")}); err != nil {
		tb.Fatal(err)
	}
	return dir
}
