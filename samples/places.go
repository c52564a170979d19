package samples

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/hotich/hotich/registry"
)

var streets = []string{
	"Lê Lợi", "Nguyễn Huệ", "Hai Bà Trưng", "Điện Biên Phủ", "Cách Mạng Tháng Tám", "Nguyễn Trãi",
	"Trần Hưng Đạo", "Lý Thường Kiệt", "Nguyễn Văn Cừ", "Võ Văn Tần", "Pasteur", "Nam Kỳ Khởi Nghĩa",
	"Lê Văn Sỹ", "Phan Đăng Lưu", "Xô Viết Nghệ Tĩnh", "Nguyễn Thị Minh Khai", "Ba Tháng Hai",
	"Hoàng Văn Thụ", "Cộng Hòa", "Trường Chinh", "Quang Trung", "Lê Đức Thọ", "Phạm Văn Đồng",
	"Kha Vạn Cân", "Võ Văn Ngân", "Huỳnh Tấn Phát", "Nguyễn Hữu Thọ", "Lũy Bán Bích", "Âu Cơ",
	"Hậu Giang", "Hồng Bàng", "Kinh Dương Vương", "Tỉnh Lộ 10", "Nguyễn Văn Linh", "Phạm Thế Hiển",
	"Bùi Viện", "Đinh Tiên Hoàng", "Phan Xích Long", "Lạc Long Quân", "Tô Hiến Thành", "Sư Vạn Hạnh",
	"Nguyễn Oanh", "Quốc lộ 13", "Lê Văn Việt", "Đỗ Xuân Hợp", "Tân Kỳ Tân Quý", "Bà Hom",
}

var hamlets = []string{"Ấp 1", "Ấp 2", "Ấp 3", "Ấp 4", "Ấp 5", "Ấp 6", "Ấp Chợ", "Ấp Bàu Tre", "Ấp Mới", "Ấp Tân Lập", "Ấp Bình Thuận"}

func houseNumber(r *rand.Rand) string {
	n := 1 + r.IntN(400)
	switch r.IntN(10) {
	case 0, 1, 2:
		return fmt.Sprintf("%d/%d", n, 1+r.IntN(60))
	case 3:
		return fmt.Sprintf("%d/%d/%d", n, 1+r.IntN(40), 1+r.IntN(20))
	case 4:
		return fmt.Sprintf("%d%c", n, 'A'+rune(r.IntN(3)))
	}
	return fmt.Sprint(n)
}

// address returns a residence in the authority's area as written in a
// register of the given year.
func address(r *rand.Rand, a *authority, year int) string {
	w, d := a.name, a.district.nameIn(year, a.code)
	if a.level == 2 {
		// a district-level entry: some ward of the district (not known
		// here); write the street and the district.
		return houseNumber(r) + " " + streets[r.IntN(len(streets))] + ", " + d
	}
	var s string
	if a.rural {
		if r.IntN(3) == 0 {
			s = fmt.Sprintf("Tổ %d, %s, %s, %s", 1+r.IntN(15), hamlets[r.IntN(len(hamlets))], w, d)
		} else {
			s = hamlets[r.IntN(len(hamlets))] + ", " + w + ", " + d
		}
	} else {
		switch r.IntN(6) {
		case 0:
			s = "Số " + houseNumber(r) + " đường " + streets[r.IntN(len(streets))] + ", " + w + ", " + d
		case 1:
			s = houseNumber(r) + " " + streets[r.IntN(len(streets))] + ", " + w + ", " + d
		default:
			s = houseNumber(r) + " " + streets[r.IntN(len(streets))] + ", " + w + ", " + d
		}
	}
	if r.IntN(6) == 0 {
		s += ", TP. Hồ Chí Minh"
	}
	return s
}

func (g *geo) randomWard(r *rand.Rand) *authority { return g.wards[r.IntN(len(g.wards))] }

// residence returns where a person of the entry lives: mostly in the
// registering ward, else elsewhere in the city or in a province.
func (g *geo) residence(r *rand.Rand, a *authority, year int) string {
	switch x := r.IntN(100); {
	case x < 70:
		return address(r, a, year)
	case x < 94:
		return address(r, g.randomWard(r), year)
	}
	return g.province(r)
}

// province returns a province of 1 March 2025 as written: "Tỉnh Long An",
// "Long An".
func (g *geo) province(r *rand.Rand) string {
	p := g.provinces[r.IntN(len(g.provinces))]
	if r.IntN(3) == 0 {
		p = strings.TrimPrefix(strings.TrimPrefix(p, "Tỉnh "), "Thành phố ")
	}
	return p
}

// hometown returns a quê quán: mostly the city, the Mekong delta and the
// centre, as Saigon's families came from.
func (g *geo) hometown(r *rand.Rand) string {
	if r.IntN(3) == 0 {
		return []string{"TP. Hồ Chí Minh", "Thành phố Hồ Chí Minh", "Sài Gòn"}[r.IntN(3)]
	}
	return g.province(r)
}

var maternity = []string{
	"Bệnh viện Từ Dũ", "Bệnh viện Hùng Vương", "Bệnh viện Nhân dân Gia Định", "Bệnh viện Nhân dân 115",
	"Bệnh viện Phụ sản Quốc tế Sài Gòn", "Bệnh viện Đa khoa Sài Gòn", "Bệnh viện Phụ sản Mê Kông",
	"Bệnh viện Quốc tế Hạnh Phúc", "Bệnh viện Trưng Vương", "Bệnh viện An Bình",
}

// birthPlace returns a nơi sinh of a child born in the given year.
func birthPlace(r *rand.Rand, a *authority, year int) string {
	d := a.district.nameIn(year, a.code)
	switch x := r.IntN(100); {
	case x < 55:
		h := maternity[r.IntN(len(maternity))]
		if r.IntN(4) == 0 {
			h += ", TP. Hồ Chí Minh"
		}
		return h
	case x < 70:
		return "Bệnh viện " + d
	case x < 78:
		return "Nhà hộ sinh " + d
	case x < 85 && a.level == 3:
		return "Trạm y tế " + a.name + ", " + d
	case x < 92 && year < 1995:
		return "Tại nhà"
	}
	return []string{"TP. Hồ Chí Minh", "Thành phố Hồ Chí Minh", "Tp Hồ Chí Minh"}[r.IntN(3)]
}

var hospitals = []string{
	"Bệnh viện Chợ Rẫy", "Bệnh viện Nhân dân 115", "Bệnh viện Thống Nhất", "Bệnh viện Nhân dân Gia Định",
	"Bệnh viện Ung Bướu", "Bệnh viện Đại học Y Dược", "Bệnh viện Nguyễn Tri Phương", "Bệnh viện Trưng Vương",
	"Bệnh viện Bình Dân", "Bệnh viện Quân y 175",
}

func deathPlace(r *rand.Rand, a *authority, year int, home string) string {
	switch x := r.IntN(100); {
	case x < 45:
		return hospitals[r.IntN(len(hospitals))]
	case x < 60:
		return "Tại nhà"
	case x < 80:
		return "Tại nhà riêng, " + home
	}
	return "Bệnh viện " + a.district.nameIn(year, a.code)
}

var causes = []string{
	"Bệnh già", "Già yếu", "Ung thư phổi", "Ung thư gan", "Tai biến mạch máu não", "Đột quỵ",
	"Nhồi máu cơ tim", "Suy tim", "Tai nạn giao thông", "Xơ gan", "Suy thận", "Viêm phổi",
	"Bệnh lý", "Suy hô hấp", "Tiểu đường",
}

func deathCause(r *rand.Rand, year int) string {
	if (year == 2021 || year == 2022) && r.IntN(4) == 0 {
		return "COVID-19"
	}
	return causes[r.IntN(len(causes))]
}

// deathNotice returns a giấy báo tử as written: number, date and issuer.
func deathNotice(r *rand.Rand, place string, on date) string {
	issuer := place
	if !strings.HasPrefix(place, "Bệnh viện") {
		issuer = "Công an phường"
	}
	switch r.IntN(3) {
	case 0:
		return fmt.Sprintf("Số %d/GBT ngày %s của %s", 1+r.IntN(900), on.format(dateDMY), issuer)
	case 1:
		return fmt.Sprintf("Giấy báo tử số %d do %s cấp ngày %s", 1+r.IntN(900), issuer, on.format(dateDMY))
	}
	return fmt.Sprintf("%d/BT-%s", 1+r.IntN(900), initials(issuer))
}

func initials(s string) string {
	var b strings.Builder
	for _, w := range strings.Fields(foldASCII(s)) {
		b.WriteByte(strings.ToUpper(w)[0])
	}
	return b.String()
}

var notes = []string{
	"Đã cải chính họ tên theo Quyết định số %d/QĐ-UBND ngày %s",
	"Bổ sung ngày sinh của mẹ theo Quyết định số %d/QĐ-UBND ngày %s",
	"Cấp bản sao số %d ngày %s",
	"Đã ghi chú ly hôn theo Bản án số %d/HNGĐ-ST ngày %s",
	"Xác định lại dân tộc theo Quyết định số %d ngày %s",
}

// marginalNote returns a ghi chú written after the registration.
func marginalNote(r *rand.Rand, reg registry.Register, after date) string {
	d := after.addDays(30 + r.IntN(3000))
	if d.after(cutoff) {
		d = cutoff
	}
	i := r.IntN(len(notes))
	if reg != "KH" && i == 3 {
		i = 0
	}
	return fmt.Sprintf(notes[i], 1+r.IntN(2000), d.format(dateDMY))
}

// declarantRelation returns who declared a birth, as written.
func declarantRelation(r *rand.Rand, who string) string {
	switch who {
	case "cha":
		return []string{"Cha", "Cha", "Bố", "cha đẻ", "Cha ruột"}[r.IntN(5)]
	case "me":
		return []string{"Mẹ", "Mẹ", "mẹ đẻ", "Mẹ ruột"}[r.IntN(4)]
	case "ong":
		return []string{"Ông nội", "Ông ngoại"}[r.IntN(2)]
	}
	return []string{"Bà nội", "Bà ngoại"}[r.IntN(2)]
}
