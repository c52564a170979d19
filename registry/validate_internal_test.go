package registry

import (
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"
)

// TestIsUnknownGuard checks that IsUnknown's two-byte guard rules out no
// marker: on every string built from a marker, a name or a pair of leading
// characters, IsUnknown agrees with the full test.
func TestIsUnknownGuard(t *testing.T) {
	full := func(s string) bool {
		t := strings.TrimSpace(s)
		return t == "" || len(t) <= 24 && isUnknownMarker(t)
	}
	markers := []string{"-", "--", "?", "x", "X", "xx", "XX", "x.", "không rõ", "Không rõ", "KHÔNG RÕ", "k.rõ", "k/rõ", "K rõ", "kro",
		"chưa rõ", "Chưa Rõ", "CHƯA RÕ", "không xác định", "KXĐ", "kxđ", "không có", "Không biết", "n/a", "N/A", "null", "NULL", "None", "nil", "_", "./."}
	var inputs []string
	for _, m := range markers {
		inputs = append(inputs, m, " "+m+" ", norm.NFD.String(m), strings.ToUpper(m))
	}
	inputs = append(inputs, "Nguyễn Văn An", "Kinh", "Cao Thị Bé", "Xuân", "Nam", "Nữ", "Khánh", "Châu", "Ngô", "Nông", "Nil Văn", "Không Văn Rõ")
	lead := []string{"x", "X", "k", "K", "c", "C", "n", "N", "a", "1", "/", ".", " ", "-", "_", "ư", "Ư", "ô", "đ", "Đ", "h", "H", "r", "u", "o", "i", "U", "O", "I", "\u0302"}
	for _, a := range lead {
		for _, b := range lead {
			for _, rest := range []string{"", "a", "ông rõ", "ưa rõ", "ll", "/a", "ro", "xd", "x"} {
				inputs = append(inputs, a+b+rest)
			}
		}
	}
	markersSeen := 0
	for _, s := range inputs {
		want := full(s)
		if got := IsUnknown(s); got != want {
			t.Errorf("IsUnknown(%q) = %v, the full test says %v", s, got, want)
		}
		if want {
			markersSeen++
		}
	}
	if markersSeen < len(markers)*3 {
		t.Errorf("only %d inputs are markers: the test does not exercise them", markersSeen)
	}
}
