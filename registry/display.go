package registry

import (
	"fmt"

	"github.com/hotich/hotich/registry/vntext"
)

// DisplayValue returns a stored value of a column as a person reads it:
// dates as documents write them ("09/06/2025", "06/2025", "2025", with a
// time "14:30 09/06/2025"), coded values as their words ("Đăng ký lại",
// "Cha nhận con"), anything else as stored. A value that does not read as
// its kind is shown as stored.
func DisplayValue(col Column, stored string) string {
	switch col.Kind {
	case KindDate, KindDateTime:
		d, err := vntext.ParseISODate(stored)
		if err != nil || d.IsZero() {
			return stored
		}
		return DisplayDate(d)
	case KindRegKind:
		if _, err := ParseRegistrationKind(stored); err == nil {
			return RegistrationKind(stored).Label()
		}
	case KindRelation:
		if _, ok := ParseRelation(stored); ok {
			return RelationLabel(stored)
		}
	case KindRegisterCode:
		if r := Register(stored); r.Valid() {
			return "Sổ " + r.Name()
		}
	}
	return stored
}

// DisplayDate formats a date as documents write it, with its time of day
// when it has one: "09/06/2025", "06/2025", "2025", "14:30 09/06/2025".
func DisplayDate(d Date) string {
	if d.HasTime {
		return fmt.Sprintf("%02d:%02d %s", d.Hour, d.Minute, d.Numeric())
	}
	return d.Numeric()
}
