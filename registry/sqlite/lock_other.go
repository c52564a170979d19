//go:build !unix

package sqlite

import "os"

// Without flock, writers are not ordered across processes: SQLite's own
// locking still keeps the store consistent, and a second bulk job may fail
// instead of waiting.
func tryLock(f *os.File, exclusive bool) (bool, error) { return true, nil }

func unlock(f *os.File) error { return nil }
