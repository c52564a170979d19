package extract_test

import (
	"bytes"
	"compress/zlib"
	"context"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/hotich/hotich/extract"
	"github.com/hotich/hotich/registry"
	"github.com/hotich/hotich/registry/sign"
)

// utf16be is how gofpdf writes text in a content stream.
func utf16be(s string) []byte {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u>>8), byte(u))
	}
	return b
}

// rewriteContent decompresses the content streams of the pages (all, or
// only page `only` if it is not 0), applies fn, and writes them back
// compressed with their new lengths, as an editing tool would. The
// cross-reference offsets are left stale: readers rebuild them, and Read
// does not use them.
func rewriteContent(t *testing.T, pdf []byte, only int, fn func([]byte) []byte) []byte {
	t.Helper()
	refs := regexp.MustCompile(`/Contents (\d+) 0 R`).FindAllSubmatch(pdf, -1)
	if len(refs) == 0 {
		t.Fatal("no /Contents")
	}
	for page, m := range refs {
		if only != 0 && page+1 != only {
			continue
		}
		head := []byte("\n" + string(m[1]) + " 0 obj\n")
		i := bytes.Index(pdf, head)
		if i < 0 {
			t.Fatal("content object not found")
		}
		lm := regexp.MustCompile(`/Length (\d+)`).FindSubmatchIndex(pdf[i:])
		n, _ := strconv.Atoi(string(pdf[i+lm[2] : i+lm[3]]))
		s := i + bytes.Index(pdf[i:], []byte("stream\n")) + len("stream\n")
		zr, err := zlib.NewReader(bytes.NewReader(pdf[s : s+n]))
		if err != nil {
			t.Fatal(err)
		}
		content, err := io.ReadAll(zr)
		if err != nil {
			t.Fatal(err)
		}
		changed := fn(content)
		if bytes.Equal(changed, content) {
			t.Fatal("the edit changed nothing")
		}
		var z bytes.Buffer
		zw := zlib.NewWriter(&z)
		zw.Write(changed)
		zw.Close()
		var out bytes.Buffer
		out.Write(pdf[:i+lm[2]])
		fmt.Fprintf(&out, "%d", z.Len())
		out.Write(pdf[i+lm[3] : s])
		out.Write(z.Bytes())
		out.Write(pdf[s+n:])
		pdf = out.Bytes()
	}
	return pdf
}

// TestTamper alters a rendered copy in the ways a forger might and checks
// that offline verification (Read, then the payload against the content)
// fails with a reason.
func TestTamper(t *testing.T) {
	ctx := context.Background()
	pdf, res, key := render(t, cases[3]) // the death copy: two pages
	v := verifier(key)
	verify := func(t *testing.T, b []byte) error {
		t.Helper()
		doc, err := extract.Read(b)
		if err != nil {
			return err
		}
		_, err = v.Verify(ctx, doc.Payload, &sign.Document{ContentSHA256: doc.ContentSHA256})
		return err
	}
	if err := verify(t, pdf); err != nil {
		t.Fatalf("the untouched copy: %v", err)
	}
	wantFail := func(t *testing.T, b []byte, reason string) {
		t.Helper()
		err := verify(t, b)
		if registry.ErrorCode(err) != registry.EINVALID || !strings.Contains(registry.ErrorMessage(err), reason) {
			t.Fatalf("verify = %v; want an EINVALID error saying %q", err, reason)
		}
	}

	t.Run("AlteredText", func(t *testing.T) {
		// The year of birth 1950 becomes 1951; the page shows it.
		b := rewriteContent(t, pdf, 0, func(c []byte) []byte {
			return bytes.Replace(c, utf16be("1950"), utf16be("1951"), 1)
		})
		text := pdftotext(t, writeTemp(t, "altered.pdf", b))
		if !strings.Contains(text, "Ngày, tháng, năm sinh: 1951") {
			t.Fatalf("the forgery does not show the new year:\n%s", text)
		}
		wantFail(t, b, "nội dung bản sao đã bị sửa")
	})
	t.Run("AlteredPosition", func(t *testing.T) {
		// Same text, one line moved: the hash covers the drawing, not just
		// the words.
		b := rewriteContent(t, pdf, 0, func(c []byte) []byte {
			return regexp.MustCompile(`BT (\d+)\.`).ReplaceAll(c, []byte("BT 9$1."))
		})
		wantFail(t, b, "nội dung bản sao đã bị sửa")
	})
	t.Run("OverlayAfterQR", func(t *testing.T) {
		b := rewriteContent(t, pdf, 0, func(c []byte) []byte {
			return append(c, []byte("\nq 1 g 70 500 200 20 re f Q BT /F1 12 Tf 72 505 Td (x) Tj ET")...)
		})
		wantFail(t, b, "sau mã QR có thêm nội dung")
	})
	t.Run("Annotation", func(t *testing.T) {
		b := bytes.Replace(pdf, []byte("/Type /Page\n"), []byte("/Type /Page\n/Annots [<</Type /Annot /Subtype /FreeText /Rect [70 500 270 520] /Contents (x)>>]\n"), 1)
		wantFail(t, b, "chú thích")
	})
	t.Run("PayloadOfAnotherCopy", func(t *testing.T) {
		// A genuine payload from another copy, put in this one's keywords.
		_, other, _ := render(t, cases[0])
		b := bytes.Replace(pdf, []byte(res.Payload), []byte(other.Payload), 1)
		if bytes.Equal(b, pdf) {
			t.Fatal("payload not found in the file")
		}
		// The other copy's key is another authority's: use a verifier that
		// knows both, so that the failure is the content's.
		_, _, otherKey := render(t, cases[0])
		both := &sign.Verifier{Key: func(c context.Context, id string) (*registry.SigningKey, error) {
			if id == otherKey.KeyID() {
				return otherKey.Public(issuedAt), nil
			}
			return v.Key(c, id)
		}}
		doc, err := extract.Read(b)
		if err != nil {
			t.Fatal(err)
		}
		_, err = both.Verify(ctx, doc.Payload, &sign.Document{ContentSHA256: doc.ContentSHA256})
		if !strings.Contains(registry.ErrorMessage(err), "nội dung bản sao đã bị sửa") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("ResignedWithAnotherKey", func(t *testing.T) {
		forger := testKey(t, "99999")
		p, _ := sign.Parse(res.Payload)
		iss := &registry.ExtractIssue{IssuerCode: p.IssuerCode, RecordID: p.RecordID, Form: p.Serial.Form, Serial: p.Serial,
			IssuedAt: issuedAt, ContentSHA256: p.ContentHex()}
		forger.IssuerCode = p.IssuerCode
		forged, err := forger.Seal(iss)
		if err != nil {
			t.Fatal(err)
		}
		forged = strings.Replace(forged, forger.KeyID(), key.KeyID(), 1)
		b := bytes.Replace(pdf, []byte(res.Payload), []byte(forged), 1)
		wantFail(t, b, "chữ ký không hợp lệ")
	})
	t.Run("PagesDiffer", func(t *testing.T) {
		// The second copy's page says something else than the first.
		b := rewriteContent(t, pdf, 2, func(c []byte) []byte {
			return bytes.Replace(c, utf16be("PHẠM"), utf16be("PHAN"), 1)
		})
		wantFail(t, b, "khác trang 1")
	})
	t.Run("NotAPDF", func(t *testing.T) {
		wantFail(t, []byte("hello"), "không phải PDF")
		wantFail(t, pdf[:len(pdf)/2], "")
	})
}

// FuzzRead: Read never panics, whatever the bytes, and what it accepts has
// a payload and a content hash.
func FuzzRead(f *testing.F) {
	pdf, _, _ := render(f, cases[2])
	f.Add(pdf)
	f.Add([]byte("%PDF-1.3\n1 0 obj\n<</Type /Pages /Kids [2 0 R]>>\nendobj\ntrailer\n<</Root 3 0 R /Info 4 0 R>>"))
	f.Add([]byte("%PDF-1.3\n5 0 obj\n<</Length 99999>>\nstream\nxx"))
	f.Fuzz(func(t *testing.T, b []byte) {
		doc, err := extract.Read(b)
		if err != nil {
			if registry.ErrorCode(err) != registry.EINVALID {
				t.Fatalf("Read: %v (want an EINVALID error)", err)
			}
			return
		}
		if doc.Payload == "" || len(doc.ContentSHA256) != 64 {
			t.Fatalf("accepted without payload or hash: %+v", doc)
		}
	})
}
