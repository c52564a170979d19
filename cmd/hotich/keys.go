package main

import (
	"context"
	"crypto/rand"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/hotich/hotich/extract"
	"github.com/hotich/hotich/registry"
	"github.com/hotich/hotich/registry/sign"
)

func init() {
	register("keys", "signing keys and signer block of an issuing authority (init, register, list, signer)", runKeys)
}

const keysUsage = `
Usage: hotich keys init     [--db PATH] [--issuer CODE] [--dir DIR] [--force]
       hotich keys register [--db PATH] [--issuer CODE] [--dir DIR]
       hotich keys list     [--db PATH] [--issuer CODE]
       hotich keys signer   [--db PATH] [--issuer CODE] --title TITLE [--capacity TEXT]
                            [--name NAME] [--ngan] --by NAME

An issuing authority (a commune-level unit in force today, by its code)
signs its certified copies with an Ed25519 key.

  init      creates the key: DIR/CODE.key (private, mode 0600: it never
            enters the store or a PDF; keep it on the clerk's machine and
            back it up) and DIR/CODE.pub (public), and registers the public
            key in the store so that copies can be verified. --force replaces
            the files; the old public key stays registered, so copies already
            issued still verify.
  register  registers the public key DIR/CODE.pub in this store (another
            site's store, or after a restore).
  list      lists the registered public keys.
  signer    sets the signer block printed on the authority's copies
            (KT. CHỦ TỊCH / PHÓ CHỦ TỊCH / name) and how dates in words say
            1000 (--ngan for "ngàn"; default "nghìn").

CODE defaults to $HOTICH_ISSUER; DIR to $HOTICH_KEYS, else ./keys.

Examples:

	hotich keys init --issuer 26740
	hotich keys signer --issuer 26740 --capacity "KT. CHỦ TỊCH" --title "PHÓ CHỦ TỊCH" --name "Trần Thị Bích" --by admin
	hotich keys list
`

func runKeys(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(e.stderr, strings.TrimSpace(keysUsage))
		if len(args) == 0 {
			return usageError("keys: want init, register, list or signer")
		}
		return flag.ErrHelp
	}
	sub, args := args[0], args[1:]
	fs := newFlagSet(e, "keys "+sub, keysUsage)
	dbPath := dbFlag(fs)
	issuer := fs.String("issuer", "", "issuing authority code (default $HOTICH_ISSUER)")
	dir := fs.String("dir", "", "key folder (default $HOTICH_KEYS, else ./keys)")
	var force *bool
	var title, capacity, name, by *string
	var ngan *bool
	switch sub {
	case "init":
		force = fs.Bool("force", false, "replace existing key files")
	case "register", "list":
	case "signer":
		title = fs.String("title", "", "signer's title, e.g. \"PHÓ CHỦ TỊCH\" (required)")
		capacity = fs.String("capacity", "", "signing capacity line above the title, e.g. \"KT. CHỦ TỊCH\"")
		name = fs.String("name", "", "signer's name as signed")
		ngan = fs.Bool("ngan", false, "write 1000 as \"ngàn\" in dates in words (default \"nghìn\")")
		by = fs.String("by", "", "who sets it (required)")
	default:
		fs.Usage()
		return usageError(fmt.Sprintf("keys: unknown subcommand %q", sub))
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return usageError(fmt.Sprintf("keys %s: unexpected argument %q", sub, fs.Arg(0)))
	}
	code := *issuer
	if code == "" {
		code = e.getenv("HOTICH_ISSUER")
	}
	if code == "" && sub != "list" {
		return usageError(fmt.Sprintf("keys %s: which issuing authority? (--issuer CODE or HOTICH_ISSUER)", sub))
	}
	open := openStore
	if sub == "init" {
		open = createStore // setting up a unit's key may be the store's first use
	}
	db, err := open(ctx, e, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	if code != "" {
		rd, err := db.RefData(ctx)
		if err != nil {
			return err
		}
		if _, err := extract.IssuerFor(rd, code); err != nil {
			return err
		}
	}
	keyDir := keysDir(e, *dir)

	switch sub {
	case "init":
		k, err := sign.GenerateKey(code, rand.Reader)
		if err != nil {
			return err
		}
		priv, pub, err := sign.WriteKeyFiles(keyDir, k, *force)
		if err != nil {
			return err
		}
		if err := db.RegisterSigningKey(ctx, k.Public(e.now())); err != nil {
			return err
		}
		e.log.Info("signing key created", "issuer", code, "key_id", k.KeyID())
		fmt.Fprintf(e.stdout, "Đã tạo khóa ký %s cho cơ quan %s và đăng ký khóa công khai trong kho.\n  khóa bí mật: %s (chỉ người cấp bản sao được đọc)\n  khóa công khai: %s\n", k.KeyID(), code, priv, pub)
	case "register":
		pub, err := sign.LoadPublicKey(sign.PublicKeyPath(keyDir, code))
		if err != nil {
			return err
		}
		if pub.IssuerCode != code {
			return registry.Errorf(registry.EINVALID, "tệp khóa công khai ghi cơ quan %q, không phải %s", pub.IssuerCode, code)
		}
		pub.CreatedAt = e.now()
		if err := db.RegisterSigningKey(ctx, pub); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "Đã đăng ký khóa công khai %s của cơ quan %s.\n", pub.KeyID, code)
	case "list":
		keys, err := db.SigningKeys(ctx, code)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "Mã khóa\tCơ quan\tĐăng ký lúc")
		for _, k := range keys {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", k.KeyID, k.IssuerCode, k.CreatedAt.In(registry.Vietnam).Format("02/01/2006 15:04"))
		}
		tw.Flush()
	case "signer":
		s := registry.Signer{IssuerCode: code, Capacity: strings.TrimSpace(*capacity), Title: strings.TrimSpace(*title),
			Name: strings.TrimSpace(*name), Thousand: "nghìn"}
		if *ngan {
			s.Thousand = "ngàn"
		}
		if strings.TrimSpace(*by) == "" {
			return usageError("keys signer: --by NAME is required")
		}
		if err := db.SetSigner(ctx, s, *by); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "Đã lưu người ký bản sao của cơ quan %s: %s\n", code, strings.Join(nonEmpty(s.Capacity, s.Title, s.Name), " / "))
	}
	return nil
}

// keysDir returns the key folder: --dir, $HOTICH_KEYS, else ./keys.
func keysDir(e *env, flagValue string) string {
	if flagValue != "" {
		return flagValue
	}
	if d := e.getenv("HOTICH_KEYS"); d != "" {
		return d
	}
	return "keys"
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}
