package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hotich/hotich/linkage"
	"github.com/hotich/hotich/registry"
)

// dedupHeader is the header of the test batches.
var dedupHeader = []string{"loai_so", "ma_noi_dang_ky", "noi_dang_ky", "quyen_so", "so", "ngay_dang_ky",
	"ho_ten", "ngay_sinh", "gioi_tinh", "noi_sinh", "me_ho_ten", "me_ngay_sinh", "cha_ho_ten"}

// dedupRow is a birth entry: authority code, book, number, child's name,
// birth date and the mother's name; the rest is shared.
func dedupRow(code, book, number, name, born, mother string) []string {
	auth := map[string]string{"26740": "UBND Phường Bến Nghé, Quận 1", "26734": "UBND Phường Tân Định, Quận 1"}[code]
	return []string{"KS", code, auth, book, number, "15/12/2010", name, born, "Nam", "Bệnh viện Từ Dũ", mother, "1985", "Nguyễn Văn Bình"}
}

func dedupID(code, book, number string) string {
	return registry.Identity{Register: registry.Birth, AuthorityCode: code, Book: book, Number: number}.RecordID()
}

func writeBatch(t *testing.T, dir, name string, rows ...[]string) string {
	t.Helper()
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write(dedupHeader)
	w.WriteAll(rows)
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

var (
	idA    = dedupID("26740", "01/2010", "1") // the first registration
	idB    = dedupID("26734", "01/2010", "7") // the same birth at another ward, keyed without diacritics
	idC    = dedupID("26740", "01/2010", "9") // keyed again with a typo and day and month swapped
	idTwin = dedupID("26740", "01/2010", "2") // a twin: same parents and day, another name
	idF    = dedupID("26740", "02/2012", "3") // a re-registration in a later batch
)

func dedupStore(t *testing.T) (dir string, env map[string]string) {
	t.Helper()
	dir = t.TempDir()
	writeBatch(t, dir, "a.csv",
		dedupRow("26740", "01/2010", "1", "Nguyễn Văn An", "05/03/2010", "Trần Thị Bích"),
		dedupRow("26740", "01/2010", "2", "Nguyễn Văn Bảo", "05/03/2010", "Trần Thị Bích"),
		dedupRow("26740", "01/2010", "9", "Nguyễn Văn Ann", "03/05/2010", "Trần Thị Bích"),
		dedupRow("26740", "01/2010", "4", "Lê Thị Hồng", "20/11/2010", "Phạm Thị Lan"),
	)
	writeBatch(t, dir, "b.csv", dedupRow("26734", "01/2010", "7", "Nguyen Van An", "05/03/2010", "Tran Thi Bich"))
	env = map[string]string{"HOTICH_DB": filepath.Join(dir, "hotich.db")}
	for _, f := range []string{"a.csv", "b.csv"} {
		if _, stderr, code := cli(t, env, "ingest", "--quiet", "--rejects", filepath.Join(dir, "rejects"), filepath.Join(dir, f)); code != 0 {
			t.Fatalf("ingest %s: %d %s", f, code, stderr)
		}
	}
	return dir, env
}

type reviewLine struct {
	ID        int64   `json:"link"`
	A, B      string  `json:"-"`
	RawA      string  `json:"a"`
	RawB      string  `json:"b"`
	Score     float64 `json:"score"`
	Status    string  `json:"status"`
	Proposed  string  `json:"proposed"`
	DecidedBy string  `json:"decided_by"`
}

func reviewLinks(t *testing.T, env map[string]string, args ...string) map[[2]string]reviewLine {
	t.Helper()
	out, stderr, code := cli(t, env, append([]string{"review", "list", "--json", "--status", "all"}, args...)...)
	if code != 0 {
		t.Fatalf("review list: %d %s", code, stderr)
	}
	var lines []reviewLine
	if err := json.Unmarshal([]byte(out), &lines); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	m := map[[2]string]reviewLine{}
	for _, l := range lines {
		a, b := l.RawA, l.RawB
		if a > b {
			a, b = b, a
		}
		m[[2]string{a, b}] = l
	}
	return m
}

func pairKey(a, b string) [2]string {
	if a > b {
		a, b = b, a
	}
	return [2]string{a, b}
}

func dedupRun(t *testing.T, env map[string]string, args ...string) []linkage.Report {
	t.Helper()
	out, stderr, code := cli(t, env, append([]string{"dedup", "--json"}, args...)...)
	if code != 0 {
		t.Fatalf("dedup: %d %s", code, stderr)
	}
	var reps []linkage.Report
	if err := json.Unmarshal([]byte(out), &reps); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	return reps
}

func ks(reps []linkage.Report) linkage.Report {
	for _, r := range reps {
		if r.Register == registry.Birth {
			return r
		}
	}
	return linkage.Report{}
}

// TestDedupCLI runs linkage, reviews a link and checks that decisions
// survive re-runs until an entry's data changes, that runs are incremental
// and idempotent, and that the export lists the links.
func TestDedupCLI(t *testing.T) {
	dir, env := dedupStore(t)

	rep := ks(dedupRun(t, env))
	if rep.Entries != 5 || rep.Pending != 5 || rep.Changes.Created != 3 {
		t.Fatalf("first run: %+v", rep)
	}
	links := reviewLinks(t, env)
	if l := links[pairKey(idA, idB)]; l.Status != "auto" {
		t.Errorf("A–B (another ward, diacritics lost): %+v, want auto", l)
	}
	if l := links[pairKey(idA, idC)]; l.Status != "suspected" {
		t.Errorf("A–C (typo, swapped date): %+v, want suspected", l)
	}
	if l, ok := links[pairKey(idA, idTwin)]; ok {
		t.Errorf("twins linked: %+v", l)
	}
	out, _, _ := cli(t, env, "flags", "--code", "suspected_duplicate")
	if !strings.Contains(out, idA) || !strings.Contains(out, idC) {
		t.Errorf("suspected_duplicate flags:\n%s", out)
	}

	t.Run("Idempotent", func(t *testing.T) {
		rep := ks(dedupRun(t, env))
		if rep.Pending != 0 || rep.Changes.Created+rep.Changes.Updated+rep.Changes.Dropped+rep.Changes.Reset != 0 {
			t.Errorf("second run changed something: %+v", rep)
		}
		rep = ks(dedupRun(t, env, "--since", "0"))
		if rep.Pending != 5 || rep.Changes.Unchanged != 3 || rep.Changes.Created+rep.Changes.Updated != 0 {
			t.Errorf("full re-run: %+v, want every link unchanged", rep)
		}
	})

	linkAC := reviewLinks(t, env)[pairKey(idA, idC)].ID
	t.Run("RejectSurvivesReruns", func(t *testing.T) {
		out, stderr, code := cli(t, env, "review", "reject", "--by", "Lê Thị Mai", "--note", "đã đối chiếu sổ gốc", itoa(linkAC))
		if code != 0 || !strings.Contains(out, "bác bỏ") {
			t.Fatalf("reject: %d %s %s", code, out, stderr)
		}
		rep := ks(dedupRun(t, env, "--since", "0"))
		if rep.Changes.Kept != 1 {
			t.Errorf("re-run: %+v, want the decision kept", rep)
		}
		if l := reviewLinks(t, env)[pairKey(idA, idC)]; l.Status != "rejected" || l.DecidedBy != "Lê Thị Mai" {
			t.Errorf("after re-run: %+v", l)
		}
		if out, _, _ := cli(t, env, "flags", "--code", "suspected_duplicate"); strings.Contains(out, "(liên kết "+itoa(linkAC)+")") {
			t.Errorf("flag still open after the rejection:\n%s", out)
		}
	})

	t.Run("ReopenAndDecideAgain", func(t *testing.T) {
		if _, stderr, code := cli(t, env, "review", "reopen", "--by", "Trần Văn Bình", itoa(linkAC)); code != 0 {
			t.Fatalf("reopen: %s", stderr)
		}
		if l := reviewLinks(t, env)[pairKey(idA, idC)]; l.Status != "suspected" {
			t.Errorf("after reopen: %+v", l)
		}
		if _, stderr, code := cli(t, env, "review", "reopen", "--by", "X", itoa(linkAC)); code != 1 || !strings.Contains(stderr, "chưa có quyết định") {
			t.Errorf("reopen twice: %d %s", code, stderr)
		}
		if _, stderr, code := cli(t, env, "review", "reject", itoa(linkAC)); code != 1 || !strings.Contains(stderr, "--by") {
			t.Errorf("reject without --by: %d %s", code, stderr)
		}
		if _, _, code := cli(t, env, "review", "reject", "--by", "Lê Thị Mai", itoa(linkAC)); code != 0 {
			t.Fatal("reject again")
		}
	})

	t.Run("DataChangeResetsDecision", func(t *testing.T) {
		_, stderr, code := cli(t, env, "correct", "--by", "Lê Thị Mai", "--basis", "QĐ 12/QĐ-UBND", idC, "ho_ten=Nguyễn Văn An")
		if code != 0 {
			t.Fatalf("correct: %s", stderr)
		}
		rep := ks(dedupRun(t, env))
		if rep.Changes.Reset != 1 {
			t.Errorf("run after the correction: %+v, want the rejection reset", rep)
		}
		if l := reviewLinks(t, env)[pairKey(idA, idC)]; l.Status == "rejected" || l.DecidedBy != "" {
			t.Errorf("after the correction: %+v", l)
		}
	})

	t.Run("NewBatchMatchesWholeStore", func(t *testing.T) {
		path := writeBatch(t, dir, "c.csv", dedupRow("26740", "02/2012", "3", "Nguyễn Văn An", "05/03/2010", "Trần Thị Bích"))
		if _, stderr, code := cli(t, env, "ingest", "--quiet", "--rejects", filepath.Join(dir, "rejects"), path); code != 0 {
			t.Fatal(stderr)
		}
		rep := ks(dedupRun(t, env))
		if rep.Pending != 1 {
			t.Errorf("pending %d, want the new entry only", rep.Pending)
		}
		links := reviewLinks(t, env)
		for _, other := range []string{idA, idB} {
			if l := links[pairKey(idF, other)]; l.Status != "auto" {
				t.Errorf("new entry %s – stored %s: %+v, want auto", idF, other, l)
			}
		}
	})

	t.Run("Export", func(t *testing.T) {
		out1, _, code := cli(t, env, "export", "--format", "jsonl")
		out2, _, _ := cli(t, env, "export", "--format", "jsonl")
		if code != 0 || out1 != out2 {
			t.Fatal("export not deterministic")
		}
		var line struct {
			ID         string `json:"id"`
			Duplicates []struct {
				ID     string  `json:"id"`
				Score  float64 `json:"score"`
				Status string  `json:"status"`
			} `json:"duplicates"`
		}
		for _, l := range strings.Split(strings.TrimSpace(out1), "\n") {
			json.Unmarshal([]byte(l), &line)
			if line.ID == idA {
				break
			}
		}
		if line.ID != idA || len(line.Duplicates) < 3 {
			t.Fatalf("record A in the export: %+v", line)
		}
		for _, d := range line.Duplicates {
			if d.Score <= 0 || d.Score > 1 || d.Status == "" {
				t.Errorf("duplicate %+v", d)
			}
		}
	})
}

func itoa(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}

func TestReviewShow(t *testing.T) {
	_, env := dedupStore(t)
	dedupRun(t, env)
	id := reviewLinks(t, env)[pairKey(idA, idC)].ID
	out, stderr, code := cli(t, env, "review", "show", itoa(id))
	if code != 0 {
		t.Fatalf("show: %d %s", code, stderr)
	}
	for _, want := range []string{idA, idC, "Nguyễn Văn Ann", "≠", "Tên", "sai một ký tự", "Ngày sinh", "đảo ngày và tháng",
		"so với sinh đôi", "Tiên nghiệm", "điều kiện tự động: không đạt", "link_created"} {
		if !strings.Contains(out, want) {
			t.Errorf("review show: no %q in\n%s", want, out)
		}
	}
	// The same values are not marked.
	if regexp.MustCompile(`Họ tên mẹ +Trần Thị Bích +Trần Thị Bích +≠`).MatchString(out) {
		t.Errorf("equal values marked as different:\n%s", out)
	}
	out, _, code = cli(t, env, "review", "show", "--json", itoa(id))
	var js struct {
		Explanation struct {
			Fields []struct{ Name, Level string } `json:"fields"`
		} `json:"explanation"`
		A map[string]string `json:"a"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &js) != nil || len(js.Explanation.Fields) == 0 || js.A["ho_ten"] == "" {
		t.Errorf("show --json: %s", out)
	}
	if _, stderr, code := cli(t, env, "review", "show", "999"); code != 4 {
		t.Errorf("unknown link: %d %s", code, stderr)
	}
	if _, _, code := cli(t, env, "review", "show", "x"); code != 2 {
		t.Errorf("bad link number: %d", code)
	}
	out, _, code = cli(t, env, "review", "list", "--register", "KS", "--min-score", "0.01")
	if code != 0 || !strings.Contains(out, idC) {
		t.Errorf("review list:\n%s", out)
	}
	out, _, code = cli(t, env, "dedup", "explain", idA, idTwin)
	if code != 0 || !strings.Contains(out, "không liên kết") {
		t.Errorf("explain twins:\n%s", out)
	}
}

// TestDedupEval checks the evaluation against a ground truth.
func TestDedupEval(t *testing.T) {
	dir, env := dedupStore(t)
	dedupRun(t, env)
	truth := strings.Join([]string{
		`{"kind":"duplicate","a":"` + idA + `","b":"` + idB + `","register":"KS"}`,
		`{"kind":"duplicate","a":"` + idC + `","b":"` + idA + `","register":"KS"}`,
		`{"kind":"hard_negative","type":"twins","a":"` + idA + `","b":"` + idTwin + `"}`,
	}, "\n")
	path := filepath.Join(dir, "pairs.jsonl")
	os.WriteFile(path, []byte(truth), 0o644)
	out, stderr, code := cli(t, env, "dedup", "eval", "--json", path)
	if code != 0 {
		t.Fatalf("eval: %s", stderr)
	}
	var q struct {
		Auto           struct{ Precision, Recall float64 }
		AutoSuspected  struct{ Precision, Recall float64 }  `json:"auto_suspected"`
		HardNegatives  map[string]struct{ Pairs, Auto int } `json:"hard_negatives"`
		BlockingRecall float64                              `json:"blocking_recall"`
	}
	if err := json.Unmarshal([]byte(out), &q); err != nil {
		t.Fatal(err)
	}
	if q.Auto.Precision != 1 || q.Auto.Recall != 0.5 || q.AutoSuspected.Recall != 1 || q.HardNegatives["twins"].Pairs != 1 ||
		q.HardNegatives["twins"].Auto != 0 || q.BlockingRecall != 1 {
		t.Errorf("eval: %s", out)
	}
}

func TestDedupUsage(t *testing.T) {
	for _, args := range [][]string{{"dedup", "--register", "XX"}, {"dedup", "extra"}, {"review"}, {"review", "nope"}, {"review", "list", "--status", "maybe"}} {
		if _, _, code := cli(t, nil, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
	out, _, code := cli(t, nil, "help", "review")
	if code != 0 || !strings.Contains(out+"", "") {
		t.Errorf("help review: %d", code)
	}
}

// TestIngestDedup checks that ingest --dedup links what it ingested.
func TestIngestDedup(t *testing.T) {
	dir := t.TempDir()
	path := writeBatch(t, dir, "a.csv",
		dedupRow("26740", "01/2010", "1", "Nguyễn Văn An", "05/03/2010", "Trần Thị Bích"),
		dedupRow("26734", "01/2010", "7", "Nguyen Van An", "05/03/2010", "Tran Thi Bich"))
	env := map[string]string{"HOTICH_DB": filepath.Join(dir, "hotich.db")}
	out, stderr, code := cli(t, env, "ingest", "--quiet", "--dedup", "--rejects", filepath.Join(dir, "rejects"), path)
	if code != 0 {
		t.Fatalf("ingest --dedup: %d %s", code, stderr)
	}
	if !strings.Contains(out, "Tự động") {
		t.Errorf("no linkage report:\n%s", out)
	}
	if l := reviewLinks(t, env)[pairKey(idA, idB)]; l.Status != "auto" {
		t.Errorf("A–B after ingest --dedup: %+v", l)
	}
}
