package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/hotich/hotich/extract"
	"github.com/hotich/hotich/internal/atomicfile"
	"github.com/hotich/hotich/issuing"
	"github.com/hotich/hotich/registry"
)

func init() {
	register("issued", "the issue log of certified copies; revoke an issued copy", runIssued)
}

const issuedUsage = `
Usage: hotich issued [--db PATH] [--record ID] [--issuer CODE] [--limit N] [--json]
       hotich issued revoke [--db PATH] [--issuer CODE] --by NAME --reason TEXT SERIAL
       hotich issued reprint [--db PATH] [--issuer CODE] -o FILE.pdf SERIAL

Lists the certified copies issued (newest first): serial, issuing
authority, record, date, clerk, requester, pages, override, the SHA-256 of
the PDF as issued, and whether it was revoked. Every issue and re-print is
listed; the log is append-only.

"revoke" revokes an issued copy: verification of it fails from then on
with the reason. SERIAL is as printed ("1/2026/TLKT-BS"); --issuer is
needed when several authorities issued that serial.

"reprint" writes an issued copy's file again, byte for byte, from the
issue log (the values printed and the signature), e.g. when the file was
lost after issuing: the same copy, not a new issue.

Examples:

	hotich issued --record KT-26740-0EKDGEA11E
	hotich issued --issuer 26740 --json | jq .serial
	hotich issued reprint --issuer 26740 -o kt-lai.pdf 1/2026/TLKT-BS
	hotich issued revoke --issuer 26740 --by "Lê Văn Trưởng" --reason "cấp nhầm người yêu cầu" 1/2026/TLKT-BS
`

func runIssued(ctx context.Context, e *env, args []string) error {
	if len(args) > 0 && args[0] == "revoke" {
		return runRevoke(ctx, e, args[1:])
	}
	if len(args) > 0 && args[0] == "reprint" {
		return runReprint(ctx, e, args[1:])
	}
	fs := newFlagSet(e, "issued", issuedUsage)
	dbPath := dbFlag(fs)
	record := fs.String("record", "", "only the copies of this record")
	issuer := fs.String("issuer", "", "only the copies this authority issued")
	limit := fs.Int("limit", 200, "at most this many, newest first")
	asJSON := fs.Bool("json", false, "one JSON object per line")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return usageError(fmt.Sprintf("issued: unexpected argument %q", fs.Arg(0)))
	}
	db, err := openStore(ctx, e, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	issues, err := db.FindIssues(ctx, registry.IssueFilter{RecordID: *record, IssuerCode: *issuer, Limit: *limit})
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetEscapeHTML(false)
		for _, iss := range issues {
			if err := enc.Encode(issueJSON(iss)); err != nil {
				return err
			}
		}
		return nil
	}
	if len(issues) == 0 {
		fmt.Fprintln(e.stdout, "Chưa cấp bản sao nào.")
		return nil
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "Số bản sao\tCơ quan\tTrích lục\tNgày cấp\tNgười cấp\tNgười yêu cầu\tSố bản\tSHA-256 tệp\tTình trạng")
	for _, iss := range issues {
		state := "còn hiệu lực"
		if r := iss.Revocation; r != nil {
			state = "đã thu hồi " + r.At.In(registry.Vietnam).Format("02/01/2006") + ": " + r.Reason
		}
		if iss.Override != "" {
			state += " (cấp khi đang chờ xem xét: " + iss.Override + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s…\t%s\n", iss.Serial, iss.IssuerCode, iss.RecordID,
			iss.IssuedOn().Format("02/01/2006 15:04"), iss.Clerk, dash(iss.Requester), iss.Copies, iss.DocumentSHA256[:12], state)
	}
	return tw.Flush()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// issueJSON is an issue as "hotich issued --json" prints it.
func issueJSON(iss *registry.ExtractIssue) any {
	type revocation struct {
		At     time.Time `json:"at"`
		By     string    `json:"by"`
		Reason string    `json:"reason"`
	}
	out := struct {
		Serial         string      `json:"serial"`
		Issuer         string      `json:"issuer"`
		Form           string      `json:"form"`
		RecordID       string      `json:"record_id"`
		IssuedAt       time.Time   `json:"issued_at"`
		Clerk          string      `json:"clerk"`
		Requester      string      `json:"requester"`
		Copies         int         `json:"copies"`
		ValuesSHA256   string      `json:"values_sha256"`
		DocumentSHA256 string      `json:"document_sha256"`
		KeyID          string      `json:"key_id"`
		Payload        string      `json:"payload"`
		Override       string      `json:"override,omitempty"`
		Blockers       []string    `json:"overridden,omitempty"`
		Revoked        *revocation `json:"revoked,omitempty"`
	}{iss.Serial.String(), iss.IssuerCode, string(iss.Form), iss.RecordID, iss.IssuedAt, iss.Clerk, iss.Requester, iss.Copies,
		iss.ValuesSHA256, iss.DocumentSHA256, iss.KeyID, iss.Payload, iss.Override, iss.Blockers, nil}
	if r := iss.Revocation; r != nil {
		out.Revoked = &revocation{r.At, r.By, r.Reason}
	}
	return out
}

func runRevoke(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "issued revoke", issuedUsage)
	dbPath := dbFlag(fs)
	issuer := fs.String("issuer", "", "issuing authority of the copy")
	by := fs.String("by", "", "who revokes it (required)")
	reason := fs.String("reason", "", "why (required; shown when the copy is verified)")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		fs.Usage()
		return usageError("issued revoke: want one SERIAL")
	}
	if strings.TrimSpace(*by) == "" || strings.TrimSpace(*reason) == "" {
		return usageError("issued revoke: --by NAME and --reason TEXT are required")
	}
	serial, err := registry.ParseSerial(pos[0])
	if err != nil {
		return err
	}
	db, err := openStore(ctx, e, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	iss, err := issuing.Revoke(ctx, db, *issuer, serial, *by, *reason)
	if err != nil {
		return err
	}
	e.log.Info("extract revoked", "serial", iss.Serial.String(), "issuer", iss.IssuerCode, "record", iss.RecordID)
	fmt.Fprintf(e.stdout, "Đã thu hồi bản sao số %s của cơ quan %s (trích lục %s).\n", iss.Serial, iss.IssuerCode, iss.RecordID)
	return nil
}

// parseInterspersed parses flags that may come before or after the
// positional arguments ("revoke SERIAL --by X"), and returns the
// positional ones.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := parseFlags(fs, args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

func runReprint(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "issued reprint", issuedUsage)
	dbPath := dbFlag(fs)
	issuer := fs.String("issuer", "", "issuing authority of the copy")
	out := fs.String("o", "", "output file (required)")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || *out == "" {
		fs.Usage()
		return usageError("issued reprint: want -o FILE.pdf and one SERIAL")
	}
	serial, err := registry.ParseSerial(pos[0])
	if err != nil {
		return err
	}
	db, err := openStore(ctx, e, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	issues, err := db.FindIssues(ctx, registry.IssueFilter{IssuerCode: *issuer, Serial: &serial, Limit: 2})
	if err != nil {
		return err
	}
	switch len(issues) {
	case 0:
		return registry.Errorf(registry.ENOTFOUND, "sổ cấp không có bản sao số %s", serial)
	case 1:
	default:
		return registry.Errorf(registry.EINVALID, "nhiều cơ quan đã cấp bản sao số %s: cần --issuer", serial)
	}
	r, err := extract.NewRenderer()
	if err != nil {
		return err
	}
	pdf, err := r.Reprint(issues[0])
	if err != nil {
		return err
	}
	if err := atomicfile.WriteFile(*out, pdf, atomicfile.Public); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Đã in lại bản sao số %s (trùng từng byte với tệp đã cấp): %s\n", serial, *out)
	return nil
}
