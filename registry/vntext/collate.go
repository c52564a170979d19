package vntext

import (
	"bytes"
	"slices"
	"strings"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"
)

// Collator sorts text in Vietnamese alphabetical order (a ă â b c d đ e ê
// ... and, within a letter, the tones ngang, huyền, hỏi, ngã, sắc, nặng),
// with x/text/collate's Vietnamese tailoring. Tone placement is made
// canonical first, so "Hoà" and "Hòa" sort together; ties fall back to the
// strings' bytes, so every order is deterministic. A Collator is not safe
// for concurrent use; make one per goroutine.
type Collator struct {
	c   *collate.Collator
	buf collate.Buffer
}

// NewCollator returns a Vietnamese Collator.
func NewCollator() *Collator {
	return &Collator{c: collate.New(language.Vietnamese)}
}

// sortForm is what a string is collated as.
func sortForm(s string) string { return Retone(Clean(s), ToneNew) }

// Key returns the sort key of s: comparing keys with bytes.Compare orders
// strings as Compare does, ties aside. The key is the caller's to keep.
func (c *Collator) Key(s string) []byte {
	c.buf.Reset()
	return bytes.Clone(c.c.KeyFromString(&c.buf, sortForm(s)))
}

// Compare returns -1, 0 or +1 as a sorts before, with or after b.
func (c *Collator) Compare(a, b string) int {
	if r := c.c.CompareString(sortForm(a), sortForm(b)); r != 0 {
		return r
	}
	return strings.Compare(a, b)
}

// Sort sorts list in Vietnamese alphabetical order of the whole strings.
func (c *Collator) Sort(list []string) {
	type item struct {
		key []byte
		s   string
	}
	items := make([]item, len(list))
	for i, s := range list {
		items[i] = item{c.Key(s), s}
	}
	slices.SortFunc(items, func(a, b item) int {
		if r := bytes.Compare(a.key, b.key); r != 0 {
			return r
		}
		return strings.Compare(a.s, b.s)
	})
	for i := range items {
		list[i] = items[i].s
	}
}

// nameKeys are the sort keys of a name's parts, in the order a
// conventional list compares them.
type nameKeys struct {
	given, surname, middle, full []byte
	s                            string
}

func (c *Collator) nameKeys(s string) nameKeys {
	n := SplitName(s)
	return nameKeys{c.Key(n.Given), c.Key(n.Surname), c.Key(n.Middle), c.Key(s), s}
}

func compareNameKeys(a, b nameKeys) int {
	for _, p := range [...][2][]byte{{a.given, b.given}, {a.surname, b.surname}, {a.middle, b.middle}, {a.full, b.full}} {
		if r := bytes.Compare(p[0], p[1]); r != 0 {
			return r
		}
	}
	return strings.Compare(a.s, b.s)
}

// CompareNames compares two full names as Vietnamese name lists (class
// lists, registers' indexes) order them: by given name (tên), then surname
// (họ), then middle name (chữ đệm).
func (c *Collator) CompareNames(a, b string) int {
	return compareNameKeys(c.nameKeys(a), c.nameKeys(b))
}

// SortNames sorts full names by given name, then surname, then middle
// name, as Vietnamese name lists are ordered: "Trần Văn An" before "Lê
// Thị Bình" before "Nguyễn Bình".
func (c *Collator) SortNames(names []string) {
	keys := make([]nameKeys, len(names))
	for i, s := range names {
		keys[i] = c.nameKeys(s)
	}
	slices.SortFunc(keys, compareNameKeys)
	for i := range keys {
		names[i] = keys[i].s
	}
}

// Sort sorts list in Vietnamese alphabetical order (see Collator).
func Sort(list []string) { NewCollator().Sort(list) }

// SortNames sorts full names by given name, then surname, then middle
// name (see Collator.SortNames).
func SortNames(names []string) { NewCollator().SortNames(names) }
