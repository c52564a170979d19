package main

import (
	"context"
	"flag"

	"github.com/hotich/hotich/registry/sqlite"
)

// defaultDB is the store used when neither --db nor HOTICH_DB names one.
const defaultDB = "hotich.db"

// dbFlag adds the --db flag shared by the commands that use the store.
func dbFlag(fs *flag.FlagSet) *string {
	return fs.String("db", "", "store file (default $HOTICH_DB, else ./"+defaultDB+")")
}

// openStore opens the store named by --db, HOTICH_DB or the default.
func openStore(ctx context.Context, e *env, path string) (*sqlite.DB, error) {
	if path == "" {
		path = e.getenv("HOTICH_DB")
	}
	if path == "" {
		path = defaultDB
	}
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		return nil, err
	}
	db.Now = e.now
	return db, nil
}
