package samples

import (
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
)

// wlist is a weighted list of strings. An item may carry two tone
// placements, "Hoà|Hòa": the first with the tone on the main vowel (the 1989
// and 2018 rules), the second in the older habit; both are seen in registers.
// An item may be limited to an era: "@o" people born before 1975, "@m" born
// from 1990.
type wlist struct {
	items []witem
	cum   []float64
}

type witem struct {
	text string
	era  byte // 0, 'o' or 'm'
}

// parseW parses "Nguyễn 384; Trần 110; Tôn Thất 1; Vy 4@m".
func parseW(spec string) *wlist {
	w := &wlist{}
	total := 0.0
	for _, part := range strings.Split(spec, ";") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		i := strings.LastIndexByte(part, ' ')
		text, ws := part[:i], part[i+1:]
		var era byte
		if k := strings.IndexByte(ws, '@'); k >= 0 {
			era, ws = ws[k+1], ws[:k]
		}
		f, err := strconv.ParseFloat(ws, 64)
		if err != nil {
			panic("samples: bad weight in " + part)
		}
		total += f
		w.items = append(w.items, witem{text: text, era: era})
		w.cum = append(w.cum, total)
	}
	return w
}

// pick draws an item for a person born in year born (0: any era), in the
// tone style of the book (newTone: tone on the main vowel).
func (w *wlist) pick(r *rand.Rand, born int, newTone bool) string {
	for try := 0; ; try++ {
		x := r.Float64() * w.cum[len(w.cum)-1]
		i := sort.SearchFloat64s(w.cum, x)
		if i >= len(w.items) {
			i = len(w.items) - 1
		}
		it := w.items[i]
		if try < 8 && born != 0 && ((it.era == 'o' && born >= 1975) || (it.era == 'm' && born < 1990)) {
			continue
		}
		t := it.text
		if a, b, ok := strings.Cut(t, "|"); ok {
			if newTone {
				return a
			}
			return b
		}
		return t
	}
}

var (
	surnames = parseW(`Nguyễn 384; Trần 110; Lê 95; Phạm 71; Huỳnh 35; Hoàng 16; Phan 45; Võ 29; Vũ 10;
		Đặng 21; Bùi 20; Đỗ 14; Hồ 13; Ngô 13; Dương 10; Lý 5; Trương 8; Đinh 6; Lâm 6; Mai 5;
		Lương 4; Tô 3; Đoàn 5; Châu 4; Thái 3; Hà 4; Tạ 2; Quách 2; La 2; Cao 3; Kiều 1; Văn 2;
		Tăng 2; Lưu 3; Mạc 1; Triệu 2; Từ 1; Trịnh 3; Đào 4; Ông 1; Âu 1; Tôn Thất 1; Nguyễn Phước 0.5`)

	middleMale = parseW(`Văn 60; Hữu 7; Đức 6; Minh 8; Thanh 5; Công 4; Quốc 5; Xuân 2; Gia 5@m; Bảo 4@m;
		Hoàng 4; Tuấn 3; Anh 3; Nhật 2@m; Trọng 2; Đình 2; Thành 2`)
	middleFemale = parseW(`Thị 60; Ngọc 12; Thanh 5; Minh 4@m; Bảo 4@m; Gia 4@m; Khánh 4@m; Phương 4;
		Thuỳ|Thùy 3; Mỹ 4; Kim 4; Như 3; Hồng 3; Thu 3; Hoàng 2; Diễm 2`)

	givenMale = parseW(`Hùng 5; Dũng 5; Nam 5; Minh 5; Tuấn 5; Hải 4; Long 4; Sơn 4; Phong 3; Thành 4;
		Tâm 3; Quang 3; Huy 4; Khoa 3; Bảo 4; An 4; Anh 4; Cường 3; Đức 3; Hiếu 3; Khang 3@m;
		Khánh 3; Kiệt 2@m; Lộc 3; Nhân 2; Phát 3; Phúc 3; Quân 3; Tài 2; Thắng 2; Thịnh 2; Tiến 2;
		Toàn 2; Trí 2; Trung 3; Tùng 2; Việt 2; Vinh 3; Hoà|Hòa 3; Thuỵ|Thụy 1; Duy 3; Hưng 3; Hậu 2;
		Khôi 2@m; Nhật 2; Phước 2; Sang 2; Thiện 2; Tín 2; Trọng 2; Đạt 3; Vũ 2; Bình 3; Hoàng 2;
		Kiên 2; Nghĩa 2; Lâm 2; Thọ 2@o; Chiến 2@o; Hoá|Hóa 1@o; Gia Huy 2@m; Minh Khang 2@m;
		Đăng Khoa 1@m; Bảo Long 1@m; Quý 1; Thuỷ|Thủy 1@o`)
	givenFemale = parseW(`Anh 4; An 3; Bích 2; Châu 2; Chi 3; Diễm 2; Dung 3; Duyên 2; Giang 2; Hà 3;
		Hạnh 3; Hằng 3; Hiền 3; Hoa 4; Hoà|Hòa 2; Hồng 3; Huệ 2; Hương 4; Lan 5; Liên 2; Linh 5;
		Loan 3; Mai 4; My 3; Ngân 3; Ngọc 3; Nhi 4@m; Nhung 3; Oanh 2; Phương 4; Quyên 2; Quỳnh 3;
		Tâm 2; Thảo 4; Thanh 3; Thu 3; Thuý|Thúy 4; Thuỷ|Thủy 3; Trang 5; Trâm 3; Trinh 2; Tuyết 2;
		Uyên 3; Vân 3; Vy 4@m; Xuân 2; Yến 3; Cúc 2@o; Đào 1@o; Nga 2@o; Lài 1@o; Nhuỵ|Nhụy 1;
		Ngọc Hân 2@m; Gia Hân 2@m; Bảo Anh 2@m; Minh Anh 2@m; Khánh Linh 2@m; Bảo Ngọc 2@m;
		Khánh Vy 1@m; Thuỳ Linh|Thùy Linh 1@m`)

	hoaSurnames = parseW(`Lý 10; Trương 8; Lâm 10; Quách 6; Hứa 5; Thái 4; Lưu 5; Mạch 3; Tăng 4; Diệp 4;
		Châu 4; La 3; Ông 2; Hồng 2; Giang 2; Tạ 3; Trần 4; Huỳnh 3`)
	hoaMiddle  = parseW(`Gia 5; Vĩnh 4; Tú 3; Quốc 3; Chí 3; Thế 2; Văn 4; Huệ 2; Mỹ 4; Ngọc 3; Thị 4; Bội 1`)
	hoaMale    = parseW(`Cường 3; Kiệt 4; Phát 4; Vinh 3; Hào 3; Kiện 2; Minh 3; Thành 3; Hưng 3; Lương 2; Khải 2; Tuấn 2`)
	hoaFemale  = parseW(`Lan 3; Mỹ 2; Phụng 3; Quế 2; Anh 3; Nghi 3; Mẫn 2; Linh 3; Huệ 2; Trân 3; Tuyết 2; Doanh 1`)
	khmerSurn  = parseW(`Thạch 10; Sơn 8; Danh 7; Kim 5; Lâm 4; Châu 3; Huỳnh 2`)
	khmerMale  = parseW(`Sô Phanh 2; Sóc Kha 2; Chanh Đa 2; Sa Rinh 2; Ri Tha 2; Sa Vanh 2; Hoàng Phi 1; Tài 1; Pha Ly 1`)
	khmerFem   = parseW(`Sa Rết 2; Chanh Tha 2; Sô Phi 2; Sa Vân 2; Thi Da 2; Ni Ta 2; Sa Rây 1; Ma Ly 1`)
	chamMale   = parseW(`Mohamad Sa Ly 2; Ysa Mách 2; Mu Ha Mách 2; Ha San 2; Ab Đul Ra Man 1; Sa Ri Man 1`)
	chamFemale = parseW(`Ma Ry Dah 2; Sa Ri Dah 2; Ha Li Ma 2; Fa Ti Mah 2; Ai Sah 1; Ro Ki Dah 1`)

	// commonNames are the full names the common_name hard negatives share.
	commonNamesMale   = []string{"Nguyễn Văn Hùng", "Nguyễn Văn Nam", "Trần Văn Minh", "Nguyễn Văn Dũng", "Lê Văn Tuấn", "Nguyễn Minh Huy"}
	commonNamesFemale = []string{"Nguyễn Thị Lan", "Nguyễn Thị Hương", "Nguyễn Thị Mai", "Trần Thị Thu", "Nguyễn Thị Hoa", "Lê Thị Trang"}
)

// group is a person's ethnic group as far as names go.
type group uint8

const (
	gKinh group = iota
	gHoa
	gKhmer
	gCham
	gOther // Tày, Nùng, Mường: Vietnamese names
)

func pickGroup(r *rand.Rand, d *district) group {
	x := r.Float64()
	hoa := 0.045
	switch d.code {
	case "774", "775", "772": // Quận 5, 6, 11: Chợ Lớn
		hoa = 0.30
	case "766", "777", "776": // Tân Bình, Bình Tân, Quận 8
		hoa = 0.07
	}
	switch {
	case x < hoa:
		return gHoa
	case x < hoa+0.008:
		return gKhmer
	case x < hoa+0.012:
		return gCham
	case x < hoa+0.016:
		return gOther
	}
	return gKinh
}

// ethnicName returns the ethnic group as the register writes it; v picks a
// field spelling (the reference data knows all of them).
func (g group) ethnicName(r *rand.Rand, v int) string {
	switch g {
	case gHoa:
		if v%20 == 0 {
			return "Hán"
		}
		return "Hoa"
	case gKhmer:
		return []string{"Khơ-me", "Khmer", "Khơ-me", "Khmer", "Khơ Me"}[v%5]
	case gCham:
		if v%4 == 0 {
			return "Chàm"
		}
		return "Chăm"
	case gOther:
		return []string{"Tày", "Nùng", "Mường"}[r.IntN(3)]
	}
	switch v % 25 {
	case 0:
		return "Việt"
	case 1, 2:
		return "kinh"
	}
	return "Kinh"
}

// personName draws a full name. surname forces the surname ("" draws one).
func personName(r *rand.Rand, g group, male bool, born int, newTone bool, surname string) string {
	switch g {
	case gHoa:
		if surname == "" {
			surname = hoaSurnames.pick(r, born, newTone)
		}
		mid := hoaMiddle.pick(r, born, newTone)
		if male && (mid == "Thị" || mid == "Mỹ" || mid == "Huệ" || mid == "Bội" || mid == "Ngọc") {
			mid = "Gia"
		}
		if !male && (mid == "Văn" || mid == "Chí" || mid == "Thế" || mid == "Quốc") {
			mid = "Mỹ"
		}
		if male {
			return surname + " " + mid + " " + hoaMale.pick(r, born, newTone)
		}
		return surname + " " + mid + " " + hoaFemale.pick(r, born, newTone)
	case gKhmer:
		if surname == "" {
			surname = khmerSurn.pick(r, born, newTone)
		}
		if male {
			return surname + " " + khmerMale.pick(r, born, newTone)
		}
		return surname + " Thị " + khmerFem.pick(r, born, newTone)
	case gCham:
		if male {
			return chamMale.pick(r, born, newTone)
		}
		return chamFemale.pick(r, born, newTone)
	}
	if surname == "" {
		surname = surnames.pick(r, born, newTone)
	}
	switch {
	case !male && surname == "Tôn Thất":
		surname = "Tôn Nữ"
	case male && surname == "Tôn Nữ":
		surname = "Tôn Thất"
	}
	var mid, given string
	if male {
		mid, given = middleMale.pick(r, born, newTone), givenMale.pick(r, born, newTone)
	} else {
		mid, given = middleFemale.pick(r, born, newTone), givenFemale.pick(r, born, newTone)
	}
	parts := []string{surname}
	switch {
	case surname == "Tôn Nữ" || strings.Contains(given, " ") && r.IntN(10) < 6:
		// "Tôn Nữ Minh Châu", "Nguyễn Ngọc Hân": no further middle name
		if !strings.Contains(given, " ") {
			parts = append(parts, mid)
		}
	case born >= 1985 && r.IntN(10) == 0:
		// four-word names: "Trần Ngọc Bảo Anh", "Nguyễn Thị Thanh Hương"
		var mid2 string
		if male {
			mid2 = middleMale.pick(r, born, newTone)
		} else {
			mid2 = middleFemale.pick(r, born, newTone)
		}
		parts = append(parts, mid)
		if mid2 != mid && mid2 != "Văn" && mid2 != "Thị" {
			parts = append(parts, mid2)
		}
	case born != 0 && born < 1960 && r.IntN(12) == 0:
		// two-word names of old registers: "Lê Hùng"
	default:
		parts = append(parts, mid)
	}
	parts = append(parts, given)
	return dedupWords(strings.Join(parts, " "))
}

// dedupWords removes a word repeated right after itself ("Minh Minh").
func dedupWords(s string) string {
	ws := strings.Fields(s)
	out := ws[:1]
	for _, w := range ws[1:] {
		if w != out[len(out)-1] {
			out = append(out, w)
		}
	}
	return strings.Join(out, " ")
}

// surnameOf returns the surname of a name built by personName, knowing the
// two-word surnames.
func surnameOf(name string) string {
	for _, two := range []string{"Tôn Thất", "Tôn Nữ", "Nguyễn Phước"} {
		if strings.HasPrefix(name, two+" ") {
			return two
		}
	}
	s, _, _ := strings.Cut(name, " ")
	return s
}

// givenOf returns the last word of a name.
func givenOf(name string) string {
	ws := strings.Fields(name)
	return ws[len(ws)-1]
}

// foreigner is a foreign spouse or parent: a name in Latin letters (as the
// passport writes it), a nationality and a passport number.
type foreigner struct {
	nat      string
	male     []string
	female   []string
	passport func(r *rand.Rand) string
	cities   []string
}

var foreigners = []foreigner{
	{"Hàn Quốc", []string{"Kim Min Soo", "Lee Jae Hyun", "Park Sung Ho", "Choi Young Jin", "Jung Dong Wook", "Kang Ho Sung", "Yoon Sang Min"},
		[]string{"Kim Ji Young", "Lee Soo Jin", "Park Min Ji"},
		func(r *rand.Rand) string { return "M" + digits(r, 8) },
		[]string{"Seoul, Hàn Quốc", "Busan, Hàn Quốc", "Incheon, Hàn Quốc"}},
	{"Trung Quốc", []string{"Wang Wei", "Li Ming", "Zhang Lei", "Chen Jian", "Liu Yang", "Zhao Gang"},
		[]string{"Wang Fang", "Li Na", "Zhang Min"},
		func(r *rand.Rand) string { return "E" + digits(r, 8) },
		[]string{"Quảng Châu, Trung Quốc", "Thượng Hải, Trung Quốc"}},
	{"Đài Loan", []string{"Lin Chih Hao", "Huang Wen Chieh", "Chen Chun Hung", "Wu Tsung Han", "Tsai Ming Te"},
		[]string{"Lin Mei Ling", "Chen Yu Ting"},
		func(r *rand.Rand) string { return "3" + digits(r, 8) },
		[]string{"Đài Bắc, Đài Loan", "Cao Hùng, Đài Loan", "Đài Trung, Đài Loan"}},
	{"Hoa Kỳ", []string{"John Smith", "Michael Johnson", "David Miller", "Nguyen Van Tam", "Tran Minh Duc", "Robert Brown"},
		[]string{"Jennifer Davis", "Nguyen Thi Hanh", "Sarah Wilson"},
		func(r *rand.Rand) string { return "5" + digits(r, 8) },
		[]string{"California, Hoa Kỳ", "Texas, Hoa Kỳ", "Washington, Hoa Kỳ"}},
	{"Nhật Bản", []string{"Tanaka Hiroshi", "Suzuki Kenji", "Sato Takeshi"},
		[]string{"Yamamoto Yuki", "Suzuki Aiko"},
		func(r *rand.Rand) string { return "TK" + digits(r, 7) },
		[]string{"Tokyo, Nhật Bản", "Osaka, Nhật Bản"}},
	{"Úc", []string{"James Wilson", "Daniel Taylor", "Pham Quoc Bao"},
		[]string{"Emily Clarke", "Le Thi Mai"},
		func(r *rand.Rand) string { return "PA" + digits(r, 7) },
		[]string{"Sydney, Úc", "Melbourne, Úc"}},
}

func pickForeigner(r *rand.Rand) *foreigner {
	x := r.IntN(100)
	switch {
	case x < 35:
		return &foreigners[0]
	case x < 55:
		return &foreigners[1]
	case x < 72:
		return &foreigners[2]
	case x < 88:
		return &foreigners[3]
	case x < 94:
		return &foreigners[4]
	}
	return &foreigners[5]
}

func digits(r *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + r.IntN(10))
	}
	return string(b)
}
