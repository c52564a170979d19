package issuing

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/hotich/hotich/registry"
)

// BatchGroup is how many copies a batch issues per store transaction: the
// renderer uses every core within one, and a crash loses one group or
// none.
const BatchGroup = 32

// Batch is a run issuing a copy of each of a list of records. ID names the
// run: the same list, output and request give the same ID, so a run started
// again after an interruption is the same run.
type Batch struct {
	ID       string
	IDs      []string // record IDs, in order; repeats are issued once
	Template Request  // what every copy of the run is (issuer, form, copies, clerk)
}

// BatchSink receives a batch's copies: the front end's folder.
type BatchSink interface {
	// Has reports whether the copy of a logged issue is there, whole.
	Has(iss *registry.ExtractIssue) bool
	// Write stores the file of an issued copy.
	Write(iss *registry.ExtractIssue, pdf []byte) error
}

// BatchResult counts what a batch run did. Refused lists the records under
// review (issued one by one, with a reason); Failed, those that could not
// be issued or written.
type BatchResult struct {
	Issued    int // new copies, files written
	Resumed   int // issued by an earlier run of the batch, file there
	Rewritten int // issued earlier, file lost and made again from the log
	Refused   map[string]error
	Failed    map[string]error
}

// Err returns the failures joined, or nil.
func (r *BatchResult) Err() error {
	var errs []error
	for id, err := range r.Failed {
		errs = append(errs, fmt.Errorf("%s: %s", id, registry.ErrorMessage(err)))
	}
	return errors.Join(errs...)
}

// RunBatch issues a copy of every record of a batch into sink, BatchGroup
// copies per transaction, writing a group's files while the next group is
// issued. A record issued by an earlier run of the same batch never gets a
// second serial: its file is made again from the log if it is missing.
// progress, if set, is called once per record of the list.
func (d *Desk) RunBatch(ctx context.Context, b Batch, sink BatchSink, progress func()) (*BatchResult, error) {
	done, err := d.Store.FindBatchIssues(ctx, b.ID)
	if err != nil {
		return nil, err
	}
	logged := map[string]*registry.ExtractIssue{}
	for _, iss := range done {
		logged[iss.BatchItem] = iss
	}
	res := &BatchResult{Refused: map[string]error{}, Failed: map[string]error{}}
	var mu sync.Mutex // res and progress, shared with the writer
	tick := func() {
		if progress != nil {
			mu.Lock()
			progress()
			mu.Unlock()
		}
	}
	fail := func(id string, err error) {
		mu.Lock()
		res.Failed[id] = err
		mu.Unlock()
	}
	// A group is logged before its files are written; a run that stops in
	// between writes them again from the log when it is run again.
	files := make(chan []*Issued, 1)
	written := make(chan struct{})
	go func() {
		defer close(written)
		for group := range files {
			for _, g := range group {
				if err := sink.Write(g.Issue, g.PDF); err != nil {
					fail(g.Issue.BatchItem, registry.Errorf(registry.EINTERNAL, "bản sao số %s đã được ghi vào sổ cấp nhưng không ghi được tệp (chạy lại lô để ghi lại): %v", g.Issue.Serial, err))
				} else {
					mu.Lock()
					res.Issued++
					mu.Unlock()
				}
				tick()
			}
		}
	}()
	var closeOnce sync.Once
	finishWrites := func() {
		closeOnce.Do(func() { close(files) })
		<-written
	}
	defer finishWrites()

	var todo []Request
	flush := func() error {
		if len(todo) == 0 {
			return nil
		}
		got, errs, err := d.IssueMany(ctx, todo)
		if err != nil {
			return err
		}
		var group []*Issued
		for k, g := range got {
			id := todo[k].BatchItem
			switch {
			case errs[k] == nil:
				group = append(group, g)
				continue
			case registry.ErrorCode(errs[k]) == registry.EREFUSED:
				mu.Lock()
				res.Refused[id] = errs[k]
				mu.Unlock()
			default:
				fail(id, errs[k])
			}
			tick()
		}
		files <- group
		todo = todo[:0]
		return nil
	}
	seen := map[string]bool{}
	for _, id := range b.IDs {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		if seen[id] {
			tick()
			continue
		}
		seen[id] = true
		if iss, ok := logged[id]; ok {
			switch {
			case sink.Has(iss):
				res.Resumed++
			default:
				if pdf, err := d.Reissue(iss); err != nil {
					fail(id, err)
				} else if err := sink.Write(iss, pdf); err != nil {
					fail(id, err)
				} else {
					res.Rewritten++
				}
			}
			tick()
			continue
		}
		req := b.Template
		req.RecordID, req.BatchID, req.BatchItem = id, b.ID, id
		todo = append(todo, req)
		if len(todo) == BatchGroup {
			if err := flush(); err != nil {
				return res, err
			}
		}
	}
	if err := flush(); err != nil {
		return res, err
	}
	finishWrites()
	return res, nil
}
