package extract

import (
	"fmt"
	"strings"

	"github.com/hotich/hotich/registry"
	"github.com/hotich/hotich/registry/vntext"
)

// The bodies of the four forms, in the order of the fields on the forms of
// Thông tư 04/2020/TT-BTP as issued (see shared/spec/extract-forms.md).
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
	p.field("Họ, chữ đệm, tên:", f["ho_ten"], name)
	bd := r.Date("ngay_sinh")
	if bd.IsZero() {
		p.field("Ngày, tháng, năm sinh:", "", plain)
	} else {
		p.flow(marginL, right, span{"Ngày, tháng, năm sinh: ", ""}, span{bd.Numeric(), "B"},
			span{" – ghi bằng chữ: ", ""}, span{p.words.Date(bd), ""})
	}
	p.inline(marginL, right, col{"Giới tính:", f["gioi_tinh"], share1, plain}, col{"Dân tộc:", f["dan_toc"], share2, plain}, col{"Quốc tịch:", f["quoc_tich"], share3, plain})
	p.field("Nơi sinh:", f["noi_sinh"], plain)
	p.field("Quê quán:", f["que_quan"], plain)
	p.field("Số định danh cá nhân:", f["so_dinh_danh"], plain)
	for _, parent := range []struct{ who, prefix string }{{"mẹ", "me_"}, {"cha", "cha_"}} {
		p.gap(0.25)
		p.field("Họ, chữ đệm, tên người "+parent.who+":", f[parent.prefix+"ho_ten"], name)
		// The form asks for the year; a register that kept the whole date
		// is copied as it is, under the label that fits it.
		born := numeric(f[parent.prefix+"ngay_sinh"])
		label := "Năm sinh:"
		if len(born) > 4 {
			label = "Ngày, tháng, năm sinh:"
		}
		p.inline(marginL, right,
			col{label, born, share1, plain},
			col{"Dân tộc:", f[parent.prefix+"dan_toc"], share2, plain},
			col{"Quốc tịch:", f[parent.prefix+"quoc_tich"], share3, plain})
		p.field("Nơi cư trú:", f[parent.prefix+"noi_cu_tru"], plain)
	}
	if c.Form == registry.FormBirthCertificate {
		p.gap(0.25)
		p.field("Họ, chữ đệm, tên người đi khai sinh:", f["nguoi_di_khai"], name)
		p.field("Giấy tờ tùy thân:", "", plain)
	}
	p.gap(0.25)
	p.field("Nơi đăng ký khai sinh:", r.AuthorityName, plain)
	p.field("Ngày, tháng, năm đăng ký:", r.RegisteredOn.Numeric(), plain)
	p.inline(marginL, right, col{"Số:", r.Number, 0.4, plain}, col{"Quyển số:", r.Book, 0.6, plain})
	if c.Form == registry.FormBirthCertificate {
		p.line("B", "NGƯỜI KÝ GIẤY KHAI SINH")
		p.y -= p.lh
		p.flow(marginL+p.textWidth("B", "NGƯỜI KÝ GIẤY KHAI SINH "), right, span{"(Đã ký)", "I"})
		p.field("Họ, chữ đệm, tên người ký:", extraValue(r, "nguoiky", "nguoikygiaykhaisinh"), name)
	}
	p.notes(c)
}

// marriage draws a Trích lục kết hôn copy: the wife's and the husband's
// columns side by side, then the registration.
func (p *page) marriage(c *Copy) {
	r, f := c.Record, c.Record.Fields
	person := func(who, prefix string) []func(x0, x1 float64) {
		return []func(x0, x1 float64){
			func(x0, x1 float64) { p.fieldIn(x0, x1, "Họ, chữ đệm, tên "+who+":", f[prefix+"ho_ten"], name) },
			func(x0, x1 float64) {
				p.fieldIn(x0, x1, "Ngày, tháng, năm sinh:", numeric(f[prefix+"ngay_sinh"]), plain)
			},
			func(x0, x1 float64) { p.fieldIn(x0, x1, "Dân tộc:", f[prefix+"dan_toc"], plain) },
			func(x0, x1 float64) { p.fieldIn(x0, x1, "Quốc tịch:", f[prefix+"quoc_tich"], plain) },
			func(x0, x1 float64) { p.fieldIn(x0, x1, "Nơi cư trú:", f[prefix+"noi_cu_tru"], plain) },
			func(x0, x1 float64) { p.fieldIn(x0, x1, "Giấy tờ tùy thân:", f[prefix+"giay_to"], plain) },
		}
	}
	wife, husband := person("vợ", "vo_"), person("chồng", "chong_")
	rows := make([][2]func(x0, x1 float64), len(wife))
	for i := range wife {
		rows[i] = [2]func(x0, x1 float64){wife[i], husband[i]}
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
	p.field("Họ, chữ đệm, tên:", f["ho_ten"], name)
	p.field("Ngày, tháng, năm sinh:", numeric(f["ngay_sinh"]), plain)
	p.inline(marginL, right, col{"Giới tính:", f["gioi_tinh"], share1, plain}, col{"Dân tộc:", f["dan_toc"], share2, plain}, col{"Quốc tịch:", f["quoc_tich"], share3, plain})
	p.field("Số định danh cá nhân:", f["so_dinh_danh"], plain)
	p.field("Giấy tờ tùy thân:", f["giay_to"], plain)
	p.gap(0.25)
	p.field("Đã chết vào lúc:", deathTime(r.Date("ngay_chet")), plain)
	p.field("Nơi chết:", f["noi_chet"], plain)
	p.field("Nguyên nhân chết:", f["nguyen_nhan"], plain)
	p.field("Giấy báo tử (số, ngày, cơ quan cấp):", f["giay_bao_tu"], plain)
	p.field("Nơi cư trú cuối cùng:", f["noi_cu_tru"], plain)
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
	rel := f["quan_he"]
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
		p.field("Họ, chữ đệm, tên:", f[prefix+"ho_ten"], name)
		p.field("Ngày, tháng, năm sinh:", numeric(f[prefix+"ngay_sinh"]), plain)
		p.inline(marginL, right, col{"Dân tộc:", f[prefix+"dan_toc"], 0.4, plain}, col{"Quốc tịch:", f[prefix+"quoc_tich"], 0.6, plain})
		p.field(docLabel, f[prefix+"giay_to"], plain)
		p.field("Nơi cư trú:", f[prefix+"noi_cu_tru"], plain)
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
			p.flow(marginL+4, right, span{"- " + s, ""})
		}
	}
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

func (p *page) textWidth(style, s string) float64 {
	p.font(style, p.size)
	return p.pdf.GetStringWidth(nfc(s))
}
