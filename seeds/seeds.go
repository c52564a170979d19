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
)

//go:embed *.csv
var files embed.FS

// Unit is an administrative unit. Level is 1 for a province, 2 for a
// district (before 1 July 2025 only), 3 for a commune-level unit (phường,
// xã, thị trấn, đặc khu).
type Unit struct {
	Code         string
	Level        int
	Type         string // "Phường", "Quận", "Tỉnh", ...
	Name         string // with its type: "Phường Bến Nghé"
	ParentCode   string // district of a commune, province of a district; "" after 2025-07-01
	ProvinceCode string
}

// Succession says that (part of) an old unit became (part of) a new unit on
// 1 July 2025. Kind is "full" when the whole old unit went into the new one,
// "partial" when it was split.
type Succession struct {
	OldCode, OldName string
	NewCode, NewName string
	Kind             string
}

// EthnicGroup is one of the 54 ethnic groups, coded by QĐ 121-TCTK/PPCĐ
// (1979). Aliases are spellings seen in the field.
type EthnicGroup struct {
	Code    string
	Name    string
	Aliases []string
}

// Country is an ISO 3166-1 country with its Vietnamese name.
type Country struct {
	Alpha2, Alpha3, Numeric string
	NameVi, NameEn          string
	Aliases                 []string
}

// UnitsBefore returns the units in force on 1 March 2025.
func UnitsBefore() ([]Unit, error) {
	return readUnits("admin_units_2025-03-01.csv", func(r []string) (Unit, error) {
		lvl, err := strconv.Atoi(r[1])
		return Unit{Code: r[0], Level: lvl, Type: r[2], Name: r[3], ParentCode: r[4], ProvinceCode: r[5]}, err
	})
}

// UnitsAfter returns the units in force from 1 July 2025.
func UnitsAfter() ([]Unit, error) {
	return readUnits("admin_units_2025-07-01.csv", func(r []string) (Unit, error) {
		lvl, err := strconv.Atoi(r[1])
		return Unit{Code: r[0], Level: lvl, Type: r[2], Name: r[3], ProvinceCode: r[4]}, err
	})
}

func readUnits(name string, parse func([]string) (Unit, error)) ([]Unit, error) {
	var us []Unit
	err := each(name, func(r []string) error {
		u, err := parse(r)
		us = append(us, u)
		return err
	})
	return us, err
}

// Successions returns the old-to-new mapping of 1 July 2025.
func Successions() ([]Succession, error) {
	var ss []Succession
	err := each("admin_successions_2025-07-01.csv", func(r []string) error {
		ss = append(ss, Succession{OldCode: r[0], OldName: r[1], NewCode: r[2], NewName: r[3], Kind: r[4]})
		return nil
	})
	return ss, err
}

// EthnicGroups returns the 54 ethnic groups.
func EthnicGroups() ([]EthnicGroup, error) {
	var gs []EthnicGroup
	err := each("ethnic_groups.csv", func(r []string) error {
		gs = append(gs, EthnicGroup{Code: r[0], Name: r[1], Aliases: split(r[2])})
		return nil
	})
	return gs, err
}

// Countries returns the ISO 3166-1 countries.
func Countries() ([]Country, error) {
	var cs []Country
	err := each("countries.csv", func(r []string) error {
		cs = append(cs, Country{Alpha2: r[0], Alpha3: r[1], Numeric: r[2], NameVi: r[3], NameEn: r[4], Aliases: split(r[5])})
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
