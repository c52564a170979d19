package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/hotich/hotich/registry"
	"github.com/hotich/hotich/seeds"
)

// seed loads the reference data into a new store. It runs once: a store
// that has administrative units keeps them, and is only read.
func (db *DB) seed(ctx context.Context) error {
	var n int
	if err := db.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM admin_units`).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	before, err := seeds.UnitsBefore()
	if err != nil {
		return err
	}
	after, err := seeds.UnitsAfter()
	if err != nil {
		return err
	}
	succ, err := seeds.Successions()
	if err != nil {
		return err
	}
	groups, err := seeds.EthnicGroups()
	if err != nil {
		return err
	}
	countries, err := seeds.Countries()
	if err != nil {
		return err
	}

	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	// Another process opening a new store at the same moment may have
	// seeded it while this one waited for the write lock.
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM admin_units`).Scan(&n); err != nil || n > 0 {
		return err
	}
	insert := func(query string, rows func(stmt *sql.Stmt) error) error {
		stmt, err := tx.PrepareContext(ctx, query)
		if err != nil {
			return err
		}
		defer stmt.Close()
		return rows(stmt)
	}
	err = insert(`INSERT INTO admin_units (era, code, level, type, name, parent_code, province_code) VALUES (?, ?, ?, ?, ?, ?, ?)`, func(stmt *sql.Stmt) error {
		for _, units := range [][]registry.Unit{before, after} {
			for _, u := range units {
				if _, err := stmt.ExecContext(ctx, u.Era, u.Code, u.Level, u.Type, u.Name, u.ParentCode, u.ProvinceCode); err != nil {
					return fmt.Errorf("unit %s/%s: %w", u.Era, u.Code, err)
				}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	err = insert(`INSERT INTO admin_successions (old_code, new_code, kind) VALUES (?, ?, ?)`, func(stmt *sql.Stmt) error {
		for _, s := range succ {
			if _, err := stmt.ExecContext(ctx, s.OldCode, s.NewCode, s.Kind); err != nil {
				return fmt.Errorf("succession %s->%s: %w", s.OldCode, s.NewCode, err)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	err = insert(`INSERT INTO ethnic_groups (code, name, aliases) VALUES (?, ?, ?)`, func(stmt *sql.Stmt) error {
		for _, g := range groups {
			if _, err := stmt.ExecContext(ctx, g.Code, g.Name, strings.Join(g.Aliases, "|")); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	err = insert(`INSERT INTO countries (alpha2, alpha3, numeric, name_vi, name_en, aliases) VALUES (?, ?, ?, ?, ?, ?)`, func(stmt *sql.Stmt) error {
		for _, c := range countries {
			if _, err := stmt.ExecContext(ctx, c.Alpha2, c.Alpha3, c.Numeric, c.NameVi, c.NameEn, strings.Join(c.Aliases, "|")); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	detail := map[string]int{"units_2025_03_01": len(before), "units_2025_07_01": len(after), "successions": len(succ), "ethnic_groups": len(groups), "countries": len(countries)}
	if _, err := appendEvent(ctx, tx, db.now(), "reference_data_seeded", 0, 0, "", detail); err != nil {
		return err
	}
	return tx.Commit()
}

// RefData returns the reference data of the store, loaded once.
func (db *DB) RefData(ctx context.Context) (*registry.RefData, error) {
	db.refOnce.Do(func() { db.ref, db.refErr = db.loadRefData(ctx) })
	return db.ref, db.refErr
}

func (db *DB) loadRefData(ctx context.Context) (*registry.RefData, error) {
	var units []registry.Unit
	rows, err := db.db.QueryContext(ctx, `SELECT era, code, level, type, name, parent_code, province_code FROM admin_units`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var u registry.Unit
		if err := rows.Scan(&u.Era, &u.Code, &u.Level, &u.Type, &u.Name, &u.ParentCode, &u.ProvinceCode); err != nil {
			rows.Close()
			return nil, err
		}
		units = append(units, u)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}

	var succ []registry.Succession
	rows, err = db.db.QueryContext(ctx, `SELECT old_code, new_code, kind FROM admin_successions`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var s registry.Succession
		if err := rows.Scan(&s.OldCode, &s.NewCode, &s.Kind); err != nil {
			rows.Close()
			return nil, err
		}
		succ = append(succ, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}

	var groups []registry.EthnicGroup
	rows, err = db.db.QueryContext(ctx, `SELECT code, name, aliases FROM ethnic_groups ORDER BY code`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var g registry.EthnicGroup
		var aliases string
		if err := rows.Scan(&g.Code, &g.Name, &aliases); err != nil {
			rows.Close()
			return nil, err
		}
		g.Aliases = splitList(aliases)
		groups = append(groups, g)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}

	var countries []registry.Country
	rows, err = db.db.QueryContext(ctx, `SELECT alpha2, alpha3, numeric, name_vi, name_en, aliases FROM countries ORDER BY alpha2`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var c registry.Country
		var aliases string
		if err := rows.Scan(&c.Alpha2, &c.Alpha3, &c.Numeric, &c.NameVi, &c.NameEn, &aliases); err != nil {
			return nil, err
		}
		c.Aliases = splitList(aliases)
		countries = append(countries, c)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return registry.NewRefData(units, succ, groups, countries), nil
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "|")
}
