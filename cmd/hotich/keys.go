package main

import (
	"context"
	"crypto"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/hotich/hotich/extract"
	"github.com/hotich/hotich/issuing"
	"github.com/hotich/hotich/registry"
	"github.com/hotich/hotich/registry/sign"
)

func init() {
	register("keys", "signing keys, certificates and signer block of an issuing unit (init, import, list, signer, url, tsa)", runKeys)
}

const keysUsage = `
Usage: hotich keys init   [--db PATH] [--issuer CODE] [--dir DIR] [--test-ca CADIR] [--force]
       hotich keys import [--db PATH] [--issuer CODE] [--dir DIR] --p12 FILE
       hotich keys list   [--db PATH] [--issuer CODE]
       hotich keys signer [--db PATH] [--issuer CODE] --title TITLE [--capacity TEXT]
                          --name NAME [--ngan] --by NAME
       hotich keys url    [--db PATH] --by NAME URL
       hotich keys tsa    [--db PATH] --by NAME URL

An issuing unit (a commune-level unit in force today, by its code) signs
its certified copies with its key, certified by a certification authority
(for real copies, the government CA for civil-service signatures): a PAdES
signature in the PDF that PDF readers check, and a signed QR code.

  init      creates the unit's signing key DIR/CODE.key (ECDSA P-256,
            mode 0600: it never enters the store or a PDF; keep it on the
            clerk's machine and back it up) and a certificate request
            DIR/CODE.csr to send to the CA. With --test-ca CADIR the local
            test CA made by "hotich ca init" issues the certificate at once
            (DIR/CODE.crt) and it is registered: for trials and tests only.
            --force replaces the key; the old certificates stay registered,
            so copies already issued still verify.
  import    installs the certificate the CA issued, with its chain, from a
            PKCS #12 file (password in $HOTICH_P12_PASSWORD): writes
            DIR/CODE.crt (and DIR/CODE.key if the file carries the key) and
            registers the certificate for the unit and the CA chain.
  list      lists the registered certificates (units and CAs).
  signer    sets the signer block printed on the unit's copies (KT. CHỦ
            TỊCH / PHÓ CHỦ TỊCH / name) and how dates in words say 1000
            (--ngan for "ngàn"; default "nghìn"). A unit without one cannot
            issue: a copy must say who signs it.
  url       sets the desk's public address: QR codes then hold the
            verification URL URL/xac-thuc/SERIAL?m=… ("" to clear).
  tsa       sets the time-stamping authority (RFC 3161) whose timestamp
            every signature then carries (PAdES B-T), e.g. the government
            CA's ("" to clear). A copy is not issued when the TSA does not
            answer.

CODE defaults to $HOTICH_ISSUER; DIR to $HOTICH_KEYS, else ./keys.

Examples:

	hotich ca init --dir ca-thu
	hotich keys init --issuer 26740 --test-ca ca-thu
	hotich keys import --issuer 26740 --p12 26740-chung-thu.p12
	hotich keys signer --issuer 26740 --capacity "KT. CHỦ TỊCH" --title "PHÓ CHỦ TỊCH" --name "Trần Thị Bích" --by admin
	hotich keys url --by admin https://hotich.example.gov.vn
	hotich keys tsa --by admin http://tsa.example.gov.vn/tsa
	hotich keys list
`

func runKeys(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(e.stderr, strings.TrimSpace(keysUsage))
		if len(args) == 0 {
			return usageError("keys: want init, import, list, signer, url or tsa")
		}
		return flag.ErrHelp
	}
	sub, args := args[0], args[1:]
	fs := newFlagSet(e, "keys "+sub, keysUsage)
	dbPath := dbFlag(fs)
	issuer := fs.String("issuer", "", "issuing unit code (default $HOTICH_ISSUER)")
	dir := fs.String("dir", "", "key folder (default $HOTICH_KEYS, else ./keys)")
	var force *bool
	var testCA, p12, title, capacity, name, by *string
	var ngan *bool
	switch sub {
	case "init":
		force = fs.Bool("force", false, "replace an existing key")
		testCA = fs.String("test-ca", "", "have the local test CA in this folder issue the certificate (trials only)")
	case "import":
		p12 = fs.String("p12", "", "PKCS #12 file from the CA (required)")
	case "list":
	case "signer":
		title = fs.String("title", "", "signer's title, e.g. \"PHÓ CHỦ TỊCH\" (required)")
		capacity = fs.String("capacity", "", "signing capacity line above the title, e.g. \"KT. CHỦ TỊCH\"")
		name = fs.String("name", "", "signer's name as signed (required)")
		ngan = fs.Bool("ngan", false, "write 1000 as \"ngàn\" in dates in words (default \"nghìn\")")
		by = fs.String("by", "", "who sets it (required)")
	case "url", "tsa":
		by = fs.String("by", "", "who sets it (required)")
	default:
		fs.Usage()
		return usageError(fmt.Sprintf("keys: unknown subcommand %q", sub))
	}
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if sub == "url" || sub == "tsa" {
		if len(pos) != 1 || strings.TrimSpace(*by) == "" {
			return usageError(fmt.Sprintf("keys %s: want --by NAME and one URL (\"\" to clear)", sub))
		}
		return setURL(ctx, e, *dbPath, sub, pos[0], *by)
	}
	if len(pos) != 0 {
		return usageError(fmt.Sprintf("keys %s: unexpected argument %q", sub, pos[0]))
	}
	code := *issuer
	if code == "" {
		code = e.getenv("HOTICH_ISSUER")
	}
	if code == "" && sub != "list" {
		return usageError(fmt.Sprintf("keys %s: which issuing unit? (--issuer CODE or HOTICH_ISSUER)", sub))
	}
	switch {
	case sub == "import" && *p12 == "":
		return usageError("keys import: --p12 FILE is required")
	case sub == "signer" && (strings.TrimSpace(*by) == "" || strings.TrimSpace(*name) == "" || strings.TrimSpace(*title) == ""):
		return usageError("keys signer: --title, --name and --by are required")
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
	var unit extract.Issuer
	if code != "" {
		rd, err := db.RefData(ctx)
		if err != nil {
			return err
		}
		if unit, err = extract.IssuerFor(rd, code); err != nil {
			return err
		}
	}
	keyDir := keysDir(e, *dir)

	switch sub {
	case "init":
		return keysInit(ctx, e, db, unit, keyDir, *testCA, *force)
	case "import":
		return keysImport(ctx, e, db, code, keyDir, *p12)
	case "list":
		certs, err := db.Certificates(ctx, code)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "Mã khóa\tCơ quan\tLoại\tChủ thể\tHiệu lực đến\tSHA-256")
		for _, c := range certs {
			kind := "chứng thư ký"
			switch {
			case c.Role == registry.CertCA && c.Trusted:
				kind = "CA tin cậy"
			case c.Role == registry.CertCA:
				kind = "CA trung gian"
			}
			if c.Test {
				kind += " (thử nghiệm)"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s…\n", c.KeyID, dash(c.IssuerCode), kind, c.Subject, c.NotAfter.In(registry.Vietnam).Format("02/01/2006"), c.Fingerprint[:16])
		}
		return tw.Flush()
	case "signer":
		s := registry.Signer{IssuerCode: code, Capacity: strings.TrimSpace(*capacity), Title: strings.TrimSpace(*title),
			Name: strings.TrimSpace(*name), Thousand: "nghìn"}
		if *ngan {
			s.Thousand = "ngàn"
		}
		if err := db.SetSigner(ctx, s, *by); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "Đã lưu người ký bản sao của cơ quan %s: %s\n", code, strings.Join(nonEmpty(s.Capacity, s.Title, s.Name), " / "))
	}
	return nil
}

// keysInit creates a unit's key and certificate request, and with a test
// CA its certificate.
func keysInit(ctx context.Context, e *env, db registry.Store, unit extract.Issuer, dir, testCA string, force bool) error {
	var caKey crypto.Signer
	var caCert *x509.Certificate
	if testCA != "" {
		var err error
		if caKey, caCert, err = sign.LoadCA(testCA); err != nil {
			return err
		}
	}
	priv, err := sign.GenerateKey()
	if err != nil {
		return err
	}
	if err := sign.WritePrivateKey(sign.KeyPath(dir, unit.Code), priv, force); err != nil {
		return err
	}
	csrDER, err := sign.WriteCSR(sign.CSRPath(dir, unit.Code), priv, unit.Name, unit.Province)
	if err != nil {
		return err
	}
	e.log.Info("signing key created", "issuer", unit.Code, "key_id", sign.KeyID(priv.Public()))
	fmt.Fprintf(e.stdout, "Đã tạo khóa ký %s cho cơ quan %s.\n  khóa bí mật: %s (chỉ người cấp bản sao được đọc)\n  yêu cầu cấp chứng thư: %s\n",
		sign.KeyID(priv.Public()), unit.Code, sign.KeyPath(dir, unit.Code), sign.CSRPath(dir, unit.Code))
	if caCert == nil {
		fmt.Fprintf(e.stdout, "Gửi %s cho tổ chức chứng thực; khi nhận được chứng thư, cài bằng: hotich keys import --issuer %s --p12 TỆP\n", sign.CSRPath(dir, unit.Code), unit.Code)
		return nil
	}
	csr, err := x509.ParseCertificateRequest(csrDER)
	if err != nil {
		return err
	}
	cert, err := sign.IssueUnitCert(caKey, caCert, csr, e.now())
	if err != nil {
		return err
	}
	if err := installChain(ctx, db, unit.Code, dir, cert, []*x509.Certificate{caCert}, true); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Tổ chức chứng thực THỬ NGHIỆM đã cấp chứng thư %s (không dùng cho bản sao thật); đã đăng ký trong kho.\n", sign.CertPath(dir, unit.Code))
	return nil
}

// installChain writes a unit's certificate chain beside its key and
// registers the certificate for the unit and the CAs above it (the last
// one trusted when trustRoot is set).
func installChain(ctx context.Context, db registry.Store, code, dir string, cert *x509.Certificate, chain []*x509.Certificate, trustRoot bool) error {
	if err := sign.WriteChain(sign.CertPath(dir, code), append([]*x509.Certificate{cert}, chain...)); err != nil {
		return err
	}
	for i, c := range chain {
		root := i == len(chain)-1 && trustRoot && c.CheckSignatureFrom(c) == nil
		if err := db.RegisterCertificate(ctx, sign.Record(c, "", root)); err != nil {
			return err
		}
	}
	return db.RegisterCertificate(ctx, sign.Record(cert, code, false))
}

// keysImport installs a certificate from a PKCS #12 file.
func keysImport(ctx context.Context, e *env, db registry.Store, code, dir, path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	p, err := sign.DecodeP12(b, e.getenv("HOTICH_P12_PASSWORD"))
	if err != nil {
		return err
	}
	keyPath := sign.KeyPath(dir, code)
	existing, err := sign.LoadPrivateKey(keyPath)
	switch {
	case err == nil:
		if p.Key != nil && !sign.SamePublic(p.Key.Public(), existing.Public()) {
			return registry.Errorf(registry.ECONFLICT, "tệp %s mang khóa khác khóa %s đang dùng: chuyển khóa cũ đi nơi khác trước khi cài", path, keyPath)
		}
		if _, err := sign.NewUnitKey(code, existing, p.Cert, p.Chain); err != nil {
			return err
		}
	case registry.ErrorCode(err) == registry.ENOTFOUND || errors.Is(err, fs.ErrNotExist):
		if p.Key == nil {
			return registry.Errorf(registry.EINVALID, "tệp %s không có khóa ký, và chưa có khóa %s", path, keyPath)
		}
		if _, err := sign.NewUnitKey(code, p.Key, p.Cert, p.Chain); err != nil {
			return err
		}
		if err := sign.WritePrivateKey(keyPath, p.Key, false); err != nil {
			return err
		}
	default:
		return err
	}
	// A chain ending in a self-signed CA registers that CA as a trust
	// root: whoever imports a unit's certificate vouches for its CA.
	if err := installChain(ctx, db, code, dir, p.Cert, p.Chain, true); err != nil {
		return err
	}
	e.log.Info("certificate installed", "issuer", code, "key_id", sign.KeyID(p.Cert.PublicKey))
	fmt.Fprintf(e.stdout, "Đã cài chứng thư %s cho cơ quan %s: %s\n", sign.Describe(p.Cert), code, sign.CertPath(dir, code))
	return nil
}

// setURL stores the desk's public address (url) or its time-stamping
// authority (tsa).
func setURL(ctx context.Context, e *env, dbPath, which, raw, by string) error {
	raw = strings.TrimSpace(raw)
	if which == "url" {
		raw = strings.TrimRight(raw, "/")
	}
	if raw != "" {
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || (which == "url" && u.RawQuery != "") {
			return usageError(fmt.Sprintf("keys %s: %q is not an http(s) address", which, raw))
		}
	}
	db, err := openStore(ctx, e, dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	name, label := issuing.SettingBaseURL, "Địa chỉ xác thực trên mã QR"
	if which == "tsa" {
		name, label = issuing.SettingTSA, "Đơn vị cấp dấu thời gian (RFC 3161)"
	}
	if err := db.SetSetting(ctx, name, raw, by); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s: %s\n", label, dash(raw))
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
