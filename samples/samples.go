// Package samples generates realistic ward batch files, in every container
// and text encoding of the batch format (docs/batch-format.md),
// together with the ground truth that the ingest and the deduplication are
// scored against.
//
// A run writes OUT/batches/ (the batch files, one register book per file, plus
// rescans of some books) and OUT/truth/: rows.jsonl (the expected outcome and
// stored values of every data row, in ingest order), pairs.jsonl (every pair
// of records that record the same event under different identities, and every
// designed hard negative) and summary.json (counts). Output is a pure function
// of the Config: the same seed and configuration give byte-identical files,
// whatever the number of workers. Memory stays flat with the number of entries:
// books are generated one group at a time and the truth is streamed.
package samples

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/hotich/hotich/registry"
)

// Format is a batch container as the batch format accepts it.
type Format string

// The containers.
const (
	CSVComma     Format = "csv-comma"     // .csv, comma-separated
	CSVSemicolon Format = "csv-semicolon" // .csv, semicolon-separated (Excel in a comma-decimal locale)
	CSVTab       Format = "csv-tab"       // .csv, TAB-separated
	TSV          Format = "tsv"           // .tsv
	XLSX         Format = "xlsx"          // .xlsx, first sheet
	JSONL        Format = "jsonl"         // .jsonl, one object per line
)

// Formats lists the containers in a fixed order.
var Formats = []Format{CSVComma, CSVSemicolon, CSVTab, TSV, XLSX, JSONL}

// Ext returns the file name extension of f, with its dot.
func (f Format) Ext() string {
	switch f {
	case TSV:
		return ".tsv"
	case XLSX:
		return ".xlsx"
	case JSONL:
		return ".jsonl"
	}
	return ".csv"
}

// textual reports whether f is a text file whose bytes carry a text
// encoding (CSV, TSV); XLSX is always Unicode and JSONL always UTF-8.
func (f Format) textual() bool { return f != XLSX && f != JSONL }

// Encoding is the text encoding of a CSV or TSV batch file.
type Encoding string

// The encodings.
const (
	UTF8    Encoding = "utf8"     // UTF-8, NFC, no BOM
	UTF8BOM Encoding = "utf8-bom" // UTF-8 with a byte-order mark (Excel's "CSV UTF-8")
	UTF8NFD Encoding = "utf8-nfd" // UTF-8 in decomposed form (macOS tools)
	UTF16LE Encoding = "utf16le"  // UTF-16 little-endian with BOM (Excel's "Unicode text")
	UTF16BE Encoding = "utf16be"  // UTF-16 big-endian with BOM
	CP1258  Encoding = "cp1258"   // Windows-1258
	TCVN3   Encoding = "tcvn3"    // TCVN 5712:1993 VN3 (.VnTime fonts)
	VNI     Encoding = "vni"      // VNI-Windows
	VISCII  Encoding = "viscii"   // VISCII
)

// Encodings lists the encodings in a fixed order.
var Encodings = []Encoding{UTF8, UTF8BOM, UTF8NFD, UTF16LE, UTF16BE, CP1258, TCVN3, VNI, VISCII}

// Config says what to generate. The zero value is not useful: start from
// DefaultConfig.
type Config struct {
	// Entries is the number of data rows of the register books (original
	// files); rescans add their rows on top.
	Entries int
	// Seed selects the corpus: the same Seed and Config give the same bytes.
	Seed uint64
	// Registers weighs the share of each register's entries.
	Registers map[registry.Register]float64
	// RowsMin and RowsMax bound the rows of one book file.
	RowsMin, RowsMax int
	// YearFrom and YearTo bound the registration years (at most 2025: the
	// generator registers nothing after 30 June 2025, when the wards of
	// 1 March 2025 ceased to exist).
	YearFrom, YearTo int
	// Formats and Encodings weigh the containers and the text encodings of
	// CSV/TSV files. With Cover, every one with a weight appears at least
	// once when there are enough files.
	Formats   map[Format]float64
	Encodings map[Encoding]float64
	Cover     bool
	// MojibakeRate is the share of UTF-8 files in which some cells hold
	// mojibake (UTF-8 read once as Windows-1252 and saved again as UTF-8).
	MojibakeRate float64
	// RescanRate is the share of books that are scanned a second time (a
	// tenth of those a third time); ConflictRate the share of rescan rows
	// that disagree with the first scan on a field.
	RescanRate   float64
	ConflictRate float64
	// BadRowRate is the share of rows made unreadable as a register entry
	// (each reject kind in turn); FlaggedRate the share of rows made to
	// raise one flag (each flag kind in turn, conflicts aside).
	BadRowRate  float64
	FlaggedRate float64
	// DuplicateBirthRate and DuplicateOtherRate are the shares of birth and
	// of other events registered a second time under another identity
	// (re-registration, a second ward, a keying error in book or number).
	DuplicateBirthRate float64
	DuplicateOtherRate float64
	// HardNegativeRate is, per kind (twins, siblings, father and son,
	// common name), the number of designed look-alike pairs per birth entry.
	HardNegativeRate float64
	// Plain makes every file a UTF-8 comma CSV with the full canonical
	// header in canonical order, with no bad rows, no mojibake and no extra
	// columns: the rows sqlite3 .import can load as they are.
	Plain bool
	// TruthFields writes each row's expected stored values into
	// truth/rows.jsonl (true by default; false keeps the truth small for
	// very large corpora).
	TruthFields bool
	// Workers is the number of books generated in parallel (0: GOMAXPROCS).
	Workers int
	// Clean removes the files of an earlier run from OUT/batches and
	// OUT/truth first; without it Generate refuses a non-empty batches
	// folder.
	Clean bool
	// Progress, if set, is called from one goroutine after each file with
	// the rows written so far and the rows planned.
	Progress func(done, total int64)
}

// DefaultConfig returns the configuration of a realistic corpus: 10,000
// entries, every container and encoding, a few percent of bad and flagged
// rows, rescans, duplicate registrations and hard negatives.
func DefaultConfig() Config {
	return Config{
		Entries:  10000,
		Seed:     1,
		RowsMin:  100,
		RowsMax:  600,
		YearFrom: 1976,
		YearTo:   2025,
		Registers: map[registry.Register]float64{
			registry.Birth: 60, registry.Death: 25, registry.Marriage: 12, registry.Recognition: 3,
		},
		Formats: map[Format]float64{
			CSVComma: 35, CSVSemicolon: 10, CSVTab: 5, TSV: 10, XLSX: 25, JSONL: 15,
		},
		Encodings: map[Encoding]float64{
			UTF8: 30, UTF8BOM: 15, UTF8NFD: 5, UTF16LE: 6, UTF16BE: 2, CP1258: 8, TCVN3: 17, VNI: 12, VISCII: 5,
		},
		Cover:              true,
		MojibakeRate:       0.15,
		RescanRate:         0.08,
		ConflictRate:       0.05,
		BadRowRate:         0.02,
		FlaggedRate:        0.02,
		DuplicateBirthRate: 0.03,
		DuplicateOtherRate: 0.01,
		HardNegativeRate:   0.005,
		TruthFields:        true,
	}
}

// SetPlain turns c into the plain preset (see Config.Plain).
func (c *Config) SetPlain() {
	c.Plain = true
	c.Formats = map[Format]float64{CSVComma: 1}
	c.Encodings = map[Encoding]float64{UTF8: 1}
	c.BadRowRate = 0
	c.MojibakeRate = 0
}

// Validate checks c.
func (c *Config) Validate() error {
	switch {
	case c.Entries < 1:
		return fmt.Errorf("entries must be at least 1")
	case c.RowsMin < 1 || c.RowsMax < c.RowsMin:
		return fmt.Errorf("rows per file %d-%d: need 1 <= min <= max", c.RowsMin, c.RowsMax)
	case c.RowsMax > 9000:
		return fmt.Errorf("rows per file at most 9000 (one register book)")
	case c.YearFrom < 1976 || c.YearTo > 2025 || c.YearTo < c.YearFrom:
		return fmt.Errorf("years %d-%d: must lie within 1976-2025", c.YearFrom, c.YearTo)
	}
	for name, r := range map[string]float64{
		"mojibake": c.MojibakeRate, "rescans": c.RescanRate, "conflicts": c.ConflictRate,
		"bad": c.BadRowRate, "flagged": c.FlaggedRate, "dup-births": c.DuplicateBirthRate,
		"dup-others": c.DuplicateOtherRate, "hard-negatives": c.HardNegativeRate,
	} {
		if r < 0 || r > 0.5 {
			return fmt.Errorf("rate %s = %v: must lie within 0-0.5", name, r)
		}
	}
	if c.BadRowRate+c.FlaggedRate > 0.5 {
		return fmt.Errorf("bad + flagged rates must not exceed 0.5")
	}
	if sumWeights(c.Registers, registry.Registers) <= 0 {
		return fmt.Errorf("no register has a weight")
	}
	if sumWeights(c.Formats, Formats) <= 0 {
		return fmt.Errorf("no format has a weight")
	}
	text := false
	for f, w := range c.Formats {
		text = text || (w > 0 && f.textual())
	}
	if text && sumWeights(c.Encodings, Encodings) <= 0 {
		return fmt.Errorf("no encoding has a weight")
	}
	for k := range c.Registers {
		if !k.Valid() {
			return fmt.Errorf("unknown register %q", k)
		}
	}
	for k := range c.Formats {
		if !contains(Formats, k) {
			return fmt.Errorf("unknown format %q", k)
		}
	}
	for k := range c.Encodings {
		if !contains(Encodings, k) {
			return fmt.Errorf("unknown encoding %q", k)
		}
	}
	return nil
}

func contains[T comparable](list []T, v T) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func sumWeights[K comparable](m map[K]float64, order []K) float64 {
	s := 0.0
	for _, k := range order {
		if m[k] > 0 {
			s += m[k]
		}
	}
	return s
}

// ParseWeights parses a weight list such as "KS=60,KT=25" or "xlsx,jsonl"
// (equal weights) into a map; parse converts and checks each name. "all"
// alone gives every name of all equal weight.
func ParseWeights[K comparable](s string, all []K, parse func(string) (K, error)) (map[K]float64, error) {
	m := map[K]float64{}
	s = strings.TrimSpace(s)
	if s == "all" {
		for _, k := range all {
			m[k] = 1
		}
		return m, nil
	}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, w, hasW := strings.Cut(part, "=")
		k, err := parse(strings.TrimSpace(name))
		if err != nil {
			return nil, err
		}
		weight := 1.0
		if hasW {
			weight, err = strconv.ParseFloat(strings.TrimSpace(w), 64)
			if err != nil || weight < 0 {
				return nil, fmt.Errorf("weight of %s: %q is not a non-negative number", name, w)
			}
		}
		m[k] = weight
	}
	if len(m) == 0 {
		return nil, fmt.Errorf("empty list")
	}
	return m, nil
}

// ParseFormat parses a container name.
func ParseFormat(s string) (Format, error) {
	f := Format(strings.ToLower(s))
	if f == "csv" {
		return CSVComma, nil
	}
	if !contains(Formats, f) {
		return "", fmt.Errorf("unknown format %q (one of %s)", s, joinNames(Formats))
	}
	return f, nil
}

// ParseEncoding parses an encoding name.
func ParseEncoding(s string) (Encoding, error) {
	e := Encoding(strings.ToLower(strings.ReplaceAll(s, "_", "-")))
	switch e {
	case "utf-8":
		e = UTF8
	case "utf-16le":
		e = UTF16LE
	case "utf-16be":
		e = UTF16BE
	case "windows-1258":
		e = CP1258
	}
	if !contains(Encodings, e) {
		return "", fmt.Errorf("unknown encoding %q (one of %s)", s, joinNames(Encodings))
	}
	return e, nil
}

// ParseRegisterCode parses a register code for ParseWeights.
func ParseRegisterCode(s string) (registry.Register, error) {
	return registry.ParseRegister(s)
}

func joinNames[T ~string](list []T) string {
	s := make([]string, len(list))
	for i, v := range list {
		s[i] = string(v)
	}
	return strings.Join(s, ", ")
}

// FormatWeights writes a weight map back in ParseWeights form, in the order
// of all.
func FormatWeights[K ~string](m map[K]float64, all []K) string {
	var parts []string
	for _, k := range all {
		if w, ok := m[k]; ok {
			parts = append(parts, string(k)+"="+strconv.FormatFloat(w, 'g', -1, 64))
		}
	}
	return strings.Join(parts, ",")
}

// Counts are row outcomes.
type Counts struct {
	Rows     int64
	Accepted int64
	Flagged  int64
	Rejected int64
	Records  int64 // distinct records the stored rows make
}

func (c *Counts) add(o Counts) {
	c.Rows += o.Rows
	c.Accepted += o.Accepted
	c.Flagged += o.Flagged
	c.Rejected += o.Rejected
	c.Records += o.Records
}

// Summary is what a run produced; truth/summary.json holds the same and the
// per-file counts.
type Summary struct {
	Files         int
	Counts                                     // every row
	Registers     map[registry.Register]Counts // per register
	Rejects       map[registry.RejectCode]int64
	Flags         map[registry.FlagCode]int64
	Duplicates    int            // duplicate pairs in pairs.jsonl
	HardNegatives map[string]int // designed hard-negative pairs by type
}

func sortedKeys[K ~string, V any](m map[K]V) []K {
	ks := make([]K, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Slice(ks, func(i, j int) bool { return ks[i] < ks[j] })
	return ks
}
