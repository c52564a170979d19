package sqlite_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/hotich/hotich/registry"
	"github.com/hotich/hotich/registry/sqlite"
	"github.com/hotich/hotich/registry/storetest"
)

func TestBackupRestore(t *testing.T) {
	ctx := context.Background()
	src := checkStore(t)
	dir := t.TempDir()
	backup := filepath.Join(dir, "hotich-2025-06-09.db")
	info, err := src.Backup(ctx, backup)
	if err != nil {
		t.Fatal(err)
	}
	if info.Records != 3 || info.Watermark == 0 || len(info.SHA256) != 64 {
		t.Fatalf("info %+v", info)
	}
	if st, err := os.Stat(backup); err != nil || st.Mode().Perm() != 0o600 || st.Size() != info.Bytes {
		t.Fatalf("backup file: %v %v", st, err)
	}
	want := storetest.Dump(t, src)

	t.Run("NewStore", func(t *testing.T) {
		to := filepath.Join(t.TempDir(), "site2.db")
		db, err := sqlite.Restore(ctx, backup, to, false)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if got := storetest.Dump(t, db); !bytes.Equal(got, want) {
			t.Errorf("restored store differs from the source")
		}
		if r, err := db.Check(ctx, nil); err != nil || !r.OK() {
			t.Errorf("check of the restored store: %v %+v", err, r)
		}
	})
	t.Run("OverExisting", func(t *testing.T) {
		writer := MustOpenDB(t) // another store, ingested by another process
		storetest.WriteBatch(t, writer, "other.csv", storetest.ScanRow{Rec: storetest.Birth(99, "Phan Văn Khác", nil)})
		writer.Close()
		to := openOther(t, writer.Path()) // a clerk has it open
		if _, err := sqlite.Restore(ctx, backup, to.Path(), false); registry.ErrorCode(err) != registry.ECONFLICT {
			t.Fatalf("restore over a store without force: %v", err)
		}
		db, err := sqlite.Restore(ctx, backup, to.Path(), true)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if got := storetest.Dump(t, db); !bytes.Equal(got, want) {
			t.Errorf("restored store differs from the source")
		}
		// The handle that had the store open sees the restored store.
		if _, err := to.FindRecordByID(ctx, storetest.ID(99)); registry.ErrorCode(err) != registry.ENOTFOUND {
			t.Errorf("the other handle still finds the replaced store's record: %v", err)
		}
	})
	t.Run("Refused", func(t *testing.T) {
		to := filepath.Join(t.TempDir(), "x.db")
		bad := filepath.Join(t.TempDir(), "bad.db")
		b, _ := os.ReadFile(backup)
		b[len(b)/2] ^= 1
		os.WriteFile(bad, b, 0o600)
		sum, _ := os.ReadFile(backup + ".sha256")
		os.WriteFile(bad+".sha256", sum, 0o644)
		if _, err := sqlite.Restore(ctx, bad, to, false); registry.ErrorCode(err) != registry.EINVALID {
			t.Errorf("a changed byte: %v", err)
		}
		os.Remove(bad + ".sha256")
		if _, err := sqlite.Restore(ctx, bad, to, false); registry.ErrorCode(err) != registry.EINVALID {
			t.Errorf("no checksum: %v", err)
		}
		if _, err := os.Stat(to); err == nil {
			t.Errorf("a refused restore created %s", to)
		}
		if _, err := src.Backup(ctx, backup); registry.ErrorCode(err) != registry.ECONFLICT {
			t.Errorf("backup over an existing file: %v", err)
		}
	})
}
