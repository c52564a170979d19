package sqlite

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestEncodeJSON(t *testing.T) {
	values := []string{"", "Nguyễn Văn Đức", `say "hi"\`, "tab\tnew\nline\r", "\x01\x1f", "<&>", "bad \xff utf8", "\u2028"}
	var got []string
	if err := json.Unmarshal([]byte(encodeStrings(values)), &got); err != nil {
		t.Fatal(err)
	}
	want := append([]string(nil), values...)
	want[6] = "bad \ufffd utf8"
	if !reflect.DeepEqual(got, want) {
		t.Errorf("strings round trip:\n got %q\nwant %q", got, want)
	}
	m := map[string]string{"ho_ten": "Lê Thị Thuý", "a": `"`, "z": "\n"}
	var back map[string]string
	if err := json.Unmarshal([]byte(encodeMap(m)), &back); err != nil || !reflect.DeepEqual(back, m) {
		t.Errorf("map round trip: %v %v", back, err)
	}
	if got := encodeMap(m); got != `{"a":"\"","ho_ten":"Lê Thị Thuý","z":"\n"}` {
		t.Errorf("encodeMap = %s", got)
	}
	if got := encodeStrings(nil); got != "[]" {
		t.Errorf("encodeStrings(nil) = %s", got)
	}
}

func FuzzEncodeJSON(f *testing.F) {
	f.Add("Nguyễn", "\x00\"\\")
	f.Fuzz(func(t *testing.T, a, b string) {
		var got []string
		if err := json.Unmarshal([]byte(encodeStrings([]string{a, b})), &got); err != nil {
			t.Fatalf("invalid JSON for %q %q: %v", a, b, err)
		}
		var m map[string]string
		if err := json.Unmarshal([]byte(encodeMap(map[string]string{a: b})), &m); err != nil {
			t.Fatalf("invalid JSON object: %v", err)
		}
	})
}
