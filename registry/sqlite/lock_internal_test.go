package sqlite

import (
	"context"
	"path/filepath"
	"testing"
	"time"
)

// TestShortWritersHoldIntentTogether: the short writers of one process
// share one open file of the intent lock, and an flock belongs to the open
// file, not to the goroutine: the first writer to finish used to release
// the lock for all, so a bulk writer in another process no longer saw the
// others waiting and kept them out for a whole transaction (seconds, in
// the desk's load run). The lock is now held while any of them runs.
func TestShortWritersHoldIntentTogether(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "hotich.db")
	desk, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer desk.Close()
	ingest, err := OpenExisting(ctx, path) // as another process
	if err != nil {
		t.Fatal(err)
	}
	defer ingest.Close()

	first, err := desk.beginWrite(ctx)
	if err != nil {
		t.Fatal(err)
	}
	second := make(chan *writeTx, 1)
	go func() {
		tx, err := desk.beginWrite(ctx) // waits for SQLite's write lock
		if err != nil {
			t.Error(err)
		}
		second <- tx
	}()
	time.Sleep(100 * time.Millisecond)
	if !ingest.shortWriterWaiting() {
		t.Fatal("two short writers under way, and the bulk writer sees none")
	}
	if err := first.Commit(); err != nil {
		t.Fatal(err)
	}
	tx := <-second
	if tx == nil {
		t.FailNow()
	}
	if !ingest.shortWriterWaiting() {
		t.Error("the first short writer's commit released the intent lock of the second, still under way")
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if ingest.shortWriterWaiting() {
		t.Error("no short writer under way, and the intent lock is still held")
	}
}
