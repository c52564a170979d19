package vntext_test

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/hotich/hotich/registry/vntext"
)

// needIconv returns the path of glibc's iconv. It skips the test when iconv
// is missing, except on CI (CI=true), where that is a failure.
func needIconv(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("iconv")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("iconv not found: %v", err)
		}
		t.Skip("iconv not found")
	}
	return path
}

func iconv(t *testing.T, path, from, to string, in []byte) []byte {
	t.Helper()
	cmd := exec.Command(path, "-f", from, "-t", to)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("iconv -f %s -t %s: %v: %s", from, to, err, stderr.String())
	}
	return out
}

// TestIconv cross-checks the CP1258, VISCII and TCVN3 codecs against
// glibc's iconv on the corpus (every word, name and place, and every one of
// the 134 letters alone and at the start, middle and end of a word): iconv's
// bytes must be the encoder's, and the decoder must read iconv's bytes back
// to the text. TCVN3 is compared on lower-case text: glibc's TCVN5712-1 is
// VN1, whose upper-case toned letters VN3 files do not use.
func TestIconv(t *testing.T) {
	path := needIconv(t)
	text := strings.Join(allText(), "\n") + "\n"
	tests := []struct {
		charset string
		enc     vntext.Encoding
		text    string
	}{
		{"CP1258", vntext.CP1258, text},
		{"VISCII", vntext.VISCII, text},
		{"TCVN5712-1", vntext.TCVN3, strings.ToLower(text)},
	}
	for _, tt := range tests {
		t.Run(tt.charset, func(t *testing.T) {
			glibc := iconv(t, path, "UTF-8", tt.charset, []byte(tt.text))
			mine, err := vntext.Encode(tt.enc, tt.text)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(mine, glibc) {
				t.Errorf("Encode differs from iconv: %s", firstDiff(string(mine), string(glibc)))
			}
			got, err := vntext.Decode(tt.enc, glibc)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.text {
				t.Errorf("Decode(iconv bytes) differs: %s", firstDiff(got, tt.text))
			}
			back := iconv(t, path, tt.charset, "UTF-8", mine)
			if string(back) != tt.text {
				t.Errorf("iconv cannot read Encode's bytes back: %s", firstDiff(string(back), tt.text))
			}
		})
	}
}

// TestIconvByteTables decodes every byte alone with iconv and with Decode:
// all 256 bytes for VISCII and CP1258 (CP1258's tone bytes and undefined
// bytes aside), and the upper half 0xA0–0xFF for TCVN3 (below it VN3 files
// hold ASCII controls and CP1252 punctuation, not VN1's capitals).
func TestIconvByteTables(t *testing.T) {
	path := needIconv(t)
	tests := []struct {
		charset string
		enc     vntext.Encoding
		from    int
		skip    string
	}{
		{"VISCII", vntext.VISCII, 0, ""},
		{"CP1258", vntext.CP1258, 0, "\x81\x8A\x8D\x8E\x8F\x90\x9A\x9D\x9E\xCC\xD2\xDE\xEC\xF2"},
		{"TCVN5712-1", vntext.TCVN3, 0xA0, "\xB0\xB1\xB2\xB3\xB4"},
	}
	for _, tt := range tests {
		t.Run(tt.charset, func(t *testing.T) {
			var in []byte
			for b := tt.from; b < 256; b++ {
				if b != '\n' && !strings.Contains(tt.skip, string([]byte{byte(b)})) {
					in = append(in, byte(b), '\n')
				}
			}
			glibc := strings.Split(string(iconv(t, path, tt.charset, "UTF-8", in)), "\n")
			for i := 0; i < len(in); i += 2 {
				got, err := vntext.Decode(tt.enc, in[i:i+1])
				if err != nil {
					t.Fatal(err)
				}
				if want := glibc[i/2]; got != want {
					t.Errorf("byte %#02x: Decode = %q, iconv = %q", in[i], got, want)
				}
			}
		})
	}
}
