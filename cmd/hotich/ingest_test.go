package main

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"
)

// signalChild starts the hotich command line args in a child process (the
// test binary, see TestMain), waits until ready returns true or after, then
// sends sig and waits for the child to exit. It fails the test if the child
// is still running 15 s after the signal: every long step of a command
// must honour SIGINT and SIGTERM (within a second on an idle machine; the
// bound is wide for a loaded one, and the point is that it stops at all).
func signalChild(t *testing.T, sig os.Signal, ready func() bool, after time.Duration, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	b, _ := json.Marshal(args)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+string(b))
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	start := time.Now()
	for time.Since(start) < after && (ready == nil || !ready()) {
		select {
		case err := <-done:
			t.Fatalf("%v exited before the signal (%v)\n%s", args, err, errb.String())
		case <-time.After(5 * time.Millisecond):
		}
	}
	sent := time.Now()
	cmd.Process.Signal(sig)
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		cmd.Process.Kill()
		<-done
		t.Fatalf("%v still running 15 s after %v\n%s", args, sig, errb.String())
	}
	t.Logf("%v stopped %v after %v", args[0], time.Since(sent).Round(time.Millisecond), sig)
	return out.String(), errb.String(), cmd.ProcessState.ExitCode()
}

// storeRows returns the single number a query of the store at path gives,
// or 0 when there is no store.
func storeRows(t *testing.T, path, query string) int {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		return 0
	}
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro&_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(query).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// TestIngestStopsOnSignal: a file a terabyte long (sparse: a batch header
// and a row, then zeros) keeps the hashing busy for minutes; SIGINT and
// SIGTERM stop the ingest with the interrupted status, storing nothing of
// the file.
func TestIngestStopsOnSignal(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	dir := t.TempDir()
	huge := filepath.Join(dir, "huge.csv")
	head := "loai_so,ma_noi_dang_ky,noi_dang_ky,quyen_so,so,ngay_dang_ky,ho_ten,ngay_sinh,gioi_tinh\n" +
		"KS,26740,UBND Phường Bến Nghé,01/2010,1,15/03/2010,Nguyễn Văn An,01/03/2010,Nam\n"
	if err := os.WriteFile(huge, []byte(head), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(huge, 1<<40); err != nil {
		t.Skipf("no sparse file of 1 TiB here: %v", err)
	}
	for _, sig := range []os.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			db := filepath.Join(t.TempDir(), "h.db")
			_, stderr, code := signalChild(t, sig, nil, time.Second, "ingest", "--db", db, "--quiet", huge)
			if code != exitInterrupted {
				t.Errorf("exit %d, want %d\n%s", code, exitInterrupted, stderr)
			}
			if n := storeRows(t, db, `SELECT COUNT(*) FROM batches`); n != 0 {
				t.Errorf("%d batches stored after the signal, want none", n)
			}
		})
	}
}

// TestIngestSummaryListsEveryPath: the human summary and --json list the
// files not read and the files refused, each with its reason.
func TestIngestSummaryListsEveryPath(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("ks.csv", "loai_so,ma_noi_dang_ky,noi_dang_ky,quyen_so,so,ngay_dang_ky,ho_ten,ngay_sinh,gioi_tinh\n"+
		"KS,26740,UBND Phường Bến Nghé,01/2010,1,15/03/2010,Nguyễn Văn An,01/03/2010,Nam\n")
	write("scan.pdf", "%PDF-1.4")
	write(".ks.csv.swp", "x")
	if err := syscall.Mkfifo(filepath.Join(dir, "pipe.csv"), 0o644); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(t.TempDir(), "h.db")
	out, stderr, code := cli(t, nil, "ingest", "--db", db, "--rejects", t.TempDir(), dir)
	if code != exitFailure {
		t.Errorf("exit %d, want %d (a file was refused)\n%s", code, exitFailure, stderr)
	}
	for _, want := range []string{"scan.pdf: không phải tệp lô", ".ks.csv.swp: tệp ẩn", "pipe.csv: không phải tệp thường", "Tổng (2 tệp)"} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
	out, _, _ = cli(t, nil, "ingest", "--db", db, "--json", dir)
	var res []struct{ File, Status, Reason string }
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	got := map[string]string{}
	for _, r := range res {
		if r.Reason == "" && r.Status != "already_ingested" {
			t.Errorf("%s: %s without a reason", r.File, r.Status)
		}
		got[r.File] = r.Status
	}
	want := map[string]string{"ks.csv": "already_ingested", "scan.pdf": "not_read", ".ks.csv.swp": "not_read", "pipe.csv": "refused"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("--json statuses %v, want %v", got, want)
	}
}

// smallFiles writes n ward files of rows birth entries each (every 50th
// row rejected) and returns their folder.
func smallFiles(t *testing.T, n, rows int) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "batches")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for f := 0; f < n; f++ {
		var b strings.Builder
		b.WriteString("loai_so,ma_noi_dang_ky,noi_dang_ky,quyen_so,so,ngay_dang_ky,ho_ten,ngay_sinh,gioi_tinh,me_ho_ten\n")
		for i := 1; i <= rows; i++ {
			birth := fmt.Sprintf("%02d/05/2015", 1+i%28)
			if i%50 == 0 {
				birth = "31/02/2015"
			}
			fmt.Fprintf(&b, "KS,26740,UBND Phường Bến Nghé,%02d/2015,%d,%02d/06/2015,Nguyễn Văn An %d,%s,Nam,Trần Thị Hoà\n", f+1, i, 1+i%28, i, birth)
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("ks-%03d.csv", f)), []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestIngestSummaryAfterSIGINT: Ctrl+C during an ingest of many small
// files (which share transactions) stops it, and the summary it prints
// reports only what the store kept: files finished, rows and records
// committed, and the files a re-run will resume or start.
func TestIngestSummaryAfterSIGINT(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	dir := smallFiles(t, 80, 400)
	for i, at := range []int{1, 12000} {
		db := filepath.Join(t.TempDir(), "h.db")
		ready := func() bool { return progress(t, db) >= at }
		out, stderr, code := signalChild(t, syscall.SIGINT, ready, 30*time.Second, "ingest", "--db", db, "--rejects", t.TempDir(), "--commit-rows", "5000", "--json", dir)
		if code != exitInterrupted {
			t.Fatalf("run %d: exit %d, want %d\n%s", i, code, exitInterrupted, stderr)
		}
		var res []struct {
			File, Status, Error, Reason string
			Counts                      struct {
				Rows           int `json:"rows"`
				RecordsCreated int `json:"records_created"`
			} `json:"counts"`
		}
		if err := json.Unmarshal([]byte(out), &res); err != nil {
			t.Fatalf("run %d: %v\n%s", i, err, out)
		}
		var rows, created, done, resumable int
		statuses := map[string]int{}
		for _, r := range res {
			if r.Status == "failed" {
				t.Errorf("run %d: %s failed: %s %s", i, r.File, r.Error, r.Reason)
			}
			statuses[r.Status]++
			rows += r.Counts.Rows
			created += r.Counts.RecordsCreated
			switch r.Status {
			case "ingested":
				done++
			case "interrupted", "pending":
				resumable++
			}
		}
		if len(res) != 80 || done+resumable != 80 {
			t.Errorf("run %d: %d results %v, want 80 files ingested, interrupted or pending", i, len(res), statuses)
		}
		if got := storeRows(t, db, `SELECT COUNT(*) FROM batches WHERE status = 'done'`); got != done {
			t.Errorf("run %d: summary says %d files ingested, the store finished %d", i, done, got)
		}
		if got := storeRows(t, db, `SELECT (SELECT COUNT(*) FROM source_rows) + (SELECT COUNT(*) FROM rejects)`); got != rows {
			t.Errorf("run %d: summary says %d rows, the store holds %d", i, rows, got)
		}
		if got := storeRows(t, db, `SELECT COUNT(*) FROM records`); got != created {
			t.Errorf("run %d: summary says %d new records, the store holds %d", i, created, got)
		}
		t.Logf("run %d: stopped with %v, %d rows kept", i, statuses, rows)

		// The human summary says what was kept and what a re-run does.
		db2 := filepath.Join(t.TempDir(), "h.db")
		ready = func() bool { return progress(t, db2) >= at }
		out, stderr, code = signalChild(t, syscall.SIGINT, ready, 30*time.Second, "ingest", "--db", db2, "--rejects", t.TempDir(), "--commit-rows", "5000", dir)
		if !strings.Contains(out, "Đã dừng theo yêu cầu") || !strings.Contains(out, "Chạy lại cùng lệnh") {
			t.Errorf("run %d: exit %d; the human summary does not say what was kept:\n%s\n%s", i, code, out, stderr)
		}
	}
}

// TestXMLInvalidCharacters: characters XML 1.0 cannot carry (C0 controls
// but TAB, LF and CR; U+FFFE, U+FFFF) are taken out of the values at
// ingest, the row flagged and its source row kept as read; and a store
// that holds such values already (put there with SQL, in a record and in
// the append-only event log) still exports to the ministry format, every
// file well-formed XML.
func TestXMLInvalidCharacters(t *testing.T) {
	dir := t.TempDir()
	batch := "loai_so,ma_noi_dang_ky,noi_dang_ky,quyen_so,so,ngay_dang_ky,ho_ten,ngay_sinh,gioi_tinh,noi_sinh,ghi_chu,Người ký\n" +
		"KS,26740,UBND Phường Bến Nghé,01/2010,1,15/03/2010,Nguyễn\x01 Văn An,01/03/2010,Nam,Bệnh viện\uFFFE Từ Dũ,Ghi\x07 chú,Lê\x1b[31m Văn Tám\uFFFF\n" +
		"KS,26740,UBND Phường Bến Nghé,01/2010,2,15/03/2010,Trần Văn Bình,01/03/2010,Nam,,,\n"
	if err := os.WriteFile(filepath.Join(dir, "ctl.csv"), []byte(batch), 0o644); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(t.TempDir(), "h.db")
	if out, stderr, code := cli(t, nil, "ingest", "--db", db, "--rejects", t.TempDir(), filepath.Join(dir, "ctl.csv")); code != 0 {
		t.Fatalf("ingest: exit %d\n%s%s", code, out, stderr)
	}
	out, _, _ := cli(t, nil, "export", "--db", db)
	var rec struct {
		Number string            `json:"number"`
		Fields map[string]string `json:"fields"`
		Extra  map[string]string `json:"extra"`
		Flags  []string          `json:"flags"`
	}
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if err := json.Unmarshal([]byte(l), &rec); err != nil {
			t.Fatal(err)
		}
		if rec.Number == "1" {
			break
		}
	}
	if rec.Number != "1" {
		t.Fatalf("entry 1 not stored:\n%s", out)
	}
	want := map[string]string{"ho_ten": "Nguyễn Văn An", "noi_sinh": "Bệnh viện Từ Dũ", "ghi_chu": "Ghi chú"}
	for k, v := range want {
		if rec.Fields[k] != v {
			t.Errorf("%s = %q, want %q", k, rec.Fields[k], v)
		}
	}
	if got := rec.Extra["Người ký"]; got != "Lê[31m Văn Tám" {
		t.Errorf("extra = %q", got)
	}
	if !reflect.DeepEqual(rec.Flags, []string{"invalid_chars"}) {
		t.Errorf("flags %v, want [invalid_chars]", rec.Flags)
	}
	if n := storeRows(t, db, `SELECT COUNT(*) FROM source_rows WHERE instr(raw, '\u0001') > 0 AND instr(raw, '\u001b') > 0`); n != 1 {
		t.Errorf("%d source rows keep the control characters as read, want 1", n)
	}

	// A store written before: the values are there already.
	sdb, err := sql.Open("sqlite3", "file:"+db+"?_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`UPDATE records SET fields = json_set(fields, '$.ho_ten', 'Trần' || char(1) || ' Văn Bình' || char(65535)) WHERE number = '2'`,
		`INSERT INTO events (at, kind, record_rid, detail) SELECT '2025-06-09T08:00:00Z', 'record_corrected', rid, json_object('field', 'noi_sinh', 'old', 'x' || char(2), 'new', 'y', 'basis', 'QĐ' || char(31)) FROM records WHERE number = '2'`,
	} {
		if _, err := sdb.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	sdb.Close()
	outDir := filepath.Join(t.TempDir(), "mx")
	if out, stderr, code := cli(t, nil, "export", "--db", db, "--format", "ministry", "--full", "--out", outDir); code != 0 {
		t.Fatalf("ministry export of a store holding control characters: exit %d\n%s%s", code, out, stderr)
	}
	files, _ := filepath.Glob(filepath.Join(outDir, "*.xml"))
	var all string
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		d := xml.NewDecoder(bytes.NewReader(data))
		for {
			_, err := d.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("%s is not well-formed XML: %v", filepath.Base(f), err)
			}
		}
		all += string(data)
	}
	if !strings.Contains(all, "<dc:Ho>Trần␁</dc:Ho>") || !strings.Contains(all, "<dc:Ten>Bình\uFFFD</dc:Ten>") || !strings.Contains(all, "QĐ␟") {
		t.Errorf("the export does not show the characters it could not carry as documented")
	}
}
