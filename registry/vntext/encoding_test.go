package vntext_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/hotich/hotich/registry/vntext"
)

func TestParseEncoding(t *testing.T) {
	tests := []struct {
		name string
		want vntext.Encoding
	}{
		{"auto", vntext.Unknown}, {"", vntext.Unknown},
		{"utf8", vntext.UTF8}, {"UTF-8", vntext.UTF8}, {"utf-8-sig", vntext.UTF8},
		{"utf16", vntext.UTF16LE}, {"UTF-16", vntext.UTF16LE}, {"utf16le", vntext.UTF16LE}, {"UTF-16BE", vntext.UTF16BE},
		{"cp1258", vntext.CP1258}, {"windows-1258", vntext.CP1258}, {"Windows 1258", vntext.CP1258},
		{"tcvn3", vntext.TCVN3}, {"TCVN", vntext.TCVN3}, {"abc", vntext.TCVN3}, {"TCVN5712-1", vntext.TCVN3}, {".VnTime", vntext.TCVN3},
		{"vni", vntext.VNI}, {"VNI-Windows", vntext.VNI}, {"vni-win", vntext.VNI},
		{"viscii", vntext.VISCII}, {"VISCII1.1", vntext.VISCII},
	}
	for _, tt := range tests {
		got, err := vntext.ParseEncoding(tt.name)
		if err != nil || got != tt.want {
			t.Errorf("ParseEncoding(%q) = %v, %v; want %v", tt.name, got, err, tt.want)
		}
		if tt.want != vntext.Unknown {
			if back, err := vntext.ParseEncoding(tt.want.String()); err != nil || back != tt.want {
				t.Errorf("ParseEncoding(%q) = %v, %v: String does not parse back", tt.want.String(), back, err)
			}
		}
	}
	for _, bad := range []string{"latin1", "utf7", "vps", "x"} {
		if _, err := vntext.ParseEncoding(bad); err == nil {
			t.Errorf("ParseEncoding(%q): no error", bad)
		}
	}
	names := []string{"unknown", "utf8", "utf16le", "utf16be", "cp1258", "tcvn3", "vni", "viscii"}
	for e, want := range names {
		if got := vntext.Encoding(e).String(); got != want {
			t.Errorf("Encoding(%d).String() = %q, want %q", e, got, want)
		}
	}
}

// decodeTests hold byte strings as each encoding stores them. The legacy
// ones are the examples of the encoding notes: "NguyÔn V¨n §øc" is TCVN3
// seen through CP1252, and so on.
var decodeTests = []struct {
	name string
	enc  vntext.Encoding
	in   string
	want string
}{
	{"UTF8/NFC", vntext.UTF8, "Nguyễn Văn Đức", "Nguyễn Văn Đức"},
	{"UTF8/BOM", vntext.UTF8, "\xEF\xBB\xBFNguyễn", "Nguyễn"},
	{"UTF8/NFD", vntext.UTF8, "Nguye\u0302\u0303n Va\u0306n Hoa\u0300", "Nguyễn Văn Hoà"},
	{"UTF8/NFDOtherOrder", vntext.UTF8, "Nguye\u0303\u0302n", norm.NFC.String("Nguye\u0303\u0302n")},
	{"UTF8/Invalid", vntext.UTF8, "a\xFFb\xE1\xBBc", "a\uFFFDb\uFFFD\uFFFDc"},
	{"UTF8/KeepsControls", vntext.UTF8, "a\x02b\u00A0c", "a\x02b\u00A0c"},
	{"UTF16LE/BOM", vntext.UTF16LE, "\xFF\xFEN\x00g\x00\xC5\x1E", "Ngễ"},
	{"UTF16BE/BOM", vntext.UTF16BE, "\xFE\xFF\x00N\x1E\xC5", "Nễ"},
	{"UTF16/BOMDecides", vntext.UTF16LE, "\xFE\xFF\x00N\x1E\xC5", "Nễ"},
	{"UTF16LE/NoBOM", vntext.UTF16LE, "N\x00\xC5\x1E", "Nễ"},
	{"UTF16LE/NFD", vntext.UTF16LE, "\xFF\xFEe\x00\x02\x03\x03\x03", "ễ"},
	{"CP1258/Notes", vntext.CP1258, "Nguy\xEA\xDEn V\xE3n \xD0\xFD\xECc, Vi\xEA\xF2t, cu\xD2a, va\xCC, Ph\xFD\xF5\xCCng",
		"Nguyễn Văn Đức, Việt, của, và, Phường"},
	{"CP1258/Precomposed", vntext.CP1258, "H\xE0 T\xFA \xC1nh", "Hà Tú Ánh"},
	{"CP1258/Caps", vntext.CP1258, "NGUY\xCA\xDEN \xD0\xDD\xECC HO\xCCA", "NGUYỄN ĐỨC HÒA"},
	{"CP1258/Punctuation", vntext.CP1258, "\x93Ho\xCCa\x94 \x96 \xFE", "“Hòa” – ₫"},
	{"CP1258/Undefined", vntext.CP1258, "a\x81b", "a\uFFFDb"},
	{"CP1258/StrayTone", vntext.CP1258, "\xEC", "\u0301"},
	{"CP1258/ToneOnConsonant", vntext.CP1258, "\xE7\xEC", "ḉ"},
	{"TCVN3/Notes", vntext.TCVN3, "Nguy\xD4n V\xA8n \xA7\xF8c, Vi\xD6t, c\xF1a, v\xB5, Ph\xAD\xEAng",
		"Nguyễn Văn Đức, Việt, của, và, Phường"},
	{"TCVN3/ShapeCapitals", vntext.TCVN3, "\xA1\xA2\xA3\xA4\xA5\xA6\xA7 \xA8\xA9\xAA\xAB\xAC\xAD\xAE", "ĂÂÊÔƠƯĐ ăâêôơưđ"},
	{"TCVN3/CapsRestored", vntext.TCVN3, "NGUY\xD4N V\xA1N \xA7\xF8C", "NGUYỄN VĂN ĐỨC"},
	{"TCVN3/CapsNeighbour", vntext.TCVN3, "H\xE5 TH\xDE L\xFD", "HỒ THỊ LÝ"},
	{"TCVN3/TitleKept", vntext.TCVN3, "TP. H\xE5 Ch\xDD Minh", "TP. Hồ Chí Minh"},
	{"TCVN3/TitleToned", vntext.TCVN3, "\xB8nh", "ánh"},
	{"TCVN3/CP1252Punctuation", vntext.TCVN3, "\x93V\xA8n\x94 \x96 \x85", "“Văn” – …"},
	{"TCVN3/CombiningMarks", vntext.TCVN3, "a\xB3 o\xB4", "á ọ"},
	{"TCVN3/Controls", vntext.TCVN3, "a\x01b\x17", "a\x01b\x17"},
	{"VNI/Notes", vntext.VNI, "Nguye\xE3n Va\xEAn \xD1\xF6\xF9c, Vie\xE4t, cu\xFBa, va\xF8, Ph\xF6\xF4\xF8ng",
		"Nguyễn Văn Đức, Việt, của, và, Phường"},
	{"VNI/Caps", vntext.VNI, "NGUYE\xC3N VA\xCAN \xD1\xD6\xD9C A\xD9NH", "NGUYỄN VĂN ĐỨC ÁNH"},
	{"VNI/SingleByteLetters", vntext.VNI, "\xED\xEC\xE6\xF3\xF2\xEE \xCD\xCC\xC6\xD3\xD2\xCE", "íìỉĩịỵ ÍÌỈĨỊỴ"},
	{"VNI/MarkAfterNothing", vntext.VNI, " \xF9", " \u0301"},
	{"VNI/MarkOnY", vntext.VNI, "y\xEF", "ỵ"},
	{"VNI/Punctuation", vntext.VNI, "\x93a\x94", "“a”"},
	{"VISCII/Notes", vntext.VISCII, "Nguy\xADn Vi\xAEt, c\xFCa", "Nguyễn Việt, của"},
	{"VISCII/ControlCapitals", vntext.VISCII, "\x02\x05\x06\x14\x19\x1E", "ẲẴẪỶỸỴ"},
	{"VISCII/NBSPSlot", vntext.VISCII, "\xA0", "Õ"},
	{"VISCII/TabsKept", vntext.VISCII, "a\tb\r\n", "a\tb\r\n"},
}

func TestDecode(t *testing.T) {
	for _, tt := range decodeTests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := vntext.Decode(tt.enc, []byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("Decode(%v, %q) = %q, want %q", tt.enc, tt.in, got, tt.want)
			}
			if !utf8.ValidString(got) || !norm.NFC.IsNormalString(got) {
				t.Errorf("Decode(%v, %q) = %q: not valid NFC UTF-8", tt.enc, tt.in, got)
			}
		})
	}
}

func TestDecodeUnknown(t *testing.T) {
	if _, err := vntext.Decode(vntext.Unknown, []byte("a")); !errors.Is(err, vntext.ErrUnknownEncoding) {
		t.Errorf("Decode(Unknown) error = %v, want ErrUnknownEncoding", err)
	}
	if _, err := vntext.Encode(vntext.Encoding(99), "a"); !errors.Is(err, vntext.ErrUnknownEncoding) {
		t.Errorf("Encode(99) error = %v, want ErrUnknownEncoding", err)
	}
	if _, err := vntext.NewReader(strings.NewReader("a"), vntext.Unknown).Read(make([]byte, 8)); !errors.Is(err, vntext.ErrUnknownEncoding) {
		t.Errorf("NewReader(Unknown).Read error = %v, want ErrUnknownEncoding", err)
	}
}

func TestEncode(t *testing.T) {
	tests := []struct {
		name string
		enc  vntext.Encoding
		in   string
		want string
	}{
		{"UTF8/FromNFD", vntext.UTF8, "Hoa\u0300", "Hoà"},
		{"UTF16LE/BOM", vntext.UTF16LE, "Nễ", "\xFF\xFEN\x00\xC5\x1E"},
		{"UTF16BE/BOM", vntext.UTF16BE, "Nễ", "\xFE\xFF\x00N\x1E\xC5"},
		{"CP1258/Decomposes", vntext.CP1258, "Nguyễn", "Nguy\xEA\xDEn"},
		{"CP1258/Precomposed", vntext.CP1258, "Hà Tú", "H\xE0 T\xFA"},
		{"CP1258/NoPrecomposedIGrave", vntext.CP1258, "ì", "i\xCC"},
		{"CP1258/FromNFD", vntext.CP1258, "Vie\u0323\u0302t", "Vi\xEA\xF2t"},
		{"TCVN3/UpperTonedAsLower", vntext.TCVN3, "NGUYỄN ĐỨC Ánh", "NGUY\xD4N \xA7\xF8C \xB8nh"},
		{"TCVN3/Punctuation", vntext.TCVN3, "“a” – …", "\x93a\x94 \x96 \x85"},
		{"VNI/Marks", vntext.VNI, "Nguyễn Đức của", "Nguye\xE3n \xD1\xF6\xF9c cu\xFBa"},
		{"VNI/UpperMarks", vntext.VNI, "NGUYỄN ĂN Ỵ ỵ", "NGUYE\xC3N A\xCAN \xCE \xEE"},
		{"VISCII/Controls", vntext.VISCII, "ẲẴẪỶỸỴ Õ", "\x02\x05\x06\x14\x19\x1E \xA0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := vntext.Encode(tt.enc, tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("Encode(%v, %q) = %q, want %q", tt.enc, tt.in, got, tt.want)
			}
		})
	}
}

func TestEncodeError(t *testing.T) {
	tests := []struct {
		enc vntext.Encoding
		in  string
		r   rune
	}{
		{vntext.VISCII, "ab“c", '“'},
		{vntext.TCVN3, "Muñoz", 'ñ'},
		{vntext.VNI, "日本", '日'},
		{vntext.CP1258, "ŵ", 'ŵ'},
	}
	for _, tt := range tests {
		_, err := vntext.Encode(tt.enc, tt.in)
		var ee *vntext.EncodeError
		if !errors.As(err, &ee) || ee.Rune != tt.r || ee.Encoding != tt.enc {
			t.Errorf("Encode(%v, %q) error = %v, want an EncodeError for %q", tt.enc, tt.in, err, tt.r)
		}
	}
}

// TestRoundTrip encodes the whole corpus in every encoding and decodes it
// back. TCVN3 stores upper-case toned letters with lower-case codes, so it
// round-trips lower-case text exactly and the rest up to case.
func TestRoundTrip(t *testing.T) {
	text := strings.Join(allText(), "\n")
	for _, e := range []vntext.Encoding{vntext.UTF8, vntext.UTF16LE, vntext.UTF16BE, vntext.CP1258, vntext.TCVN3, vntext.VNI, vntext.VISCII} {
		t.Run(e.String(), func(t *testing.T) {
			for _, in := range []string{text, norm.NFD.String(text), strings.ToLower(text)} {
				b, err := vntext.Encode(e, in)
				if err != nil {
					t.Fatal(err)
				}
				got, err := vntext.Decode(e, b)
				if err != nil {
					t.Fatal(err)
				}
				want := norm.NFC.String(in)
				if e == vntext.TCVN3 && in != strings.ToLower(text) {
					got, want = strings.ToLower(got), strings.ToLower(want)
				}
				if got != want {
					t.Errorf("round trip differs at %s", firstDiff(got, want))
				}
			}
		})
	}
}

// firstDiff describes where two strings first differ.
func firstDiff(a, b string) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	lo := max(0, i-20)
	for lo > 0 && !utf8.RuneStart(a[lo]) {
		lo--
	}
	cut := func(s string) string {
		hi := min(len(s), i+20)
		for hi < len(s) && !utf8.RuneStart(s[hi]) {
			hi++
		}
		return strings.ReplaceAll(s[lo:hi], "\n", "⏎")
	}
	return fmt.Sprintf("byte %d: got %q, want %q", i, cut(a), cut(b))
}

// TestTCVN3CasePerCell: TCVN3 stores upper-case toned letters with their
// lower-case codes; read by NewCellCaseReader (hotich convert), their case
// comes back from the word's cell, then its column, then its line, never
// from a neighbouring cell alone.
func TestTCVN3CasePerCell(t *testing.T) {
	cases := []struct{ name, text string }{
		{"TitleTonedInTitleCell", "KS,Trần Ngọc Ánh,Lê Thị Ỷ\n"},
		{"SexBesideCapsName", "NGUYỄN VĂN ĐỨC,Nữ\nTRẦN VĂN AN,Nam\nLÊ THỊ HOA,Nữ\n"},
		{"SexInCapsColumn", "Nguyễn Văn Đức,NỮ\nTrần Văn An,NAM\n"},
		{"CapsNames", "NGUYỄN VĂN ĐỨC,HỒ THỊ LÝ,VŨ ÁNH\n"},
		{"CellStartsCapitalised", "KS,\"Ấp 6, Xã Lý Nhơn\",Ủy ban nhân dân Phường 1\n"},
		{"HeaderBesideData", "Họ tên;Giới tính;Ảnh scan\nNGUYỄN ĐỨC;NỮ;ks_0001.tif\nTRẦN AN;NAM;ks_0002.tif\nLÊ BA;NAM;ks_0003.tif\n"},
		{"LowerCaseList", "ứng\nánh\ntào\nvi\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b, err := vntext.Encode(vntext.TCVN3, c.text)
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(vntext.NewCellCaseReader(bytes.NewReader(b), vntext.TCVN3))
			if err != nil || string(got) != c.text {
				t.Errorf("decoded %q (%v), want %q", got, err, c.text)
			}
		})
	}
}

// TestCellCaseReaderOnlyChangesCase: NewCellCaseReader gives the text
// NewReader gives, but for the case of letters, on any bytes and over
// chunk boundaries.
func TestCellCaseReaderOnlyChangesCase(t *testing.T) {
	var b bytes.Buffer
	for i := 0; b.Len() < 300<<10; i++ {
		b.WriteByte(byte(i*7919 + i/3))
		if i%97 == 0 {
			b.WriteString(",\n")
		}
	}
	for _, data := range [][]byte{b.Bytes(), bytes.Repeat([]byte("\xb8nh,N\xf7 "), 40000)} {
		cell, err1 := io.ReadAll(vntext.NewCellCaseReader(bytes.NewReader(data), vntext.TCVN3))
		line, err2 := io.ReadAll(vntext.NewReader(bytes.NewReader(data), vntext.TCVN3))
		if err1 != nil || err2 != nil || len(cell) != len(line) || !strings.EqualFold(string(cell), string(line)) {
			t.Errorf("the two readers differ beyond case (%v, %v; %d and %d bytes)", err1, err2, len(cell), len(line))
		}
	}
}
