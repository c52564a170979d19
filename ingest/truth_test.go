package ingest_test

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"testing"

	"github.com/hotich/hotich/ingest"
	"github.com/hotich/hotich/registry"
	"github.com/hotich/hotich/registry/sqlite"
	"github.com/hotich/hotich/samples"
)

// truthRow is one line of a sample corpus's truth/rows.jsonl.
type truthRow struct {
	Ref       string            `json:"ref"`
	Outcome   string            `json:"outcome"`
	Reject    string            `json:"reject"`
	Column    string            `json:"column"`
	Flags     []string          `json:"flags"`
	RecordID  string            `json:"record_id"`
	Fields    map[string]string `json:"fields"`
	Extra     map[string]string `json:"extra"`
	Conflicts []struct {
		Column string `json:"column"`
		Kept   string `json:"kept"`
		Value  string `json:"value"`
	} `json:"conflicts"`
}

func readTruth(t *testing.T, dir string) []truthRow {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "rows.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows []truthRow
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var r truthRow
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		rows = append(rows, r)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return rows
}

// checkTruth compares what the store made of every batch row with the
// generator's truth: outcome, reject reason, flags, the record a row is
// stored under, and the stored values of each record.
func checkTruth(t *testing.T, db *sqlite.DB, truthDir string) {
	t.Helper()
	ctx := context.Background()
	truth := readTruth(t, truthDir)
	want := make(map[string]*truthRow, len(truth))
	for i := range truth {
		want[truth[i].Ref] = &truth[i]
	}
	seen := 0
	mismatches := 0
	report := func(format string, args ...any) {
		mismatches++
		if mismatches <= 25 {
			t.Errorf(format, args...)
		}
	}
	err := db.RowOutcomes(ctx, func(o registry.RowOutcome) error {
		w, ok := want[o.Ref]
		if !ok {
			report("row %s is in the store but not in the truth", o.Ref)
			return nil
		}
		seen++
		if o.Outcome != w.Outcome {
			report("%s: outcome %s (reject %q, flags %v), want %s (reject %q, flags %v)", o.Ref, o.Outcome, o.Reject, o.Flags, w.Outcome, w.Reject, w.Flags)
			return nil
		}
		if string(o.Reject) != w.Reject {
			report("%s: reject %q (%s), want %q (%s)", o.Ref, o.Reject, o.Field, w.Reject, w.Column)
		}
		if o.RecordID != w.RecordID {
			report("%s: stored under %q, want %q", o.Ref, o.RecordID, w.RecordID)
		}
		got := make([]string, len(o.Flags))
		for i, f := range o.Flags {
			got[i] = string(f)
		}
		wf := append([]string(nil), w.Flags...)
		sort.Strings(wf)
		if len(got) != len(wf) || len(got) > 0 && !reflect.DeepEqual(got, wf) {
			report("%s: flags %v, want %v", o.Ref, got, wf)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if seen != len(truth) {
		t.Errorf("the store accounts for %d rows, the batches hold %d: rows were lost", seen, len(truth))
	}

	// Stored values: every record against the row that created it, plus
	// the values conflicting rescans bring.
	first := map[string]*truthRow{}
	conflicts := map[string]map[string][]string{}
	for i := range truth {
		r := &truth[i]
		if r.RecordID == "" || r.Fields == nil {
			continue
		}
		if first[r.RecordID] == nil {
			first[r.RecordID] = r
		}
		for _, c := range r.Conflicts {
			if conflicts[r.RecordID] == nil {
				conflicts[r.RecordID] = map[string][]string{}
			}
			vals := conflicts[r.RecordID][c.Column]
			if len(vals) == 0 {
				vals = []string{c.Kept}
			}
			conflicts[r.RecordID][c.Column] = append(vals, c.Value)
		}
	}
	records := 0
	err = db.EachRecord(ctx, func(rec *registry.Record) error {
		records++
		w := first[rec.ID]
		if w == nil {
			return nil // no truth fields for it (a corpus without them)
		}
		for k, v := range w.Fields {
			if got := rec.Field(k); got != v {
				// A later scan may fill a value the first one lacked,
				// never change one it had.
				report("%s (%s): %s = %q, want %q", rec.ID, w.Ref, k, got, v)
			}
		}
		for k, v := range w.Extra {
			if rec.Extra[k] != v {
				report("%s: extra column %q = %q, want %q", rec.ID, k, rec.Extra[k], v)
			}
		}
		gotConflicts := map[string][]string{}
		for _, c := range rec.Conflicts {
			gotConflicts[c.Field] = c.Values
		}
		if wc := conflicts[rec.ID]; len(wc) > 0 || len(gotConflicts) > 0 {
			if !reflect.DeepEqual(gotConflicts, wc) && !(len(wc) == 0 && len(gotConflicts) == 0) {
				report("%s: conflicts %v, want %v", rec.ID, gotConflicts, wc)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if records != len(first) && len(first) > 0 {
		t.Errorf("%d records stored, the truth has %d", records, len(first))
	}
	if mismatches > 25 {
		t.Errorf("... %d mismatches in all", mismatches)
	}
	t.Logf("%d rows and %d records checked against the truth; %d mismatches", seen, records, mismatches)
}

// TestCommittedSamples ingests the README's sample batches and checks every
// row against their truth, then ingests them again: nothing changes.
func TestCommittedSamples(t *testing.T) {
	db := openDB(t)
	res := run(t, db, ingest.Options{RejectsDir: filepath.Join(t.TempDir(), "rejects")}, "../samples/batches")
	if len(res) != 30 {
		t.Errorf("%d files ingested, want the 30 committed", len(res))
	}
	checkTruth(t, db, "../samples/truth")
	before := dump(t, db)
	for _, r := range run(t, db, ingest.Options{}, "../samples/batches") {
		if r.Status != ingest.StatusSkipped {
			t.Errorf("%s ingested twice: %s", r.File, r.Status)
		}
	}
	if dump(t, db) != before {
		t.Error("ingesting the samples again changed the store")
	}
}

// TestGeneratedCorpus generates a fresh corpus in every container and
// encoding and checks the ingest of every row against its truth.
func TestGeneratedCorpus(t *testing.T) {
	if testing.Short() {
		t.Skip("generates and ingests a corpus")
	}
	dir := t.TempDir()
	cfg := samples.DefaultConfig()
	cfg.Entries = 12000
	cfg.Seed = 11
	cfg.BadRowRate, cfg.FlaggedRate, cfg.MojibakeRate = 0.04, 0.04, 0.3
	if _, err := samples.Generate(context.Background(), cfg, dir); err != nil {
		t.Fatal(err)
	}
	db := openDB(t)
	res := run(t, db, ingest.Options{CommitRows: 2000}, filepath.Join(dir, "batches"))
	// Every file's encoding was detected as the generator wrote it.
	var summary struct {
		ByFile map[string]struct {
			Encoding string `json:"encoding"`
		} `json:"by_file"`
	}
	b, err := os.ReadFile(filepath.Join(dir, "truth", "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &summary); err != nil {
		t.Fatal(err)
	}
	containers, encodings := map[string]bool{}, map[string]bool{}
	for _, r := range res {
		containers[r.Container] = true
		wrote := summary.ByFile[r.File].Encoding
		encodings[wrote] = true
		want := map[string]string{"utf8-bom": "utf8", "utf8-nfd": "utf8", "xlsx": "utf8"}[wrote]
		if want == "" {
			want = wrote
		}
		if r.Encoding != want {
			t.Errorf("%s written in %s, detected as %s (confidence %.2f)", r.File, wrote, r.Encoding, r.Confidence)
		}
	}
	t.Logf("%d files; containers %v; encodings %v", len(res), keys(containers), keys(encodings))
	if len(containers) < 4 || len(encodings) < 10 {
		t.Errorf("corpus lacks containers or encodings: %v %v", keys(containers), keys(encodings))
	}
	checkTruth(t, db, filepath.Join(dir, "truth"))
}

func keys(m map[string]bool) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
