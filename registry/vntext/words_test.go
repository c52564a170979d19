package vntext_test

import (
	"testing"

	"github.com/hotich/hotich/registry/vntext"
)

func TestNumberWords(t *testing.T) {
	tests := []struct {
		n    int
		want string
	}{
		{0, "không"}, {1, "một"}, {4, "bốn"}, {5, "năm"}, {10, "mười"}, {11, "mười một"},
		{14, "mười bốn"}, {15, "mười lăm"}, {20, "hai mươi"}, {21, "hai mươi mốt"},
		{24, "hai mươi tư"}, {25, "hai mươi lăm"}, {30, "ba mươi"}, {31, "ba mươi mốt"},
		{100, "một trăm"}, {105, "một trăm lẻ năm"}, {110, "một trăm mười"}, {115, "một trăm mười lăm"},
		{1001, "một nghìn không trăm lẻ một"}, {1990, "một nghìn chín trăm chín mươi"},
		{2000, "hai nghìn"}, {2005, "hai nghìn không trăm lẻ năm"}, {2022, "hai nghìn không trăm hai mươi hai"},
		{10000, "mười nghìn"}, {1000005, "một triệu không trăm lẻ năm"},
		{2_000_000_000, "hai tỷ"}, {-7, "âm bảy"},
	}
	for _, tt := range tests {
		if got := vntext.NumberWords(tt.n); got != tt.want {
			t.Errorf("NumberWords(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
}

func TestWordsSettings(t *testing.T) {
	w := vntext.Words{Thousand: vntext.ThousandNgan, ZeroTens: vntext.ZeroTensLinh}
	for _, tt := range []struct {
		n    int
		want string
	}{
		{105, "một trăm linh năm"}, {1001, "một ngàn không trăm linh một"}, {1990, "một ngàn chín trăm chín mươi"},
	} {
		if got := w.Number(tt.n); got != tt.want {
			t.Errorf("Number(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
}

func TestDateWords(t *testing.T) {
	tests := []struct {
		name string
		w    vntext.Words
		d    vntext.Date
		want string
	}{
		{"Day", vntext.Words{}, vntext.Date{Year: 2022, Month: 6, Day: 15}, "Ngày mười lăm, tháng sáu, năm hai nghìn không trăm hai mươi hai"},
		{"BirthCopy", vntext.Words{Thousand: vntext.ThousandNgan}, vntext.Date{Year: 1990, Month: 1, Day: 1}, "Ngày một, tháng một, năm một ngàn chín trăm chín mươi"},
		{"April", vntext.Words{}, vntext.Date{Year: 2024, Month: 4, Day: 24}, "Ngày hai mươi tư, tháng tư, năm hai nghìn không trăm hai mươi tư"},
		{"Month", vntext.Words{}, vntext.Date{Year: 2022, Month: 6}, "Tháng sáu, năm hai nghìn không trăm hai mươi hai"},
		{"Year", vntext.Words{}, vntext.Date{Year: 1950}, "Năm một nghìn chín trăm năm mươi"},
		{"Time", vntext.Words{}, vntext.Date{Year: 2025, Month: 6, Day: 9, Hour: 14, Minute: 30, HasTime: true}, "Mười bốn giờ ba mươi phút, ngày chín, tháng sáu, năm hai nghìn không trăm hai mươi lăm"},
		{"Zero", vntext.Words{}, vntext.Date{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.w.Date(tt.d); got != tt.want {
				t.Errorf("Date(%v) = %q, want %q", tt.d.ISO(), got, tt.want)
			}
			if tt.want == "" {
				return
			}
			back, err := vntext.ParseDate(tt.want)
			if err != nil || back != tt.d {
				t.Errorf("ParseDate(%q) = %+v, %v; want %+v", tt.want, back, err, tt.d)
			}
		})
	}
}

func TestParseNumberWords(t *testing.T) {
	for n := 0; n <= 12000; n++ {
		for _, w := range []vntext.Words{{}, {Thousand: vntext.ThousandNgan, ZeroTens: vntext.ZeroTensLinh}} {
			s := w.Number(n)
			if got, ok := vntext.ParseNumberWords(s); !ok || got != n {
				t.Fatalf("ParseNumberWords(%q) = %d, %v; want %d", s, got, ok, n)
			}
		}
	}
	for _, tt := range []struct {
		in   string
		want int
	}{
		{"hai mươi bốn", 24}, {"Hai Mươi Nhăm", 25}, {"bẩy", 7}, {"một nghìn chín trăm bốn mươi mốt", 1941},
		{"hai nghìn lẻ năm", 2005}, {"mười một", 11},
	} {
		if got, ok := vntext.ParseNumberWords(tt.in); !ok || got != tt.want {
			t.Errorf("ParseNumberWords(%q) = %d, %v; want %d", tt.in, got, ok, tt.want)
		}
	}
	for _, bad := range []string{"", "mươi", "lăm", "một trăm năm", "hai mươi mươi", "nghìn", "abc", "một một"} {
		if got, ok := vntext.ParseNumberWords(bad); ok {
			t.Errorf("ParseNumberWords(%q) = %d, want failure", bad, got)
		}
	}
}

func TestTimeWords(t *testing.T) {
	if got := (vntext.Words{}).Time(14, 30); got != "mười bốn giờ ba mươi phút" {
		t.Errorf("Time(14, 30) = %q", got)
	}
	if got := (vntext.Words{}).Time(0, 0); got != "không giờ" {
		t.Errorf("Time(0, 0) = %q", got)
	}
}
