package samples

import (
	"sort"
	"strconv"
	"unicode/utf8"

	"github.com/hotich/hotich/registry"
)

type kv struct{ k, v string }

// conflict is a field on which a row disagrees with the record it folds
// into: the record keeps its first value.
type conflict struct{ col, kept, value string }

// truthRow is the expected outcome of one data row.
type truthRow struct {
	ref      string
	register registry.Register
	event    string
	design   string

	exp []string // expected stored value by register column index
	has []bool   // whether the row gives the column a value

	extra       []kv     // columns the format does not know: header -> value
	repaired    []string // columns whose cell holds mojibake to repair
	reject      registry.RejectCode
	rejectCol   string
	designFlags []string
	identity    registry.Identity

	// set by the simulation of the ingest
	outcome   string
	flags     []string
	recordID  string
	conflicts []conflict
}

// The outcomes.
const (
	OutcomeAccepted = "accepted"
	OutcomeFlagged  = "flagged"
	OutcomeRejected = "rejected"
)

// identityColumn reports whether a column is part of the register identity
// (compared through Identity.Key, never as a field).
func identityColumn(name string) bool {
	switch name {
	case registry.ColRegister, registry.ColAuthorityCode, registry.ColBook, registry.ColNumber:
		return true
	}
	return false
}

type simRecord struct {
	id   string
	vals []string
	has  []bool
}

// simulate runs the ingest's folding rules over the rows of a group of
// files (a book and its rescans) in ingest order: the first row of an
// identity makes the record; a later row that disagrees on a value the
// record has is a conflict (the record keeps its value); a later row that
// only adds values fills them in. It returns the number of records.
func simulate(files []*fileOut) int {
	recs := map[string]*simRecord{}
	var order []string
	for _, fo := range files {
		cols := fo.f.reg.Columns()
		for _, ro := range fo.rows {
			tr := ro.tr
			if tr.reject != "" {
				tr.outcome = OutcomeRejected
				continue
			}
			key := tr.identity.Key()
			rec := recs[key]
			flags := append([]string(nil), tr.designFlags...)
			if rec == nil {
				rec = &simRecord{id: tr.identity.RecordID(), vals: append([]string(nil), tr.exp...), has: append([]bool(nil), tr.has...)}
				recs[key] = rec
				order = append(order, key)
			} else {
				for i, c := range cols {
					if !tr.has[i] || identityColumn(c.Name) {
						continue
					}
					switch {
					case !rec.has[i]:
						rec.vals[i], rec.has[i] = tr.exp[i], true
					case rec.vals[i] != tr.exp[i]:
						tr.conflicts = append(tr.conflicts, conflict{c.Name, rec.vals[i], tr.exp[i]})
					}
				}
				if len(tr.conflicts) > 0 {
					flags = append(flags, string(registry.FlagConflict))
				}
			}
			sort.Strings(flags)
			tr.flags = flags
			tr.recordID = rec.id
			tr.outcome = OutcomeAccepted
			if len(flags) > 0 {
				tr.outcome = OutcomeFlagged
			}
		}
	}
	return len(order)
}

// appendJSONString appends s as a JSON string.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			case c < 0x20 || c == 0x7f:
				b = append(b, '\\', 'u', '0', '0', hexDigit(c>>4), hexDigit(c&15))
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, '\\', 'u', '2', '0', '2', hexDigit(byte(r&15)))
		default:
			b = append(b, s[i:i+n]...)
		}
		i += n
	}
	return append(b, '"')
}

func hexDigit(c byte) byte { return "0123456789abcdef"[c] }

// appendTruth appends the JSON line of a row of rows.jsonl.
func (tr *truthRow) appendJSON(b []byte, withFields bool) []byte {
	b = append(b, `{"ref":`...)
	b = appendJSONString(b, tr.ref)
	b = append(b, `,"register":`...)
	b = appendJSONString(b, string(tr.register))
	b = append(b, `,"outcome":`...)
	b = appendJSONString(b, tr.outcome)
	if tr.reject != "" {
		b = append(b, `,"reject":`...)
		b = appendJSONString(b, string(tr.reject))
		if tr.rejectCol != "" {
			b = append(b, `,"column":`...)
			b = appendJSONString(b, tr.rejectCol)
		}
	}
	if len(tr.flags) > 0 {
		b = append(b, `,"flags":`...)
		b = appendStrings(b, tr.flags)
	}
	if tr.recordID != "" {
		b = append(b, `,"record_id":`...)
		b = appendJSONString(b, tr.recordID)
	}
	b = append(b, `,"event":`...)
	b = appendJSONString(b, tr.event)
	if tr.design != "" {
		b = append(b, `,"design":`...)
		b = appendJSONString(b, tr.design)
	}
	if len(tr.conflicts) > 0 {
		b = append(b, `,"conflicts":[`...)
		for i, c := range tr.conflicts {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"column":`...)
			b = appendJSONString(b, c.col)
			b = append(b, `,"kept":`...)
			b = appendJSONString(b, c.kept)
			b = append(b, `,"value":`...)
			b = appendJSONString(b, c.value)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	if len(tr.repaired) > 0 {
		b = append(b, `,"repaired":`...)
		b = appendStrings(b, tr.repaired)
	}
	if withFields && tr.exp != nil {
		b = append(b, `,"fields":{`...)
		first := true
		for i, c := range tr.register.Columns() {
			if !tr.has[i] {
				continue
			}
			if !first {
				b = append(b, ',')
			}
			first = false
			b = appendJSONString(b, c.Name)
			b = append(b, ':')
			b = appendJSONString(b, tr.exp[i])
		}
		b = append(b, '}')
		if len(tr.extra) > 0 {
			b = append(b, `,"extra":{`...)
			for i, e := range tr.extra {
				if i > 0 {
					b = append(b, ',')
				}
				b = appendJSONString(b, e.k)
				b = append(b, ':')
				b = appendJSONString(b, e.v)
			}
			b = append(b, '}')
		}
	}
	return append(b, "}\n"...)
}

func appendStrings(b []byte, ss []string) []byte {
	b = append(b, '[')
	for i, s := range ss {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, s)
	}
	return append(b, ']')
}

// pair is a line of pairs.jsonl.
type pair struct {
	kind        string // duplicate, hard_negative
	typ         string // hard negatives: twins, siblings, father_son, common_name; duplicates: how
	a, b        string // record IDs
	register    registry.Register
	event       string // duplicates: the shared event
	events      [2]string
	corruptions []string
	refs        [2]string // the rows that make a and b
}

func (p *pair) appendJSON(b []byte) []byte {
	b = append(b, `{"kind":`...)
	b = appendJSONString(b, p.kind)
	if p.kind == "hard_negative" {
		b = append(b, `,"type":`...)
		b = appendJSONString(b, p.typ)
	}
	b = append(b, `,"a":`...)
	b = appendJSONString(b, p.a)
	b = append(b, `,"b":`...)
	b = appendJSONString(b, p.b)
	b = append(b, `,"register":`...)
	b = appendJSONString(b, string(p.register))
	if p.kind == "duplicate" {
		b = append(b, `,"via":`...)
		b = appendJSONString(b, p.typ)
		b = append(b, `,"event":`...)
		b = appendJSONString(b, p.event)
		b = append(b, `,"corruptions":`...)
		if p.corruptions == nil {
			p.corruptions = []string{}
		}
		b = appendStrings(b, p.corruptions)
	} else {
		b = append(b, `,"events":`...)
		b = appendStrings(b, p.events[:])
	}
	b = append(b, `,"refs":`...)
	b = appendStrings(b, p.refs[:])
	return append(b, "}\n"...)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
