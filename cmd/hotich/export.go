package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hotich/hotich/registry"
	"github.com/hotich/hotich/registry/jsonl"
	"github.com/hotich/hotich/registry/sqlite"
)

func init() {
	register("export", "export the store: the full JSONL dump, or the ministry's XML", runExport)
}

// exportFormat writes one export format. args are the flags left after the
// common ones, for formats with flags of their own.
type exportFormat struct {
	usage string
	run   func(ctx context.Context, e *env, db *sqlite.DB, out string, args []string) error
}

// exportFormats lists the formats; each lives in its own file.
var exportFormats = map[string]exportFormat{
	"jsonl": {usage: "the operator's full dump, one record per line, sorted by id (-o FILE, default stdout)", run: exportJSONL},
}

const exportUsage = `
Usage: hotich export --format FORMAT [--db PATH] [-o OUT] [format flags]

Exports the store. Formats:
%s
Examples:

	hotich export --format jsonl > records.jsonl
	hotich export --format jsonl -o /data/dump-2025-06-09.jsonl
`

func runExport(ctx context.Context, e *env, args []string) error {
	var formats []string
	for name, f := range exportFormats {
		formats = append(formats, fmt.Sprintf("\t%-9s %s\n", name, f.usage))
	}
	sort.Strings(formats)
	fs := newFlagSet(e, "export", fmt.Sprintf(exportUsage, strings.Join(formats, "")))
	dbPath := dbFlag(fs)
	format := fs.String("format", "jsonl", "export format")
	out := fs.String("o", "", "output file or folder (format-dependent)")
	fs.StringVar(out, "out", "", "same as -o")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	f, ok := exportFormats[*format]
	if !ok {
		return usageError(fmt.Sprintf("export: unknown format %q", *format))
	}
	db, err := openStore(ctx, e, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	return f.run(ctx, e, db, *out, fs.Args())
}

func exportJSONL(ctx context.Context, e *env, db *sqlite.DB, out string, args []string) error {
	if len(args) > 0 {
		return usageError(fmt.Sprintf("export: unexpected arguments %q", args))
	}
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
// a temporary file renamed to path once complete and synced, so a reader
// never sees half a file under the final name.
func writeAtomically(e *env, path string, write func(io.Writer) error) error {
	if path == "" || path == "-" {
		return write(e.stdout)
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	if err := write(f); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
