package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/hotich/hotich/registry"
	"github.com/hotich/hotich/registry/vntext"
)

func init() {
	register("search", "find register entries by personal ID, name and birth, or register number", runSearch)
}

const searchUsage = `
Usage: hotich search [--db PATH] --dinh-danh NUMBER [--register R] [--role ROLE]
       hotich search [--db PATH] --name "FULL NAME" [--birth DATE|YEAR] [--parent "FULL NAME"]
                     [--register R] [--role ROLE]
       hotich search [--db PATH] --register R --authority CODE --book BOOK --number N
       hotich search [--db PATH] --id RECORD_ID
       [--limit N | --all] [--json]

Finds the entries of any register, wherever they were registered:

  --dinh-danh   a 12-digit personal ID or a 9-digit CMND, of any person of
                the entry (the child and the parents, the spouses, the
                deceased, both parties of a recognition);
  --name        a full name, insensitive to case, diacritics and tone
                placement ("nguyen thi thuy" finds "Nguyễn Thị Thuý"),
                with --birth a date (20/05/2016) or a year (a register that
                kept only the year still matches a full date), and with
                --parent the name of a parent of the entry;
  --register with --authority, --book and --number: the entry by its place
                in the register (book and number as written, leading zeros
                and spacing ignored).

--role restricts the person conditions to one role: con, me, cha, chong, vo,
nguoi_chet, nguoi_nhan, nguoi_duoc_nhan. Results are sorted by record ID,
100 at most unless --limit or --all; --json prints a JSON array of objects
(id, register, name, birth_date, event_date, registered_on, authority and
holder codes and names, persons, open_flags, open_conflicts,
links_in_review; dates ISO 8601).

Examples:

	hotich search --dinh-danh 079220741800
	hotich search --name "nguyen thi thuy" --birth 2016
	hotich search --name "Trần Văn Bình" --parent "Trần Thị Lan" --register KS
	hotich search --register KS --authority 26740 --book 01/2016 --number 12 --json
`

func runSearch(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "search", searchUsage)
	dbPath := dbFlag(fs)
	pid := fs.String("dinh-danh", "", "personal ID (12 digits) or CMND (9 digits) of any person of the entry")
	name := fs.String("name", "", "full name of a person of the entry")
	birth := fs.String("birth", "", "with --name: birth date (dd/mm/yyyy) or year")
	parent := fs.String("parent", "", "full name of a parent of the entry")
	roleFlag := fs.String("role", "", "restrict to persons in this role")
	regFlag := fs.String("register", "", "register: KS, KH, KT or NCMC")
	authority := fs.String("authority", "", "with --register: code of the registering authority")
	book := fs.String("book", "", "with --register: book (quyển số)")
	number := fs.String("number", "", "with --register: number (số)")
	id := fs.String("id", "", "a record ID")
	list := addListFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return usageError(fmt.Sprintf("search: unexpected argument %q", fs.Arg(0)))
	}
	if err := list.check("search"); err != nil {
		return err
	}
	var f registry.RecordFilter
	var err error
	if *regFlag != "" {
		if f.Register, err = registry.ParseRegister(*regFlag); err != nil {
			return usageError("search: --register: " + registry.ErrorMessage(err))
		}
	}
	if *roleFlag != "" {
		if f.Role, err = registry.ParseRole(*roleFlag); err != nil {
			return usageError("search: --role: " + registry.ErrorMessage(err))
		}
	}
	if *pid != "" {
		if f.PersonalID, err = registry.ParsePersonalID(*pid); err != nil {
			return usageError("search: --dinh-danh: " + registry.ErrorMessage(err))
		}
	}
	f.Name, f.Parent = strings.TrimSpace(*name), strings.TrimSpace(*parent)
	if *birth != "" {
		if f.Name == "" {
			return usageError("search: --birth goes with --name")
		}
		if f.Birth, err = vntext.ParseDate(*birth); err != nil {
			return usageError(fmt.Sprintf("search: --birth %q: %v", *birth, err))
		}
	}
	ident := *authority != "" || *book != "" || *number != ""
	if ident {
		if f.Register == "" || *authority == "" || *book == "" || *number == "" {
			return usageError("search: --authority, --book and --number go together, with --register")
		}
		f.Identity = &registry.Identity{Register: f.Register, AuthorityCode: strings.TrimSpace(*authority), Book: *book, Number: *number}
	}
	if f.PersonalID == "" && f.Name == "" && f.Parent == "" && !ident && *id == "" {
		fs.Usage()
		return usageError("search: give --dinh-danh, --name, --register with --authority/--book/--number, or --id")
	}
	f.Limit = list.fetch()
	if list.all {
		f.Limit = -1
	}

	db, err := openStore(ctx, e, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	var recs []*registry.Record
	if *id != "" {
		rec, err := db.FindRecordByID(ctx, *id)
		if err != nil && registry.ErrorCode(err) != registry.ENOTFOUND {
			return err
		}
		if rec != nil {
			recs = append(recs, rec)
		}
	} else if recs, err = db.FindRecords(ctx, f); err != nil {
		return err
	}
	ref, err := db.RefData(ctx)
	if err != nil {
		return err
	}
	shown, cut := list.cut(len(recs))
	results := make([]registry.RecordSummary, shown)
	for i, r := range recs[:shown] {
		results[i] = registry.Summarize(r, ref)
	}
	// The terms are personal data: the log gets only what kind of search
	// it was and how many it found.
	e.log.Debug("search", "by_id", f.PersonalID != "", "by_name", f.Name != "", "by_number", ident, "found", len(recs))
	return list.print(e, shown, cut, results, "Không tìm thấy trích lục nào.", func(w io.Writer) error {
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "Mã bản ghi\tSổ\tHọ tên\tNgày sinh\tNgày sự kiện\tKhớp với\tNơi đăng ký\tĐơn vị giữ sổ\tLưu ý")
		for i, s := range results {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", s.ID, s.Register, s.Name, isoDisplay(s.BirthDate), isoDisplay(s.EventDate),
				matchedRoles(recs[i], f), s.AuthorityName, s.HolderName, summaryNotes(s))
		}
		return tw.Flush()
	})
}

// matchedRoles names the persons of a found entry that the search matched,
// so that a clerk sees that the entry was found by its mother, say.
func matchedRoles(r *registry.Record, f registry.RecordFilter) string {
	var roles []string
	for _, p := range r.Persons() {
		if f.Role != "" && p.Role != f.Role {
			continue
		}
		if f.Name != "" && vntext.FoldKey(p.FullName) == vntext.FoldKey(f.Name) ||
			f.PersonalID != "" && (p.PersonalID == f.PersonalID || registry.DocumentID(p.Document) == f.PersonalID) {
			roles = append(roles, p.Role.Label())
		}
	}
	return strings.Join(roles, ", ")
}

// isoDisplay shows a stored ISO date as documents write it.
func isoDisplay(iso string) string {
	d, err := vntext.ParseISODate(iso)
	if err != nil {
		return iso
	}
	return registry.DisplayDate(d)
}

// summaryNotes says what holds an entry up: "2 cờ, 1 xung đột, 1 nghi trùng".
func summaryNotes(s registry.RecordSummary) string {
	var notes []string
	if s.OpenFlags > 0 {
		notes = append(notes, fmt.Sprintf("%d cờ", s.OpenFlags))
	}
	if s.OpenConflicts > 0 {
		notes = append(notes, fmt.Sprintf("%d xung đột", s.OpenConflicts))
	}
	if s.LinksInReview > 0 {
		notes = append(notes, fmt.Sprintf("%d nghi trùng", s.LinksInReview))
	}
	return strings.Join(notes, ", ")
}
