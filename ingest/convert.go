package ingest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode"

	"github.com/hotich/hotich/registry"
	"github.com/hotich/hotich/registry/vntext"
)

// converter turns the cells of one batch's rows into register entries,
// normalised and checked. It holds no mutable state: workers share one.
type converter struct {
	reg    registry.Register
	header []string
	cols   []headerColumn // per header cell
	ref    *registry.RefData
	today  time.Time
	repair bool // repair mojibake cell by cell (text that was UTF-8 or UTF-16)
	jsonl  bool
}

// headerColumn is what a header cell names: a canonical column, or an
// unknown column kept under its header as written.
type headerColumn struct {
	col   registry.Column
	known bool
	extra string
}

// newConverter returns the converter of a file whose header cells, as
// headerTexts gives them, are header.
func newConverter(reg registry.Register, header []string, ref *registry.RefData, today time.Time, repair, jsonl bool) *converter {
	c := &converter{reg: reg, header: header, ref: ref, today: today, repair: repair, jsonl: jsonl}
	// Unknown columns are kept under their header as written; blank and
	// repeated headers get distinct labels, or one cell would hide another.
	for i, label := range registry.ColumnLabels(header) {
		c.cols = append(c.cols, c.column(header[i], label))
	}
	return c
}

// column names what a header text names: a canonical column, or an unknown
// one kept under label.
func (c *converter) column(text, label string) headerColumn {
	if col, ok := c.reg.ColumnByHeader(text); ok {
		return headerColumn{col: col, known: true}
	}
	return headerColumn{extra: label}
}

// cells pairs the values of a row with what their headers name.
type cellValue struct {
	hc  headerColumn
	raw string
}

// convert reads one row. The checks run in a fixed order, so a row with
// several problems is always reported with the same reason: the row's shape,
// its register, required values, dates, then coded values.
func (c *converter) convert(n int, cells []string) registry.Row {
	row := registry.Row{N: n, Raw: cells}
	if err := c.overLimit(&row); err != nil {
		row.Err = err
		return row
	}
	vals, err := c.split(cells)
	if err != nil {
		row.Err = err
		return row
	}

	// Clean every value; "-", "x", "không rõ" mean unknown.
	values := make(map[string]string, len(vals))
	var extra map[string]string
	var flags []registry.Flag
	for _, cv := range vals {
		v := cv.raw
		if c.repair {
			v, _ = vntext.RepairMojibake(v)
		}
		v = vntext.Clean(v)
		if clean, n := vntext.DropXMLInvalid(v); n > 0 {
			// Control characters are keying accidents no register holds,
			// and no exchange file can carry: out of the value, into a
			// flag; the source row keeps them as read.
			v = vntext.Clean(clean)
			flags = append(flags, registry.Flag{Code: registry.FlagInvalidChars, Field: cv.hc.name(),
				Detail: fmt.Sprintf("đã bỏ %d ký tự điều khiển khỏi ô (dòng nguồn giữ nguyên)", n)})
		}
		if registry.IsUnknown(v) {
			v = ""
		}
		if !cv.hc.known {
			if v != "" {
				if extra == nil {
					extra = map[string]string{}
				}
				extra[cv.hc.extra] = v
			}
			continue
		}
		name := cv.hc.col.Name
		if prev, dup := values[name]; dup && prev != "" {
			if v != "" && v != prev {
				// Two columns for one field that disagree: keep both.
				if extra == nil {
					extra = map[string]string{}
				}
				extra[name+" (2)"] = v
			}
			continue
		}
		values[name] = v
	}

	// The register of the row must be the file's. A file in which no row
	// names a register has none, and all its rows fail here.
	if !c.reg.Valid() {
		row.Err = registry.RowErrorf(registry.RejectMissing, registry.ColRegister, "không xác định được loại sổ của tệp: cột Loại sổ thiếu hoặc sai ở %d dòng đầu", peekLimit)
		return row
	}
	if values[registry.ColRegister] == "" {
		row.Err = registry.RowErrorf(registry.RejectMissing, registry.ColRegister, "thiếu thông tin bắt buộc: Loại sổ")
		return row
	}
	if reg, err := registry.ParseRegister(values[registry.ColRegister]); err != nil || reg != c.reg {
		row.Err = registry.RowErrorf(registry.RejectWrongRegister, registry.ColRegister, "dòng thuộc sổ %q, tệp là sổ %s", values[registry.ColRegister], c.reg)
		return row
	}

	// Required values present and readable; unreadable optional values are
	// kept out of the record and flagged (the raw row keeps them).
	for _, col := range c.reg.Columns() {
		v := values[col.Name]
		if col.Required && v == "" {
			row.Err = registry.RowErrorf(registry.RejectMissing, col.Name, "thiếu thông tin bắt buộc: %s", col.Aliases[0])
			return row
		}
		if v != "" && !readable(v) {
			if col.Required {
				row.Err = registry.RowErrorf(registry.RejectUnreadable, col.Name, "không đọc được %s: %q", strings.ToLower(col.Aliases[0]), v)
				return row
			}
			flags = append(flags, registry.Flag{Code: registry.FlagUnknownValue, Field: col.Name, Detail: "không đọc được giá trị: " + v})
			delete(values, col.Name)
		}
	}

	rec := &registry.Record{
		Register:      c.reg,
		AuthorityCode: strings.TrimSpace(values[registry.ColAuthorityCode]),
		AuthorityName: values[registry.ColAuthorityName],
		Book:          values[registry.ColBook],
		Number:        values[registry.ColNumber],
		Fields:        make(map[string]string, len(values)),
		Extra:         extra,
	}
	var valueErr *registry.RowError
	for _, col := range c.reg.Columns() {
		v := values[col.Name]
		if v == "" || registry.IsEntryColumn(col.Name) && col.Name != registry.ColRegisteredOn {
			continue
		}
		stored, rerr, flag := registry.NormalizeValue(col, v)
		if rerr != nil {
			if rerr.Code == registry.RejectInvalidValue {
				// Reported after the dates; keep the value as written
				// meanwhile, so the record is not also "missing" it.
				if valueErr == nil {
					valueErr = rerr
				}
				rec.Fields[col.Name] = v
				continue
			}
			row.Err = rerr // dates: reported before coded values
			return row
		}
		if flag != nil {
			flags = append(flags, *flag)
		}
		if col.Name == registry.ColRegisteredOn {
			rec.RegisteredOn, _ = vntext.ParseISODate(stored)
			continue
		}
		rec.Fields[col.Name] = stored
	}
	if err := rec.Validate(c.today); err != nil {
		var re *registry.RowError
		if errors.As(err, &re) {
			row.Err = re
			return row
		}
		row.Err = registry.RowErrorf(registry.RejectMalformed, "", "%v", err)
		return row
	}
	if valueErr != nil {
		row.Err = valueErr
		return row
	}

	// Review flags: personal IDs, the authority code.
	for _, s := range c.reg.Slots() {
		field, id := s.Prefix+registry.ColSoDinhDanh, rec.Fields[s.Prefix+registry.ColSoDinhDanh]
		sex := rec.Fields[s.Prefix+registry.ColGioiTinh]
		if id == "" {
			// A personal ID keyed as the identity document (the spouses of
			// a marriage, the parties of a recognition) is checked alike;
			// a spouse's sex is the role's.
			if doc := registry.DocumentID(rec.Fields[s.Prefix+registry.ColGiayTo]); len(doc) == 12 {
				field, id = s.Prefix+registry.ColGiayTo, doc
				if sex == "" {
					sex = s.Role.Sex()
				}
			}
		}
		if id == "" {
			continue
		}
		birth := rec.Date(s.Prefix + registry.ColNgaySinh)
		for _, f := range registry.CheckPersonalID(id, sex, birth, c.ref.KnownIDProvince) {
			f.Field = field
			flags = append(flags, f)
		}
	}
	if !c.ref.KnownAuthority(rec.AuthorityCode) {
		flags = append(flags, registry.Flag{Code: registry.FlagUnknownAuthority, Field: registry.ColAuthorityCode,
			Detail: fmt.Sprintf("mã %s không có trong danh mục đơn vị hành chính", rec.AuthorityCode)})
	}
	row.Record, row.Flags = rec, flags
	return row
}

// overLimit rejects a row with a cell over MaxCellBytes or more cells than
// MaxColumns, keeping the first rawKeepBytes of a long cell in its raw
// content. (Lines over MaxLineBytes never reach here: the reader cuts them.)
func (c *converter) overLimit(row *registry.Row) *registry.RowError {
	if len(row.Raw) > MaxColumns {
		return registry.RowErrorf(registry.RejectOverLimit, "", "dòng có %d ô, quá giới hạn %d ô", len(row.Raw), MaxColumns)
	}
	for i, v := range row.Raw {
		if len(v) <= MaxCellBytes || c.jsonl {
			continue
		}
		field := ""
		if i < len(c.cols) {
			field = c.cols[i].name()
		}
		raw := append([]string(nil), row.Raw...)
		raw[i] = string(cutUTF8([]byte(v), rawKeepBytes)) + "…"
		row.Raw = raw
		return registry.RowErrorf(registry.RejectOverLimit, field, "ô thứ %d dài %d byte, quá giới hạn %d byte", i+1, len(v), MaxCellBytes)
	}
	return nil
}

// name is the column a header cell names, as reports give it.
func (h headerColumn) name() string {
	if h.known {
		return h.col.Name
	}
	return h.extra
}

// split pairs a row's cells with their columns, or says why the row cannot
// be read as a row of the file.
func (c *converter) split(cells []string) ([]cellValue, *registry.RowError) {
	if c.jsonl {
		return c.splitJSON(cells[0])
	}
	if len(cells) != len(c.header) {
		return nil, registry.RowErrorf(registry.RejectMalformed, "", "dòng có %d ô nhưng tiêu đề có %d cột", len(cells), len(c.header))
	}
	vals := make([]cellValue, len(cells))
	for i, v := range cells {
		vals[i] = cellValue{hc: c.cols[i], raw: v}
	}
	return vals, nil
}

func (c *converter) splitJSON(line string) ([]cellValue, *registry.RowError) {
	dec := json.NewDecoder(strings.NewReader(line))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil || tok != json.Delim('{') {
		return nil, registry.RowErrorf(registry.RejectMalformed, "", "dòng không phải một đối tượng JSON")
	}
	var vals []cellValue
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, invalidJSON(err)
		}
		key, _ := tok.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, invalidJSON(err)
		}
		v, err := jsonCell(raw)
		if err != nil {
			return nil, registry.RowErrorf(registry.RejectMalformed, key, "giá trị của %q không phải chuỗi hay số", key)
		}
		if len(v) > MaxCellBytes {
			return nil, registry.RowErrorf(registry.RejectOverLimit, key, "giá trị của %q dài %d byte, quá giới hạn %d byte", key, len(v), MaxCellBytes)
		}
		if len(vals) == MaxColumns {
			return nil, registry.RowErrorf(registry.RejectOverLimit, "", "dòng có quá %d khóa", MaxColumns)
		}
		vals = append(vals, cellValue{hc: c.resolve(key), raw: v})
	}
	if _, err := dec.Token(); err != nil {
		return nil, invalidJSON(err)
	}
	if dec.More() {
		return nil, registry.RowErrorf(registry.RejectMalformed, "", "dòng chứa nhiều hơn một đối tượng JSON")
	}
	return vals, nil
}

// resolve names the column of a .jsonl key: a canonical column, or an
// unknown one kept under the key as written.
func (c *converter) resolve(key string) headerColumn {
	h := headerText(key, c.repair)
	if h == "" {
		return c.column(h, "(khóa rỗng)")
	}
	return c.column(h, h)
}

// invalidJSON is the reject of a .jsonl line the decoder cannot read, in
// the clerk's words: where the line goes wrong, not the decoder's English.
func invalidJSON(err error) *registry.RowError {
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		return registry.RowErrorf(registry.RejectMalformed, "", "JSON không hợp lệ: lỗi cú pháp ở ký tự thứ %d của dòng", se.Offset)
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		return registry.RowErrorf(registry.RejectMalformed, "", "JSON không hợp lệ: dòng dừng giữa chừng, đối tượng chưa đóng")
	default:
		return registry.RowErrorf(registry.RejectMalformed, "", "JSON không hợp lệ")
	}
}

func jsonCell(raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	switch {
	case len(raw) == 0 || string(raw) == "null":
		return "", nil
	case raw[0] == '"':
		var s string
		err := json.Unmarshal(raw, &s)
		return s, err
	case raw[0] == '{' || raw[0] == '[':
		return "", fmt.Errorf("not a scalar")
	}
	return string(raw), nil // a number or a boolean, as written
}

// readable reports whether a cleaned value holds only printable text: no
// replacement characters from a failed decode and no control characters.
func readable(s string) bool {
	for _, r := range s {
		if r == unicode.ReplacementChar || unicode.IsControl(r) {
			return false
		}
	}
	return true
}
