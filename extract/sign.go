package extract

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"time"
	"unicode/utf16"

	"github.com/hotich/hotich/registry"
)

// A signed copy is one PDF revision, written by assemble from what the PDF
// library wrote: its objects, with the document information rewritten
// (dates with their time zone, UTF-16 titles), the fonts named with a
// subset tag (PDF 32000 §9.6.4), and three objects added: the signature
// field (merged with its widget on the last page), its appearance, and
// the signature dictionary (ISO 32000-2 §12.8, PAdES: SubFilter
// ETSI.CAdES.detached) whose /Contents holds the CMS and whose /ByteRange
// covers every other byte of the file. Nothing follows the signature: any
// byte appended later is an incremental update made after signing, which
// Verify reports.

// placeholderRange is the /ByteRange written before the offsets are known:
// the same width as the final one.
const placeholderRange = "[0 0000000000 0000000000 0000000000]"

// prepared is a file ready for its signature: the byte range it covers
// and the room for the CMS, in hex, between them.
type prepared struct {
	pdf      []byte
	contents int // offset of the "<" of /Contents
	space    int // bytes of CMS room
}

// signedContent returns the bytes the signature covers.
func (p *prepared) signedContent() []byte {
	end := p.contents + 2 + 2*p.space
	out := make([]byte, 0, len(p.pdf)-(end-p.contents))
	out = append(out, p.pdf[:p.contents]...)
	return append(out, p.pdf[end:]...)
}

// fill writes the CMS into its room.
func (p *prepared) fill(cms []byte) error {
	if len(cms) > p.space {
		return fmt.Errorf("extract: CMS of %d bytes exceeds the %d reserved", len(cms), p.space)
	}
	hex.Encode(p.pdf[p.contents+1:], cms)
	return nil
}

// SignedFile is a signed copy and what the issue log keeps of it.
type SignedFile struct {
	PDF []byte
	CMS []byte
}

// Sign signs a rendered copy with a unit's key: a PAdES baseline signature
// over the whole file, made at the copy's issue time.
func Sign(ctx context.Context, r *Rendered, s registry.Sealer) (*SignedFile, error) {
	p, err := assemble(r, s.SignerName(), s.CMSSize())
	if err != nil {
		return nil, err
	}
	cms, err := s.SignCMS(ctx, p.signedContent(), r.Info.At)
	if err != nil {
		return nil, err
	}
	if err := p.fill(cms); err != nil {
		return nil, err
	}
	return &SignedFile{PDF: p.pdf, CMS: cms}, nil
}

// Resign assembles a rendered copy again with the CMS it was signed with:
// the same bytes as Sign made, when the rendering and the room reserved
// are the same.
func Resign(r *Rendered, signerName string, space int, cms []byte) ([]byte, error) {
	p, err := assemble(r, signerName, space)
	if err != nil {
		return nil, err
	}
	if err := p.fill(cms); err != nil {
		return nil, err
	}
	return p.pdf, nil
}

var (
	xrefEntryRE = regexp.MustCompile(`(\d{10}) (\d{5}) ([nf])`)
	trailerRE   = regexp.MustCompile(`/Size (\d+)\s*/Root (\d+) 0 R\s*/Info (\d+) 0 R`)
	kidsRE      = regexp.MustCompile(`/Kids \[([^\]]*)\]`)
	refRE       = regexp.MustCompile(`(\d+) 0 R`)
	// The fonts' names as the PDF library writes them: utf8serif,
	// utf8serifB… for the full fonts, the PostScript names of the fast
	// ones (HotichSerifVN, HotichSerifVN-Bold…).
	fontNameRE = regexp.MustCompile(`/(BaseFont|FontName) /(?:utf8` + family + `(B|I)?|HotichSerifVN(?:-(Bold|Italic))?)\b`)
)

// libObjects splits the PDF library's output into its objects, by number,
// using its cross-reference table; it reads only the structure that
// library writes.
func libObjects(b []byte) (objs map[int][]byte, size, root, info int, err error) {
	bad := func(what string) error { return fmt.Errorf("extract: unexpected PDF from the library: %s", what) }
	x := bytes.LastIndex(b, []byte("\nxref\n"))
	t := bytes.LastIndex(b, []byte("trailer"))
	if x < 0 || t < x {
		return nil, 0, 0, 0, bad("no cross-reference table")
	}
	m := trailerRE.FindSubmatch(b[t:])
	if m == nil {
		return nil, 0, 0, 0, bad("trailer")
	}
	size, _ = strconv.Atoi(string(m[1]))
	root, _ = strconv.Atoi(string(m[2]))
	info, _ = strconv.Atoi(string(m[3]))
	entries := xrefEntryRE.FindAllSubmatch(b[x:t], -1)
	if len(entries) != size {
		return nil, 0, 0, 0, bad("cross-reference size")
	}
	type at struct{ n, off int }
	var offs []at
	for n, e := range entries {
		if string(e[3]) == "n" {
			off, _ := strconv.Atoi(string(e[1]))
			offs = append(offs, at{n, off})
		}
	}
	sort.Slice(offs, func(i, j int) bool { return offs[i].off < offs[j].off })
	objs = make(map[int][]byte, len(offs))
	for i, o := range offs {
		end := x + 1
		if i+1 < len(offs) {
			end = offs[i+1].off
		}
		head := []byte(strconv.Itoa(o.n) + " 0 obj\n")
		if o.off > end || !bytes.HasPrefix(b[o.off:], head) {
			return nil, 0, 0, 0, bad("object " + strconv.Itoa(o.n))
		}
		body := bytes.TrimRight(b[o.off+len(head):end], "\n")
		body, ok := bytes.CutSuffix(body, []byte("endobj"))
		if !ok {
			return nil, 0, 0, 0, bad("object " + strconv.Itoa(o.n) + " end")
		}
		objs[o.n] = body
	}
	return objs, size, root, info, nil
}

// assemble writes the file to be signed.
func assemble(r *Rendered, signerName string, space int) (*prepared, error) {
	objs, size, root, infoN, err := libObjects(r.PDF)
	if err != nil {
		return nil, err
	}
	kids := kidsRE.FindSubmatch(objs[1])
	if kids == nil {
		return nil, fmt.Errorf("extract: unexpected PDF from the library: page tree")
	}
	refs := refRE.FindAllSubmatch(kids[1], -1)
	if len(refs) == 0 {
		return nil, fmt.Errorf("extract: unexpected PDF from the library: no page")
	}
	lastPage, _ := strconv.Atoi(string(refs[len(refs)-1][1]))
	field, appearance, sig := size, size+1, size+2
	sum := sha256.Sum256(r.PDF)
	docID := hex.EncodeToString(sum[:16])

	// The subset tag: six capitals from the hash of the library's output
	// and the style, the same for the same copy.
	tag := func(style string) string {
		h := sha256.Sum256(append([]byte(style), sum[:]...))
		t := make([]byte, 6)
		for i := range t {
			t[i] = 'A' + h[i]%26
		}
		return string(t)
	}
	postScript := map[string]string{"": "LiberationSerif", "B": "LiberationSerif-Bold", "I": "LiberationSerif-Italic"}
	for n, body := range objs {
		if bytes.Contains(body, []byte("stream\n")) || !fontNameRE.Match(body) {
			continue
		}
		objs[n] = fontNameRE.ReplaceAllFunc(body, func(m []byte) []byte {
			sm := fontNameRE.FindSubmatch(m)
			key, name := string(sm[1]), ""
			if full := bytes.Contains(m, []byte("/utf8")); full {
				style := string(sm[2])
				name = tag(style) + "+" + postScript[style]
			} else {
				name = "HotichSerifVN"
				if style := string(sm[3]); style != "" {
					name += "-" + style
				}
				name = tag("vn"+name) + "+" + name
			}
			return []byte("/" + key + " /" + name)
		})
	}
	at := r.Info.At.In(registry.Vietnam)
	objs[infoN] = []byte("<<\n/Title " + textString(r.Info.Title) + "\n/Subject " + textString(r.Info.Subject) +
		"\n/Keywords " + textString(r.Info.Keywords) + "\n/Creator (hotich)\n/Producer (hotich, gofpdf 1.16.2)" +
		"\n/CreationDate " + pdfDate(at) + "\n/ModDate " + pdfDate(at) + "\n>>\n")
	cat, ok := bytes.CutSuffix(bytes.TrimRight(objs[root], "\n"), []byte(">>"))
	if !ok {
		return nil, fmt.Errorf("extract: unexpected PDF from the library: catalog")
	}
	objs[root] = append(append([]byte{}, cat...), []byte(fmt.Sprintf("/AcroForm << /Fields [%d 0 R] /SigFlags 3 >>\n>>\n", field))...)
	pg, ok := bytes.CutSuffix(bytes.TrimRight(objs[lastPage], "\n"), []byte(">>"))
	if !ok {
		return nil, fmt.Errorf("extract: unexpected PDF from the library: page")
	}
	objs[lastPage] = append(append([]byte{}, pg...), []byte(fmt.Sprintf("\n/Annots [%d 0 R]>>\n", field))...)

	const k = 72 / 25.4
	s := r.Sig
	x0, y0 := s.x*k, (pageH-s.y-s.h)*k
	w, h := s.w*k, s.h*k
	objs[field] = []byte(fmt.Sprintf("<</Type /Annot /Subtype /Widget /FT /Sig /T (Chu ky so) /V %d 0 R /F 132 /P %d 0 R\n/Rect [%.2f %.2f %.2f %.2f] /AP << /N %d 0 R >>>>\n",
		sig, lastPage, x0, y0, x0+w, y0+h, appearance))
	// The appearance frames the signature block the page prints (who
	// signed, when): readers draw it, and open the signature panel on it.
	frame := fmt.Sprintf("q 0.1 0.3 0.6 RG 0.5 w 0.5 0.5 %.2f %.2f re S Q\n", w-1, h-1)
	objs[appearance] = []byte(fmt.Sprintf("<</Type /XObject /Subtype /Form /BBox [0 0 %.2f %.2f] /Length %d>>\nstream\n%sendstream\n", w, h, len(frame), frame))
	objs[sig] = []byte("<</Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached\n/Name " + textString(signerName) +
		"\n/Reason " + textString("Bản sao điện tử từ cơ sở dữ liệu hộ tịch (TT 01/2022/TT-BTP)") + "\n/Location " + textString(r.Info.Subject) +
		"\n/M " + pdfDate(at) + "\n/ByteRange " + placeholderRange + "\n/Contents <" + string(bytes.Repeat([]byte("0"), 2*space)) + ">\n>>\n")

	var out bytes.Buffer
	out.Grow(len(r.PDF) + 2*space + 4096)
	out.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	offsets := make([]int, sig+1)
	for n := 1; n <= sig; n++ {
		body, ok := objs[n]
		if !ok {
			return nil, fmt.Errorf("extract: unexpected PDF from the library: object %d missing", n)
		}
		offsets[n] = out.Len()
		fmt.Fprintf(&out, "%d 0 obj\n", n)
		out.Write(body)
		if !bytes.HasSuffix(body, []byte("\n")) {
			out.WriteByte('\n')
		}
		out.WriteString("endobj\n")
	}
	xref := out.Len()
	fmt.Fprintf(&out, "xref\n0 %d\n0000000000 65535 f \n", sig+1)
	for n := 1; n <= sig; n++ {
		fmt.Fprintf(&out, "%010d 00000 n \n", offsets[n])
	}
	fmt.Fprintf(&out, "trailer\n<</Size %d /Root %d 0 R /Info %d 0 R /ID [<%s> <%s>]>>\nstartxref\n%d\n%%%%EOF\n", sig+1, root, infoN, docID, docID, xref)

	b := out.Bytes()
	sigAt := offsets[sig]
	br := bytes.Index(b[sigAt:], []byte("/ByteRange "+placeholderRange))
	ct := bytes.Index(b[sigAt:], []byte("/Contents <"))
	if br < 0 || ct < 0 {
		return nil, fmt.Errorf("extract: signature dictionary not written")
	}
	contents := sigAt + ct + len("/Contents ")
	end := contents + 2 + 2*space
	rng := fmt.Sprintf("[0 %010d %010d %010d]", contents, end, len(b)-end)
	copy(b[sigAt+br+len("/ByteRange "):], rng)
	return &prepared{pdf: b, contents: contents, space: space}, nil
}

// textString writes a PDF text string: UTF-16BE with a byte-order mark,
// in hex, so that no character needs escaping.
func textString(s string) string {
	u := utf16.Encode([]rune(nfc(s)))
	b := make([]byte, 2, 2+2*len(u))
	b[0], b[1] = 0xFE, 0xFF
	for _, c := range u {
		b = append(b, byte(c>>8), byte(c))
	}
	return "<" + hex.EncodeToString(b) + ">"
}

// pdfDate writes a PDF date with its offset from UTC: (D:20250609150000+07'00').
func pdfDate(t time.Time) string {
	_, off := t.Zone()
	sign := '+'
	if off < 0 {
		sign, off = '-', -off
	}
	return fmt.Sprintf("(D:%s%c%02d'%02d')", t.Format("20060102150405"), sign, off/3600, off%3600/60)
}
