package vntext_test

import (
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"

	"github.com/hotich/hotich/registry/vntext"
)

// misread returns s as a program shows it after reading its UTF-8 bytes as
// CP1252: undefined bytes become C1 controls (sloppy) or U+FFFD (strict).
func misread(s string, strict bool) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		r := charmap.Windows1252.DecodeByte(c)
		if r == '\uFFFD' && !strict {
			r = rune(c)
		}
		b.WriteRune(r)
	}
	return b.String()
}

func TestRepairMojibake(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"Once", "Nguyá»…n VÄƒn Ä‘á»©c", "Nguyễn Văn đức"},
		{"Twice", misread(misread("Nguyễn Thị Hoà", false), false), "Nguyễn Thị Hoà"},
		{"Thrice", misread(misread(misread("Phường Bến Nghé", false), false), false), "Phường Bến Nghé"},
		{"UndefinedPassedThrough", "Ä\u0090á»©c Thá»\u009di", "Đức Thời"},
		{"UndefinedAsReplacement", "Ä\uFFFDá»©c", "Đức"},
		{"UndefinedAsQuestionMark", "Ä?á»©c", "Đức"},
		{"NBSPBecameSpace", "vÃ  Hoa", "và Hoa"},
		{"NBSPTrimmed", "Nguyá»…n Thá»‹ HÃ", "Nguyễn Thị Hà"},
		{"Latin1", "Nguy\u00e1\u00bb\u0085n", "Nguyễn"},
		{"Punctuation", "â€œHoÃ  BÃ¬nhâ€\u009d", "“Hoà Bình”"},
		{"NFDSource", misread("Hoa\u0300", false), "Hoà"},
		{"WithDigits", "Sá»‘ 12 Ä‘Æ°á»\u009dng LÃª Lá»£i", "Số 12 đường Lê Lợi"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := vntext.RepairMojibake(tt.in)
			if !ok || got != tt.want {
				t.Errorf("RepairMojibake(%q) = %q, %v; want %q, true", tt.in, got, ok, tt.want)
			}
		})
	}
}

func TestRepairMojibakeLeavesAlone(t *testing.T) {
	for _, s := range []string{
		"", "Nguyen Van An", "Nguyễn Văn Đức", "Hà Tú", "LÃ", "NGÃ", "Lã Thị Ánh", "José Müller",
		"Ä‘", "Thá»\uFFFDi", // ambiguous: ờ, ở, ọ ... all spell a syllable
		"HoÃ", // "Hoà" with its NBSP trimmed, but "LÃ" is Lã: no lone trailing lead
		"Ã©tÃ©", "Â©", "50 â‚¬", "François Ngô", "Zoë",
	} {
		if got, ok := vntext.RepairMojibake(s); ok || got != s {
			t.Errorf("RepairMojibake(%q) = %q, %v; want it unchanged", s, got, ok)
		}
	}
}

// TestRepairMojibakeCorpus measures, over every name, place, word and
// letter probe of the corpus in three cases plus foreign names, the
// false-positive rate on correct strings (must be 0); and over the real
// words and names, how many of their mojibake forms are repaired (each
// repair must give the original back).
func TestRepairMojibakeCorpus(t *testing.T) {
	var correct, real []string
	for _, s := range allText() {
		correct = append(correct, s, strings.ToUpper(s), strings.ToLower(s))
	}
	probes := make(map[string]bool)
	for _, p := range letterProbes() {
		probes[p] = true
	}
	for _, s := range allText() {
		if !probes[s] {
			real = append(real, s, strings.ToUpper(s), strings.ToLower(s))
		}
	}
	foreign := []string{"José", "Müller", "François", "Zoë", "Ångström", "Señor Núñez", "Øresund", "Ærø", "Ça va", "Æther Ñu",
		"Â", "Ã", "Ä", "Å", "Æ", "á", "â", "ÂÃ", "Ã Ã", "Ãœ", "Äœ", "thÃ", "Má…", "«Má»"}
	for _, w := range syllables() {
		correct = append(correct, w, strings.ToUpper(w), vntext.TitleName(w))
	}
	correct = append(correct, foreign...)
	falsePos := 0
	for _, s := range correct {
		if got, ok := vntext.RepairMojibake(s); ok || got != s {
			falsePos++
			t.Errorf("RepairMojibake changed a correct string: %q -> %q", s, got)
		}
	}
	t.Logf("false positives: %d of %d correct strings", falsePos, len(correct))

	forms := []struct {
		name string
		f    func(string) string
	}{
		{"once", func(s string) string { return misread(s, false) }},
		{"twice", func(s string) string { return misread(misread(s, false), false) }},
		{"strict", func(s string) string { return misread(s, true) }},
		{"nbspSpace", func(s string) string { return strings.ReplaceAll(misread(s, false), "\u00A0", " ") }},
	}
	for _, form := range forms {
		repaired, wrong, total := 0, 0, 0
		for _, s := range real {
			bad := form.f(s)
			if bad == s {
				continue // ASCII
			}
			total++
			got, ok := vntext.RepairMojibake(bad)
			switch {
			case ok && got == s:
				repaired++
			case ok:
				wrong++
				t.Errorf("%s: RepairMojibake(%q) = %q, want %q", form.name, bad, got, s)
			default:
				if testing.Verbose() && form.name == "once" {
					t.Logf("%s: not repaired: %q (%q)", form.name, bad, s)
				}
			}
		}
		t.Logf("%-9s repaired %d of %d (%.1f%%), wrong %d", form.name, repaired, total, 100*float64(repaired)/float64(total), wrong)
		if form.name != "strict" && repaired < total*97/100 {
			t.Errorf("%s: repaired only %d of %d", form.name, repaired, total)
		}
	}
}
