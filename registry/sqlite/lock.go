package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/hotich/hotich/registry"
)

// Writers of one store, across processes.
//
// SQLite lets one connection write at a time and makes the others wait
// (busy_timeout); it does not queue them fairly. Two locks beside the store
// file give the writers an order:
//
//   - the bulk lock (STORE-writer.lock) is held for a whole bulk job:
//     an ingest, an import, a linkage run, a restore. One runs at a time;
//     the next waits its turn (or is refused as busy), so no two processes
//     build records from stale caches of what the store holds. The file
//     says who holds it.
//   - the intent lock (STORE-intent.lock) is held shared by a short writer
//     (a clerk issuing a copy, a reviewer's decision) from before it asks
//     SQLite for the write lock until it commits. A bulk writer, which
//     commits often and starts its next transaction at once, first takes
//     the intent lock exclusively for a moment: it waits while any short
//     writer is queued, so a short write waits at most for the bulk
//     writer's current transaction.
//
// Both are advisory flock(2) locks, released by the kernel when a process
// dies, so a killed job never leaves the store locked.

func (db *DB) bulkLockPath() string   { return db.path + "-writer.lock" }
func (db *DB) intentLockPath() string { return db.path + "-intent.lock" }

// lockPoll is how often a waiting lock is tried again.
const lockPoll = 50 * time.Millisecond

// LockBulk takes the store's bulk lock for job ("ingest", "import", …)
// and returns the function that releases it. When another process holds it,
// LockBulk calls wait once with the holder and then waits for its turn,
// until ctx is done; with a nil wait it returns an EBUSY error at once.
// A DB that holds the bulk lock takes it again without waiting.
func (db *DB) LockBulk(ctx context.Context, job string, wait func(registry.LockHolder)) (release func(), err error) {
	db.lockMu.Lock()
	defer db.lockMu.Unlock()
	if db.bulk != nil {
		db.bulkDepth++
		return db.releaseBulk, nil
	}
	f, err := os.OpenFile(db.bulkLockPath(), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("bulk lock: %w", err)
	}
	got, err := tryLock(f, true)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("bulk lock: %w", err)
	}
	if !got {
		holder := readHolder(f)
		if wait == nil {
			f.Close()
			return nil, registry.Errorf(registry.EBUSY, "%s", busyMessage(holder, "kho dữ liệu đang bận"))
		}
		wait(holder)
		if err := waitLock(ctx, f, true); err != nil {
			f.Close()
			return nil, err
		}
	}
	h, _ := json.Marshal(registry.LockHolder{PID: os.Getpid(), Job: job, Since: time.Now().Truncate(time.Second)})
	if err := f.Truncate(0); err == nil {
		f.WriteAt(h, 0)
	}
	db.bulk, db.bulkDepth = f, 1
	// Another process may have added records since the ID filter was
	// built.
	db.filter = nil
	return db.releaseBulk, nil
}

// holdBulk takes the bulk lock for the rest of the handle's life unless it
// is held already, waiting for its turn.
func (db *DB) holdBulk(ctx context.Context, job string) error {
	if db.holdsBulk() {
		return nil
	}
	_, err := db.LockBulk(ctx, job, func(registry.LockHolder) {})
	return err
}

func (db *DB) releaseBulk() {
	db.lockMu.Lock()
	defer db.lockMu.Unlock()
	if db.bulk == nil {
		return
	}
	if db.bulkDepth--; db.bulkDepth > 0 {
		return
	}
	db.bulk.Truncate(0)
	unlock(db.bulk)
	db.bulk.Close()
	db.bulk = nil
}

// holdsBulk reports whether this DB holds the bulk lock.
func (db *DB) holdsBulk() bool {
	db.lockMu.Lock()
	defer db.lockMu.Unlock()
	return db.bulk != nil
}

// bulkRunning reports whether another process holds the bulk lock now.
func (db *DB) bulkRunning() bool {
	if db.holdsBulk() {
		return false
	}
	f, err := os.OpenFile(db.bulkLockPath(), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return false
	}
	defer f.Close()
	got, err := tryLock(f, true)
	if err != nil || !got {
		return err == nil
	}
	unlock(f)
	return false
}

func readHolder(f *os.File) registry.LockHolder {
	var h registry.LockHolder
	buf := make([]byte, 512)
	n, _ := f.ReadAt(buf, 0)
	json.Unmarshal(buf[:n], &h)
	return h
}

// busyMessage says who holds the store, in Vietnamese:
// "một lần nhập khác đang chạy (pid 4711, từ 10:02)".
func busyMessage(h registry.LockHolder, fallback string) string {
	what := map[string]string{
		"ingest":  "một lần nhập khác",
		"import":  "một lần nhập bản trao đổi khác",
		"dedup":   "một lần tìm trùng khác",
		"restore": "một lần khôi phục khác",
	}[h.Job]
	if what == "" {
		what = fallback
	}
	if h.PID == 0 {
		return what + " đang chạy"
	}
	return fmt.Sprintf("%s đang chạy (pid %d, từ %s)", what, h.PID, h.Since.In(registry.Vietnam).Format("15:04 02/01/2006"))
}

// BusyMessage is the message LockBulk's wait callback shows while it
// waits: "… — đang chờ".
func BusyMessage(h registry.LockHolder) string {
	return busyMessage(h, "một công việc khác trên kho") + " — đang chờ"
}

// intent returns the intent lock file, opened once.
func (db *DB) intentFile() (*os.File, error) {
	db.intentOnce.Do(func() {
		db.intent, db.intentErr = os.OpenFile(db.intentLockPath(), os.O_RDWR|os.O_CREATE, 0o644)
	})
	return db.intent, db.intentErr
}

// yieldToShortWriters lets the short writers queued on the intent lock go
// first; a bulk writer calls it before each of its transactions.
func (db *DB) yieldToShortWriters(ctx context.Context) error {
	f, err := db.intentFile()
	if err != nil {
		return err
	}
	if err := waitLock(ctx, f, true); err != nil {
		return err
	}
	return unlock(f)
}

// shortWriterWaiting reports whether a short writer holds the intent lock:
// it waits for the write lock, or is about to.
func (db *DB) shortWriterWaiting() bool {
	f, err := db.intentFile()
	if err != nil {
		return false
	}
	got, err := tryLock(f, true)
	if err != nil || !got {
		return err == nil
	}
	unlock(f)
	return false
}

// writeTx is a short write transaction, announced on the intent lock.
type writeTx struct {
	*sql.Tx
	once    sync.Once
	release func()
}

// Commit commits and releases the intent lock.
func (t *writeTx) Commit() error {
	defer t.done()
	return t.Tx.Commit()
}

// Rollback rolls back (when not committed) and releases the intent lock.
func (t *writeTx) Rollback() error {
	defer t.done()
	return t.Tx.Rollback()
}

func (t *writeTx) done() { t.once.Do(t.release) }

// beginWrite starts a short write transaction: it takes the intent lock
// shared, so that a bulk writer lets it in between two transactions, then
// SQLite's write lock (BEGIN IMMEDIATE, per the DSN).
func (db *DB) beginWrite(ctx context.Context) (*writeTx, error) {
	if err := db.holdIntent(ctx); err != nil {
		return nil, err
	}
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		db.releaseIntent()
		return nil, busyError(err)
	}
	return &writeTx{Tx: tx, release: db.releaseIntent}, nil
}

// holdIntent counts a short writer of this process in, taking the intent
// lock shared for the first. The short writers of a process share one
// open file, and an flock belongs to the open file: unlocking it for one
// writer would release it for all, and the bulk writer would stop letting
// the others in.
func (db *DB) holdIntent(ctx context.Context) error {
	f, err := db.intentFile()
	if err != nil {
		return err
	}
	db.intentMu.Lock()
	defer db.intentMu.Unlock()
	if db.intentHolders == 0 {
		// A bulk writer holds it exclusively only between two of its
		// transactions, for no time.
		if err := waitLock(ctx, f, false); err != nil {
			return err
		}
	}
	db.intentHolders++
	return nil
}

// releaseIntent counts a short writer out, releasing the intent lock after
// the last.
func (db *DB) releaseIntent() {
	db.intentMu.Lock()
	defer db.intentMu.Unlock()
	if db.intentHolders--; db.intentHolders == 0 {
		unlock(db.intent)
	}
}

// busyError turns SQLite's "database is locked" after the busy timeout
// into an EBUSY error a clerk can act on.
func busyError(err error) error {
	if err != nil && (strings.Contains(err.Error(), "database is locked") || strings.Contains(err.Error(), "SQLITE_BUSY")) {
		return registry.Errorf(registry.EBUSY, "kho dữ liệu đang bận ghi quá lâu, vui lòng thử lại sau ít phút (%v)", err)
	}
	return err
}

// waitLock takes a lock, polling until ctx is done.
func waitLock(ctx context.Context, f *os.File, exclusive bool) error {
	for {
		got, err := tryLock(f, exclusive)
		if err != nil || got {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(lockPoll):
		}
	}
}

var errNoLocks = errors.New("file locks are not supported on this system")

// beginBulkTx starts one transaction of a bulk writer, after letting queued
// short writers go first.
func (db *DB) beginBulkTx(ctx context.Context) (*writeTx, error) {
	if err := db.yieldToShortWriters(ctx); err != nil {
		return nil, err
	}
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, busyError(err)
	}
	return &writeTx{Tx: tx, release: func() {}}, nil
}

// txer is what statements run on: a transaction, plain or announced.
type txer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
}
