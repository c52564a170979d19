package samples

import "math/rand/v2"

// mix64 is the SplitMix64 finaliser: a bijection that scatters bits.
func mix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// newRand returns a random stream determined by the seed and a stream ID.
func newRand(seed, stream uint64) *rand.Rand {
	return rand.New(rand.NewPCG(mix64(seed^0x5deece66d), mix64(stream)))
}

// Streams of one file: its own rendering, and each of its rows' entries.
const (
	streamStyle = 1
	streamRows  = 2
	streamEntry = 3
	streamBook  = 4
	streamWrite = 5
)

func fileRand(seed uint64, file int, purpose uint64) *rand.Rand {
	return newRand(seed, mix64(uint64(file)<<8|purpose))
}

// entryRand is the stream an entry is drawn from: the same for the first
// scan, every rescan and every derived entry that needs it.
func entryRand(seed uint64, file, row int) *rand.Rand {
	return newRand(seed, mix64(uint64(file)<<24^uint64(row)<<4^streamEntry))
}

// unit returns a number in [0, 1) determined by its arguments.
func unit(seed, a, b, c uint64) float64 {
	h := mix64(seed ^ mix64(a^mix64(b^mix64(c))))
	return float64(h>>11) / (1 << 53)
}
