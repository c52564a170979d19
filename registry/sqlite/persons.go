package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/hotich/hotich/registry"
	"github.com/hotich/hotich/registry/vntext"
)

// The persons table holds the search keys of each record: one row per
// person of the entry, by role, with the folded and canonical name, the
// birth date and year, the sex and the personal ID (or an ID keyed as an
// identity document). They are a function of the record alone, rebuilt
// from it whenever its fields change (searchKeys); nothing else writes them.

// personRow is the persons-table row of one person of a record.
type personRow struct {
	role, nameFold, nameCanon, birth, sex string
	year, pid                             any
}

// insertPersonSQL inserts one personRow; its arguments are the record's rid
// followed by personRow.args().
const insertPersonSQL = `INSERT INTO persons (record_rid, role, name_fold, name_canon, birth, birth_year, sex, personal_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`

func (p personRow) args(rid int64) []any {
	return []any{rid, p.role, p.nameFold, p.nameCanon, p.birth, p.year, p.sex, p.pid}
}

// searchKeys returns the persons rows of a record. The record must carry
// its register: the register says which fields hold which person.
func searchKeys(rec *registry.Record) []personRow {
	ps := rec.Persons()
	rows := make([]personRow, len(ps))
	for i, p := range ps {
		var year any
		if p.BirthDate.Year != 0 {
			year = p.BirthDate.Year
		}
		pid := p.PersonalID
		if pid == "" {
			pid = registry.DocumentID(p.Document)
		}
		rows[i] = personRow{role: string(p.Role), nameFold: vntext.FoldKey(p.FullName), nameCanon: vntext.CanonKey(p.FullName),
			birth: p.BirthDate.ISO(), sex: p.Sex, year: year, pid: nullString(pid)}
	}
	return rows
}

// execFunc runs one statement: a prepared statement's ExecContext, or a
// query bound to a transaction (see txExec).
type execFunc func(ctx context.Context, args ...any) (sql.Result, error)

// txExec binds a query to a transaction.
func txExec(tx txer, query string) execFunc {
	return func(ctx context.Context, args ...any) (sql.Result, error) { return tx.ExecContext(ctx, query, args...) }
}

// personWriter writes the search keys of records.
type personWriter struct {
	insert, delete execFunc
}

// txPersonWriter writes search keys in tx with ad-hoc statements, for the
// paths that change a record now and then (corrections, conflicts).
func txPersonWriter(tx txer) personWriter {
	return personWriter{insert: txExec(tx, insertPersonSQL), delete: txExec(tx, `DELETE FROM persons WHERE record_rid = ?`)}
}

// insertRows writes the search keys of a new record.
func (w personWriter) insertRows(ctx context.Context, rid int64, rows []personRow) error {
	for _, p := range rows {
		if _, err := w.insert(ctx, p.args(rid)...); err != nil {
			return fmt.Errorf("search keys of %s (record %d): %w", p.role, rid, err)
		}
	}
	return nil
}

// replace rebuilds the search keys of a stored record from rec.
func (w personWriter) replace(ctx context.Context, rid int64, rec *registry.Record) error {
	if _, err := w.delete(ctx, rid); err != nil {
		return fmt.Errorf("search keys of record %d: %w", rid, err)
	}
	return w.insertRows(ctx, rid, searchKeys(rec))
}
