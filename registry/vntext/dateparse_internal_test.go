package vntext

import (
	"fmt"
	"reflect"
	"testing"
)

// TestDateFastPathAgrees checks that every input the fast path of
// ParseDate takes is read exactly as the general parser reads it: the same
// date, or the same error.
func TestDateFastPathAgrees(t *testing.T) {
	var inputs []string
	for _, y := range []int{0, 1, 999, 1899, 1950, 2000, 2001, 2024, 9999} {
		inputs = append(inputs, fmt.Sprintf("%04d", y))
		for m := 0; m <= 13; m++ {
			for d := 0; d <= 32; d++ {
				for _, sep := range []string{"/", "-", "."} {
					inputs = append(inputs, fmt.Sprintf("%02d%s%02d%s%04d", d, sep, m, sep, y))
				}
				inputs = append(inputs, fmt.Sprintf("%04d-%02d-%02d", y, m, d))
			}
		}
	}
	inputs = append(inputs, "05/03-1990", "05-03/1990", "1990/03/05", "1990.03.05", "ab/cd/efgh", "05/03/19x0", "12345", "123")
	taken := 0
	for _, in := range inputs {
		if _, ok := parseCommonDate(in); ok {
			taken++
		}
		fastD, fastErr := ParseDate(in)
		slowD, slowErr := parseDateSlow(in, in)
		if !reflect.DeepEqual(fastD, slowD) || !reflect.DeepEqual(fastErr, slowErr) {
			t.Errorf("%q: ParseDate = %+v, %v; general parser = %+v, %v", in, fastD, fastErr, slowD, slowErr)
		}
	}
	if taken < len(inputs)/2 {
		t.Errorf("the fast path took %d of %d inputs: it is not exercised", taken, len(inputs))
	}
}
