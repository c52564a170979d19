package extract

import (
	"bytes"
	"compress/zlib"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"regexp"
	"strconv"
	"unicode/utf16"

	"github.com/hotich/hotich/registry"
)

// Document is what Read finds in a copy's PDF.
type Document struct {
	Payload       string // the signed payload, from the document's keywords
	ContentSHA256 string // hex SHA-256 of what the page shows, recomputed
	FileSHA256    string // hex SHA-256 of the file
	Pages         int
}

// Read reads back a copy rendered by Render, for verification: the payload
// and the hash of the page content up to the QR code, which the payload's
// signature covers. It reads the structure this package writes (and the
// same structure rewritten without object streams, e.g. by qpdf --qdf), and
// refuses what a copy never contains: annotations, several content streams
// on a page, pages that differ, anything but the code after its marker.
// Every refusal is an EINVALID error with a reason in Vietnamese.
func Read(pdf []byte) (*Document, error) {
	sum := sha256.Sum256(pdf)
	doc := &Document{FileSHA256: hex.EncodeToString(sum[:])}
	f, err := parsePDF(pdf)
	if err != nil {
		return nil, err
	}
	info, ok := f.objs[f.info]
	if f.info == 0 || !ok {
		return nil, invalid("tệp không có thông tin tài liệu (Info), không phải bản sao do hệ thống cấp")
	}
	kw, ok := dictString(info.dict, "Keywords")
	if !ok || kw == "" {
		return nil, invalid("tệp không mang mã xác thực (Keywords)")
	}
	doc.Payload = kw

	pages, err := f.pages()
	if err != nil {
		return nil, err
	}
	doc.Pages = len(pages)
	var first []byte
	for i, pg := range pages {
		if annotsRE.Match(pg.dict) {
			return nil, invalid("trang %d có chú thích (annotation) được thêm vào sau khi cấp", i+1)
		}
		if contentsArrayRE.Match(pg.dict) {
			return nil, invalid("trang %d có nhiều luồng nội dung: tài liệu đã bị chỉnh sửa", i+1)
		}
		m := contentsRE.FindSubmatch(pg.dict)
		if m == nil {
			return nil, invalid("trang %d không có nội dung", i+1)
		}
		n, _ := strconv.Atoi(string(m[1]))
		content, err := f.streamData(n)
		if err != nil {
			return nil, err
		}
		if i == 0 {
			first = content
		} else if !bytes.Equal(content, first) {
			return nil, invalid("trang %d khác trang 1: các bản của một lần cấp phải giống hệt nhau", i+1)
		}
	}
	if first == nil {
		return nil, invalid("tài liệu không có trang nào")
	}
	cut := bytes.LastIndex(first, []byte(qrMarker+"\n"))
	if cut < 0 {
		return nil, invalid("trang không có mã QR của hệ thống")
	}
	if !onlyQR(first[cut+len(qrMarker)+1:]) {
		return nil, invalid("sau mã QR có thêm nội dung: tài liệu đã bị chỉnh sửa")
	}
	h := sha256.Sum256(first[:cut])
	doc.ContentSHA256 = hex.EncodeToString(h[:])
	return doc, nil
}

func invalid(format string, args ...any) error {
	return registry.Errorf(registry.EINVALID, "không đọc được bản sao: "+format, args...)
}

// onlyQR reports whether s holds only the operators drawQR writes: a
// saved state, a grey level, rectangles and one fill.
func onlyQR(s []byte) bool {
	for _, tok := range bytes.Fields(s) {
		switch string(tok) {
		case "q", "Q", "g", "re", "f":
			continue
		}
		if _, err := strconv.ParseFloat(string(tok), 64); err != nil {
			return false
		}
	}
	return true
}

var (
	objRE           = regexp.MustCompile(`(\d+)\s+(\d+)\s+obj\b`)
	lengthRE        = regexp.MustCompile(`/Length\s+(\d+)(\s+\d+\s+R)?`)
	filterRE        = regexp.MustCompile(`/Filter\s*(/\w+|\[)`)
	rootRE          = regexp.MustCompile(`/Root\s+(\d+)\s+\d+\s+R`)
	infoRE          = regexp.MustCompile(`/Info\s+(\d+)\s+\d+\s+R`)
	pagesRefRE      = regexp.MustCompile(`/Pages\s+(\d+)\s+\d+\s+R`)
	kidsRE          = regexp.MustCompile(`/Kids\s*\[([^\]]*)\]`)
	refRE           = regexp.MustCompile(`(\d+)\s+\d+\s+R`)
	typePageRE      = regexp.MustCompile(`/Type\s*/Page\b`)
	typePagesRE     = regexp.MustCompile(`/Type\s*/Pages\b`)
	annotsRE        = regexp.MustCompile(`/Annots\b`)
	contentsRE      = regexp.MustCompile(`/Contents\s+(\d+)\s+\d+\s+R`)
	contentsArrayRE = regexp.MustCompile(`/Contents\s*\[`)
	streamRE        = regexp.MustCompile(`stream\r?\n`)
)

// pdfObject is an indirect object: its dictionary (or other value) and its
// stream, raw.
type pdfObject struct {
	dict   []byte
	stream []byte
	hasStr bool
}

type pdfFile struct {
	objs       map[int]pdfObject // the last definition of each object
	root, info int
}

// parsePDF indexes the objects of a PDF written without object streams,
// scanning from start to end so that a later definition (an incremental
// update) wins, and skipping stream data by its length.
func parsePDF(b []byte) (*pdfFile, error) {
	if !bytes.HasPrefix(b, []byte("%PDF-")) {
		return nil, invalid("tệp không phải PDF")
	}
	f := &pdfFile{objs: map[int]pdfObject{}}
	var outside []byte // what is not inside an object: trailers
	pos := 0
	for {
		loc := objRE.FindSubmatchIndex(b[pos:])
		if loc == nil {
			outside = append(outside, b[pos:]...)
			break
		}
		outside = append(outside, b[pos:pos+loc[0]]...)
		n, _ := strconv.Atoi(string(b[pos+loc[2] : pos+loc[3]]))
		start := pos + loc[1]
		end := bytes.Index(b[start:], []byte("endobj"))
		if end < 0 {
			return nil, invalid("tệp PDF bị cắt hoặc hỏng (đối tượng %d)", n)
		}
		body := b[start : start+end]
		obj := pdfObject{dict: body}
		if s := bytes.Index(body, []byte("stream")); s >= 0 {
			dict := body[:s]
			sm := streamRE.FindIndex(body[s:])
			if sm == nil || sm[0] != 0 {
				return nil, invalid("luồng dữ liệu của đối tượng %d hỏng", n)
			}
			dataStart := start + s + sm[1]
			dataEnd := -1
			if m := lengthRE.FindSubmatch(dict); m != nil && len(m[2]) == 0 {
				l, _ := strconv.Atoi(string(m[1]))
				if dataStart+l <= len(b) && bytes.HasPrefix(bytes.TrimLeft(b[dataStart+l:], "\r\n"), []byte("endstream")) {
					dataEnd = dataStart + l
				}
			}
			if dataEnd < 0 {
				e := bytes.Index(b[dataStart:], []byte("endstream"))
				if e < 0 {
					return nil, invalid("luồng dữ liệu của đối tượng %d không có điểm kết thúc", n)
				}
				dataEnd = dataStart + e
				for dataEnd > dataStart && (b[dataEnd-1] == '\n' || b[dataEnd-1] == '\r') {
					dataEnd--
				}
			}
			obj = pdfObject{dict: dict, stream: b[dataStart:dataEnd], hasStr: true}
			e := bytes.Index(b[dataEnd:], []byte("endobj"))
			if e < 0 {
				return nil, invalid("tệp PDF bị cắt hoặc hỏng (đối tượng %d)", n)
			}
			end = dataEnd + e - start
		}
		if bytes.Contains(obj.dict, []byte("/ObjStm")) {
			return nil, invalid("tệp đã được lưu lại với luồng đối tượng nén; hãy dùng tệp gốc đã cấp")
		}
		f.objs[n] = obj
		pos = start + end + len("endobj")
	}
	if m := lastSubmatch(rootRE, outside); m != nil {
		f.root, _ = strconv.Atoi(string(m[1]))
	}
	if m := lastSubmatch(infoRE, outside); m != nil {
		f.info, _ = strconv.Atoi(string(m[1]))
	}
	if f.root == 0 {
		return nil, invalid("tệp PDF không có mục lục (Root)")
	}
	return f, nil
}

func lastSubmatch(re *regexp.Regexp, b []byte) [][]byte {
	all := re.FindAllSubmatch(b, -1)
	if len(all) == 0 {
		return nil
	}
	return all[len(all)-1]
}

// pages returns the page objects in order.
func (f *pdfFile) pages() ([]pdfObject, error) {
	root, ok := f.objs[f.root]
	if !ok {
		return nil, invalid("tệp PDF không có mục lục (Root)")
	}
	m := pagesRefRE.FindSubmatch(root.dict)
	if m == nil {
		return nil, invalid("tệp PDF không có cây trang")
	}
	n, _ := strconv.Atoi(string(m[1]))
	var out []pdfObject
	seen := map[int]bool{}
	var walk func(n, depth int) error
	walk = func(n, depth int) error {
		o, ok := f.objs[n]
		// A tree: no node twice (a cycle, or a fan-out that would be
		// walked exponentially often), and not deep.
		if !ok || depth > 8 || seen[n] || len(seen) > 1000 {
			return invalid("cây trang hỏng")
		}
		seen[n] = true
		switch {
		case typePagesRE.Match(o.dict):
			k := kidsRE.FindSubmatch(o.dict)
			if k == nil {
				return invalid("cây trang hỏng")
			}
			for _, r := range refRE.FindAllSubmatch(k[1], -1) {
				kid, _ := strconv.Atoi(string(r[1]))
				if err := walk(kid, depth+1); err != nil {
					return err
				}
			}
		case typePageRE.Match(o.dict):
			out = append(out, o)
		default:
			return invalid("cây trang hỏng")
		}
		return nil
	}
	if err := walk(n, 0); err != nil {
		return nil, err
	}
	return out, nil
}

// streamData returns the decoded data of a stream object (no filter or
// FlateDecode, the only ones a copy uses).
func (f *pdfFile) streamData(n int) ([]byte, error) {
	o, ok := f.objs[n]
	if !ok || !o.hasStr {
		return nil, invalid("không tìm thấy luồng nội dung %d", n)
	}
	m := filterRE.FindSubmatch(o.dict)
	switch {
	case m == nil:
		return o.stream, nil
	case string(m[1]) == "/FlateDecode":
		r, err := zlib.NewReader(bytes.NewReader(o.stream))
		if err != nil {
			return nil, invalid("luồng nội dung %d hỏng: %v", n, err)
		}
		out, err := io.ReadAll(io.LimitReader(r, 16<<20))
		if err != nil {
			return nil, invalid("luồng nội dung %d hỏng: %v", n, err)
		}
		return out, nil
	}
	return nil, invalid("luồng nội dung %d dùng bộ lọc %s, bản sao không dùng", n, m[1])
}

// dictString returns the value of a string entry of a dictionary, decoded
// (literal or hex; UTF-16 with a byte-order mark, else bytes as Latin-1).
func dictString(dict []byte, key string) (string, bool) {
	re := regexp.MustCompile(`/` + regexp.QuoteMeta(key) + `\s*([(<])`)
	all := re.FindAllSubmatchIndex(dict, -1)
	if len(all) == 0 {
		return "", false
	}
	at := all[len(all)-1][2]
	var raw []byte
	var ok bool
	if dict[at] == '(' {
		raw, ok = literalString(dict[at:])
	} else {
		raw, ok = hexString(dict[at:])
	}
	if !ok {
		return "", false
	}
	if len(raw) >= 2 && raw[0] == 0xFE && raw[1] == 0xFF {
		u := make([]uint16, 0, len(raw)/2)
		for i := 2; i+1 < len(raw); i += 2 {
			u = append(u, uint16(raw[i])<<8|uint16(raw[i+1]))
		}
		return string(utf16.Decode(u)), true
	}
	r := make([]rune, len(raw))
	for i, c := range raw {
		r[i] = rune(c)
	}
	return string(r), true
}

// literalString decodes a PDF literal string starting at its "(".
func literalString(b []byte) ([]byte, bool) {
	var out []byte
	depth := 0
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch c {
		case '(':
			if depth > 0 {
				out = append(out, c)
			}
			depth++
		case ')':
			depth--
			if depth == 0 {
				return out, true
			}
			out = append(out, c)
		case '\\':
			i++
			if i >= len(b) {
				return nil, false
			}
			switch e := b[i]; e {
			case 'n':
				out = append(out, '\n')
			case 'r':
				out = append(out, '\r')
			case 't':
				out = append(out, '\t')
			case 'b':
				out = append(out, '\b')
			case 'f':
				out = append(out, '\f')
			case '\r':
				if i+1 < len(b) && b[i+1] == '\n' {
					i++
				}
			case '\n':
			default:
				if e >= '0' && e <= '7' {
					v := 0
					j := i
					for ; j < len(b) && j < i+3 && b[j] >= '0' && b[j] <= '7'; j++ {
						v = v*8 + int(b[j]-'0')
					}
					out = append(out, byte(v))
					i = j - 1
				} else {
					out = append(out, e)
				}
			}
		default:
			out = append(out, c)
		}
	}
	return nil, false
}

// hexString decodes a PDF hex string starting at its "<".
func hexString(b []byte) ([]byte, bool) {
	end := bytes.IndexByte(b, '>')
	if end < 0 {
		return nil, false
	}
	var digits []byte
	for _, c := range b[1:end] {
		if c == ' ' || c == '\n' || c == '\r' || c == '\t' {
			continue
		}
		digits = append(digits, c)
	}
	if len(digits)%2 == 1 {
		digits = append(digits, '0')
	}
	out, err := hex.DecodeString(string(digits))
	return out, err == nil
}
