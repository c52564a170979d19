package accounts

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestHashingBounded: no more than MaxHashing password hashes run at once,
// so a flood of logins costs at most MaxHashing × the hash's memory; a
// login waiting for a slot gives up with its request.
func TestHashingBounded(t *testing.T) {
	s := &Service{MaxHashing: 2, Hash: HashParams{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}}
	ctx := context.Background()
	r1, err := s.slot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	r2, err := s.slot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if _, err := s.verify(short, "x", s.dummy); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("a third hash ran beside two: %v", err)
	}
	r1()
	if ok, err := s.verify(ctx, "hotich: no such account", s.dummy); err != nil || !ok {
		t.Fatalf("after a slot was freed: %v %v", ok, err)
	}
	r2()
}
