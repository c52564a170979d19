// Package atomicfile writes files so that a reader finds either the whole
// file under its final name or nothing: the bytes go to a hidden temporary
// file beside the final name, which is synced, given its final mode, renamed
// and the folder synced. It is the one way hotich writes an output file
// (PDFs, reports, exports, keys).
//
// Temporary files are named TempPrefix + the writer's process ID + "-" +
// the final name, so that a later run can tell a file left by a killed
// process (RemoveStale) from one another live process is still writing.
package atomicfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// TempPrefix starts the names of files being written.
const TempPrefix = ".hotich-tmp-"

// Modes of the files hotich writes: outputs readable by everyone who can
// read the folder, private keys by their owner only.
const (
	Public  fs.FileMode = 0o644
	Private fs.FileMode = 0o600
)

// File is a file being written. Nothing appears under its final name until
// Commit; Abort (or a crash) leaves nothing there.
type File struct {
	f     *os.File
	final string
	done  bool
}

// Create starts writing the file path with the given mode.
func Create(path string, mode fs.FileMode) (*File, error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	if base == "" {
		return nil, fmt.Errorf("atomicfile: %q names no file", path)
	}
	f, err := os.CreateTemp(dir, TempPrefix+strconv.Itoa(os.Getpid())+"-"+base+".*")
	if err != nil {
		return nil, err
	}
	// CreateTemp creates 0600; set the final mode before any byte is
	// written, so a private file is never readable by others, even briefly.
	if err := f.Chmod(mode); err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, err
	}
	return &File{f: f, final: path}, nil
}

// Write writes to the temporary file.
func (f *File) Write(p []byte) (int, error) { return f.f.Write(p) }

// Path returns the final name.
func (f *File) Path() string { return f.final }

// TempPath returns the name of the temporary file, for a writer that must
// open it by name (an SQLite connection). What it writes there is committed
// like what Write writes.
func (f *File) TempPath() string { return f.f.Name() }

// Commit makes the file appear under its final name, replacing any file
// there, durably.
func (f *File) Commit() error {
	if f.done {
		return errors.New("atomicfile: already committed or aborted")
	}
	f.done = true
	if err := f.f.Sync(); err != nil {
		f.f.Close()
		os.Remove(f.f.Name())
		return err
	}
	if err := f.f.Close(); err != nil {
		os.Remove(f.f.Name())
		return err
	}
	if err := os.Rename(f.f.Name(), f.final); err != nil {
		os.Remove(f.f.Name())
		return err
	}
	return syncDir(filepath.Dir(f.final))
}

// CommitNew is Commit that refuses to replace an existing file: it fails
// with an error satisfying errors.Is(err, fs.ErrExist) and leaves both files
// as they were (the temporary one is removed).
func (f *File) CommitNew() error {
	if f.done {
		return errors.New("atomicfile: already committed or aborted")
	}
	f.done = true
	if err := f.f.Sync(); err != nil {
		f.f.Close()
		os.Remove(f.f.Name())
		return err
	}
	if err := f.f.Close(); err != nil {
		os.Remove(f.f.Name())
		return err
	}
	// A hard link fails if the final name exists: no window in which
	// another writer's file could be replaced.
	err := os.Link(f.f.Name(), f.final)
	os.Remove(f.f.Name())
	if err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("%s: %w", f.final, fs.ErrExist)
		}
		return err
	}
	return syncDir(filepath.Dir(f.final))
}

// Abort drops the file. It does nothing after Commit or Abort, so it can be
// deferred.
func (f *File) Abort() {
	if f.done {
		return
	}
	f.done = true
	f.f.Close()
	os.Remove(f.f.Name())
}

// WriteFile writes data to path with the given mode, atomically.
func WriteFile(path string, data []byte, mode fs.FileMode) error {
	return Write(path, mode, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// Write runs write on a new file and commits it to path if write succeeds.
func Write(path string, mode fs.FileMode, write func(io.Writer) error) error {
	f, err := Create(path, mode)
	if err != nil {
		return err
	}
	defer f.Abort()
	if err := write(f); err != nil {
		return err
	}
	return f.Commit()
}

// staleAge is how old a temporary file of a process that may still run must
// be before RemoveStale removes it anyway (a process ID can be reused).
const staleAge = 24 * time.Hour

// RemoveStale removes the temporary files in dir left by processes that no
// longer run (killed while writing), and returns how many it removed.
// Temporary files of live processes are left alone unless older than a day.
func RemoveStale(dir string) (int, error) {
	ents, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	n := 0
	var errs []error
	for _, e := range ents {
		name := e.Name()
		if !strings.HasPrefix(name, TempPrefix) || !e.Type().IsRegular() {
			continue
		}
		if pid, ok := writerPID(name); ok && processAlive(pid) {
			if info, err := e.Info(); err != nil || time.Since(info.ModTime()) < staleAge {
				continue
			}
		}
		if err := os.Remove(filepath.Join(dir, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
			continue
		}
		n++
	}
	return n, errors.Join(errs...)
}

// writerPID reads the process ID from a temporary file's name.
func writerPID(name string) (int, bool) {
	rest := strings.TrimPrefix(name, TempPrefix)
	i := strings.IndexByte(rest, '-')
	if i <= 0 {
		return 0, false
	}
	pid, err := strconv.Atoi(rest[:i])
	return pid, err == nil && pid > 0
}

// syncDir makes a rename durable.
func syncDir(path string) error {
	d, err := os.Open(path)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return err
	}
	return nil
}
