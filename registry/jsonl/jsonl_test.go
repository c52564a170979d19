package jsonl_test

import (
	"bytes"
	"testing"

	"github.com/hotich/hotich/registry"
	"github.com/hotich/hotich/registry/jsonl"
	"github.com/hotich/hotich/registry/vntext"
)

func TestWrite(t *testing.T) {
	rec := &registry.Record{
		ID: "KS-26740-7F3K9Q2MXA", Register: registry.Birth, AuthorityCode: "26740",
		AuthorityName: "UBND Phường Bến Nghé, Quận 1", Book: "01/2010", Number: "125",
		RegisteredOn: vntext.Date{Year: 2010, Month: 3, Day: 15},
		Fields:       map[string]string{"ho_ten": "Nguyễn Văn An", "ngay_sinh": "2010-03-01", "gioi_tinh": "Nam", "me_ngay_sinh": "1985"},
		SourceRefs:   []string{"q1.csv#12", "rescan.csv#7"},
		Flags:        []registry.Flag{{Code: registry.FlagIDMismatch}, {Code: registry.FlagConflict}, {Code: registry.FlagIDMismatch, Field: "x"}},
		Conflicts:    []registry.Conflict{{Field: "noi_sinh", Values: []string{"A & B", "<C>"}, SourceRefs: []string{"q1.csv#12", "rescan.csv#7"}}},
		Duplicates: []registry.DuplicateLink{
			{ID: "KS-27000-ZZZ", Score: 0.912345678, Status: registry.LinkSuspected},
			{ID: "KS-26743-AAA", Score: 0.99996, Status: registry.LinkConfirmed},
		},
	}
	var buf bytes.Buffer
	w := jsonl.NewWriter(&buf)
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	if err := w.Write(&registry.Record{ID: "KT-26740-0", Register: registry.Death, RegisteredOn: vntext.Date{Year: 1950}}); err != nil {
		t.Fatal(err)
	}
	w.Flush()
	want := `{"id":"KS-26740-7F3K9Q2MXA","register":"KS","authority_code":"26740","authority_name":"UBND Phường Bến Nghé, Quận 1","book":"01/2010","number":"125","registered_on":"2010-03-15","source_refs":["q1.csv#12","rescan.csv#7"],"fields":{"gioi_tinh":"Nam","ho_ten":"Nguyễn Văn An","me_ngay_sinh":"1985","ngay_sinh":"2010-03-01"},"flags":["conflict","id_mismatch"],"conflicts":[{"field":"noi_sinh","values":["A & B","<C>"],"source_refs":["q1.csv#12","rescan.csv#7"]}],"duplicates":[{"id":"KS-26743-AAA","score":1,"status":"confirmed"},{"id":"KS-27000-ZZZ","score":0.9123,"status":"suspected"}]}
{"id":"KT-26740-0","register":"KT","authority_code":"","authority_name":"","book":"","number":"","registered_on":"1950","source_refs":[],"fields":{},"flags":[],"conflicts":[],"duplicates":[]}
`
	if got := buf.String(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}
