package accounts

import (
	"context"

	"github.com/hotich/hotich/registry"
)

// Jurisdiction is a store for the review use case (review.Store) that
// lets an account decide only about the entries whose registers its unit
// holds today: a correction, a conflict decision or a closed flag on an
// entry of its unit's register, a link touching at least one. The check
// runs inside the store's transaction, on the entries as stored, before
// the review rules; a refusal is a Forbidden error and nothing changes.
type Jurisdiction struct {
	registry.LinkService
	registry.ReviewService
	Records registry.RecordService // to read the entries of a flag or a link
	RefData *registry.RefData
	Account *registry.Account
}

// NewJurisdiction returns the review store of an account on a store.
func NewJurisdiction(store registry.Store, ref *registry.RefData, a *registry.Account) *Jurisdiction {
	return &Jurisdiction{LinkService: store, ReviewService: store, Records: store, RefData: ref, Account: a}
}

// ResolveFlag closes a flag of an entry the account's unit holds.
func (j *Jurisdiction) ResolveFlag(ctx context.Context, flagID int64, actor, note string, check func(registry.OpenFlag) error) error {
	return j.ReviewService.ResolveFlag(ctx, flagID, actor, note, func(f registry.OpenFlag) error {
		rec, err := j.Records.FindRecordByID(ctx, f.RecordID)
		if err != nil {
			return err
		}
		if err := HoldsRegister(j.RefData, j.Account, rec); err != nil {
			return err
		}
		return check(f)
	})
}

// ResolveConflict settles a conflict of an entry the account's unit holds.
func (j *Jurisdiction) ResolveConflict(ctx context.Context, recordID, field, actor string, decide func(*registry.Record, registry.Conflict) (registry.ConflictDecision, error)) error {
	return j.ReviewService.ResolveConflict(ctx, recordID, field, actor, func(r *registry.Record, c registry.Conflict) (registry.ConflictDecision, error) {
		if err := HoldsRegister(j.RefData, j.Account, r); err != nil {
			return registry.ConflictDecision{}, err
		}
		return decide(r, c)
	})
}

// CorrectRecord corrects an entry the account's unit holds.
func (j *Jurisdiction) CorrectRecord(ctx context.Context, recordID, actor string, edit func(*registry.Record) (registry.Correction, error)) error {
	return j.ReviewService.CorrectRecord(ctx, recordID, actor, func(r *registry.Record) (registry.Correction, error) {
		if err := HoldsRegister(j.RefData, j.Account, r); err != nil {
			return registry.Correction{}, err
		}
		return edit(r)
	})
}

// ChangeLink decides a link with an entry the account's unit holds.
func (j *Jurisdiction) ChangeLink(ctx context.Context, id int64, kind, actor, note string, next func(*registry.Link) (registry.LinkStatus, error)) (*registry.Link, error) {
	return j.LinkService.ChangeLink(ctx, id, kind, actor, note, func(l *registry.Link) (registry.LinkStatus, error) {
		a, err := j.Records.FindRecordByID(ctx, l.A)
		if err != nil {
			return "", err
		}
		b, err := j.Records.FindRecordByID(ctx, l.B)
		if err != nil {
			return "", err
		}
		if err := HoldsEither(j.RefData, j.Account, a, b); err != nil {
			return "", err
		}
		return next(l)
	})
}
