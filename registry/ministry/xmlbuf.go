package ministry

import (
	"fmt"
	"strconv"
	"unicode/utf8"
)

// xmlBuf appends XML to a byte slice without reflection: the export writes
// a million entries and encoding/xml's reflective encoder would dominate.
// The first value XML 1.0 cannot carry (a control character, invalid UTF-8)
// is kept in err; nothing is silently replaced, since the values are a
// register's.
type xmlBuf struct {
	b     []byte
	err   error
	where string // the field being written, for the error
}

// start appends "<name".
func (x *xmlBuf) start(name string) {
	x.b = append(x.b, '<')
	x.b = append(x.b, name...)
}

// attr appends ` name="value"`.
func (x *xmlBuf) attr(name, value string) {
	x.b = append(x.b, ' ')
	x.b = append(x.b, name...)
	x.b = append(x.b, '=', '"')
	x.escape(value, true)
	x.b = append(x.b, '"')
}

func (x *xmlBuf) attrInt(name string, v int64) {
	x.b = append(x.b, ' ')
	x.b = append(x.b, name...)
	x.b = append(x.b, '=', '"')
	x.b = strconv.AppendInt(x.b, v, 10)
	x.b = append(x.b, '"')
}

// open appends "<name>".
func (x *xmlBuf) open(name string) {
	x.start(name)
	x.b = append(x.b, '>')
}

// gt ends a start tag opened with start.
func (x *xmlBuf) gt() { x.b = append(x.b, '>') }

// empty ends a start tag as an empty element.
func (x *xmlBuf) empty() { x.b = append(x.b, '/', '>') }

// end appends "</name>".
func (x *xmlBuf) end(name string) {
	x.b = append(x.b, '<', '/')
	x.b = append(x.b, name...)
	x.b = append(x.b, '>')
}

// text appends character data.
func (x *xmlBuf) text(s string) { x.escape(s, false) }

// leaf appends "<name>text</name>".
func (x *xmlBuf) leaf(name, text string) {
	x.open(name)
	x.escape(text, false)
	x.end(name)
}

// escape appends s with the characters markup needs escaped. In attribute
// values white space other than the space is escaped too, so a parser's
// attribute-value normalisation cannot change it; a CR is escaped
// everywhere, so line-end normalisation cannot either.
func (x *xmlBuf) escape(s string, inAttr bool) {
	if !utf8.ValidString(s) {
		x.fail(utf8.RuneError)
		return
	}
	table := &textEscapes
	if inAttr {
		table = &attrEscapes
	}
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if table[c] == 0 {
			continue
		}
		if c == 0xEF {
			// U+FFFE and U+FFFF (EF BF BE, EF BF BF) are not XML characters.
			if i+2 < len(s) && s[i+1] == 0xBF && s[i+2] >= 0xBE {
				x.fail(rune(0xFFFE + rune(s[i+2]-0xBE)))
				return
			}
			continue
		}
		var esc string
		switch c {
		case '&':
			esc = "&amp;"
		case '<':
			esc = "&lt;"
		case '>':
			esc = "&gt;"
		case '"':
			esc = "&quot;"
		case '\r':
			esc = "&#13;"
		case '\n':
			esc = "&#10;"
		case '\t':
			esc = "&#9;"
		default:
			x.fail(rune(c)) // a control character
			return
		}
		x.b = append(x.b, s[start:i]...)
		x.b = append(x.b, esc...)
		start = i + 1
	}
	x.b = append(x.b, s[start:]...)
}

// textEscapes and attrEscapes mark the bytes escape must look at: markup,
// control characters, and the lead byte of U+FFFE/U+FFFF.
var textEscapes, attrEscapes = func() (t, a [256]byte) {
	for c := 0; c < 0x20; c++ {
		t[c], a[c] = 1, 1
	}
	t['\n'], t['\t'] = 0, 0 // kept as is in text
	for _, c := range []byte{'&', '<', '>', 0xEF} {
		t[c], a[c] = 1, 1
	}
	a['"'] = 1
	return t, a
}()

// fail records the first unwritable character. The message names the
// field, never the value: values are personal data.
func (x *xmlBuf) fail(r rune) {
	if x.err == nil {
		x.err = fmt.Errorf("field %s: character U+%04X (or invalid UTF-8) cannot be written in XML 1.0", x.where, r)
	}
}
