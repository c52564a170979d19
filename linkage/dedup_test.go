package linkage_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"

	"github.com/hotich/hotich/linkage"
	"github.com/hotich/hotich/registry"
)

// memSource is a Source over records in memory.
type memSource struct {
	recs  []*registry.Record
	links [][2]string
}

func (s *memSource) EachMatchRecord(ctx context.Context, reg registry.Register, fn func(*registry.Record) error) error {
	for _, r := range s.recs {
		if reg == "" || r.Register == reg {
			if err := fn(r); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *memSource) EachLinkedPair(ctx context.Context, reg registry.Register, fn func(a, b string) error) error {
	for _, l := range s.links {
		if err := fn(l[0], l[1]); err != nil {
			return err
		}
	}
	return nil
}

func (s *memSource) add(reg registry.Register, id string, version int64, f map[string]string) {
	r := record(reg, id, f)
	r.Version = version
	s.recs = append(s.recs, r)
}

func run(t *testing.T, src linkage.Source, jobs ...linkage.Job) []*linkage.Result {
	t.Helper()
	res, err := linkage.New(nil, linkage.Options{Workers: 2}).Run(context.Background(), src, jobs...)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func pairs(res *linkage.Result) map[string]registry.LinkStatus {
	m := map[string]registry.LinkStatus{}
	for _, p := range res.Pairs {
		m[p.A+"~"+p.B] = p.Status
	}
	return m
}

// TestBlocking checks that duplicates with keying errors in any one value
// (and a coarse date besides) are compared, and that unrelated entries
// are not.
func TestBlocking(t *testing.T) {
	src := &memSource{}
	src.add(registry.Birth, "KS-A", 1, birth(nil))
	variants := []map[string]string{
		{"ho_ten": "Nguyen Van An", "so_dinh_danh": ""},                                                   // diacritics lost
		{"ho_ten": "Nguyễn Văn Ann", "ngay_sinh": "2010-05-03", "so_dinh_danh": ""},                       // typo in the given name, day and month swapped
		{"ho_ten": "Nguyễn Văn Ann", "ngay_sinh": "2010", "so_dinh_danh": ""},                             // typo, year only
		{"me_ho_ten": "Trần Bích", "ngay_sinh": "2010", "ho_ten": "Nguyễn Văn Ann", "so_dinh_danh": ""},   // typo, year only, mother without middle name
		{"me_ho_ten": "", "me_ngay_sinh": "", "ho_ten": "Nguyễn Văn Ann", "so_dinh_danh": ""},             // typo, no mother
		{"me_ho_ten": "Trần Thị Bícg", "ho_ten": "Nguyễn An", "ngay_sinh": "2010", "so_dinh_danh": ""},    // mother typo, child without middle name, year only
		{"cha_ho_ten": "", "cha_ngay_sinh": "", "ho_ten": "Nguyễn Văn Ann", "me_ho_ten": "Trần Thị Bícg"}, // both typos, same ID
	}
	for i, v := range variants {
		src.add(registry.Birth, fmt.Sprintf("KS-V%d", i), 1, birth(v))
	}
	src.add(registry.Birth, "KS-Z", 1, birth(map[string]string{"ho_ten": "Lý Thị Mai", "ngay_sinh": "1999-12-12", "me_ho_ten": "Đào Thị Út",
		"cha_ho_ten": "Lý Văn Tư", "so_dinh_danh": "079199000001"}))
	res := run(t, src, linkage.Job{Register: registry.Birth})[0]
	got := pairs(res)
	for i := range variants {
		if _, ok := got[fmt.Sprintf("KS-A~KS-V%d", i)]; !ok {
			t.Errorf("variant %d (%v) not linked to its original", i, variants[i])
		}
	}
	for k := range got {
		if k == "KS-A~KS-Z" || k[len(k)-4:] == "KS-Z" {
			t.Errorf("unrelated entry linked: %s", k)
		}
	}
	if res.Candidates == 0 || res.PerRule["ten+ngay_sinh"] == 0 {
		t.Errorf("candidates %d, per rule %v", res.Candidates, res.PerRule)
	}
	// Each pair is compared once, whatever the number of rules it shares.
	n := len(variants) + 1
	if max := int64(n * (n - 1) / 2); res.Candidates > max {
		t.Errorf("%d pairs compared among %d related entries, want at most %d", res.Candidates, n, max)
	}
}

// TestIncremental checks that a run matches only the entries changed since
// its watermark, against every entry, and re-scores the stored links of
// changed entries even when no block holds the pair any more.
func TestIncremental(t *testing.T) {
	src := &memSource{}
	src.add(registry.Birth, "KS-A", 1, birth(nil))
	src.add(registry.Birth, "KS-B", 1, birth(map[string]string{"ho_ten": "Nguyen Van An"}))
	src.add(registry.Birth, "KS-C", 5, birth(map[string]string{"ngay_sinh": "2010-05-03"}))
	// A stored link whose pair no block brings together any more.
	src.add(registry.Birth, "KS-D", 6, birth(map[string]string{"ho_ten": "Lý Thị Mai", "ngay_sinh": "1999-12-12", "me_ho_ten": "Đào Thị Út",
		"cha_ho_ten": "Lý Văn Tư", "so_dinh_danh": "079199000001"}))
	src.links = [][2]string{{"KS-A", "KS-D"}}

	res := run(t, src, linkage.Job{Register: registry.Birth, Since: 2})[0]
	got := pairs(res)
	if res.Pending != 2 {
		t.Errorf("pending %d, want 2", res.Pending)
	}
	if _, ok := got["KS-A~KS-B"]; ok {
		t.Errorf("pair of two unchanged entries scored: %v", got)
	}
	for _, k := range []string{"KS-A~KS-C", "KS-B~KS-C"} {
		if got[k] != registry.LinkAuto {
			t.Errorf("%s = %q, want auto (%v)", k, got[k], got)
		}
	}
	if st, ok := got["KS-A~KS-D"]; !ok || st != "" {
		t.Errorf("stored link of a changed entry: %q, %v; want re-scored below the threshold", st, ok)
	}
	if res.Rescored != 1 {
		t.Errorf("rescored %d, want 1", res.Rescored)
	}

	all := run(t, src, linkage.Job{Register: registry.Birth})[0]
	if _, ok := pairs(all)["KS-A~KS-B"]; !ok || all.Pending != 4 {
		t.Errorf("since 0: pending %d, pairs %v; want every entry", all.Pending, pairs(all))
	}
}

// TestDeterministic checks that a run gives the same pairs, scores and
// explanations whatever the order the store streams records in.
func TestDeterministic(t *testing.T) {
	src := &memSource{}
	for i := 0; i < 40; i++ {
		src.add(registry.Birth, fmt.Sprintf("KS-%02d", i), 1, birth(map[string]string{"ngay_sinh": fmt.Sprintf("2010-%02d-05", 1+i%12)}))
	}
	a := run(t, src, linkage.Job{Register: registry.Birth})[0]
	for i, j := 0, len(src.recs)-1; i < j; i, j = i+1, j-1 {
		src.recs[i], src.recs[j] = src.recs[j], src.recs[i]
	}
	b := run(t, src, linkage.Job{Register: registry.Birth})[0]
	if !reflect.DeepEqual(a.Pairs, b.Pairs) {
		t.Fatal("pairs differ with the order of the records")
	}
	if len(a.Pairs) == 0 {
		t.Fatal("no pairs")
	}
}

// TestEstimate checks that a run on enough entries estimates u and the
// term frequencies, deterministically.
func TestEstimate(t *testing.T) {
	src := &memSource{}
	surnames := []string{"Nguyễn", "Nguyễn", "Nguyễn", "Trần", "Lê", "Phạm", "Ông"}
	given := []string{"An", "Bình", "Châu", "Dũng", "Giang", "Hà", "Khoa", "Lan", "Minh", "Nam", "Oanh", "Phúc", "Quang"}
	for i := 0; i < 1500; i++ {
		src.add(registry.Birth, fmt.Sprintf("KS-%04d", i), 1, birth(map[string]string{
			"ho_ten":       surnames[i%len(surnames)] + " Văn " + given[i%len(given)],
			"ngay_sinh":    fmt.Sprintf("%d-%02d-%02d", 1980+i%40, 1+i%12, 1+i%28),
			"me_ho_ten":    surnames[(i/3)%len(surnames)] + " Thị " + given[(i/7)%len(given)],
			"so_dinh_danh": "",
		}))
	}
	est := func() *linkage.RegisterModel {
		l := linkage.New(nil, linkage.Options{Estimate: linkage.EstimateAlways})
		res, err := l.Run(context.Background(), src, linkage.Job{Register: registry.Birth})
		if err != nil {
			t.Fatal(err)
		}
		return res[0].Model
	}
	m1, m2 := est(), est()
	if m1.Method != "estimated" || m1.Records != 1500 {
		t.Fatalf("method %s, records %d", m1.Method, m1.Records)
	}
	if m1.ID() != m2.ID() {
		t.Error("two estimates of the same store differ")
	}
	if u := m1.Params["con_ngay_sinh"].U[1]; u > 0.01 {
		t.Errorf("u(birth date equal) = %v, want small", u)
	}
}

// TestFingerprint pins the fingerprint: stored links compare against it,
// so a change would reset every decision.
func TestFingerprint(t *testing.T) {
	r := record(registry.Birth, "A", birth(nil))
	got := linkage.Fingerprint(r)
	if got>>63 != 0 {
		t.Fatalf("fingerprint %x has its top bit set", got)
	}
	r2 := record(registry.Birth, "A", birth(nil))
	if linkage.Fingerprint(r2) != got {
		t.Fatal("fingerprint depends on map order")
	}
	r2.Fields["ghi_chu"] = "x"
	if linkage.Fingerprint(r2) == got {
		t.Fatal("fingerprint ignores a field")
	}
	if want := uint64(0x54fc2a37000154d); got != want {
		t.Errorf("Fingerprint = %#x, want %#x: the definition changed", got, want)
	}
}

// TestLargeBlock checks that a block larger than the sorted-neighbourhood
// threshold is compared in linear work and still finds its duplicates.
func TestLargeBlock(t *testing.T) {
	src := &memSource{}
	mothers := []string{"Lan", "Hoa", "Mai", "Cúc", "Đào", "Hương", "Thu", "Hà", "Yến", "Loan"}
	surnames := []string{"Trần", "Lê", "Phạm", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương"}
	n := 0
	for i := 0; i < 30; i++ {
		for j := 0; j < 10; j++ {
			n++
			// 300 boys named An born the same day: one block of 300 under
			// "ten+ngay_sinh"; their mothers differ.
			src.add(registry.Birth, fmt.Sprintf("KS-%03d", n), 1, birth(map[string]string{
				"me_ho_ten": surnames[i%10] + " Thị " + mothers[j] + fmt.Sprint(" ", i), "cha_ho_ten": "", "cha_ngay_sinh": "", "so_dinh_danh": "",
				"ho_ten": []string{"Nguyễn Văn An", "Trần Văn An", "Lê Minh An"}[i%3], "noi_sinh": "", "que_quan": "",
			}))
		}
	}
	// A second registration of entry KS-123 with its diacritics lost.
	dup := src.recs[122]
	f := map[string]string{}
	for k, v := range dup.Fields {
		f[k] = v
	}
	f["ho_ten"] = "Nguyen Van An"
	if dup.Fields["ho_ten"] != "Nguyễn Văn An" {
		f["ho_ten"] = dup.Fields["ho_ten"]
	}
	src.add(registry.Birth, "KS-999", 1, f)
	res := run(t, src, linkage.Job{Register: registry.Birth})[0]
	if res.MaxBlock < 300 {
		t.Fatalf("max block %d, want the 301 entries of one day", res.MaxBlock)
	}
	if got := pairs(res)["KS-123~KS-999"]; got == "" {
		t.Errorf("duplicate in a large block not linked: %v", pairs(res))
	}
	if limit := int64(301 * 30 * len(linkage.Rules(registry.Birth))); res.Candidates > limit {
		t.Errorf("%d pairs compared among 301 entries, want at most %d (a window, not the square)", res.Candidates, limit)
	}
	t.Logf("%d pairs compared, max block %d", res.Candidates, res.MaxBlock)
}

// TestEstimateKeepsThresholds checks that an estimated model keeps the
// thresholds and alternatives of the model it starts from.
func TestEstimateKeepsThresholds(t *testing.T) {
	src := &memSource{}
	for i := 0; i < 1200; i++ {
		src.add(registry.Birth, fmt.Sprintf("KS-%04d", i), 1, birth(map[string]string{"ngay_sinh": fmt.Sprintf("%d-%02d-%02d", 1980+i%40, 1+i%12, 1+i%28)}))
	}
	base := linkage.DefaultModel().Register(registry.Birth)
	res, err := linkage.New(nil, linkage.Options{Estimate: linkage.EstimateAlways}).Run(context.Background(), src, linkage.Job{Register: registry.Birth})
	if err != nil {
		t.Fatal(err)
	}
	m := res[0].Model
	if m.Method != "estimated" || m.AutoBits != base.AutoBits || m.SuspectBits != base.SuspectBits || m.MarginBits != base.MarginBits || len(m.Alternatives) != len(base.Alternatives) {
		t.Errorf("estimated model %+v lost the base's thresholds (%v %v %v)", m, base.AutoBits, base.SuspectBits, base.MarginBits)
	}
}
