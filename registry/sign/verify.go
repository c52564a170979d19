package sign

import (
	"context"
	"fmt"

	"github.com/hotich/hotich/registry"
)

// Document is what is known of a copy besides its payload, when the copy
// itself is at hand: the SHA-256 of what its page shows, recomputed from the
// file, and of the file.
type Document struct {
	ContentSHA256 string // hex
	FileSHA256    string // hex
}

// Result reports a verification: what the payload says and what was
// checked, in Vietnamese, for the clerk.
type Result struct {
	Payload *Payload
	Key     *registry.SigningKey
	Issue   *registry.ExtractIssue // the log's entry, when the log was consulted
	Checks  []string
}

// Verifier checks the payloads of certified copies.
type Verifier struct {
	// Key returns the public key with an ID, or an ENOTFOUND error.
	Key func(ctx context.Context, keyID string) (*registry.SigningKey, error)
	// Issues is the issue log; nil checks offline, without it.
	Issues registry.IssueService
}

// Verify checks a payload's signature, the document's content against it
// when doc is given, and, with an issue log, that the copy was issued as it
// is and not revoked. Any failure is an EINVALID error whose message says
// why; the Result holds what was read before the failure.
func (v *Verifier) Verify(ctx context.Context, payload string, doc *Document) (*Result, error) {
	p, err := Parse(payload)
	if err != nil {
		return nil, err
	}
	res := &Result{Payload: p}
	key, err := v.Key(ctx, p.KeyID)
	if registry.ErrorCode(err) == registry.ENOTFOUND {
		return res, registry.Errorf(registry.EINVALID, "khóa %s ghi trên bản sao không phải khóa đã đăng ký của cơ quan %s", p.KeyID, p.IssuerCode)
	}
	if err != nil {
		return res, err
	}
	res.Key = key
	if err := p.Check(key); err != nil {
		return res, err
	}
	res.Checks = append(res.Checks, fmt.Sprintf("chữ ký hợp lệ (khóa %s của cơ quan %s)", key.KeyID, key.IssuerCode))

	if doc != nil {
		if doc.ContentSHA256 != p.ContentHex() {
			return res, registry.Errorf(registry.EINVALID, "nội dung bản sao đã bị sửa (mã băm nội dung trang không khớp mã băm đã ký)")
		}
		res.Checks = append(res.Checks, "nội dung trang khớp mã băm đã ký")
	}

	if v.Issues == nil {
		res.Checks = append(res.Checks, "chưa đối chiếu sổ cấp bản sao (kiểm tra ngoại tuyến)")
		return res, nil
	}
	issues, err := v.Issues.FindIssues(ctx, registry.IssueFilter{IssuerCode: p.IssuerCode, Serial: &p.Serial, Limit: 2})
	if err != nil {
		return res, err
	}
	if len(issues) == 0 {
		return res, registry.Errorf(registry.EINVALID, "sổ cấp bản sao không có bản số %s của cơ quan %s", p.Serial, p.IssuerCode)
	}
	iss := issues[0]
	res.Issue = iss
	switch {
	case iss.Payload != payload:
		return res, registry.Errorf(registry.EINVALID, "mã xác thực khác với mã của bản số %s trong sổ cấp", p.Serial)
	case iss.RecordID != p.RecordID:
		return res, registry.Errorf(registry.EINVALID, "bản số %s trong sổ cấp là bản sao của trích lục %s, không phải %s", p.Serial, iss.RecordID, p.RecordID)
	case iss.ContentSHA256 != p.ContentHex():
		return res, registry.Errorf(registry.EINVALID, "mã băm nội dung khác với sổ cấp")
	}
	res.Checks = append(res.Checks, fmt.Sprintf("có trong sổ cấp: bản số %s, cấp ngày %s", p.Serial, iss.IssuedOn().Format("02/01/2006")))
	if doc != nil && doc.FileSHA256 != "" {
		if doc.FileSHA256 != iss.DocumentSHA256 {
			return res, registry.Errorf(registry.EINVALID, "tệp PDF khác với tệp đã cấp (đã bị sửa hoặc lưu lại bằng phần mềm khác)")
		}
		res.Checks = append(res.Checks, "tệp PDF trùng khớp với tệp đã cấp")
	}
	if r := iss.Revocation; r != nil {
		return res, registry.Errorf(registry.EINVALID, "bản sao số %s đã bị thu hồi ngày %s (%s): %s",
			p.Serial, r.At.In(registry.Vietnam).Format("02/01/2006"), r.By, r.Reason)
	}
	res.Checks = append(res.Checks, "chưa bị thu hồi")
	return res, nil
}
