package extract

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/hotich/hotich/registry"
)

// Desk issues certified copies the way a ward clerk does: it finds who
// issues (the unit holding the register today, unless told), refuses a
// record under review unless the clerk overrides with a reason, has the
// store allocate the serial, renders and signs the copy, and has the issue
// logged. It works through registry interfaces, not a store.
type Desk struct {
	Records  registry.RecordService
	Issues   registry.IssueService
	RefData  *registry.RefData
	Renderer *Renderer
	Log      *slog.Logger // nil: no logging
}

// Request is a clerk's request for a copy.
type Request struct {
	RecordID         string
	IssuerCode       string // "" for the unit holding the register today
	BirthCertificate bool   // a birth entry on the Giấy khai sinh form
	Requester        string
	Clerk            string
	Copies           int    // identical pages; 0 means 1
	Override         string // the clerk's reason to issue despite review
	Sealer           registry.Sealer
}

// Issue issues a copy and writes its PDF to w. The issue is logged before
// the PDF is written; if writing fails, the error names the serial (a new
// print is a new issue).
func (d *Desk) Issue(ctx context.Context, req Request, w io.Writer) (*registry.ExtractIssue, error) {
	if strings.TrimSpace(req.Clerk) == "" {
		return nil, registry.Errorf(registry.EINVALID, "cần ghi tên người cấp bản sao (--by)")
	}
	if req.Sealer == nil {
		return nil, registry.Errorf(registry.EINVALID, "chưa có khóa ký của cơ quan cấp")
	}
	rec, err := d.Records.FindRecordByID(ctx, req.RecordID)
	if err != nil {
		return nil, err
	}
	var issuer Issuer
	if req.IssuerCode != "" {
		issuer, err = IssuerFor(d.RefData, req.IssuerCode)
	} else {
		issuer, err = DefaultIssuer(d.RefData, rec.AuthorityCode)
	}
	if err != nil {
		return nil, err
	}
	if k := req.Sealer.Issuer(); k != issuer.Code {
		return nil, registry.Errorf(registry.EINVALID, "khóa ký thuộc cơ quan %s, bản sao do cơ quan %s (%s) cấp", k, issuer.Code, issuer.Name)
	}
	signer, err := d.Issues.Signer(ctx, issuer.Code)
	if err != nil {
		return nil, err
	}
	corrections, err := d.Issues.Corrections(ctx, rec.ID)
	if err != nil {
		return nil, err
	}
	copies := req.Copies
	if copies == 0 {
		copies = 1
	}
	iss := &registry.ExtractIssue{
		IssuerCode: issuer.Code,
		RecordID:   rec.ID,
		Form:       registry.FormFor(rec.Register, req.BirthCertificate),
		Clerk:      strings.TrimSpace(req.Clerk),
		Requester:  strings.TrimSpace(req.Requester),
		Copies:     copies,
	}
	override := strings.TrimSpace(req.Override)
	var pdf []byte
	err = d.Issues.IssueExtract(ctx, iss, func(iss *registry.ExtractIssue, rec *registry.Record) error {
		// rec is read under the store's write lock: what is checked here
		// is what the copy prints.
		if blockers := registry.ExtractBlockers(rec); len(blockers) > 0 {
			if override == "" {
				return registry.Errorf(registry.EREFUSED, "chưa thể cấp bản sao trích lục %s: %s. Nếu vẫn cấp, ghi rõ lý do bằng --override \"…\" (lý do được ghi vào sổ cấp)",
					rec.ID, strings.Join(blockers, "; "))
			}
			iss.Blockers, iss.Override = blockers, override
		}
		c := &Copy{
			Record:      rec,
			Form:        iss.Form,
			Issuer:      issuer,
			Serial:      iss.Serial,
			IssuedAt:    iss.IssuedOn(),
			Signer:      signer,
			Copies:      iss.Copies,
			Corrections: corrections,
		}
		var buf bytes.Buffer
		res, err := d.Renderer.Render(&buf, c, func(contentSHA256 string) (string, error) {
			iss.ContentSHA256 = contentSHA256
			iss.KeyID = req.Sealer.KeyID()
			return req.Sealer.Seal(iss)
		})
		if err != nil {
			return err
		}
		iss.Payload = res.Payload
		sum := sha256.Sum256(buf.Bytes())
		iss.DocumentSHA256 = hex.EncodeToString(sum[:])
		pdf = buf.Bytes()
		return nil
	})
	if err != nil {
		return nil, err
	}
	if d.Log != nil {
		// No names or personal IDs at info level: the record ID and the
		// serial identify the copy.
		d.Log.Info("extract issued", "serial", iss.Serial.String(), "issuer", iss.IssuerCode, "record", iss.RecordID,
			"copies", iss.Copies, "override", iss.Override != "", "bytes", len(pdf))
	}
	if _, err := w.Write(pdf); err != nil {
		return iss, fmt.Errorf("bản sao số %s đã được ghi vào sổ cấp nhưng không ghi được tệp PDF: %w", iss.Serial, err)
	}
	return iss, nil
}
