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

// BulkLoad prepares the store for about rows new batch rows. A large
// first load (into a store that holds no record yet) drops the search
// indexes, and the returned function builds them again; a run killed in
// between leaves them to the next Open, which builds any that are missing.
// A store that holds records keeps them whatever the load: clerks search
// it while the ingest runs, and without the indexes a search by name or
// ID scans every person (400-800 ms at 100,000 entries, against 1 ms).
func (db *DB) BulkLoad(ctx context.Context, rows int) (done func(context.Context) error, err error) {
	noop := func(context.Context) error { return nil }
	if rows < bulkThreshold {
		return noop, nil
	}
	var stored int
	if err := db.db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM records)`).Scan(&stored); err != nil {
		return nil, err
	}
	if stored != 0 {
		return noop, nil
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
