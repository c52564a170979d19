package vntext_test

import (
	"testing"

	"github.com/hotich/hotich/registry/vntext"
)

func TestSplitName(t *testing.T) {
	tests := []struct {
		in   string
		want vntext.Name
	}{
		{"Nguyễn Văn An", vntext.Name{"Nguyễn", "Văn", "An"}},
		{"Nguyễn Thị Minh Khai", vntext.Name{"Nguyễn", "Thị Minh", "Khai"}},
		{"Lê Hà", vntext.Name{"Lê", "", "Hà"}},
		{"Hà", vntext.Name{"", "", "Hà"}},
		{"", vntext.Name{}},
		{"  trần   văn  ba ", vntext.Name{"trần", "văn", "ba"}},
		{"Tôn Thất Thuyết", vntext.Name{"Tôn Thất", "", "Thuyết"}},
		{"TÔN THẤT Tùng", vntext.Name{"TÔN THẤT", "", "Tùng"}},
		{"Tôn Nữ Thị Ninh", vntext.Name{"Tôn Nữ", "Thị", "Ninh"}},
		{"Tôn Thất", vntext.Name{"Tôn", "", "Thất"}},
		{"Âu Dương Phong", vntext.Name{"Âu Dương", "", "Phong"}},
		{"Tư Mã Ý", vntext.Name{"Tư Mã", "", "Ý"}},
		{"Gia Cát Lượng", vntext.Name{"Gia Cát", "", "Lượng"}},
		{"Công Tằng Tôn Nữ Thị Xuân", vntext.Name{"Công Tằng Tôn Nữ", "Thị", "Xuân"}},
		{"Công Huyền Tôn Nữ Hoa", vntext.Name{"Công Huyền Tôn Nữ", "", "Hoa"}},
		{"Công Tôn Nữ Mỹ Lan", vntext.Name{"Công Tôn Nữ", "Mỹ", "Lan"}},
		{"Nguyễn Phước Bửu Chánh", vntext.Name{"Nguyễn Phước", "Bửu", "Chánh"}},
		{"Nguyễn Phúc Vĩnh Lộc", vntext.Name{"Nguyễn Phúc", "Vĩnh", "Lộc"}},
		{"Nguyễn Phước Lộc", vntext.Name{"Nguyễn", "Phước", "Lộc"}}, // a middle name, most likely
		{"Lê Phước Thành Đạt", vntext.Name{"Lê Phước", "Thành", "Đạt"}},
		{"Hoàng Phủ Ngọc Tường", vntext.Name{"Hoàng Phủ", "Ngọc", "Tường"}},
		{"Tôn Nữ Hoà Bình", vntext.Name{"Tôn Nữ", "Hoà", "Bình"}},
		{"Tôn Nư\u0303 Hòa", vntext.Name{"Tôn Nữ", "", "Hòa"}},
	}
	for _, tt := range tests {
		got := vntext.SplitName(tt.in)
		if got != tt.want {
			t.Errorf("SplitName(%q) = %#v, want %#v", tt.in, got, tt.want)
		}
	}
}

func TestNameString(t *testing.T) {
	for _, s := range []string{"Nguyễn Văn An", "Tôn Nữ Thị Ninh", "Hà", "Lê Hà"} {
		if got := vntext.SplitName(s).String(); got != s {
			t.Errorf("SplitName(%q).String() = %q", s, got)
		}
	}
}
