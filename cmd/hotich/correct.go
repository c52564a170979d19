package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/hotich/hotich/accounts"
)

func init() {
	register("correct", "correct one field of a record (cải chính), with the legal basis", runCorrect)
}

const correctUsage = `
Usage: hotich correct [--db PATH] (--by NAME | --user ACCOUNT) --basis TEXT ID FIELD=VALUE

Changes one field of a record after a correction of the register (cải chính
hộ tịch). FIELD is a canonical column name (ho_ten, ngay_sinh, me_ho_ten, ...);
VALUE is read like a batch cell (dates in any batch form, "-" to clear an
optional field). The old value, who corrected it and the basis stay in the
event log. The entry's identity (register, authority code, book, number)
cannot be corrected; a field whose scans disagree is settled with
"hotich conflicts resolve" instead.

--user names the desk account that corrects: it must be a reviewer of the
unit holding the entry's register today, as at the desk, and the event log
records its name. --by NAME (free text) works as before, for scripts.
Either way the correction is appended to the audit trail.

Examples:

	hotich correct --by "Nguyễn Thị Lan" --basis "QĐ 12/QĐ-UBND ngày 03/06/2025" KS-26740-7F3K9Q2MXA ho_ten="Nguyễn Văn Ân"
	hotich correct --user lan --basis "Trích lục cải chính số 5/2025" KS-26740-7F3K9Q2MXA ngay_sinh=05/03/2010
`

func runCorrect(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "correct", correctUsage)
	dbPath := dbFlag(fs)
	by := fs.String("by", "", "who makes the correction (or --user)")
	user := userFlag(fs)
	basis := fs.String("basis", "", "the decision or document the correction rests on (required)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 2 {
		fs.Usage()
		return usageError("correct: want ID and FIELD=VALUE")
	}
	field, value, ok := strings.Cut(fs.Arg(1), "=")
	if !ok {
		return usageError(fmt.Sprintf("correct: %q is not FIELD=VALUE", fs.Arg(1)))
	}
	db, err := openStore(ctx, e, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	rv, err := reviewAs(ctx, e, db, *by, *user)
	if err != nil {
		return err
	}
	field = strings.TrimSpace(field)
	if err := rv.record(ctx, accounts.AuditCorrect, fs.Arg(0), "trường "+field+"; căn cứ: "+*basis,
		rv.Correct(ctx, fs.Arg(0), field, value, rv.Actor, *basis)); err != nil {
		return err
	}
	e.log.Info("record corrected", "id", fs.Arg(0), "field", field)
	fmt.Fprintf(e.stdout, "Đã cải chính %s của bản ghi %s.\n", field, fs.Arg(0))
	return nil
}
