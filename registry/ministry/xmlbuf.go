package ministry

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// xmlBuf appends XML to a byte slice without reflection: the export writes
// a million entries and encoding/xml's reflective encoder would dominate.
//
// A value XML 1.0 cannot carry does not stop the export: a store may hold
// one from before the ingest took such characters out (and the event log
// keeps old values for ever). Each character XML 1.0 has no way to write is
// written as a visible stand-in, as docs/ministry-format.md says: a C0
// control character c (other than TAB, LF, CR) as its Unicode control
// picture U+2400+c ("␁" for U+0001), U+FFFE, U+FFFF and bytes that are
// not UTF-8 as U+FFFD. err is kept for failures of the buffer's caller.
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
// everywhere, so line-end normalisation cannot either. Characters XML 1.0
// cannot carry are written as their stand-ins (see xmlBuf).
func (x *xmlBuf) escape(s string, inAttr bool) {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
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
		var esc string
		switch c {
		case 0xEF:
			// U+FFFE and U+FFFF (EF BF BE, EF BF BF) are not XML characters.
			if i+2 >= len(s) || s[i+1] != 0xBF || s[i+2] < 0xBE {
				continue
			}
			x.b = append(x.b, s[start:i]...)
			x.b = append(x.b, "\uFFFD"...)
			i += 2
			start = i + 1
			continue
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
		default: // a control character: its control picture
			esc = string(rune(0x2400 + rune(c)))
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
