package main

import (
	"context"
	"fmt"
	"runtime/debug"
)

func init() {
	register("version", "print the version of hotich and what it was built from", runVersion)
}

const versionUsage = `
Usage: hotich version

Prints the module version, the source revision and time it was built from
(with "+thay đổi" when built from a tree with uncommitted changes), and the
Go version. Quote it when reporting a problem.

Example:

	hotich version
`

func runVersion(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "version", versionUsage)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return usageError("version: takes no arguments")
	}
	fmt.Fprintln(e.stdout, versionString())
	return nil
}

// versionString describes the build: "hotich (devel) 1fb2af8 2026-12-06T00:04:46Z go1.26.8".
func versionString() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "hotich (không rõ phiên bản)"
	}
	v := "hotich " + bi.Main.Version
	var rev, at, dirty string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			at = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = "+thay đổi"
			}
		}
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if rev != "" {
		v += " " + rev + dirty
	}
	if at != "" {
		v += " " + at
	}
	return v + " " + bi.GoVersion
}
