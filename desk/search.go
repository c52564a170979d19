package desk

import (
	"context"
	"net/http"
	"strings"

	"github.com/hotich/hotich/accounts"
	"github.com/hotich/hotich/registry"
	"github.com/hotich/hotich/registry/vntext"
)

// SearchForm is a search as the desk's form and the JSON API take it.
// Exactly one way of finding is given: a personal ID; a record ID; a
// register with authority, book and number; or a full name with a birth
// date or year (and optionally a parent's name). A name alone is not
// enough: the desk does not list everyone of a name across the city.
type SearchForm struct {
	PersonalID string `json:"dinh_danh,omitempty"`
	RecordID   string `json:"ma,omitempty"`
	Name       string `json:"ho_ten,omitempty"`
	Birth      string `json:"ngay_sinh,omitempty"` // dd/mm/yyyy or yyyy
	Parent     string `json:"cha_me,omitempty"`
	Register   string `json:"so,omitempty"` // KS, KH, KT, NCMC; with the number, or to narrow a name
	Authority  string `json:"noi_dang_ky,omitempty"`
	Book       string `json:"quyen,omitempty"`
	Number     string `json:"so_dk,omitempty"`
}

// searchLimit is how many results a search shows.
const searchLimit = 50

func formSearch(r *http.Request) SearchForm {
	v := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	return SearchForm{PersonalID: v("dinh_danh"), RecordID: v("ma"), Name: v("ho_ten"), Birth: v("ngay_sinh"), Parent: v("cha_me"),
		Register: v("so"), Authority: v("noi_dang_ky"), Book: v("quyen"), Number: v("so_dk")}
}

func invalid(field, format string, args ...any) error {
	return registry.FieldErrorf(registry.EINVALID, field, format, args...)
}

// filter turns a form into a store filter, or the record ID to look up.
func (f SearchForm) filter() (registry.RecordFilter, string, error) {
	var rf registry.RecordFilter
	var err error
	if f.Register != "" {
		if rf.Register, err = registry.ParseRegister(f.Register); err != nil {
			return rf, "", invalid("so", "%s", registry.ErrorMessage(err))
		}
	}
	ident := f.Authority != "" || f.Book != "" || f.Number != ""
	modes := 0
	for _, set := range []bool{f.PersonalID != "", f.RecordID != "", f.Name != "" || f.Parent != "" || f.Birth != "", ident} {
		if set {
			modes++
		}
	}
	switch {
	case modes == 0:
		return rf, "", invalid("", "Nhập một cách tìm: số định danh; mã bản ghi; sổ, nơi đăng ký, quyển và số; hoặc họ tên với ngày hay năm sinh.")
	case modes > 1:
		return rf, "", invalid("", "Chỉ dùng một cách tìm mỗi lần: số định danh, mã bản ghi, số đăng ký, hoặc họ tên với ngày sinh.")
	case f.RecordID != "":
		if len(f.RecordID) > 40 {
			return rf, "", invalid("ma", "mã bản ghi không hợp lệ")
		}
		return rf, strings.ToUpper(f.RecordID), nil
	case f.PersonalID != "":
		if rf.PersonalID, err = registry.ParsePersonalID(f.PersonalID); err != nil {
			return rf, "", invalid("dinh_danh", "%s", registry.ErrorMessage(err))
		}
	case ident:
		if rf.Register == "" || f.Authority == "" || f.Book == "" || f.Number == "" {
			return rf, "", invalid("so_dk", "Tìm theo số đăng ký cần đủ: sổ, mã nơi đăng ký, quyển số và số.")
		}
		rf.Identity = &registry.Identity{Register: rf.Register, AuthorityCode: f.Authority, Book: f.Book, Number: f.Number}
	default:
		if f.Name == "" || f.Birth == "" {
			return rf, "", invalid("ho_ten", "Tìm theo tên cần họ tên đầy đủ và ngày sinh (hoặc năm sinh).")
		}
		if len(f.Name) > 200 || len(f.Parent) > 200 {
			return rf, "", invalid("ho_ten", "họ tên quá dài")
		}
		rf.Name, rf.Parent = f.Name, f.Parent
		if rf.Birth, err = vntext.ParseDate(f.Birth); err != nil {
			return rf, "", invalid("ngay_sinh", "ngày sinh %q không đọc được: ghi ngày/tháng/năm hoặc năm", f.Birth)
		}
	}
	rf.Limit = searchLimit + 1
	return rf, "", nil
}

// searchResult is what a search found.
type searchResult struct {
	Form    SearchForm
	Results []registry.RecordSummary
	More    bool // more than searchLimit matched
	Done    bool // a search was made
}

// search runs a search and audits it before anything is shown.
func (s *Server) search(ctx context.Context, c *call, f SearchForm) (*searchResult, error) {
	rf, id, err := f.filter()
	if err != nil {
		return nil, err
	}
	var recs []*registry.Record
	if id != "" {
		rec, err := s.cfg.Store.FindRecordByID(ctx, id)
		if err != nil && registry.ErrorCode(err) != registry.ENOTFOUND {
			return nil, err
		}
		if rec != nil {
			recs = append(recs, rec)
		}
	} else if recs, err = s.cfg.Store.FindRecords(ctx, rf); err != nil {
		return nil, err
	}
	if err := s.audit.Record(ctx, c.who(), accounts.AuditSearch, "", accounts.SearchDetail(rf, id, len(recs))); err != nil {
		return nil, err
	}
	res := &searchResult{Form: f, Done: true}
	if len(recs) > searchLimit {
		recs, res.More = recs[:searchLimit], true
	}
	for _, r := range recs {
		res.Results = append(res.Results, registry.Summarize(r, s.ref))
	}
	return res, nil
}

func (s *Server) searchForm(c *call) error {
	s.render(c, http.StatusOK, "search", "Tra cứu", &searchResult{}, "")
	return nil
}

func (s *Server) searchPage(c *call) error {
	f := formSearch(c.r)
	res, err := s.search(c.r.Context(), c, f)
	if registry.ErrorCode(err) == registry.EINVALID {
		s.render(c, http.StatusBadRequest, "search", "Tra cứu", &searchResult{Form: f}, messageOf(err))
		return nil
	}
	if err != nil {
		return err
	}
	s.render(c, http.StatusOK, "search", "Kết quả tra cứu", res, "")
	return nil
}
