package desk

import (
	"fmt"
	"testing"
	"time"
)

// TestLimiterBounded: the limiter keeps at most maxKeys addresses; when
// full it forgets idle ones, and refuses new addresses rather than grow
// while all are busy.
func TestLimiterBounded(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := newLimiter(Rate{Every: time.Second, Burst: 2}, func() time.Time { return now })
	l.maxKeys = 3
	for i := range 3 {
		if !l.allow(fmt.Sprint("10.0.0.", i)) {
			t.Fatalf("address %d refused", i)
		}
	}
	if l.allow("10.0.0.9") {
		t.Error("a fourth address admitted while three are busy")
	}
	if len(l.buckets) != 3 {
		t.Errorf("%d buckets kept", len(l.buckets))
	}
	now = now.Add(2 * time.Second) // all three idle again
	if !l.allow("10.0.0.9") || len(l.buckets) != 1 {
		t.Errorf("idle addresses not forgotten: %d kept", len(l.buckets))
	}
}
