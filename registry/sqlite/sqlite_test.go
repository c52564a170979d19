package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/hotich/hotich/registry"
	"github.com/hotich/hotich/registry/sqlite"
	"github.com/hotich/hotich/registry/storetest"
)

// MustOpenDB opens a new store in a temporary directory with a fixed clock.
func MustOpenDB(tb testing.TB) *sqlite.DB {
	tb.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(tb.TempDir(), "hotich.db"))
	if err != nil {
		tb.Fatal(err)
	}
	db.Now = func() time.Time { return storetest.Clock }
	tb.Cleanup(func() { db.Close() })
	return db
}

func TestOpen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "hotich.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	var mode string
	if err := db.SQL().QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
		t.Fatalf("journal_mode = %q, %v; want wal", mode, err)
	}
	var fk int
	if err := db.SQL().QueryRow(`PRAGMA foreign_keys`).Scan(&fk); err != nil || fk != 1 {
		t.Fatalf("foreign_keys = %d, %v; want 1", fk, err)
	}
	db.Close()

	// Re-opening applies nothing twice and seeds nothing twice.
	db, err = sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	db.SQL().QueryRow(`SELECT COUNT(*) FROM events WHERE kind = 'reference_data_seeded'`).Scan(&n)
	if n != 1 {
		t.Fatalf("seeded %d times, want 1", n)
	}
}

func TestRefData(t *testing.T) {
	db := MustOpenDB(t)
	rd, err := db.RefData(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Run("BenNgheThenAndNow", func(t *testing.T) {
		u, ok := rd.UnitThen("26740")
		if !ok || u.Name != "Phường Bến Nghé" || u.ParentCode != "760" {
			t.Fatalf("UnitThen(26740) = %+v, %v", u, ok)
		}
		succ := rd.Successors("26740")
		if len(succ) == 0 || succ[0].Name != "Phường Sài Gòn" || succ[0].Code != "26740" {
			t.Fatalf("Successors(26740) = %+v", succ)
		}
	})
	t.Run("TanDinhMovedCode", func(t *testing.T) {
		// Phường Tân Định (26734) is held today by the unit that reuses Đa Kao's code.
		succ := rd.Successors("26734")
		if len(succ) != 1 || succ[0].Code != "26737" || succ[0].Name != "Phường Tân Định" {
			t.Fatalf("Successors(26734) = %+v", succ)
		}
	})
	t.Run("District", func(t *testing.T) {
		if !rd.KnownAuthority("760") {
			t.Fatal("Quận 1 (760) unknown")
		}
		if len(rd.Successors("760")) < 2 {
			t.Fatalf("Quận 1 successors = %+v", rd.Successors("760"))
		}
	})
	t.Run("IDProvince", func(t *testing.T) {
		for code, want := range map[string]bool{"079": true, "074": true, "001": true, "099": false, "179": false, "03": false} {
			if got := rd.KnownIDProvince(code); got != want {
				t.Errorf("KnownIDProvince(%q) = %v, want %v", code, got, want)
			}
		}
	})
	t.Run("Codes", func(t *testing.T) {
		for written, want := range map[string]string{"Việt Nam": "VN", "VN": "VN", "Hàn Quốc": "KR", "Mỹ": "US", "Hoa Kỳ": "US", "MY": "MY", "Đài Loan": "TW"} {
			if c, ok := rd.Country(written); !ok || c.Alpha2 != want {
				t.Errorf("Country(%q) = %+v, %v; want %s", written, c.Alpha2, ok, want)
			}
		}
		for written, want := range map[string]string{"Kinh": "01", "Khmer": "05", "Khơ me": "05", "Khơ-me": "05", "H'Mông": "08", "Ê Đê": "12", "hoa": "04"} {
			if g, ok := rd.EthnicGroup(written); !ok || g.Code != want {
				t.Errorf("EthnicGroup(%q) = %+v, %v; want %s", written, g.Code, ok, want)
			}
		}
	})
}

// TestContract runs the store contract every registry.Store must pass.
func TestContract(t *testing.T) {
	storetest.Run(t, func(tb testing.TB) registry.Store { return MustOpenDB(tb) })
}
