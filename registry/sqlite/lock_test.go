package sqlite_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hotich/hotich/registry"
	"github.com/hotich/hotich/registry/sqlite"
	"github.com/hotich/hotich/registry/storetest"
)

// openOther opens a second handle on a store, as another process would.
func openOther(tb testing.TB, path string) *sqlite.DB {
	tb.Helper()
	db, err := sqlite.OpenExisting(context.Background(), path)
	if err != nil {
		tb.Fatal(err)
	}
	db.Now = func() time.Time { return storetest.Clock }
	tb.Cleanup(func() { db.Close() })
	return db
}

// TestReadersDoNotWaitForWriter: while a writer holds the store's write
// lock, opening the store and reading from it go ahead. Opening used to
// check the migrations in a write transaction and waited 10 s for the
// writer, then failed with "database is locked".
func TestReadersDoNotWaitForWriter(t *testing.T) {
	db := MustOpenDB(t)
	storetest.WriteBatch(t, db, "a.csv", storetest.ScanRow{Rec: storetest.Birth(1, "Nguyễn Văn An", nil)})
	tx, err := db.SQL().Begin() // BEGIN IMMEDIATE: the write lock
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.Exec(`INSERT INTO events (at, kind) VALUES ('2025-06-09T08:00:00Z', 'test')`); err != nil {
		t.Fatal(err)
	}
	// Far below the 10 s busy timeout: a reader that waited for the
	// writer would run into it.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	reader, err := sqlite.OpenExisting(ctx, db.Path())
	if err != nil {
		t.Fatalf("open while a writer works: %v", err)
	}
	defer reader.Close()
	if _, err := reader.FindRecordByID(ctx, storetest.ID(1)); err != nil {
		t.Fatalf("read while a writer works: %v", err)
	}
	if recs, err := reader.FindRecords(ctx, registry.RecordFilter{Name: "nguyen van an"}); err != nil || len(recs) != 1 {
		t.Fatalf("search while a writer works: %d, %v", len(recs), err)
	}
}

// TestOpenExistingCreatesNothing: a mistyped store path is an error and
// leaves no file behind.
func TestOpenExistingCreatesNothing(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "nothere.db")
	_, err := sqlite.OpenExisting(context.Background(), path)
	if registry.ErrorCode(err) != registry.ENOTFOUND {
		t.Fatalf("OpenExisting(missing) = %v, want ENOTFOUND", err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("files left: %v", ents)
	}
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("store created: %v", err)
	}
	notDB := filepath.Join(dir, "notes.txt")
	os.WriteFile(notDB, []byte(strings.Repeat("không phải SQLite\n", 100)), 0o644)
	if _, err := sqlite.OpenExisting(context.Background(), notDB); registry.ErrorCode(err) != registry.EINVALID {
		t.Errorf("OpenExisting(text file) = %v, want EINVALID", err)
	}
}

// TestBulkLock: one bulk job at a time; the second is told who runs, and
// either waits its turn or is refused as busy.
func TestBulkLock(t *testing.T) {
	ctx := context.Background()
	a := MustOpenDB(t)
	b := openOther(t, a.Path())
	release, err := a.LockBulk(ctx, "ingest", nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = b.LockBulk(ctx, "ingest", nil)
	if registry.ErrorCode(err) != registry.EBUSY || !strings.Contains(registry.ErrorMessage(err), "một lần nhập khác đang chạy (pid ") {
		t.Fatalf("second lock without waiting: %v, want EBUSY naming the holder", err)
	}
	var told []registry.LockHolder
	got := make(chan error, 1)
	go func() {
		rel, err := b.LockBulk(ctx, "import", func(h registry.LockHolder) { told = append(told, h) })
		if err == nil {
			defer rel()
		}
		got <- err
	}()
	select {
	case err := <-got:
		t.Fatalf("second lock granted while the first is held (%v)", err)
	case <-time.After(300 * time.Millisecond):
	}
	release()
	if err := <-got; err != nil {
		t.Fatal(err)
	}
	if len(told) != 1 || told[0].PID != os.Getpid() || told[0].Job != "ingest" {
		t.Errorf("waiter was told %+v, want this process's ingest", told)
	}
	if !strings.HasSuffix(sqlite.BusyMessage(told[0]), "— đang chờ") {
		t.Errorf("BusyMessage = %q", sqlite.BusyMessage(told[0]))
	}
}

// TestShortWriteGoesBeforeNextBulkTransaction: a clerk's write that
// arrives while a bulk writer's transaction is open commits before the
// bulk writer's next transaction, however quickly that one starts. Without
// the intent lock, SQLite's busy handler lets the bulk writer win the race
// again and again.
func TestShortWriteGoesBeforeNextBulkTransaction(t *testing.T) {
	ctx := context.Background()
	bulk := MustOpenDB(t)
	storetest.WriteBatch(t, bulk, "a.csv", storetest.ScanRow{Rec: storetest.Birth(1, "Nguyễn Văn An", nil)})
	clerk := openOther(t, bulk.Path())

	w, err := bulk.BeginBatch(ctx, &registry.Batch{FileName: "b.csv", Path: "b.csv", Hash: strings.Repeat("b", 64), Register: registry.Birth, Container: "csv", Header: []string{"ho_ten"}})
	if err != nil {
		t.Fatal(err)
	}
	write := func(n int) {
		if _, err := w.Write(ctx, registry.Row{N: n, Raw: []string{"x"}, Record: storetest.Birth(100+n, "Lê Văn Tám", nil)}); err != nil {
			t.Fatal(err)
		}
	}
	write(1) // the bulk writer's transaction is open

	var wg sync.WaitGroup
	var corrErr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		corrErr = storetest.Reviewer(clerk).Correct(ctx, storetest.ID(1), "noi_sinh", "Bệnh viện Hùng Vương", "Lê Thị Mai", "QĐ 12/QĐ-UBND")
	}()
	time.Sleep(300 * time.Millisecond) // the clerk is queued
	if err := w.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	write(2) // the next transaction starts at once and stays open
	time.Sleep(300 * time.Millisecond)
	if err := w.Finish(ctx); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	if corrErr != nil {
		t.Fatal(corrErr)
	}
	var corrSeq, chunkSeq int64
	bulk.SQL().QueryRow(`SELECT seq FROM events WHERE kind = 'record_corrected'`).Scan(&corrSeq)
	bulk.SQL().QueryRow(`SELECT MAX(seq) FROM events WHERE kind = 'ingest_chunk'`).Scan(&chunkSeq)
	if corrSeq == 0 || corrSeq > chunkSeq {
		t.Errorf("correction at seq %d, the bulk writer's next chunk at %d: the clerk waited for a second bulk transaction", corrSeq, chunkSeq)
	}
}
