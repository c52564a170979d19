package main

import (
	"context"
	"flag"
	"fmt"
	"time"

	"github.com/hotich/hotich/registry"
	"github.com/hotich/hotich/registry/sqlite"
)

// defaultDB is the store used when neither --db nor HOTICH_DB names one.
const defaultDB = "hotich.db"

// dbFlag adds the --db flag shared by the commands that use the store.
func dbFlag(fs *flag.FlagSet) *string {
	return fs.String("db", "", "store file (default $HOTICH_DB, else ./"+defaultDB+")")
}

// storePath resolves --db, HOTICH_DB and the default.
func storePath(e *env, path string) string {
	if path == "" {
		path = e.getenv("HOTICH_DB")
	}
	if path == "" {
		path = defaultDB
	}
	return path
}

// openStore opens the existing store named by --db, HOTICH_DB or the
// default. It never creates one: a mistyped path says so.
func openStore(ctx context.Context, e *env, path string) (registry.Store, error) {
	path = storePath(e, path)
	db, err := sqlite.OpenExisting(ctx, path)
	if registry.ErrorCode(err) == registry.ENOTFOUND {
		return nil, registry.Errorf(registry.ENOTFOUND, "%s. Kiểm tra --db hoặc HOTICH_DB; kho mới chỉ được tạo bởi hotich ingest, import, restore hoặc keys init", registry.ErrorMessage(err))
	}
	if err != nil {
		return nil, err
	}
	return wire(e, db), nil
}

// wire gives a store the command's clock and logger, and logs what opening
// it had to do.
func wire(e *env, db *sqlite.DB) *sqlite.DB {
	db.Now, db.Log = e.now, e.log
	for _, b := range db.IndexBuilds {
		e.log.Info("built search index", "index", b.Name, "took", b.Took.Round(time.Millisecond))
	}
	return db
}

// createStore opens the store, creating it if it does not exist: for the
// commands that build a store.
func createStore(ctx context.Context, e *env, path string) (registry.Store, error) {
	db, err := sqlite.Open(ctx, storePath(e, path))
	if err != nil {
		return nil, err
	}
	return wire(e, db), nil
}

// restoreStore restores the store at path from a backup.
func restoreStore(ctx context.Context, e *env, from, path string, replace bool) (registry.Store, error) {
	db, err := sqlite.Restore(ctx, from, path, replace)
	if err != nil {
		return nil, err
	}
	return wire(e, db), nil
}

// noWaitFlag adds --no-wait to a command that runs a bulk job.
func noWaitFlag(fs *flag.FlagSet) *bool {
	return fs.Bool("no-wait", false, "if another bulk job (ingest, import, dedup, restore) holds the store, exit with status 5 instead of waiting")
}

// lockBulk takes the store's bulk lock for job. While another process
// holds it, it says who on standard error and waits its turn; with noWait
// it returns an EBUSY error (exit status 5) instead.
func lockBulk(ctx context.Context, e *env, db registry.Store, job string, noWait bool) (release func(), err error) {
	wait := func(h registry.LockHolder) { fmt.Fprintf(e.stderr, "hotich: %s\n", sqlite.BusyMessage(h)) }
	if noWait {
		wait = nil
	}
	return db.LockBulk(ctx, job, wait)
}
