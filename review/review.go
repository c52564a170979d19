// Package review applies people's decisions to the registers: duplicate
// links confirmed, rejected or reopened, flags closed after checking the
// paper register, conflicts between scans settled, corrections made on a
// legal basis. It holds the rules every front end shares (who must be
// named, what a decision must rest on, which values may be chosen, which
// fields may change); the store applies each decision in one transaction.
package review

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hotich/hotich/registry"
	"github.com/hotich/hotich/registry/vntext"
)

// Store is what review needs of a store.
type Store interface {
	registry.LinkService
	registry.ReviewService
}

// Service applies review decisions.
type Service struct {
	Store Store
	// Now is the clock records are validated against (a birth date after
	// today is wrong); nil means time.Now.
	Now func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Errors name the domain's fields, for any front end to show or map to its
// own inputs.
var (
	errNoActor = registry.FieldErrorf(registry.EINVALID, registry.FieldActor, "thiếu người thực hiện")
)

func requireActor(actor string) error {
	if strings.TrimSpace(actor) == "" {
		return errNoActor
	}
	return nil
}

// ConfirmLink records that a link's two entries record the same event.
func (s *Service) ConfirmLink(ctx context.Context, id int64, actor, note string) (*registry.Link, error) {
	return s.decide(ctx, id, registry.LinkConfirmed, actor, note)
}

// RejectLink records that a link's two entries record different events.
func (s *Service) RejectLink(ctx context.Context, id int64, actor, note string) (*registry.Link, error) {
	return s.decide(ctx, id, registry.LinkRejected, actor, note)
}

func (s *Service) decide(ctx context.Context, id int64, status registry.LinkStatus, actor, note string) (*registry.Link, error) {
	if err := requireActor(actor); err != nil {
		return nil, err
	}
	kind := map[registry.LinkStatus]string{registry.LinkConfirmed: "link_confirmed", registry.LinkRejected: "link_rejected"}[status]
	return s.Store.ChangeLink(ctx, id, kind, actor, note, func(l *registry.Link) (registry.LinkStatus, error) {
		if l.Status == status {
			return "", registry.Errorf(registry.ECONFLICT, "liên kết số %d đã ở trạng thái %s: mở lại trước nếu muốn quyết định khác", id, status.Label())
		}
		return status, nil
	})
}

// ReopenLink undoes a person's decision on a link: it returns to the
// status its score gives (auto, or suspected: back in the review queue).
func (s *Service) ReopenLink(ctx context.Context, id int64, actor, note string) (*registry.Link, error) {
	if err := requireActor(actor); err != nil {
		return nil, err
	}
	return s.Store.ChangeLink(ctx, id, "link_reopened", actor, note, func(l *registry.Link) (registry.LinkStatus, error) {
		if !l.Decided() {
			return "", registry.Errorf(registry.ECONFLICT, "liên kết số %d chưa có quyết định nào để mở lại (%s)", id, l.Status.Label())
		}
		return l.Proposed, nil
	})
}

// ResolveFlag closes a review flag once a person has checked the record
// (say, confirmed an ID that disagrees with the birth year against the
// paper register). The note says what was checked. A conflict flag closes
// with its conflict (ResolveConflict).
func (s *Service) ResolveFlag(ctx context.Context, flagID int64, actor, note string) error {
	if err := requireActor(actor); err != nil {
		return err
	}
	if strings.TrimSpace(note) == "" {
		return registry.FieldErrorf(registry.EINVALID, registry.FieldNote, "thiếu lý do đóng cờ (đã đối chiếu gì)")
	}
	return s.Store.ResolveFlag(ctx, flagID, actor, note, func(f registry.OpenFlag) error {
		if f.Flag.Code == registry.FlagConflict {
			return registry.Errorf(registry.EINVALID, "cờ xung đột được đóng khi giải quyết xung đột giữa các bản quét")
		}
		return nil
	})
}

// Choice says which value settles a conflict: Value as one scan gave it,
// or Pick, the position of a value in the conflict's list (from 1).
type Choice struct {
	Value string
	Pick  int
}

// ResolveConflict settles the conflict between scans on a field of a
// record after a person checked the paper register: the record keeps one
// of the values the scans gave.
func (s *Service) ResolveConflict(ctx context.Context, recordID, field, actor, note string, choice Choice) error {
	if err := requireActor(actor); err != nil {
		return err
	}
	if (choice.Value == "") == (choice.Pick == 0) {
		return registry.FieldErrorf(registry.EINVALID, registry.FieldChoice, "cần chọn đúng một giá trị: theo nội dung hoặc theo số thứ tự")
	}
	return s.Store.ResolveConflict(ctx, recordID, field, actor, func(r *registry.Record, c registry.Conflict) (registry.ConflictDecision, error) {
		if choice.Pick != 0 {
			if choice.Pick < 1 || choice.Pick > len(c.Values) {
				return registry.ConflictDecision{}, registry.Errorf(registry.EINVALID, "số thứ tự giá trị phải từ 1 đến %d", len(c.Values))
			}
			return registry.ConflictDecision{Value: c.Values[choice.Pick-1], Note: note}, nil
		}
		var allowed []string
		for _, v := range c.Values {
			if v == choice.Value {
				return registry.ConflictDecision{Value: v, Note: note}, nil
			}
			allowed = append(allowed, fmt.Sprintf("%q", v))
		}
		return registry.ConflictDecision{}, registry.Errorf(registry.EINVALID, "giá trị %q không phải một trong các giá trị của các bản quét: %s", choice.Value, strings.Join(allowed, ", "))
	})
}

// Correct changes one field of a record as a correction of the register
// (cải chính) decided on a legal basis. The value is read as an ingest
// reads it (a date as written, a name title-cased); the identity of the
// entry cannot be corrected; a field whose scans disagree is settled by
// ResolveConflict instead; the record must still be valid after.
func (s *Service) Correct(ctx context.Context, recordID, field, value, actor, basis string) error {
	if err := requireActor(actor); err != nil {
		return err
	}
	if strings.TrimSpace(basis) == "" {
		return registry.FieldErrorf(registry.EINVALID, registry.FieldBasis, "thiếu căn cứ cải chính (quyết định hoặc văn bản)")
	}
	return s.Store.CorrectRecord(ctx, recordID, actor, func(r *registry.Record) (registry.Correction, error) {
		col, ok := r.Register.Column(field)
		if !ok {
			return registry.Correction{}, registry.Errorf(registry.EINVALID, "sổ %s không có trường %q", r.Register.Name(), field)
		}
		switch field {
		case registry.ColRegister, registry.ColAuthorityCode, registry.ColBook, registry.ColNumber:
			return registry.Correction{}, registry.Errorf(registry.EINVALID, "không thể cải chính %s: trường này xác định trích lục trong sổ", strings.ToLower(col.Aliases[0]))
		}
		for _, c := range r.OpenConflicts() {
			if c.Field == field {
				return registry.Correction{}, registry.Errorf(registry.ECONFLICT, "trường %s đang có xung đột giữa các bản quét: giải quyết xung đột trước", field)
			}
		}
		stored := ""
		if v := vntext.Clean(value); !registry.IsUnknown(v) {
			sv, rerr, _ := registry.NormalizeValue(col, v)
			if rerr != nil {
				return registry.Correction{}, registry.Errorf(registry.EINVALID, "%s", rerr.Message)
			}
			stored = sv
		} else if col.Required {
			return registry.Correction{}, registry.Errorf(registry.EINVALID, "không thể xóa thông tin bắt buộc: %s", col.Aliases[0])
		}
		old := r.Field(field)
		if old == stored {
			return registry.Correction{}, registry.Errorf(registry.EINVALID, "giá trị mới giống giá trị hiện tại")
		}
		if err := r.SetField(field, stored); err != nil {
			return registry.Correction{}, err
		}
		if err := r.Validate(s.now()); err != nil {
			var re *registry.RowError
			if errors.As(err, &re) {
				return registry.Correction{}, registry.Errorf(registry.EINVALID, "sau khi cải chính, bản ghi không hợp lệ: %s", re.Message)
			}
			return registry.Correction{}, err
		}
		return registry.Correction{Field: field, Old: old, New: stored, Basis: basis}, nil
	})
}
