package sqlite

import (
	"context"
	"hash/maphash"
)

// idFilter is a scalable Bloom filter over the record IDs in the store. The
// bulk writer asks it before looking a record up: most rows of a batch are
// new entries, and a "certainly absent" answer saves a B-tree probe per row.
// False positives only cost a lookup; there are no false negatives.
type idFilter struct {
	seed  maphash.Seed
	parts []bloom
}

type bloom struct {
	bits []uint64
	mask uint64
	n    int // IDs added
	cap  int // IDs it holds at about 1% false positives
}

const bloomHashes = 7

func newBloom(capacity int) bloom {
	m := uint64(1)
	for m < uint64(capacity)*10 {
		m <<= 1
	}
	return bloom{bits: make([]uint64, m/64), mask: m - 1, cap: capacity}
}

func newIDFilter(capacity int) *idFilter {
	if capacity < 1<<16 {
		capacity = 1 << 16
	}
	return &idFilter{seed: maphash.MakeSeed(), parts: []bloom{newBloom(capacity)}}
}

func (f *idFilter) hashes(id string) (uint64, uint64) {
	h := maphash.String(f.seed, id)
	return h, h>>33 | h<<31 | 1
}

func (f *idFilter) add(id string) {
	last := &f.parts[len(f.parts)-1]
	if last.n >= last.cap {
		f.parts = append(f.parts, newBloom(last.cap*2))
		last = &f.parts[len(f.parts)-1]
	}
	h1, h2 := f.hashes(id)
	for i := uint64(0); i < bloomHashes; i++ {
		b := (h1 + i*h2) & last.mask
		last.bits[b/64] |= 1 << (b % 64)
	}
	last.n++
}

func (f *idFilter) mayContain(id string) bool {
	h1, h2 := f.hashes(id)
next:
	for i := range f.parts {
		p := &f.parts[i]
		for j := uint64(0); j < bloomHashes; j++ {
			b := (h1 + j*h2) & p.mask
			if p.bits[b/64]&(1<<(b%64)) == 0 {
				continue next
			}
		}
		return true
	}
	return false
}

// idFilter returns the store's ID filter, building it from the records
// table the first time.
func (db *DB) idFilter(ctx context.Context) (*idFilter, error) {
	if db.filter != nil {
		return db.filter, nil
	}
	var n int
	if err := db.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM records`).Scan(&n); err != nil {
		return nil, err
	}
	f := newIDFilter(2 * n)
	rows, err := db.db.QueryContext(ctx, `SELECT id FROM records`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		f.add(id)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	db.filter = f
	return f, nil
}
