package main

import (
	"context"
	"fmt"
	"sort"

	"github.com/hotich/hotich/registry"
)

func init() {
	register("stats", "count what the store holds", runStats)
}

const statsUsage = `
Usage: hotich stats [--db PATH] [--json]

Counts records per register, batch rows stored and rejected, batches
(and interrupted ones to resume), open flags per reason, open conflicts,
duplicate links per status, and the store's size.

Examples:

	hotich stats
	hotich stats --json --db /data/hotich.db
`

func runStats(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "stats", statsUsage)
	dbPath := dbFlag(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	db, err := openStore(ctx, e, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	s, err := db.Stats(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(e.stdout, s)
	}
	w := e.stdout
	total := 0
	for _, r := range registry.Registers {
		total += s.Records[string(r)]
	}
	fmt.Fprintf(w, "Bản ghi: %d\n", total)
	for _, r := range registry.Registers {
		fmt.Fprintf(w, "  %-4s %-18s %d\n", r, r.Name(), s.Records[string(r)])
	}
	fmt.Fprintf(w, "Dòng nguồn đã lưu: %d\nDòng bị loại: %d\n", s.SourceRows, s.Rejected)
	fmt.Fprintf(w, "Lô dữ liệu: %d (đang dở: %d)\n", s.Batches, s.Running)
	fmt.Fprintf(w, "Cờ cần xem xét: %d\n", sum(s.OpenFlags))
	for _, k := range sortedKeys(s.OpenFlags) {
		fmt.Fprintf(w, "  %-22s %d\n", k, s.OpenFlags[k])
	}
	fmt.Fprintf(w, "Xung đột chưa giải quyết: %d\n", s.OpenConflicts)
	fmt.Fprintf(w, "Liên kết nghi trùng: %d\n", sum(s.Links))
	for _, k := range sortedKeys(s.Links) {
		fmt.Fprintf(w, "  %-22s %d\n", k, s.Links[k])
	}
	fmt.Fprintf(w, "Dung lượng: %.1f MiB\n", float64(s.DatabaseBytes)/(1<<20))
	return nil
}

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

func sortedKeys(m map[string]int) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
