package extract

import (
	"fmt"
	"strings"

	"github.com/hotich/hotich/registry"
	"github.com/hotich/hotich/registry/vntext"
)

// The bodies of the four forms, in the order of the fields on the forms of
// Thông tư 04/2020/TT-BTP as issued (see docs/extract-forms.md).
// Values are printed as the register holds them: the registering authority
// as it was named then, partial dates to their precision, unknown values as
// dotted blanks.

const right = pageW - marginR

// The shares of the width of the lines with three fields, the same on every
// such line so that their columns align.
const share1, share2, share3 = 0.38, 0.25, 0.37

// birth draws a Trích lục khai sinh or a Giấy khai sinh copy.
func (p *page) birth(c *Copy) {
	r, f := c.Record, c.Record.Fields
	p.field("Họ, chữ đệm, tên:", f[registry.ColHoTen], name)
	bd := r.Date(registry.ColNgaySinh)
	if bd.IsZero() {
		p.field("Ngày, tháng, năm sinh:", "", plain)
	} else {
		p.flow(marginL, right, span{text: dateLabel(bd) + " "}, span{text: bd.Numeric(), style: "B"},
			span{text: " – ghi bằng chữ: "}, span{text: p.words.Date(bd)})
	}
	p.inline(marginL, right, col{"Giới tính:", f[registry.ColGioiTinh], share1, plain}, col{"Dân tộc:", f[registry.ColDanToc], share2, plain}, col{"Quốc tịch:", f[registry.ColQuocTich], share3, plain})
	p.field("Nơi sinh:", f[registry.ColNoiSinh], plain)
	p.field("Quê quán:", f[registry.ColQueQuan], plain)
	p.field("Số định danh cá nhân:", f[registry.ColSoDinhDanh], plain)
	for _, parent := range []struct{ who, prefix string }{{"mẹ", "me_"}, {"cha", "cha_"}} {
		p.gap(0.25)
		p.field("Họ, chữ đệm, tên người "+parent.who+":", f[parent.prefix+registry.ColHoTen], name)
		// The form asks both parents for the year of birth; a register
		// that kept more of the date is copied as it is.
		p.inline(marginL, right,
			col{"Năm sinh:", numeric(f[parent.prefix+registry.ColNgaySinh]), share1, plain},
			col{"Dân tộc:", f[parent.prefix+registry.ColDanToc], share2, plain},
			col{"Quốc tịch:", f[parent.prefix+registry.ColQuocTich], share3, plain})
		p.field("Nơi cư trú:", f[parent.prefix+registry.ColNoiCuTru], plain)
	}
	if c.Form == registry.FormBirthCertificate {
		p.gap(0.25)
		p.field("Họ, chữ đệm, tên người đi khai sinh:", f[registry.ColNguoiDiKhai], name)
		p.field("Giấy tờ tùy thân:", "", plain)
	}
	p.gap(0.25)
	p.field("Nơi đăng ký khai sinh:", r.AuthorityName, plain)
	p.field("Ngày, tháng, năm đăng ký:", r.RegisteredOn.Numeric(), plain)
	p.inline(marginL, right, col{"Số:", r.Number, 0.4, plain}, col{"Quyển số:", r.Book, 0.6, plain})
	if c.Form == registry.FormBirthCertificate {
		p.flow(marginL, right, span{text: "NGƯỜI KÝ GIẤY KHAI SINH ", style: "B"}, span{text: "(Đã ký)", style: "I"})
		p.field("Họ, chữ đệm, tên người ký:", extraValue(r, "nguoiky", "nguoikygiaykhaisinh"), name)
	}
	p.notes(c)
}

// marriage draws a Trích lục kết hôn copy: the wife's and the husband's
// columns side by side, then the registration.
func (p *page) marriage(c *Copy) {
	r, f := c.Record, c.Record.Fields
	person := func(who, prefix string) []cell {
		born := r.Date(prefix + registry.ColNgaySinh)
		return []cell{
			{"Họ, chữ đệm, tên " + who + ":", f[prefix+registry.ColHoTen], name},
			{dateLabel(born), born.Numeric(), plain},
			{"Dân tộc:", f[prefix+registry.ColDanToc], plain},
			{"Quốc tịch:", f[prefix+registry.ColQuocTich], plain},
			{"Nơi cư trú:", f[prefix+registry.ColNoiCuTru], plain},
			{"Giấy tờ tùy thân:", f[prefix+registry.ColGiayTo], plain},
		}
	}
	wife, husband := person("vợ", "vo_"), person("chồng", "chong_")
	rows := make([][2]cell, len(wife))
	for i := range wife {
		rows[i] = [2]cell{wife[i], husband[i]}
	}
	p.columns(rows)
	p.gap(0.4)
	p.field("Đăng ký kết hôn tại:", r.AuthorityName, plain)
	p.registration(r)
	p.notes(c)
}

// death draws a Trích lục khai tử copy.
func (p *page) death(c *Copy) {
	r, f := c.Record, c.Record.Fields
	p.field("Họ, chữ đệm, tên:", f[registry.ColHoTen], name)
	born := r.Date(registry.ColNgaySinh)
	p.field(dateLabel(born), born.Numeric(), plain)
	p.inline(marginL, right, col{"Giới tính:", f[registry.ColGioiTinh], share1, plain}, col{"Dân tộc:", f[registry.ColDanToc], share2, plain}, col{"Quốc tịch:", f[registry.ColQuocTich], share3, plain})
	p.field("Số định danh cá nhân:", f[registry.ColSoDinhDanh], plain)
	p.field("Giấy tờ tùy thân:", f[registry.ColGiayTo], plain)
	p.gap(0.25)
	p.field("Đã chết vào lúc:", deathTime(r.Date(registry.ColNgayChet)), plain)
	p.field("Nơi chết:", f[registry.ColNoiChet], plain)
	p.field("Nguyên nhân chết:", f[registry.ColNguyenNhan], plain)
	p.field("Giấy báo tử (số, ngày, cơ quan cấp):", deathNotice(f[registry.ColGiayBaoTu]), plain)
	p.field("Nơi cư trú cuối cùng:", f[registry.ColNoiCuTru], plain)
	p.gap(0.25)
	p.field("Đã được đăng ký khai tử tại:", r.AuthorityName, plain)
	p.registration(r)
	p.notes(c)
}

// deathTime writes the time of death as the form does: "14 giờ 30 phút,
// ngày 05/03/2001", with dotted blanks for a time not recorded.
func deathTime(d vntext.Date) string {
	if d.IsZero() {
		return ""
	}
	t := "...... giờ ...... phút"
	if d.HasTime {
		t = fmt.Sprintf("%02d giờ %02d phút", d.Hour, d.Minute)
	}
	switch d.Precision() {
	case vntext.PrecYear:
		return t + ", năm " + d.Numeric()
	case vntext.PrecMonth:
		return t + ", tháng " + d.Numeric()
	}
	return t + ", ngày " + d.Numeric()
}

// recognition draws a Trích lục đăng ký nhận cha, mẹ, con copy: the parent,
// "Và", the child.
func (p *page) recognition(c *Copy) {
	r, f := c.Record, c.Record.Fields
	rel := f[registry.ColQuanHe]
	what := "nhận cha, mẹ, con"
	if l := registry.RelationLabel(rel); l != what {
		what = l // "cha nhận con"
	}
	// The parent's block comes first: the recogniser when a parent
	// recognises a child, the recognised when a child recognises a parent.
	first, second := "nguoi_nhan_", "nguoi_duoc_nhan_"
	if strings.HasPrefix(rel, "con_nhan_") {
		first, second = second, first
	}
	p.line("B", "Xác nhận đăng ký việc "+what+" giữa:")
	block := func(prefix, docLabel string) {
		p.field("Họ, chữ đệm, tên:", f[prefix+registry.ColHoTen], name)
		born := r.Date(prefix + registry.ColNgaySinh)
		p.field(dateLabel(born), born.Numeric(), plain)
		p.inline(marginL, right, col{"Giới tính:", partySex(r, prefix), share1, plain},
			col{"Dân tộc:", f[prefix+registry.ColDanToc], share2, plain}, col{"Quốc tịch:", f[prefix+registry.ColQuocTich], share3, plain})
		p.field(docLabel, f[prefix+registry.ColGiayTo], plain)
		p.field("Nơi cư trú:", f[prefix+registry.ColNoiCuTru], plain)
	}
	block(first, "Giấy tờ tùy thân:")
	p.gap(0.15)
	p.line("B", "Và")
	p.gap(0.15)
	block(second, "Giấy khai sinh/Giấy tờ tùy thân:")
	p.gap(0.25)
	p.field("Đã đăng ký việc "+what+" tại:", r.AuthorityName, plain)
	p.registration(r)
	p.notes(c)
}

// registration writes the entry's number, book and date: "Số: 12
// Quyển số: 01/2015 Ngày đăng ký: 10/10/2015".
func (p *page) registration(r *registry.Record) {
	p.inline(marginL, right,
		col{"Số:", r.Number, 0.25, plain},
		col{"Quyển số:", r.Book, 0.35, plain},
		col{"Ngày đăng ký:", r.RegisteredOn.Numeric(), 0.40, plain})
}

// notes writes the marginal notes (Ghi chú): how the entry was registered
// when not a first registration, the register's own note, and every
// correction made since.
func (p *page) notes(c *Copy) {
	var parts []string
	r := c.Record
	if k := r.RegistrationKind(); k != registry.KindNew {
		parts = append(parts, k.Label()+".")
	}
	if n := strings.TrimSpace(r.Fields[registry.ColNotes]); n != "" {
		parts = append(parts, n)
	}
	for _, cr := range c.Corrections {
		parts = append(parts, correctionNote(r.Register, cr))
	}
	switch len(parts) {
	case 0:
		p.field("Ghi chú:", "", plain)
	case 1:
		p.field("Ghi chú:", parts[0], plain)
	default:
		p.line("", "Ghi chú:")
		for _, s := range parts {
			p.flow(marginL+4, right, span{text: "- " + s})
		}
	}
}

// dateLabel labels a date by what the register holds of it: "Năm sinh:"
// for a year, "Tháng, năm sinh:" for a month, else "Ngày, tháng, năm
// sinh:".
func dateLabel(d vntext.Date) string {
	switch {
	case d.IsZero():
	case d.Precision() == vntext.PrecYear:
		return "Năm sinh:"
	case d.Precision() == vntext.PrecMonth:
		return "Tháng, năm sinh:"
	}
	return "Ngày, tháng, năm sinh:"
}

// deathNotice drops the words "Giấy báo tử" a register repeats before the
// number: the label already says it.
func deathNotice(v string) string {
	v = strings.TrimSpace(v)
	r := []rune(v)
	const prefix = "giấy báo tử"
	if len(r) >= 11 && strings.EqualFold(nfc(string(r[:11])), prefix) {
		rest := strings.TrimLeft(string(r[11:]), " :,-–")
		if rest != "" {
			return rest
		}
	}
	return v
}

// partySex is a recognition party's sex: as the register holds it, else
// the parent's as the relation says it ("cha nhận con": the recogniser
// is the father), else unknown.
func partySex(r *registry.Record, prefix string) string {
	if v := r.Fields[prefix+registry.ColGioiTinh]; v != "" {
		return v
	}
	if v := extraValue(r, registry.HeaderKey(prefix+registry.ColGioiTinh)); v != "" {
		return v
	}
	rel := r.Fields[registry.ColQuanHe]
	parent := "nguoi_nhan_"
	if strings.HasPrefix(rel, "con_nhan_") {
		parent = "nguoi_duoc_nhan_"
	}
	if prefix != parent {
		return ""
	}
	switch {
	case strings.Contains(rel, "cha"):
		return "Nam"
	case strings.Contains(rel, "me"):
		return "Nữ"
	}
	return ""
}

// correctionNote writes a correction as a marginal note: "Ngày 02/05/2024
// cải chính họ tên mẹ từ “Lê Thị Hông” thành “Lê Thị Hồng” (căn cứ: ...)."
func correctionNote(reg registry.Register, cr registry.Correction) string {
	label := fieldLabel(reg, cr.Field)
	q := func(v string) string { return "“" + displayValue(reg, cr.Field, v) + "”" }
	var s string
	switch {
	case cr.Old == "":
		s = "bổ sung " + label + ": " + q(cr.New)
	case cr.New == "":
		s = "xóa " + label + " " + q(cr.Old)
	default:
		s = "cải chính " + label + " từ " + q(cr.Old) + " thành " + q(cr.New)
	}
	if !cr.At.IsZero() {
		s = "Ngày " + cr.At.In(registry.Vietnam).Format("02/01/2006") + " " + s
	}
	if b := strings.TrimSpace(cr.Basis); b != "" {
		s += " (căn cứ: " + b + ")"
	}
	return s + "."
}

// extraValue returns the value of an unknown column the batch carried,
// matched by its folded header.
func extraValue(r *registry.Record, keys ...string) string {
	for h, v := range r.Extra {
		for _, k := range keys {
			if registry.HeaderKey(h) == k {
				return v
			}
		}
	}
	return ""
}
