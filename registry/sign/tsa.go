package sign

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"io"
	"net/http"
	"time"

	cms "github.com/github/smimesign/ietf-cms"
	"github.com/github/smimesign/ietf-cms/oid"
	"github.com/github/smimesign/ietf-cms/protocol"
	"github.com/github/smimesign/ietf-cms/timestamp"

	"github.com/hotich/hotich/registry"
)

// A signature timestamp (RFC 3161, ETSI EN 319 142-1 B-T): when a
// time-stamping authority is configured, the signer info gets, as an
// unsigned attribute, the TSA's token over its signature value, which
// proves that the signature existed at the token's time. The request and
// the token are smimesign's timestamp types; the exchange is one HTTP
// POST, bounded in time and size.

// TSA is a time-stamping authority.
type TSA struct {
	URL    string
	Client *http.Client // nil: one with TSATimeout
}

// TSATimeout bounds one exchange with a TSA. A copy is logged only with
// its timestamp, so the exchange happens while the store's write lock is
// held: it must end well within the time other writers wait for that lock
// (10 s) and leave room for the rendering. A TSA answers in well under a
// second; one that takes longer fails the issue, which is not logged.
const TSATimeout = 4 * time.Second

// MaxTSAReply bounds a TSA's reply, and TSAReserve is the room a token
// takes in a signature (the TSA's certificates included).
const (
	MaxTSAReply = 64 << 10
	TSAReserve  = 12 << 10
)

// Token asks the TSA for a token over a signature value (SHA-256) and
// returns it (DER) with its time.
func (t *TSA) Token(ctx context.Context, signature []byte) ([]byte, time.Time, error) {
	fail := func(format string, args ...any) ([]byte, time.Time, error) {
		return nil, time.Time{}, registry.Errorf(registry.EINTERNAL, "không lấy được dấu thời gian từ %s: "+format, append([]any{t.URL}, args...)...)
	}
	mi, err := timestamp.NewMessageImprint(crypto.SHA256, bytes.NewReader(signature))
	if err != nil {
		return nil, time.Time{}, err
	}
	req := timestamp.Request{Version: 1, CertReq: true, Nonce: timestamp.GenerateNonce(), MessageImprint: mi}
	der, err := asn1.Marshal(req)
	if err != nil {
		return nil, time.Time{}, err
	}
	client := t.Client
	if client == nil {
		client = &http.Client{Timeout: TSATimeout}
	}
	ctx, cancel := context.WithTimeout(ctx, TSATimeout)
	defer cancel()
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, t.URL, bytes.NewReader(der))
	if err != nil {
		return fail("%v", err)
	}
	hr.Header.Set("Content-Type", "application/timestamp-query")
	resp, err := client.Do(hr)
	if err != nil {
		return fail("%v", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxTSAReply+1))
	switch {
	case err != nil:
		return fail("%v", err)
	case resp.StatusCode != http.StatusOK:
		return fail("HTTP %s", resp.Status)
	case len(body) > MaxTSAReply:
		return fail("trả lời quá lớn")
	}
	r, err := timestamp.ParseResponse(body)
	if err != nil {
		return fail("trả lời hỏng (%v)", err)
	}
	info, err := r.Info()
	if err != nil {
		return fail("%v", err)
	}
	if !req.Matches(info) {
		return fail("dấu thời gian không phải của yêu cầu này")
	}
	token, err := asn1.Marshal(r.TimeStampToken)
	if err != nil {
		return nil, time.Time{}, err
	}
	if len(token) > TSAReserve {
		return fail("dấu thời gian quá lớn (%d byte)", len(token))
	}
	return token, info.GenTime, nil
}

// timestampAttribute makes the unsigned attribute of a token.
func timestampAttribute(token []byte) (protocol.Attribute, error) {
	return protocol.NewAttribute(oid.AttributeTimeStampToken, asn1.RawValue{FullBytes: token})
}

// Timestamp is a signature timestamp found in a CMS and checked against
// the signature: its time and the TSA's certificates. The TSA's chain is
// the caller's to check (CheckChain).
type Timestamp struct {
	Time  time.Time
	TSA   *x509.Certificate
	Certs []*x509.Certificate
}

// checkTimestamp checks a signer info's signature timestamp, if it has
// one: that the token is signed by the certificate it carries, for time
// stamping, and is over this signature value.
func checkTimestamp(si protocol.SignerInfo) (*Timestamp, error) {
	if !si.UnsignedAttrs.HasAttribute(oid.AttributeTimeStampToken) {
		return nil, nil
	}
	bad := func(why string, err error) error {
		return registry.Errorf(registry.EINVALID, "dấu thời gian của chữ ký hỏng: %s (%v)", why, err)
	}
	rv, err := si.UnsignedAttrs.GetOnlyAttributeValueBytes(oid.AttributeTimeStampToken)
	if err != nil {
		return nil, bad("không đọc được", err)
	}
	sd, err := parseSignedData(rv.FullBytes)
	if err != nil || len(sd.SignerInfos) != 1 {
		return nil, bad("không đọc được", err)
	}
	info, err := timestamp.ParseInfo(sd.EncapContentInfo)
	if err != nil {
		return nil, bad("không đọc được", err)
	}
	hash, err := info.MessageImprint.Hash()
	if err != nil {
		return nil, bad("thuật toán băm", err)
	}
	mi, err := timestamp.NewMessageImprint(hash, bytes.NewReader(si.Signature))
	if err != nil || !mi.Equal(info.MessageImprint) {
		return nil, bad("không phải dấu thời gian của chữ ký này", err)
	}
	certs, err := sd.X509Certificates()
	if err != nil {
		return nil, bad("chứng thư", err)
	}
	tsa, err := sd.SignerInfos[0].FindCertificate(certs)
	if err != nil {
		return nil, bad("không kèm chứng thư của TSA", err)
	}
	// The token's own signature, with its certificate as the only root:
	// the chain is checked against the trust list by the caller.
	tst, err := cms.ParseSignedData(rv.FullBytes)
	if err != nil {
		return nil, bad("không đọc được", err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(tsa)
	if _, err := tst.Verify(x509.VerifyOptions{Roots: roots, CurrentTime: info.GenTime, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageTimeStamping}}); err != nil {
		return nil, bad("chữ ký của TSA không hợp lệ", err)
	}
	return &Timestamp{Time: info.GenTime, TSA: tsa, Certs: certs}, nil
}

// String names a timestamp for the clerk.
func (t *Timestamp) String() string {
	return fmt.Sprintf("%s (GMT+7), của %q", t.Time.In(registry.Vietnam).Format("15:04:05, 02/01/2006"), t.TSA.Subject.CommonName)
}
