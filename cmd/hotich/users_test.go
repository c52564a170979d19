package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/hotich/hotich/registry/sqlite"
)

// cliIn is cli with standard input.
func cliIn(tb testing.TB, envv map[string]string, stdin string, args ...string) (stdout, stderr string, code int) {
	tb.Helper()
	var out, errb bytes.Buffer
	err := runAt(context.Background(), testClock, args, strings.NewReader(stdin), &out, &errb, func(k string) string { return envv[k] })
	code = exitCode(err, &errb)
	return out.String(), errb.String(), code
}

func wantExit(t *testing.T, envv map[string]string, stdin string, code int, args ...string) string {
	t.Helper()
	out, errOut, got := cliIn(t, envv, stdin, args...)
	if got != code {
		t.Fatalf("hotich %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), got, code, out, errOut)
	}
	return out + errOut
}

const testPassword = "một câu dài dễ nhớ\n"

func TestUsers(t *testing.T) {
	envv := searchStore(t)
	envv["USER"] = "root"
	// The first account must be an admin, and needs no --user.
	wantExit(t, envv, testPassword, 1, "users", "add", "--username", "lan", "--unit", "26740", "--duties", "clerk")
	out := wantExit(t, envv, testPassword, 0, "users", "add", "--username", "admin", "--unit", "26740", "--duties", "admin,clerk")
	if !strings.Contains(out, "Đã tạo tài khoản admin") {
		t.Errorf("add: %s", out)
	}
	// After it, an admin must be named.
	wantExit(t, envv, testPassword, 2, "users", "add", "--username", "lan", "--unit", "26740", "--duties", "clerk")
	wantExit(t, envv, testPassword, 4, "users", "add", "--username", "lan", "--unit", "26740", "--duties", "clerk", "--user", "nobody")
	wantExit(t, envv, testPassword, 0, "users", "add", "--username", "lan", "--name", "Nguyễn Thị Lan", "--unit", "26740", "--duties", "clerk", "--user", "admin")
	// A clerk is no admin.
	out = wantExit(t, envv, testPassword, 3, "users", "add", "--username", "binh", "--unit", "26743", "--duties", "reviewer", "--user", "lan")
	if !strings.Contains(out, "không có quyền quản trị") {
		t.Errorf("a clerk adding an account: %s", out)
	}
	// Passwords come from standard input, never from a flag; rules apply.
	wantExit(t, envv, "", 1, "users", "add", "--username", "binh", "--unit", "26743", "--duties", "reviewer", "--user", "admin")
	wantExit(t, envv, "", 2, "users", "add", "--username", "binh", "--password", "một câu dài dễ nhớ", "--unit", "26743", "--duties", "reviewer", "--user", "admin")
	out = wantExit(t, envv, "ngắn\n", 1, "users", "passwd", "--user", "admin", "lan")
	if !strings.Contains(out, "ít nhất 10 ký tự") {
		t.Errorf("weak password: %s", out)
	}
	wantExit(t, envv, "một câu mới khác hẳn\n", 0, "users", "passwd", "--user", "admin", "lan")
	wantExit(t, envv, "", 2, "users", "add", "--username", "binh", "--unit", "26743", "--duties", "boss", "--user", "admin")
	wantExit(t, envv, testPassword, 1, "users", "add", "--username", "binh", "--unit", "26734", "--duties", "reviewer", "--user", "admin") // not a unit of today
	wantExit(t, envv, "", 0, "users", "disable", "--user", "admin", "lan")

	out = wantExit(t, envv, "", 0, "users", "list")
	if !strings.Contains(out, "admin") || !strings.Contains(out, "Nguyễn Thị Lan") || !strings.Contains(out, "đã vô hiệu hóa") || strings.Contains(out, "argon2") {
		t.Errorf("list:\n%s", out)
	}
	var list []struct {
		Username string   `json:"username"`
		Duties   []string `json:"duties"`
		Disabled bool     `json:"disabled"`
	}
	if err := json.Unmarshal([]byte(wantExit(t, envv, "", 0, "users", "list", "--json")), &list); err != nil || len(list) != 2 || !list[1].Disabled || list[0].Duties[0] != "admin" {
		t.Errorf("list --json: %+v %v", list, err)
	}
	wantExit(t, envv, "", 0, "users", "enable", "--user", "admin", "lan")

	// The trail: who did what to which account, from the command line.
	out = wantExit(t, envv, "", 0, "audit", "list", "--record", "user:lan")
	for _, want := range []string{"user_add", "user_password", "user_disable", "user_enable", "cli:root"} {
		if !strings.Contains(out, want) {
			t.Errorf("audit list --record user:lan lacks %s:\n%s", want, out)
		}
	}
	if strings.Contains(out, "câu") {
		t.Error("a password reached the trail")
	}
}

func TestAuditCommands(t *testing.T) {
	envv := searchStore(t)
	envv["USER"] = "root"
	wantExit(t, envv, testPassword, 0, "users", "add", "--username", "admin", "--unit", "26740", "--duties", "admin,clerk")
	wantExit(t, envv, testPassword, 0, "users", "add", "--username", "lan", "--unit", "26740", "--duties", "clerk", "--user", "admin")
	wantExit(t, envv, testPassword, 0, "users", "add", "--username", "binh", "--unit", "26743", "--duties", "reviewer", "--user", "admin")

	out := wantExit(t, envv, "", 0, "audit", "verify")
	if !strings.Contains(out, "nguyên vẹn: 3 dòng") {
		t.Errorf("verify: %s", out)
	}
	var entries []struct {
		Seq    int64  `json:"seq"`
		Actor  string `json:"actor"`
		Action string `json:"action"`
		Target string `json:"target"`
	}
	if err := json.Unmarshal([]byte(wantExit(t, envv, "", 0, "audit", "list", "--user", "admin", "--json")), &entries); err != nil || len(entries) != 2 || entries[1].Target != "user:binh" {
		t.Errorf("list --user admin: %+v %v", entries, err)
	}
	if out := wantExit(t, envv, "", 0, "audit", "list", "--since", "10/06/2025"); !strings.Contains(out, "Không có dòng nào") {
		t.Errorf("--since after the clock: %s", out)
	}
	if out := wantExit(t, envv, "", 0, "audit", "list", "--since", "2025-06-09", "--limit", "1"); !strings.Contains(out, "còn nữa") {
		t.Errorf("--limit 1: %s", out)
	}
	wantExit(t, envv, "", 2, "audit", "list", "--since", "2025")

	// Someone with sqlite3 edits an entry: verify fails and says where.
	db, err := sqlite.OpenExisting(context.Background(), envv["HOTICH_DB"])
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`DROP TRIGGER audit_no_update`, `UPDATE audit_log SET unit = '26743' WHERE seq = 2`} {
		if _, err := db.SQL().Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	out = wantExit(t, envv, "", 1, "audit", "verify")
	if !strings.Contains(out, "dòng số 2") {
		t.Errorf("verify after an edit: %s", out)
	}
}

// TestCLIUser: --user makes the command line act as a desk account, with
// its duties and its unit's registers; --by works as before for scripts;
// both are audited.
func TestCLIUser(t *testing.T) {
	envv := searchStore(t)
	envv["USER"] = "root"
	wantExit(t, envv, testPassword, 0, "users", "add", "--username", "admin", "--unit", "26740", "--duties", "admin")
	for _, a := range [][]string{{"duyet", "26740", "reviewer"}, {"duyetb", "26743", "reviewer"}, {"thu", "26740", "clerk"}} {
		wantExit(t, envv, testPassword, 0, "users", "add", "--username", a[0], "--name", "Người "+a[0], "--unit", a[1], "--duties", a[2], "--user", "admin")
	}
	ks := searchJSON(t, envv, "--register", "KS", "--authority", "26740", "--book", "01/2016", "--number", "12")[0].ID
	kt := searchJSON(t, envv, "--register", "KT", "--authority", "26743", "--book", "01/2020", "--number", "5")[0].ID

	out := wantExit(t, envv, "", 3, "correct", "--user", "duyetb", "--basis", "QĐ 1", ks, "noi_sinh=Bệnh viện Từ Dũ")
	if !strings.Contains(out, "26740") {
		t.Errorf("another unit's reviewer: %s", out)
	}
	wantExit(t, envv, "", 3, "correct", "--user", "thu", "--basis", "QĐ 1", ks, "noi_sinh=Bệnh viện Từ Dũ")
	wantExit(t, envv, "", 4, "correct", "--user", "nobody", "--basis", "QĐ 1", ks, "noi_sinh=Bệnh viện Từ Dũ")
	wantExit(t, envv, "", 2, "correct", "--user", "duyet", "--by", "x", "--basis", "QĐ 1", ks, "noi_sinh=Bệnh viện Từ Dũ")
	if out := wantExit(t, envv, "", 0, "show", ks); strings.Contains(out, "Từ Dũ") {
		t.Fatal("a refused correction changed the entry")
	}
	wantExit(t, envv, "", 0, "correct", "--user", "duyet", "--basis", "QĐ 1", ks, "noi_sinh=Bệnh viện Từ Dũ")
	wantExit(t, envv, "", 0, "correct", "--user", "duyetb", "--basis", "QĐ 2", kt, "noi_chet=Nhà riêng")
	wantExit(t, envv, "", 0, "correct", "--by", "Trần Văn Bình", "--basis", "QĐ 3", kt, "noi_chet=Bệnh viện Chợ Rẫy")
	if out := wantExit(t, envv, "", 0, "show", "--json", ks); !strings.Contains(out, "Từ Dũ") {
		t.Errorf("correction as duyet not applied:\n%s", out)
	}

	var entries []struct {
		Actor, Unit, Action, Target, Detail, Addr string
	}
	if err := json.Unmarshal([]byte(wantExit(t, envv, "", 0, "audit", "list", "--all", "--json")), &entries); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, en := range entries {
		if en.Action != "user_add" {
			got = append(got, en.Actor+" "+en.Action+" "+en.Target+" "+en.Addr)
		}
	}
	want := []string{"duyetb forbidden " + ks + " cli:root", "thu forbidden  cli:root", "duyet correct " + ks + " cli:root",
		"duyetb correct " + kt + " cli:root", "- correct " + kt + " cli:root"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("trail:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
