package extract

import (
	"bytes"
	"compress/zlib"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/jung-kurt/gofpdf"
)

var updateFonts = flag.Bool("update-fonts", false, "rewrite font/vn-serif.map, font/vn-serif.unicodes and the fast fonts' definitions (see font/README.md)")

// TestVNFonts checks the fast fonts' data against the encoding: the map
// and character list the subset was made from, every encoded character
// in each reduced font, and the definitions the PDF library's MakeFont
// makes of them. With -update-fonts it writes them.
func TestVNFonts(t *testing.T) {
	var unicodes strings.Builder
	for _, r := range vnEncoding {
		if r != 0 {
			fmt.Fprintf(&unicodes, "U+%04X\n", r)
		}
	}
	for name, want := range map[string][]byte{"font/vn-serif.map": vnMap(), "font/vn-serif.unicodes": []byte(unicodes.String())} {
		if *updateFonts {
			if err := os.WriteFile(name, want, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if got, err := os.ReadFile(name); err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s is not the encoding's (run go test ./extract -run TestVNFonts -update-fonts): %v", name, err)
		}
	}

	dir := t.TempDir()
	// MakeFont lists in the definition the codes whose glyph differs from
	// cp1252.map beside the encoding: WinAnsiEncoding, the fonts' base.
	var ref bytes.Buffer
	for c := 0; c < 256; c++ {
		name := ".notdef"
		if c >= 0x20 && c < 0x7F {
			name = asciiGlyph(rune(c))
		}
		fmt.Fprintf(&ref, "!%02X U+%04X %s\n", c, c, name)
	}
	for name, b := range map[string][]byte{"cp1252.map": ref.Bytes(), "vn-serif.map": vnMap()} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range vnStyles {
		ttf := s.file + ".ttf"
		t.Run(filepath.Base(s.file), func(t *testing.T) {
			font, err := gofpdf.TtfParse(ttf)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range vnEncoding {
				if _, ok := font.Chars[uint16(r)]; r != 0 && !ok {
					t.Errorf("%s has no glyph for %q", ttf, r)
				}
			}
			if !strings.HasPrefix(font.PostScriptName, "HotichSerifVN") {
				t.Errorf("%s is named %q: a reduced Liberation font must not carry its reserved name", ttf, font.PostScriptName)
			}
			var log bytes.Buffer
			if err := gofpdf.MakeFont(ttf, filepath.Join(dir, "vn-serif.map"), dir, &log, true); err != nil {
				t.Fatal(err)
			}
			if strings.Contains(log.String(), "missing") {
				t.Errorf("MakeFont: %s", log.String())
			}
			base := filepath.Base(s.file)
			def, _ := os.ReadFile(filepath.Join(dir, base+".json"))
			z, _ := os.ReadFile(filepath.Join(dir, base+".z"))
			if *updateFonts {
				os.WriteFile(s.file+".json", def, 0o644)
				os.WriteFile(s.file+".z", z, 0o644)
			}
			var got, want any
			committed, err := vnFontFS.ReadFile(s.file + ".json")
			if err != nil || json.Unmarshal(def, &want) != nil || json.Unmarshal(committed, &got) != nil || !reflect.DeepEqual(got, want) {
				t.Errorf("%s.json is not what MakeFont makes of %s (run with -update-fonts): %v", s.file, ttf, err)
			}
			// The compressed font is the reduced font, whatever the
			// compressor's version.
			cz, _ := vnFontFS.ReadFile(s.file + ".z")
			zr, err := zlib.NewReader(bytes.NewReader(cz))
			if err != nil {
				t.Fatal(err)
			}
			raw, err := io.ReadAll(zr)
			if orig, _ := os.ReadFile(ttf); err != nil || !bytes.Equal(raw, orig) {
				t.Errorf("%s.z does not hold %s: %v", s.file, ttf, err)
			}
		})
	}
}

// TestVNEncode: Vietnamese and ASCII text encodes one byte a character;
// a character outside the encoding is refused, not replaced.
func TestVNEncode(t *testing.T) {
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{"Số: 12/2025", true},
		{"NGUYỄN THỊ ÁNH – “Lê Thị Hồng”", true},
		{"Trần Văn Ơn, Đặng Ửng", true},
		{"MÜLLER", false},
		{"a@b", false},
		{"tab\there", false},
		{"漢", false},
	} {
		got, ok := vnEncode(tc.in)
		if ok != tc.ok {
			t.Errorf("vnEncode(%q) ok = %v, want %v", tc.in, ok, tc.ok)
			continue
		}
		if ok && len(got) != len([]rune(tc.in)) {
			t.Errorf("vnEncode(%q) = %d bytes, want one per character", tc.in, len(got))
		}
		if ok {
			back := make([]rune, len(got))
			for i := range len(got) {
				back[i] = vnEncoding[got[i]]
			}
			if string(back) != tc.in {
				t.Errorf("vnEncode(%q) decodes to %q", tc.in, string(back))
			}
		}
	}
}
