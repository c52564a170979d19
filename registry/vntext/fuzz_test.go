package vntext_test

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/hotich/hotich/registry/vntext"
)

// Fuzz targets: every decoder and parser must not panic, must give valid
// UTF-8 in NFC, and normalisations and keys must be idempotent. Run one
// with, e.g., go test -fuzz FuzzDecode ./registry/vntext/

var allEncodings = []vntext.Encoding{vntext.UTF8, vntext.UTF16LE, vntext.UTF16BE, vntext.CP1258, vntext.TCVN3, vntext.VNI, vntext.VISCII}

// addSeeds adds the decode examples, the notes' strings in every encoding
// and some edge cases.
func addSeeds(f *testing.F, add func(b []byte)) {
	for _, tt := range decodeTests {
		add([]byte(tt.in))
	}
	for _, s := range []string{"Nguyễn Văn Đức, Việt Nam, của, và, Phường Thủy", "NGUYỄN THỊ HOÀ\n14:30 05/03/1990", "“Hòa” – Ánh"} {
		for _, e := range allEncodings {
			if b, err := vntext.Encode(e, s); err == nil {
				add(b)
			}
		}
	}
	for _, s := range []string{"Nguye\u0302\u0303n Va\u0306n", "A\u0323\u0302 o\u031B\u0301 e\u0308 a\u0301\u0302", "", "\xEF\xBB\xBF", "\xFF\xFE", "\xFE\xFF\x00", "\n\xEC\n\xF9", "a\xB3\xB3", "Nguyá»…n", "Ä?á»©c", "vÃ  "} {
		add([]byte(s))
	}
}

func FuzzDecode(f *testing.F) {
	addSeeds(f, func(b []byte) { f.Add(b, uint8(0)) })
	f.Fuzz(func(t *testing.T, b []byte, which uint8) {
		e := allEncodings[int(which)%len(allEncodings)]
		got, err := vntext.Decode(e, b)
		if err != nil {
			t.Fatal(err)
		}
		if !utf8.ValidString(got) {
			t.Fatalf("Decode(%v, %q) = %q: invalid UTF-8", e, b, got)
		}
		if !norm.NFC.IsNormalString(got) {
			t.Fatalf("Decode(%v, %q) = %q: not NFC", e, b, got)
		}
		if e == vntext.UTF8 && utf8.Valid(b) && !bytes.HasPrefix(b, []byte("\uFEFF")) && got != norm.NFC.String(string(b)) {
			t.Fatalf("Decode(utf8, %q) = %q, want NFC %q", b, got, norm.NFC.String(string(b)))
		}
		streamed, err := io.ReadAll(vntext.NewReader(bytes.NewReader(b), e))
		if err != nil {
			t.Fatal(err)
		}
		if string(streamed) != got {
			t.Fatalf("NewReader(%v, %q) = %q, Decode = %q", e, b, streamed, got)
		}
	})
}

func FuzzDetect(f *testing.F) {
	addSeeds(f, func(b []byte) { f.Add(b) })
	f.Fuzz(func(t *testing.T, b []byte) {
		d := vntext.Detect(b)
		if d.Encoding == vntext.Unknown || d.Encoding.String() == "" || !(d.Confidence >= 0 && d.Confidence <= 1) || d.Valid < 0 || d.Valid > 1 {
			t.Fatalf("Detect(%q) = %+v", b, d)
		}
		if _, err := vntext.Decode(d.Encoding, b); err != nil {
			t.Fatal(err)
		}
	})
}

// FuzzEncode checks that what an encoder writes decodes back: exactly for
// text of Vietnamese letters, ASCII and spaces (TCVN3 up to case).
func FuzzEncode(f *testing.F) {
	for _, s := range []string{"Nguyễn Văn Đức", "hoà", "ẲẴẪỶỸỴ Õ", "ý Ý", "a\u0301", "b\u0301", "Müller"} {
		f.Add(s, uint8(3))
	}
	f.Fuzz(func(t *testing.T, s string, which uint8) {
		e := allEncodings[int(which)%len(allEncodings)]
		b, err := vntext.Encode(e, s)
		if err != nil {
			return
		}
		got, err := vntext.Decode(e, b)
		if err != nil {
			t.Fatal(err)
		}
		if !utf8.ValidString(s) || !plainVietnamese(s) {
			return
		}
		want := norm.NFC.String(s)
		if e == vntext.TCVN3 {
			got, want = strings.ToLower(got), strings.ToLower(want)
		}
		if got != want {
			t.Fatalf("Decode(%v, Encode(%q)) = %q", e, s, got)
		}
	})
}

// plainVietnamese reports text of Vietnamese letters, ASCII letters,
// digits and spaces only, in NFC form once normalised.
func plainVietnamese(s string) bool {
	for _, r := range norm.NFC.String(s) {
		if r == ' ' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' {
			continue
		}
		if !strings.ContainsRune(string(vntext.AllLetters()), r) {
			return false
		}
	}
	return true
}

func FuzzRepairMojibake(f *testing.F) {
	for _, s := range []string{"Nguyá»…n VÄƒn Ä‘á»©c", "Ä?á»©c", "vÃ  Hoa", "Nguyễn", "LÃ", "Thá»\uFFFDi", "Ã Ã Ã", "â€œHoÃ  BÃ¬nhâ€\u009d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := vntext.RepairMojibake(s)
		if !ok {
			if got != s {
				t.Fatalf("RepairMojibake(%q) = %q, false: changed without saying so", s, got)
			}
			return
		}
		if got == s || !utf8.ValidString(got) || !norm.NFC.IsNormalString(got) {
			t.Fatalf("RepairMojibake(%q) = %q, true", s, got)
		}
	})
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"  NGUYỄN   văn\tđỨC ", "Hoà Hòa", "Ðào", "k'sor h'hen", norm.NFD.String("Thuỷ"), "a\u0301\u0301", "İstanbul", "ß", "\u200B"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c := vntext.Clean(s)
		if !utf8.ValidString(c) || vntext.Clean(c) != c {
			t.Fatalf("Clean(%q) = %q, then %q", s, c, vntext.Clean(c))
		}
		if utf8.ValidString(s) && !norm.NFC.IsNormalString(c) {
			t.Fatalf("Clean(%q) = %q: not NFC", s, c)
		}
		n := vntext.TitleName(s)
		if vntext.TitleName(n) != n {
			t.Fatalf("TitleName(%q) = %q, then %q", s, n, vntext.TitleName(n))
		}
		k := vntext.CanonKey(s)
		if vntext.CanonKey(k) != k || vntext.CanonKey(c) != k {
			t.Fatalf("CanonKey(%q) = %q, of itself %q, of Clean %q", s, k, vntext.CanonKey(k), vntext.CanonKey(c))
		}
		for _, style := range []vntext.ToneStyle{vntext.ToneNew, vntext.ToneOld} {
			if r := vntext.Retone(s, style); vntext.Retone(r, style) != r || vntext.CanonKey(r) != k {
				t.Fatalf("Retone(%q, %v) = %q: not idempotent or changes the key", s, style, r)
			}
		}
		fk := vntext.FoldKey(s)
		if vntext.FoldKey(fk) != fk {
			t.Fatalf("FoldKey(%q) = %q, then %q", s, fk, vntext.FoldKey(fk))
		}
		name := vntext.SplitName(s)
		if got := name.String(); got != c {
			t.Fatalf("SplitName(%q) = %#v, joined %q, want %q", s, name, got, c)
		}
	})
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"05/03/1990", "00/03/1950", "ngày 5 tháng 3 năm 1990", "Ngày mười lăm, tháng sáu, năm hai nghìn không trăm hai mươi hai",
		"14 giờ 30 phút, ngày 05/03/1990", "14h30 5/3/1990", "2010-03-01T14:30", "31/02/2001", "tháng năm năm năm", "mười mười mười", "1990-"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := vntext.ParseDate(s)
		if err != nil {
			if d != (vntext.Date{}) {
				t.Fatalf("ParseDate(%q) = %+v with error %v", s, d, err)
			}
			return
		}
		if err := d.Validate(); err != nil || d.IsZero() {
			t.Fatalf("ParseDate(%q) = %+v, invalid: %v", s, d, err)
		}
		for _, again := range []string{d.ISO(), vntext.DateWords(d)} {
			if back, err := vntext.ParseDate(again); err != nil || back != d {
				t.Fatalf("ParseDate(%q) = %+v, but ParseDate(%q) = %+v, %v", s, d, again, back, err)
			}
		}
		if back, err := vntext.ParseISODate(d.ISO()); err != nil || back != d {
			t.Fatalf("ParseISODate(%q) = %+v, %v; want %+v", d.ISO(), back, err, d)
		}
	})
}

func FuzzParseSyllable(f *testing.F) {
	for _, s := range []string{"Nguyễn", "giếng", "quỳnh", "khuỷu", "baỏ", "gì", "xoong"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		syl, ok := vntext.ParseSyllable(s)
		if !ok {
			return
		}
		for _, style := range []vntext.ToneStyle{vntext.ToneNew, vntext.ToneOld} {
			w := syl.String(style)
			back, ok := vntext.ParseSyllable(w)
			if !ok || back != syl {
				t.Fatalf("ParseSyllable(%q) = %+v, written %q, parsed back %+v, %v", s, syl, w, back, ok)
			}
		}
	})
}

func FuzzParseNumberWords(f *testing.F) {
	for _, s := range []string{"hai nghìn không trăm hai mươi hai", "một trăm lẻ năm", "mười lăm", "một tỷ", "không"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, ok := vntext.ParseNumberWords(s)
		if !ok {
			return
		}
		if back, ok := vntext.ParseNumberWords(vntext.NumberWords(n)); !ok || back != n {
			t.Fatalf("ParseNumberWords(%q) = %d, but NumberWords(%d) = %q reads %d, %v", s, n, n, vntext.NumberWords(n), back, ok)
		}
	})
}
