package vntext_test

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"golang.org/x/text/unicode/norm"

	"github.com/hotich/hotich/registry/vntext"
)

// The word lists the tests generate their text from: names, places and the
// vocabulary of civil-status registers.

var surnames = strings.Fields(`Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý
	Đào Đoàn Vương Trịnh Trương Lâm Phùng Mai Tô Tạ Hà Lưu Châu Quách Thái Cao Lục Tăng
	Lương Từ Kiều Diệp Khúc Văn Triệu Thân Mạc Lã Ông Âu Cù Đàm Giang Hứa Kim La Lạc
	Nghiêm Ninh Quan Tôn Thạch Tiêu Trình Ưng Viên Bạch Chu Doãn Đinh Đồng Hàn Hầu
	Khổng Khương Lại Lò Mã Mạch Nông Phó Phương Sầm Tào Thiều Trà Ứng Vi Yên Giáp Nhữ`)

var middles = strings.Fields(`Văn Thị Hữu Đức Minh Thanh Ngọc Quốc Xuân Thu Hoài Phương Kim Bảo Gia
	Hoàng Anh Tuấn Thùy Mỹ Diệu Khánh Đình Công Trọng Quang Nhật Như Bích Cẩm Hồng
	Tường Vĩnh Hải Thế Duy Thành Phước Phúc Ánh Tú Tấn Trung Huệ Uyên Ái Ý Ngân Yến
	Khắc Nguyệt Quỳnh Thụy Lệ Diễm Mộng Tố Trường Chí Sỹ Sĩ Viết Bá Đăng Ngữ`)

var givens = strings.Fields(`An Anh Ánh Bảo Bình Châu Chi Cường Dũng Dương Duy Đạt Đức Giang Hà Hải
	Hạnh Hằng Hiền Hiếu Hòa Hoà Hoàng Hồng Huệ Hùng Hưng Hương Hường Huy Huyền Khải
	Khang Khánh Khoa Khôi Kiên Lâm Lan Linh Loan Lộc Long Lợi Luân Mai Minh My Mỹ Nam
	Nga Ngân Nghĩa Ngọc Nguyên Nhân Nhi Nhung Oanh Phát Phong Phú Phúc Phụng Phương
	Phượng Quân Quang Quyên Quyết Quỳnh Sang Sơn Tài Tâm Tân Thái Thảo Thắm Thắng
	Thanh Thành Thịnh Thoa Thu Thủy Thúy Thuý Thư Tiến Toàn Trâm Trang Trí Trinh Trọng
	Trúc Trung Tú Tuấn Tùng Tuyết Tường Uyên Vân Vinh Vĩnh Việt Vũ Vy Xuân Yến Ý Ẩn
	Ước Ửng Khuê Khoẻ Khỏe Thuỷ Nghiệp Quế Hoè Ngoạn Khuyến Duyệt Huỳnh Hoạch Nguyệt
	Diễm Giàu Giỏi Gấm Kỳ Kỷ Lũy Mẫn Nhẫn Oánh Quyền Sửu Tỵ`)

// rare are real but uncommon syllables that put the rarer capitals first.
var rare = strings.Fields(`Ửu Ỷ Ỳ Ỹ Ỵ Ẳng Ẵng Ặc Ỗ Ộ Ởn Ừng Ững Ựa Ữa Ửa Ẫn Ẩm Ẽo Ẹo Ễnh Ệt
	Ỉn Ịt Ĩn Ũi Ụi Ỏi Ọc Õng Ẻo Ỡm Ợt Ờm Ớt`)

var places = []string{
	"Phường Bến Nghé, Quận 1", "Phường Bến Thành, Quận 1", "Phường Cầu Kho, Quận 1",
	"Phường Cầu Ông Lãnh, Quận 1", "Phường Cô Giang, Quận 1", "Phường Đa Kao, Quận 1",
	"Phường Nguyễn Cư Trinh, Quận 1", "Phường Phạm Ngũ Lão, Quận 1", "Phường Tân Định, Quận 1",
	"Phường Thảo Điền, Quận 2", "Phường Bình Trưng Đông, Quận 2", "Phường Cát Lái, Quận 2",
	"Phường Thạnh Mỹ Lợi, Quận 2", "Phường Thủ Thiêm, Quận 2", "Phường Võ Thị Sáu, Quận 3",
	"Phường 12, Quận 4", "Phường 14, Quận 5", "Phường 11, Quận 6", "Phường Tân Phong, Quận 7",
	"Phường Tân Thuận Đông, Quận 7", "Phường 5, Quận 8", "Phường Phước Long B, Quận 9",
	"Phường 15, Quận 10", "Phường 16, Quận 11", "Phường Thạnh Xuân, Quận 12",
	"Phường 25, Quận Bình Thạnh", "Phường 17, Quận Gò Vấp", "Phường 9, Quận Phú Nhuận",
	"Phường 4, Quận Tân Bình", "Phường Hiệp Tân, Quận Tân Phú", "Phường Bình Trị Đông, Quận Bình Tân",
	"Phường Hiệp Bình Chánh, Quận Thủ Đức", "Phường Linh Đông, Quận Thủ Đức",
	"Xã Vĩnh Lộc A, Huyện Bình Chánh", "Xã Lý Nhơn, Huyện Cần Giờ", "Thị trấn Củ Chi, Huyện Củ Chi",
	"Xã Xuân Thới Sơn, Huyện Hóc Môn", "Xã Nhơn Đức, Huyện Nhà Bè", "Thành phố Thủ Đức",
	"Hà Nội", "Hải Phòng", "Đà Nẵng", "Cần Thơ", "Thừa Thiên Huế", "Quảng Nam", "Quảng Ngãi",
	"Bình Định", "Phú Yên", "Khánh Hòa", "Ninh Thuận", "Bình Thuận", "Đồng Nai", "Bình Dương",
	"Bà Rịa - Vũng Tàu", "Tây Ninh", "Long An", "Tiền Giang", "Bến Tre", "Trà Vinh", "Vĩnh Long",
	"Đồng Tháp", "An Giang", "Kiên Giang", "Hậu Giang", "Sóc Trăng", "Bạc Liêu", "Cà Mau",
	"Lâm Đồng", "Đắk Lắk", "Đắk Nông", "Gia Lai", "Kon Tum", "Nghệ An", "Hà Tĩnh", "Quảng Bình",
	"Quảng Trị", "Thanh Hóa", "Ninh Bình", "Nam Định", "Thái Bình", "Hưng Yên", "Hải Dương",
	"Bắc Ninh", "Bắc Giang", "Lạng Sơn", "Cao Bằng", "Hà Giang", "Tuyên Quang", "Lào Cai",
	"Yên Bái", "Điện Biên", "Lai Châu", "Sơn La", "Hòa Bình", "Phú Thọ", "Vĩnh Phúc",
	"Thái Nguyên", "Bắc Kạn", "Quảng Ninh", "Hà Nam", "Bệnh viện Từ Dũ", "Bệnh viện Hùng Vương",
	"Bệnh viện Nhân dân Gia Định", "Bệnh viện Chợ Rẫy", "Nhà hộ sinh Quận 3",
	"Số 12 đường Lê Lợi", "Hẻm 45 đường Nguyễn Trãi", "Ấp Mỹ Hòa 4, xã Xuân Thới Đông",
	"Khu phố 3, tổ 27", "Chung cư Ngô Gia Tự, lô B", "Đường Trường Chinh", "Đường Phạm Văn Đồng",
}

var vocabulary = strings.Fields(`Ủy ban nhân dân phường xã thị trấn quận huyện tỉnh thành phố Việt Nam
	Kinh Hoa Khmer Chăm Tày Nùng Mường khai sinh kết hôn khai tử nhận cha mẹ con giấy chứng
	sinh bệnh viện người đi khai quan hệ ông bà cháu chồng vợ anh chị em nguyên nhân chết
	bệnh tai nạn giao thông tuổi già nhồi máu cơ tim ung thư phổi đột quỵ xơ gan viêm suy
	ghi chú cải chính thay đổi bổ sung hộ tịch quốc dân tộc nơi cư trú quê quán giới tính
	Nam Nữ ngày tháng năm giờ phút số định danh cá nhân chứng minh căn cước công hộ chiếu
	đường hẻm ấp khu phố tổ lô chung cư quyển sổ đăng ký lại yếu tố nước ngoài trích lục
	bản sao cấp từ sổ gốc chủ tịch phó người ký cán bộ tư pháp xác nhận của và những được
	không có đã theo quy định luật tại điều khoản nghị thông báo hồ sơ hợp lệ giải quyết
	khuyết tật khuya khuỷu khuấy ngoằn ngoèo nguệch ngoạc quềnh quàng huơ thuở giường giếng
	nghiêng nghĩa nghỉ ghế gỗ gạo gửi quý quỳ quyển quyết rượu bướu hươu người mười mươi
	oách toẹt xoong boong hoặc xoắn loằng ngoặt hoẵng khoèo ngoéo uống ước ưỡn ướt yếu yểu`)

// person returns a random full name.
func person(rng *rand.Rand) string {
	parts := []string{surnames[rng.IntN(len(surnames))]}
	for n := rng.IntN(3); n > 0; n-- {
		parts = append(parts, middles[rng.IntN(len(middles))])
	}
	parts = append(parts, givens[rng.IntN(len(givens))])
	return strings.Join(parts, " ")
}

// dateText returns a random date in one of the batch forms.
func dateText(rng *rand.Rand) string {
	y, m, d := 1930+rng.IntN(95), 1+rng.IntN(12), 1+rng.IntN(28)
	switch rng.IntN(6) {
	case 0:
		return fmt.Sprintf("%d", y)
	case 1:
		return fmt.Sprintf("ngày %d tháng %d năm %d", d, m, y)
	case 2:
		return fmt.Sprintf("%d-%02d-%02d", y, m, d)
	}
	return fmt.Sprintf("%02d/%02d/%d", d, m, y)
}

// csvRows returns a header and n realistic rows of a birth batch.
func csvRows(rng *rand.Rand, n int) string {
	var b strings.Builder
	b.WriteString("loai_so,ma_noi_dang_ky,noi_dang_ky,quyen_so,so,ngay_dang_ky,ho_ten,ngay_sinh,gioi_tinh,dan_toc,noi_sinh,me_ho_ten,cha_ho_ten,ghi_chu\r\n")
	for i := 0; i < n; i++ {
		place := places[rng.IntN(len(places))]
		sex := []string{"Nam", "Nữ"}[rng.IntN(2)]
		note := ""
		if rng.IntN(4) == 0 {
			note = strings.Join(pick(rng, vocabulary, 3+rng.IntN(6)), " ")
		}
		fmt.Fprintf(&b, "KS,%05d,\"UBND %s\",%02d/%d,%d,%s,%s,%s,%s,Kinh,\"%s\",%s,%s,%s\r\n",
			26734+rng.IntN(400), place, 1+rng.IntN(9), 1990+rng.IntN(30), 1+rng.IntN(900),
			dateText(rng), person(rng), dateText(rng), sex, places[rng.IntN(len(places))],
			person(rng), person(rng), note)
	}
	return b.String()
}

// digitRows returns n rows that are mostly digits, with a name in only a
// few of them.
func digitRows(rng *rand.Rand, n int) string {
	var b strings.Builder
	b.WriteString("so,so_dinh_danh,ngay_sinh,ma,ho_ten\n")
	named := 2 + rng.IntN(3)
	for i := 0; i < n; i++ {
		name := ""
		if i%(n/named) == 0 {
			name = person(rng)
		}
		fmt.Fprintf(&b, "%d,079%09d,%02d/%02d/%d,%05d,%s\n", i+1, rng.IntN(1e9), 1+rng.IntN(28), 1+rng.IntN(12), 1940+rng.IntN(80), rng.IntN(99999), name)
	}
	return b.String()
}

func pick(rng *rand.Rand, list []string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = list[rng.IntN(len(list))]
	}
	return out
}

// letterProbes returns, for every one of the 134 letters, the letter alone
// and at the start, in the middle and at the end of a word, in lower case
// and in the case given.
func letterProbes() []string {
	var out []string
	for _, r := range vntext.AllLetters() {
		l := string(r)
		out = append(out, l, l+"n", "b"+l+"n", "th"+l, "X"+l+"Y", l+l)
	}
	return out
}

// allText returns every word, name, place and probe of the corpus, one
// line each.
func allText() []string {
	var out []string
	out = append(out, surnames...)
	out = append(out, middles...)
	out = append(out, givens...)
	out = append(out, places...)
	out = append(out, vocabulary...)
	out = append(out, rare...)
	out = append(out, letterProbes()...)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 500; i++ {
		out = append(out, person(rng))
	}
	return out
}

// syllables returns every well-formed syllable that the spelling allows,
// built from onsets, vowel groups, codas and tones and kept when
// ParseSyllable accepts it: some fifteen thousand words, most of them real.
func syllables() []string {
	onsets := strings.Fields("_ b c ch d đ g gh gi h k kh l m n ng ngh nh p ph qu r s t th tr v x")
	vowels := strings.Fields(`a ai ao au ay ă â âu ây e eo ê êu i ia iê iêu iu o oa oai oay oă oe oeo oi oo
		ô ôi ơ ơi u ua uâ uây uê ui uô uôi uơ uy uya uyê uyu ư ưa ưi ưu ươ ươi ươu y yê yêu`)
	codas := strings.Fields("_ c ch m n ng nh p t")
	marks := []string{"", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323"}
	var out []string
	for _, o := range onsets {
		for _, v := range vowels {
			for _, c := range codas {
				for _, m := range marks {
					w := strings.TrimPrefix(o, "_") + v + strings.TrimPrefix(c, "_")
					// put the mark after the first vowel; ParseSyllable
					// does not mind where it is
					w = norm.NFC.String(strings.Replace(w, v, firstWithMark(v, m), 1))
					if _, ok := vntext.ParseSyllable(w); ok {
						out = append(out, w)
					}
				}
			}
		}
	}
	return out
}

func firstWithMark(v, mark string) string {
	r := []rune(v)
	return string(r[:1]) + mark + string(r[1:])
}
