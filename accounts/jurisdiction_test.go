package accounts_test

import (
	"context"
	"testing"
	"time"

	"github.com/hotich/hotich/accounts"
	"github.com/hotich/hotich/registry"
	"github.com/hotich/hotich/registry/storetest"
	"github.com/hotich/hotich/review"
)

// TestJurisdiction: a reviewer decides only about the entries whose
// register their unit holds today; a refusal changes nothing.
func TestJurisdiction(t *testing.T) {
	s, db, _ := newService(t)
	ctx := context.Background()
	bt := storetest.Birth(9, "Đỗ Văn Hải", nil)
	bt.AuthorityCode, bt.AuthorityName = "26743", "UBND Phường Bến Thành, Quận 1"
	storetest.WriteBatch(t, db, "ks.csv",
		storetest.ScanRow{Rec: storetest.Birth(1, "Nguyễn Văn An", nil), Flags: []registry.Flag{{Code: registry.FlagIDMismatch, Field: "so_dinh_danh", Detail: "năm sinh"}}},
		storetest.ScanRow{Rec: storetest.Birth(2, "Lê Thị Bé", nil)},
		storetest.ScanRow{Rec: storetest.Birth(3, "Phạm Văn Cường", nil)},
		storetest.ScanRow{Rec: bt},
	)
	storetest.WriteBatch(t, db, "ks-rescan.csv", storetest.ScanRow{Rec: storetest.Birth(2, "Lê Thị Bé", map[string]string{"noi_sinh": "BV Hùng Vương"})})
	id9 := bt.Identity().RecordID()
	storetest.SetLink(t, db, storetest.ID(1), storetest.ID(3), 0.9, registry.LinkSuspected)
	storetest.SetLink(t, db, storetest.ID(3), id9, 0.8, registry.LinkSuspected)
	links, _ := db.Links(ctx, registry.LinkFilter{})
	linkOf := map[string]int64{}
	for _, l := range links {
		linkOf[l.A+l.B] = l.ID
		linkOf[l.B+l.A] = l.ID
	}
	flags, _ := db.OpenFlags(ctx, registry.FlagFilter{Code: registry.FlagIDMismatch})
	if len(flags) != 1 || len(links) != 2 {
		t.Fatalf("seed: %d flags, %d links", len(flags), len(links))
	}
	lan := addAccount(t, s, "lan", "26740", registry.DutyReviewer)
	binh := addAccount(t, s, "binh", "26743", registry.DutyReviewer)
	as := func(a *registry.Account) *review.Service {
		return &review.Service{Store: accounts.NewJurisdiction(db, s.RefData, a), Now: func() time.Time { return storetest.Clock }}
	}
	before := storetest.Dump(t, db)
	forbidden := map[string]error{
		"Correct":  as(binh).Correct(ctx, storetest.ID(1), "ho_ten", "Nguyễn Văn Ân", binh.Name, "QĐ 1"),
		"Conflict": as(binh).ResolveConflict(ctx, storetest.ID(2), "noi_sinh", binh.Name, "sổ giấy", review.Choice{Pick: 1}),
		"Flag":     as(binh).ResolveFlag(ctx, flags[0].ID, binh.Name, "đã đối chiếu"),
	}
	_, forbidden["Link"] = as(binh).ConfirmLink(ctx, linkOf[storetest.ID(1)+storetest.ID(3)], binh.Name, "")
	for name, err := range forbidden {
		if !accounts.IsForbidden(err) {
			t.Errorf("%s by another unit: %v", name, err)
		}
	}
	if string(storetest.Dump(t, db)) != string(before) {
		t.Fatal("a refused decision changed the store")
	}
	// A link between the two units' entries: either decides.
	if _, err := as(binh).RejectLink(ctx, linkOf[storetest.ID(3)+id9], binh.Name, "hai người khác nhau"); err != nil {
		t.Errorf("a link to the unit's entry: %v", err)
	}
	// The unit holding the register decides, under the review rules.
	if err := as(lan).Correct(ctx, storetest.ID(1), "ho_ten", "Nguyễn Văn Ân", lan.Name, ""); registry.ErrorField(err) != registry.FieldBasis {
		t.Errorf("a correction without basis: %v", err)
	}
	for name, err := range map[string]error{
		"Correct":  as(lan).Correct(ctx, storetest.ID(1), "ho_ten", "Nguyễn Văn Ân", lan.Name, "QĐ 1"),
		"Conflict": as(lan).ResolveConflict(ctx, storetest.ID(2), "noi_sinh", lan.Name, "sổ giấy", review.Choice{Pick: 2}),
		"Flag":     as(lan).ResolveFlag(ctx, flags[0].ID, lan.Name, "đã đối chiếu"),
	} {
		if err != nil {
			t.Errorf("%s by the holder: %v", name, err)
		}
	}
	if _, err := as(lan).ConfirmLink(ctx, linkOf[storetest.ID(1)+storetest.ID(3)], lan.Name, ""); err != nil {
		t.Errorf("link by the holder: %v", err)
	}
}
