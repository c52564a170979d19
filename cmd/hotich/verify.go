package main

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/hotich/hotich/extract"
	"github.com/hotich/hotich/registry"
	"github.com/hotich/hotich/registry/sign"
)

func init() {
	register("verify", "verify a certified copy (PDF or QR payload): PAdES signature, certificate, QR values, issue log", runVerify)
}

const verifyUsage = `
Usage: hotich verify [--db PATH | --offline] [--trust FILE] [--cert FILE] FILE.pdf
       hotich verify [--db PATH | --offline] [--trust FILE] [--cert FILE] --payload TEXT

Checks a certified copy. From a PDF:

  - the PAdES signature: that it covers the whole file (fonts and document
    information included) and that nothing was added after signing;
  - the signing certificate, against the trust roots: --trust FILE (PEM),
    else the CAs registered as trusted in the store, at the time of signing
    (the signature's timestamp when it has one from a trusted TSA, else the
    time the signature dictionary states);
  - the QR code's values, signed with the same key;
  - with the store at hand (--db, $HOTICH_DB, or ./hotich.db if it exists;
    not with --offline): that the certificate is the unit's registered one,
    that the issue log has this copy, byte for byte, and that it is not
    revoked.

With --payload it checks the text of a printed copy's QR code (or its
verification URL) and prints every value it signs, to compare with the
paper; the unit's certificate comes from the store or --cert FILE.

A copy issued before PAdES signatures (QR payload "HT1*…") has only its QR
signature: verify checks it with the key the store registered then and the
issue log, and says that this signature proves who issued which serial of
which entry on which day, not what the file shows; only the file matching
the issue log byte for byte proves that. It needs the store that issued it.

Prints what was checked and what could not be. Exit status 0: valid;
1: not valid (altered, untrusted signer, unknown serial, revoked); 6: cannot
be checked with what is at hand (no trust root, no certificate or key).

Examples (copies issued as in "hotich help extract"):

	hotich verify kt.pdf
	hotich verify --offline --trust ca-thu/test-ca.crt kt.pdf
	hotich verify --payload "$(hotich issued --record KT-26740-0EKDGEA11E --json | head -1 | jq -r .payload)"
`

func runVerify(ctx context.Context, e *env, args []string) error {
	fset := newFlagSet(e, "verify", verifyUsage)
	dbPath := dbFlag(fset)
	offline := fset.Bool("offline", false, "do not consult the store")
	trust := fset.String("trust", "", "trust roots (PEM) instead of the store's")
	certFile := fset.String("cert", "", "the unit's certificate chain (PEM), for --payload offline")
	payload := fset.String("payload", "", "the text of a QR code, instead of a PDF")
	pos, err := parseInterspersed(fset, args)
	if err != nil {
		return err
	}
	switch {
	case *payload == "" && len(pos) != 1, *payload != "" && len(pos) != 0:
		fset.Usage()
		return usageError("verify: want one FILE.pdf, or --payload TEXT")
	case *offline && *dbPath != "":
		return usageError("verify: --offline and --db exclude each other")
	}

	v := &extract.Verifier{Now: e.now}
	var db registry.Store
	if !*offline {
		if db, err = openVerifyStore(ctx, e, *dbPath); err != nil {
			return err
		}
		if db != nil {
			defer db.Close()
			v.Issues = db
		}
	}
	if *trust != "" {
		if v.Roots, err = sign.LoadCerts(*trust); err != nil {
			return err
		}
	} else if db != nil {
		certs, err := db.Certificates(ctx, "")
		if err != nil {
			return err
		}
		for _, c := range certs {
			if c.Role == registry.CertCA && c.Trusted {
				x, err := x509.ParseCertificate(c.DER)
				if err != nil {
					return err
				}
				v.Roots = append(v.Roots, x)
			}
		}
	}
	if *certFile != "" {
		if v.Certs, err = sign.LoadCerts(*certFile); err != nil {
			return err
		}
	}

	var rep *extract.Report
	if *payload != "" {
		rep, err = v.VerifyPayload(ctx, *payload)
	} else {
		f, oerr := os.Open(pos[0])
		if oerr != nil {
			return oerr
		}
		b, rerr := io.ReadAll(io.LimitReader(f, extract.MaxPDF+1))
		f.Close()
		if rerr != nil {
			return rerr
		}
		rep, err = v.VerifyPDF(ctx, b)
	}
	printReport(e, rep, *payload != "")
	switch {
	case err == nil:
		if len(rep.Unchecked) > 0 {
			fmt.Fprintln(e.stdout, "HỢP LỆ với những gì đã kiểm tra (xem các mục chưa kiểm tra ở trên)")
		} else {
			fmt.Fprintln(e.stdout, "HỢP LỆ")
		}
	case registry.ErrorCode(err) == registry.EUNVERIFIABLE:
		fmt.Fprintf(e.stdout, "KHÔNG KIỂM TRA ĐƯỢC: %s\n", registry.ErrorMessage(err))
	case registry.ErrorCode(err) == registry.EINVALID:
		fmt.Fprintf(e.stdout, "KHÔNG HỢP LỆ: %s\n", registry.ErrorMessage(err))
	}
	return err
}

// openVerifyStore opens the store verify consults, if there is one: --db,
// $HOTICH_DB, else ./hotich.db when it exists.
func openVerifyStore(ctx context.Context, e *env, path string) (registry.Store, error) {
	if path == "" {
		path = e.getenv("HOTICH_DB")
	}
	explicit := path != ""
	if path == "" {
		path = defaultDB
	}
	if _, err := os.Stat(path); err == nil {
		return openStore(ctx, e, path)
	} else if explicit || !errors.Is(err, fs.ErrNotExist) {
		return nil, registry.Errorf(registry.ENOTFOUND, "không mở được kho dữ liệu %s: %v", path, err)
	}
	return nil, nil
}

// printReport prints what a verification read and checked.
func printReport(e *env, rep *extract.Report, values bool) {
	if rep == nil {
		return
	}
	if p := rep.Legacy; p != nil {
		fmt.Fprintln(e.stdout, p.Describe())
	}
	if p := rep.Payload; p != nil {
		fmt.Fprintf(e.stdout, "Bản sao số %s, trích lục %s, cơ quan cấp %s, ngày cấp %s\n", p.Get("so"), p.Get("trich_luc"), p.IssuerCode(), p.Get("ngay_cap"))
		if values {
			fmt.Fprintln(e.stdout, "Các giá trị in trên bản sao mà mã QR ký (đối chiếu với bản giấy):")
			for _, v := range p.Values {
				fmt.Fprintf(e.stdout, "  %s: %s\n", sign.Labels[v.Key], v.Value)
			}
		}
	}
	if rep.Signer != nil {
		fmt.Fprintf(e.stdout, "Người ký: %s\n", sign.Describe(rep.Signer))
	}
	if ts := rep.Timestamp; ts != nil {
		fmt.Fprintf(e.stdout, "Dấu thời gian (RFC 3161): %s\n", ts)
	}
	if !rep.SignedAt.IsZero() {
		fmt.Fprintf(e.stdout, "Thời điểm ký (người ký ghi trong tệp): %s (GMT+7)\n", rep.SignedAt.In(registry.Vietnam).Format("15:04:05, 02/01/2006"))
	}
	for _, c := range rep.Checked {
		fmt.Fprintf(e.stdout, "  ✓ %s\n", c)
	}
	for _, c := range rep.Unchecked {
		fmt.Fprintf(e.stdout, "  ? chưa kiểm tra: %s\n", c)
	}
	for _, c := range rep.Notes {
		fmt.Fprintf(e.stdout, "  ! %s\n", c)
	}
}
