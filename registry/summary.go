package registry

// RecordSummary is what a list of records (search results, a review
// queue) shows of each: enough to tell entries apart and to see what holds
// them up, without opening them. Dates are ISO 8601 with their precision.
type RecordSummary struct {
	ID            string          `json:"id"`
	Register      Register        `json:"register"`
	Name          string          `json:"name"`                 // the subject's full name
	BirthDate     string          `json:"birth_date,omitempty"` // the subject's
	EventDate     string          `json:"event_date,omitempty"` // birth, death, or the registration of a marriage or recognition
	RegisteredOn  string          `json:"registered_on"`
	Book          string          `json:"book"`
	Number        string          `json:"number"`
	AuthorityCode string          `json:"authority_code"`
	AuthorityName string          `json:"authority_name"` // as written then
	HolderCode    string          `json:"holder_code,omitempty"`
	HolderName    string          `json:"holder_name,omitempty"` // the unit holding the register today
	Persons       []PersonSummary `json:"persons"`
	OpenFlags     int             `json:"open_flags"`
	OpenConflicts int             `json:"open_conflicts"`
	LinksInReview int             `json:"links_in_review"` // duplicate links suspected or automatic, not yet decided
}

// PersonSummary is one person of a summarised entry.
type PersonSummary struct {
	Role      Role   `json:"role"`
	Name      string `json:"name"`
	BirthDate string `json:"birth_date,omitempty"`
}

// Summarize summarises a record; ref resolves the unit holding its register
// today (nil leaves it out).
func Summarize(r *Record, ref *RefData) RecordSummary {
	s := RecordSummary{
		ID: r.ID, Register: r.Register, RegisteredOn: r.RegisteredOn.ISO(), Book: r.Book, Number: r.Number,
		AuthorityCode: r.AuthorityCode, AuthorityName: r.AuthorityName,
		OpenFlags: len(r.Flags), OpenConflicts: len(r.OpenConflicts()),
	}
	if p, ok := r.Subject(); ok {
		s.Name, s.BirthDate = p.FullName, p.BirthDate.ISO()
	}
	s.EventDate = s.RegisteredOn
	if d := r.Register.Descriptor(); d != nil && d.EventDate != "" {
		s.EventDate = r.Fields[d.EventDate]
	}
	for _, p := range r.Persons() {
		s.Persons = append(s.Persons, PersonSummary{Role: p.Role, Name: p.FullName, BirthDate: p.BirthDate.ISO()})
	}
	for _, d := range r.Duplicates {
		if d.Status == LinkSuspected || d.Status == LinkAuto {
			s.LinksInReview++
		}
	}
	if ref != nil {
		if succ := ref.Successors(r.AuthorityCode); len(succ) > 0 {
			s.HolderCode, s.HolderName = succ[0].Code, succ[0].Name
		}
	}
	return s
}

// RoleLabel returns the Vietnamese name of a role, as forms print it.
func (r Role) Label() string {
	switch r {
	case RoleChild:
		return "người được khai sinh"
	case RoleMother:
		return "mẹ"
	case RoleFather:
		return "cha"
	case RoleDeclarant:
		return "người đi khai"
	case RoleHusband:
		return "chồng"
	case RoleWife:
		return "vợ"
	case RoleDeceased:
		return "người chết"
	case RoleRecognizer:
		return "người nhận"
	case RoleRecognized:
		return "người được nhận"
	}
	return string(r)
}

// ParseRole reads a role by its code ("me", "nguoi_chet") or its
// Vietnamese name ("mẹ", "người chết").
func ParseRole(s string) (Role, error) {
	k := headerKey(s)
	for _, r := range []Role{RoleChild, RoleMother, RoleFather, RoleDeclarant, RoleHusband, RoleWife, RoleDeceased, RoleRecognizer, RoleRecognized} {
		if k == headerKey(string(r)) || k == headerKey(r.Label()) {
			return r, nil
		}
	}
	return "", Errorf(EINVALID, "vai trò %q không hợp lệ (con, me, cha, chong, vo, nguoi_chet, nguoi_nhan, nguoi_duoc_nhan)", s)
}
