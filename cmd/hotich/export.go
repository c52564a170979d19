package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hotich/hotich/internal/atomicfile"
	"github.com/hotich/hotich/registry"
	"github.com/hotich/hotich/registry/jsonl"
)

func init() {
	register("export", "export the store: the full JSONL dump, or the ministry's XML", runExport)
}

// exportFormat is one export format. flags adds the format's own flags to
// the export's FlagSet and returns the function that runs the export once
// they are parsed.
type exportFormat struct {
	summary string // one line in the export's usage
	usage   string // the format's own usage text, shown by -h with --format
	flags   func(fs *flag.FlagSet) exportRun
}

// exportRun writes an export of db to out.
type exportRun func(ctx context.Context, e *env, db registry.Store, out string) error

// exportFormats lists the formats; each lives in its own file.
var exportFormats = map[string]exportFormat{
	"jsonl": {
		summary: "the operator's full dump, one record per line, sorted by id (-o FILE, default stdout)",
		flags:   func(*flag.FlagSet) exportRun { return exportJSONL },
	},
}

const exportUsage = `
Usage: hotich export --format FORMAT [--db PATH] [-o OUT] [format flags]

Exports the store. Formats:
%s
"hotich export --format FORMAT -h" shows a format's own flags.

Examples:

	hotich export --format jsonl > records.jsonl
	hotich export --format jsonl -o /data/dump-2025-06-09.jsonl
`

func runExport(ctx context.Context, e *env, args []string) error {
	name := formatArg(args)
	f, ok := exportFormats[name]
	if !ok {
		return usageError(fmt.Sprintf("export: unknown format %q", name))
	}
	usage := f.usage
	if usage == "" {
		var formats []string
		for n, f := range exportFormats {
			formats = append(formats, fmt.Sprintf("\t%-9s %s\n", n, f.summary))
		}
		sort.Strings(formats)
		usage = fmt.Sprintf(exportUsage, strings.Join(formats, ""))
	}
	fs := newFlagSet(e, "export", usage)
	dbPath := dbFlag(fs)
	fs.String("format", "jsonl", "export format: "+strings.Join(formatNames(), ", "))
	out := fs.String("o", "", "output file or folder (format-dependent)")
	fs.StringVar(out, "out", "", "same as -o")
	runFormat := f.flags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError(fmt.Sprintf("export: unexpected arguments %q", fs.Args()))
	}
	db, err := openStore(ctx, e, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	return runFormat(ctx, e, db, *out)
}

// formatArg finds the value of --format among the export's arguments
// before they are parsed, since the format decides which flags exist.
func formatArg(args []string) string {
	for i, a := range args {
		if a == "--" {
			break
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !strings.HasPrefix(a, "-") || name != "format" {
			continue
		}
		if !hasValue && i+1 < len(args) {
			value = args[i+1]
		}
		return value
	}
	return "jsonl"
}

func formatNames() []string {
	var names []string
	for n := range exportFormats {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func exportJSONL(ctx context.Context, e *env, db registry.Store, out string) error {
	return writeAtomically(e, out, func(w io.Writer) error {
		jw := jsonl.NewWriter(w)
		n := 0
		err := db.EachRecord(ctx, func(r *registry.Record) error {
			n++
			return jw.Write(r)
		})
		if err != nil {
			return err
		}
		e.log.Info("exported", "format", "jsonl", "records", n)
		return jw.Flush()
	})
}

// writeAtomically runs write on stdout when path is "" or "-", otherwise on
// a file that appears under path only once complete and synced.
func writeAtomically(e *env, path string, write func(io.Writer) error) error {
	if path == "" || path == "-" {
		return write(e.stdout)
	}
	// A run killed while writing left its temporary file beside path.
	if _, err := atomicfile.RemoveStale(filepath.Dir(path)); err != nil {
		return err
	}
	return atomicfile.Write(path, atomicfile.Public, write)
}
