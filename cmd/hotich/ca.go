package main

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"github.com/hotich/hotich/registry"
	"github.com/hotich/hotich/registry/sign"
)

func init() {
	register("ca", "a local test certification authority for trials (init), trusting a CA (trust)", runCA)
}

const caUsage = `
Usage: hotich ca init  [--db PATH] [--dir DIR] [--label TEXT] [--force]
       hotich ca trust [--db PATH] FILE.pem

  init   creates a local TEST certification authority in DIR (default
         ./ca-thu): DIR/test-ca.key (mode 0600) and DIR/test-ca.crt, named
         "HOTICH TEST CA - KHÔNG DÙNG CHO BẢN SAO THẬT", and registers it as
         a trust root of this store. "hotich keys init --test-ca DIR" has it
         certify a unit's key. For trials and tests only: a real unit's
         certificate comes from the government CA (see keys import).
  trust  registers the CA certificates of FILE (PEM) as trust roots of
         this store: verify checks copies' signers against them.

Examples:

	hotich ca init --dir ca-thu
	hotich keys init --issuer 26740 --test-ca ca-thu
	hotich ca trust ca-thu/test-ca.crt        # or the government CA's root, e.g. /media/usb/root-ca.pem
`

func runCA(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(e.stderr, strings.TrimSpace(caUsage))
		if len(args) == 0 {
			return usageError("ca: want init or trust")
		}
		return flag.ErrHelp
	}
	sub, args := args[0], args[1:]
	fs := newFlagSet(e, "ca "+sub, caUsage)
	dbPath := dbFlag(fs)
	var dir, label *string
	var force *bool
	switch sub {
	case "init":
		dir = fs.String("dir", "ca-thu", "folder of the test CA")
		label = fs.String("label", "", "a name added to the CA's, e.g. the site")
		force = fs.Bool("force", false, "replace an existing test CA")
	case "trust":
	default:
		fs.Usage()
		return usageError(fmt.Sprintf("ca: unknown subcommand %q", sub))
	}
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if sub == "init" && len(pos) != 0 || sub == "trust" && len(pos) != 1 {
		fs.Usage()
		return usageError("ca: wrong arguments")
	}
	db, err := openStore(ctx, e, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	switch sub {
	case "init":
		priv, cert, err := sign.NewTestCA(*label, e.now())
		if err != nil {
			return err
		}
		if err := sign.WriteCA(*dir, priv, cert, *force); err != nil {
			return err
		}
		if err := db.RegisterCertificate(ctx, sign.Record(cert, "", true)); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "Đã tạo tổ chức chứng thực THỬ NGHIỆM %q trong %s và đăng ký là gốc tin cậy của kho (chỉ dùng để thử).\n", cert.Subject.CommonName, *dir)
	case "trust":
		certs, err := sign.LoadCerts(pos[0])
		if err != nil {
			return err
		}
		for _, c := range certs {
			if !c.IsCA {
				return registry.Errorf(registry.EINVALID, "%s: %q không phải chứng thư của tổ chức chứng thực", pos[0], c.Subject.CommonName)
			}
			if err := db.RegisterCertificate(ctx, sign.Record(c, "", true)); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "Đã đăng ký gốc tin cậy: %s\n", sign.Describe(c))
		}
	}
	return nil
}
