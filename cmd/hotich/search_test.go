package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hotich/hotich/registry"
)

// searchStore ingests a small birth batch and a death batch and returns the
// environment the commands run in.
func searchStore(t *testing.T) map[string]string {
	t.Helper()
	dir := t.TempDir()
	batches := filepath.Join(dir, "batches")
	os.MkdirAll(batches, 0o755)
	ks := "loai_so,ma_noi_dang_ky,noi_dang_ky,quyen_so,so,ngay_dang_ky,ho_ten,ngay_sinh,gioi_tinh,so_dinh_danh,me_ho_ten,me_ngay_sinh,cha_ho_ten,ghi_chu\n" +
		"KS,26740,UBND Phường Bến Nghé,01/2016,12,25/05/2016,Nguyễn Thị Thuý,20/05/2016,Nữ,079316012345,Trần Thị Lan,1990,Nguyễn Văn Hùng,\n" +
		"KS,26740,UBND Phường Bến Nghé,01/2016,13,26/05/2016,Nguyễn Thị Thúy,2015,Nữ,,Lê Thị Hoa,1988,,\n" +
		"KS,26740,UBND Phường Bến Nghé,01/2016,14,27/05/2016,Nguyễn Thị Thuỷ,21/05/2016,Nữ,,Phạm Thị Mai,1991,,\"tên có mã \x1b[31mđiều khiển\"\n"
	kt := "loai_so,ma_noi_dang_ky,noi_dang_ky,quyen_so,so,ngay_dang_ky,ho_ten,ngay_sinh,gioi_tinh,ngay_chet,noi_chet\n" +
		"KT,26743,UBND Phường Bến Thành,01/2020,5,03/01/2020,Nguyễn Văn Hùng,1960,Nam,02/01/2020,Bệnh viện Chợ Rẫy\n"
	os.WriteFile(filepath.Join(batches, "ks.csv"), []byte(ks), 0o644)
	os.WriteFile(filepath.Join(batches, "kt.csv"), []byte(kt), 0o644)
	envv := map[string]string{"HOTICH_DB": filepath.Join(dir, "hotich.db"), "HOTICH_LOG": "warn"}
	issueCLI(t, envv, "ingest", "--quiet", "--rejects", filepath.Join(dir, "rejects"), batches)
	return envv
}

func searchJSON(t *testing.T, envv map[string]string, args ...string) []registry.RecordSummary {
	t.Helper()
	out := issueCLI(t, envv, append([]string{"search", "--json"}, args...)...)
	var res []registry.RecordSummary
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("search --json %q: %v\n%s", args, err, out)
	}
	return res
}

func searchIDs(res []registry.RecordSummary) []string {
	var ids []string
	for _, r := range res {
		ids = append(ids, r.Name+"|"+r.Register.Name())
	}
	return ids
}

func TestSearch(t *testing.T) {
	envv := searchStore(t)
	t.Run("NameInsensitive", func(t *testing.T) {
		// Case, diacritics and tone placement (Thuý, Thúy, Thuỷ) do not matter.
		res := searchJSON(t, envv, "--name", "nguyen thi thuy")
		if len(res) != 3 {
			t.Fatalf("found %v, want the three births", searchIDs(res))
		}
	})
	t.Run("NameAndBirth", func(t *testing.T) {
		res := searchJSON(t, envv, "--name", "NGUYỄN THỊ THÚY", "--birth", "20/05/2016")
		// The full date, and the entry that kept only its year (2015) does not match.
		if len(res) != 1 || res[0].BirthDate != "2016-05-20" || res[0].Number != "12" {
			t.Fatalf("found %+v", res)
		}
		if res := searchJSON(t, envv, "--name", "nguyen thi thuy", "--birth", "2015"); len(res) != 1 || res[0].Number != "13" {
			t.Fatalf("by year: %+v", res)
		}
	})
	t.Run("Parent", func(t *testing.T) {
		res := searchJSON(t, envv, "--name", "nguyen thi thuy", "--parent", "tran thi lan")
		if len(res) != 1 || res[0].Number != "12" {
			t.Fatalf("found %+v", res)
		}
	})
	t.Run("PersonalIDAndRole", func(t *testing.T) {
		res := searchJSON(t, envv, "--dinh-danh", "079 316 012345")
		if len(res) != 1 || res[0].HolderName != "Phường Sài Gòn" || res[0].EventDate != "2016-05-20" {
			t.Fatalf("found %+v", res)
		}
		if res := searchJSON(t, envv, "--dinh-danh", "079316012345", "--role", "me"); len(res) != 0 {
			t.Fatalf("--role me found %+v", res)
		}
	})
	t.Run("NameAcrossRegisters", func(t *testing.T) {
		// The father of a birth and the deceased of a death.
		res := searchJSON(t, envv, "--name", "nguyen van hung")
		if len(res) != 2 {
			t.Fatalf("found %v", searchIDs(res))
		}
		if res := searchJSON(t, envv, "--name", "nguyen van hung", "--register", "KT"); len(res) != 1 || res[0].EventDate != "2020-01-02" {
			t.Fatalf("--register KT: %+v", res)
		}
	})
	t.Run("RegisterNumber", func(t *testing.T) {
		res := searchJSON(t, envv, "--register", "KS", "--authority", "26740", "--book", "1/2016", "--number", "013")
		if len(res) != 1 || res[0].Number != "13" {
			t.Fatalf("found %+v", res)
		}
	})
	t.Run("Limit", func(t *testing.T) {
		out, errOut, code := cli(t, envv, "search", "--name", "nguyen thi thuy", "--limit", "2")
		if code != 0 || strings.Count(out, "KS-26740-") != 2 || !strings.Contains(out, "còn nữa") {
			t.Fatalf("exit %d\n%s%s", code, out, errOut)
		}
		out, errOut, _ = cli(t, envv, "search", "--name", "nguyen thi thuy", "--limit", "2", "--json")
		var res []registry.RecordSummary
		if json.Unmarshal([]byte(out), &res) != nil || len(res) != 2 || !strings.Contains(errOut, "còn nữa") {
			t.Fatalf("--json cut: %s / %s", out, errOut)
		}
		if res := searchJSON(t, envv, "--name", "nguyen thi thuy", "--limit", "2", "--all"); len(res) != 3 {
			t.Fatalf("--all: %d", len(res))
		}
	})
	t.Run("ControlCharactersEscaped", func(t *testing.T) {
		out := issueCLI(t, envv, "search", "--name", "nguyen thi thuy", "--birth", "21/05/2016")
		id := strings.Fields(strings.Split(out, "\n")[1])[0]
		out = issueCLI(t, envv, "show", id)
		if strings.ContainsRune(out, 0x1b) || !strings.Contains(out, `\x1b[31m`) {
			t.Errorf("show prints the ESC of a cell raw:\n%q", out)
		}
	})
	t.Run("Usage", func(t *testing.T) {
		for _, args := range [][]string{
			{"search", "--dinh-danh", "07931601234"},
			{"search", "--dinh-danh", "ABC316012345"},
			{"search", "--birth", "2016"},
			{"search", "--name", "x", "--birth", "31/02/2016"},
			{"search", "--register", "KS"},
			{"search", "--register", "KS", "--book", "1"},
			{"search", "--name", "x", "--role", "ông"},
			{"search", "--name", "x", "--limit", "0"},
		} {
			if _, errOut, code := cli(t, envv, args...); code != exitUsage {
				t.Errorf("%q: exit %d, want %d\n%s", args, code, exitUsage, errOut)
			}
		}
		if out, _, code := cli(t, envv, "search", "--name", "không có ai"); code != 0 || !strings.Contains(out, "Không tìm thấy") {
			t.Errorf("no match: exit %d %q", code, out)
		}
	})
}

// TestMistypedStore: a command that reads the store says a mistyped store
// does not exist, with exit status 4, and creates nothing.
func TestMistypedStore(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{
		{"show", "KS-26740-7F3K9Q2MXA"},
		{"search", "--name", "nguyen van an"},
		{"stats"},
		{"flags"},
		{"export", "--format", "jsonl"},
	} {
		db := filepath.Join(dir, "nothere.db")
		_, errOut, code := cli(t, map[string]string{"HOTICH_DB": db}, args...)
		if code != exitNotFound || !strings.Contains(errOut, "không có kho dữ liệu") {
			t.Errorf("%q: exit %d, want %d\n%s", args, code, exitNotFound, errOut)
		}
		if ents, _ := os.ReadDir(dir); len(ents) != 0 {
			t.Fatalf("%q left %v", args, ents)
		}
	}
}
