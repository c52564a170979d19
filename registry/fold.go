package registry

import "sort"

// FoldResult says what folding a second scan of an entry into its record
// changes. The record's first stored values are never overwritten: a value
// the record lacked is filled in, a value that disagrees becomes a conflict.
type FoldResult struct {
	Filled    map[string]string    // fields the record lacked, now known
	Conflicts map[string][2]string // field -> {stored value, incoming value}
}

// Changed reports whether the fold changes the record.
func (f FoldResult) Changed() bool { return len(f.Filled) > 0 || len(f.Conflicts) > 0 }

// ConflictFields returns the conflicting fields in sorted order.
func (f FoldResult) ConflictFields() []string {
	fs := make([]string, 0, len(f.Conflicts))
	for k := range f.Conflicts {
		fs = append(fs, k)
	}
	sort.Strings(fs)
	return fs
}

// Apply sets the filled fields on r, the stored record the fold was
// computed against.
func (f FoldResult) Apply(r *Record) error {
	for k, v := range f.Filled {
		if err := r.SetField(k, v); err != nil {
			return err
		}
	}
	return nil
}

// Fold compares an incoming scan of an entry with the stored record of the
// same identity. Values are compared exactly as stored for display: a copy
// must reproduce the register, so even a different tone placement ("Hoà" and
// "Hòa") is a disagreement a person must settle. The identity columns agree
// by construction; the authority name and registration date are compared like
// any field.
func Fold(stored, incoming *Record) FoldResult {
	var res FoldResult
	cmp := func(field, old, new string) {
		switch {
		case new == "" || old == new:
		case old == "":
			if res.Filled == nil {
				res.Filled = map[string]string{}
			}
			res.Filled[field] = new
		default:
			if res.Conflicts == nil {
				res.Conflicts = map[string][2]string{}
			}
			res.Conflicts[field] = [2]string{old, new}
		}
	}
	cmp(ColAuthorityName, stored.AuthorityName, incoming.AuthorityName)
	cmp(ColRegisteredOn, stored.RegisteredOn.ISO(), incoming.RegisteredOn.ISO())
	for k, v := range incoming.Fields {
		cmp(k, stored.Fields[k], v)
	}
	for k, v := range incoming.Extra {
		cmp(ExtraField(k), stored.Extra[k], v)
	}
	return res
}
