package vntext_test

import (
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"

	"github.com/hotich/hotich/registry/vntext"
)

func TestCanonKeyEquivalences(t *testing.T) {
	tests := []struct {
		name string
		a, b string
	}{
		{"OA", "Hoà", "Hòa"},
		{"UY", "Thuý", "Thúy"},
		{"OE", "khoẻ", "khỏe"},
		{"Case", "NGUYỄN VĂN HOÀ", "nguyễn văn hòa"},
		{"NFD", norm.NFD.String("Nguyễn Thị Thuỷ"), "Nguyễn Thị Thủy"},
		{"Eth", "Ðào Ðức", "Đào Đức"},
		{"Spaces", "  Lê\tThị\u00A0 Hoà \n", "Lê Thị Hòa"},
		{"ZeroWidth", "Ng\u200Buyễn", "Nguyễn"},
		{"WrongVowel", "Trần Baỏ Lựơng", "Trần Bảo Lượng"},
		{"WrongVowelIE", "nghịêm", "nghiệm"},
		{"GI", "giưã", "giữa"},
		{"QU", "Quỳnh Quý", "quỳnh quý"},
		{"Hyphen", "Hòa-Bình", "Hoà-Bình"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ka, kb := vntext.CanonKey(tt.a), vntext.CanonKey(tt.b)
			if ka != kb {
				t.Errorf("CanonKey(%q) = %q, CanonKey(%q) = %q; want equal", tt.a, ka, tt.b, kb)
			}
		})
	}
}

func TestCanonKey(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Nguyễn Văn Hòa", "nguyễn văn hoà"},
		{"Thúy", "thuý"},
		{"HOÀNG", "hoàng"},
		{"Quỳnh", "quỳnh"},
		{"Nguyen  Van An", "nguyen van an"},
		{"", ""},
		{"   ", ""},
		{"Müller Ñoño", "müller ñoño"},
		{"Số 12/3 đường Lê Lợi", "số 12/3 đường lê lợi"},
	}
	for _, tt := range tests {
		if got := vntext.CanonKey(tt.in); got != tt.want {
			t.Errorf("CanonKey(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestCanonKeyKeepsDifferences checks that the key does not fold what
// tells names apart: i/y, tones, đ/d.
func TestCanonKeyKeepsDifferences(t *testing.T) {
	for _, p := range [][2]string{{"Vy", "Vi"}, {"Lý", "Lí"}, {"Hòa", "Hóa"}, {"Đào", "Dào"}, {"Ân", "An"}, {"Thủy", "Thụy"}} {
		if vntext.CanonKey(p[0]) == vntext.CanonKey(p[1]) {
			t.Errorf("CanonKey(%q) == CanonKey(%q)", p[0], p[1])
		}
	}
}

func TestFoldKey(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Nguyễn Văn Đức", "nguyen van duc"},
		{"  ÐÀO\tThị  Hoà ", "dao thi hoa"},
		{norm.NFD.String("Phường Bến Nghé"), "phuong ben nghe"},
		{"Müller José", "muller jose"},
		{"Ng\u200Buyễn", "nguyen"},
		{"NGUYEN VAN AN", "nguyen van an"},
		{"nguyen van an", "nguyen van an"},
		{"Số 12", "so 12"},
	}
	for _, tt := range tests {
		if got := vntext.FoldKey(tt.in); got != tt.want {
			t.Errorf("FoldKey(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestKeysIdempotent checks both keys over the corpus and the syllables:
// a key of a key is the key, and equal for every spelling of a name.
func TestKeysIdempotent(t *testing.T) {
	words := append(allText(), syllables()...)
	for _, s := range words {
		for _, v := range []string{s, strings.ToUpper(s), norm.NFD.String(s), vntext.Retone(s, vntext.ToneOld), vntext.Retone(s, vntext.ToneNew)} {
			c := vntext.CanonKey(v)
			if cc := vntext.CanonKey(c); cc != c {
				t.Fatalf("CanonKey not idempotent on %q: %q then %q", v, c, cc)
			}
			if c != vntext.CanonKey(s) {
				t.Fatalf("CanonKey(%q) = %q but CanonKey(%q) = %q", v, c, s, vntext.CanonKey(s))
			}
			f := vntext.FoldKey(v)
			if ff := vntext.FoldKey(f); ff != f {
				t.Fatalf("FoldKey not idempotent on %q: %q then %q", v, f, ff)
			}
			if f != vntext.FoldKey(s) {
				t.Fatalf("FoldKey(%q) = %q but FoldKey(%q) = %q", v, f, s, vntext.FoldKey(s))
			}
			for i := 0; i < len(f); i++ {
				if f[i] >= 0x80 {
					t.Fatalf("FoldKey(%q) = %q: not ASCII", v, f)
				}
			}
		}
	}
}

func TestKeysAllocations(t *testing.T) {
	for _, s := range []string{"nguyen van an", "nguyễn văn hoà"} {
		if n := testing.AllocsPerRun(100, func() { _ = vntext.CanonKey(s) }); n != 0 {
			t.Errorf("CanonKey(%q) allocates %v times, want 0 for a key", s, n)
		}
	}
	if n := testing.AllocsPerRun(100, func() { _ = vntext.FoldKey("nguyen van an") }); n != 0 {
		t.Errorf("FoldKey of a folded key allocates %v times, want 0", n)
	}
}

func TestRetone(t *testing.T) {
	tests := []struct {
		in       string
		new, old string
	}{
		{"Nguyễn Thị Hòa", "Nguyễn Thị Hoà", "Nguyễn Thị Hòa"},
		{"THÚY KHỎE", "THUÝ KHOẺ", "THÚY KHỎE"},
		{"Hoàng Quỳnh", "Hoàng Quỳnh", "Hoàng Quỳnh"},
		{"baỏ lựơng", "bảo lượng", "bảo lượng"},
		{"Ðào", "Đào", "Đào"},
		{"Müller", "Müller", "Müller"},
		{"hoàá", "hoàá", "hoàá"}, // two tones: left alone
	}
	for _, tt := range tests {
		if got := vntext.Retone(tt.in, vntext.ToneNew); got != tt.new {
			t.Errorf("Retone(%q, ToneNew) = %q, want %q", tt.in, got, tt.new)
		}
		if got := vntext.Retone(tt.in, vntext.ToneOld); got != tt.old {
			t.Errorf("Retone(%q, ToneOld) = %q, want %q", tt.in, got, tt.old)
		}
	}
}
