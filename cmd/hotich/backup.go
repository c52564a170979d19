package main

import (
	"context"
	"fmt"
)

func init() {
	register("backup", "copy the whole store into a backup file, consistently, while others work", runBackup)
	register("restore", "restore a store from a backup file made by hotich backup", runRestore)
}

const backupUsage = `
Usage: hotich backup [--db PATH] --out FILE [--json]

Copies the whole store into FILE with SQLite's online backup API, as it was
when the backup began: ingests, clerks and exports go on meanwhile. FILE
holds everything a site needs to carry on (records and their batch rows,
rejects, flags, conflicts, links, the event log, the issue log, signing keys'
public halves and signer blocks); the ministry export is not a backup. The
file appears complete or not at all, readable by its owner only (it holds
the personal data of every entry), with FILE.sha256 beside it (sha256sum -c
checks it). An existing FILE is never overwritten.

Examples:

	hotich backup --out /backup/hotich-$(date +%F).db
	hotich backup --db /data/hotich.db --out /mnt/usb/hotich.db --json
`

func runBackup(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "backup", backupUsage)
	dbPath := dbFlag(fs)
	out := fs.String("out", "", "backup file to write (required)")
	asJSON := fs.Bool("json", false, "print what was written as JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return usageError(fmt.Sprintf("backup: unexpected argument %q", fs.Arg(0)))
	}
	if *out == "" {
		fs.Usage()
		return usageError("backup: --out FILE is required")
	}
	db, err := openStore(ctx, e, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	info, err := db.Backup(ctx, *out)
	if err != nil {
		return err
	}
	e.log.Info("backup written", "path", info.Path, "bytes", info.Bytes, "watermark", info.Watermark)
	if *asJSON {
		return printJSON(e.stdout, info)
	}
	fmt.Fprintf(e.stdout, "Đã sao lưu %d bản ghi (đến sự kiện số %d) vào %s: %d byte, SHA-256 %s (trong %s.sha256).\n",
		info.Records, info.Watermark, info.Path, info.Bytes, info.SHA256, info.Path)
	return nil
}

const restoreUsage = `
Usage: hotich restore [--db PATH] --from FILE [--replace]

Restores the store from a backup made by hotich backup: checks FILE against
FILE.sha256 and with SQLite's quick_check, copies it into the store with
the online backup API, applies the migrations of this release if the backup
is older, and checks the restored store (as hotich check). Without a store
at PATH it creates one; an existing store is replaced only with --replace,
and not while a bulk job (ingest, import, dedup) runs on it. Processes that
have the store open see the restored store.

Examples:

	hotich restore --from /backup/hotich-2025-06-09.db --db /data/hotich.db
	hotich restore --from /mnt/usb/hotich.db --replace
`

func runRestore(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "restore", restoreUsage)
	dbPath := dbFlag(fs)
	from := fs.String("from", "", "backup file (required)")
	replace := fs.Bool("replace", false, "replace the existing store")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return usageError(fmt.Sprintf("restore: unexpected argument %q", fs.Arg(0)))
	}
	if *from == "" {
		fs.Usage()
		return usageError("restore: --from FILE is required")
	}
	path := storePath(e, *dbPath)
	db, err := restoreStore(ctx, e, *from, path, *replace)
	if err != nil {
		return err
	}
	defer db.Close()
	fmt.Fprintf(e.stdout, "Đã khôi phục kho %s từ %s.\n", path, *from)
	return runCheck(ctx, e, []string{"--db", path})
}
