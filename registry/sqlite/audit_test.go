package sqlite_test

import (
	"context"
	"testing"

	"github.com/hotich/hotich/registry"
	"github.com/hotich/hotich/registry/storetest"
)

// TestAuditTamper edits, deletes and reorders audit rows behind the
// store's back, as someone with sqlite3 could, and checks that the chain
// no longer verifies.
func TestAuditTamper(t *testing.T) {
	ctx := context.Background()
	for name, sql := range map[string][]string{
		"Edited":      {`DROP TRIGGER audit_no_update`, `UPDATE audit_log SET target = 'KS-26740-0000000000' WHERE seq = 2`},
		"Deleted":     {`DROP TRIGGER audit_no_delete`, `DELETE FROM audit_log WHERE seq = 2`},
		"DeletedLast": {`DROP TRIGGER audit_no_delete`, `DELETE FROM audit_log WHERE seq = 3`},
		"Reordered":   {`DROP TRIGGER audit_no_update`, `UPDATE audit_log SET seq = seq + 10 WHERE seq = 1`, `UPDATE audit_log SET seq = 1 WHERE seq = 2`, `UPDATE audit_log SET seq = 2 WHERE seq = 11`},
		"Append-only": nil,
	} {
		t.Run(name, func(t *testing.T) {
			db := MustOpenDB(t)
			for _, action := range []string{"login", "search", "view"} {
				if err := db.AppendAudit(ctx, &registry.AuditEntry{Actor: "lan", Unit: "26740", Action: action, Target: storetest.ID(1)}); err != nil {
					t.Fatal(err)
				}
			}
			verify := func() error {
				_, err := registry.VerifyAuditChain(func(fn func(*registry.AuditEntry) error) error { return db.EachAudit(ctx, fn) })
				return err
			}
			if sql == nil {
				if _, err := db.SQL().Exec(`UPDATE audit_log SET actor = 'x' WHERE seq = 1`); err == nil {
					t.Error("an audit row was updated")
				}
				if _, err := db.SQL().Exec(`DELETE FROM audit_log`); err == nil {
					t.Error("audit rows were deleted")
				}
				if err := verify(); err != nil {
					t.Error(err)
				}
				return
			}
			for _, q := range sql {
				if _, err := db.SQL().Exec(q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			if err := verify(); registry.ErrorCode(err) != registry.EINVALID {
				t.Errorf("tampered trail verifies: %v", err)
			}
		})
	}
}
