package registry_test

import (
	"testing"

	"github.com/hotich/hotich/registry"
)

func TestDisplayValue(t *testing.T) {
	col := func(reg registry.Register, name string) registry.Column {
		c, ok := reg.Column(name)
		if !ok {
			t.Fatalf("%s has no column %s", reg, name)
		}
		return c
	}
	for _, tc := range []struct {
		col          registry.Column
		stored, want string
	}{
		{col(registry.Birth, "ngay_sinh"), "2016-05-20", "20/05/2016"},
		{col(registry.Birth, "ngay_sinh"), "2016-05", "05/2016"},
		{col(registry.Birth, "ngay_sinh"), "1950", "1950"},
		{col(registry.Death, "ngay_chet"), "2020-01-02T14:30", "14:30 02/01/2020"},
		{col(registry.Birth, "ngay_dang_ky"), "not a date", "not a date"},
		{col(registry.Birth, "loai_dang_ky"), "dang_ky_lai", "Đăng ký lại"},
		{col(registry.Birth, "loai_dang_ky"), "đăng ký muộn", "đăng ký muộn"},
		{col(registry.Recognition, "quan_he"), "me_nhan_con", "mẹ nhận con"},
		{col(registry.Recognition, "quan_he"), "nhận nuôi", "nhận nuôi"},
		{col(registry.Birth, "loai_so"), "KS", "Sổ khai sinh"},
		{col(registry.Birth, "ho_ten"), "Nguyễn Văn An", "Nguyễn Văn An"},
	} {
		if got := registry.DisplayValue(tc.col, tc.stored); got != tc.want {
			t.Errorf("DisplayValue(%s, %q) = %q, want %q", tc.col.Name, tc.stored, got, tc.want)
		}
	}
}
