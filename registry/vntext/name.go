package vntext

import "strings"

// Name is a Vietnamese personal name split into its three parts: họ
// (surname, first), chữ đệm (middle name, zero or more syllables) and tên
// (given name, last). "Nguyễn Thị Minh Khai" is {Nguyễn, Thị Minh, Khai}.
type Name struct{ Surname, Middle, Given string }

// String joins the parts of n with single spaces.
func (n Name) String() string {
	parts := make([]string, 0, 3)
	for _, p := range []string{n.Surname, n.Middle, n.Given} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, " ")
}

// compoundSurname is a surname of more than one syllable. Some of them are
// also an ordinary surname followed by a common middle name ("Nguyễn Phước
// Lộc" may be Nguyễn + Phước Lộc); those are taken as a compound only when
// the name is long enough to leave a middle name besides the given name, as
// the royal-family names that bear them are ("Nguyễn Phước Bửu Chánh").
type compoundSurname struct {
	key       string // CanonKey of the surname
	ambiguous bool
}

// compoundSurnames lists the multi-syllable surnames found in registers:
// the Nguyễn royal family's (Nguyễn Phúc/Phước and the branches Tôn Thất,
// Tôn Nữ for women, Công Tôn Nữ, Công Tằng Tôn Nữ, Công Huyền Tôn Nữ), Lê
// Phước, and the Sino-Vietnamese two-character surnames (Âu Dương, Tư Mã,
// Gia Cát, Hoàng Phủ, Thượng Quan, ...). Longest first.
var compoundSurnames = func() []compoundSurname {
	var list []compoundSurname
	add := func(ambiguous bool, names ...string) {
		for _, n := range names {
			list = append(list, compoundSurname{key: CanonKey(n), ambiguous: ambiguous})
		}
	}
	add(false, "Công Tằng Tôn Nữ", "Công Huyền Tôn Nữ")
	add(false, "Công Tôn Nữ")
	add(false, "Tôn Thất", "Tôn Nữ", "Âu Dương", "Tư Mã", "Gia Cát", "Thượng Quan",
		"Đông Phương", "Tư Đồ", "Tây Môn", "Mộ Dung", "Hạ Hầu", "Độc Cô", "Lệnh Hồ",
		"Nam Cung", "Đoan Mộc", "Tư Không", "Thác Bạt", "Chung Ly", "Công Tôn")
	add(true, "Nguyễn Phúc", "Nguyễn Phước", "Lê Phước", "Hoàng Phủ")
	return list
}()

// SplitName splits a full name (cleaned first) into surname, middle and
// given name. One word is a given name alone; two are surname and given
// name. Multi-syllable surnames are recognised whatever their case and tone
// placement ("TÔN THẤT Thuyết", "Tôn Nữ Thị Ninh", "Âu Dương Phong").
func SplitName(s string) Name {
	f := strings.Fields(Clean(s))
	switch len(f) {
	case 0:
		return Name{}
	case 1:
		return Name{Given: f[0]}
	}
	k := 1
	for _, c := range compoundSurnames {
		n := strings.Count(c.key, " ") + 1
		min := n + 1
		if c.ambiguous {
			min = n + 2
		}
		if len(f) >= min && CanonKey(strings.Join(f[:n], " ")) == c.key {
			k = n
			break
		}
	}
	return Name{
		Surname: strings.Join(f[:k], " "),
		Middle:  strings.Join(f[k:len(f)-1], " "),
		Given:   f[len(f)-1],
	}
}
