package extract

import (
	"bytes"
	"embed"
	"fmt"
	"unicode"
)

// The fast path of the renderer: most copies print only ASCII and the
// Vietnamese alphabet, which fit one byte per character. For those the
// renderer embeds Liberation Serif reduced in advance to exactly these
// characters (font/HotichSerifVN-*.ttf, see font/README.md) as simple
// TrueType fonts with a fixed encoding, through the PDF library's
// font-definition API: nothing is parsed, subset or compressed per
// document. A copy printing any other character (a foreign name with
// "ü", a rare sign) is laid out again in the full fonts, embedded per
// document as Unicode (CID) fonts: the same layout, slower.

// vnEncoding is the fixed one-byte encoding of the fast fonts: code to
// character, 0 for a code not used. Printable ASCII keeps its codes, but
// for twelve signs that registers hardly ever hold, whose codes carry
// Vietnamese letters instead; codes 0x7F to 0xFF carry the rest.
var vnEncoding = buildVNEncoding()

// vnCode is vnEncoding inverted: character to code.
var vnCode = func() map[rune]byte {
	m := make(map[rune]byte, 256)
	for c, r := range vnEncoding {
		if r != 0 {
			m[r] = byte(c)
		}
	}
	return m
}()

// vnReassigned are the ASCII signs whose codes carry Vietnamese letters:
// a copy printing one of them takes the full fonts.
const vnReassigned = "$<>@\\^_`{|}~"

// vnLetters are the lower-case letters of the Vietnamese alphabet beyond
// ASCII; their capitals are added.
const vnLetters = "àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ"

// vnPunctuation is the typographic punctuation copies print.
const vnPunctuation = "“”‘’–—…"

func buildVNEncoding() (enc [256]rune) {
	var extra []rune
	for _, r := range vnLetters {
		extra = append(extra, r, unicode.ToUpper(r))
	}
	extra = append(extra, []rune(vnPunctuation)...)
	var free []int
	for c := 0x20; c <= 0x7E; c++ {
		if bytes.IndexByte([]byte(vnReassigned), byte(c)) >= 0 {
			free = append(free, c)
		} else {
			enc[c] = rune(c)
		}
	}
	for c := 0x7F; c <= 0xFF; c++ {
		free = append(free, c)
	}
	if len(extra) > len(free) {
		panic(fmt.Sprintf("extract: %d characters for %d free codes", len(extra), len(free)))
	}
	for i, r := range extra {
		enc[free[i]] = r
	}
	return enc
}

// vnMap writes the encoding in the PDF library's map format ("!E0 U+1EA1
// uni1EA1"), from which its MakeFont builds the fonts' definitions.
func vnMap() []byte {
	var b bytes.Buffer
	for c, r := range vnEncoding {
		switch {
		case r == 0:
			fmt.Fprintf(&b, "!%02X U+%04X .notdef\n", c, c)
		case r < 0x7F:
			fmt.Fprintf(&b, "!%02X U+%04X %s\n", c, r, asciiGlyph(r))
		default:
			fmt.Fprintf(&b, "!%02X U+%04X uni%04X\n", c, r, r)
		}
	}
	return b.Bytes()
}

// asciiGlyph is the standard glyph name of a printable ASCII character,
// as WinAnsiEncoding (the fonts' base encoding) names it.
func asciiGlyph(r rune) string {
	switch {
	case r >= 'A' && r <= 'Z', r >= 'a' && r <= 'z':
		return string(r)
	case r >= '0' && r <= '9':
		return [...]string{"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"}[r-'0']
	}
	return map[rune]string{
		' ': "space", '!': "exclam", '"': "quotedbl", '#': "numbersign", '$': "dollar", '%': "percent",
		'&': "ampersand", '\'': "quotesingle", '(': "parenleft", ')': "parenright", '*': "asterisk",
		'+': "plus", ',': "comma", '-': "hyphen", '.': "period", '/': "slash", ':': "colon",
		';': "semicolon", '<': "less", '=': "equal", '>': "greater", '?': "question", '@': "at",
		'[': "bracketleft", '\\': "backslash", ']': "bracketright", '^': "asciicircum",
		'_': "underscore", '`': "grave", '{': "braceleft", '|': "bar", '}': "braceright", '~': "asciitilde",
	}[r]
}

// vnEncode encodes text for the fast fonts; ok is false when a character
// is outside their encoding.
func vnEncode(s string) (string, bool) {
	ascii := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 0x80 || vnEncoding[c] != rune(c) {
			ascii = false
			break
		}
	}
	if ascii {
		return s, true
	}
	out := make([]byte, 0, len(s))
	for _, r := range s {
		c, ok := vnCode[r]
		if !ok {
			return "", false
		}
		out = append(out, c)
	}
	return string(out), true
}

//go:embed font/HotichSerifVN-Regular.json font/HotichSerifVN-Regular.z font/HotichSerifVN-Bold.json font/HotichSerifVN-Bold.z font/HotichSerifVN-Italic.json font/HotichSerifVN-Italic.z
var vnFontFS embed.FS

// vnStyles are the fast fonts' files by style.
var vnStyles = []struct{ style, file string }{
	{"", "font/HotichSerifVN-Regular"},
	{"B", "font/HotichSerifVN-Bold"},
	{"I", "font/HotichSerifVN-Italic"},
}
