package linkage

import (
	"strings"
	"sync"

	"github.com/hotich/hotich/registry"
	"github.com/hotich/hotich/registry/vntext"
)

// maxSlots is the most persons an entry has (a birth: child, mother, father).
const maxSlots = 3

// maxPlaces is the most place-like fields a register compares.
const maxPlaces = 3

// Dict interns the strings profiles compare (name parts, places) as small
// integers, so that a profile holds no pointers and equality is an integer
// comparison. ID 0 is the empty string. A Dict is safe for concurrent use.
type Dict struct {
	mu   sync.RWMutex
	ids  map[string]uint32
	strs []string
}

// NewDict returns an empty Dict.
func NewDict() *Dict {
	return &Dict{ids: map[string]uint32{"": 0}, strs: []string{""}}
}

// ID returns the ID of s, adding it if new.
func (d *Dict) ID(s string) uint32 {
	if s == "" {
		return 0
	}
	d.mu.RLock()
	id, ok := d.ids[s]
	d.mu.RUnlock()
	if ok {
		return id
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if id, ok := d.ids[s]; ok {
		return id
	}
	id = uint32(len(d.strs))
	s = strings.Clone(s)
	d.ids[s] = id
	d.strs = append(d.strs, s)
	return id
}

// Lookup returns the ID of s and whether it is known, without adding it.
func (d *Dict) Lookup(s string) (uint32, bool) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	id, ok := d.ids[s]
	return id, ok
}

// Str returns the string of an ID.
func (d *Dict) Str(id uint32) string {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return d.strs[id]
}

// Len returns the number of strings interned, the empty one included.
func (d *Dict) Len() int {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return len(d.strs)
}

// snapshot returns the strings by ID; IDs added later are not in it.
func (d *Dict) snapshot() []string {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return d.strs[:len(d.strs):len(d.strs)]
}

// localDict caches a Dict's IDs for one goroutine: names repeat, so most
// lookups never take the shared lock.
type localDict struct {
	d     *Dict
	cache map[string]uint32
}

func (l *localDict) id(s string) uint32 {
	if s == "" {
		return 0
	}
	if id, ok := l.cache[s]; ok {
		return id
	}
	id := l.d.ID(s)
	if len(l.cache) > 1<<18 {
		clear(l.cache)
	}
	l.cache[strings.Clone(s)] = id
	return id
}

// Date is a partial date packed in 32 bits: year<<9 | month<<5 | day, a zero
// month or day being unknown. The zero Date is unknown.
type Date uint32

func packDate(d vntext.Date) Date {
	if d.Year <= 0 || d.Year > 1<<22 {
		return 0
	}
	return Date(uint32(d.Year)<<9 | uint32(d.Month&15)<<5 | uint32(d.Day&31))
}

// Year returns the year of d, 0 when unknown.
func (d Date) Year() int { return int(d >> 9) }

// Month returns the month of d, 0 when unknown.
func (d Date) Month() int { return int(d>>5) & 15 }

// Day returns the day of d, 0 when unknown.
func (d Date) Day() int { return int(d) & 31 }

// precision returns 0 (unknown), 1 (year), 2 (month) or 3 (day).
func (d Date) precision() int {
	switch {
	case d == 0:
		return 0
	case d.Month() == 0:
		return 1
	case d.Day() == 0:
		return 2
	}
	return 3
}

// Person is the comparison view of one person of an entry: the parts of the
// name folded to ASCII and in the tone-canonical form, interned; the birth
// date; sex; personal ID.
type Person struct {
	Sur, Mid, Given    uint32 // FoldKey of surname, middle and given name (0: none)
	SurC, MidC, GivenC uint32 // CanonKey of the same parts
	Birth              Date
	PID                uint64 // len<<56 | digits; 0 none
	Sex                int8   // 0 unknown, 1 male, 2 female
	Has                bool   // the entry names this person
	ASCII              bool   // the name has no diacritics at all (lost in keying, or a name that has none)
	Group              uint32 // the person's community: ethnic group, or nationality when not Vietnamese (0 unknown)
}

// Profile is the comparison view of one register entry: what the linkage
// reads of it, with every string interned in the run's Dict.
type Profile struct {
	ID      string
	Version int64
	FP      uint64 // fingerprint of the entry's data: a person's decision holds while it is unchanged
	P       [maxSlots]Person
	Place   [maxPlaces]uint64 // hash of the FoldKey of the register's place fields (0: none)
	Event   Date              // the date of the event itself (death), when the register has one
	Extra   uint64            // hash of a register-specific coded value (the relation of a recognition)
}

// layout says where a register keeps what the profile reads.
type layout struct {
	slots  []registry.PersonSlot // in profile order
	places []string              // place columns
	event  string                // the event's own date column, if any
	extra  string                // a coded column compared exactly, if any
}

var layouts = map[registry.Register]layout{
	registry.Birth:       {slots: registry.Birth.Slots(), places: []string{registry.ColNoiSinh, registry.ColQueQuan}},
	registry.Death:       {slots: registry.Death.Slots(), places: []string{registry.ColNoiChet, registry.ColNoiCuTru}, event: registry.ColNgayChet},
	registry.Marriage:    {slots: registry.Marriage.Slots(), places: []string{registry.PrefixWife + registry.ColNoiCuTru, registry.PrefixHusband + registry.ColNoiCuTru}},
	registry.Recognition: {slots: registry.Recognition.Slots(), places: []string{registry.PrefixRecognizer + registry.ColNoiCuTru}, extra: registry.ColQuanHe},
}

// builder turns records into profiles; one per goroutine.
type builder struct {
	dict  localDict
	names map[string]Person // full name as stored -> its name keys
}

func newBuilder(d *Dict) *builder {
	return &builder{dict: localDict{d: d, cache: map[string]uint32{}}, names: map[string]Person{}}
}

// profile builds the profile of a record.
func (b *builder) profile(r *registry.Record) Profile {
	p := Profile{ID: r.ID, Version: r.Version, FP: Fingerprint(r)}
	lay := layouts[r.Register]
	for i, s := range lay.slots {
		if i >= maxSlots {
			break
		}
		p.P[i] = b.person(r, s.Prefix)
	}
	for i, col := range lay.places {
		if i >= maxPlaces {
			break
		}
		p.Place[i] = hashKey(vntext.FoldKey(r.Fields[col]))
	}
	if lay.event != "" {
		d, _ := vntext.ParseISODate(r.Fields[lay.event])
		p.Event = packDate(d)
	}
	if lay.extra != "" {
		p.Extra = hashKey(vntext.FoldKey(r.Fields[lay.extra]))
	}
	return p
}

func (b *builder) person(r *registry.Record, prefix string) Person {
	full := r.Fields[prefix+registry.ColHoTen]
	if full == "" {
		return Person{}
	}
	p, ok := b.names[full]
	if !ok {
		// Names repeat: split and key each distinct one once.
		n := vntext.SplitName(full)
		p = Person{Has: true}
		p.Sur, p.SurC = b.part(n.Surname)
		p.Mid, p.MidC = b.part(n.Middle)
		p.Given, p.GivenC = b.part(n.Given)
		p.ASCII = p.Sur == p.SurC && p.Mid == p.MidC && p.Given == p.GivenC
		if len(b.names) >= 1<<17 {
			clear(b.names)
		}
		b.names[full] = p
	}
	if d, err := vntext.ParseISODate(r.Fields[prefix+registry.ColNgaySinh]); err == nil {
		p.Birth = packDate(d)
	}
	switch vntext.FoldKey(r.Fields[prefix+registry.ColGioiTinh]) {
	case "nam":
		p.Sex = 1
	case "nu":
		p.Sex = 2
	}
	p.Group = b.group(r.Fields[prefix+registry.ColDanToc], r.Fields[prefix+registry.ColQuocTich])
	p.PID = packID(r.Fields[prefix+registry.ColSoDinhDanh])
	if p.PID == 0 {
		p.PID = packID(r.Fields[prefix+registry.ColGiayTo])
	}
	return p
}

// group returns the interned community of a person: the nationality when
// it is not Vietnamese, else the ethnic group.
func (b *builder) group(ethnic, nationality string) uint32 {
	if n := vntext.FoldKey(nationality); n != "" && n != "viet nam" && n != "vn" {
		return b.dict.id("quoc_tich:" + n)
	}
	if e := vntext.FoldKey(ethnic); e != "" {
		return b.dict.id("dan_toc:" + e)
	}
	return 0
}

func (b *builder) part(s string) (fold, canon uint32) {
	if s == "" {
		return 0, 0
	}
	f := vntext.FoldKey(s)
	c := vntext.CanonKey(s)
	if c == f {
		id := b.dict.id(f)
		return id, id
	}
	return b.dict.id(f), b.dict.id(c)
}

// hashKey hashes a folded value compared only for equality (places are
// nearly unique: interning them would hold every address in memory); 0 is
// the empty value.
func hashKey(s string) uint64 {
	if s == "" {
		return 0
	}
	return fnv64(fnvOffset, s) | 1
}

// packID packs a personal ID (12 digits) or a legacy identity card number
// (9 digits) with its length; anything else is 0.
func packID(s string) uint64 {
	if len(s) != 12 && len(s) != 9 {
		return 0
	}
	var v uint64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0
		}
		v = v*10 + uint64(c-'0')
	}
	return uint64(len(s))<<56 | v
}

// Fingerprint returns a hash of the data of an entry: every field, the
// registration date and the authority's name as written. A person's
// decision about a link holds while the fingerprints of both entries stay
// what they were when the link was scored, so the definition must never
// change: stores keep fingerprints (TestFingerprint pins it).
func Fingerprint(r *registry.Record) uint64 {
	// The sum of the hashes of the fields does not depend on the order a
	// map yields them in, and needs no sorting.
	h := fnv64(fnv64(fnv64(fnvOffset, string(r.Register)), r.AuthorityName), r.RegisteredOn.ISO())
	var sum uint64
	for k, v := range r.Fields {
		sum += mix(fnv64(fnv64(fnvOffset, k), v))
	}
	// SQLite integers are signed: keep the top bit clear so the stored
	// value reads back the same.
	return mix(h^sum) >> 1
}

const fnvOffset = 14695981039346656037

// fnv64 continues an FNV-1a hash with s and a separator.
func fnv64(h uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	h ^= 0xff
	return h * 1099511628211
}

// mix is the finaliser of splitmix64: it spreads every input bit over the
// output, so that sums of hashes do not cancel.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}
