package samples_test

import (
	"strings"
	"testing"

	"github.com/hotich/hotich/registry/vntext"
)

// TestPairs checks pairs.jsonl against the rows: every duplicate pair joins
// two stored records of one event, every pair of records of one event is
// listed, and the hard negatives are what they say they are.
func TestPairs(t *testing.T) { checkPairs(t, generated(t)) }

func checkPairs(t *testing.T, c *corpus) {
	type rec struct {
		event  string
		fields map[string]string
		ref    string
	}
	recs := map[string]*rec{}        // record ID -> first stored row
	byEvent := map[string][]string{} // event -> record IDs in order
	for _, r := range c.rows {
		if r.RecordID == "" {
			continue
		}
		if prev, ok := recs[r.RecordID]; ok {
			if prev.event != r.Event {
				t.Errorf("%s: record %s holds events %s and %s", r.Ref, r.RecordID, prev.event, r.Event)
			}
			continue
		}
		recs[r.RecordID] = &rec{event: r.Event, fields: r.Fields, ref: r.Ref}
		byEvent[r.Event] = append(byEvent[r.Event], r.RecordID)
	}
	listed := map[[2]string]bool{}
	kinds := map[string]int{}
	for _, p := range c.pairs {
		a, b := recs[p.A], recs[p.B]
		if a == nil || b == nil || p.A == p.B {
			t.Errorf("pair %s %s: records %v %v not stored", p.A, p.B, a != nil, b != nil)
			continue
		}
		switch p.Kind {
		case "duplicate":
			kinds["duplicate:"+p.Via]++
			if a.event != b.event || a.event != p.Event {
				t.Errorf("duplicate %s/%s: events %s, %s, pair says %s", p.A, p.B, a.event, b.event, p.Event)
			}
			if len(p.Corruptions) == 0 && p.Via != "two_wards" {
				t.Errorf("duplicate %s/%s (%s): no corruption", p.A, p.B, p.Via)
			}
			listed[[2]string{p.A, p.B}] = true
			listed[[2]string{p.B, p.A}] = true
		case "hard_negative":
			kinds[p.Type]++
			if a.event == b.event {
				t.Errorf("hard negative %s %s/%s share event %s", p.Type, p.A, p.B, a.event)
			}
			checkHardNegative(t, p, a.fields, b.fields)
		default:
			t.Errorf("pair kind %q", p.Kind)
		}
	}
	for ev, ids := range byEvent {
		for i := range ids {
			for j := i + 1; j < len(ids); j++ {
				if !listed[[2]string{ids[i], ids[j]}] {
					t.Errorf("event %s: records %s and %s not listed as duplicates", ev, ids[i], ids[j])
				}
			}
		}
	}
	for _, k := range []string{"duplicate:dang_ky_lai", "duplicate:two_wards", "duplicate:keying_error", "twins", "siblings", "father_son", "common_name"} {
		if kinds[k] == 0 {
			t.Errorf("no %s pair", k)
		}
	}
	t.Logf("pairs: %v", kinds)
}

func checkHardNegative(t *testing.T, p pairLine, a, b map[string]string) {
	t.Helper()
	fold := func(s string) string { return vntext.FoldKey(s) }
	switch p.Type {
	case "twins":
		if a["me_ho_ten"] != b["me_ho_ten"] || a["ngay_sinh"] != b["ngay_sinh"] || a["ma_noi_dang_ky"] != b["ma_noi_dang_ky"] {
			t.Errorf("twins %v: mother, birth date or ward differ", p.Refs)
		}
		if fold(a["ho_ten"]) == fold(b["ho_ten"]) {
			t.Errorf("twins %v: same name %s", p.Refs, a["ho_ten"])
		}
	case "siblings":
		if a["me_ho_ten"] != b["me_ho_ten"] || a["ngay_sinh"][:4] >= b["ngay_sinh"][:4] {
			t.Errorf("siblings %v: mothers %s/%s, born %s/%s", p.Refs, a["me_ho_ten"], b["me_ho_ten"], a["ngay_sinh"], b["ngay_sinh"])
		}
	case "father_son":
		if a["ho_ten"] != b["ho_ten"] || b["cha_ho_ten"] != a["ho_ten"] {
			t.Errorf("father_son %v: %s / son %s, father %s", p.Refs, a["ho_ten"], b["ho_ten"], b["cha_ho_ten"])
		}
	case "common_name":
		if a["ho_ten"] != b["ho_ten"] || a["ngay_sinh"][:4] != b["ngay_sinh"][:4] || a["me_ho_ten"] == b["me_ho_ten"] {
			t.Errorf("common_name %v: %s %s / %s %s", p.Refs, a["ho_ten"], a["ngay_sinh"], b["ho_ten"], b["ngay_sinh"])
		}
	default:
		t.Errorf("hard negative type %q", p.Type)
	}
	if strings.Contains(p.A+p.B, " ") {
		t.Errorf("bad record IDs %q %q", p.A, p.B)
	}
}
