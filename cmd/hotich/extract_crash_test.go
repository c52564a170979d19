package main

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hotich/hotich/registry"
	"github.com/hotich/hotich/registry/sqlite"
)

// TestExtractBatchSurvivesSIGKILL kills real extract --batch processes
// mid-batch and runs the same command again until it finishes: every ID
// gets exactly one copy from the batch (no second serial for a record),
// every copy the log holds has its file, byte for byte as logged
// (including any the killed run logged but had not written, and one
// deleted here), no temporary file is left, and hotich check finds the
// store sound.
func TestExtractBatchSurvivesSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills processes")
	}
	envv, clean, _ := extractStore(t)
	dbPath := envv["HOTICH_DB"]
	// More entries, enough for a run to be killed in the middle.
	var ids []string
	recs := []*registry.Record{clean}
	for i := range 400 {
		recs = append(recs, extractEntry(fmt.Sprintf("%d", 1000+i), fmt.Sprintf("0793100%05d", 20000+i)))
	}
	importRecords(t, dbPath, recs[1:]...)
	for _, r := range recs {
		ids = append(ids, r.ID)
	}
	work := t.TempDir()
	list := filepath.Join(work, "ids.txt")
	if err := os.WriteFile(list, []byte(strings.Join(ids, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(work, "ban-sao")
	start := func() *childProc {
		cmd := childCommand("extract", "--batch", list, "-o", out)
		for k, v := range envv {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
		return startChild(t, cmd)
	}

	kills := 0
	for _, at := range []int{1, 120, 250} {
		c := start()
		if c.waitFor(func() bool { return issuedCount(t, dbPath) >= at }, 60*time.Second) {
			c.kill()
			kills++
		}
		t.Logf("kill at >= %d issues: %d logged", at, issuedCount(t, dbPath))
	}
	if kills < 2 {
		t.Fatalf("only %d runs were killed mid-batch", kills)
	}
	// A file lost after its issue was logged.
	files, _ := filepath.Glob(filepath.Join(out, "*.pdf"))
	if len(files) == 0 {
		t.Fatal("the killed runs wrote no file")
	}
	os.Remove(files[0])
	if missing := issuedCount(t, dbPath) - len(files) + 1; missing > 0 {
		t.Logf("%d logged copies have no file before the last run", missing)
	}

	c := start()
	if !c.waitFor(func() bool { return false }, 0) || c.err != nil {
		t.Fatalf("final run: %v\n%s", c.err, c.output())
	}
	if !strings.Contains(c.output(), "đã cấp") {
		t.Errorf("final run says:\n%s", c.output())
	}

	db, err := sql.Open("sqlite3", "file:"+dbPath+"?mode=ro&_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT f.batch_item, i.serial, i.document_sha256, COUNT(*) OVER (PARTITION BY f.batch_item)
		FROM extract_issues i JOIN extract_issue_files f ON f.issue_id = i.id WHERE f.batch_id IS NOT NULL`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	seen := map[string]bool{}
	for rows.Next() {
		var item, serial, sum string
		var n int
		if err := rows.Scan(&item, &serial, &sum, &n); err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			t.Errorf("%s has %d copies from the batch, want 1", item, n)
		}
		seen[item] = true
		name := strings.ReplaceAll(serial, "/", "-") + "_" + item + ".pdf"
		b, err := os.ReadFile(filepath.Join(out, name))
		got := sha256.Sum256(b)
		if err != nil || hex.EncodeToString(got[:]) != sum {
			t.Errorf("%s: the file is not the copy logged (%v)", name, err)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		if !seen[id] {
			t.Errorf("%s has no copy after the batch finished", id)
		}
	}
	if left, _ := filepath.Glob(filepath.Join(out, ".hotich-tmp-*")); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
	if all, _ := filepath.Glob(filepath.Join(out, "*.pdf")); len(all) != len(ids) {
		t.Errorf("%d files for %d IDs", len(all), len(ids))
	}
	mustCheck(t, dbPath)
	t.Logf("%d kills; %d copies, one each", kills, len(seen))
}

// issuedCount returns the copies logged so far, read through a separate
// read-only connection while the batch runs.
func issuedCount(t *testing.T, path string) int {
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro&_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(`SELECT COUNT(*) FROM extract_issues`).Scan(&n); err != nil {
		return 0
	}
	return n
}

// childProc is a hotich child process started by a test.
type childProc struct {
	t    *testing.T
	kill func()
	done chan error
	err  error
	buf  *strings.Builder
}

func (c *childProc) output() string { return c.buf.String() }

// waitFor polls cond until it holds (true) or the process ends (false,
// with its error in c.err); a timeout of 0 waits for the end only.
func (c *childProc) waitFor(cond func() bool, timeout time.Duration) bool {
	c.t.Helper()
	deadline := time.After(time.Minute)
	if timeout > 0 {
		deadline = time.After(timeout)
	}
	for {
		select {
		case c.err = <-c.done:
			return timeout == 0
		case <-deadline:
			c.kill()
			c.t.Fatalf("child did not get there in time\n%s", c.output())
		case <-time.After(5 * time.Millisecond):
			if timeout > 0 && cond() {
				return true
			}
		}
	}
}

// startChild starts a child process, its output collected.
func startChild(t *testing.T, cmd *exec.Cmd) *childProc {
	t.Helper()
	c := &childProc{t: t, done: make(chan error, 1), buf: &strings.Builder{}}
	cmd.Stdout, cmd.Stderr = c.buf, c.buf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { c.done <- cmd.Wait() }()
	c.kill = func() {
		cmd.Process.Signal(syscall.SIGKILL)
		c.err = <-c.done
	}
	return c
}

// importRecords adds records to a store.
func importRecords(t *testing.T, path string, recs ...*registry.Record) {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	im := db.NewImporter("test")
	for _, r := range recs {
		if _, err := im.Record(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	if err := im.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
}
