package linkage

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"time"

	"github.com/hotich/hotich/registry"
)

// Store is what a linkage run reads from and writes to.
type Store interface {
	registry.LinkService
	// LastSeq returns the store's watermark (its newest event).
	LastSeq(ctx context.Context) (int64, error)
}

// RunOptions configure RunStore.
type RunOptions struct {
	Since    int64 // < 0: since each register's previous run
	Estimate EstimateMode
	EM       bool
	Workers  int
	Log      *slog.Logger
	Now      func() time.Time // when the run starts, as the store records it
	// GCPercent, if not 0, sets the garbage collector's target for the
	// run. The run holds the profile of every entry it matches (about 4 GB
	// live on a 12M-entry store) while it reads records that are garbage
	// a moment later: 50 keeps the heap near 1.5 times that instead of
	// twice.
	GCPercent int
}

// Report is what a linkage run did for one register.
type Report struct {
	Register       registry.Register    `json:"register"`
	Skipped        bool                 `json:"skipped,omitempty"` // nothing changed since the last run: not read
	Model          string               `json:"model"`
	ModelMethod    string               `json:"model_method"`
	Estimated      bool                 `json:"estimated"`
	Since          int64                `json:"since"`
	Entries        int                  `json:"entries"`
	Pending        int                  `json:"pending"`
	CandidatePairs int64                `json:"candidate_pairs"`
	PerRule        map[string]int64     `json:"pairs_per_rule"`
	Blocks         int                  `json:"blocks"`
	MaxBlock       int                  `json:"max_block"`
	Rescored       int                  `json:"rescored_links"`
	Auto           int                  `json:"auto"`
	Suspected      int                  `json:"suspected"`
	Changes        registry.LinkChanges `json:"changes"`
	Seconds        map[string]float64   `json:"seconds"`     // wall time by phase
	CPUSeconds     map[string]float64   `json:"cpu_seconds"` // CPU time (all cores) by phase
}

// StoredModel returns the store's models of the given registers; a
// register without one gets the defaults when used.
func StoredModel(ctx context.Context, store registry.LinkService, regs ...registry.Register) (*Model, error) {
	m := &Model{Registers: map[registry.Register]*RegisterModel{}}
	for _, reg := range regs {
		rm, err := store.LinkModel(ctx, reg)
		if err != nil {
			return nil, err
		}
		if rm != nil {
			m.Registers[reg] = rm
		}
	}
	return m, nil
}

// RunStore runs linkage on the given registers of a store and applies the
// links it proposes under Policy: each register's entries changed since its
// previous run (or opt.Since) are matched against the whole register, read
// in one pass; a register with nothing new is skipped without reading it.
// A model estimated on the way is saved.
func RunStore(ctx context.Context, store Store, regs []registry.Register, opt RunOptions) ([]Report, error) {
	if opt.Log == nil {
		opt.Log = slog.New(slog.DiscardHandler)
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	model, err := StoredModel(ctx, store, regs...)
	if err != nil {
		return nil, err
	}
	var jobs []Job
	var skipped []Report
	for _, reg := range regs {
		since := opt.Since
		if since < 0 {
			if since, err = store.LinkSince(ctx, reg); err != nil {
				return nil, err
			}
		}
		if since > 0 {
			n, err := store.ChangedSince(ctx, reg, since)
			if err != nil {
				return nil, err
			}
			if n == 0 {
				skipped = append(skipped, Report{Register: reg, Since: since, Skipped: true})
				continue
			}
		}
		jobs = append(jobs, Job{Register: reg, Since: since})
	}
	if len(jobs) == 0 {
		return skipped, nil
	}
	watermark, err := store.LastSeq(ctx)
	if err != nil {
		return nil, err
	}
	started := opt.Now()
	for _, j := range jobs {
		opt.Log.Info("dedup: matching", "register", j.Register, "since", j.Since)
	}
	if opt.GCPercent != 0 {
		defer debug.SetGCPercent(debug.SetGCPercent(opt.GCPercent))
	}
	linker := New(model, Options{Estimate: opt.Estimate, EM: opt.EM, Workers: opt.Workers, Log: opt.Log})
	results, err := linker.Run(ctx, store, jobs...)
	if err != nil {
		return nil, err
	}
	var reports []Report
	for i, res := range results {
		job := jobs[i]
		if res.Estimated {
			if err := store.SaveLinkModel(ctx, res.Register, res.Model); err != nil {
				return nil, err
			}
		}
		rep := Report{Register: res.Register, Model: res.ModelID, ModelMethod: res.Model.Method, Estimated: res.Estimated,
			Since: job.Since, Entries: res.Entries, Pending: res.Pending, CandidatePairs: res.Candidates, PerRule: res.PerRule,
			Blocks: res.Blocks, MaxBlock: res.MaxBlock, Rescored: res.Rescored, Auto: res.Auto, Suspected: res.Suspected}
		props := make([]registry.LinkProposal, len(res.Pairs))
		for k, p := range res.Pairs {
			props[k] = registry.LinkProposal{A: p.A, B: p.B, AFP: p.AFP, BFP: p.BFP, Score: p.Score, Status: p.Status, Explanation: &res.Pairs[k].Explanation}
		}
		t1, c1 := time.Now(), CPUTime()
		stats := registry.LinkRunStats{Entries: res.Entries, Pending: res.Pending, Candidates: res.Candidates,
			PerRule: res.PerRule, Auto: res.Auto, Suspected: res.Suspected, Rescored: res.Rescored}
		ch, err := store.ApplyLinks(ctx, registry.LinkRun{Register: res.Register, Since: job.Since, Watermark: watermark,
			Model: res.ModelID, StartedAt: started, Stats: stats}, props, Policy)
		if err != nil {
			return nil, fmt.Errorf("dedup %s: store links: %w", res.Register, err)
		}
		rep.Changes = ch
		rep.Seconds = map[string]float64{
			"load":     res.Load.Seconds(),
			"estimate": res.Estimation.Seconds(),
			"match":    res.Matching.Seconds(),
			"store":    time.Since(t1).Seconds(),
		}
		rep.CPUSeconds = map[string]float64{
			"load":     res.LoadCPU.Seconds(),
			"estimate": res.EstimationCPU.Seconds(),
			"match":    res.MatchingCPU.Seconds(),
			"store":    (CPUTime() - c1).Seconds(),
		}
		opt.Log.Info("dedup", "register", res.Register, "entries", res.Entries, "pending", res.Pending, "pairs", res.Candidates,
			"auto", res.Auto, "suspected", res.Suspected, "created", ch.Created, "updated", ch.Updated, "dropped", ch.Dropped,
			"reset", ch.Reset, "kept", ch.Kept)
		reports = append(reports, rep)
	}
	return append(reports, skipped...), nil
}
