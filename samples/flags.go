package samples

import (
	"flag"
	"fmt"
	"strconv"
	"strings"

	"github.com/hotich/hotich/registry"
)

// BindFlags defines the generator's flags on fs, bound to c, so that
// "go run ./samples/gen" takes these flags. Call the
// returned function after fs.Parse: it reads the list- and range-valued
// flags into c and applies --plain.
func (c *Config) BindFlags(fs *flag.FlagSet) func() error {
	d := *c
	fs.IntVar(&c.Entries, "entries", d.Entries, "entries (data rows of the register books); rescans add rows")
	fs.Uint64Var(&c.Seed, "seed", d.Seed, "seed: the same seed and flags give byte-identical files")
	registers := fs.String("registers", FormatWeights(d.Registers, registry.Registers), "register mix, `KS=w,...`")
	rows := fs.String("rows", fmt.Sprintf("%d-%d", d.RowsMin, d.RowsMax), "rows per book file, `MIN-MAX`")
	years := fs.String("years", fmt.Sprintf("%d-%d", d.YearFrom, d.YearTo), "registration years, `FROM-TO` within 1976-2025")
	formats := fs.String("formats", FormatWeights(d.Formats, Formats), "containers and weights, `LIST` or all: "+joinNames(Formats))
	encodings := fs.String("encodings", FormatWeights(d.Encodings, Encodings), "encodings of CSV/TSV files and weights, `LIST` or all: "+joinNames(Encodings))
	fs.BoolVar(&c.Cover, "cover", d.Cover, "make every listed container and encoding appear at least once")
	fs.Float64Var(&c.MojibakeRate, "mojibake", d.MojibakeRate, "share of UTF-8 files with mojibake cells")
	fs.Float64Var(&c.RescanRate, "rescans", d.RescanRate, "share of books scanned again")
	fs.Float64Var(&c.ConflictRate, "conflicts", d.ConflictRate, "share of rescan rows that disagree with the first scan")
	fs.Float64Var(&c.BadRowRate, "bad", d.BadRowRate, "share of rows to be rejected")
	fs.Float64Var(&c.FlaggedRate, "flagged", d.FlaggedRate, "share of rows made to raise a flag")
	fs.Float64Var(&c.DuplicateBirthRate, "dup-births", d.DuplicateBirthRate, "share of births registered a second time under another identity")
	fs.Float64Var(&c.DuplicateOtherRate, "dup-others", d.DuplicateOtherRate, "share of deaths, marriages and recognitions registered twice")
	fs.Float64Var(&c.HardNegativeRate, "hard-negatives", d.HardNegativeRate, "look-alike pairs of each kind per birth entry")
	plain := fs.Bool("plain", false, "plain preset: UTF-8 comma CSV, full canonical header, no bad rows (for the sqlite3 .import baseline)")
	fs.BoolVar(&c.TruthFields, "truth-fields", d.TruthFields, "write each row's expected stored values into truth/rows.jsonl")
	fs.IntVar(&c.Workers, "workers", d.Workers, "books generated in parallel (0: all cores)")
	fs.BoolVar(&c.Clean, "clean", d.Clean, "replace the files of an earlier run in OUT/batches and OUT/truth")
	return func() error {
		var err error
		if c.Registers, err = ParseWeights(*registers, registry.Registers, ParseRegisterCode); err != nil {
			return fmt.Errorf("-registers: %w", err)
		}
		if c.Formats, err = ParseWeights(*formats, Formats, ParseFormat); err != nil {
			return fmt.Errorf("-formats: %w", err)
		}
		if c.Encodings, err = ParseWeights(*encodings, Encodings, ParseEncoding); err != nil {
			return fmt.Errorf("-encodings: %w", err)
		}
		if c.RowsMin, c.RowsMax, err = parseRange(*rows); err != nil {
			return fmt.Errorf("-rows: %w", err)
		}
		if c.YearFrom, c.YearTo, err = parseRange(*years); err != nil {
			return fmt.Errorf("-years: %w", err)
		}
		if *plain {
			c.SetPlain()
		}
		return c.Validate()
	}
}

// parseRange parses "MIN-MAX" or a single number.
func parseRange(s string) (int, int, error) {
	a, b, ok := strings.Cut(strings.TrimSpace(s), "-")
	lo, err := strconv.Atoi(strings.TrimSpace(a))
	if err != nil {
		return 0, 0, fmt.Errorf("%q is not MIN-MAX", s)
	}
	if !ok {
		return lo, lo, nil
	}
	hi, err := strconv.Atoi(strings.TrimSpace(b))
	if err != nil || hi < lo {
		return 0, 0, fmt.Errorf("%q is not MIN-MAX", s)
	}
	return lo, hi, nil
}
