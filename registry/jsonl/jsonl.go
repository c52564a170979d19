// Package jsonl writes the operator's full dump of the store as JSON Lines,
// one register entry per line, as docs/records-jsonl.md specifies.
// The same store always gives the same bytes: keys in a fixed order, maps
// sorted, nothing that depends on when or how often the store was written.
package jsonl

import (
	"bufio"
	"encoding/json"
	"io"
	"sort"

	"github.com/hotich/hotich/registry"
)

// Line is one record as written.
type Line struct {
	ID            string            `json:"id"`
	Register      string            `json:"register"`
	AuthorityCode string            `json:"authority_code"`
	AuthorityName string            `json:"authority_name"`
	Book          string            `json:"book"`
	Number        string            `json:"number"`
	RegisteredOn  string            `json:"registered_on"`
	SourceRefs    []string          `json:"source_refs"`
	Fields        map[string]string `json:"fields"`
	Extra         map[string]string `json:"extra,omitempty"`
	Flags         []string          `json:"flags"`
	Conflicts     []Conflict        `json:"conflicts"`
	Duplicates    []Duplicate       `json:"duplicates"`
}

// Conflict is a field on which scans disagree.
type Conflict struct {
	Field      string   `json:"field"`
	Values     []string `json:"values"`
	SourceRefs []string `json:"source_refs"`
	Resolved   bool     `json:"resolved,omitempty"`
}

// Duplicate is a link to an entry that may record the same event.
type Duplicate struct {
	ID     string  `json:"id"`
	Score  float64 `json:"score"`
	Status string  `json:"status"`
}

// FromRecord converts a record to its line.
func FromRecord(r *registry.Record) Line {
	l := Line{
		ID:            r.ID,
		Register:      string(r.Register),
		AuthorityCode: r.AuthorityCode,
		AuthorityName: r.AuthorityName,
		Book:          r.Book,
		Number:        r.Number,
		RegisteredOn:  r.RegisteredOn.ISO(),
		SourceRefs:    append([]string{}, r.SourceRefs...),
		Fields:        r.Fields,
		Extra:         r.Extra,
		Flags:         []string{},
		Conflicts:     []Conflict{},
		Duplicates:    []Duplicate{},
	}
	if l.Fields == nil {
		l.Fields = map[string]string{}
	}
	seen := map[string]bool{}
	for _, f := range r.Flags {
		if !seen[string(f.Code)] {
			seen[string(f.Code)] = true
			l.Flags = append(l.Flags, string(f.Code))
		}
	}
	sort.Strings(l.Flags)
	for _, c := range r.Conflicts {
		l.Conflicts = append(l.Conflicts, Conflict{Field: c.Field, Values: c.Values, SourceRefs: c.SourceRefs, Resolved: c.Resolved})
	}
	sort.SliceStable(l.Conflicts, func(i, j int) bool { return l.Conflicts[i].Field < l.Conflicts[j].Field })
	for _, d := range r.Duplicates {
		l.Duplicates = append(l.Duplicates, Duplicate{ID: d.ID, Score: round4(d.Score), Status: string(d.Status)})
	}
	sort.SliceStable(l.Duplicates, func(i, j int) bool { return l.Duplicates[i].ID < l.Duplicates[j].ID })
	return l
}

// round4 keeps four decimals of a score, so the dump does not depend on the
// last bits of floating-point arithmetic.
func round4(f float64) float64 {
	if f < 0 {
		return -round4(-f)
	}
	return float64(int64(f*10000+0.5)) / 10000
}

// Writer writes records as JSON Lines.
type Writer struct {
	bw  *bufio.Writer
	enc *json.Encoder
}

// NewWriter returns a Writer on w. Call Flush at the end.
func NewWriter(w io.Writer) *Writer {
	bw := bufio.NewWriterSize(w, 256<<10)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	return &Writer{bw: bw, enc: enc}
}

// Write writes one record.
func (w *Writer) Write(r *registry.Record) error { return w.enc.Encode(FromRecord(r)) }

// Flush writes buffered data.
func (w *Writer) Flush() error { return w.bw.Flush() }
