package extract_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/x509"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/hotich/hotich/registry"
	"github.com/hotich/hotich/registry/sign"
	"github.com/hotich/hotich/registry/sqlite"
	"github.com/hotich/hotich/registry/vntext"
)

// issuedAt is the fixed clock of the tests: 9 June 2025, 15:00 in Vietnam.
var issuedAt = time.Date(2025, 6, 9, 8, 0, 0, 0, time.UTC)

// date parses an ISO date of a fixture.
func date(tb testing.TB, s string) vntext.Date {
	tb.Helper()
	d, err := vntext.ParseISODate(s)
	if err != nil {
		tb.Fatal(err)
	}
	return d
}

// record builds a register entry as the store holds it, with its ID.
func record(tb testing.TB, reg registry.Register, code, authority, book, number, registered string, fields map[string]string) *registry.Record {
	tb.Helper()
	r := &registry.Record{
		Register: reg, AuthorityCode: code, AuthorityName: authority, Book: book, Number: number,
		RegisteredOn: date(tb, registered), Fields: fields,
	}
	r.ID = r.Identity().RecordID()
	if err := r.Validate(issuedAt); err != nil {
		tb.Fatalf("fixture %s: %v", r.ID, err)
	}
	return r
}

// The fixtures: one entry per register, with partial dates, unknown
// values, marginal notes, a foreign spouse, and an entry of Phường Bến Nghé,
// Quận 1 (26740), whose register Phường Sài Gòn holds today.

func birthRecord(tb testing.TB) *registry.Record {
	return record(tb, registry.Birth, "26740", "UBND Phường Bến Nghé, Quận 1", "01/2010", "123", "2010-03-05", map[string]string{
		"ho_ten":        "Trần Ngọc Bảo Anh",
		"ngay_sinh":     "2010-02-15",
		"gioi_tinh":     "Nữ",
		"dan_toc":       "Kinh",
		"quoc_tich":     "Việt Nam",
		"noi_sinh":      "Bệnh viện Từ Dũ, Quận 1, Thành phố Hồ Chí Minh",
		"so_dinh_danh":  "079310012345",
		"me_ho_ten":     "Lê Thị Hồng",
		"me_ngay_sinh":  "1985",
		"me_dan_toc":    "Kinh",
		"me_quoc_tich":  "Việt Nam",
		"me_noi_cu_tru": "12 Nguyễn Huệ, Phường Bến Nghé, Quận 1, Thành phố Hồ Chí Minh",
		"cha_ho_ten":    "Trần Văn Ơn",
		"cha_ngay_sinh": "1982-07",
		"cha_dan_toc":   "Kinh",
		"cha_quoc_tich": "Việt Nam",
		"nguoi_di_khai": "Trần Văn Ơn",
		"loai_dang_ky":  string(registry.KindReRegistration),
		"ghi_chu":       "Đăng ký lại theo Tờ khai ngày 01/03/2010, bản chính Giấy khai sinh bị mất.",
	})
}

func birthCorrections() []registry.Correction {
	return []registry.Correction{{
		Field: "me_ho_ten", Old: "Lê Thị Hông", New: "Lê Thị Hồng",
		Basis: "Quyết định số 15/QĐ-UBND ngày 02/05/2024", At: time.Date(2024, 5, 2, 3, 0, 0, 0, time.UTC), By: "can bo",
	}}
}

func marriageRecord(tb testing.TB) *registry.Record {
	return record(tb, registry.Marriage, "760", "UBND Quận 1", "01/2015", "12", "2015-10-10", map[string]string{
		"vo_ho_ten":        "Nguyễn Thị Lan",
		"vo_ngay_sinh":     "1992-05-12",
		"vo_dan_toc":       "Kinh",
		"vo_quoc_tich":     "Việt Nam",
		"vo_noi_cu_tru":    "45 Lê Lợi, Phường Bến Thành, Quận 1, Thành phố Hồ Chí Minh",
		"vo_giay_to":       "CMND số 024123456",
		"chong_ho_ten":     "Kim Ji Hoon",
		"chong_ngay_sinh":  "1988-11-03",
		"chong_quoc_tich":  "Hàn Quốc",
		"chong_noi_cu_tru": "Seoul, Hàn Quốc",
		"chong_giay_to":    "Hộ chiếu số M12345678",
		"loai_dang_ky":     string(registry.KindForeignElement),
	})
}

func deathRecord(tb testing.TB) *registry.Record {
	return record(tb, registry.Death, "27070", "UBND Phường 10, Quận Phú Nhuận", "02/2001", "57", "2001-03-06", map[string]string{
		"ho_ten":        "Phạm Văn Hùng",
		"ngay_sinh":     "1950",
		"gioi_tinh":     "Nam",
		"dan_toc":       "Kinh",
		"quoc_tich":     "Việt Nam",
		"ngay_chet":     "2001-03-05T14:30",
		"noi_chet":      "Bệnh viện Chợ Rẫy, Quận 5, Thành phố Hồ Chí Minh",
		"giay_bao_tu":   "Số 112/GBT, ngày 05/03/2001, Bệnh viện Chợ Rẫy",
		"noi_cu_tru":    "30 Phan Đăng Lưu, Phường 10, Quận Phú Nhuận",
		"nguoi_di_khai": "Phạm Thị Mai",
	})
}

func recognitionRecord(tb testing.TB) *registry.Record {
	return record(tb, registry.Recognition, "26743", "UBND Phường Bến Thành, Quận 1", "01/2019", "5", "2019-02-15", map[string]string{
		"nguoi_nhan_ho_ten":          "Đặng Quốc Bảo",
		"nguoi_nhan_ngay_sinh":       "1980-01-20",
		"nguoi_nhan_dan_toc":         "Kinh",
		"nguoi_nhan_quoc_tich":       "Việt Nam",
		"nguoi_nhan_noi_cu_tru":      "88 Lê Thánh Tôn, Phường Bến Thành, Quận 1",
		"nguoi_nhan_giay_to":         "CCCD số 079080001234",
		"nguoi_duoc_nhan_ho_ten":     "Đặng Minh Thư",
		"nguoi_duoc_nhan_ngay_sinh":  "2012-09-01",
		"nguoi_duoc_nhan_dan_toc":    "Kinh",
		"nguoi_duoc_nhan_quoc_tich":  "Việt Nam",
		"nguoi_duoc_nhan_noi_cu_tru": "88 Lê Thánh Tôn, Phường Bến Thành, Quận 1",
		"nguoi_duoc_nhan_giay_to":    "Giấy khai sinh số 210, quyển 01/2012",
		"quan_he":                    "cha_nhan_con",
	})
}

var (
	refOnce sync.Once
	refData *registry.RefData
	refErr  error
)

// refdata returns the reference data of a fresh store, loaded once.
func refdata(tb testing.TB) *registry.RefData {
	tb.Helper()
	refOnce.Do(func() {
		dir, err := os.MkdirTemp("", "hotich-extract-ref")
		if err != nil {
			refErr = err
			return
		}
		defer os.RemoveAll(dir)
		db, err := sqlite.Open(context.Background(), filepath.Join(dir, "ref.db"))
		if err != nil {
			refErr = err
			return
		}
		defer db.Close()
		refData, refErr = db.RefData(context.Background())
	})
	if refErr != nil {
		tb.Fatal(refErr)
	}
	return refData
}

// testPKI is a test CA and one unit key per issuer it certified, made
// once per test binary.
var testPKI struct {
	sync.Mutex
	caKey *ecdsa.PrivateKey
	ca    *x509.Certificate
	keys  map[string]*sign.UnitKey
}

// testCA returns the test CA certificate.
func testCA(tb testing.TB) *x509.Certificate {
	tb.Helper()
	testKey(tb, "26740")
	return testPKI.ca
}

// testKey returns the unit key of an issuer, certified by the test CA.
func testKey(tb testing.TB, issuer string) *sign.UnitKey {
	tb.Helper()
	testPKI.Lock()
	defer testPKI.Unlock()
	if testPKI.ca == nil {
		var err error
		if testPKI.caKey, testPKI.ca, err = sign.NewTestCA("extract tests", issuedAt); err != nil {
			tb.Fatal(err)
		}
		testPKI.keys = map[string]*sign.UnitKey{}
	}
	if k, ok := testPKI.keys[issuer]; ok {
		return k
	}
	k, err := unitKey(issuer, testPKI.caKey, testPKI.ca)
	if err != nil {
		tb.Fatal(err)
	}
	testPKI.keys[issuer] = k
	return k
}

// unitKey makes a unit key certified by a CA.
func unitKey(issuer string, caKey *ecdsa.PrivateKey, ca *x509.Certificate) (*sign.UnitKey, error) {
	return sign.NewTestUnitKey(issuer, "UBND "+issuer, caKey, ca, issuedAt)
}

// needTool skips a test when an external tool is missing, except in CI
// where it fails.
func needTool(tb testing.TB, name string) string {
	tb.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("%s not installed (CI=true): %v", name, err)
		}
		tb.Skipf("%s not installed", name)
	}
	return p
}

// newOtherCA makes a CA nobody trusts.
func newOtherCA() (*ecdsa.PrivateKey, *x509.Certificate, error) {
	return sign.NewTestCA("untrusted", issuedAt)
}
