package main

import (
	"bytes"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/hotich/hotich/registry/vntext"
)

// crashCorpus writes batches in several encodings and containers, with
// rescans across files (folds and conflicts) and rejected rows, and returns
// their folder.
func crashCorpus(t *testing.T, rowsPerFile int) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "batches")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	header := []string{"loai_so", "ma_noi_dang_ky", "noi_dang_ky", "quyen_so", "so", "ngay_dang_ky", "ho_ten", "ngay_sinh", "gioi_tinh", "me_ho_ten", "so_dinh_danh"}
	surnames := []string{"Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Đặng", "Bùi"}
	given := []string{"An", "Bảo", "Hoà", "Thuý", "Khoa", "Ngọc Hân", "Đức", "Ưng"}
	rows := func(file, offset int) [][]string {
		out := [][]string{header}
		for i := 0; i < rowsPerFile; i++ {
			n := offset + i
			day := 1 + n%28
			r := []string{"KS", "26740", "UBND Phường Bến Nghé, Quận 1", fmt.Sprintf("%02d/2015", 1+n/1000), strconv.Itoa(1 + n%1000),
				fmt.Sprintf("%02d/06/2015", day), surnames[n%8] + " Văn " + given[(n/8)%8], fmt.Sprintf("%02d/05/2015", day),
				[]string{"Nam", "Nữ"}[n%2], "Trần Thị " + given[n%8], ""}
			if n%13 == 0 {
				r[10] = fmt.Sprintf("0793%02d%06d", 15, n) // sex digit 3 = female: flags the males
			}
			if n%101 == 0 {
				r[7] = "31/02/2015" // rejected
			}
			if file == 2 && i%10 == 0 {
				r[9] = "Trần Thị Hòa" // a rescan that disagrees
			}
			out = append(out, r)
		}
		return out
	}
	encodeCSV := func(rows [][]string) string {
		var buf bytes.Buffer
		w := csv.NewWriter(&buf)
		w.WriteAll(rows)
		return buf.String()
	}
	write := func(name string, data []byte) {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("a-utf8.csv", []byte(encodeCSV(rows(0, 0))))
	tcvn, err := vntext.Encode(vntext.TCVN3, encodeCSV(rows(1, rowsPerFile)))
	if err != nil {
		t.Fatal(err)
	}
	write("b-tcvn3.csv", tcvn)
	// A rescan of the first file's entries, half of them, as JSON Lines.
	var jl bytes.Buffer
	for _, r := range rows(2, 0)[1 : rowsPerFile/2] {
		obj := map[string]string{}
		for i, h := range header {
			obj[h] = r[i]
		}
		b, _ := json.Marshal(obj)
		jl.Write(append(b, '\n'))
	}
	write("c-rescan.jsonl", jl.Bytes())
	vni, err := vntext.Encode(vntext.VNI, encodeCSV(rows(3, 2*rowsPerFile)))
	if err != nil {
		t.Fatal(err)
	}
	write("d-vni.csv", vni)
	return dir
}

// progress returns the rows committed in the store so far, read through a
// separate read-only connection while the writer runs.
func progress(t *testing.T, path string) int {
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro&_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(`SELECT COALESCE(SUM(rows_done), 0) FROM batches`).Scan(&n); err != nil {
		return 0 // not created yet
	}
	return n
}

// checkConsistent checks what a killed run left: a sound database, and for
// every batch exactly the rows up to its resume point, stored or rejected.
func checkConsistent(t *testing.T, path string) {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var ok string
	if err := db.QueryRow(`PRAGMA integrity_check`).Scan(&ok); err != nil || ok != "ok" {
		t.Fatalf("integrity_check: %q %v", ok, err)
	}
	rows, err := db.Query(`SELECT b.id, b.file_name, b.rows_done,
		(SELECT COUNT(*) FROM source_rows s WHERE s.key >> 32 = b.id),
		(SELECT COUNT(*) FROM rejects r WHERE r.key >> 32 = b.id),
		(SELECT COALESCE(MAX(key & 4294967295), 0) FROM (SELECT key FROM source_rows WHERE key >> 32 = b.id UNION ALL SELECT key FROM rejects WHERE key >> 32 = b.id))
		FROM batches b`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, done, stored, rejected, maxRow int
		var name string
		if err := rows.Scan(&id, &name, &done, &stored, &rejected, &maxRow); err != nil {
			t.Fatal(err)
		}
		if stored+rejected != done || maxRow != done {
			t.Errorf("batch %s: resume point %d but %d stored + %d rejected rows, last row %d", name, done, stored, rejected, maxRow)
		}
	}
}

// TestIngestSurvivesSIGKILL kills real ingest processes at several points
// and checks that each leaves a consistent store, and that re-running the
// same command finishes with exactly what an uninterrupted run gives.
func TestIngestSurvivesSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills processes")
	}
	batches := crashCorpus(t, 6000)
	work := t.TempDir()
	ingestArgs := func(db, rejects string) []string {
		return []string{"ingest", "--db", db, "--rejects", rejects, "--commit-rows", "300", "--quiet", batches}
	}

	cleanDB := filepath.Join(work, "clean.db")
	if _, stderr, code := cli(t, nil, ingestArgs(cleanDB, filepath.Join(work, "rejects-clean"))...); code != 0 {
		t.Fatalf("clean run: exit %d\n%s", code, stderr)
	}
	want, _, _ := cli(t, nil, "export", "--format", "jsonl", "--db", cleanDB)

	crashDB := filepath.Join(work, "crash.db")
	child := func(args []string) *exec.Cmd {
		b, _ := json.Marshal(args)
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), childEnv+"="+string(b))
		return cmd
	}
	kills := 0
	// Kill once the store has committed this many rows; the last kill comes
	// at a random moment instead, whatever was committed.
	for i, at := range []int{1, 2500, 7000, 12000, 16000, -1} {
		cmd := child(ingestArgs(crashDB, filepath.Join(work, "rejects-crash")))
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		deadline := time.After(60 * time.Second)
		random := time.After(time.Duration(50+time.Now().UnixNano()%400) * time.Millisecond)
	wait:
		for {
			select {
			case err := <-done:
				t.Logf("run %d finished before its kill point (%v)", i, err)
				break wait
			case <-deadline:
				cmd.Process.Kill()
				t.Fatalf("run %d: no progress to %d rows in 60 s\n%s", i, at, stderr.String())
			case <-random:
				if at < 0 {
					cmd.Process.Signal(syscall.SIGKILL)
					<-done
					kills++
					break wait
				}
			case <-time.After(2 * time.Millisecond):
				if at >= 0 && progress(t, crashDB) >= at {
					cmd.Process.Signal(syscall.SIGKILL)
					<-done
					kills++
					break wait
				}
			}
		}
		checkConsistent(t, crashDB)
	}
	if kills < 3 {
		t.Fatalf("only %d runs were killed mid-way; the corpus is too small to test anything", kills)
	}
	// Re-running the same command finishes the job.
	cmd := child(ingestArgs(crashDB, filepath.Join(work, "rejects-crash")))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("final run: %v\n%s", err, out)
	}
	checkConsistent(t, crashDB)
	mustCheck(t, crashDB)
	got, _, _ := cli(t, nil, "export", "--format", "jsonl", "--db", crashDB)
	if got != want {
		t.Errorf("export after %d kills differs from an uninterrupted run (%d vs %d bytes)", kills, len(got), len(want))
	}
	for _, f := range []string{"a-utf8.csv", "b-tcvn3.csv", "d-vni.csv"} {
		a, errA := os.ReadFile(filepath.Join(work, "rejects-clean", f+".rejects.jsonl"))
		b, errB := os.ReadFile(filepath.Join(work, "rejects-crash", f+".rejects.jsonl"))
		if errA != nil || errB != nil || !bytes.Equal(a, b) {
			t.Errorf("reject report of %s differs after the kills (%v, %v)", f, errA, errB)
		}
	}
	t.Logf("%d kills; export %d bytes identical", kills, len(got))
}

// mustCheck runs hotich check on a store and fails the test unless it finds
// the store sound.
func mustCheck(t *testing.T, db string) {
	t.Helper()
	out, errOut, code := cli(t, nil, "check", "--db", db)
	if code != 0 {
		t.Fatalf("hotich check: exit %d\n%s%s", code, out, errOut)
	}
}
