package registry

import (
	"context"
	"strconv"
	"time"
)

// Batch is one ward export file being or having been ingested. A file is
// known by the SHA-256 of its bytes: the same bytes are never ingested twice.
type Batch struct {
	ID         int64
	FileName   string // base name, used in source references
	Path       string // as given on the command line
	Hash       string // hex SHA-256 of the file
	Size       int64
	Register   Register
	Container  string  // csv, tsv, xlsx, jsonl
	Delimiter  string  // for csv: ",", ";" or "\t"
	Encoding   string  // as detected or forced
	Confidence float64 // of the encoding detection, 0..1
	Header     []string
	Status     BatchStatus
	RowsDone   int // rows committed so far; a resumed run starts after them
	Counts     BatchCounts
	StartedAt  time.Time
	FinishedAt time.Time
}

// BatchStatus is the state of a batch.
type BatchStatus string

// The batch states.
const (
	BatchRunning BatchStatus = "running" // started, not finished: a re-run resumes it
	BatchDone    BatchStatus = "done"
)

// BatchCounts counts the outcomes of a batch's rows. Rows = Accepted +
// Flagged + Rejected always holds: no row is lost.
type BatchCounts struct {
	Rows      int `json:"rows"`
	Accepted  int `json:"accepted"`
	Flagged   int `json:"flagged"`
	Rejected  int `json:"rejected"`
	Created   int `json:"records_created"` // new records
	Folded    int `json:"records_folded"`  // rows folded into an existing record
	Conflicts int `json:"conflicts"`       // fields found in conflict
}

// Add adds o to c.
func (c *BatchCounts) Add(o BatchCounts) {
	c.Rows += o.Rows
	c.Accepted += o.Accepted
	c.Flagged += o.Flagged
	c.Rejected += o.Rejected
	c.Created += o.Created
	c.Folded += o.Folded
	c.Conflicts += o.Conflicts
}

// Row is one data row of a batch as read and checked, before it is stored.
// Exactly one of Record and Err is set.
type Row struct {
	N      int       // row number: data rows counted from 1, the header not counted
	Raw    []string  // the cells as decoded, aligned with the batch header
	Record *Record   // the entry the row describes, normalised
	Flags  []Flag    // review flags the row raises by itself
	Err    *RowError // why the row is rejected

	// Prepared is what a BatchWriter's Prepare computed for the row ahead
	// of Write (encodings, search keys), on the caller's goroutine.
	Prepared any
}

// Outcome of a stored row.
const (
	OutcomeAccepted = "accepted"
	OutcomeFlagged  = "flagged"
	OutcomeRejected = "rejected"
)

// OutcomeLabel names what became of a row, for a clerk.
func OutcomeLabel(o string) string {
	switch o {
	case OutcomeAccepted:
		return "đã nhận"
	case OutcomeFlagged:
		return "đã nhận, cần xem xét"
	case OutcomeRejected:
		return "bị loại"
	}
	return o
}

// SourceRef formats the source reference of a row of a batch file:
// "<file base name>#<n>".
func SourceRef(fileName string, n int) string {
	return fileName + "#" + strconv.Itoa(n)
}

// StoredRow is a stored row of a batch, with its batch: what re-reading
// another batch converts again (see BatchRereader). Row holds N and Raw as
// stored; the converter fills in Record, Flags or Err.
type StoredRow struct {
	Batch *Batch
	Row   Row
}

// BatchRereader re-reads a batch ingested before (ingest --force): its
// rows replace the rows stored for it. Records are a function of their
// source rows, folded in order; every record the batch's old or new rows
// are in is rebuilt from its rows, the batch's rows taking the places of
// the old ones, and the corrections and settled conflicts of its event log
// applied again. Only what differs is written, with an event, in one
// transaction: a re-read of the same bytes read the same way changes
// nothing but the batch_reread event.
type BatchRereader interface {
	// RereadSources returns the stored rows of the other batches in the
	// records b's stored rows are in, or that have one of the record IDs
	// ids (the records b's new rows fold into).
	RereadSources(ctx context.Context, b *Batch, ids []string) ([]StoredRow, error)
	// Reread replaces the rows of the finished batch b.ID (b carries the
	// new reading: encoding, header and so on) with rows, every row of the
	// file in order, given the converted rows of RereadSources. It fails
	// with EREFUSED, changing nothing, when a record would be left without
	// a source row. It returns the batch with its new counts, and the
	// number of records it changed.
	Reread(ctx context.Context, b *Batch, rows []Row, sources []StoredRow) (*Batch, int, error)
}
