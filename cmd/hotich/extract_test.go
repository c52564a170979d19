package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hotich/hotich/registry"
	"github.com/hotich/hotich/registry/vntext"
)

// extractEntry is a birth entry of Phường Bến Nghé, Quận 1 (26740), whose
// register Phường Sài Gòn holds today.
func extractEntry(number, pid string) *registry.Record {
	r := &registry.Record{
		Register: registry.Birth, AuthorityCode: "26740", AuthorityName: "UBND Phường Bến Nghé, Quận 1",
		Book: "01/2010", Number: number, RegisteredOn: vntext.Date{Year: 2010, Month: 3, Day: 5},
		Fields: map[string]string{
			"ho_ten": "Trần Ngọc Bảo Anh", "ngay_sinh": "2010-02-15", "gioi_tinh": "Nữ", "dan_toc": "Kinh",
			"quoc_tich": "Việt Nam", "so_dinh_danh": pid, "me_ho_ten": "Lê Thị Hồng", "me_ngay_sinh": "1985",
		},
	}
	r.ID = r.Identity().RecordID()
	return r
}

// extractStore creates a store with a clean entry and a flagged one, an
// issuing key for Phường Sài Gòn and its signer block. It returns the
// environment the commands run in.
func extractStore(t *testing.T) (envv map[string]string, clean, flagged *registry.Record) {
	t.Helper()
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "hotich.db")
	clean = extractEntry("123", "079310012345")
	flagged = extractEntry("124", "079310099999")
	flagged.Flags = []registry.Flag{{Code: registry.FlagIDMismatch, Field: "so_dinh_danh", Detail: "năm sinh không khớp"}}
	importRecords(t, dbPath, clean, flagged)
	envv = map[string]string{"HOTICH_DB": dbPath, "HOTICH_KEYS": filepath.Join(dir, "keys"), "HOTICH_CLERK": "Nguyễn Văn Cán"}
	issueCLI(t, envv, "ca", "init", "--dir", filepath.Join(dir, "ca"))
	issueCLI(t, envv, "keys", "init", "--issuer", "26740", "--test-ca", filepath.Join(dir, "ca"))
	issueCLI(t, envv, "keys", "signer", "--issuer", "26740", "--capacity", "KT. CHỦ TỊCH", "--title", "PHÓ CHỦ TỊCH", "--name", "Trần Thị Bích", "--by", "admin")
	return envv, clean, flagged
}

func issueCLI(t *testing.T, envv map[string]string, args ...string) string {
	t.Helper()
	out, errOut, code := cli(t, envv, args...)
	if code != 0 {
		t.Fatalf("hotich %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

func needPDFTool(t *testing.T, name string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s not installed (CI=true)", name)
		}
		t.Skipf("%s not installed", name)
	}
}

func TestKeysAndCA(t *testing.T) {
	envv, _, _ := extractStore(t)
	keys := envv["HOTICH_KEYS"]
	for path, mode := range map[string]os.FileMode{filepath.Join(keys, "26740.key"): 0o600, filepath.Join(keys, "26740.crt"): 0o644, filepath.Join(keys, "26740.csr"): 0o644} {
		st, err := os.Stat(path)
		if err != nil || st.Mode().Perm() != mode {
			t.Errorf("%s: %v, mode %v, want %v", path, err, st, mode)
		}
	}
	out := issueCLI(t, envv, "keys", "list")
	if !strings.Contains(out, "CA tin cậy (thử nghiệm)") || !strings.Contains(out, "chứng thư ký (thử nghiệm)") {
		t.Errorf("keys list:\n%s", out)
	}
	// Rotation: a new key and certificate; the old certificate stays.
	ca := filepath.Join(filepath.Dir(keys), "ca")
	issueCLI(t, envv, "keys", "init", "--issuer", "26740", "--test-ca", ca, "--force")
	if out := issueCLI(t, envv, "keys", "list", "--issuer", "26740"); strings.Count(out, "chứng thư ký") != 2 {
		t.Errorf("after a rotation, keys list:\n%s", out)
	}
}

func TestExtractCLI(t *testing.T) {
	envv, clean, flagged := extractStore(t)
	dir := t.TempDir()
	pdf := filepath.Join(dir, "ks.pdf")
	out := issueCLI(t, envv, "extract", "--id", clean.ID, "--requester", "Trần Văn Ơn", "-o", pdf)
	if !strings.Contains(out, "Đã cấp bản sao số 1/2025/TLKS-BS") {
		t.Fatalf("stdout: %s", out)
	}
	if st, err := os.Stat(pdf); err != nil || st.Mode().Perm() != 0o644 {
		t.Fatalf("%s: %v %v", pdf, err, st)
	}

	t.Run("Verify", func(t *testing.T) {
		out := issueCLI(t, envv, "verify", pdf)
		if !strings.Contains(out, "HỢP LỆ") || strings.Contains(out, "chưa kiểm tra") {
			t.Errorf("verify:\n%s", out)
		}
	})
	t.Run("VerifyOfflineWithoutTrustIsUnverifiable", func(t *testing.T) {
		out, _, code := cli(t, envv, "verify", "--offline", pdf)
		if code != 6 || strings.Contains(out, "KHÔNG HỢP LỆ") || !strings.Contains(out, "KHÔNG KIỂM TRA ĐƯỢC") {
			t.Errorf("exit %d:\n%s", code, out)
		}
	})
	t.Run("VerifyOfflineWithTrust", func(t *testing.T) {
		ca := filepath.Join(filepath.Dir(envv["HOTICH_KEYS"]), "ca", "test-ca.crt")
		out, _, code := cli(t, envv, "verify", "--offline", "--trust", ca, pdf)
		if code != 0 || !strings.Contains(out, "chưa kiểm tra: sổ cấp") || strings.Contains(out, "✓ có trong sổ cấp") {
			t.Errorf("exit %d:\n%s", code, out)
		}
	})
	t.Run("VerifyPayloadShowsValues", func(t *testing.T) {
		var p string
		for _, iss := range issuesOf(t, envv, clean.ID) {
			p = iss
		}
		out := issueCLI(t, envv, "verify", "--payload", p)
		for _, want := range []string{"Họ, chữ đệm, tên: TRẦN NGỌC BẢO ANH", "Ngày, tháng, năm sinh: 15/02/2010", "Số bản sao: 1/2025/TLKS-BS"} {
			if !strings.Contains(out, want) {
				t.Errorf("verify --payload does not show %q:\n%s", want, out)
			}
		}
	})
	t.Run("RefusedUnderReview", func(t *testing.T) {
		_, _, code := cli(t, envv, "extract", "--id", flagged.ID, "-o", filepath.Join(dir, "f.pdf"))
		if code != 3 {
			t.Errorf("exit %d, want 3", code)
		}
	})
	t.Run("UsageErrors", func(t *testing.T) {
		for _, args := range [][]string{
			{"extract", "--id", clean.ID, "--copies", "0", "-o", filepath.Join(dir, "c0.pdf")},
			{"extract", "--dinh-danh", "07931-ABC", "--register", "KS", "-o", filepath.Join(dir, "d.pdf")},
		} {
			if _, _, code := cli(t, envv, args...); code != 2 {
				t.Errorf("hotich %s: exit %d, want 2", strings.Join(args, " "), code)
			}
		}
	})
	t.Run("SignerRequired", func(t *testing.T) {
		_, errOut, code := cli(t, envv, "extract", "--id", clean.ID, "--issuer", "26743", "-o", filepath.Join(dir, "x.pdf"))
		if code == 0 || !strings.Contains(errOut, "26743") {
			t.Errorf("exit %d: %s", code, errOut)
		}
	})
}

// issuesOf returns the payloads logged for a record.
func issuesOf(t *testing.T, envv map[string]string, id string) []string {
	t.Helper()
	out := issueCLI(t, envv, "issued", "--record", id, "--json")
	var ps []string
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		var v struct{ Payload string }
		if err := json.Unmarshal([]byte(l), &v); err != nil {
			t.Fatal(err)
		}
		ps = append(ps, v.Payload)
	}
	return ps
}

var serialRE = regexp.MustCompile(`(\d+)-2025-TLKS-BS_`)

func TestExtractBatchResumes(t *testing.T) {
	envv, clean, flagged := extractStore(t)
	list := filepath.Join(t.TempDir(), "ids.txt")
	os.WriteFile(list, []byte(clean.ID+"\n"+flagged.ID+"\n"), 0o644)
	out := filepath.Join(t.TempDir(), "ban-sao")
	os.MkdirAll(out, 0o755)
	stale := filepath.Join(out, ".hotich-tmp-999999999-x.pdf.123")
	os.WriteFile(stale, []byte("partial"), 0o644)
	_, _, code := cli(t, envv, "extract", "--batch", list, "-o", out)
	if code != 3 {
		t.Fatalf("exit %d, want 3 (one refused)", code)
	}
	if _, err := os.Stat(stale); err == nil {
		t.Error("a stale temporary file was left")
	}
	files, _ := filepath.Glob(filepath.Join(out, "*.pdf"))
	if len(files) != 1 {
		t.Fatalf("files %v", files)
	}
	first, _ := os.ReadFile(files[0])
	// The file lost after the issue was logged: a re-run writes it again,
	// the same bytes under the same serial, and issues nothing new.
	os.Remove(files[0])
	o, _, _ := cli(t, envv, "extract", "--batch", list, "-o", out)
	again, err := os.ReadFile(files[0])
	if err != nil || !bytes.Equal(again, first) {
		t.Fatalf("re-run did not write the same file again: %v\n%s", err, o)
	}
	if n := len(issuesOf(t, envv, clean.ID)); n != 1 {
		t.Fatalf("%d issues of %s after the re-run, want 1", n, clean.ID)
	}
	// A re-run with everything in place issues nothing.
	cli(t, envv, "extract", "--batch", list, "-o", out)
	if n := len(issuesOf(t, envv, clean.ID)); n != 1 {
		t.Fatalf("%d issues after a third run, want 1", n)
	}
}

// TestExtractWithTSA: with a time-stamping authority set (keys tsa), a copy
// is issued only with its timestamp: a TSA that does not answer stops the
// issue, which is not logged; cleared, copies issue again.
func TestExtractWithTSA(t *testing.T) {
	envv, clean, _ := extractStore(t)
	var asked int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked++
		http.Error(w, "down", http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	issueCLI(t, envv, "keys", "tsa", "--by", "admin", srv.URL+"/tsa")
	pdf := filepath.Join(t.TempDir(), "ks.pdf")
	_, errOut, code := cli(t, envv, "extract", "--id", clean.ID, "-o", pdf)
	if code == 0 || asked == 0 || !strings.Contains(errOut, "dấu thời gian") {
		t.Fatalf("exit %d, TSA asked %d times:\n%s", code, asked, errOut)
	}
	if out := issueCLI(t, envv, "issued", "--record", clean.ID, "--json"); strings.TrimSpace(out) != "" {
		t.Fatalf("a copy without its timestamp was logged: %s", out)
	}
	if _, err := os.Stat(pdf); err == nil {
		t.Fatal("a file was written")
	}
	if _, _, code := cli(t, envv, "keys", "tsa", "--by", "admin", "ftp://x"); code != 2 {
		t.Errorf("keys tsa ftp://x: exit %d, want 2", code)
	}
	issueCLI(t, envv, "keys", "tsa", "--by", "admin", "")
	issueCLI(t, envv, "extract", "--id", clean.ID, "-o", pdf)
}
