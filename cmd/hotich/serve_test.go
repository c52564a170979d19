package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// lockedBuffer is a buffer a server goroutine writes while the test reads.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

var listeningRE = regexp.MustCompile(`hotich serve: listening on (http://\S+)`)

// startServe runs hotich serve in-process on a free port and returns its
// URL, its standard error and a function that stops it (SIGTERM's path:
// the context ends) and returns its error.
func startServe(t *testing.T, envv map[string]string, args ...string) (base string, stderr *lockedBuffer, stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stderr = &lockedBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- runAt(ctx, time.Time{}, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...), strings.NewReader(""), io.Discard, stderr, func(k string) string { return envv[k] })
	}()
	deadline := time.Now().Add(30 * time.Second)
	for {
		if m := listeningRE.FindStringSubmatch(stderr.String()); m != nil {
			base = m[1]
			break
		}
		select {
		case err := <-done:
			cancel()
			t.Fatalf("serve ended: %v\n%s", err, stderr)
		default:
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("serve did not start:\n%s", stderr)
		}
		time.Sleep(20 * time.Millisecond)
	}
	var once sync.Once
	var err error
	stop = func() error {
		once.Do(func() { cancel(); err = <-done })
		return err
	}
	t.Cleanup(func() { stop() })
	return base, stderr, stop
}

// deskClient is a browser of the desk: cookies, and the CSRF token of the
// last page read.
type deskClient struct {
	t    *testing.T
	base string
	c    *http.Client
	csrf string
}

var csrfFieldRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func newDeskClient(t *testing.T, base string) *deskClient {
	jar, _ := cookiejar.New(nil)
	return &deskClient{t: t, base: base, c: &http.Client{Jar: jar, Timeout: time.Minute,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (d *deskClient) do(req *http.Request) (*http.Response, []byte) {
	d.t.Helper()
	res, err := d.c.Do(req)
	if err != nil {
		d.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if m := csrfFieldRE.FindSubmatch(body); m != nil {
		d.csrf = string(m[1])
	}
	return res, body
}

func (d *deskClient) get(path string) (*http.Response, string) {
	d.t.Helper()
	req, _ := http.NewRequest("GET", d.base+path, nil)
	res, body := d.do(req)
	return res, string(body)
}

func (d *deskClient) post(path string, form url.Values) (*http.Response, string) {
	d.t.Helper()
	if form.Get("csrf") == "" {
		form.Set("csrf", d.csrf)
	}
	req, _ := http.NewRequest("POST", d.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, body := d.do(req)
	return res, string(body)
}

// TestServe: the desk as hotich serve runs it, on a store with a unit's
// real key: a clerk signs in, finds the entry by name and birth, issues a
// copy, downloads the signed PDF (read back with pdftotext), and the
// verification URL in its QR code says it is valid, then revoked.
func TestServe(t *testing.T) {
	envv, clean, _ := extractStore(t)
	envv["USER"] = "test"
	wantExit(t, envv, testPassword, 0, "users", "add", "--username", "lan", "--name", "Nguyễn Thị Lan", "--unit", "26740", "--duties", "admin,clerk")
	base, stderr, stop := startServe(t, envv, "--base-url", "https://hotich.example.gov.vn")

	d := newDeskClient(t, base)
	if res, body := d.get("/healthz"); res.StatusCode != 200 || !strings.Contains(body, "ok") {
		t.Fatalf("healthz: %d %s", res.StatusCode, body)
	}
	d.get("/dang-nhap")
	if res, _ := d.post("/dang-nhap", url.Values{"username": {"lan"}, "password": {strings.TrimSpace(testPassword)}, "csrf": {d.csrf}}); res.StatusCode != 303 {
		t.Fatalf("login: %d", res.StatusCode)
	}
	d.get("/tra-cuu")
	_, body := d.post("/tra-cuu", url.Values{"ho_ten": {"tran ngoc bao anh"}, "ngay_sinh": {"2010"}})
	if !strings.Contains(body, `data-record-id="`+clean.ID+`"`) {
		t.Fatalf("search did not find %s:\n%s", clean.ID, body)
	}
	d.get("/ban-ghi/" + clean.ID)
	res, body := d.post("/ban-ghi/"+clean.ID+"/cap-ban-sao", url.Values{"nguoi_yeu_cau": {"Trần Văn Ơn"}, "so_ban": {"1"}})
	if res.StatusCode != 303 {
		t.Fatalf("issue: %d\n%s", res.StatusCode, body)
	}
	copyPath := res.Header.Get("Location")
	if copyPath != "/ban-sao/26740/1-2025-TLKS-BS" && !strings.HasPrefix(copyPath, "/ban-sao/26740/1-20") {
		t.Fatalf("issued at %s", copyPath)
	}
	d.get(copyPath)
	res, _ = d.get(copyPath + "/pdf")
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("download: %d", res.StatusCode)
	}
	req, _ := http.NewRequest("GET", d.base+copyPath+"/pdf", nil)
	pres, err := d.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	pdf, _ := io.ReadAll(pres.Body)
	pres.Body.Close()
	pdfPath := filepath.Join(t.TempDir(), "copy.pdf")
	os.WriteFile(pdfPath, pdf, 0o644)

	// The copy as the issue log has it.
	var iss struct {
		Serial         string `json:"serial"`
		Clerk          string `json:"clerk"`
		Payload        string `json:"payload"`
		DocumentSHA256 string `json:"document_sha256"`
	}
	if err := json.Unmarshal([]byte(issueCLI(t, envv, "issued", "--record", clean.ID, "--json")), &iss); err != nil {
		t.Fatal(err)
	}
	if iss.Clerk != "Nguyễn Thị Lan" || !strings.HasPrefix(copyPath, "/ban-sao/26740/"+strings.ReplaceAll(iss.Serial, "/", "-")) {
		t.Errorf("issue log: %+v", iss)
	}
	t.Run("PDF", func(t *testing.T) {
		needPDFTool(t, "pdftotext")
		text, err := exec.Command("pdftotext", "-layout", pdfPath, "-").Output()
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"TRÍCH LỤC KHAI SINH", "TRẦN NGỌC BẢO ANH", "Số: " + iss.Serial, "Trần Thị Bích"} {
			if !strings.Contains(string(text), want) {
				t.Errorf("the copy lacks %q:\n%s", want, text)
			}
		}
	})
	verifyPath := "/xac-thuc/" + strings.ReplaceAll(iss.Serial, "/", "-") + "?m=" + iss.Payload
	t.Run("QR", func(t *testing.T) {
		needPDFTool(t, "pdftoppm")
		needPDFTool(t, "zbarimg")
		if got := readQR(t, pdfPath); got != "https://hotich.example.gov.vn"+verifyPath {
			t.Errorf("QR code holds %q, want the desk's verification URL %q", got, "https://hotich.example.gov.vn"+verifyPath)
		}
	})
	anon := newDeskClient(t, base)
	if _, body := anon.get(verifyPath); !strings.Contains(body, "còn hiệu lực") || !strings.Contains(body, "TRẦN NGỌC BẢO ANH") {
		t.Errorf("verification page:\n%s", body)
	}
	if res, _ := d.post(copyPath+"/thu-hoi", url.Values{"ly_do_thu_hoi": {"cấp nhầm"}}); res.StatusCode != 303 {
		t.Fatalf("revoke: %d", res.StatusCode)
	}
	if _, body := anon.get(verifyPath); !strings.Contains(body, "đã thu hồi") {
		t.Errorf("after revocation:\n%s", body)
	}

	if err := stop(); err != nil {
		t.Fatalf("serve after stop: %v", err)
	}
	log := stderr.String()
	if !strings.Contains(log, "hotich serve: stopped") || !strings.Contains(log, `route="POST /ban-ghi/{id}/cap-ban-sao" status=303`) {
		t.Errorf("serve's log:\n%s", log)
	}
	for _, leak := range []string{"Trần Ngọc Bảo Anh", "tran ngoc bao anh", "TRẦN NGỌC", "079310012345", "Trần Văn Ơn"} {
		if strings.Contains(log, leak) {
			t.Errorf("serve's log holds %q", leak)
		}
	}
	// The trail verifies after all that.
	if out := issueCLI(t, envv, "audit", "verify"); !strings.Contains(out, "nguyên vẹn") {
		t.Error(out)
	}
}

// readQR returns what the QR code on the first page of a PDF holds, read
// from the page rendered at 300 dpi.
func readQR(t *testing.T, pdfPath string) string {
	t.Helper()
	png := filepath.Join(t.TempDir(), "page")
	if out, err := exec.Command("pdftoppm", "-r", "300", "-png", "-f", "1", "-l", "1", "-singlefile", pdfPath, png).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v %s", err, out)
	}
	qr, err := exec.Command("zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", png+".png").Output()
	if err != nil {
		t.Fatalf("zbarimg: %v", err)
	}
	return strings.TrimSpace(string(qr))
}

// TestServeSignal: a real hotich serve process stops gracefully on
// SIGTERM, with exit status 0.
func TestServeSignal(t *testing.T) {
	envv := searchStore(t)
	b, _ := json.Marshal([]string{"serve", "--addr", "127.0.0.1:0", "--db", envv["HOTICH_DB"]})
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+string(b), "HOTICH_LOG=info")
	errPipe, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	lines := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(errPipe)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	var base string
	var seen []string
	timeout := time.After(60 * time.Second)
	for base == "" {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("serve exited:\n%s", strings.Join(seen, "\n"))
			}
			seen = append(seen, l)
			if m := listeningRE.FindStringSubmatch(l); m != nil {
				base = m[1]
			}
		case <-timeout:
			t.Fatalf("serve did not start:\n%s", strings.Join(seen, "\n"))
		}
	}
	res, err := http.Get(base + "/healthz")
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("healthz: %v %v", res, err)
	}
	res.Body.Close()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	for l := range lines {
		seen = append(seen, l)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("exit after SIGTERM: %v\n%s", err, strings.Join(seen, "\n"))
	}
	if !strings.Contains(strings.Join(seen, "\n"), "hotich serve: stopped") {
		t.Errorf("stderr:\n%s", strings.Join(seen, "\n"))
	}
	if _, err := http.Get(base + "/healthz"); err == nil {
		t.Error("still serving after SIGTERM")
	}
}

func TestServeUsage(t *testing.T) {
	envv := searchStore(t)
	for _, args := range [][]string{
		{"serve", "--tls-cert", "a.crt"},
		{"serve", "--base-url", "ftp://x"},
		{"serve", "extra"},
	} {
		if _, _, code := cli(t, envv, args...); code != 2 {
			t.Errorf("%q: exit %d, want 2", args, code)
		}
	}
}
