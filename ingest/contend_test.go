package ingest_test

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/hotich/hotich/ingest"
	"github.com/hotich/hotich/registry"
	"github.com/hotich/hotich/registry/sqlite"
	"github.com/hotich/hotich/review"
)

// TestCommitsForWaitingWriter: an ingest whose transaction could hold all
// its rows commits as soon as another writer (a clerk correcting an entry)
// waits, so the clerk's write lands before the ingest ends instead of
// waiting for the whole file.
func TestCommitsForWaitingWriter(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	dir := t.TempDir()
	run(t, db, ingest.Options{}, writeFile(t, dir, "first.csv", csvBytes(t, ',', [][]string{birthHeader, row(nil)})))
	recs, err := db.FindRecords(ctx, registry.RecordFilter{Register: registry.Birth, Limit: 1})
	if err != nil || len(recs) != 1 {
		t.Fatal(recs, err)
	}
	// A file big enough to take a while, all in one transaction by count.
	rows := [][]string{birthHeader}
	for i := range 20000 {
		rows = append(rows, row(map[string]string{"so": strconv.Itoa(1000 + i), "quyen_so": "09/2016"}))
	}
	big := writeFile(t, dir, "big.csv", csvBytes(t, ',', rows))

	clerk, err := sqlite.OpenExisting(ctx, db.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer clerk.Close()
	started := make(chan struct{})
	var wg sync.WaitGroup
	var corrErr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		<-started
		time.Sleep(200 * time.Millisecond)
		corrErr = (&review.Service{Store: clerk}).Correct(ctx, recs[0].ID, "noi_sinh", "Bệnh viện Hùng Vương", "Lê Thị Mai", "QĐ 12/QĐ-UBND")
	}()
	opt := ingest.Options{CommitRows: 1 << 30, Progress: func(ingest.Progress) {
		select {
		case <-started:
		default:
			close(started)
		}
	}}
	run(t, db, opt, big)
	wg.Wait()
	if corrErr != nil {
		t.Fatal(corrErr)
	}
	var corrSeq, doneSeq int64
	db.SQL().QueryRow(`SELECT seq FROM events WHERE kind = 'record_corrected'`).Scan(&corrSeq)
	db.SQL().QueryRow(`SELECT MAX(seq) FROM events WHERE kind = 'batch_finished'`).Scan(&doneSeq)
	if corrSeq == 0 || corrSeq > doneSeq {
		t.Errorf("the correction (seq %d) waited for the ingest's end (seq %d)", corrSeq, doneSeq)
	}
}
