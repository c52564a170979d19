package registry

import "context"

// Review is what people decide about records after ingest: flags closed
// after checking the paper register, conflicts between scans settled,
// corrections made on a legal basis. The rules (who must be named, what a
// decision must rest on, which fields can change) belong to the review
// service that calls the store; the store applies each decision in one
// write transaction, logged with who made it.

// OpenFlag is a flag in the review queue.
type OpenFlag struct {
	ID       int64
	RecordID string
	Register Register
	Flag     Flag
}

// FlagFilter selects open flags.
type FlagFilter struct {
	Code     FlagCode // "": any
	Register Register // "": any
	Limit    int      // 0: no limit
}

// ConflictDecision settles a conflict: the value the record keeps, and
// why.
type ConflictDecision struct {
	Value string
	Note  string
}

// ReviewService applies review decisions to records.
type ReviewService interface {
	// OpenFlags lists open flags, oldest first.
	OpenFlags(ctx context.Context, f FlagFilter) ([]OpenFlag, error)
	// ResolveFlag closes an open flag (ENOTFOUND if there is none,
	// ECONFLICT if it is closed already): check gets it as stored and may
	// refuse, leaving it open.
	ResolveFlag(ctx context.Context, flagID int64, actor, note string, check func(OpenFlag) error) error
	// ResolveConflict settles the open conflict on a field of a record:
	// decide gets the record and the conflict as stored and returns the
	// value the record keeps. The conflict and its flag are resolved and
	// the record's search keys follow. ENOTFOUND when the record has no
	// open conflict on the field; an error from decide changes nothing.
	ResolveConflict(ctx context.Context, recordID, field, actor string, decide func(*Record, Conflict) (ConflictDecision, error)) error
	// CorrectRecord changes a record: edit gets the record as stored (with
	// its flags and conflicts), changes it in place and returns the
	// correction to log. The record's search keys follow. ENOTFOUND for
	// an unknown record; an error from edit changes nothing.
	CorrectRecord(ctx context.Context, recordID, actor string, edit func(*Record) (Correction, error)) error
}
