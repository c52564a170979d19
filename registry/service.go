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
	// Parent is the full name of a parent of the entry (the mother or
	// father of a birth, who recognises in a recognition), matched like
	// Name, in addition to the person conditions above.
	Parent string
	Limit  int // 0: a default limit (1,000); negative: no limit
}

// RecordService finds register entries.
type RecordService interface {
	// FindRecordByID returns a record with its flags, conflicts and links,
	// or an ENOTFOUND error.
	FindRecordByID(ctx context.Context, id string) (*Record, error)
	// FindRecords returns the records matching f, sorted by ID. When more
	// than f.Limit match, which f.Limit of them it returns is the store's
	// choice (a caller asks for one more than it shows, to say there are
	// more and that the search should be narrowed).
	FindRecords(ctx context.Context, f RecordFilter) ([]*Record, error)
	// EachRecord calls fn for every record in ID order, with its
	// annotations, streaming.
	EachRecord(ctx context.Context, fn func(*Record) error) error
	// SourceRows returns the batch rows folded into a record, oldest
	// first.
	SourceRows(ctx context.Context, id string) ([]SourceRow, error)
	// RecordEvents returns the events about a record, oldest first.
	RecordEvents(ctx context.Context, id string) ([]Event, error)
	// RefData returns the reference data: the units then and now, ethnic
	// groups, countries.
	RefData(ctx context.Context) (*RefData, error)
}

// BatchService stores batch files row by row.
type BatchService interface {
	// RefData returns the reference data rows are checked against.
	RefData(ctx context.Context) (*RefData, error)
	// BeginBatch registers a batch file, or finds it again by its hash. It
	// returns a nil writer when the same bytes were ingested completely
	// before (b is then filled in from the store); otherwise a writer that
	// resumes after b.RowsDone.
	BeginBatch(ctx context.Context, b *Batch) (BatchWriter, error)
	// FinishedBatches returns the batches ingested completely (their hash,
	// path and size), so that a run need not read those files again.
	FinishedBatches(ctx context.Context) ([]Batch, error)
	// Prepare does the work of storing a row that needs no store access
	// (encoding values, computing search keys) and keeps it in
	// row.Prepared. It is safe for concurrent use, so callers run it on all
	// cores before handing rows to a BatchWriter's Write, which is not.
	Prepare(row *Row)
	// Rejects calls fn for every rejected row of a batch, in row order.
	Rejects(ctx context.Context, b *Batch, fn func(Reject) error) error
	// Batches returns every batch, oldest first.
	Batches(ctx context.Context) ([]*Batch, error)
	// RowOutcomes calls fn for every row of every batch, batches in the
	// order they were first ingested and rows in file order.
	RowOutcomes(ctx context.Context, fn func(RowOutcome) error) error
	// BulkLoad announces about rows new rows. The store may prepare for
	// them (suspend indexes it can build faster at the end); done, called
	// after the last checkpoint, undoes that.
	BulkLoad(ctx context.Context, rows int) (done func(context.Context) error, err error)
}

// BatchWriter stores the rows of one batch in order.
type BatchWriter interface {
	// Write stores one row and returns its outcome.
	Write(ctx context.Context, row Row) (outcome string, err error)
	// Pending returns the number of rows written since the last
	// checkpoint, by this writer and by the writers of the batches before
	// it that share its transaction.
	Pending() int
	// Contended reports whether another writer waits for the store: the
	// caller should checkpoint at its next chance.
	Contended() bool
	// Checkpoint commits everything written since the last checkpoint,
	// with each batch's resume point.
	Checkpoint(ctx context.Context) error
	// Finish marks the batch done and checkpoints.
	Finish(ctx context.Context) error
	// Done marks the batch done without checkpointing: it is done once
	// checkpointed. Batches written one after another share a transaction
	// until a checkpoint, so many small files can commit together.
	Done(ctx context.Context) error
	// Committed reports whether all of the batch is checkpointed.
	Committed() bool
	// Abort drops everything written since the last checkpoint, for this
	// batch and the batches before it that share its transaction.
	Abort()
	// Batch returns the batch with its counts so far.
	Batch() *Batch
}

// Reject is a rejected batch row, as the reject report lists it.
type Reject struct {
	Ref     string     // source reference "file#n"
	Row     int        // n
	Code    RejectCode // reason
	Field   string     // the column concerned, if one
	Message string     // the reason for the operator, in Vietnamese
	Raw     []string   // the cells as decoded (for .jsonl: the line)
}
