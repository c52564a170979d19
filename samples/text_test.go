package samples

import (
	"math/rand/v2"
	"testing"

	"golang.org/x/text/unicode/norm"

	"github.com/hotich/hotich/registry"
)

func TestSwapTonePlacement(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Hoà", "Hòa"}, {"Hòa", "Hoà"}, {"Thuý", "Thúy"}, {"Thúy", "Thuý"}, {"Thuỷ", "Thủy"},
		{"khoẻ", "khỏe"}, {"HOÀ", "HÒA"}, {"Thụy", "Thuỵ"},
	} {
		got, ok := swapTonePlacement(tc.in)
		if !ok || got != tc.want || !norm.NFC.IsNormalString(got) {
			t.Errorf("swapTonePlacement(%q) = %q, %v; want %q", tc.in, got, ok, tc.want)
		}
	}
	for _, w := range []string{"Toàn", "Quý", "Huy", "Nguyễn", "An", "Giàu", "Hoa"} {
		if got, ok := swapTonePlacement(w); ok {
			t.Errorf("swapTonePlacement(%q) = %q: no other placement exists", w, got)
		}
	}
	if got, ok := swapNameTone("Nguyễn Thị Thanh Thuý"); !ok || got != "Nguyễn Thị Thanh Thúy" {
		t.Errorf("swapNameTone = %q, %v", got, ok)
	}
}

func TestMojibake(t *testing.T) {
	for in, want := range map[string]string{
		"Nguyễn": "Nguyá»…n",
		"Văn":    "VÄƒn",
		"và":     "vÃ\u00a0",
		"Đức":    "Ä\u0090á»©c",
		"ASCII":  "ASCII",
	} {
		if got := mojibake(in); got != want {
			t.Errorf("mojibake(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTypo(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 200; i++ {
		got, ok := typo(r, "Nguyễn Văn Hùng")
		if !ok || got == "Nguyễn Văn Hùng" || len([]rune(got)) < 13 || got[:len("Nguyễn")] != "Nguyễn" {
			t.Fatalf("typo = %q, %v", got, ok)
		}
	}
}

func TestSlugs(t *testing.T) {
	g, err := loadGeo()
	if err != nil {
		t.Fatal(err)
	}
	if len(g.wards) < 250 || len(g.districts) != 22 {
		t.Fatalf("%d wards, %d districts of Ho Chi Minh City", len(g.wards), len(g.districts))
	}
	want := map[string]string{"26740": "q1-ben-nghe", "27046": "phu-nhuan-p5", "26734": "q1-tan-dinh"}
	for _, a := range g.wards {
		if s, ok := want[a.code]; ok && a.slug != s {
			t.Errorf("%s %s: slug %q, want %q", a.code, a.name, a.slug, s)
		}
		if a.fake == "" || a.fake == a.code {
			t.Errorf("%s: no keying-error code", a.code)
		}
	}
	if n := (&district{code: "769", name: "Thành phố Thủ Đức"}).nameIn(2010, "26800"); n != "Quận Thủ Đức" {
		t.Errorf("Linh Trung in 2010: %q", n)
	}
}

// TestRegistryReadsRenderings checks the generator's renderings against the
// project's readers: what is meant as unknown reads as unknown, every form
// of a coded value reads as its code, and the junk values do not read.
func TestRegistryReadsRenderings(t *testing.T) {
	for _, m := range append(append([]string{}, markers...), missingFor...) {
		if !registry.IsUnknown(m) {
			t.Errorf("marker %q is not unknown", m)
		}
	}
	for form := 0; form < 20; form++ {
		st := &fileStyle{sexForm: form, regForm: form, kindLabels: form%2 == 0, relLabels: form%2 == 0}
		for _, sex := range []string{registry.SexMale, registry.SexFemale} {
			if got, ok := registry.ParseSex(st.sexText(sex)); !ok || got != sex {
				t.Errorf("sex form %d: %q reads %q", form, st.sexText(sex), got)
			}
		}
		for _, reg := range registry.Registers {
			if got, err := registry.ParseRegister(st.regText(reg)); err != nil || got != reg {
				t.Errorf("register form %d: %q reads %q, %v", form, st.regText(reg), got, err)
			}
		}
		for _, k := range []registry.RegistrationKind{registry.KindNew, registry.KindReRegistration, registry.KindForeignElement, registry.KindRecordedAbroad} {
			if got, err := registry.ParseRegistrationKind(st.kindText(string(k))); err != nil || got != k {
				t.Errorf("kind %q written %q reads %q, %v", k, st.kindText(string(k)), got, err)
			}
		}
		for _, rel := range []string{"cha_nhan_con", "me_nhan_con", "con_nhan_cha", "con_nhan_me"} {
			if got, ok := registry.ParseRelation(st.relText(rel)); !ok || got != rel {
				t.Errorf("relation %q written %q reads %q", rel, st.relText(rel), got)
			}
		}
	}
	for _, s := range junkSexes {
		if _, ok := registry.ParseSex(s); ok || registry.IsUnknown(s) {
			t.Errorf("junk sex %q reads", s)
		}
	}
	for _, s := range junkKinds {
		if _, err := registry.ParseRegistrationKind(s); err == nil || registry.IsUnknown(s) {
			t.Errorf("junk kind %q reads", s)
		}
	}
	for _, s := range junkRels {
		if _, ok := registry.ParseRelation(s); ok || registry.IsUnknown(s) {
			t.Errorf("junk relation %q reads", s)
		}
	}
	for _, s := range append(append([]string{}, junkDates...), junkCodes...) {
		if registry.IsUnknown(s) {
			t.Errorf("junk %q reads as unknown", s)
		}
	}
	// Extra columns are no column of any register.
	for _, h := range []string{"STT", "nguoi_nhap_lieu", "ngay_nhap_lieu"} {
		for _, reg := range registry.Registers {
			if c, ok := reg.ColumnByHeader(h); ok {
				t.Errorf("extra column %s is %s of %s", h, c.Name, reg)
			}
		}
	}
}
