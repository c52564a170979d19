package registry

import (
	"errors"
	"strings"

	"github.com/hotich/hotich/registry/vntext"
)

// NormalizeValue reads a value of a column, already cleaned (vntext.Clean)
// and known (not an unknown marker), into its stored form: names title-cased
// keeping the tone placement as written, dates as ISO 8601 with their
// precision, sex as Nam/Nữ, coded values as their codes, ID numbers without
// separators.
// It returns a reject for a value that cannot stand, or a flag for an
// optional coded value that is kept as written but not recognised.
func NormalizeValue(col Column, v string) (string, *RowError, *Flag) {
	switch col.Kind {
	case KindName:
		return vntext.TitleName(v), nil, nil
	case KindDate, KindDateTime:
		d, err := vntext.ParseDate(v)
		if err != nil {
			code := RejectInvalidDate
			var imp interface{ Impossible() bool }
			if errors.As(err, &imp) && imp.Impossible() {
				code = RejectImpossibleDate
			}
			return "", RowErrorf(code, col.Name, "%s %q: %v", col.Aliases[0], v, err), nil
		}
		if col.Kind == KindDate {
			d.HasTime, d.Hour, d.Minute = false, 0, 0
		}
		return d.ISO(), nil, nil
	case KindSex:
		if s, ok := ParseSex(v); ok {
			return s, nil, nil
		}
		if col.Required {
			return "", RowErrorf(RejectInvalidValue, col.Name, "giới tính %q không hợp lệ (Nam/Nữ)", v), nil
		}
		return v, nil, &Flag{Code: FlagUnknownValue, Field: col.Name, Detail: "giới tính không rõ: " + v}
	case KindPersonalID:
		return personalID(v), nil, nil
	case KindRegKind:
		if k, err := ParseRegistrationKind(v); err == nil {
			return string(k), nil, nil
		}
		return v, nil, &Flag{Code: FlagUnknownValue, Field: col.Name, Detail: "loại đăng ký không rõ: " + v}
	case KindRelation:
		if rel, ok := ParseRelation(v); ok {
			return rel, nil, nil
		}
		return v, nil, &Flag{Code: FlagUnknownValue, Field: col.Name, Detail: "quan hệ không rõ: " + v}
	}
	return v, nil, nil
}

// personalID removes the separators people type inside ID numbers
// ("079 210 123456", "079.210.123.456"); anything else is kept as written.
func personalID(v string) string {
	var b strings.Builder
	for _, r := range v {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == ' ' || r == '.' || r == '-':
		default:
			return v
		}
	}
	return b.String()
}
