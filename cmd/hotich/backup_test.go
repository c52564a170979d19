package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestBackupDuringIngest takes a backup while an ingest process writes,
// restores it, checks the restored store, and finishes the ingest on it:
// the result is the store an uninterrupted ingest gives, so the backup was
// a consistent committed state of the source.
func TestBackupDuringIngest(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	batches := crashCorpus(t, 6000)
	work := t.TempDir()
	src := filepath.Join(work, "src.db")
	ingestArgs := func(db string) []string {
		return []string{"ingest", "--db", db, "--rejects", filepath.Join(work, "r-"+filepath.Base(db)), "--quiet", "--commit-rows", "300", batches}
	}
	cmd := childCommand(ingestArgs(src)...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for progress(t, src) < 2000 {
		time.Sleep(5 * time.Millisecond)
	}
	backup := filepath.Join(work, "backup.db")
	stdout, errOut, code := cli(t, nil, "backup", "--db", src, "--out", backup)
	if code != 0 {
		t.Fatalf("backup: exit %d\n%s%s", code, stdout, errOut)
	}
	running := cmd.ProcessState == nil
	if err := cmd.Wait(); err != nil {
		t.Fatalf("ingest: %v\n%s", err, out.String())
	}
	if !running {
		t.Log("the ingest ended before the backup began")
	}
	want, _, _ := cli(t, nil, "export", "--format", "jsonl", "--db", src)

	restored := filepath.Join(work, "restored.db")
	stdout, errOut, code = cli(t, nil, "restore", "--from", backup, "--db", restored)
	if code != 0 || !strings.Contains(stdout, "Kho dữ liệu nhất quán") {
		t.Fatalf("restore: exit %d\n%s%s", code, stdout, errOut)
	}
	partial, _, _ := cli(t, nil, "export", "--format", "jsonl", "--db", restored)
	if partial == want {
		t.Log("the backup holds the whole ingest")
	}
	issueCLI(t, nil, ingestArgs(restored)...)
	mustCheck(t, restored)
	if got, _, _ := cli(t, nil, "export", "--format", "jsonl", "--db", restored); got != want {
		t.Errorf("ingest resumed on the restored backup differs from the source (%d vs %d bytes)", len(got), len(want))
	}

	// A second restore onto the store needs --replace.
	if _, _, code := cli(t, nil, "restore", "--from", backup, "--db", restored); code != exitFailure {
		t.Errorf("restore over a store without --replace: exit %d", code)
	}
	issueCLI(t, nil, "restore", "--from", backup, "--db", restored, "--replace")
	if got, _, _ := cli(t, nil, "export", "--format", "jsonl", "--db", restored); got != partial {
		t.Errorf("restore --replace did not give the backup's store back")
	}
	if _, err := os.Stat(backup + ".sha256"); err != nil {
		t.Error(err)
	}
}
