package linkage

import (
	"math"
	"slices"

	"github.com/hotich/hotich/registry"
)

// Frequencies are the term frequencies of the names of one register,
// counted from the store at each run (as Splink computes them from its
// input): how many persons in a role bear each surname, middle name and
// given name, and each whole name. Agreement on a name is weighed by them:
// "Nguyễn" is borne by four persons in ten, "Ông" by a few in ten thousand.
//
// Whole names are counted too, because the parts of a name are not
// independent (a community's names come from a small pool): the evidence of
// agreeing on every part is that of the whole name's frequency, not the
// product of the parts'.
type Frequencies struct {
	slots [maxSlots]*slotFreq
	// groups holds log2 of the share of each community among the persons
	// of the roles weighed by frequency (whose community is known).
	groups map[uint32]float64
}

type slotFreq struct {
	total           int      // persons named in this role
	sur, mid, given []uint32 // counts by interned ID
	full            joint    // (surname, middle, given)
	surGiven        joint    // (surname, given)
}

// joint counts keys: sorted hashes and their counts.
type joint struct {
	keys   []uint64
	counts []uint32
}

func (j *joint) count(k uint64) uint32 {
	i, ok := slices.BinarySearch(j.keys, k)
	if !ok {
		return 0
	}
	return j.counts[i]
}

func newJoint(hashes []uint64) joint {
	slices.Sort(hashes)
	var j joint
	for i := 0; i < len(hashes); {
		e := i + 1
		for e < len(hashes) && hashes[e] == hashes[i] {
			e++
		}
		j.keys = append(j.keys, hashes[i])
		j.counts = append(j.counts, uint32(e-i))
		i = e
	}
	return j
}

func fullKey(p *Person) uint64     { return key(91, id(p.Sur), optional(p.Mid), id(p.Given)) }
func surGivenKey(p *Person) uint64 { return key(92, id(p.Sur), id(p.Given)) }

// minFrequencies is the fewest entries whose names are counted: in a
// smaller register a frequency says little, and the levels' own weights
// are used.
const minFrequencies = 1000

// countFrequencies counts the names of every role a register weighs by
// frequency; nil when the register is too small.
func countFrequencies(reg registry.Register, profiles []Profile, dictLen int) *Frequencies {
	if len(profiles) < minFrequencies {
		return nil
	}
	f := &Frequencies{groups: map[uint32]float64{}}
	groups := map[uint32]int{}
	known := 0
	for _, s := range specs[reg] {
		if !s.TF || f.slots[s.Slot] != nil {
			continue
		}
		sf := &slotFreq{sur: make([]uint32, dictLen), mid: make([]uint32, dictLen), given: make([]uint32, dictLen)}
		full := make([]uint64, 0, len(profiles))
		pair := make([]uint64, 0, len(profiles))
		for i := range profiles {
			p := &profiles[i].P[s.Slot]
			if !p.Has {
				continue
			}
			sf.total++
			if p.Group != 0 {
				groups[p.Group]++
				known++
			}
			sf.sur[p.Sur]++
			sf.mid[p.Mid]++
			sf.given[p.Given]++
			full = append(full, fullKey(p))
			pair = append(pair, surGivenKey(p))
		}
		sf.full, sf.surGiven = newJoint(full), newJoint(pair)
		f.slots[s.Slot] = sf
	}
	for g, n := range groups {
		f.groups[g] = math.Log2(float64(n) / float64(known))
	}
	return f
}

// log2 returns log2 of the share count/total, a count of 0 read as 1 (a
// value is at least as common as one person).
func (sf *slotFreq) log2(count uint32) float64 {
	return math.Log2(float64(max(count, 1)) / float64(max(sf.total, 1)))
}

func countOf(counts []uint32, id uint32) uint32 {
	if int(id) < len(counts) {
		return counts[id]
	}
	return 0
}
