package sqlite_test

import (
	"strings"
	"testing"
)

// TestRegistersInCode: the store does not list the registers in its schema
// (registry's descriptors do), and the edit leaves a sound store.
func TestRegistersInCode(t *testing.T) {
	db := MustOpenDB(t)
	var schema, ok string
	db.SQL().QueryRow(`SELECT sql FROM sqlite_schema WHERE name = 'records'`).Scan(&schema)
	if strings.Contains(schema, "'NCMC'") {
		t.Errorf("records still lists the registers: %s", schema)
	}
	if err := db.SQL().QueryRow(`PRAGMA integrity_check`).Scan(&ok); err != nil || ok != "ok" {
		t.Fatalf("integrity_check: %q %v", ok, err)
	}
	if _, err := db.SQL().Exec(`INSERT INTO records (id, identity_key, register, authority_code, authority_name, book, number, registered_on, fields, refs, created_seq, version)
		VALUES ('X-1', 'x', 'XX', '26740', 'a', '1', '1', '2025', '{}', '[]', 1, 1)`); err != nil {
		t.Errorf("a register the schema did not know: %v", err)
	}
}
