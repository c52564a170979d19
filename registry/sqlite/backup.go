package sqlite

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/mattn/go-sqlite3"

	"github.com/hotich/hotich/internal/atomicfile"
	"github.com/hotich/hotich/registry"
)

// backupPages is how many pages one backup step copies: a step is where a
// backup checks for cancellation.
const backupPages = 4096

// Backup copies the store into a new file at path with SQLite's online
// backup API, on one snapshot: ingests and clerks go on meanwhile, and the
// copy is the store as it was when the backup began (its watermark). The
// file appears complete or not at all, with its SHA-256 beside it in
// path.sha256 (the format of sha256sum). Everything is in it: records and
// their sources, rejects, the event and issue logs, keys, links.
func (db *DB) Backup(ctx context.Context, path string) (*registry.BackupInfo, error) {
	if _, err := os.Stat(path); err == nil {
		return nil, registry.Errorf(registry.ECONFLICT, "đã có tệp %s: chọn tên khác (bản sao lưu không bị ghi đè)", path)
	}
	src, err := db.db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	qctx := context.WithoutCancel(ctx)
	// The snapshot: a read transaction held on the source connection for
	// the whole copy, so writers on other connections do not restart it.
	if _, err := src.ExecContext(qctx, `BEGIN DEFERRED`); err != nil {
		return nil, fmt.Errorf("backup: begin: %w", err)
	}
	defer src.ExecContext(qctx, `ROLLBACK`)
	info := &registry.BackupInfo{Path: path}
	if err := src.QueryRowContext(qctx, `SELECT COALESCE(MAX(seq), 0), (SELECT COUNT(*) FROM records) FROM events`).Scan(&info.Watermark, &info.Records); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	if _, err := atomicfile.RemoveStale(dirOf(path)); err != nil {
		return nil, err
	}
	out, err := atomicfile.Create(path, atomicfile.Private)
	if err != nil {
		return nil, err
	}
	defer out.Abort()
	if err := copyDatabase(ctx, src, out.TempPath()); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	if info.SHA256, info.Bytes, err = fileSHA256(out.TempPath()); err != nil {
		return nil, err
	}
	if err := out.Commit(); err != nil {
		return nil, err
	}
	sum := info.SHA256 + "  " + filepath.Base(path) + "\n"
	if err := atomicfile.WriteFile(path+".sha256", []byte(sum), atomicfile.Public); err != nil {
		return nil, err
	}
	return info, nil
}

// copyDatabase copies the database of a connection into a new SQLite file
// at dst, in steps, stopping when ctx is done.
func copyDatabase(ctx context.Context, src *sql.Conn, dst string) error {
	ddb, err := sql.Open("sqlite3", "file:"+uriPath.Replace(dst)+"?_journal_mode=DELETE")
	if err != nil {
		return err
	}
	defer ddb.Close()
	dconn, err := ddb.Conn(ctx)
	if err != nil {
		return err
	}
	defer dconn.Close()
	return dconn.Raw(func(d any) error {
		return src.Raw(func(s any) error {
			return backupSteps(ctx, d.(*sqlite3.SQLiteConn), s.(*sqlite3.SQLiteConn))
		})
	})
}

// backupSteps runs an SQLite online backup from s into d.
func backupSteps(ctx context.Context, d, s *sqlite3.SQLiteConn) error {
	b, err := d.Backup("main", s, "main")
	if err != nil {
		return err
	}
	for {
		if err := ctx.Err(); err != nil {
			b.Close()
			return err
		}
		done, err := b.Step(backupPages)
		if err != nil {
			b.Close()
			return err
		}
		if done {
			return b.Finish()
		}
	}
}

// Restore replaces the store at to with the backup at from (creating it if
// there is none): after checking the backup against its SHA-256 and
// SQLite's quick_check, it is copied in with the online backup API, so that
// other processes that have the store open see the restored store, not a
// file swapped under them. An existing store is replaced only with force;
// no bulk job may run on it meanwhile. The restored store is then opened
// (migrated if the backup is older) and returned.
func Restore(ctx context.Context, from, to string, force bool) (*DB, error) {
	if err := verifyBackup(ctx, from); err != nil {
		return nil, err
	}
	if _, err := os.Stat(to); err == nil {
		if !force {
			return nil, registry.Errorf(registry.ECONFLICT, "đã có kho dữ liệu %s: khôi phục sẽ thay thế toàn bộ kho này (xác nhận bằng tùy chọn thay thế)", to)
		}
		return restoreInto(ctx, from, to)
	}
	// A new store: copy into a file that appears complete or not at all.
	out, err := atomicfile.Create(to, atomicfile.Private)
	if err != nil {
		return nil, err
	}
	defer out.Abort()
	sdb, err := sql.Open("sqlite3", "file:"+uriPath.Replace(from)+"?mode=ro")
	if err != nil {
		return nil, err
	}
	defer sdb.Close()
	sconn, err := sdb.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer sconn.Close()
	if err := copyDatabase(ctx, sconn, out.TempPath()); err != nil {
		return nil, fmt.Errorf("restore: %w", err)
	}
	if err := out.Commit(); err != nil {
		return nil, err
	}
	return Open(ctx, to)
}

// restoreInto copies a backup into an existing store, under its bulk lock.
func restoreInto(ctx context.Context, from, to string) (*DB, error) {
	db, err := OpenExisting(ctx, to)
	if err != nil {
		return nil, err
	}
	release, err := db.LockBulk(ctx, "restore", nil)
	if err != nil {
		db.Close()
		return nil, err
	}
	err = func() error {
		defer release()
		dconn, err := db.db.Conn(ctx)
		if err != nil {
			return err
		}
		defer dconn.Close()
		sdb, err := sql.Open("sqlite3", "file:"+uriPath.Replace(from)+"?mode=ro")
		if err != nil {
			return err
		}
		defer sdb.Close()
		sconn, err := sdb.Conn(ctx)
		if err != nil {
			return err
		}
		defer sconn.Close()
		return dconn.Raw(func(d any) error {
			return sconn.Raw(func(s any) error {
				return backupSteps(ctx, d.(*sqlite3.SQLiteConn), s.(*sqlite3.SQLiteConn))
			})
		})
	}()
	db.Close()
	if err != nil {
		return nil, fmt.Errorf("restore: %w", err)
	}
	return Open(ctx, to)
}

// verifyBackup checks a backup file against its .sha256 and with SQLite's
// quick_check, and that it is a hotich store.
func verifyBackup(ctx context.Context, path string) error {
	want, err := os.ReadFile(path + ".sha256")
	if errors.Is(err, fs.ErrNotExist) {
		if _, serr := os.Stat(path); errors.Is(serr, fs.ErrNotExist) {
			return registry.Errorf(registry.ENOTFOUND, "không có tệp sao lưu %s", path)
		}
		return registry.Errorf(registry.EINVALID, "thiếu tệp mã kiểm tra %s.sha256 đi kèm bản sao lưu: không thể xác nhận bản sao lưu còn nguyên vẹn", path)
	}
	if err != nil {
		return err
	}
	fields := strings.Fields(string(want))
	got, _, err := fileSHA256(path)
	if err != nil {
		return err
	}
	if len(fields) == 0 || !strings.EqualFold(fields[0], got) {
		return registry.Errorf(registry.EINVALID, "bản sao lưu %s không khớp mã kiểm tra SHA-256 của nó: tệp đã bị hỏng hoặc bị sửa", path)
	}
	sdb, err := sql.Open("sqlite3", "file:"+uriPath.Replace(path)+"?mode=ro")
	if err != nil {
		return err
	}
	defer sdb.Close()
	var ok string
	if err := sdb.QueryRowContext(ctx, `PRAGMA quick_check`).Scan(&ok); err != nil || ok != "ok" {
		return registry.Errorf(registry.EINVALID, "bản sao lưu %s hỏng (quick_check: %s %v)", path, ok, err)
	}
	var n int
	if err := sdb.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table' AND name IN ('migrations', 'records', 'events')`).Scan(&n); err != nil || n != 3 {
		return registry.Errorf(registry.EINVALID, "%s không phải bản sao lưu kho hotich", path)
	}
	return nil
}

func fileSHA256(path string) (string, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", 0, err
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

func dirOf(path string) string {
	if d := filepath.Dir(path); d != "" {
		return d
	}
	return "."
}
