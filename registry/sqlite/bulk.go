package sqlite

import (
	"context"
	"fmt"
	"time"
)

// searchIndexes are the indexes on persons that lookups by name and by ID
// use. Their keys arrive in random order, so a bulk load maintains them at
// a few microseconds per person; building them once at the end, from
// sorted keys, costs a fraction of that.
var searchIndexes = []struct{ name, create string }{
	{"persons_name", `CREATE INDEX IF NOT EXISTS persons_name ON persons (name_fold, birth_year)`},
	{"persons_pid", `CREATE INDEX IF NOT EXISTS persons_pid ON persons (personal_id) WHERE personal_id IS NOT NULL`},
}

// bulkThreshold is the smallest load worth suspending the indexes for.
const bulkThreshold = 50000

// BulkLoad prepares the store for about rows new batch rows. When the load
// is large against what the store holds, the search indexes are dropped
// and the returned function builds them again; a run killed in between
// leaves them to the next Open, which builds any that are missing. Lookups
// by name or ID made meanwhile are slow but correct.
func (db *DB) BulkLoad(ctx context.Context, rows int) (done func(context.Context) error, err error) {
	noop := func(context.Context) error { return nil }
	if rows < bulkThreshold {
		return noop, nil
	}
	var stored int64
	if err := db.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(rid), 0) FROM records`).Scan(&stored); err != nil {
		return nil, err
	}
	if int64(rows) < stored/4 {
		return noop, nil // an increment: keeping the indexes up to date is cheaper
	}
	for _, ix := range searchIndexes {
		if _, err := db.db.ExecContext(ctx, `DROP INDEX IF EXISTS `+ix.name); err != nil {
			return nil, fmt.Errorf("bulk load: drop %s: %w", ix.name, err)
		}
	}
	return db.buildSearchIndexes, nil
}

// buildSearchIndexes creates the search indexes that are missing.
func (db *DB) buildSearchIndexes(ctx context.Context) error {
	for _, ix := range searchIndexes {
		var n int
		if err := db.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_schema WHERE type = 'index' AND name = ?`, ix.name).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			continue
		}
		start := time.Now()
		if _, err := db.db.ExecContext(ctx, ix.create); err != nil {
			return fmt.Errorf("build index %s: %w", ix.name, err)
		}
		db.IndexBuilds = append(db.IndexBuilds, IndexBuild{Name: ix.name, Took: time.Since(start)})
		if db.Log != nil {
			db.Log.Info("built search index", "index", ix.name, "took", time.Since(start).Round(time.Millisecond))
		}
	}
	return nil
}

// IndexBuild records that a search index was built, and how long it took.
type IndexBuild struct {
	Name string
	Took time.Duration
}
