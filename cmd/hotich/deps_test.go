package main

import (
	"bytes"
	"encoding/json"
	"go/parser"
	"go/token"
	"os/exec"
	"strings"
	"testing"
)

// TestImportDirection holds the module to the direction of imports that
// docs/architecture.md describes: the domain imports no adapter, no use
// case reaches the SQLite store, and only this command wires one in.
func TestImportDirection(t *testing.T) {
	const mod = "github.com/hotich/hotich/"
	out, err := exec.Command("go", "list", "-json=ImportPath,Deps,GoFiles", "./../../...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	type pkg struct {
		ImportPath string
		GoFiles    []string
		Deps       []string
	}
	pkgs := map[string]pkg{}
	dec := json.NewDecoder(bytes.NewReader(out))
	for dec.More() {
		var p pkg
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		pkgs[strings.TrimPrefix(p.ImportPath, mod)] = p
	}
	if len(pkgs) < 15 {
		t.Fatalf("go list found only %d packages", len(pkgs))
	}
	has := func(list []string, want string) bool {
		for _, d := range list {
			if d == want || strings.HasPrefix(d, want+"/") {
				return true
			}
		}
		return false
	}
	project := func(list []string) []string {
		var ps []string
		for _, d := range list {
			if strings.HasPrefix(d, mod) {
				ps = append(ps, strings.TrimPrefix(d, mod))
			}
		}
		return ps
	}

	// The domain and the leaves.
	leaves := map[string][]string{
		"registry":            {"registry/vntext"},
		"registry/vntext":     nil,
		"internal/atomicfile": nil,
	}
	for name, allowed := range leaves {
		p, ok := pkgs[name]
		if !ok {
			t.Fatalf("package %s not found", name)
		}
		for _, d := range project(p.Deps) {
			if !has(allowed, d) {
				t.Errorf("%s depends on %s; it may depend only on %v", name, d, allowed)
			}
		}
	}
	for _, lib := range []string{"database/sql", "github.com/mattn/go-sqlite3", "github.com/jung-kurt/gofpdf", "github.com/schollz/progressbar/v3", "net/http"} {
		if has(pkgs["registry"].Deps, lib) {
			t.Errorf("registry depends on %s", lib)
		}
	}

	// Nothing but the command reaches the store adapter or the driver.
	for name, p := range pkgs {
		// internal/deskload is the desk's load harness, a program like the
		// benchmarks: it draws its workload from the store's tables.
		if name == "cmd/hotich" || name == "internal/deskload" || strings.HasPrefix(name, "registry/sqlite") {
			continue
		}
		for _, banned := range []string{mod + "registry/sqlite", "github.com/mattn/go-sqlite3", "database/sql"} {
			if has(p.Deps, banned) {
				t.Errorf("%s depends on %s: only cmd/hotich opens a store", name, banned)
			}
		}
		if has(p.Deps, mod+"cmd") {
			t.Errorf("%s imports a command", name)
		}
	}

	// Within the command, one file opens the store.
	var openers []string
	fset := token.NewFileSet()
	for _, f := range pkgs["cmd/hotich"].GoFiles {
		af, err := parser.ParseFile(fset, f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, im := range af.Imports {
			if strings.Trim(im.Path.Value, `"`) == mod+"registry/sqlite" {
				openers = append(openers, f)
			}
		}
	}
	if len(openers) != 1 || openers[0] != "store.go" {
		t.Errorf("files of cmd/hotich importing registry/sqlite: %v, want only store.go", openers)
	}
}
