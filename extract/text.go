package extract

import (
	"strings"

	"golang.org/x/text/cases"
	"golang.org/x/text/language"
	"golang.org/x/text/unicode/norm"

	"github.com/hotich/hotich/registry"
	"github.com/hotich/hotich/registry/vntext"
)

// nfc returns s in Unicode NFC. gofpdf must only ever see composed text:
// its width table gives combining marks a placeholder width of 65535 that
// Write adds, so one decomposed mark breaks the line.
func nfc(s string) string { return norm.NFC.String(s) }

// upper upper-cases text the Vietnamese way ("Nguyễn Thị Ánh" gives
// "NGUYỄN THỊ ÁNH"), composed. A Caser keeps state, so each call makes its
// own: renderers run concurrently.
func upper(s string) string {
	return nfc(cases.Upper(language.Vietnamese).String(nfc(s)))
}

// numeric formats a stored ISO date as documents print it: "01/03/2010",
// "03/1950", "1950"; "" when unknown. A value that is not an ISO date is
// printed as stored.
func numeric(iso string) string {
	if iso == "" {
		return ""
	}
	d, err := vntext.ParseISODate(iso)
	if err != nil {
		return iso
	}
	return d.Numeric()
}

// fieldLabel returns the label of a column for a marginal note, with a
// lower-case first letter: "họ tên mẹ".
func fieldLabel(reg registry.Register, field string) string {
	c, ok := reg.Column(field)
	if !ok || len(c.Aliases) == 0 {
		return field
	}
	l := c.Aliases[0]
	r := []rune(l)
	if len(r) > 1 && !(r[1] >= 'A' && r[1] <= 'Z') {
		return strings.ToLower(string(r[:1])) + string(r[1:])
	}
	return l
}

// displayValue formats a stored value of a column for a marginal note.
func displayValue(reg registry.Register, field, v string) string {
	if c, ok := reg.Column(field); ok && (c.Kind == registry.KindDate || c.Kind == registry.KindDateTime) {
		return numeric(v)
	}
	if field == registry.ColRegisteredOn {
		return numeric(v)
	}
	return v
}
