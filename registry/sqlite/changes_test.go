package sqlite_test

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
	"unicode/utf8"

	"github.com/hotich/hotich/registry"
	"github.com/hotich/hotich/registry/sqlite"
	"github.com/hotich/hotich/registry/storetest"
)

// The stream decodes the stored JSON without reflection; it must read what
// encoding/json reads.
var syncJSONCases = []string{
	`{}`, `{"a":"b"}`, ` { "a" : "b" , "c":"" } `, `{"ho_ten":"Nguyễn Văn An","x":"a\"b\\c\/d\n\t\u00e9\u003c\ud83d\ude00"}`,
	`{"a":"b",}`, `{"a":1}`, `{"a":null}`, `{"a":"b"} x`, `{"a":"\x01"}`, `{"a":"\ud800"}`, `{"a":"b","a":"c"}`,
	`[]`, `["a","b\n"]`, `[ "a" , "\u0041" ]`, `["a",]`, `[1]`, `["a"]]`, `"a"`, ``, `{"a":"\xff"}`,
}

func TestDecodeJSON(t *testing.T) {
	for _, c := range syncJSONCases {
		syncCheckJSON(t, c)
	}
}

func FuzzDecodeJSON(f *testing.F) {
	for _, c := range syncJSONCases {
		f.Add(c)
	}
	f.Fuzz(syncCheckJSON)
}

func syncCheckJSON(t *testing.T, s string) {
	if !utf8.ValidString(s) {
		return // the store writes valid UTF-8 only; see decodeStringMap
	}
	var wantMap map[string]string
	wantMapErr := json.Unmarshal([]byte(s), &wantMap)
	gotMap, gotMapErr := sqlite.DecodeStringMap(s)
	if (wantMapErr == nil) != (gotMapErr == nil) || (wantMapErr == nil && !reflect.DeepEqual(fmt.Sprint(gotMap), fmt.Sprint(wantMap))) {
		t.Errorf("map %q: got %v, %v; encoding/json %v, %v", s, gotMap, gotMapErr, wantMap, wantMapErr)
	}
	var wantList []string
	wantListErr := json.Unmarshal([]byte(s), &wantList)
	gotList, gotListErr := sqlite.DecodeStrings(s)
	if (wantListErr == nil) != (gotListErr == nil) || (wantListErr == nil && fmt.Sprint(gotList) != fmt.Sprint(wantList)) {
		t.Errorf("list %q: got %q, %v; encoding/json %q, %v", s, gotList, gotListErr, wantList, wantListErr)
	}
}

// BenchmarkChanges measures streaming a full change set (records with their
// annotations) from a store of 20,000 births.
func BenchmarkChanges(b *testing.B) {
	db := MustOpenDB(b)
	const n = 20000
	rows := make([]storetest.ScanRow, n)
	for i := range rows {
		rows[i] = storetest.ScanRow{Rec: storetest.Birth(i+1, "Nguyễn Văn An", map[string]string{"so_dinh_danh": "079210000001", "me_noi_cu_tru": "12 Lê Lợi, Quận 1"})}
	}
	storetest.WriteBatch(b, db, "bench.csv", rows...)
	b.ReportAllocs()
	total := 0
	for b.Loop() {
		err := db.Changes(context.Background(), 0, registry.ChangeHandler{Record: func(registry.RecordChange) error { total++; return nil }})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "records/s")
}
