package linkage_test

import (
	"context"
	"testing"

	"github.com/hotich/hotich/linkage"
	"github.com/hotich/hotich/registry"
)

func score(t *testing.T, reg registry.Register, a, b map[string]string) linkage.Pair {
	t.Helper()
	p, err := linkage.New(nil, linkage.Options{}).Score(context.Background(), nil, record(reg, "A", a), record(reg, "B", b))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestHardNegatives checks the look-alike pairs that are two people: none
// may be auto; those whose subject differs must not even be suspected.
func TestHardNegatives(t *testing.T) {
	ks := registry.Birth
	tests := []struct {
		name    string
		a, b    map[string]string
		maxWant registry.LinkStatus // "" nothing, suspected: at most in review
	}{
		{"Twins", birth(nil), birth(map[string]string{"ho_ten": "Nguyễn Văn Bảo", "so_dinh_danh": "079210001235"}), ""},
		{"TwinsOtherSex", birth(nil), birth(map[string]string{"ho_ten": "Nguyễn Thị Mai", "gioi_tinh": "Nữ", "so_dinh_danh": ""}), ""},
		{"TwinsNoID", birth(map[string]string{"so_dinh_danh": ""}), birth(map[string]string{"ho_ten": "Nguyễn Văn Bảo", "so_dinh_danh": ""}), ""},
		{"TwinsAlikeNames", birth(map[string]string{"so_dinh_danh": ""}), birth(map[string]string{"ho_ten": "Nguyễn Văn Anh", "so_dinh_danh": ""}), registry.LinkSuspected},
		{"TwinsFatherMissing", birth(map[string]string{"so_dinh_danh": ""}), birth(map[string]string{"ho_ten": "Nguyễn Văn Bảo", "so_dinh_danh": "", "cha_ho_ten": "", "cha_ngay_sinh": ""}), ""},
		{"Siblings", birth(nil), birth(map[string]string{"ho_ten": "Nguyễn Thị Lan", "gioi_tinh": "Nữ", "ngay_sinh": "2014-09-21", "so_dinh_danh": ""}), ""},
		{"SiblingsSameGivenName", birth(nil), birth(map[string]string{"ngay_sinh": "2016-01-10", "so_dinh_danh": ""}), registry.LinkSuspected},
		{"SiblingsCoarseDate", birth(map[string]string{"ngay_sinh": "2010"}), birth(map[string]string{"ho_ten": "Nguyễn Văn Bảo", "ngay_sinh": "2012-02-01", "so_dinh_danh": ""}), ""},
		{"FatherAndSon", birth(map[string]string{"ho_ten": "Nguyễn Văn Bình", "ngay_sinh": "1983-07-07", "me_ho_ten": "Lê Thị Tư", "me_ngay_sinh": "1960",
			"cha_ho_ten": "Nguyễn Văn Tám", "cha_ngay_sinh": "1958", "so_dinh_danh": ""}),
			birth(map[string]string{"ho_ten": "Nguyễn Văn Bình", "so_dinh_danh": ""}), ""},
		{"CommonNameSameYear", birth(map[string]string{"ho_ten": "Nguyễn Thị Lan", "gioi_tinh": "Nữ", "so_dinh_danh": ""}),
			birth(map[string]string{"ho_ten": "Nguyễn Thị Lan", "gioi_tinh": "Nữ", "ngay_sinh": "2010-10-30", "me_ho_ten": "Phạm Thị Hạnh", "me_ngay_sinh": "1988",
				"cha_ho_ten": "Nguyễn Văn Dũng", "cha_ngay_sinh": "", "noi_sinh": "Bệnh viện Hùng Vương", "que_quan": "", "so_dinh_danh": ""}), ""},
		{"CommonNameSameDay", birth(map[string]string{"ho_ten": "Nguyễn Thị Lan", "gioi_tinh": "Nữ", "so_dinh_danh": ""}),
			birth(map[string]string{"ho_ten": "Nguyễn Thị Lan", "gioi_tinh": "Nữ", "me_ho_ten": "Phạm Thị Hạnh", "me_ngay_sinh": "1988",
				"cha_ho_ten": "Nguyễn Văn Dũng", "cha_ngay_sinh": "", "so_dinh_danh": ""}), registry.LinkSuspected},
		// Two families that share every name and the child's birth date,
		// told apart only by the mother's birth date: the same event or
		// not, that is for a person to decide.
		{"SameNamesMotherBornOtherDay", birth(map[string]string{"so_dinh_danh": ""}),
			birth(map[string]string{"me_ngay_sinh": "1979-11-30", "so_dinh_danh": ""}), registry.LinkSuspected},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := score(t, ks, tt.a, tt.b)
			t.Logf("%q %.2f bits", p.Status, p.Bits)
			if p.Status == registry.LinkAuto || (tt.maxWant == "" && p.Status != "") {
				t.Errorf("status %q (%.2f bits), want at most %q; %+v", p.Status, p.Bits, tt.maxWant, p.Explanation)
			}
		})
	}
}

// TestDuplicates checks that a second entry of the same event with each
// kind of keying difference is linked, and that a clean one is auto.
func TestDuplicates(t *testing.T) {
	tests := []struct {
		name string
		reg  registry.Register
		a, b map[string]string
		want registry.LinkStatus // "" any link
	}{
		{"Clean", registry.Birth, birth(nil), birth(map[string]string{"noi_sinh": "Bệnh viện Từ Dũ"}), registry.LinkAuto},
		{"OtherIDOtherWard", registry.Birth, birth(nil), birth(map[string]string{"so_dinh_danh": "079210009876"}), registry.LinkAuto},
		{"DroppedDiacritics", registry.Birth, birth(nil), birth(map[string]string{"ho_ten": "Nguyen Van An"}), registry.LinkAuto},
		{"ToneVariant", registry.Birth, birth(map[string]string{"me_ho_ten": "Trần Thị Thuý"}), birth(map[string]string{"me_ho_ten": "Trần Thị Thúy"}), registry.LinkAuto},
		{"DayMonthSwap", registry.Birth, birth(nil), birth(map[string]string{"ngay_sinh": "2010-05-03"}), registry.LinkAuto},
		{"YearOnly", registry.Birth, birth(nil), birth(map[string]string{"ngay_sinh": "2010"}), registry.LinkAuto},
		{"MissingMiddle", registry.Birth, birth(nil), birth(map[string]string{"ho_ten": "Nguyễn An"}), registry.LinkAuto},
		{"TypoInGivenName", registry.Birth, birth(nil), birth(map[string]string{"ho_ten": "Nguyễn Văn Ann"}), ""},
		{"TypoAndSwap", registry.Birth, birth(nil), birth(map[string]string{"ho_ten": "Nguyễn Văn Ann", "ngay_sinh": "2010-05-03", "so_dinh_danh": ""}), ""},
		{"MotherMissing", registry.Birth, birth(nil), birth(map[string]string{"me_ho_ten": "", "me_ngay_sinh": ""}), registry.LinkAuto},
		{"Death", registry.Death, death(nil), death(map[string]string{"ho_ten": "Le Thi Hoa", "so_dinh_danh": ""}), registry.LinkAuto},
		{"DeathTypo", registry.Death, death(nil), death(map[string]string{"ho_ten": "Lê Thị Hoà", "ngay_sinh": ""}), ""},
		{"Marriage", registry.Marriage, marriage(nil), marriage(map[string]string{"vo_ho_ten": "Võ Thu Trang", "vo_giay_to": ""}), registry.LinkAuto},
		{"Recognition", registry.Recognition, recognition(nil), recognition(map[string]string{"nguoi_nhan_ho_ten": "Do Van Hung"}), registry.LinkAuto},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := score(t, tt.reg, tt.a, tt.b)
			t.Logf("%q %.2f bits", p.Status, p.Bits)
			if p.Status == "" || (tt.want != "" && p.Status != tt.want) {
				t.Errorf("status %q (%.2f bits), want %q; %+v", p.Status, p.Bits, tt.want, p.Explanation)
			}
		})
	}
}

// TestMissingValues checks that a missing value lowers the score of a
// duplicate and never passes a rule: a recognition whose recognised
// person's birth date is missing on one side cannot be auto however alike
// the rest is.
func TestMissingValues(t *testing.T) {
	full := score(t, registry.Birth, birth(nil), birth(nil))
	sparse := score(t, registry.Birth, birth(nil), birth(map[string]string{"noi_sinh": "", "que_quan": "", "cha_ho_ten": "", "cha_ngay_sinh": "", "so_dinh_danh": "", "me_ngay_sinh": ""}))
	if !(sparse.Bits < full.Bits) {
		t.Errorf("missing values: %.2f bits, complete %.2f bits; want lower", sparse.Bits, full.Bits)
	}
	p := score(t, registry.Recognition, recognition(nil), recognition(map[string]string{"nguoi_duoc_nhan_ngay_sinh": ""}))
	if p.Status == registry.LinkAuto || p.Explanation.Guard {
		t.Errorf("recognition without the recognised person's birth date: %q, guard %v; want not auto", p.Status, p.Explanation.Guard)
	}
	if p.Status != registry.LinkSuspected {
		t.Errorf("recognition without the recognised person's birth date: %q, want suspected", p.Status)
	}
}

func TestScoreRegistersMustMatch(t *testing.T) {
	_, err := linkage.New(nil, linkage.Options{}).Score(context.Background(), nil, record(registry.Birth, "A", birth(nil)), record(registry.Death, "B", death(nil)))
	if registry.ErrorCode(err) != registry.EINVALID {
		t.Fatalf("err = %v, want EINVALID", err)
	}
}
