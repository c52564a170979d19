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
	"strconv"
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

// storeDump returns every table of a store but the event log, row by row,
// and the number of events: what a re-read that changes nothing must leave
// as it was.
func storeDump(t *testing.T, path string) (string, int) {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro&_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var b strings.Builder
	for _, q := range []string{
		`SELECT id, file_name, file_hash, register, container, delimiter, encoding, confidence, header, status, rows_done, counts FROM batches ORDER BY id`,
		`SELECT rid, id, identity_key, authority_name, registered_on, fields, COALESCE(extra, ''), COALESCE(filled, ''), refs, created_seq, version FROM records ORDER BY rid`,
		`SELECT record_rid, role, name_fold, name_canon, birth, COALESCE(personal_id, '') FROM persons ORDER BY record_rid, role`,
		`SELECT key, record_rid, outcome, raw FROM source_rows ORDER BY key`,
		`SELECT key, code, field, message, raw FROM rejects ORDER BY key`,
		`SELECT id, record_rid, code, field, detail, COALESCE(source_key, 0), created_seq, COALESCE(resolved_seq, 0) FROM flags ORDER BY id`,
		`SELECT id, record_rid, field, vals, created_seq, COALESCE(resolved_seq, 0) FROM conflicts ORDER BY id`,
	} {
		rows, err := db.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			rows.Scan(ptrs...)
			fmt.Fprintln(&b, vals...)
		}
		rows.Close()
	}
	var events int
	db.QueryRow(`SELECT COUNT(*) FROM events`).Scan(&events)
	return b.String(), events
}

// TestIngestForceReread: a file ingested with the wrong encoding is read
// again with --force --encoding: its rows replace the earlier ones; the
// records built from them alone are rebuilt, the record it shares with a
// rescan from another file keeps that file's data; search keys follow; the
// event log records the re-read and the ministry export since before it
// carries the changed records. Reading the same bytes again the same way
// changes nothing but the log.
func TestIngestForceReread(t *testing.T) {
	dir := t.TempDir()
	header := "loai_so,ma_noi_dang_ky,noi_dang_ky,quyen_so,so,ngay_dang_ky,ho_ten,ngay_sinh,gioi_tinh,noi_sinh,me_ho_ten\n"
	row := func(n, name, place, mother string) string {
		return "KS,26740,UBND Phường Bến Nghé,01/2010," + n + ",15/03/2010," + name + ",01/03/2010,Nam," + place + "," + mother + "\n"
	}
	a := filepath.Join(dir, "a.csv")
	b := filepath.Join(dir, "b.csv")
	os.WriteFile(a, []byte(header+row("1", "Nguyễn Văn Đức", "Bệnh viện Từ Dũ", "Trần Thị Hoà")+row("2", "Lê Văn Bình", "", "Phạm Thị Lụa")+row("3", "Võ Văn Cường", "Nhà riêng", "")), 0o644)
	os.WriteFile(b, []byte(header+row("2", "Lê Văn Bình", "Bệnh viện Hùng Vương", "Phạm Thị Lụa")), 0o644)
	db := filepath.Join(t.TempDir(), "h.db")
	rej := t.TempDir()
	ingestArgs := func(args ...string) string {
		out, stderr, code := cli(t, nil, append([]string{"ingest", "--db", db, "--rejects", rej, "--json"}, args...)...)
		if code != 0 {
			t.Fatalf("ingest %v: exit %d\n%s%s", args, code, out, stderr)
		}
		return out
	}
	ingestArgs("--encoding", "viscii", a) // the wrong encoding: names garbled
	ingestArgs(b)                         // a rescan of entry 2 from another file
	garbled := storeRows(t, db, `SELECT COUNT(*) FROM persons WHERE name_fold = 'le van binh'`)
	if garbled != 0 {
		t.Fatalf("the names were not garbled by the wrong encoding: the test tests nothing")
	}
	before, _, _ := cli(t, nil, "export", "--db", db)
	mx := filepath.Join(t.TempDir(), "full")
	mxCLI(t, "export", "--db", db, "--format", "ministry", "--full", "--out", mx)

	out := ingestArgs("--force", "--encoding", "utf8", a)
	if !strings.Contains(out, `"status": "reread"`) {
		t.Errorf("the re-read file's status is not reread:\n%s", out)
	}
	recs := map[string]struct {
		SourceRefs []string          `json:"source_refs"`
		Fields     map[string]string `json:"fields"`
		Flags      []string          `json:"flags"`
		Conflicts  []json.RawMessage `json:"conflicts"`
	}{}
	after, _, _ := cli(t, nil, "export", "--db", db)
	for _, l := range strings.Split(strings.TrimSpace(after), "\n") {
		var r struct {
			Number     string            `json:"number"`
			SourceRefs []string          `json:"source_refs"`
			Fields     map[string]string `json:"fields"`
			Flags      []string          `json:"flags"`
			Conflicts  []json.RawMessage `json:"conflicts"`
		}
		json.Unmarshal([]byte(l), &r)
		recs[r.Number] = struct {
			SourceRefs []string          `json:"source_refs"`
			Fields     map[string]string `json:"fields"`
			Flags      []string          `json:"flags"`
			Conflicts  []json.RawMessage `json:"conflicts"`
		}{r.SourceRefs, r.Fields, r.Flags, r.Conflicts}
	}
	if len(recs) != 3 {
		t.Fatalf("%d records after the re-read, want 3:\n%s", len(recs), after)
	}
	for n, want := range map[string]string{"1": "Nguyễn Văn Đức", "2": "Lê Văn Bình", "3": "Võ Văn Cường"} {
		if got := recs[n].Fields["ho_ten"]; got != want {
			t.Errorf("entry %s: ho_ten %q, want %q", n, got, want)
		}
	}
	r2 := recs["2"]
	if !reflect.DeepEqual(r2.SourceRefs, []string{"a.csv#2", "b.csv#1"}) || r2.Fields["noi_sinh"] != "Bệnh viện Hùng Vương" || r2.Fields["me_ho_ten"] != "Phạm Thị Lụa" {
		t.Errorf("entry 2 lost the rescan's data: %+v", r2)
	}
	if len(r2.Conflicts) != 0 || len(r2.Flags) != 0 {
		t.Errorf("entry 2: conflicts %s flags %v; the garbled values' conflicts should be gone", r2.Conflicts, r2.Flags)
	}
	if n := storeRows(t, db, `SELECT COUNT(*) FROM persons WHERE name_fold IN ('nguyen van duc', 'le van binh', 'vo van cuong') AND role = 'con'`); n != 3 {
		t.Errorf("%d of 3 subjects found by their name after the re-read", n)
	}
	if n := storeRows(t, db, `SELECT COUNT(*) FROM events WHERE kind = 'batch_reread'`); n != 1 {
		t.Errorf("%d batch_reread events, want 1", n)
	}
	if before == after {
		t.Fatal("the re-read changed nothing")
	}

	// The ministry export since the full one carries the three records.
	m := mxManifest(t, mx)
	inc := filepath.Join(t.TempDir(), "inc")
	mxCLI(t, "export", "--db", db, "--format", "ministry", "--since", strconv.FormatInt(m.Until, 10), "--out", inc)
	got, _ := mxEntries(t, inc)
	if len(got) != 3 {
		t.Errorf("the incremental export holds %d records, want the 3 the re-read changed", len(got))
	}

	// The same bytes, the same way: nothing changes but one event.
	dump1, ev1 := storeDump(t, db)
	ingestArgs("--force", "--encoding", "utf8", a)
	dump2, ev2 := storeDump(t, db)
	if dump1 != dump2 {
		t.Errorf("re-reading the same way changed the store:\n%s\nwas\n%s", dump2, dump1)
	}
	if ev2 != ev1+1 {
		t.Errorf("%d events after re-reading the same way, was %d: want one more", ev2, ev1)
	}
	// Without --force the file is skipped as before.
	if out := ingestArgs("--encoding", "utf8", a); !strings.Contains(out, `"status": "already_ingested"`) {
		t.Errorf("without --force: %s", out)
	}
}
