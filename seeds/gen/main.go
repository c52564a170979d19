// Command gen derives the reference data under seeds/ from its sources: the
// administrative-unit compilations and the ethnic-group list of
// ../shared/refdata, and Debian's iso-codes for countries. The output is
// committed; run this again only when a source changes:
//
//	go run ./seeds/gen -refdata ../shared/refdata -out seeds
//
// Every file it writes is sorted by code, so a re-run with the same sources
// gives byte-identical output.
package main

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

func main() {
	refdata := flag.String("refdata", "../shared/refdata", "folder of the administrative-unit and ethnic-group sources")
	isoJSON := flag.String("iso3166", "/usr/share/iso-codes/json/iso_3166-1.json", "iso-codes ISO 3166-1 JSON (Debian package iso-codes)")
	isoMO := flag.String("iso3166-vi", "/usr/share/locale/vi/LC_MESSAGES/iso_3166-1.mo", "iso-codes Vietnamese translations (msgunfmt reads it)")
	out := flag.String("out", "seeds", "output folder")
	flag.Parse()
	if err := run(*refdata, *isoJSON, *isoMO, *out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(refdata, isoJSON, isoMO, out string) error {
	if err := adminUnitsBefore(filepath.Join(refdata, "admin-units-2025-03-01.json"), filepath.Join(out, "admin_units_2025-03-01.csv")); err != nil {
		return err
	}
	if err := adminUnitsAfter(filepath.Join(refdata, "admin-units-2025-07-01-merges.json"), out); err != nil {
		return err
	}
	if err := ethnicGroups(filepath.Join(refdata, "ethnic-groups-qd121.csv"), filepath.Join(out, "ethnic_groups.csv")); err != nil {
		return err
	}
	return countries(isoJSON, isoMO, filepath.Join(out, "countries.csv"))
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

func writeCSV(path string, header []string, rows [][]string) error {
	sort.SliceStable(rows, func(i, j int) bool {
		for k := range rows[i] {
			if rows[i][k] != rows[j][k] {
				return rows[i][k] < rows[j][k]
			}
		}
		return false
	})
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write(header)
	w.WriteAll(rows)
	if err := w.Error(); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "%s: %d rows\n", path, len(rows))
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

// adminUnitsBefore flattens the 1 March 2025 tree: province (level 1),
// district (level 2), commune (level 3), each with its parent and province.
func adminUnitsBefore(src, dst string) error {
	var doc struct {
		Data []struct {
			ID     string `json:"level1_id"`
			Name   string `json:"name"`
			Type   string `json:"type"`
			Level2 []struct {
				ID     string `json:"level2_id"`
				Name   string `json:"name"`
				Type   string `json:"type"`
				Level3 []struct {
					ID   string `json:"level3_id"`
					Name string `json:"name"`
					Type string `json:"type"`
				} `json:"level3s"`
			} `json:"level2s"`
		} `json:"data"`
	}
	if err := readJSON(src, &doc); err != nil {
		return err
	}
	var rows [][]string
	for _, p := range doc.Data {
		rows = append(rows, []string{p.ID, "1", p.Type, p.Name, "", p.ID})
		for _, d := range p.Level2 {
			rows = append(rows, []string{d.ID, "2", d.Type, d.Name, p.ID, p.ID})
			for _, c := range d.Level3 {
				rows = append(rows, []string{c.ID, "3", typeFromName(c.Type, c.Name), c.Name, d.ID, p.ID})
			}
		}
	}
	return writeCSV(dst, []string{"code", "level", "type", "name", "parent_code", "province_code"}, rows)
}

// adminUnitsAfter writes the units in force from 1 July 2025 (provinces and
// communes; the district level was abolished) and the succession table: for
// each new unit, the old units merged into it, wholly or in part.
func adminUnitsAfter(src, out string) error {
	var doc struct {
		Data []struct {
			ID     string  `json:"level1_id"`
			Name   string  `json:"name"`
			Merges []merge `json:"merges"`
			Level2 []struct {
				ID     string  `json:"level2_id"`
				Name   string  `json:"name"`
				Merges []merge `json:"merges"`
			} `json:"level2s"`
		} `json:"data"`
	}
	if err := readJSON(src, &doc); err != nil {
		return err
	}
	var units, succ [][]string
	for _, p := range doc.Data {
		units = append(units, []string{p.ID, "1", unitType(p.Name), p.Name, p.ID})
		for _, m := range p.Merges {
			succ = append(succ, []string{m.OldID, m.Name, p.ID, p.Name, m.Type})
		}
		for _, c := range p.Level2 {
			units = append(units, []string{c.ID, "3", unitType(c.Name), c.Name, p.ID})
			for _, m := range c.Merges {
				succ = append(succ, []string{m.OldID, m.Name, c.ID, c.Name, m.Type})
			}
		}
	}
	if err := writeCSV(filepath.Join(out, "admin_units_2025-07-01.csv"), []string{"code", "level", "type", "name", "province_code"}, units); err != nil {
		return err
	}
	return writeCSV(filepath.Join(out, "admin_successions_2025-07-01.csv"), []string{"old_code", "old_name", "new_code", "new_name", "kind"}, succ)
}

type merge struct {
	OldID string `json:"old_id"`
	Name  string `json:"name"`
	Type  string `json:"type"`
}

// typeFromName corrects a unit type that its own name contradicts: the
// March 2025 compilation types Phường 5 and Phường 15 of Phú Nhuận (27046,
// 27076) as "Xã".
func typeFromName(typ, name string) string {
	if t := unitType(name); t != "" && t != typ {
		fmt.Fprintf(os.Stderr, "unit %q typed %q: using %q from its name\n", name, typ, t)
		return t
	}
	return typ
}

// unitType reads a unit's type from its name, as the 2025 sources give none.
func unitType(name string) string {
	for _, t := range []string{"Thành phố", "Tỉnh", "Phường", "Xã", "Thị trấn", "Đặc khu"} {
		if strings.HasPrefix(name, t+" ") {
			return t
		}
	}
	return ""
}

// ethnicAliases are spellings seen in the field for the groups of QĐ 121
// whose variants a folding comparison (case, diacritics, hyphens, spaces)
// does not already equate.
var ethnicAliases = map[string][]string{
	"01": {"Việt"},
	"04": {"Hán"},
	"05": {"Khmer", "Khơ-me Krôm"},
	"08": {"H'Mông", "Mông", "Hmông", "Mèo"},
	"10": {"Jrai", "Gia Lai"},
	"12": {"Rhađê", "Ede"},
	"13": {"Bahnar"},
	"16": {"K'Ho", "Kơho"},
	"17": {"Chàm"},
	"19": {"H're"},
	"20": {"M'Nông"},
	"22": {"X'Tiêng", "Stiêng"},
	"23": {"Vân Kiều", "Bru"},
	"27": {"Giẻ Triêng", "Giẻ-Triêng"},
	"29": {"Khmu", "Khơ Mú"},
	"36": {"Churu"},
	"47": {"Cờ Lao"},
}

func ethnicGroups(src, dst string) error {
	f, err := os.Open(src)
	if err != nil {
		return err
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return fmt.Errorf("%s: %w", src, err)
	}
	var rows [][]string
	for _, r := range recs[1:] {
		rows = append(rows, []string{r[0], r[1], strings.Join(ethnicAliases[r[0]], "|")})
	}
	if len(rows) != 54 {
		return fmt.Errorf("%s: %d ethnic groups, want 54", src, len(rows))
	}
	return writeCSV(dst, []string{"code", "name", "aliases"}, rows)
}

// countryNames gives the names Vietnamese civil-status documents use where
// iso-codes' translation is absent or not the usual one, and common variants.
var countryNames = map[string][]string{
	"VN": {"Việt Nam", "Viet Nam", "Vietnam", "VN"},
	"KR": {"Hàn Quốc", "Đại Hàn", "Nam Hàn"},
	"KP": {"Triều Tiên", "Bắc Triều Tiên"},
	"US": {"Hoa Kỳ", "Mỹ"},
	"CN": {"Trung Quốc"},
	"TW": {"Đài Loan", "Đài Loan (Trung Quốc)"},
	"HK": {"Hồng Kông", "Hồng Kông (Trung Quốc)"},
	"JP": {"Nhật Bản", "Nhật"},
	"AU": {"Úc", "Ô-xtrây-li-a", "Australia"},
	"LA": {"Lào"},
	"KH": {"Campuchia", "Cam-pu-chia"},
	"TH": {"Thái Lan"},
	"FR": {"Pháp"},
	"DE": {"Đức", "CHLB Đức"},
	"GB": {"Vương quốc Anh", "Anh"},
	"RU": {"Liên bang Nga", "Nga"},
	"CA": {"Canada", "Ca-na-đa"},
	"SG": {"Singapore", "Xinh-ga-po"},
	"MY": {"Malaysia", "Ma-lai-xi-a"},
	"PH": {"Philippines", "Phi-líp-pin"},
	"ID": {"Indonesia", "In-đô-nê-xi-a"},
	"IN": {"Ấn Độ"},
	"NL": {"Hà Lan"},
	"BE": {"Bỉ"},
	"CH": {"Thụy Sĩ", "Thuỵ Sĩ"},
	"SE": {"Thụy Điển", "Thuỵ Điển"},
	"NO": {"Na Uy"},
	"DK": {"Đan Mạch"},
	"FI": {"Phần Lan"},
	"IT": {"Italia", "Ý"},
	"ES": {"Tây Ban Nha"},
	"PT": {"Bồ Đào Nha"},
	"PL": {"Ba Lan"},
	"CZ": {"Séc", "Cộng hòa Séc"},
	"NZ": {"New Zealand", "Niu Di-lân"},
	"MM": {"Myanmar", "Mi-an-ma"},
	"BR": {"Brazil", "Bra-xin"},
	"CU": {"Cu Ba", "Cuba"},
	"UA": {"Ukraine", "U-crai-na"},
}

func countries(isoJSON, isoMO, dst string) error {
	var doc struct {
		List []struct {
			Alpha2  string `json:"alpha_2"`
			Alpha3  string `json:"alpha_3"`
			Numeric string `json:"numeric"`
			Name    string `json:"name"`
			Common  string `json:"common_name"`
		} `json:"3166-1"`
	}
	if err := readJSON(isoJSON, &doc); err != nil {
		return err
	}
	vi, err := readMO(isoMO)
	if err != nil {
		return err
	}
	var rows [][]string
	for _, c := range doc.List {
		names := countryNames[c.Alpha2]
		nameVi := vi[c.Name]
		if len(names) > 0 {
			nameVi = names[0]
		}
		if nameVi == "" {
			nameVi = c.Name
		}
		var aliases []string
		for _, a := range append(append([]string{}, names...), vi[c.Name], c.Name, c.Common) {
			if a != "" && a != nameVi && !contains(aliases, a) {
				aliases = append(aliases, a)
			}
		}
		rows = append(rows, []string{c.Alpha2, c.Alpha3, c.Numeric, nameVi, c.Name, strings.Join(aliases, "|")})
	}
	return writeCSV(dst, []string{"alpha2", "alpha3", "numeric", "name_vi", "name_en", "aliases"}, rows)
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// readMO reads a gettext catalogue with msgunfmt (package gettext) into a
// msgid -> msgstr map.
func readMO(path string) (map[string]string, error) {
	out, err := exec.Command("msgunfmt", "--no-wrap", path).Output()
	if err != nil {
		return nil, fmt.Errorf("msgunfmt %s: %w", path, err)
	}
	m := map[string]string{}
	var id string
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "msgid "):
			id, _ = strconv.Unquote(strings.TrimPrefix(line, "msgid "))
		case strings.HasPrefix(line, "msgstr "):
			s, _ := strconv.Unquote(strings.TrimPrefix(line, "msgstr "))
			if id != "" && s != "" {
				m[id] = s
			}
		}
	}
	return m, sc.Err()
}
