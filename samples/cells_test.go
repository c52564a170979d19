package samples_test

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hotich/hotich/registry"
	"github.com/hotich/hotich/registry/vntext"
)

// TestCellsMatchTruth reads every cell back, decodes and normalises it the
// way the batch format says, and compares it with the stored value the truth
// expects: an independent check of the truth against the bytes written, and,
// once the real vntext is in, of every encoding's round trip. Rejected rows
// are checked for the defect they are rejected for.
func TestCellsMatchTruth(t *testing.T) {
	c := generated(t)
	checkCells(t, c)
}

func checkCells(t *testing.T, c *corpus) {
	real := realText()
	if !real {
		t.Log("provisional vntext: dates in words, mojibake repair and legacy encodings are not checked")
	}
	byFile := rowsByFile(c)
	for _, name := range c.files {
		info := c.summary.ByFile[name]
		reg, err := registry.ParseRegister(info.Register)
		if err != nil {
			t.Fatal(err)
		}
		legacy := vnEncodings[info.Encoding] != 0 && info.Encoding != "utf16le" && info.Encoding != "utf16be"
		if legacy && !real {
			continue
		}
		b := readBatch(t, filepath.Join(c.dir, "batches"), name, info)
		truth := byFile[name]
		var cols []string
		if info.Format != "jsonl" {
			cols = columns(t, reg, b.header)
		}
		for i, row := range b.rows {
			tr := truth[i]
			if tr.Reject == string(registry.RejectMalformed) {
				continue
			}
			cells := map[string]string{} // canonical column -> raw cell
			present := map[string]bool{} // the file has the column
			extra := map[string]string{} // header -> raw cell
			if info.Format == "jsonl" {
				for k, v := range row.obj {
					if col, ok := reg.ColumnByHeader(k); ok {
						cells[col.Name], present[col.Name] = v, true
					} else {
						extra[k] = v
					}
				}
			} else {
				for j, col := range cols {
					if col == "" {
						extra[vntext.Clean(b.header[j])] = row.cells[j]
						continue
					}
					cells[col], present[col] = row.cells[j], true
				}
			}
			repaired := map[string]bool{}
			for _, col := range tr.Repaired {
				repaired[col] = true
			}
			value := func(col string) (string, bool) {
				v := cells[col]
				if repaired[col] {
					if !real {
						return "", false
					}
					v, _ = vntext.RepairMojibake(v)
				}
				return v, true
			}
			if tr.Reject != "" {
				checkReject(t, reg, tr, cells, present, real)
				continue
			}
			for _, col := range reg.Columns() {
				exp, stored := tr.Fields[col.Name]
				raw, ok := value(col.Name)
				if !ok {
					continue
				}
				clean := vntext.Clean(raw)
				if registry.IsUnknown(clean) {
					if stored {
						t.Errorf("%s: %s is %q in the file, truth stores %q", tr.Ref, col.Name, raw, exp)
					}
					continue
				}
				if !stored {
					t.Errorf("%s: %s is %q in the file, truth stores nothing", tr.Ref, col.Name, raw)
					continue
				}
				got, check := normalise(col, clean, real)
				if check && got != exp {
					t.Errorf("%s: %s %q reads as %q, truth stores %q", tr.Ref, col.Name, raw, got, exp)
				}
			}
			for k, v := range tr.Extra {
				if got := vntext.Clean(extra[k]); got != v {
					t.Errorf("%s: extra %s reads %q, truth %q", tr.Ref, k, got, v)
				}
			}
		}
	}
}

// normalise reads a cleaned cell into its stored form, as the batch format
// says; check is false when the provisional vntext cannot read it.
func normalise(col registry.Column, v string, real bool) (string, bool) {
	switch col.Kind {
	case registry.KindName:
		return vntext.TitleName(v), true
	case registry.KindDate, registry.KindDateTime:
		d, err := vntext.ParseDate(v)
		if err != nil {
			return "<" + err.Error() + ">", real
		}
		if !real {
			return "", false
		}
		if col.Kind == registry.KindDate {
			d.HasTime = false
		}
		return d.ISO(), true
	case registry.KindSex:
		if s, ok := registry.ParseSex(v); ok {
			return s, true
		}
	case registry.KindRegKind:
		if k, err := registry.ParseRegistrationKind(v); err == nil {
			return string(k), true
		}
	case registry.KindRelation:
		if rel, ok := registry.ParseRelation(v); ok {
			return rel, true
		}
	case registry.KindRegisterCode:
		if r, err := registry.ParseRegister(v); err == nil {
			return string(r), true
		}
	}
	return v, true
}

// checkReject checks that a rejected row shows the defect it is rejected
// for, and is not rejectable for an earlier reason.
func checkReject(t *testing.T, reg registry.Register, tr truthLine, cells map[string]string, present map[string]bool, real bool) {
	t.Helper()
	r, err := registry.ParseRegister(vntext.Clean(cells[registry.ColRegister]))
	if tr.Reject == string(registry.RejectWrongRegister) {
		if err == nil && r == reg {
			t.Errorf("%s: rejected wrong_register, but loai_so %q is the file's", tr.Ref, cells[registry.ColRegister])
		}
		return
	}
	if err != nil || r != reg {
		t.Errorf("%s: rejected %s, but loai_so %q is already wrong", tr.Ref, tr.Reject, cells[registry.ColRegister])
	}
	missing := ""
	for _, col := range reg.Columns() {
		if col.Required && registry.IsUnknown(vntext.Clean(cells[col.Name])) {
			missing = col.Name
			break
		}
	}
	if (tr.Reject == string(registry.RejectMissing)) != (missing != "") || (missing != "" && missing != tr.Column) {
		t.Errorf("%s: rejected %s (%s), first missing required column %q", tr.Ref, tr.Reject, tr.Column, missing)
	}
	switch tr.Reject {
	case string(registry.RejectInvalidDate):
		if _, err := vntext.ParseDate(vntext.Clean(cells[tr.Column])); err == nil {
			t.Errorf("%s: rejected invalid_date, but %s %q reads as a date", tr.Ref, tr.Column, cells[tr.Column])
		}
	case string(registry.RejectImpossibleDate):
		if !real {
			return
		}
		d, err := vntext.ParseDate(vntext.Clean(cells[tr.Column]))
		var imp interface{ Impossible() bool }
		if err != nil && !(asImpossible(err, &imp) && imp.Impossible()) {
			t.Errorf("%s: rejected impossible_date, but %s %q does not read (%v)", tr.Ref, tr.Column, cells[tr.Column], err)
		}
		_ = d
	case string(registry.RejectInvalidValue):
		v := vntext.Clean(cells[tr.Column])
		switch tr.Column {
		case "gioi_tinh":
			if _, ok := registry.ParseSex(v); ok {
				t.Errorf("%s: rejected invalid_value, but sex %q reads", tr.Ref, v)
			}
		case registry.ColAuthorityCode:
			if (len(v) == 5 || len(v) == 3) && strings.Trim(v, "0123456789") == "" {
				t.Errorf("%s: rejected invalid_value, but code %q is well-formed", tr.Ref, v)
			}
		default:
			t.Errorf("%s: invalid_value on %s", tr.Ref, tr.Column)
		}
	}
}

func asImpossible(err error, target *interface{ Impossible() bool }) bool {
	return errors.As(err, target)
}
