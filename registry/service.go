package registry

import "context"

// RecordFilter selects records. Set fields are combined with AND; person
// conditions (PersonalID, Name, Birth, Role) must hold for one person of the
// entry.
type RecordFilter struct {
	Register   Register
	Identity   *Identity
	PersonalID string // a 12-digit personal ID or a 9-digit CMND
	Name       string // full name; matching ignores case, diacritics and tone placement
	Birth      Date   // with Name: birth date or year (a coarser stored date matches)
	Role       Role   // restrict person conditions to one role
	Limit      int    // 0: a default limit
}

// RecordService finds register entries.
type RecordService interface {
	// FindRecordByID returns a record with its flags, conflicts and links,
	// or an ENOTFOUND error.
	FindRecordByID(ctx context.Context, id string) (*Record, error)
	// FindRecords returns the records matching f, sorted by ID.
	FindRecords(ctx context.Context, f RecordFilter) ([]*Record, error)
}
