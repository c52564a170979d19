package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/hotich/hotich/registry/sqlite"
)

// childCommand starts the test binary as hotich with args.
func childCommand(args ...string) *exec.Cmd {
	b, _ := json.Marshal(args)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+string(b))
	return cmd
}

// TestTwoIngestsAtOnce starts two ingest processes on one new store at the
// same moment. The second used to fail dozens of files on "UNIQUE
// constraint failed: records.id" (each process cached the IDs the store
// held when it started) and first runs collided on seeding. Now one waits
// its turn, saying who runs, and the store ends up as one run makes it.
func TestTwoIngestsAtOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	batches := crashCorpus(t, 3000)
	work := t.TempDir()
	clean := filepath.Join(work, "clean.db")
	issueCLI(t, nil, "ingest", "--db", clean, "--rejects", filepath.Join(work, "r0"), "--quiet", batches)
	want, _, _ := cli(t, nil, "export", "--format", "jsonl", "--db", clean)

	shared := filepath.Join(work, "shared.db")
	var wg sync.WaitGroup
	outs := make([]bytes.Buffer, 2)
	errs := make([]error, 2)
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd := childCommand("ingest", "--db", shared, "--rejects", filepath.Join(work, "r1"), "--quiet", "--commit-rows", "500", batches)
			cmd.Stdout, cmd.Stderr = &outs[i], &outs[i]
			errs[i] = cmd.Run()
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("ingest %d: %v\n%s", i, err, outs[i].String())
		}
	}
	waited := strings.Contains(outs[0].String()+outs[1].String(), "một lần nhập khác đang chạy (pid ")
	if !waited {
		t.Logf("the runs did not overlap (no wait message):\n%s\n%s", outs[0].String(), outs[1].String())
	}
	mustCheck(t, shared)
	if got, _, _ := cli(t, nil, "export", "--format", "jsonl", "--db", shared); got != want {
		t.Errorf("two ingests at once give another store than one (%d vs %d bytes)", len(got), len(want))
	}

	// --no-wait refuses with exit status 5 while another ingest runs.
	release := holdBulkLock(t, shared)
	defer release()
	_, errOut, code := cli(t, nil, "ingest", "--db", shared, "--quiet", "--no-wait", batches)
	if code != exitBusy || !strings.Contains(errOut, "đang chạy (pid") {
		t.Errorf("--no-wait while busy: exit %d, want %d\n%s", code, exitBusy, errOut)
	}
}

// holdBulkLock takes a store's bulk lock as another ingest would.
func holdBulkLock(t *testing.T, path string) func() {
	t.Helper()
	db, err := sqlite.OpenExisting(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	release, err := db.LockBulk(context.Background(), "ingest", nil)
	if err != nil {
		db.Close()
		t.Fatal(err)
	}
	return func() { release(); db.Close() }
}
