package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hotich/hotich/linkage"
	"github.com/hotich/hotich/registry"
	"github.com/hotich/hotich/registry/ministry"
	"github.com/hotich/hotich/registry/sqlite"
)

// Batches of the ministry tests: every register, partial dates, a death
// time, unknown columns, a coded value that maps to nothing.
const (
	mxKSHeader = "loai_so,ma_noi_dang_ky,noi_dang_ky,quyen_so,so,ngay_dang_ky,ho_ten,ngay_sinh,gioi_tinh,dan_toc,quoc_tich,noi_sinh,so_dinh_danh,me_ho_ten,me_ngay_sinh,me_quoc_tich,cha_ho_ten,ghi_chu,Người ký\n"
	mxKS1      = mxKSHeader +
		"KS,26740,\"UBND Phường Bến Nghé, Quận 1\",01/2010,1,15/03/2010,Nguyễn Văn An,01/03/2010,Nam,Kinh,Việt Nam,Bệnh viện Từ Dũ,079210000001,Trần Thị Bình,1985,Việt Nam,Nguyễn Văn Cường,,Lê Văn Tám\n" +
		"KS,26740,\"UBND Phường Bến Nghé, Quận 1\",01/2010,2,16/03/2010,Lê Thị Bé,02/03/2010,Nữ,Khmer,Việt Nam,Bệnh viện Hùng Vương,,Lê Thị Cúc,03/1980,Campuchia,,,Lê Văn Tám\n" +
		"KS,26740,\"UBND Phường Bến Nghé, Quận 1\",01/2010,3,17/03/2010,Phạm Văn Cường,00/00/2010,Nam,Xtiêng Cổ,Liên Xô,Nhà riêng,,Hồ Thị Dung,1970,,,\"Cải chính họ ngày 02/05/2015, QĐ 12 & 13\",\n" +
		"KS,26740,\"UBND Phường Bến Nghé, Quận 1\",01/2010,4,18/03/2010,Võ Minh Duy,04/03/2010,Nam,Kinh,Việt Nam,Bệnh viện Từ Dũ,,Đặng Thị Én,1988,,,,\n" +
		"KS,26740,\"UBND Phường Bến Nghé, Quận 1\",01/2010,5,18/03/2010,Võ Minh Duy,04/03/2010,Nam,Kinh,Việt Nam,Bệnh viện Từ Dũ,,Đặng Thị Én,1988,,,,\n"
	mxKS2 = mxKSHeader +
		"KS,26740,\"UBND Phường Bến Nghé, Quận 1\",01/2010,6,19/03/2010,Đỗ Thị Giang,05/03/2010,Nữ,Kinh,Việt Nam,Bệnh viện Từ Dũ,,Mai Thị Hạnh,1990,,,,\n" +
		"KS,26740,\"UBND Phường Bến Nghé, Quận 1\",01/2010,7,19/03/2010,Đỗ Văn Hải,05/03/2010,Nam,Kinh,Việt Nam,Bệnh viện Từ Dũ,,Mai Thị Hạnh,1990,,,,\n" +
		"KS,26740,\"UBND Phường Bến Nghé, Quận 1\",01/2010,3,17/03/2010,Phạm Văn Cường,00/00/2010,Nam,Xtiêng Cổ,Liên Xô,Bệnh viện Nhi Đồng,,Hồ Thị Dung,1970,,,\"Cải chính họ ngày 02/05/2015, QĐ 12 & 13\",\n"
	mxKH1 = "loai_so,ma_noi_dang_ky,noi_dang_ky,quyen_so,so,ngay_dang_ky,loai_dang_ky,chong_ho_ten,chong_ngay_sinh,chong_quoc_tich,chong_giay_to,vo_ho_ten,vo_ngay_sinh,vo_dan_toc,vo_quoc_tich,vo_noi_cu_tru,vo_giay_to\n" +
		"KH,26734,UBND Phường Tân Định,01/2018,33,20/11/2018,Có yếu tố nước ngoài,Kim Min Jun,04/05/1990,Hàn Quốc,Hộ chiếu M12345678,Lê Thị Hoa,01/12/1995,Kinh,Việt Nam,\"5 Hai Bà Trưng, Quận 1\",079195000001\n"
	mxKT1 = "loai_so,ma_noi_dang_ky,noi_dang_ky,quyen_so,so,ngay_dang_ky,ho_ten,ngay_sinh,gioi_tinh,so_dinh_danh,noi_cu_tru,ngay_chet,noi_chet,nguyen_nhan,nguoi_di_khai,quan_he_nguoi_di_khai\n" +
		"KT,760,UBND Quận 1,01/2001,9,06/03/2001,Phạm Văn Đức,1930,Nam,020123456,\"7 Pasteur, Quận 1\",14:30 05/03/2001,Tại nhà,Già yếu,Phạm Thị Mai,Con\n"
	mxNCMC1 = "loai_so,ma_noi_dang_ky,noi_dang_ky,quyen_so,so,ngay_dang_ky,nguoi_nhan_ho_ten,nguoi_nhan_ngay_sinh,nguoi_nhan_giay_to,nguoi_duoc_nhan_ho_ten,nguoi_duoc_nhan_ngay_sinh,quan_he\n" +
		"NCMC,26740,UBND Phường Bến Nghé,01/2020,4,08/08/2020,Võ Văn Hùng,01/01/1980,079080000111,Võ Minh Khang,06/2012,Cha nhận con\n"
)

// mxKSID is the record ID of birth entry n of the test batches.
func mxKSID(n string) string {
	return registry.Identity{Register: registry.Birth, AuthorityCode: "26740", Book: "01/2010", Number: n}.RecordID()
}

// mxWriteBatches writes batch files into dir and returns it.
func mxWriteBatches(t *testing.T, dir string, files map[string]string) string {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// mxCLI runs hotich and fails the test on a non-zero exit.
func mxCLI(t *testing.T, args ...string) string {
	t.Helper()
	out, errOut, code := cli(t, map[string]string{"HOTICH_LOG": "warn"}, args...)
	if code != 0 {
		t.Fatalf("hotich %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

// mxXmllint validates every XML file of an export folder against the
// schema the export ships, with libxml2's validator.
func mxXmllint(t *testing.T, dir string) {
	t.Helper()
	if _, err := exec.LookPath("xmllint"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("xmllint not installed (apt-get install libxml2-utils)")
		}
		t.Skip("xmllint not installed (apt-get install libxml2-utils)")
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.xml"))
	if len(files) == 0 {
		t.Fatalf("no XML files in %s", dir)
	}
	args := append([]string{"--noout", "--schema", filepath.Join(dir, ministry.SchemaFile)}, files...)
	if out, err := exec.Command("xmllint", args...).CombinedOutput(); err != nil {
		t.Fatalf("xmllint: %v\n%s", err, out)
	}
}

// mxSameDir fails unless two folders hold the same files with the same bytes.
func mxSameDir(t *testing.T, want, got string) {
	t.Helper()
	a, _ := os.ReadDir(want)
	b, _ := os.ReadDir(got)
	var an, bn []string
	for _, e := range a {
		an = append(an, e.Name())
	}
	for _, e := range b {
		bn = append(bn, e.Name())
	}
	if !reflect.DeepEqual(an, bn) {
		t.Fatalf("files %v, want %v", bn, an)
	}
	for _, n := range an {
		x, _ := os.ReadFile(filepath.Join(want, n))
		y, _ := os.ReadFile(filepath.Join(got, n))
		if !bytes.Equal(x, y) {
			t.Errorf("%s differs between runs", n)
		}
	}
}

// mxJSONL returns the store's JSONL dump, written through the CLI.
func mxJSONL(t *testing.T, db, path string) []byte {
	t.Helper()
	mxCLI(t, "export", "--format", "jsonl", "--db", db, "-o", path)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// mxManifest returns the single manifest of an export folder.
func mxManifest(t *testing.T, dir string) *ministry.Manifest {
	t.Helper()
	ms, err := ministry.ReadManifests(os.DirFS(dir))
	if err != nil || len(ms) != 1 {
		t.Fatalf("manifests of %s: %v, %v", dir, ms, err)
	}
	return ms[0]
}

// mxEntries decodes every data file of an export folder.
func mxEntries(t *testing.T, dir string) (records map[string]*registry.RecordChange, links []registry.LinkChange) {
	t.Helper()
	m := mxManifest(t, dir)
	records = map[string]*registry.RecordChange{}
	for _, f := range m.DataFiles() {
		file, err := os.Open(filepath.Join(dir, f.Name))
		if err != nil {
			t.Fatal(err)
		}
		d := ministry.NewDecoder(file)
		for {
			e, err := d.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if e.Record != nil {
				records[e.Record.Record.ID] = e.Record
			} else {
				links = append(links, *e.Link)
			}
		}
		file.Close()
	}
	return records, links
}

// mxSetLink changes a duplicate link as deduplication and review do:
// suspected or auto proposes the pair (the store's ApplyLinks, as hotich
// dedup does), confirmed or rejected decides it with hotich review, ""
// drops the pair.
func mxSetLink(t *testing.T, dbPath, a, b string, score float64, status registry.LinkStatus) {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	switch status {
	case registry.LinkConfirmed, registry.LinkRejected:
		links, err := db.Links(ctx, registry.LinkFilter{Status: []registry.LinkStatus{registry.LinkSuspected, registry.LinkAuto}})
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range links {
			if (l.A == a && l.B == b) || (l.A == b && l.B == a) {
				action := map[registry.LinkStatus]string{registry.LinkConfirmed: "confirm", registry.LinkRejected: "reject"}[status]
				mxCLI(t, "review", action, "--db", dbPath, "--by", "reviewer", "--note", "đối chiếu sổ gốc", strconv.FormatInt(l.ID, 10))
				return
			}
		}
		t.Fatalf("no link %s–%s to decide", a, b)
	default:
		last, _ := db.LastSeq(ctx)
		run := registry.LinkRun{Register: registry.Birth, Watermark: last, Model: "test", StartedAt: testClock}
		if _, err := db.ApplyLinks(ctx, run, []registry.LinkProposal{{A: a, B: b, AFP: 1, BFP: 1, Score: score, Status: status}}, linkage.Policy); err != nil {
			t.Fatal(err)
		}
	}
}

func TestExportMinistryFull(t *testing.T) {
	dir := t.TempDir()
	in := mxWriteBatches(t, filepath.Join(dir, "in"), map[string]string{"ks-1.csv": mxKS1, "kh-1.csv": mxKH1, "kt-1.csv": mxKT1, "ncmc-1.csv": mxNCMC1})
	a := filepath.Join(dir, "a.db")
	mxCLI(t, "ingest", "--db", a, "--rejects", filepath.Join(dir, "rej"), in)
	mxSetLink(t, a, mxKSID("4"), mxKSID("5"), 0.97, registry.LinkSuspected)

	x1 := filepath.Join(dir, "x1")
	out := mxCLI(t, "export", "--format", "ministry", "--db", a, "--out", x1, "--full", "--per-file", "3")
	if !strings.Contains(out, "hotich-0-") {
		t.Errorf("output does not name the manifest: %q", out)
	}
	m := mxManifest(t, x1)
	if m.Mode != ministry.Full || m.Since != 0 || len(m.DataFiles()) != 3 || m.Entries() != 9 {
		t.Fatalf("manifest = %+v (want 8 records and 1 link in 3 files)", m)
	}
	counts := map[registry.Register]int{}
	for _, c := range m.Counts {
		counts[c.Register] = c.New
	}
	if want := map[registry.Register]int{"KS": 5, "KH": 1, "KT": 1, "NCMC": 1}; !reflect.DeepEqual(counts, want) {
		t.Errorf("counts %v, want %v", counts, want)
	}
	if err := m.Verify(os.DirFS(x1)); err != nil {
		t.Fatal(err)
	}
	mxXmllint(t, x1)

	t.Run("RerunSameBytes", func(t *testing.T) {
		x2 := filepath.Join(dir, "x2")
		mxCLI(t, "export", "--format", "ministry", "--db", a, "--out", x2, "--full", "--per-file", "3")
		mxSameDir(t, x1, x2)
		// Into the same folder again: the same files, nothing else.
		mxCLI(t, "export", "--format", "ministry", "--db", a, "--out", x1, "--full", "--per-file", "3")
		mxSameDir(t, x2, x1)
	})

	t.Run("RoundTrip", func(t *testing.T) {
		b := filepath.Join(dir, "b.db")
		mxCLI(t, "import", "--format", "ministry", "--db", b, x1)
		want := mxJSONL(t, a, filepath.Join(dir, "a.jsonl"))
		got := mxJSONL(t, b, filepath.Join(dir, "b.jsonl"))
		if !bytes.Equal(want, got) {
			t.Fatalf("JSONL of the rebuilt store differs:\n%s\nwant\n%s", got, want)
		}
		// The rebuilt store exports the same records again.
		y := filepath.Join(dir, "y")
		mxCLI(t, "export", "--format", "ministry", "--db", b, "--out", y, "--full")
		recA, _ := mxEntries(t, x1)
		recB, _ := mxEntries(t, y)
		for id, r := range recA {
			if !reflect.DeepEqual(r.Record.Fields, recB[id].Record.Fields) {
				t.Errorf("%s: fields differ after a second export", id)
			}
		}

		t.Run("Idempotent", func(t *testing.T) {
			out := mxCLI(t, "import", "--format", "ministry", "--db", b, x1)
			if !strings.Contains(out, "bỏ qua") {
				t.Errorf("second import did not skip: %q", out)
			}
			if got := mxJSONL(t, b, filepath.Join(dir, "b2.jsonl")); !bytes.Equal(want, got) {
				t.Error("second import changed the store")
			}
		})
		t.Run("SameSite", func(t *testing.T) {
			out := mxCLI(t, "import", "--format", "ministry", "--db", a, x1)
			if !strings.Contains(out, "0 mới, 0 cập nhật, 8 không đổi") {
				t.Errorf("importing a site's own export: %q", out)
			}
			if got := mxJSONL(t, a, filepath.Join(dir, "a2.jsonl")); !bytes.Equal(want, got) {
				t.Error("importing a site's own export changed it")
			}
		})
	})
}

func TestExportMinistryIncremental(t *testing.T) {
	dir := t.TempDir()
	a := filepath.Join(dir, "a.db")
	mxCLI(t, "ingest", "--db", a, "--rejects", filepath.Join(dir, "rej"),
		mxWriteBatches(t, filepath.Join(dir, "in1"), map[string]string{"ks-1.csv": mxKS1, "kh-1.csv": mxKH1}))
	mxSetLink(t, a, mxKSID("4"), mxKSID("5"), 0.97, registry.LinkSuspected)
	mxSetLink(t, a, mxKSID("1"), mxKSID("3"), 0.55, registry.LinkSuspected)
	x1 := filepath.Join(dir, "x1")
	mxCLI(t, "export", "--format", "ministry", "--db", a, "--out", x1, "--full")
	m1 := mxManifest(t, x1)

	// More entries and a rescan that disagrees with entry 3; a decided
	// review, a new link, a dropped one, a correction, a settled conflict.
	mxCLI(t, "ingest", "--db", a, "--rejects", filepath.Join(dir, "rej"),
		mxWriteBatches(t, filepath.Join(dir, "in2"), map[string]string{"ks-2.csv": mxKS2}))
	mxSetLink(t, a, mxKSID("4"), mxKSID("5"), 0.97, registry.LinkConfirmed)
	mxSetLink(t, a, mxKSID("6"), mxKSID("7"), 0.62, registry.LinkSuspected)
	mxSetLink(t, a, mxKSID("1"), mxKSID("3"), 0, "")
	mxCLI(t, "correct", "--db", a, "--by", "clerk", "--basis", "QĐ 5/QĐ-UBND", mxKSID("1"), "ho_ten=Nguyễn Văn Ân")
	mxCLI(t, "conflicts", "resolve", "--db", a, "--by", "clerk", "--pick", "2", mxKSID("3"), "noi_sinh")

	x2 := filepath.Join(dir, "x2")
	mxCLI(t, "export", "--format", "ministry", "--db", a, "--out", x2, "--since", filepath.Join(x1, m1.Name))
	mxXmllint(t, x2)
	m2 := mxManifest(t, x2)
	if m2.Mode != ministry.Changes || m2.Since != m1.Until || m2.Until <= m2.Since {
		t.Fatalf("manifest = %+v after %+v", m2, m1)
	}

	records, links := mxEntries(t, x2)
	var got []string
	for id := range records {
		got = append(got, id)
	}
	sort.Strings(got)
	// 1: corrected; 3: rescanned and settled; 6, 7: new; 4, 5: the review
	// decision closed their suspected_duplicate flags (1 and 3 likewise by
	// the drop). Entry 2 and the marriage did not change.
	want := []string{mxKSID("1"), mxKSID("3"), mxKSID("4"), mxKSID("5"), mxKSID("6"), mxKSID("7")}
	sort.Strings(want)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("changed records %v, want exactly %v", got, want)
	}
	for _, id := range []string{mxKSID("4"), mxKSID("5")} {
		for _, f := range records[id].Record.Flags {
			if f.Code == registry.FlagSuspectDuplicate {
				t.Errorf("%s still carries %s after the review decision", id, f.Code)
			}
		}
	}
	for id, r := range records {
		if isNew := id == mxKSID("6") || id == mxKSID("7"); r.New != isNew {
			t.Errorf("%s Loai moi = %v", id, r.New)
		}
	}
	corrected := records[mxKSID("1")]
	var kinds []string
	for _, ev := range corrected.Events {
		kinds = append(kinds, ev.Kind)
	}
	if corrected.Record.Fields["ho_ten"] != "Nguyễn Văn Ân" || !reflect.DeepEqual(kinds, []string{"link_dropped", "record_corrected"}) {
		t.Errorf("corrected record: %q, events %v", corrected.Record.Fields["ho_ten"], kinds)
	}
	if c := records[mxKSID("3")].Record.Conflicts; len(c) != 1 || !c[0].Resolved || records[mxKSID("3")].Record.Fields["noi_sinh"] != "Bệnh viện Nhi Đồng" {
		t.Errorf("settled conflict: %+v, noi_sinh %q", c, records[mxKSID("3")].Record.Fields["noi_sinh"])
	}
	if len(links) != 3 {
		t.Fatalf("links %+v, want the decided, the new and the dropped one", links)
	}
	pair := func(x, y string) [2]string { return [2]string{min(mxKSID(x), mxKSID(y)), max(mxKSID(x), mxKSID(y))} }
	for _, l := range links {
		switch [2]string{l.A, l.B} {
		case pair("4", "5"):
			if l.Status != registry.LinkConfirmed || l.New || l.Removed {
				t.Errorf("decided link %+v", l)
			}
		case pair("6", "7"):
			if l.Status != registry.LinkSuspected || !l.New || l.Removed {
				t.Errorf("new link %+v", l)
			}
		case pair("1", "3"):
			if !l.Removed {
				t.Errorf("dropped link %+v", l)
			}
		default:
			t.Errorf("unexpected link %+v", l)
		}
	}
	for _, c := range m2.Counts {
		if c.Register == registry.Birth && (c.New != 2 || c.Updated != 4) || c.Register != registry.Birth && c.New+c.Updated != 0 {
			t.Errorf("count %+v", c)
		}
	}
	if m2.Links != (ministry.Count{New: 1, Updated: 1, Removed: 1}) {
		t.Errorf("link counts %+v", m2.Links)
	}

	t.Run("RerunSameBytes", func(t *testing.T) {
		x2b := filepath.Join(dir, "x2b")
		mxCLI(t, "export", "--format", "ministry", "--db", a, "--out", x2b, "--since", filepath.Join(x1, m1.Name))
		mxSameDir(t, x2, x2b)
	})

	t.Run("SinceLast", func(t *testing.T) {
		x3 := filepath.Join(dir, "x3")
		mxCLI(t, "export", "--format", "ministry", "--db", a, "--out", x3, "--since", "last")
		m3 := mxManifest(t, x3)
		if m3.Since != m2.Until || m3.Entries() != 0 {
			t.Errorf("nothing changed since the last export, got %+v", m3)
		}
	})

	t.Run("ImportChain", func(t *testing.T) {
		// A second site rebuilds the store from the full export and the
		// incremental one, copied into one folder.
		chain := filepath.Join(dir, "chain")
		os.MkdirAll(chain, 0o755)
		for _, src := range []string{x1, x2} {
			ents, _ := os.ReadDir(src)
			for _, e := range ents {
				b, _ := os.ReadFile(filepath.Join(src, e.Name()))
				os.WriteFile(filepath.Join(chain, e.Name()), b, 0o644)
			}
		}
		c := filepath.Join(dir, "c.db")
		mxCLI(t, "import", "--format", "ministry", "--db", c, chain)
		if want, got := mxJSONL(t, a, filepath.Join(dir, "a.jsonl")), mxJSONL(t, c, filepath.Join(dir, "c.jsonl")); !bytes.Equal(want, got) {
			t.Fatalf("JSONL after full + incremental import differs:\n%s\nwant\n%s", got, want)
		}
	})

	t.Run("ErrGap", func(t *testing.T) {
		// An incremental export into an empty store is refused.
		d := filepath.Join(dir, "d.db")
		_, errOut, code := cli(t, nil, "import", "--format", "ministry", "--db", d, x2)
		if code != 3 || !strings.Contains(errOut, "bản xuất đầy đủ") {
			t.Errorf("exit %d: %s", code, errOut)
		}
	})
}

// TestExportMinistrySurvivesSIGKILL kills real export processes part-way
// and checks that each leaves only complete files under final names and no
// manifest, and that running the same command again writes exactly what an
// uninterrupted run writes.
func TestExportMinistrySurvivesSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills processes")
	}
	work := t.TempDir()
	db := filepath.Join(work, "a.db")
	mxCLI(t, "ingest", "--db", db, "--rejects", filepath.Join(work, "rej"), "--quiet", crashCorpus(t, 3000))
	args := func(out string) []string {
		return []string{"export", "--format", "ministry", "--db", db, "--out", out, "--full", "--per-file", "100", "--quiet"}
	}
	clean := filepath.Join(work, "clean")
	mxCLI(t, args(clean)...)
	if n := len(mxManifest(t, clean).DataFiles()); n < 50 {
		t.Fatalf("only %d data files: too few to stop a run between them", n)
	}

	kills := 0
	for i, at := range []int{1, 20, 45} {
		out := filepath.Join(work, fmt.Sprintf("run%d", i))
		b, _ := json.Marshal(args(out))
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), childEnv+"="+string(b))
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		deadline := time.After(60 * time.Second)
		killed := false
	wait:
		for {
			select {
			case err := <-done:
				t.Logf("run %d finished before %d files (%v)", i, at, err)
				break wait
			case <-deadline:
				cmd.Process.Kill()
				t.Fatalf("run %d: no progress in 60 s\n%s", i, stderr.String())
			case <-time.After(time.Millisecond):
				if files, _ := filepath.Glob(filepath.Join(out, "hotich-*-0*.xml")); len(files) >= at {
					cmd.Process.Signal(syscall.SIGKILL)
					<-done
					kills++
					killed = true
					break wait
				}
			}
		}
		// What the killed run left under final names is complete.
		ents, _ := os.ReadDir(out)
		for _, e := range ents {
			name := e.Name()
			if strings.HasPrefix(name, ".") {
				continue // its temporary file: removed by the next run
			}
			if strings.HasSuffix(name, "-manifest.xml") && killed {
				t.Errorf("run %d: a killed run wrote its manifest", i)
			}
			got, _ := os.ReadFile(filepath.Join(out, name))
			want, err := os.ReadFile(filepath.Join(clean, name))
			if err != nil || !bytes.Equal(got, want) {
				t.Errorf("run %d: %s under its final name is not the complete file", i, name)
			}
		}
		// The same command again completes the export, byte for byte.
		mxCLI(t, args(out)...)
		mxSameDir(t, clean, out)
	}
	t.Logf("%d of 3 runs killed part-way", kills)
	if kills == 0 {
		t.Skip("every run finished before it could be killed")
	}
}

func TestExportMinistryUsage(t *testing.T) {
	dir := t.TempDir()
	a := filepath.Join(dir, "a.db")
	mxCLI(t, "ingest", "--db", a, "--rejects", filepath.Join(dir, "rej"), mxWriteBatches(t, filepath.Join(dir, "in"), map[string]string{"kh-1.csv": mxKH1}))
	for _, c := range []struct {
		name string
		args []string
		code int
	}{
		{"ErrNoMode", []string{"--out", dir}, 2},
		{"ErrBothModes", []string{"--out", dir, "--full", "--since", "3"}, 2},
		{"ErrNoOut", []string{"--full"}, 2},
		{"ErrFutureWatermark", []string{"--out", filepath.Join(dir, "o"), "--since", "99999"}, 1},
		{"ErrNoLastExport", []string{"--out", filepath.Join(dir, "o"), "--since", "last"}, 4},
		{"ErrBadSince", []string{"--out", filepath.Join(dir, "o"), "--since", "nowhere.xml"}, 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			args := append([]string{"export", "--format", "ministry", "--db", a}, c.args...)
			if _, errOut, code := cli(t, nil, args...); code != c.code {
				t.Errorf("exit %d, want %d: %s", code, c.code, errOut)
			}
		})
	}
}

func TestExportMinistryHelp(t *testing.T) {
	db := filepath.Join(t.TempDir(), "hotich.db")
	out, errOut, code := cli(t, map[string]string{"HOTICH_DB": db}, "export", "--format", "ministry", "-h")
	if code != 0 || !strings.Contains(errOut+out, "--since WATERMARK") {
		t.Errorf("exit %d, help:\n%s%s", code, out, errOut)
	}
	if _, err := os.Stat(db); err == nil {
		t.Error("asking for help created a store")
	}
	_, errOut, _ = cli(t, nil, "export", "-h")
	if !strings.Contains(errOut, "ministry") || strings.Contains(errOut, "--per-file") {
		t.Errorf("export -h:\n%s", errOut)
	}
}

func TestExportFlagsInAnyOrder(t *testing.T) {
	db := filepath.Join(t.TempDir(), "hotich.db")
	env := map[string]string{"HOTICH_LOG": "warn"}
	if s, err := sqlite.Open(context.Background(), db); err != nil {
		t.Fatal(err)
	} else {
		s.Close()
	}
	for i, args := range [][]string{
		{"export", "--full", "--format", "ministry", "--db", db, "--out"},
		{"export", "--db", db, "--per-file=10", "--format=ministry", "--quiet", "--full", "--out"},
	} {
		out := filepath.Join(t.TempDir(), fmt.Sprint(i))
		if _, errOut, code := cli(t, env, append(args, out)...); code != 0 {
			t.Errorf("%q: exit %d\n%s", args, code, errOut)
		}
	}
	if _, _, code := cli(t, env, "export", "--format", "jsonl", "--full", "--db", db); code != 2 {
		t.Errorf("a ministry flag with --format jsonl: exit %d, want 2", code)
	}
}

// BenchmarkExportMinistry measures the whole command (store stream, XML,
// SHA-256, files synced) on a store of 20,000 births; the 1M-entry figures
// in BENCHMARKS.md come from the documented command on a generated corpus.
func BenchmarkExportMinistry(b *testing.B) {
	dir := b.TempDir()
	var csv strings.Builder
	csv.WriteString(mxKSHeader)
	const n = 20000
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&csv, "KS,26740,\"UBND Phường Bến Nghé, Quận 1\",%02d/2010,%d,15/03/2010,Nguyễn Văn An,01/03/2010,Nam,Kinh,Việt Nam,Bệnh viện Từ Dũ,,Trần Thị Bình,1985,Việt Nam,Nguyễn Văn Cường,,\n", 1+i/1000, i)
	}
	os.MkdirAll(filepath.Join(dir, "in"), 0o755)
	os.WriteFile(filepath.Join(dir, "in", "ks.csv"), []byte(csv.String()), 0o644)
	db := filepath.Join(dir, "a.db")
	if _, errOut, code := cli(b, nil, "ingest", "--db", db, "--rejects", filepath.Join(dir, "rej"), "--quiet", filepath.Join(dir, "in")); code != 0 {
		b.Fatal(errOut)
	}
	records := 0
	for b.Loop() {
		out := filepath.Join(dir, "out")
		os.RemoveAll(out)
		if _, errOut, code := cli(b, map[string]string{"HOTICH_LOG": "warn"}, "export", "--format", "ministry", "--db", db, "--out", out, "--full", "--quiet"); code != 0 {
			b.Fatal(errOut)
		}
		records += n
	}
	b.ReportMetric(float64(records)/b.Elapsed().Seconds(), "records/s")
}
