package vntext_test

import (
	"testing"

	"golang.org/x/text/unicode/norm"

	"github.com/hotich/hotich/registry/vntext"
)

func TestClean(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"Clean", "Nguyễn Văn An", "Nguyễn Văn An"},
		{"NFD", norm.NFD.String("Nguyễn Thị Hoà"), "Nguyễn Thị Hoà"},
		{"Trim", "  Lê Lợi \t", "Lê Lợi"},
		{"Collapse", "Lê \t\n Lợi", "Lê Lợi"},
		{"NBSP", "Lê\u00A0Lợi", "Lê Lợi"},
		{"Eth", "Ðặng ðức", "Đặng đức"},
		{"KeepsTonePlacement", "Hoà Thuý Khoẻ Hòa", "Hoà Thuý Khoẻ Hòa"},
		{"KeepsCase", "NGUYỄN văn", "NGUYỄN văn"},
		{"ZeroWidth", "Ng\u200Buyễn\uFEFF", "Nguyễn"},
		{"Empty", " \t ", ""},
		{"ASCII", "  Nguyen  Van ", "Nguyen Van"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := vntext.Clean(tt.in)
			if got != tt.want {
				t.Errorf("Clean(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if again := vntext.Clean(got); again != got {
				t.Errorf("Clean not idempotent: %q then %q", got, again)
			}
		})
	}
}

func TestCleanNoAllocation(t *testing.T) {
	for _, s := range []string{"Nguyen Van An", "Nguyễn Văn Hoà, Phường Bến Nghé"} {
		if n := testing.AllocsPerRun(100, func() { _ = vntext.Clean(s) }); n != 0 {
			t.Errorf("Clean(%q) allocates %v times, want 0", s, n)
		}
	}
}

func TestTitleName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"NGUYỄN VĂN AN", "Nguyễn Văn An"},
		{"nguyễn THỊ ĐÀO ưng", "Nguyễn Thị Đào Ưng"},
		{"hoà", "Hoà"},
		{"  trần   thị  thuý ", "Trần Thị Thuý"},
		{"ÐỖ ÐỨC", "Đỗ Đức"},
		{"NGUYễN VĂN ĐứC", "Nguyễn Văn Đức"}, // TCVN3 capitals stored in lower case
		{"ksor h'hen", "Ksor H'Hen"},
		{"lê-văn", "Lê-Văn"},
		{norm.NFD.String("ÁNH"), "Ánh"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := vntext.TitleName(tt.in); got != tt.want {
			t.Errorf("TitleName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestDropXMLInvalid(t *testing.T) {
	cases := []struct {
		in, want string
		dropped  int
	}{
		{"Nguyễn Văn An", "Nguyễn Văn An", 0},
		{"tab\tand\nnewline\r", "tab\tand\nnewline\r", 0},
		{"Nguyễn\x01 Văn\x1b[31m An", "Nguyễn Văn[31m An", 2},
		{"\x00\x7f", "\x7f", 1},
		{"a\uFFFEb\uFFFFc\uFFFDd", "abc\uFFFDd", 2},
		{"bad \xe9 byte", "bad  byte", 1},
	}
	for _, c := range cases {
		got, n := vntext.DropXMLInvalid(c.in)
		if got != c.want || n != c.dropped {
			t.Errorf("DropXMLInvalid(%q) = %q, %d; want %q, %d", c.in, got, n, c.want, c.dropped)
		}
	}
}
