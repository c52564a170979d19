package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/hotich/hotich/review"
)

func init() {
	register("correct", "correct one field of a record (cải chính), with the legal basis", runCorrect)
}

const correctUsage = `
Usage: hotich correct [--db PATH] --by NAME --basis TEXT ID FIELD=VALUE

Changes one field of a record after a correction of the register (cải chính
hộ tịch). FIELD is a canonical column name (ho_ten, ngay_sinh, me_ho_ten, ...);
VALUE is read like a batch cell (dates in any batch form, "-" to clear an
optional field). The old value, who corrected it and the basis stay in the
event log. The entry's identity (register, authority code, book, number)
cannot be corrected; a field whose scans disagree is settled with
"hotich conflicts resolve" instead.

Examples:

	hotich correct --by "Nguyễn Thị Lan" --basis "QĐ 12/QĐ-UBND ngày 03/06/2025" KS-26740-7F3K9Q2MXA ho_ten="Nguyễn Văn Ân"
	hotich correct --by lan --basis "Trích lục cải chính số 5/2025" KS-26740-7F3K9Q2MXA ngay_sinh=05/03/2010
`

func runCorrect(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "correct", correctUsage)
	dbPath := dbFlag(fs)
	by := fs.String("by", "", "who makes the correction (required)")
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
	if err := (&review.Service{Store: db, Now: e.now}).Correct(ctx, fs.Arg(0), strings.TrimSpace(field), value, *by, *basis); err != nil {
		return err
	}
	e.log.Info("record corrected", "id", fs.Arg(0), "field", field)
	fmt.Fprintf(e.stdout, "Đã cải chính %s của bản ghi %s.\n", field, fs.Arg(0))
	return nil
}
