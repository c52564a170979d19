package ingest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"syscall"
)

// openRegular opens a batch file for reading, refusing what is not a
// regular file: the file is opened without blocking (opening a named pipe
// would wait for a writer) and checked on the descriptor, so a path
// swapped for a device or a pipe after the walk is refused too. Reads
// through the returned reader fail with ctx's error once ctx is done, so
// that no loop over a file's bytes (hashing, decoding, splitting rows)
// outlives a Ctrl+C by more than one read.
func openRegular(ctx context.Context, path string) (*os.File, io.Reader, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, nil, &refusedError{notRegular(fi.Mode())}
	}
	return f, ContextReader(ctx, f), nil
}

// ContextReader returns a reader of r that fails with ctx's error once
// ctx is done, so that a long read of a file stops at Ctrl+C.
func ContextReader(ctx context.Context, r io.Reader) io.Reader { return &ctxReader{ctx: ctx, r: r} }

type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// hashFile returns the hex SHA-256 and the size of a regular file.
func hashFile(ctx context.Context, path string) (string, int64, error) {
	f, r, err := openRegular(ctx, path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	return hashReader(r)
}

func hashReader(r io.Reader) (string, int64, error) {
	h := sha256.New()
	n, err := io.CopyBuffer(h, r, make([]byte, 256<<10))
	if err != nil {
		return "", 0, err
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// refusedError refuses a file as a whole: it is not a batch the ingest can
// read (not a regular file, binary, no header, an unreadable encoding, over
// a limit). Nothing of it is stored; the run goes on with the next file.
type refusedError struct{ reason string }

func (e *refusedError) Error() string { return e.reason }

// processAlive reports whether a process with the given PID runs.
func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
