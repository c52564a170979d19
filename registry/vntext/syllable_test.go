package vntext_test

import (
	"strings"
	"testing"
	"unicode"

	"github.com/hotich/hotich/registry/vntext"
)

func TestParseSyllable(t *testing.T) {
	tests := []struct {
		word                string
		onset, vowels, coda string
		tone                vntext.Tone
	}{
		{"Nguyễn", "ng", "uyê", "n", vntext.ToneNga},
		{"Văn", "v", "ă", "n", vntext.ToneNgang},
		{"ĐỨC", "đ", "ư", "c", vntext.ToneSac},
		{"giữa", "gi", "ưa", "", vntext.ToneNga},
		{"gì", "g", "i", "", vntext.ToneHuyen},
		{"giếng", "gi", "ê", "ng", vntext.ToneSac},
		{"quý", "qu", "y", "", vntext.ToneSac},
		{"Quỳnh", "qu", "y", "nh", vntext.ToneHuyen},
		{"quốc", "qu", "ô", "c", vntext.ToneSac},
		{"Hoà", "h", "oa", "", vntext.ToneHuyen},
		{"Hòa", "h", "oa", "", vntext.ToneHuyen},
		{"khuỷu", "kh", "uyu", "", vntext.ToneHoi},
		{"người", "ng", "ươi", "", vntext.ToneHuyen},
		{"nghiêng", "ngh", "iê", "ng", vntext.ToneNgang},
		{"baỏ", "b", "ao", "", vntext.ToneHoi},
		{"lựơng", "l", "ươ", "ng", vntext.ToneNang},
		{"Ánh", "", "a", "nh", vntext.ToneSac},
		{"yêu", "", "yêu", "", vntext.ToneNgang},
		{"xoong", "x", "oo", "ng", vntext.ToneNgang},
		{"Ðào", "đ", "ao", "", vntext.ToneHuyen},
	}
	for _, tt := range tests {
		s, ok := vntext.ParseSyllable(tt.word)
		if !ok || s.Onset != tt.onset || s.Vowels != tt.vowels || s.Coda != tt.coda || s.Tone != tt.tone {
			t.Errorf("ParseSyllable(%q) = %+v, %v; want {%s %s %s %v}", tt.word, s, ok, tt.onset, tt.vowels, tt.coda, tt.tone)
		}
	}
}

func TestParseSyllableRejects(t *testing.T) {
	for _, w := range []string{
		"", "Nguyeăn", "Vaên", "Nôòi", "ViÖt", "cña", "đat", "cát̀", "hoàá", "ngi", "ghu", "ci",
		"qa", "q", "Müller", "x1", "ă", "iê", "Ph­êng", "mươ", "bs", "ánhh",
	} {
		if s, ok := vntext.ParseSyllable(w); ok {
			t.Errorf("ParseSyllable(%q) = %+v, want not a syllable", w, s)
		}
	}
}

// TestCorpusSyllables checks that every word of the corpus with a
// Vietnamese letter parses: the detector and the mojibake repairer count on
// real words being valid.
func TestCorpusSyllables(t *testing.T) {
	var words []string
	for _, line := range append(append(append(append(append(append([]string{}, surnames...), middles...), givens...), rare...), places...), vocabulary...) {
		words = append(words, strings.FieldsFunc(line, func(r rune) bool { return !unicode.IsLetter(r) })...)
	}
	bad := 0
	for _, w := range words {
		if strings.ToLower(w) == "khmer" || len(w) == 1 {
			continue
		}
		if _, ok := vntext.ParseSyllable(w); !ok {
			t.Errorf("ParseSyllable(%q): not a syllable", w)
			bad++
		}
	}
	t.Logf("%d words, %d rejected", len(words), bad)
}

func TestSyllableString(t *testing.T) {
	tests := []struct {
		word     string
		new, old string
	}{
		{"hòa", "hoà", "hòa"}, {"thúy", "thuý", "thúy"}, {"khỏe", "khoẻ", "khỏe"},
		{"hoàng", "hoàng", "hoàng"}, {"quỳnh", "quỳnh", "quỳnh"}, {"giếng", "giếng", "giếng"},
		{"mía", "mía", "mía"}, {"của", "của", "của"}, {"người", "người", "người"},
		{"khuỷu", "khuỷu", "khuỷu"}, {"thuở", "thuở", "thuở"}, {"nghịêm", "nghiệm", "nghiệm"},
	}
	for _, tt := range tests {
		s, ok := vntext.ParseSyllable(tt.word)
		if !ok {
			t.Errorf("ParseSyllable(%q) failed", tt.word)
			continue
		}
		if got := s.String(vntext.ToneNew); got != tt.new {
			t.Errorf("%q.String(ToneNew) = %q, want %q", tt.word, got, tt.new)
		}
		if got := s.String(vntext.ToneOld); got != tt.old {
			t.Errorf("%q.String(ToneOld) = %q, want %q", tt.word, got, tt.old)
		}
	}
}
