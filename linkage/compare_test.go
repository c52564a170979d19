package linkage_test

import (
	"context"
	"fmt"
	"maps"
	"testing"

	"github.com/hotich/hotich/linkage"
	"github.com/hotich/hotich/registry"
)

// birth returns the fields of a birth entry: child Nguyễn Văn An born
// 2010-03-05 to Trần Thị Bích and Nguyễn Văn Bình, with the changes applied
// ("" deletes a field).
func birth(changes map[string]string) map[string]string {
	f := map[string]string{
		"ho_ten":        "Nguyễn Văn An",
		"ngay_sinh":     "2010-03-05",
		"gioi_tinh":     "Nam",
		"noi_sinh":      "Bệnh viện Từ Dũ",
		"que_quan":      "Long An",
		"me_ho_ten":     "Trần Thị Bích",
		"me_ngay_sinh":  "1985-04-12",
		"cha_ho_ten":    "Nguyễn Văn Bình",
		"cha_ngay_sinh": "1983",
		"so_dinh_danh":  "079210001234",
	}
	return apply(f, changes)
}

func death(changes map[string]string) map[string]string {
	f := map[string]string{
		"ho_ten":       "Lê Thị Hoa",
		"ngay_sinh":    "1940",
		"gioi_tinh":    "Nữ",
		"ngay_chet":    "2015-08-20",
		"noi_chet":     "Tại nhà",
		"noi_cu_tru":   "12 Lê Lợi, Phường Bến Nghé, Quận 1",
		"so_dinh_danh": "079140005678",
	}
	return apply(f, changes)
}

func marriage(changes map[string]string) map[string]string {
	f := map[string]string{
		"chong_ho_ten":    "Phạm Minh Tuấn",
		"chong_ngay_sinh": "1990-01-15",
		"chong_giay_to":   "079090001111",
		"vo_ho_ten":       "Võ Thị Thu Trang",
		"vo_ngay_sinh":    "1992",
		"vo_giay_to":      "079192002222",
	}
	return apply(f, changes)
}

func recognition(changes map[string]string) map[string]string {
	f := map[string]string{
		"nguoi_nhan_ho_ten":         "Đỗ Văn Hùng",
		"nguoi_nhan_ngay_sinh":      "1980-02-02",
		"nguoi_duoc_nhan_ho_ten":    "Đỗ Minh Khang",
		"nguoi_duoc_nhan_ngay_sinh": "2015-06-01",
		"quan_he":                   "cha_nhan_con",
	}
	return apply(f, changes)
}

func apply(f, changes map[string]string) map[string]string {
	f = maps.Clone(f)
	for k, v := range changes {
		if v == "" {
			delete(f, k)
		} else {
			f[k] = v
		}
	}
	return f
}

func record(reg registry.Register, id string, fields map[string]string) *registry.Record {
	return &registry.Record{ID: id, Register: reg, AuthorityCode: "26740", AuthorityName: "UBND Phường Bến Nghé",
		Book: "01/2010", Number: id, Fields: fields, Version: 1}
}

// level returns the level a comparison gives two entries.
func level(t *testing.T, reg registry.Register, a, b map[string]string, spec string) string {
	t.Helper()
	p, err := linkage.New(nil, linkage.Options{}).Score(context.Background(), nil, record(reg, "A", a), record(reg, "B", b))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range p.Explanation.Fields {
		if c.Name == spec {
			return c.Level
		}
	}
	t.Fatalf("no comparison %s in %+v", spec, p.Explanation)
	return ""
}

func TestLevels(t *testing.T) {
	ks, kt, kh, nc := registry.Birth, registry.Death, registry.Marriage, registry.Recognition
	tests := []struct {
		name string
		reg  registry.Register
		a, b map[string]string
		spec string
		want string
	}{
		// Surname.
		{"SurnameExact", ks, birth(nil), birth(nil), "con_ho", "exact"},
		{"SurnameToneVariant", ks, birth(map[string]string{"ho_ten": "Nguyễn Văn Hoà"}), birth(map[string]string{"ho_ten": "Nguyễn Văn Hòa"}), "con_ten", "exact"},
		{"SurnameFoldASCII", ks, birth(nil), birth(map[string]string{"ho_ten": "Nguyen Van An"}), "con_ho", "fold_ascii"},
		{"SurnameFold", ks, birth(map[string]string{"ho_ten": "Lê Văn An"}), birth(map[string]string{"ho_ten": "Lề Văn An"}), "con_ho", "fold"},
		{"SurnameFuzzy", ks, birth(nil), birth(map[string]string{"ho_ten": "Nguyễnn Văn An"}), "con_ho", "fuzzy"},
		{"SurnameElse", ks, birth(nil), birth(map[string]string{"ho_ten": "Trần Văn An"}), "con_ho", "else"},
		// Middle name.
		{"MiddleExact", ks, birth(nil), birth(nil), "con_chu_dem", "exact"},
		{"MiddleBothNone", ks, birth(map[string]string{"ho_ten": "Nguyễn An"}), birth(map[string]string{"ho_ten": "Nguyễn An"}), "con_chu_dem", "exact"},
		{"MiddleFoldASCII", ks, birth(nil), birth(map[string]string{"ho_ten": "Nguyen Van An"}), "con_chu_dem", "fold_ascii"},
		{"MiddleFold", ks, birth(nil), birth(map[string]string{"ho_ten": "Nguyễn Vân An"}), "con_chu_dem", "fold"},
		{"MiddleMissing", ks, birth(nil), birth(map[string]string{"ho_ten": "Nguyễn An"}), "con_chu_dem", "partial"},
		{"MiddlePart", ks, birth(map[string]string{"ho_ten": "Nguyễn Văn Minh An"}), birth(nil), "con_chu_dem", "partial"},
		{"MiddleFuzzy", ks, birth(map[string]string{"ho_ten": "Nguyễn Hoàng An"}), birth(map[string]string{"ho_ten": "Nguyễn Hoàgn An"}), "con_chu_dem", "fuzzy"},
		{"MiddleElse", ks, birth(nil), birth(map[string]string{"ho_ten": "Nguyễn Hữu An"}), "con_chu_dem", "else"},
		// Given name.
		{"GivenExact", ks, birth(nil), birth(nil), "con_ten", "exact"},
		{"GivenFoldASCII", ks, birth(map[string]string{"ho_ten": "Nguyễn Văn Tâm"}), birth(map[string]string{"ho_ten": "Nguyen Van Tam"}), "con_ten", "fold_ascii"},
		{"GivenFold", ks, birth(map[string]string{"ho_ten": "Nguyễn Văn Tâm"}), birth(map[string]string{"ho_ten": "Nguyễn Văn Tám"}), "con_ten", "fold"},
		{"GivenIY", ks, birth(map[string]string{"ho_ten": "Nguyễn Thị Vy", "gioi_tinh": "Nữ"}), birth(map[string]string{"ho_ten": "Nguyễn Thị Vi", "gioi_tinh": "Nữ"}), "con_ten", "i_y"},
		{"GivenEdit1", ks, birth(map[string]string{"ho_ten": "Nguyễn Văn Lâm"}), birth(map[string]string{"ho_ten": "Nguyễn Văn Lân"}), "con_ten", "edit1"},
		{"GivenJaroWinkler", ks, birth(map[string]string{"ho_ten": "Nguyễn Văn Thương"}), birth(map[string]string{"ho_ten": "Nguyễn Văn Thươnggg"}), "con_ten", "jw"},
		{"GivenElse", ks, birth(nil), birth(map[string]string{"ho_ten": "Nguyễn Văn Bình"}), "con_ten", "else"},
		// Dates.
		{"DateDay", ks, birth(nil), birth(nil), "con_ngay_sinh", "day"},
		{"DateCompatibleYear", ks, birth(nil), birth(map[string]string{"ngay_sinh": "2010"}), "con_ngay_sinh", "compatible"},
		{"DateCompatibleMonth", ks, birth(nil), birth(map[string]string{"ngay_sinh": "2010-03"}), "con_ngay_sinh", "compatible"},
		{"DateSwap", ks, birth(nil), birth(map[string]string{"ngay_sinh": "2010-05-03"}), "con_ngay_sinh", "swap"},
		{"DateYear", ks, birth(nil), birth(map[string]string{"ngay_sinh": "2010-11-20"}), "con_ngay_sinh", "year"},
		{"DateYearCoarse", ks, birth(nil), birth(map[string]string{"ngay_sinh": "2010-07"}), "con_ngay_sinh", "year"},
		{"DateYear1", ks, birth(nil), birth(map[string]string{"ngay_sinh": "2011-03-05"}), "con_ngay_sinh", "year1"},
		{"DateElse", ks, birth(nil), birth(map[string]string{"ngay_sinh": "2014-03-05"}), "con_ngay_sinh", "else"},
		{"DateNull", kt, death(nil), death(map[string]string{"ngay_sinh": ""}), "ngay_sinh", "null"},
		{"EventDay", kt, death(nil), death(map[string]string{"ngay_chet": "2015-08-20T14:30"}), "ngay_chet", "day"},
		{"EventElse", kt, death(nil), death(map[string]string{"ngay_chet": "2018-08-20"}), "ngay_chet", "else"},
		// Sex, personal ID.
		{"SexAgree", ks, birth(nil), birth(nil), "con_gioi_tinh", "agree"},
		{"SexDisagree", ks, birth(nil), birth(map[string]string{"gioi_tinh": "Nữ"}), "con_gioi_tinh", "disagree"},
		{"IDAgree", ks, birth(nil), birth(nil), "con_dinh_danh", "agree"},
		{"IDDisagree", ks, birth(nil), birth(map[string]string{"so_dinh_danh": "079210009999"}), "con_dinh_danh", "disagree"},
		{"IDNull", ks, birth(nil), birth(map[string]string{"so_dinh_danh": ""}), "con_dinh_danh", "null"},
		{"IDCardAndIDNotComparable", kh, marriage(nil), marriage(map[string]string{"chong_giay_to": "025123456"}), "chong_giay_to", "null"},
		// Places.
		{"PlaceExact", ks, birth(nil), birth(map[string]string{"noi_sinh": "bệnh viện  Từ Dũ"}), "noi_sinh", "exact"},
		{"PlaceElse", ks, birth(nil), birth(map[string]string{"noi_sinh": "Bệnh viện Hùng Vương"}), "noi_sinh", "else"},
		{"PlaceNull", ks, birth(nil), birth(map[string]string{"noi_sinh": ""}), "noi_sinh", "null"},
		// Parents' and spouses' full names.
		{"NameExact", ks, birth(nil), birth(nil), "me_ho_ten", "exact"},
		{"NameFoldASCII", ks, birth(nil), birth(map[string]string{"me_ho_ten": "Tran Thi Bich"}), "me_ho_ten", "fold_ascii"},
		{"NameFold", ks, birth(nil), birth(map[string]string{"me_ho_ten": "Trần Thị Bịch"}), "me_ho_ten", "fold"},
		{"NameSurGiven", ks, birth(nil), birth(map[string]string{"me_ho_ten": "Trần Bích"}), "me_ho_ten", "sur_given"},
		{"NameFuzzy", ks, birth(nil), birth(map[string]string{"me_ho_ten": "Trần Thị Bícg"}), "me_ho_ten", "fuzzy"},
		{"NameFuzzyNoMiddle", ks, birth(nil), birth(map[string]string{"me_ho_ten": "Trần Bícg"}), "me_ho_ten", "fuzzy"},
		{"NameElse", ks, birth(nil), birth(map[string]string{"me_ho_ten": "Lê Thị Hồng"}), "me_ho_ten", "else"},
		{"NameNull", ks, birth(nil), birth(map[string]string{"cha_ho_ten": "", "cha_ngay_sinh": ""}), "cha_ho_ten", "null"},
		{"SpouseExact", kh, marriage(nil), marriage(nil), "vo_ho_ten", "exact"},
		{"SpouseSurGiven", kh, marriage(nil), marriage(map[string]string{"vo_ho_ten": "Võ Trang"}), "vo_ho_ten", "sur_given"},
		// A coded value.
		{"CodeAgree", nc, recognition(nil), recognition(nil), "quan_he", "agree"},
		{"CodeDisagree", nc, recognition(nil), recognition(map[string]string{"quan_he": "me_nhan_con"}), "quan_he", "disagree"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := level(t, tt.reg, tt.a, tt.b, tt.spec); got != tt.want {
				t.Errorf("%s level = %s, want %s", tt.spec, got, tt.want)
			}
		})
	}
}

func TestJaroWinkler(t *testing.T) {
	tests := []struct {
		a, b string
		want float64
	}{
		{"martha", "marhta", 0.961},
		{"dwayne", "duane", 0.840},
		{"dixon", "dicksonx", 0.813},
		{"an", "an", 1},
		{"an", "", 0},
		{"nguyen", "nguyen", 1},
	}
	for _, tt := range tests {
		if got := linkage.JaroWinkler(tt.a, tt.b); got < tt.want-0.001 || got > tt.want+0.001 {
			t.Errorf("JaroWinkler(%q, %q) = %.3f, want %.3f", tt.a, tt.b, got, tt.want)
		}
	}
}

// TestTermFrequency checks that agreeing on a common surname counts for
// less than agreeing on a rare one, and that a whole name counts by its own
// frequency when its parts always go together.
func TestTermFrequency(t *testing.T) {
	src := &memSource{}
	n := 0
	add := func(name string, count int) {
		for i := 0; i < count; i++ {
			n++
			src.add(registry.Birth, fmt.Sprintf("KS-%05d", n), 1, birth(map[string]string{"ho_ten": name}))
		}
	}
	add("Nguyễn Văn Hùng", 380)
	add("Trần Văn Dũng", 300)
	add("Lê Thị Hoa", 315)
	add("Ông Văn Phúc", 4)
	add("Fa Ti Mah", 40) // a name whose parts always go together
	add("Nguyễn Văn An", 1)
	add("Ông Văn An", 1)
	contribution := func(name, field string) float64 {
		f := birth(map[string]string{"ho_ten": name})
		p, err := linkage.New(nil, linkage.Options{}).Score(context.Background(), src, record(registry.Birth, "A", f), record(registry.Birth, "B", f))
		if err != nil {
			t.Fatal(err)
		}
		sum := 0.0
		for _, c := range p.Explanation.Fields {
			if c.Name == field || field == "" && (c.Name == "con_ho" || c.Name == "con_chu_dem" || c.Name == "con_ten" || c.Name == linkage.NameFrequencyField) {
				sum += c.Weight
			}
		}
		return sum
	}
	nguyen, ong := contribution("Nguyễn Văn An", "con_ho"), contribution("Ông Văn An", "con_ho")
	if !(ong > nguyen+5) {
		t.Errorf("surname weight: Nguyễn %.2f, Ông %.2f; want Ông far above", nguyen, ong)
	}
	// Fa, Ti and Mah are each rare, but always together: the name weighs
	// as one name borne by 40 of 1041, not as three rare parts.
	whole, parts := contribution("Fa Ti Mah", ""), contribution("Fa Ti Mah", "con_ho")+contribution("Fa Ti Mah", "con_chu_dem")+contribution("Fa Ti Mah", "con_ten")
	if !(whole < parts-8) || whole > 7 {
		t.Errorf("Fa Ti Mah: whole name %.2f bits, parts %.2f; want the whole name's frequency (about log2(0.8/(40/1041)) = 4.4)", whole, parts)
	}
}
