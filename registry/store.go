package registry

import (
	"context"
	"time"
)

// SourceRow is one batch row folded into a record, as stored: the cells
// as decoded under the batch's header.
type SourceRow struct {
	Ref      string // "file#n"
	Outcome  string // OutcomeAccepted or OutcomeFlagged
	File     string
	FileHash string
	Encoding string
	Header   []string
	Raw      []string
}

// RowOutcome is what became of one batch row: stored under a record
// (accepted or flagged, with the flags it raised) or rejected.
type RowOutcome struct {
	Ref      string
	Outcome  string // OutcomeAccepted, OutcomeFlagged or OutcomeRejected
	RecordID string
	Flags    []FlagCode // flags this row raised (open or since resolved), even one its record had open already
	Reject   RejectCode
	Field    string // the column a reject concerns
}

// Stats summarises a store.
type Stats struct {
	Records       map[string]int `json:"records"`         // per register
	SourceRows    int            `json:"source_rows"`     // batch rows stored
	Rejected      int            `json:"rejected_rows"`   // batch rows rejected
	Batches       int            `json:"batches"`         // batch files ingested or started
	Running       int            `json:"batches_running"` // interrupted, to resume
	OpenFlags     map[string]int `json:"open_flags"`      // per flag code
	OpenConflicts int            `json:"open_conflicts"`
	Links         map[string]int `json:"links"` // per status
	LastSeq       int64          `json:"last_seq"`
	DatabaseBytes int64          `json:"database_bytes"`
}

// LockHolder says which bulk job holds a store.
type LockHolder struct {
	PID   int       `json:"pid"`
	Job   string    `json:"job"` // "ingest", "import", "dedup", "restore"
	Since time.Time `json:"since"`
}

// BackupInfo describes a backup of a store.
type BackupInfo struct {
	Path      string `json:"path"`
	Bytes     int64  `json:"bytes"`
	SHA256    string `json:"sha256"`
	Watermark int64  `json:"watermark"` // the last event the backup holds
	Records   int64  `json:"records"`
}

// StoreService is what keeps a store sound and tells about it.
type StoreService interface {
	// Stats counts what the store holds.
	Stats(ctx context.Context) (*Stats, error)
	// Check verifies the store's invariants on one snapshot; progress, if
	// set, is told which check runs.
	Check(ctx context.Context, progress func(check string)) (*CheckReport, error)
	// Backup copies the whole store into a new file at path, on one
	// snapshot, while others go on.
	Backup(ctx context.Context, path string) (*BackupInfo, error)
	// LockBulk takes the store's lock for a bulk job: one at a time, across
	// processes. While another job holds it, wait is called once with the
	// holder and LockBulk waits its turn; with a nil wait it returns an
	// EBUSY error instead.
	LockBulk(ctx context.Context, job string, wait func(LockHolder)) (release func(), err error)
}

// Store is everything a store does, for the front ends that wire one up.
// Use cases take the narrower services they need.
type Store interface {
	RecordService
	BatchService
	LinkService
	ReviewService
	IssueService
	SyncService
	StoreService
	AccountService
	AuditService
	Close() error
}
