package main

import (
	"bufio"
	"context"
	"flag"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"github.com/hotich/hotich/internal/atomicfile"
	"github.com/hotich/hotich/registry"
)

var updateScreenshots = flag.Bool("update-screenshots", false, "write docs/desk-search.png and docs/desk-record.png from TestBrowser's pages")

// needChromium returns the path of Debian's Chromium; the test skips
// without it, and fails when CI=true.
func needChromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium not installed (CI=true)")
	}
	t.Skip("chromium not installed")
	return ""
}

// sampleStore ingests the committed sample batches into a new store with
// a test CA, the key and signer block of Phường Sài Gòn (26740), its
// first administrator and a clerk of that unit (lan, password
// testPassword). It returns the
// environment the commands run in.
func sampleStore(t *testing.T) map[string]string {
	t.Helper()
	dir := t.TempDir()
	envv := map[string]string{"HOTICH_DB": filepath.Join(dir, "hotich.db"), "HOTICH_KEYS": filepath.Join(dir, "keys"), "HOTICH_LOG": "warn", "USER": "test"}
	issueCLI(t, envv, "ingest", "--quiet", "--rejects", filepath.Join(dir, "rejects"), filepath.Join("..", "..", "samples", "batches"))
	issueCLI(t, envv, "ca", "init", "--dir", filepath.Join(dir, "ca"))
	issueCLI(t, envv, "keys", "init", "--issuer", "26740", "--test-ca", filepath.Join(dir, "ca"))
	issueCLI(t, envv, "keys", "signer", "--issuer", "26740", "--capacity", "KT. CHỦ TỊCH", "--title", "PHÓ CHỦ TỊCH", "--name", "Trần Thị Bích", "--by", "admin")
	wantExit(t, envv, testPassword, 0, "users", "add", "--username", "admin", "--unit", "26740", "--duties", "admin")
	wantExit(t, envv, testPassword, 0, "users", "add", "--username", "lan", "--name", "Nguyễn Thị Lan", "--unit", "26740", "--duties", "clerk", "--user", "admin")
	return envv
}

// freeAddr returns a local address no one listens on at the moment.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// serveProcess starts hotich serve as a real process (the test binary as
// the command) on the store of envv, with the verification URLs of its
// copies pointing at itself. It returns the desk's URL and a function that
// stops it with SIGTERM and returns its exit error.
func serveProcess(t *testing.T, envv map[string]string) (base string, stop func() error) {
	t.Helper()
	var cmd *exec.Cmd
	var lines chan string
	for try := 0; base == ""; try++ {
		// The port is free when picked; another process may take it before
		// serve listens: then serve exits busy (5), and another is picked.
		addr := freeAddr(t)
		cmd = childCommand("serve", "--addr", addr, "--base-url", "http://"+addr)
		for k, v := range envv {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
		errPipe, err := cmd.StderrPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines = make(chan string, 100)
		go func() {
			sc := bufio.NewScanner(errPipe)
			for sc.Scan() {
				lines <- sc.Text()
			}
			close(lines)
		}()
		var seen []string
		timeout := time.After(60 * time.Second)
	wait:
		for {
			select {
			case l, ok := <-lines:
				if !ok {
					err := cmd.Wait()
					if ee, isExit := err.(*exec.ExitError); isExit && ee.ExitCode() == 5 && try < 2 {
						break wait
					}
					t.Fatalf("serve exited (%v):\n%s", err, strings.Join(seen, "\n"))
				}
				seen = append(seen, l)
				if m := listeningRE.FindStringSubmatch(l); m != nil {
					base = m[1]
					break wait
				}
			case <-timeout:
				cmd.Process.Kill()
				t.Fatalf("serve did not start:\n%s", strings.Join(seen, "\n"))
			}
		}
	}
	go func() { // the access log, drained so that serve never blocks on it
		for range lines {
		}
	}()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var once sync.Once
	var stopErr error
	stop = func() error {
		once.Do(func() {
			cmd.Process.Signal(syscall.SIGTERM)
			select {
			case stopErr = <-done:
			case <-time.After(30 * time.Second):
				cmd.Process.Kill()
				stopErr = <-done
			}
		})
		return stopErr
	}
	t.Cleanup(func() { stop() })
	return base, stop
}

// newBrowser starts a headless Chromium with an empty profile and returns
// a tab's context. Its output goes to the test log when the test fails.
func newBrowser(t *testing.T, execPath string) context.Context {
	t.Helper()
	out := &lockedBuffer{}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(execPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
		chromedp.CombinedOutput(out),
	)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
		if t.Failed() {
			t.Logf("chromium's output:\n%s", out)
		}
	})
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting chromium: %v\n%s", err, out)
	}
	return ctx
}

// sampleEntry picks from the sample store a birth of "Nguyễn Văn An"
// with a full birth date and nothing under review, so that a clerk may
// issue a copy of it.
func sampleEntry(t *testing.T, envv map[string]string) registry.RecordSummary {
	t.Helper()
	for _, r := range searchJSON(t, envv, "--name", "nguyen van an") {
		if r.Register == registry.Birth && r.Name == "Nguyễn Văn An" && len(r.BirthDate) == len("2006-01-02") &&
			r.OpenFlags == 0 && r.OpenConflicts == 0 && r.LinksInReview == 0 {
			return r
		}
	}
	t.Fatal("the samples hold no clean birth entry of Nguyễn Văn An")
	return registry.RecordSummary{}
}

// step runs browser actions, failing the test with what it was doing.
func step(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(sctx, actions...); err != nil {
		t.Fatalf("%s: %v\n%s", what, err, pageState(ctx))
	}
}

// pageState tells where the tab is and what it shows, for a failure.
func pageState(ctx context.Context) string {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		return "(the tab does not answer: " + err.Error() + ")"
	}
	body, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("body")))
	if err != nil {
		body = "(no body: " + err.Error() + ")"
	}
	return "at " + loc + ":\n" + body
}

// text returns the visible text of the first element a CSS selector finds.
func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	s, err := chromedp.Run(sctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

// screenshot writes the tab's viewport to docs/NAME when the test runs
// with -update-screenshots.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	if !*updateScreenshots {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := atomicfile.WriteFile(filepath.Join("..", "..", "docs", name), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

func ptr[T any](v T) *T { return &v }

// TestBrowser: the desk in a real headless Chromium against a real
// hotich serve process on the ingested samples. A clerk signs in, finds
// "nguyen van an" by name and year of birth, opens the record, issues a
// copy, downloads it (read back with pdftotext), opens the URL its QR code
// holds (decoded with zbarimg) and sees it valid, revokes it and sees it
// revoked; five wrong passwords then lock the account. The audit trail of
// all that verifies, and stops verifying once one row is edited with
// sqlite3.
func TestBrowser(t *testing.T) {
	chromium := needChromium(t)
	for _, tool := range []string{"pdftotext", "pdftoppm", "zbarimg", "sqlite3"} {
		needPDFTool(t, tool)
	}
	envv := sampleStore(t)
	want := sampleEntry(t, envv)
	year := want.BirthDate[:4]
	base, stop := serveProcess(t, envv)
	ctx := newBrowser(t, chromium)
	password := strings.TrimSpace(testPassword)

	// signIn fills in the login form and waits for the element that
	// follows: the search form, or the error.
	signIn := func(pw, then string) {
		t.Helper()
		step(t, ctx, "login",
			chromedp.Navigate(base+"/dang-nhap"),
			chromedp.WaitVisible(chromedp.ID("dang-nhap")),
			chromedp.SendKeys(chromedp.ID("ten-dang-nhap"), "lan"),
			chromedp.SendKeys(chromedp.ID("mat-khau"), pw),
			chromedp.Click(chromedp.ID("dang-nhap-gui")),
			chromedp.WaitVisible(chromedp.ID(then)),
		)
	}
	signIn(password, "tra-cuu")

	// Search by name, without diacritics, and year of birth.
	row := `#ket-qua tr[data-record-id="` + want.ID + `"]`
	step(t, ctx, "search",
		chromedp.SendKeys(chromedp.ID("ho-ten"), "nguyen van an"),
		chromedp.SendKeys(chromedp.ID("ngay-sinh"), year),
		chromedp.Click(chromedp.ID("tim")),
		chromedp.WaitVisible(chromedp.ID("kq")),
	)
	born := want.BirthDate[8:10] + "/" + want.BirthDate[5:7] + "/" + year // as the desk writes it
	if got := text(t, ctx, row); !strings.Contains(got, "Nguyễn Văn An") || !strings.Contains(got, born) {
		t.Fatalf("the result row of %s reads %q", want.ID, got)
	}
	screenshot(t, ctx, "desk-search.png")

	// The record.
	step(t, ctx, "open the record",
		chromedp.Click(chromedp.CSS(row+" a")),
		chromedp.WaitVisible(chromedp.ID("ban-ghi")),
	)
	if got := text(t, ctx, "#ban-ghi"); !strings.Contains(got, want.ID) || !strings.Contains(got, "Nguyễn Văn An") || !strings.Contains(got, "Dòng nguồn") {
		t.Fatalf("record page:\n%s", got)
	}
	screenshot(t, ctx, "desk-record.png")

	// Issue a copy: form, preview, issue.
	step(t, ctx, "issue a copy",
		chromedp.Click(chromedp.ID("cap-ban-sao")),
		chromedp.WaitVisible(chromedp.ID("form-cap")),
		chromedp.SendKeys(chromedp.ID("nguoi-yeu-cau"), "Trần Văn Ơn"),
		chromedp.Click(chromedp.ID("xem")),
		chromedp.WaitVisible(chromedp.ID("xem-truoc")),
		chromedp.Click(chromedp.ID("cap")),
		chromedp.WaitVisible(chromedp.ID("so-ban-sao")),
	)
	serial := strings.TrimSpace(text(t, ctx, "#so-ban-sao"))
	if !strings.HasSuffix(serial, "/TLKS-BS") {
		t.Fatalf("issued serial %q", serial)
	}
	issuedURL, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}

	// Download it as the browser does, into a folder of our own.
	downloads := t.TempDir()
	dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	progress := chromedp.Events(dctx, browser.DownloadProgress)
	step(t, dctx, "download",
		chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Call(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
				Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: downloads, EventsEnabled: ptr(true)})
			return err
		}),
		chromedp.Click(chromedp.ID("tai-ve")),
	)
	var pdfPath string
	for ev, err := range progress {
		if err != nil {
			t.Fatalf("download: %v", err)
		}
		if ev.State == browser.DownloadProgressStateCanceled {
			t.Fatal("download canceled")
		}
		if ev.State == browser.DownloadProgressStateCompleted {
			pdfPath = filepath.Join(downloads, ev.GUID)
			break
		}
	}
	txt, err := exec.Command("pdftotext", "-layout", pdfPath, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext %s: %v", pdfPath, err)
	}
	for _, w := range []string{"TRÍCH LỤC KHAI SINH", "NGUYỄN VĂN AN", "Số: " + serial, "Trần Thị Bích"} {
		if !strings.Contains(string(txt), w) {
			t.Errorf("the downloaded copy lacks %q:\n%s", w, txt)
		}
	}

	// The QR code's URL, as a phone would read it from the paper.
	verifyURL := readQR(t, pdfPath)
	if !strings.HasPrefix(verifyURL, base+"/xac-thuc/"+strings.ReplaceAll(serial, "/", "-")+"?m=") {
		t.Fatalf("the QR code holds %q", verifyURL)
	}
	step(t, ctx, "verify", chromedp.Navigate(verifyURL), chromedp.WaitVisible(chromedp.ID("trang-thai")))
	if got := text(t, ctx, "#trang-thai"); !strings.Contains(got, "còn hiệu lực") {
		t.Errorf("verification page of a new copy: %q", got)
	}
	if got := text(t, ctx, "#thong-tin"); !strings.Contains(got, serial) || !strings.Contains(got, "NGUYỄN VĂN AN") {
		t.Errorf("verification page shows:\n%s", got)
	}

	// Revoke it; the same URL then says so.
	step(t, ctx, "revoke",
		chromedp.Navigate(issuedURL),
		chromedp.WaitVisible(chromedp.ID("thu-hoi")),
		chromedp.SendKeys(chromedp.ID("ly-do-thu-hoi"), "cấp nhầm người yêu cầu"),
		chromedp.Submit(chromedp.ID("ly-do-thu-hoi")),
		chromedp.WaitVisible(chromedp.ID("thong-bao")),
	)
	if got := text(t, ctx, "#tinh-trang"); !strings.Contains(got, "đã thu hồi") {
		t.Errorf("issued page after revoking: %q", got)
	}
	step(t, ctx, "verify again", chromedp.Navigate(verifyURL), chromedp.WaitVisible(chromedp.ID("trang-thai")))
	if got := text(t, ctx, "#trang-thai"); !strings.Contains(got, "đã thu hồi") {
		t.Errorf("verification page of a revoked copy: %q", got)
	}

	// Log out; five wrong passwords lock the account, and then the right
	// one is refused too.
	step(t, ctx, "log out",
		chromedp.Navigate(base+"/tra-cuu"),
		chromedp.Click(chromedp.ID("dang-xuat")),
		chromedp.WaitVisible(chromedp.ID("dang-nhap")),
	)
	try := func(pw string) string {
		t.Helper()
		signIn(pw, "loi")
		return text(t, ctx, "#loi")
	}
	for i := 1; i <= 5; i++ {
		got := try("sai mật khẩu " + strconv.Itoa(i))
		if locked := strings.Contains(got, "tạm khóa"); locked != (i == 5) {
			t.Errorf("wrong password %d: %q", i, got)
		}
	}
	if got := try(password); !strings.Contains(got, "tạm khóa") {
		t.Errorf("the right password after the lock: %q", got)
	}

	if err := stop(); err != nil {
		t.Fatalf("serve after SIGTERM: %v", err)
	}

	// The trail holds what the clerk did, and verifies.
	trail := issueCLI(t, envv, "audit", "list", "--user", "lan")
	for _, action := range []string{"login", "search", "view", "issue", "download", "revoke", "login_failed"} {
		if !strings.Contains(trail, " "+action+" ") {
			t.Errorf("the trail lacks a %s:\n%s", action, trail)
		}
	}
	if out := issueCLI(t, envv, "audit", "verify"); !strings.Contains(out, "nguyên vẹn") {
		t.Fatalf("audit verify: %s", out)
	}
	// Edit one row with sqlite3, as someone with the file could: verify
	// then fails.
	edit := `DROP TRIGGER audit_no_update; UPDATE audit_log SET detail = 'không có gì' WHERE seq = (SELECT min(seq) FROM audit_log WHERE action = 'issue');`
	if out, err := exec.Command("sqlite3", envv["HOTICH_DB"], edit).CombinedOutput(); err != nil {
		t.Fatalf("sqlite3: %v %s", err, out)
	}
	out, errOut, code := cli(t, envv, "audit", "verify")
	if code != 1 || !strings.Contains(errOut, "không còn nguyên vẹn") {
		t.Errorf("audit verify after an edit: exit %d\n%s%s", code, out, errOut)
	}
}
