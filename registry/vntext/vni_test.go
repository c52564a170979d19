package vntext_test

import (
	"testing"

	"github.com/hotich/hotich/registry/vntext"
)

// vniTable is the VNI-Windows table as Unikey's converter data lists it
// (fcitx5-unikey, unikey/data.cpp, DoubleByteTables "VNI-WIN"): for each
// vowel, upper and lower case of the tones ngang, sắc, huyền, hỏi, ngã,
// nặng, each as a 16-bit word with the base byte low and the mark byte
// high (0 for none).
var vniTable = []struct {
	letters string
	words   [12]uint16
}{
	{"AaÁáÀàẢảÃãẠạ", [12]uint16{0x0041, 0x0061, 0xd941, 0xf961, 0xd841, 0xf861, 0xdb41, 0xfb61, 0xd541, 0xf561, 0xcf41, 0xef61}},
	{"ÂâẤấẦầẨẩẪẫẬậ", [12]uint16{0xc241, 0xe261, 0xc141, 0xe161, 0xc041, 0xe061, 0xc541, 0xe561, 0xc341, 0xe361, 0xc441, 0xe461}},
	{"ĂăẮắẰằẲẳẴẵẶặ", [12]uint16{0xca41, 0xea61, 0xc941, 0xe961, 0xc841, 0xe861, 0xda41, 0xfa61, 0xdc41, 0xfc61, 0xcb41, 0xeb61}},
	{"EeÉéÈèẺẻẼẽẸẹ", [12]uint16{0x0045, 0x0065, 0xd945, 0xf965, 0xd845, 0xf865, 0xdb45, 0xfb65, 0xd545, 0xf565, 0xcf45, 0xef65}},
	{"ÊêẾếỀềỂểỄễỆệ", [12]uint16{0xc245, 0xe265, 0xc145, 0xe165, 0xc045, 0xe065, 0xc545, 0xe565, 0xc345, 0xe365, 0xc445, 0xe465}},
	{"IiÍíÌìỈỉĨĩỊị", [12]uint16{0x0049, 0x0069, 0x00cd, 0x00ed, 0x00cc, 0x00ec, 0x00c6, 0x00e6, 0x00d3, 0x00f3, 0x00d2, 0x00f2}},
	{"OoÓóÒòỎỏÕõỌọ", [12]uint16{0x004f, 0x006f, 0xd94f, 0xf96f, 0xd84f, 0xf86f, 0xdb4f, 0xfb6f, 0xd54f, 0xf56f, 0xcf4f, 0xef6f}},
	{"ÔôỐốỒồỔổỖỗỘộ", [12]uint16{0xc24f, 0xe26f, 0xc14f, 0xe16f, 0xc04f, 0xe06f, 0xc54f, 0xe56f, 0xc34f, 0xe36f, 0xc44f, 0xe46f}},
	{"ƠơỚớỜờỞởỠỡỢợ", [12]uint16{0x00d4, 0x00f4, 0xd9d4, 0xf9f4, 0xd8d4, 0xf8f4, 0xdbd4, 0xfbf4, 0xd5d4, 0xf5f4, 0xcfd4, 0xeff4}},
	{"UuÚúÙùỦủŨũỤụ", [12]uint16{0x0055, 0x0075, 0xd955, 0xf975, 0xd855, 0xf875, 0xdb55, 0xfb75, 0xd555, 0xf575, 0xcf55, 0xef75}},
	{"ƯưỨứỪừỬửỮữỰự", [12]uint16{0x00d6, 0x00f6, 0xd9d6, 0xf9f6, 0xd8d6, 0xf8f6, 0xdbd6, 0xfbf6, 0xd5d6, 0xf5f6, 0xcfd6, 0xeff6}},
	{"YyÝýỲỳỶỷỸỹỴỵ", [12]uint16{0x0059, 0x0079, 0xd959, 0xf979, 0xd859, 0xf879, 0xdb59, 0xfb79, 0xd559, 0xf579, 0x00ce, 0x00ee}},
	{"Đđ", [12]uint16{0x00d1, 0x00f1}},
}

func TestVNITable(t *testing.T) {
	seen := 0
	for _, row := range vniTable {
		for i, r := range []rune(row.letters) {
			w := row.words[i]
			want := []byte{byte(w)}
			if w>>8 != 0 {
				want = append(want, byte(w>>8))
			}
			got, err := vntext.Encode(vntext.VNI, string(r))
			if err != nil {
				t.Errorf("Encode(VNI, %q): %v", r, err)
			} else if string(got) != string(want) {
				t.Errorf("Encode(VNI, %q) = % x, want % x", r, got, want)
			}
			back, err := vntext.Decode(vntext.VNI, want)
			if err != nil || back != string(r) {
				t.Errorf("Decode(VNI, % x) = %q, %v; want %q", want, back, err, r)
			}
			if r >= 0x80 {
				seen++
			}
		}
	}
	if seen != 134 {
		t.Errorf("table covers %d letters with diacritics, want 134", seen)
	}
}

// TestVNIMarksEitherCase checks that a mark byte applies whatever its case
// variant: files mix them (a lower-case mark over a capital).
func TestVNIMarksEitherCase(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"A\xF9", "Á"}, {"a\xD9", "á"}, {"O\xE2", "Ô"}, {"o\xC2\xF9", "ố"}, {"\xD4\xF8", "Ờ"}, {"\xF6\xEF", "ự"},
	} {
		if got, _ := vntext.Decode(vntext.VNI, []byte(tt.in)); got != tt.want {
			t.Errorf("Decode(VNI, %q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
