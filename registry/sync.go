package registry

import "context"

// A store's changes after a watermark are what the nightly sync with the
// ministry exports, and what another site imports to rebuild a store.

// ChangeSet says what a stream of changes covers: the watermark range
// (Since, Until] of the event log, the store's time of event Until, and
// how many entries follow.
type ChangeSet struct {
	Since, Until int64
	At           string
	Records      int
	Links        int
}

// RecordChange is a record created or changed in the range, in its current
// state with its open flags, conflicts and duplicate links, and the events
// about it in the range (corrections, settled conflicts, closed flags,
// rescans folded in).
type RecordChange struct {
	Record *Record
	New    bool // created in the range
	Events []Event
}

// LinkChange is a duplicate link created or changed (decided) in the
// range, in its current state, or one removed in the range. A is the
// smaller record ID.
type LinkChange struct {
	A, B    string
	Score   float64
	Status  LinkStatus
	Version int64 // for a removal, the seq of its event
	New     bool
	Removed bool
}

// ChangeHandler receives a stream of changes: Begin once, then Record for
// every changed record in ID order, then Link for every changed link in
// (A, B) order.
type ChangeHandler struct {
	Begin  func(ChangeSet) error
	Record func(RecordChange) error
	Link   func(LinkChange) error
}

// SyncRun is an export written or an export imported, with its watermark
// range.
type SyncRun struct {
	Kind     string // SyncExport or SyncImport
	Mode     string // full or changes, as the exchange format names them
	Since    int64
	Until    int64
	Manifest string // the manifest's file name
	SHA256   string // of the manifest's bytes
	Entries  int
	At       string
}

// The kinds of sync runs.
const (
	SyncExport = "export"
	SyncImport = "import"
)

// What an import did with an entry.
const (
	ImportCreated   = "created"   // not in the store before
	ImportUpdated   = "updated"   // in the store with another state, now replaced
	ImportUnchanged = "unchanged" // already in the store in this state
)

// ImportCounts counts what an import did.
type ImportCounts struct {
	Created, Updated, Unchanged           int
	LinksCreated, LinksUpdated, LinksSame int
	LinksRemoved                          int
	Events                                int // history events added (corrections, settled conflicts)
}

// Importer rebuilds records and links from another site's exported
// changes, in transactions the caller checkpoints. An entry replaces the
// state of the record it names; an entry equal to the stored state changes
// nothing, so importing an export twice, or a site's own, is a no-op.
type Importer interface {
	// Record imports a record's state and returns what it did.
	Record(ctx context.Context, r *Record) (string, error)
	// History adds the events of a record's history it does not have.
	History(ctx context.Context, recordID string, events []Event) error
	// Link imports a link's state; RemoveLink a link's removal.
	Link(ctx context.Context, a, b string, score float64, status LinkStatus) (string, error)
	RemoveLink(ctx context.Context, a, b string) (string, error)
	// Pending returns the entries imported since the last checkpoint.
	Pending() int
	// Checkpoint commits what was imported since the last checkpoint.
	Checkpoint(ctx context.Context) error
	// Abort drops what was imported since the last checkpoint.
	Abort()
	// Counts returns the outcomes so far.
	Counts() ImportCounts
}

// SyncService streams a store's changes and rebuilds a store from another
// site's.
type SyncService interface {
	// Changes streams what changed after the watermark since, from one
	// snapshot: writers go on meanwhile.
	Changes(ctx context.Context, since int64, h ChangeHandler) error
	// LastSeq returns the seq of the newest event: the store's watermark.
	LastSeq(ctx context.Context) (int64, error)
	// AddSyncRun records a run; it does not move the watermark.
	AddSyncRun(ctx context.Context, r SyncRun) error
	// LastSyncRun returns the run of a kind that reached furthest, or nil.
	LastSyncRun(ctx context.Context, kind string) (*SyncRun, error)
	// SyncRunBySHA256 returns the run of a kind with a manifest of these
	// bytes, or nil.
	SyncRunBySHA256(ctx context.Context, kind, sum string) (*SyncRun, error)
	// NewImporter starts an import from source (a manifest's name, for the
	// events).
	NewImporter(source string) Importer
}
