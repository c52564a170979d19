// Package sqlite stores the registers in one embedded SQLite file: records
// and the batch rows they came from, rejects, flags, conflicts, reference
// data and an append-only event log. It is the only package that knows SQL.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mattn/go-sqlite3"

	"github.com/hotich/hotich/registry"
)

//go:embed migration/*.sql
var migrationFS embed.FS

// driverName is go-sqlite3 with the connection settings the DSN cannot
// carry. A bulk ingest writes hundreds of megabytes: checkpointing the WAL
// every 400 MiB instead of every 4 MiB spares most of the copying and syncs
// (a page written many times is copied once).
const driverName = "sqlite3_hotich"

func init() {
	sql.Register(driverName, &sqlite3.SQLiteDriver{
		ConnectHook: func(c *sqlite3.SQLiteConn) error {
			_, err := c.Exec(`PRAGMA wal_autocheckpoint = 100000`, nil)
			return err
		},
	})
}

// DB is an open store.
type DB struct {
	db   *sql.DB
	path string

	// Now returns the current time; tests set it for deterministic output.
	Now func() time.Time

	filter *idFilter // built by the first batch writer; see filter.go
	group  *group    // the bulk writer's open transaction; see batch.go

	// Log, if set, hears about slow maintenance the store does on its own
	// (building search indexes).
	Log *slog.Logger

	// IndexBuilds lists the search indexes this handle had to build (after
	// a bulk load, or when opening a store a killed bulk load left
	// without them), for the caller to report.
	IndexBuilds []IndexBuild

	namesMu  sync.Mutex
	names    batchNames // see batchNames
	namesMax int64

	refOnce sync.Once
	ref     *registry.RefData
	refErr  error

	// Locks ordering the store's writers across processes; see lock.go.
	lockMu     sync.Mutex
	bulk       *os.File // the bulk lock, while held
	bulkDepth  int
	intentOnce sync.Once
	intent     *os.File
	intentErr  error
	// intentHolders counts this process's short writers under way, which
	// hold the intent lock together (intentMu guards it); see holdIntent.
	intentMu      sync.Mutex
	intentHolders int
}

// Open opens the store at path, creating it if it does not exist, applies
// pending migrations and seeds the reference data. Only the commands that
// build a store (ingest, import, restore, key set-up) create one; everything
// else opens with OpenExisting.
func Open(ctx context.Context, path string) (*DB, error) {
	return open(ctx, path, "rwc")
}

// OpenExisting opens the store at path like Open, but never creates one: a
// mistyped path is an ENOTFOUND error, not a new empty store.
func OpenExisting(ctx context.Context, path string) (*DB, error) {
	st, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, registry.Errorf(registry.ENOTFOUND, "không có kho dữ liệu tại %s", path)
	case err != nil:
		return nil, registry.Errorf(registry.EINVALID, "không đọc được kho dữ liệu %s: %v", path, err)
	case !st.Mode().IsRegular():
		return nil, registry.Errorf(registry.EINVALID, "%s không phải một tệp kho dữ liệu", path)
	}
	return open(ctx, path, "rw")
}

// uriPath escapes the characters that end a path in an SQLite URI.
var uriPath = strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23")

func open(ctx context.Context, path, mode string) (*DB, error) {
	if path == "" {
		return nil, fmt.Errorf("open store: no path")
	}
	q := url.Values{}
	q.Set("mode", mode)
	q.Set("_journal_mode", "WAL")
	q.Set("_busy_timeout", "10000")
	q.Set("_foreign_keys", "on")
	q.Set("_txlock", "immediate")
	q.Set("_synchronous", "NORMAL")
	q.Set("_cache_size", "-65536") // 64 MiB page cache per connection
	// Keep each connection's most recent statements prepared: the driver
	// prepares every query afresh otherwise, which took a third of a
	// search's CPU time.
	q.Set("_stmt_cache_size", "64")
	dsn := "file:" + uriPath.Replace(path) + "?" + q.Encode()
	sdb, err := sql.Open(driverName, dsn)
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	db := &DB{db: sdb, path: path, Now: time.Now}
	if err := db.init(ctx); err != nil {
		db.Close()
		if strings.Contains(err.Error(), "file is not a database") {
			return nil, registry.Errorf(registry.EINVALID, "tệp %s không phải kho dữ liệu hotich (SQLite)", path)
		}
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	return db, nil
}

func (db *DB) init(ctx context.Context) error {
	var mode string
	if err := db.db.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		return err
	}
	if !strings.EqualFold(mode, "wal") {
		return fmt.Errorf("journal mode is %q, want wal", mode)
	}
	if err := db.migrate(ctx); err != nil {
		return err
	}
	if err := db.seed(ctx); err != nil {
		return err
	}
	// A bulk load killed before it rebuilt the search indexes left them
	// out: build them now, unless a bulk load is running (it builds them
	// when it ends).
	if db.bulkRunning() {
		return nil
	}
	return db.buildSearchIndexes(ctx)
}

// Close closes the store and releases its locks.
func (db *DB) Close() error {
	db.lockMu.Lock()
	if db.bulk != nil {
		db.bulkDepth = 1
		db.lockMu.Unlock()
		db.releaseBulk()
	} else {
		db.lockMu.Unlock()
	}
	if db.intent != nil {
		db.intent.Close()
	}
	return db.db.Close()
}

// Path returns the file the store lives in.
func (db *DB) Path() string { return db.path }

// SQL returns the underlying handle, for the store's own subpackages and
// tests that inspect tables directly.
func (db *DB) SQL() *sql.DB { return db.db }

func (db *DB) now() string { return db.Now().UTC().Format(time.RFC3339) }

// appendEvent adds an event to the log and returns its seq.
func appendEvent(ctx context.Context, tx txer, at, kind string, recordRID, batchID int64, actor string, detail any) (int64, error) {
	d := "{}"
	if detail != nil {
		b, err := json.Marshal(detail)
		if err != nil {
			return 0, err
		}
		d = string(b)
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO events (at, kind, record_rid, batch_id, actor, detail) VALUES (?, ?, ?, ?, ?, ?)`,
		at, kind, nullInt(recordRID), nullInt(batchID), actor, d)
	if err != nil {
		return 0, fmt.Errorf("append event %s: %w", kind, err)
	}
	return res.LastInsertId()
}

func nullInt(v int64) any {
	if v == 0 {
		return nil
	}
	return v
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// RecordEvents returns the events about a record, oldest first: its
// history.
func (db *DB) RecordEvents(ctx context.Context, id string) ([]registry.Event, error) {
	return db.queryEvents(ctx, `SELECT `+eventColumns+` FROM events e JOIN records r ON r.rid = e.record_rid WHERE r.id = ? ORDER BY e.seq`, strings.TrimSpace(id))
}

// eventColumns are the columns scanEvent reads, from events e joined to
// records r.
const eventColumns = `e.seq, e.at, e.kind, COALESCE(r.id, ''), COALESCE(e.batch_id, 0), e.actor, e.detail`

// scanEvent reads the columns of eventColumns.
func scanEvent(s scanner) (registry.Event, error) {
	var e registry.Event
	var detail string
	err := s.Scan(&e.Seq, &e.At, &e.Kind, &e.RecordID, &e.BatchID, &e.Actor, &detail)
	e.Detail = eventDetail(detail)
	return e, err
}

// queryEvents runs a query selecting eventColumns and returns its events.
func (db *DB) queryEvents(ctx context.Context, q string, args ...any) ([]registry.Event, error) {
	return queryAll(ctx, db.db, scanEvent, q, args...)
}

// eventDetail returns the scalar details (strings, numbers, booleans) of
// an event's JSON detail, sorted by key; nested objects and lists are left
// out.
func eventDetail(detail string) []registry.KeyValue {
	var m map[string]any
	if err := json.Unmarshal([]byte(detail), &m); err != nil {
		return nil
	}
	var kv []registry.KeyValue
	for k, v := range m {
		var s string
		switch v := v.(type) {
		case string:
			s = v
		case float64:
			s = strconv.FormatFloat(v, 'f', -1, 64)
		case bool:
			s = strconv.FormatBool(v)
		default:
			continue
		}
		kv = append(kv, registry.KeyValue{Key: k, Value: s})
	}
	sort.Slice(kv, func(i, j int) bool { return kv[i].Key < kv[j].Key })
	return kv
}

// LastSeq returns the seq of the newest event: the store's current watermark.
func (db *DB) LastSeq(ctx context.Context) (int64, error) {
	var seq int64
	err := db.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) FROM events`).Scan(&seq)
	return seq, err
}

var _ registry.Store = (*DB)(nil)

// scanner is a row to scan: *sql.Row or *sql.Rows.
type scanner interface{ Scan(...any) error }

// queryAll runs a query and scans every row it returns with scan.
func queryAll[T any](ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, scan func(scanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
