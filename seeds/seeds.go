// Package seeds holds the reference data the store is seeded with:
// administrative units before and after the 1 July 2025 reorganisation and
// the mapping between them, the 54 ethnic groups, and the countries. The CSV
// files are derived from their sources by ./gen (see SOURCES.md) and embedded
// in the binary, so a fresh store needs no file beside it.
package seeds

import (
	"embed"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/hotich/hotich/registry"
)

//go:embed *.csv
var files embed.FS

// The reference data comes as the registry's own types: the store and the
// sample generator take it as it is.

// UnitsBefore returns the units in force on 1 March 2025.
func UnitsBefore() ([]registry.Unit, error) {
	return readUnits("admin_units_2025-03-01.csv", func(r []string) (registry.Unit, error) {
		lvl, err := strconv.Atoi(r[1])
		return registry.Unit{Era: registry.EraBefore, Code: r[0], Level: lvl, Type: r[2], Name: r[3], ParentCode: r[4], ProvinceCode: r[5]}, err
	})
}

// UnitsAfter returns the units in force from 1 July 2025.
func UnitsAfter() ([]registry.Unit, error) {
	return readUnits("admin_units_2025-07-01.csv", func(r []string) (registry.Unit, error) {
		lvl, err := strconv.Atoi(r[1])
		return registry.Unit{Era: registry.EraAfter, Code: r[0], Level: lvl, Type: r[2], Name: r[3], ProvinceCode: r[4]}, err
	})
}

func readUnits(name string, parse func([]string) (registry.Unit, error)) ([]registry.Unit, error) {
	var us []registry.Unit
	err := each(name, func(r []string) error {
		u, err := parse(r)
		us = append(us, u)
		return err
	})
	return us, err
}

// Successions returns the old-to-new mapping of 1 July 2025.
// The file also names the units, for people reading it.
func Successions() ([]registry.Succession, error) {
	var ss []registry.Succession
	err := each("admin_successions_2025-07-01.csv", func(r []string) error {
		ss = append(ss, registry.Succession{OldCode: r[0], NewCode: r[2], Kind: r[4]})
		return nil
	})
	return ss, err
}

// EthnicGroups returns the 54 ethnic groups.
func EthnicGroups() ([]registry.EthnicGroup, error) {
	var gs []registry.EthnicGroup
	err := each("ethnic_groups.csv", func(r []string) error {
		gs = append(gs, registry.EthnicGroup{Code: r[0], Name: r[1], Aliases: split(r[2])})
		return nil
	})
	return gs, err
}

// Countries returns the ISO 3166-1 countries.
func Countries() ([]registry.Country, error) {
	var cs []registry.Country
	err := each("countries.csv", func(r []string) error {
		cs = append(cs, registry.Country{Alpha2: r[0], Alpha3: r[1], Numeric: r[2], NameVi: r[3], NameEn: r[4], Aliases: split(r[5])})
		return nil
	})
	return cs, err
}

func split(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "|")
}

// each calls fn for every data row of an embedded CSV file.
func each(name string, fn func([]string) error) error {
	f, err := files.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	r := csv.NewReader(f)
	if _, err := r.Read(); err != nil {
		return fmt.Errorf("seeds %s: header: %w", name, err)
	}
	for line := 2; ; line++ {
		rec, err := r.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("seeds %s: %w", name, err)
		}
		if err := fn(rec); err != nil {
			return fmt.Errorf("seeds %s:%d: %w", name, line, err)
		}
	}
}
