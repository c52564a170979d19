package extract_test

import (
	"bytes"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hotich/hotich/registry"
)

// sevenCorrections is a birth entry corrected seven times.
func sevenCorrections() []registry.Correction {
	var out []registry.Correction
	for i := range 7 {
		out = append(out, registry.Correction{Field: "noi_sinh", Old: fmt.Sprintf("Nơi sinh cũ số %d, Quận 1", i), New: fmt.Sprintf("Nơi sinh mới số %d, Quận 1", i),
			Basis: fmt.Sprintf("Quyết định số %d/QĐ-UBND ngày 02/05/2024 của Ủy ban nhân dân Phường Sài Gòn", 100+i), At: time.Date(2024, 5, 2, 3, 0, 0, 0, time.UTC)})
	}
	return out
}

func pageText(t *testing.T, path string, page int) string {
	t.Helper()
	n := strconv.Itoa(page)
	out, err := exec.Command("pdftotext", "-f", n, "-l", n, "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	return spaces.ReplaceAllString(string(out), " ")
}

func TestSevenCorrectionsTwoPages(t *testing.T) {
	tc := cases[0]
	tc.name, tc.corr = "birth-7-corrections", append(birthCorrections(), sevenCorrections()...)
	pdf, _ := render(t, tc)
	path := writeTemp(t, tc.name+".pdf", pdf)
	if n := pageCount(t, path); n != 2 {
		t.Fatalf("pages = %d, want 2", n)
	}
	needTool(t, "pdftotext")
	p1, p2 := pageText(t, path, 1), pageText(t, path, 2)
	all := p1 + " " + p2
	for _, c := range sevenCorrections() {
		if !strings.Contains(all, "Quyết định số "+c.Basis[len("Quyết định số "):len("Quyết định số ")+3]) {
			t.Errorf("no correction %q in the text", c.Basis)
		}
		if !strings.Contains(all, "thành “"+c.New+"”") {
			t.Errorf("no correction to %q in the text", c.New)
		}
	}
	if !strings.Contains(p1, "Trang 1/2") || !strings.Contains(p2, "Trang 2/2") || !strings.Contains(p2, "(tiếp theo)") {
		t.Errorf("page numbers or continuation header missing:\n%s\n---\n%s", p1, p2)
	}
	if !strings.Contains(p2, "Trần Thị Bích") || strings.Contains(p1, "Trần Thị Bích") {
		t.Error("the signer block is not on the last page only")
	}
	needTool(t, "qpdf")
	if out, err := exec.Command("qpdf", "--check", path).CombinedOutput(); err != nil || !bytes.Contains(out, []byte("No syntax or stream encoding errors")) {
		t.Fatalf("qpdf --check: %v\n%s", err, out)
	}
	pdfsigOK(t, path)
	if *update {
		writePNG(t, path, "testdata/"+tc.name+".png")
	}
}

// TestLongNoteBounded: a 48 KB marginal note (a batch row gone wrong) is
// laid out in linear time and refused past the page limit, not rendered
// onto dozens of pages or spun on.
func TestLongNoteBounded(t *testing.T) {
	tc := cases[0]
	tc.rec = func(tb testing.TB) *registry.Record {
		r := birthRecord(tb)
		r.Fields[registry.ColNotes] = strings.Repeat("Ghi chú rất dài của sổ gốc, ", 48<<10/30)
		return r
	}
	_, _, err := renderCase(t, tc)
	if registry.ErrorCode(err) != registry.EINVALID || !strings.Contains(registry.ErrorMessage(err), "quá dài") {
		t.Fatalf("render of a 48 KB note = %v, want EINVALID (too long)", err)
	}
}
