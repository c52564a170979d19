package vntext_test

import (
	"math/rand/v2"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"

	"github.com/hotich/hotich/registry/vntext"
)

func TestDetectExamples(t *testing.T) {
	notes := "Nguyễn Văn Đức, Việt Nam, của, và, Phường Thủy"
	enc := func(e vntext.Encoding, s string) string {
		b, err := vntext.Encode(e, s)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	tests := []struct {
		name    string
		in      string
		want    vntext.Encoding
		bom     bool
		nfd     bool
		minConf float64
	}{
		{"Empty", "", vntext.UTF8, false, false, 1},
		{"ASCII", "so,ho_ten\n1,Nguyen Van An\n", vntext.UTF8, false, false, 1},
		{"UTF8", notes, vntext.UTF8, false, false, 0.9},
		{"UTF8BOM", "\uFEFF" + notes, vntext.UTF8, true, false, 1},
		{"UTF8NFD", norm.NFD.String(notes), vntext.UTF8, false, true, 0.9},
		{"UTF16LEBOM", enc(vntext.UTF16LE, notes), vntext.UTF16LE, true, false, 1},
		{"UTF16BEBOM", enc(vntext.UTF16BE, notes), vntext.UTF16BE, true, false, 1},
		{"UTF16LENoBOM", enc(vntext.UTF16LE, notes)[2:], vntext.UTF16LE, false, false, 0.5},
		{"UTF16BENoBOM", enc(vntext.UTF16BE, notes)[2:], vntext.UTF16BE, false, false, 0.5},
		{"CP1258", enc(vntext.CP1258, notes), vntext.CP1258, false, false, 0.9},
		{"TCVN3", enc(vntext.TCVN3, notes), vntext.TCVN3, false, false, 0.9},
		{"VNI", enc(vntext.VNI, notes), vntext.VNI, false, false, 0.9},
		{"VISCII", enc(vntext.VISCII, notes), vntext.VISCII, false, false, 0.9},
		{"TCVN3OneName", "1,079123456789," + enc(vntext.TCVN3, "Nguyễn Văn Đức"), vntext.TCVN3, false, false, 0.5},
		{"VNIOneName", "1,079123456789," + enc(vntext.VNI, "Trần Thị Mỹ Dung"), vntext.VNI, false, false, 0.5},
		{"UTF8Truncated", notes + ", Nguy\xE1\xBB", vntext.UTF8, false, false, 0.9},
		{"UTF8Mojibake", "Nguyá»…n VÄƒn Ä‘á»©c", vntext.UTF8, false, false, 0.9},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := vntext.Detect([]byte(tt.in))
			if d.Encoding != tt.want || d.BOM != tt.bom || d.NFD != tt.nfd || d.Confidence < tt.minConf || d.Confidence > 1 {
				t.Errorf("Detect = %+v, want %v (BOM %v, NFD %v, confidence >= %v)", d, tt.want, tt.bom, tt.nfd, tt.minConf)
			}
		})
	}
}

// detectCase is one generated file of the accuracy test.
type detectCase struct {
	enc  vntext.Encoding // how the file is written
	want vntext.Encoding // what Detect must say
	kind string
}

// TestDetectAccuracy generates files in every encoding, in three shapes:
// 20-row batches, 300-row batches, and 20 rows of mostly digits with a
// name in only a few of them, and measures how often Detect finds the
// encoding. The goal is 99%.
func TestDetectAccuracy(t *testing.T) {
	rng := rand.New(rand.NewPCG(20, 25))
	const perCase = 150
	cases := []detectCase{
		{vntext.UTF8, vntext.UTF8, "utf8"}, {vntext.UTF8, vntext.UTF8, "utf8-bom"}, {vntext.UTF8, vntext.UTF8, "utf8-nfd"},
		{vntext.UTF16LE, vntext.UTF16LE, "utf16le"}, {vntext.UTF16BE, vntext.UTF16BE, "utf16be"},
		{vntext.CP1258, vntext.CP1258, "cp1258"}, {vntext.TCVN3, vntext.TCVN3, "tcvn3"},
		{vntext.VNI, vntext.VNI, "vni"}, {vntext.VISCII, vntext.VISCII, "viscii"},
	}
	shapes := []struct {
		name string
		gen  func(*rand.Rand) string
	}{
		{"20rows", func(r *rand.Rand) string { return csvRows(r, 20) }},
		{"300rows", func(r *rand.Rand) string { return csvRows(r, 300) }},
		{"digits", func(r *rand.Rand) string { return digitRows(r, 20) }},
	}
	total, correct, sameText := 0, 0, 0
	for _, sh := range shapes {
		for _, c := range cases {
			ok := 0
			for i := 0; i < perCase; i++ {
				text := sh.gen(rng)
				switch c.kind {
				case "utf8-bom":
					text = "\uFEFF" + text
				case "utf8-nfd":
					text = norm.NFD.String(text)
				}
				b, err := vntext.Encode(c.enc, text)
				if err != nil {
					t.Fatal(err)
				}
				if len(b) > 64<<10 {
					b = b[:64<<10] // Detect sees a sample, maybe cut mid-character
				}
				d := vntext.Detect(b)
				if d.Encoding == c.want || isASCII(b) && d.Encoding == vntext.UTF8 {
					ok++
					sameText++
					continue
				}
				// A wrong guess may still read the same text (VISCII and
				// CP1258 share à, ê, ô ... at the same bytes).
				got, _ := vntext.Decode(d.Encoding, b)
				want, _ := vntext.Decode(c.enc, b)
				if got == want {
					sameText++
				}
				if testing.Verbose() {
					t.Logf("%s/%s: detected %+v (same text: %v)", sh.name, c.kind, d, got == want)
				}
			}
			t.Logf("%-8s %-9s %5.1f%%", sh.name, c.kind, 100*float64(ok)/perCase)
			total += perCase
			correct += ok
		}
	}
	acc := float64(correct) / float64(total)
	accText := float64(sameText) / float64(total)
	t.Logf("detection accuracy: %d/%d = %.2f%% right encoding, %.2f%% right text", correct, total, 100*acc, 100*accText)
	if acc < 0.99 || accText < 0.99 {
		t.Errorf("detection accuracy %.2f%% (text %.2f%%) is under 99%%", 100*acc, 100*accText)
	}
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}

// TestDetectSmallSamples checks the ASCII, C1 and odd-NUL edges.
func TestDetectSmallSamples(t *testing.T) {
	for _, in := range []string{"\x00", "a\x00", "\x80", "\xFF\xFF\xFF", "\xC3", strings.Repeat("\x00", 9)} {
		d := vntext.Detect([]byte(in))
		if d.Confidence < 0 || d.Confidence > 1 || d.Encoding == vntext.Unknown {
			t.Errorf("Detect(%q) = %+v", in, d)
		}
	}
}

// TestDetectStrayBytes: UTF-8 text with a rare stray byte (a Latin-1 "é"
// typed into a cell) is UTF-8, with the stray bytes counted; legacy text,
// whose high bytes are mostly invalid UTF-8, is not taken for it.
func TestDetectStrayBytes(t *testing.T) {
	var b strings.Builder
	for i := 0; i < 200; i++ {
		b.WriteString("KS,26740,Nguyễn Văn Đức,Lê Thị Thuý Hằng,Bệnh viện Từ Dũ\n")
	}
	text := b.String()
	for _, stray := range []int{1, 3, 10} {
		data := []byte(text)
		for k := 0; k < stray; k++ {
			at := (k + 1) * len(data) / (stray + 2)
			at = strings.IndexByte(text[at:], ',') + at + 1
			data = append(data[:at:at], append([]byte{0xE9}, data[at:]...)...)
		}
		d := vntext.Detect(data[:min(len(data), 16<<10)])
		if d.Encoding != vntext.UTF8 || d.Invalid == 0 || d.Confidence < 0.9 {
			t.Errorf("%d stray bytes: %s (confidence %.2f, invalid %d), want utf8", stray, d.Encoding, d.Confidence, d.Invalid)
		}
	}
	for _, e := range []vntext.Encoding{vntext.CP1258, vntext.TCVN3, vntext.VNI, vntext.VISCII} {
		data, err := vntext.Encode(e, text)
		if err != nil {
			t.Fatal(err)
		}
		if d := vntext.Detect(data); d.Encoding != e {
			t.Errorf("%s text detected as %s (%.2f)", e, d.Encoding, d.Confidence)
		}
	}
}
