package desk

import (
	"sync"
	"time"
)

// limiter is a token bucket per client address: Burst requests at once,
// then one per Every. It keeps at most maxKeys addresses: when full it
// forgets those whose bucket has refilled (idle ones), and if none has, it
// refuses new addresses rather than grow.
type limiter struct {
	mu      sync.Mutex
	rate    Rate
	now     func() time.Time
	buckets map[string]*bucket
	maxKeys int
}

type bucket struct {
	tokens float64
	at     time.Time
}

func newLimiter(r Rate, now func() time.Time) *limiter {
	return &limiter{rate: r, now: now, buckets: map[string]*bucket{}, maxKeys: 100_000}
}

// refill returns the tokens of b at now.
func (l *limiter) refill(b *bucket, now time.Time) float64 {
	t := b.tokens + float64(now.Sub(b.at))/float64(l.rate.Every)
	return min(t, float64(l.rate.Burst))
}

// allow takes a token of key's bucket, reporting whether there was one.
func (l *limiter) allow(key string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	b, ok := l.buckets[key]
	if !ok {
		if len(l.buckets) >= l.maxKeys {
			for k, o := range l.buckets {
				if l.refill(o, now) >= float64(l.rate.Burst) {
					delete(l.buckets, k)
				}
			}
			if len(l.buckets) >= l.maxKeys {
				return false
			}
		}
		b = &bucket{tokens: float64(l.rate.Burst), at: now}
		l.buckets[key] = b
	}
	b.tokens, b.at = l.refill(b, now), now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}
