// Package dedup finds register entries with different identities that
// record the same event — a re-registration (đăng ký lại), the same birth
// registered at two wards, an entry keyed under a wrong book or number — and
// proposes links between them. It never merges: both entries are legal
// records, and a person decides.
//
// Matching is probabilistic record linkage in the Fellegi–Sunter family, as
// Splink does it. Each pair of entries is compared field by field; every
// comparison has levels (exact on the tone-canonical form, equal once
// folded to ASCII, one keying error apart, Jaro-Winkler band; a date equal
// to the day, with day and month swapped, in the same year, a year apart;
// …) and each level a weight log2(m/u): how much likelier that level is
// between two entries of the same event (m) than between unrelated ones
// (u). Agreement on a name is weighed by how common the name is (term
// frequency: agreeing on "Nguyễn" means far less than on "Ông"). u and the
// term frequencies are estimated from the store, m from documented
// defaults or by expectation-maximisation. A missing value adds nothing:
// it lowers the confidence, it never counts as agreement.
//
// Births and recognitions add a second alternative to "unrelated": another
// child of the same parents, who shares everything about the family. Only
// the subject's own values (given name, birth date, sex, ID) count against
// it, so twins and siblings are not linked however alike their entries
// are. Guard rules keep a pair out of "auto" unless the subject agrees by
// name and date.
//
// Blocking keys keep the pairs compared near-linear in the size of the
// store, and runs are incremental: entries changed since the last run are
// matched against the whole store.
package linkage

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/hotich/hotich/registry"
)

// Source streams what a linkage run reads. *sqlite.DB implements it.
type Source interface {
	// EachMatchRecord calls fn for every record of a register with its ID,
	// fields, registration data and version set (flags, conflicts and
	// links may be left out), in any order.
	EachMatchRecord(ctx context.Context, reg registry.Register, fn func(*registry.Record) error) error
	// EachLinkedPair calls fn with the record IDs of every stored link
	// between records of a register.
	EachLinkedPair(ctx context.Context, reg registry.Register, fn func(a, b string) error) error
}

// Options configure a run.
type Options struct {
	// Estimate says when the model of a register is estimated from the
	// store before matching: u probabilities from random pairs, term
	// frequencies and the prior.
	Estimate EstimateMode
	// EM, when the model is estimated, also estimates m by
	// expectation-maximisation instead of keeping the documented defaults.
	EM      bool
	Workers int // 0: one per CPU
	Log     *slog.Logger
}

// EstimateMode says when a run estimates a register's model.
type EstimateMode uint8

// The estimation modes.
const (
	// EstimateAuto estimates a model that was never estimated, or when the
	// register has grown to twice the entries it was estimated on; else
	// the model is kept, so that incremental runs score alike.
	EstimateAuto EstimateMode = iota
	EstimateNever
	EstimateAlways
)

// Job is one register to match, with the watermark of its previous run:
// entries whose version is above Since are matched against all the
// register's entries (Since 0: every entry).
type Job struct {
	Register registry.Register
	Since    int64
}

// Pair is a pair of entries scored by a run: a link to store or update, or
// (Status "") a stored link whose pair no longer reaches the review
// threshold.
type Pair struct {
	A, B        string // record IDs, A < B
	AFP, BFP    uint64 // fingerprints of their data
	Bits        float64
	Score       float64             // probability that they record the same event
	Status      registry.LinkStatus // auto, suspected or ""
	Explanation Explanation
}

// Result is what a run did for one register.
type Result struct {
	Register  registry.Register
	Model     *RegisterModel // the model used
	ModelID   string
	Estimated bool // the model was estimated by this run (store it)
	Entries   int  // entries of the register
	Pending   int  // entries matched (changed since Options.Since)

	Candidates int64            // pairs compared (each once)
	PerRule    map[string]int64 // pairs first found by each rule
	Blocks     int              // blocks with a pending entry
	MaxBlock   int              // entries in the largest block
	Rescored   int              // stored links re-scored outside the blocks
	Auto       int              // pairs proposed auto
	Suspected  int              // pairs proposed suspected
	Pairs      []Pair           // sorted by A, B

	// Wall and CPU time (user and system, all goroutines) of the phases:
	// reading the store into profiles (once for all registers of a run),
	// estimating the model, and candidate generation plus scoring.
	Load, Estimation, Matching          time.Duration
	LoadCPU, EstimationCPU, MatchingCPU time.Duration
}

// Linker runs linkage with a model.
type Linker struct {
	model *Model
	opt   Options
}

// New returns a Linker. A nil model is DefaultModel().
func New(model *Model, opt Options) *Linker {
	if model == nil {
		model = DefaultModel()
	}
	if opt.Workers <= 0 {
		opt.Workers = runtime.GOMAXPROCS(0)
	}
	if opt.Log == nil {
		opt.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return &Linker{model: model, opt: opt}
}

// Model returns the linker's model (with any register re-estimated by Run).
func (l *Linker) Model() *Model { return l.model }

// Run matches, for each job, the entries of its register changed since
// the job's watermark against every entry of the register, and returns the
// pairs to link: every compared pair at or above the review threshold, and
// every stored link with a changed entry, re-scored. The registers are read
// in one pass. Run writes nothing; the model of a register it estimates is
// in the result (and in Model()).
func (l *Linker) Run(ctx context.Context, src Source, jobs ...Job) ([]*Result, error) {
	start, cpu := time.Now(), CPUTime()
	dict := NewDict()
	want := map[registry.Register]bool{}
	for _, j := range jobs {
		want[j.Register] = true
	}
	loaded, err := loadProfiles(ctx, src, want, dict, l.opt.Workers)
	if err != nil {
		return nil, fmt.Errorf("dedup: load: %w", err)
	}
	load, loadCPU := time.Since(start), CPUTime()-cpu
	var results []*Result
	for _, job := range jobs {
		profiles := loaded[job.Register]
		loaded[job.Register] = nil
		res, err := l.runRegister(ctx, src, job, profiles, dict)
		if err != nil {
			return nil, err
		}
		res.Load, res.LoadCPU = load, loadCPU
		results = append(results, res)
	}
	return results, nil
}

func (l *Linker) runRegister(ctx context.Context, src Source, job Job, profiles []Profile, dict *Dict) (*Result, error) {
	reg := job.Register
	res := &Result{Register: reg, PerRule: map[string]int64{}, Entries: len(profiles)}
	var pending []bool
	if job.Since > 0 {
		pending = make([]bool, len(profiles))
		for i := range profiles {
			if profiles[i].Version > job.Since {
				pending[i] = true
				res.Pending++
			}
		}
	} else {
		res.Pending = len(profiles)
	}

	start, cpu := time.Now(), CPUTime()
	bl := newBlocking(reg, profiles, dict.snapshot())
	rm := l.model.Register(reg)
	if l.opt.Estimate == EstimateAlways || l.opt.Estimate == EstimateAuto && (rm.Method == "defaults" || len(profiles) >= 2*rm.Records) {
		rm = estimate(ctx, reg, rm, profiles, dict, bl, l.opt)
		l.model.Registers[reg] = rm
		res.Estimated = rm.Method != "defaults"
	}
	res.Model, res.ModelID = rm, rm.ID()
	res.Estimation, res.EstimationCPU = time.Since(start), CPUTime()-cpu

	if pending != nil && res.Pending == 0 {
		return res, nil // nothing changed since the last run
	}
	start, cpu = time.Now(), CPUTime()
	sc := newScorer(reg, rm, countFrequencies(reg, profiles, dict.Len()))
	if err := l.match(ctx, src, res, profiles, pending, bl, sc, dict); err != nil {
		return nil, err
	}
	res.Matching, res.MatchingCPU = time.Since(start), CPUTime()-cpu
	l.opt.Log.Debug("dedup matched", "register", reg, "entries", res.Entries, "pending", res.Pending,
		"pairs", res.Candidates, "auto", res.Auto, "suspected", res.Suspected, "took", res.Matching)
	return res, nil
}

// loadProfiles reads the records of the wanted registers and builds their
// profiles on all workers, sorted by record ID.
func loadProfiles(ctx context.Context, src Source, want map[registry.Register]bool, dict *Dict, workers int) (map[registry.Register][]Profile, error) {
	const batch = 512
	in := make(chan []*registry.Record, workers*2)
	outs := make([]map[registry.Register]*profileParts, workers)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		outs[w] = map[registry.Register]*profileParts{}
		go func(w int) {
			defer wg.Done()
			b := newBuilder(dict)
			for recs := range in {
				for _, r := range recs {
					c := outs[w][r.Register]
					if c == nil {
						c = &profileParts{}
						outs[w][r.Register] = c
					}
					c.add(b.profile(r))
				}
			}
		}(w)
	}
	var only registry.Register
	if len(want) == 1 {
		for r := range want {
			only = r
		}
	}
	buf := make([]*registry.Record, 0, batch)
	err := src.EachMatchRecord(ctx, only, func(r *registry.Record) error {
		if !want[r.Register] {
			return nil
		}
		buf = append(buf, r)
		if len(buf) == batch {
			select {
			case in <- buf:
			case <-ctx.Done():
				return ctx.Err()
			}
			buf = make([]*registry.Record, 0, batch)
		}
		return nil
	})
	if len(buf) > 0 && err == nil {
		in <- buf
	}
	close(in)
	wg.Wait()
	if err != nil {
		return nil, err
	}
	all := map[registry.Register][]Profile{}
	for reg := range want {
		n := 0
		for _, o := range outs {
			if c := o[reg]; c != nil {
				n += c.n
			}
		}
		profiles := make([]Profile, 0, n)
		for _, o := range outs {
			if c := o[reg]; c != nil {
				for i, part := range c.parts {
					profiles = append(profiles, part...)
					c.parts[i] = nil // free as copied: the peak is one copy
				}
				delete(o, reg)
			}
		}
		slices.SortFunc(profiles, func(a, b Profile) int { return strings.Compare(a.ID, b.ID) })
		all[reg] = profiles
	}
	return all, nil
}

// profileParts collects profiles in fixed-size parts. A growing slice
// would copy itself at each doubling and hold up to twice what it needs; at
// 12 million entries of about 240 bytes that slack alone was gigabytes.
type profileParts struct {
	parts [][]Profile
	n     int
}

// profilePart is the number of profiles in a part (about 4 MB).
const profilePart = 1 << 14

func (c *profileParts) add(p Profile) {
	k := len(c.parts)
	if k == 0 || len(c.parts[k-1]) == profilePart {
		c.parts = append(c.parts, make([]Profile, 0, profilePart))
		k++
	}
	c.parts[k-1] = append(c.parts[k-1], p)
	c.n++
}

// scored is a compared pair at or above the review threshold, by entry
// index.
type scored struct {
	i, j   uint32
	bits   float64
	status registry.LinkStatus
}

// match compares the pairs of every block with a pending entry on all
// workers, then re-scores the stored links of pending entries that no
// block brought together.
func (l *Linker) match(ctx context.Context, src Source, res *Result, profiles []Profile, pending []bool, bl *blocking, sc *scorer, dict *Dict) error {
	strs := dict.snapshot()
	type out struct {
		pairs   []scored
		n       int64
		perRule []int64
	}
	outs := make([]out, l.opt.Workers)
	for w := range outs {
		outs[w].perRule = make([]int64, len(bl.rules))
	}
	comparers := make([]*comparer, l.opt.Workers)
	for w := range comparers {
		comparers[w] = newComparer(strs)
	}
	for r := range bl.rules {
		blocks := bl.blocks(r, pending)
		res.Blocks += len(blocks)
		for _, b := range blocks {
			res.MaxBlock = max(res.MaxBlock, b.end-b.start)
		}
		next := make(chan int, 1024)
		var wg sync.WaitGroup
		for w := 0; w < l.opt.Workers; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				o := &outs[w]
				c := comparers[w]
				lv := make([]uint8, len(sc.specs))
				for k := range next {
					b := blocks[k]
					bl.eachPair(b, pending, func(i, j int) {
						o.n++
						o.perRule[b.rule]++
						sc.levels(c, &profiles[i], &profiles[j], lv)
						bits, guard := sc.score(&profiles[i], &profiles[j], lv)
						if st := sc.status(bits, guard); st != "" {
							o.pairs = append(o.pairs, scored{uint32(i), uint32(j), bits, st})
						}
					})
				}
			}(w)
		}
		var err error
		for k := range blocks {
			if k%256 == 0 && ctx.Err() != nil {
				err = ctx.Err()
				break
			}
			next <- k
		}
		close(next)
		wg.Wait()
		if err != nil {
			return err
		}
	}
	var all []scored
	for _, o := range outs {
		all = append(all, o.pairs...)
		res.Candidates += o.n
		for r, n := range o.perRule {
			res.PerRule[bl.rules[r].Name] += n
		}
	}

	// Stored links of pending entries are re-scored even when no block
	// brings the pair together any more, so that every link of a changed
	// entry is decided again.
	lookup := func(id string) (uint32, bool) { // profiles are sorted by ID
		i, ok := slices.BinarySearchFunc(profiles, id, func(p Profile, id string) int { return strings.Compare(p.ID, id) })
		return uint32(i), ok
	}
	seen := map[[2]uint32]bool{}
	for _, p := range all {
		seen[[2]uint32{p.i, p.j}] = true
	}
	c := newComparer(strs)
	lv := make([]uint8, len(sc.specs))
	var extra []scored
	err := src.EachLinkedPair(ctx, res.Register, func(a, b string) error {
		i, ok1 := lookup(a)
		j, ok2 := lookup(b)
		if !ok1 || !ok2 {
			return nil
		}
		if i > j {
			i, j = j, i
		}
		if pending != nil && !pending[i] && !pending[j] {
			return nil
		}
		if seen[[2]uint32{i, j}] {
			return nil
		}
		seen[[2]uint32{i, j}] = true
		sc.levels(c, &profiles[i], &profiles[j], lv)
		bits, guard := sc.score(&profiles[i], &profiles[j], lv)
		extra = append(extra, scored{i, j, bits, sc.status(bits, guard)})
		res.Rescored++
		return nil
	})
	if err != nil {
		return fmt.Errorf("dedup %s: stored links: %w", res.Register, err)
	}
	all = append(all, extra...)

	modelID := res.ModelID
	res.Pairs = make([]Pair, 0, len(all))
	for _, s := range all {
		a, b := &profiles[s.i], &profiles[s.j]
		sc.levels(c, a, b, lv)
		p := Pair{A: a.ID, B: b.ID, AFP: a.FP, BFP: b.FP, Bits: s.bits, Score: Probability(s.bits), Status: s.status,
			Explanation: sc.explain(modelID, a, b, lv)}
		switch s.status {
		case registry.LinkAuto:
			res.Auto++
		case registry.LinkSuspected:
			res.Suspected++
		}
		res.Pairs = append(res.Pairs, p)
	}
	slices.SortFunc(res.Pairs, func(x, y Pair) int {
		if c := strings.Compare(x.A, y.A); c != 0 {
			return c
		}
		return strings.Compare(x.B, y.B)
	})
	return nil
}

// Score scores one pair of records of the same register with the linker's
// model, as a run would (the status before any person's decision). Names
// are weighed by their frequencies in the register as src holds it; with a
// nil src, by their levels alone.
func (l *Linker) Score(ctx context.Context, src Source, a, b *registry.Record) (Pair, error) {
	if a.Register != b.Register {
		return Pair{}, registry.Errorf(registry.EINVALID, "hai bản ghi thuộc hai sổ khác nhau (%s, %s)", a.Register, b.Register)
	}
	reg := a.Register
	dict := NewDict()
	var freq *Frequencies
	if src != nil {
		loaded, err := loadProfiles(ctx, src, map[registry.Register]bool{reg: true}, dict, l.opt.Workers)
		if err != nil {
			return Pair{}, err
		}
		freq = countFrequencies(reg, loaded[reg], dict.Len())
	}
	bld := newBuilder(dict)
	pa, pb := bld.profile(a), bld.profile(b)
	if pa.ID > pb.ID {
		pa, pb = pb, pa
	}
	rm := l.model.Register(reg)
	sc := newScorer(reg, rm, freq)
	c := newComparer(dict.snapshot())
	lv := make([]uint8, len(sc.specs))
	sc.levels(c, &pa, &pb, lv)
	bits, guard := sc.score(&pa, &pb, lv)
	return Pair{A: pa.ID, B: pb.ID, AFP: pa.FP, BFP: pb.FP, Bits: bits, Score: Probability(bits),
		Status: sc.status(bits, guard), Explanation: sc.explain(rm.ID(), &pa, &pb, lv)}, nil
}
