package accounts

import (
	"context"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hotich/hotich/registry"
	"github.com/hotich/hotich/registry/sqlite"
)

// slowAudit is a store whose first append waits until released, and which
// counts the appends (write transactions) and the entries.
type slowAudit struct {
	*sqlite.DB
	release chan struct{}
	calls   atomic.Int32
	entries atomic.Int32
}

func (s *slowAudit) AppendAudit(ctx context.Context, es ...*registry.AuditEntry) error {
	if s.calls.Add(1) == 1 {
		<-s.release
	}
	s.entries.Add(int32(len(es)))
	return s.DB.AppendAudit(ctx, es...)
}

// TestAuditGroupCommit: the entries of requests that arrive while an
// append is under way (waiting for the store's write lock behind an
// ingest, say) are appended together in the next transaction, not one
// transaction each; each request still returns only once its entry is
// written, and the chain verifies.
func TestAuditGroupCommit(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "hotich.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	store := &slowAudit{DB: db, release: make(chan struct{})}
	a := &Auditor{Store: store}
	const n = 20
	var wg sync.WaitGroup
	errs := make(chan error, n)
	record := func(i int) {
		defer wg.Done()
		errs <- a.Record(ctx, Actor{Username: "lan", Unit: "26740", Addr: "10.0.0.5"}, AuditSearch, "", "lần "+string(rune('A'+i)))
	}
	wg.Add(1)
	go record(0)
	for store.calls.Load() == 0 { // the first append is under way
		time.Sleep(time.Millisecond)
	}
	for i := 1; i < n; i++ {
		wg.Add(1)
		go record(i)
	}
	deadline := time.Now().Add(5 * time.Second)
	for a.queued() < n-1 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	close(store.release)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if c, e := store.calls.Load(), store.entries.Load(); c != 2 || e != n {
		t.Errorf("%d entries in %d appends, want %d in 2 (the first, then the others together)", e, c, n)
	}
	if got, err := registry.VerifyAuditChain(func(fn func(*registry.AuditEntry) error) error { return db.EachAudit(ctx, fn) }); err != nil || got != n {
		t.Errorf("verify: %d %v", got, err)
	}
}
