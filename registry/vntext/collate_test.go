package vntext_test

import (
	"bytes"
	"slices"
	"testing"

	"github.com/hotich/hotich/registry/vntext"
)

func TestSort(t *testing.T) {
	list := []string{"Đức", "Dũng", "Hòa", "Ý", "Hoa", "Hóa", "Hỏa", "Họa", "Hoà", "Hà", "Ân", "Anh", "Ăn", "an", "Bình", "ư", "u", "ơ", "o", "ô", "Y", "Hõa"}
	want := []string{"an", "Anh", "Ăn", "Ân", "Bình", "Dũng", "Đức", "Hà", "Hoa", "Hoà", "Hòa", "Hỏa", "Hõa", "Hóa", "Họa", "o", "ô", "ơ", "u", "ư", "Y", "Ý"}
	vntext.Sort(list)
	if !slices.Equal(list, want) {
		t.Errorf("Sort = %q\nwant   %q", list, want)
	}
}

// TestSortTonePlacement checks that the two tone placements sort together:
// Hoà and Hòa are one name, Thuý and Thúy too, whatever comes between.
func TestSortTonePlacement(t *testing.T) {
	list := []string{"Nguyễn Thị Thúy", "Nguyễn Thị Thúa", "Nguyễn Thị Thuý", "Nguyễn Thị Thùy"}
	vntext.Sort(list)
	// Base letters first (thua < thuy), then tones (huyền < sắc); the two
	// spellings of Thúy are one key, side by side, in byte order.
	want := []string{"Nguyễn Thị Thúa", "Nguyễn Thị Thùy", "Nguyễn Thị Thuý", "Nguyễn Thị Thúy"}
	c := vntext.NewCollator()
	if c.Compare("Hoà", "Hòa") == 0 {
		t.Errorf("Compare(Hoà, Hòa) = 0: ties must fall back to the bytes")
	}
	if !bytes.Equal(c.Key("Hoà"), c.Key("Hòa")) || !bytes.Equal(c.Key("Thuý"), c.Key("Thúy")) {
		t.Errorf("Key differs between tone placements")
	}
	if !slices.Equal(list, want) {
		t.Errorf("Sort = %q, want %q", list, want)
	}
}

func TestSortNames(t *testing.T) {
	names := []string{"Nguyễn Bình", "Lê Thị Bình", "Trần Văn An", "Tôn Thất An", "Đỗ Châu", "Nguyễn Văn Bình", "Nguyễn An", "Lê Văn Bình"}
	vntext.SortNames(names)
	want := []string{"Nguyễn An", "Tôn Thất An", "Trần Văn An", "Lê Thị Bình", "Lê Văn Bình", "Nguyễn Bình", "Nguyễn Văn Bình", "Đỗ Châu"}
	if !slices.Equal(names, want) {
		t.Errorf("SortNames = %q\nwant        %q", names, want)
	}
	c := vntext.NewCollator()
	if c.CompareNames("Trần Văn An", "Lê Thị Bình") >= 0 {
		t.Errorf("CompareNames(Trần Văn An, Lê Thị Bình) >= 0")
	}
}

// TestSortStable checks that sorting is deterministic whatever the input
// order.
func TestSortStable(t *testing.T) {
	base := []string{"Hoà", "Hòa", "HOÀ", "hoà", "Hoa"}
	a := slices.Clone(base)
	b := slices.Clone(base)
	slices.Reverse(b)
	vntext.Sort(a)
	vntext.Sort(b)
	if !slices.Equal(a, b) {
		t.Errorf("Sort depends on input order: %q vs %q", a, b)
	}
}
