package vntext_test

import (
	"bytes"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
	"testing/iotest"

	"golang.org/x/text/unicode/norm"

	"github.com/hotich/hotich/registry/vntext"
)

// TestReader checks that streaming gives exactly what Decode gives, however
// the input is cut into reads, for every encoding, on a file of several
// chunks, on a line longer than a chunk, and on text without spaces.
func TestReader(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	big := strings.Join(allText(), "\n") + "\n" + csvRows(rng, 2000)
	longLine := strings.Repeat("Nguyễn Văn Đức, ", 12000) // 200 KB, no line feed
	noSpace := strings.Repeat("Nguyễn,Văn;Đức|", 12000)
	lettersOnly := strings.Repeat("ễ", 70000)
	encodings := []vntext.Encoding{vntext.UTF8, vntext.UTF16LE, vntext.UTF16BE, vntext.CP1258, vntext.TCVN3, vntext.VNI, vntext.VISCII}
	for _, e := range encodings {
		for name, text := range map[string]string{"big": big, "longLine": longLine, "noSpace": noSpace, "lettersOnly": lettersOnly, "empty": ""} {
			t.Run(e.String()+"/"+name, func(t *testing.T) {
				in, err := vntext.Encode(e, text)
				if err != nil {
					t.Fatal(err)
				}
				want, err := vntext.Decode(e, in)
				if err != nil {
					t.Fatal(err)
				}
				if e != vntext.TCVN3 && want != text {
					t.Fatalf("Decode does not give the text back: %s", firstDiff(want, text))
				}
				readers := map[string]io.Reader{
					"whole":   bytes.NewReader(in),
					"oneByte": iotest.OneByteReader(bytes.NewReader(in)),
					"half":    iotest.HalfReader(bytes.NewReader(in)),
					"dataErr": iotest.DataErrReader(bytes.NewReader(in)),
				}
				for rn, r := range readers {
					got, err := io.ReadAll(vntext.NewReader(r, e))
					if err != nil {
						t.Fatalf("%s: %v", rn, err)
					}
					if string(got) != want {
						t.Errorf("%s: NewReader differs from Decode: %s", rn, firstDiff(string(got), want))
					}
				}
			})
		}
	}
}

func TestReaderBOMAndNFD(t *testing.T) {
	text := "Nguyễn Văn Đức\nHoà Bình\n"
	nfd := norm.NFD.String(text)
	for name, in := range map[string]string{
		"bom":       "\uFEFF" + text,
		"nfd":       nfd,
		"bomNFD":    "\uFEFF" + nfd,
		"bomOnly":   "\uFEFF",
		"shortBOM":  "\xEF\xBB",
		"nfdOneRun": strings.Repeat(nfd, 5000),
	} {
		t.Run(name, func(t *testing.T) {
			for _, r := range []io.Reader{strings.NewReader(in), iotest.OneByteReader(strings.NewReader(in))} {
				got, err := io.ReadAll(vntext.NewReader(r, vntext.UTF8))
				if err != nil {
					t.Fatal(err)
				}
				want := norm.NFC.String(strings.TrimPrefix(in, "\uFEFF"))
				if name == "shortBOM" {
					want = "\uFFFD\uFFFD"
				}
				if string(got) != want {
					t.Errorf("got %q, want %q", firstDiff(string(got), want), want[:min(len(want), 40)])
				}
			}
		})
	}
}

// TestReaderReadError passes a read error through after the data.
func TestReaderReadError(t *testing.T) {
	r := io.MultiReader(strings.NewReader("Hoa\u0300\nab"), iotest.ErrReader(io.ErrUnexpectedEOF))
	got, err := io.ReadAll(vntext.NewReader(r, vntext.UTF8))
	if err != io.ErrUnexpectedEOF {
		t.Errorf("error = %v, want io.ErrUnexpectedEOF", err)
	}
	if string(got) != "Hoà\nab" {
		t.Errorf("got %q before the error, want %q", got, "Hoà\nab")
	}
}
