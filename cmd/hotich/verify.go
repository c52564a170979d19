package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/hotich/hotich/extract"
	"github.com/hotich/hotich/registry"
	"github.com/hotich/hotich/registry/sign"
	"github.com/hotich/hotich/registry/sqlite"
)

func init() {
	register("verify", "verify a certified copy (PDF or QR payload): signature, content, issue log", runVerify)
}

const verifyUsage = `
Usage: hotich verify [--db PATH | --offline] [--pubkey FILE | --keys DIR] FILE.pdf
       hotich verify [--db PATH | --offline] [--pubkey FILE | --keys DIR] --payload STRING

Checks a certified copy. From a PDF it reads the signed payload (the same
string as the QR code) and recomputes the hash of what the page shows; with
--payload it checks a payload read from the QR code of a printed copy.

  - the signature, with the issuing authority's public key: from the store,
    else --pubkey FILE or KEYS/CODE.pub (KEYS: --keys, $HOTICH_KEYS, ./keys);
  - for a PDF, that the page shows exactly what was signed;
  - with the store at hand (--db, $HOTICH_DB, or ./hotich.db if it exists;
    not with --offline): that the issue log has this copy with this payload,
    that the PDF is byte for byte the file issued, and that it is not
    revoked.

Prints the verdict and what was checked; exits 1 with the reason if the
copy is not valid (altered content, another key, unknown serial, revoked).

Examples:

	hotich verify ban-sao.pdf
	hotich verify --offline --keys /media/usb/keys ban-sao.pdf
	hotich verify --payload 'HT1*26740*45/2025/TLKS-BS*KS-26740-...'
`

func runVerify(ctx context.Context, e *env, args []string) error {
	fset := newFlagSet(e, "verify", verifyUsage)
	dbPath := dbFlag(fset)
	offline := fset.Bool("offline", false, "do not consult the store, only the public key")
	pubkey := fset.String("pubkey", "", "public key file of the issuing authority")
	keys := fset.String("keys", "", "folder of public keys CODE.pub (default $HOTICH_KEYS, else ./keys)")
	payload := fset.String("payload", "", "a payload read from a QR code, instead of a PDF")
	pos, err := parseInterspersed(fset, args)
	if err != nil {
		return err
	}
	switch {
	case *payload == "" && len(pos) != 1, *payload != "" && len(pos) != 0:
		fset.Usage()
		return usageError("verify: want one FILE.pdf, or --payload STRING")
	case *offline && *dbPath != "":
		return usageError("verify: --offline and --db exclude each other")
	}

	var doc *sign.Document
	text := strings.TrimSpace(*payload)
	if text == "" {
		b, err := os.ReadFile(pos[0])
		if err != nil {
			return err
		}
		d, err := extract.Read(b)
		if err != nil {
			fmt.Fprintf(e.stdout, "KHÔNG HỢP LỆ: %s\n", registry.ErrorMessage(err))
			return err
		}
		text = d.Payload
		doc = &sign.Document{ContentSHA256: d.ContentSHA256, FileSHA256: d.FileSHA256}
	}

	var db *sqlite.DB
	if !*offline {
		path := *dbPath
		if path == "" {
			path = e.getenv("HOTICH_DB")
		}
		explicit := path != ""
		if path == "" {
			path = defaultDB
		}
		if _, err := os.Stat(path); err == nil {
			if db, err = openStore(ctx, e, path); err != nil {
				return err
			}
			defer db.Close()
		} else if explicit || !errors.Is(err, fs.ErrNotExist) {
			return registry.Errorf(registry.ENOTFOUND, "không mở được kho dữ liệu %s: %v", path, err)
		}
	}

	v := &sign.Verifier{Key: func(ctx context.Context, keyID string) (*registry.SigningKey, error) {
		if db != nil {
			k, err := db.FindSigningKey(ctx, keyID)
			if registry.ErrorCode(err) != registry.ENOTFOUND {
				return k, err
			}
		}
		return fileKey(e, *pubkey, *keys, text, keyID)
	}}
	if db != nil {
		v.Issues = db
	}
	res, err := v.Verify(ctx, text, doc)
	if res != nil && res.Payload != nil {
		p := res.Payload
		fmt.Fprintf(e.stdout, "Bản sao số %s, trích lục %s, cơ quan cấp %s, ngày cấp %s\n", p.Serial, p.RecordID, p.IssuerCode, p.Date().Format("02/01/2006"))
	}
	if res != nil {
		for _, c := range res.Checks {
			fmt.Fprintf(e.stdout, "  ✓ %s\n", c)
		}
	}
	if err != nil {
		fmt.Fprintf(e.stdout, "KHÔNG HỢP LỆ: %s\n", registry.ErrorMessage(err))
		return err
	}
	fmt.Fprintln(e.stdout, "HỢP LỆ")
	return nil
}

// fileKey finds a public key in a file: --pubkey, else KEYS/CODE.pub for
// the authority the payload names.
func fileKey(e *env, pubkey, dir, payload, keyID string) (*registry.SigningKey, error) {
	path := pubkey
	if path == "" {
		p, err := sign.Parse(payload)
		if err != nil {
			return nil, err
		}
		path = sign.PublicKeyPath(keysDir(e, dir), p.IssuerCode)
	}
	k, err := sign.LoadPublicKey(path)
	if registry.ErrorCode(err) == registry.ENOTFOUND {
		return nil, registry.Errorf(registry.EINVALID, "không có khóa công khai %s để kiểm tra: thiếu tệp %s (dùng --pubkey hoặc --keys, hoặc kiểm tra với kho dữ liệu)", keyID, path)
	}
	// A key other than the one the copy names fails Check, which says so.
	return k, err
}
