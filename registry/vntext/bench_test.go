package vntext_test

import (
	"bytes"
	"io"
	"math/rand/v2"
	"testing"

	"golang.org/x/text/unicode/norm"

	"github.com/hotich/hotich/registry/vntext"
)

// Benchmarks. The figures are in BENCHMARKS.md; regenerate them with
//
//	go test -run '^$' -bench . -benchmem ./registry/vntext/

// benchText is about 1 MB of birth-batch CSV.
func benchText() string {
	return csvRows(rand.New(rand.NewPCG(5, 6)), 4500)
}

var benchEncodings = []struct {
	name string
	enc  vntext.Encoding
	nfd  bool
}{
	{"utf8", vntext.UTF8, false}, {"utf8-nfd", vntext.UTF8, true}, {"utf16le", vntext.UTF16LE, false},
	{"cp1258", vntext.CP1258, false}, {"tcvn3", vntext.TCVN3, false}, {"vni", vntext.VNI, false}, {"viscii", vntext.VISCII, false},
}

func benchInput(b *testing.B, enc vntext.Encoding, nfd bool) []byte {
	text := benchText()
	if nfd {
		text = norm.NFD.String(text)
	}
	in, err := vntext.Encode(enc, text)
	if err != nil {
		b.Fatal(err)
	}
	if nfd {
		in = []byte(text)
	}
	return in
}

// BenchmarkDecode measures decoding a whole buffer to NFC UTF-8, in MB/s
// of input.
func BenchmarkDecode(b *testing.B) {
	for _, be := range benchEncodings {
		b.Run(be.name, func(b *testing.B) {
			in := benchInput(b, be.enc, be.nfd)
			b.SetBytes(int64(len(in)))
			b.ResetTimer()
			for b.Loop() {
				if _, err := vntext.Decode(be.enc, in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkReader measures the streaming decoder that ingest and convert
// use, in MB/s of input.
func BenchmarkReader(b *testing.B) {
	for _, be := range benchEncodings {
		b.Run(be.name, func(b *testing.B) {
			in := benchInput(b, be.enc, be.nfd)
			b.SetBytes(int64(len(in)))
			b.ResetTimer()
			for b.Loop() {
				if _, err := io.Copy(io.Discard, vntext.NewReader(bytes.NewReader(in), be.enc)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkCellCaseReader measures the TCVN3 reader of hotich convert,
// which restores case per cell and column, against BenchmarkReader/tcvn3.
func BenchmarkCellCaseReader(b *testing.B) {
	in := benchInput(b, vntext.TCVN3, false)
	b.SetBytes(int64(len(in)))
	b.ResetTimer()
	for b.Loop() {
		if _, err := io.Copy(io.Discard, vntext.NewCellCaseReader(bytes.NewReader(in), vntext.TCVN3)); err != nil {
			b.Fatal(err)
		}
	}
}

var benchNames = []string{"Nguyễn Văn An", "Trần Thị Thuý", "Lê Hoàng Hòa", "Phạm Minh Đức", "Huỳnh Thị Ngọc Diễm",
	"Tôn Nữ Thị Khánh Hoà", "Võ Quốc Khỏe", "Đặng Thùy Dương", "NGUYỄN THỊ MỸ LỆ", "Bùi Xuân Quỳnh"}

// BenchmarkCanonKey measures the tone-placement key of one name.
func BenchmarkCanonKey(b *testing.B) {
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		_ = vntext.CanonKey(benchNames[i%len(benchNames)])
		i++
	}
}

// BenchmarkFoldKey measures the folded ASCII key of one name.
func BenchmarkFoldKey(b *testing.B) {
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		_ = vntext.FoldKey(benchNames[i%len(benchNames)])
		i++
	}
}

// BenchmarkClean measures the display form of a clean cell (no change).
func BenchmarkClean(b *testing.B) {
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		_ = vntext.Clean(benchNames[i%len(benchNames)])
		i++
	}
}

func BenchmarkTitleName(b *testing.B) {
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		_ = vntext.TitleName(benchNames[i%len(benchNames)])
		i++
	}
}

// BenchmarkRepairMojibake measures a cell that needs no repair and one that
// does.
func BenchmarkRepairMojibake(b *testing.B) {
	for _, s := range []struct{ name, in string }{{"correct", "Nguyễn Văn Hoà"}, {"mojibake", "Nguyá»…n VÄƒn HoÃ "}} {
		b.Run(s.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_, _ = vntext.RepairMojibake(s.in)
			}
		})
	}
}

func BenchmarkParseDate(b *testing.B) {
	for _, s := range []struct{ name, in string }{{"ddmmyyyy", "05/03/1990"}, {"words", "ngày 5 tháng 3 năm 1990"}, {"time", "14 giờ 30 phút, ngày 05/03/1990"}} {
		b.Run(s.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := vntext.ParseDate(s.in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkDetect measures detection on a 64 KiB sample.
func BenchmarkDetect(b *testing.B) {
	for _, be := range benchEncodings {
		b.Run(be.name, func(b *testing.B) {
			in := benchInput(b, be.enc, be.nfd)[:64<<10]
			b.SetBytes(int64(len(in)))
			b.ResetTimer()
			for b.Loop() {
				if d := vntext.Detect(in); d.Encoding != be.enc {
					b.Fatalf("detected %v", d.Encoding)
				}
			}
		})
	}
}
