package samples

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/hotich/hotich/registry"
)

// fileResult is a written batch file and its truth.
type fileResult struct {
	f       *fileSpec
	chunk   []byte // its lines of rows.jsonl
	counts  Counts
	rejects map[registry.RejectCode]int64
	flags   map[registry.FlagCode]int64
	// an original's: the lines of pairs.jsonl whose second record is in
	// its group, and their kinds
	pairs     []byte
	pairKinds map[string]int
}

type groupResult struct {
	files   []*fileResult
	records int
	reg     registry.Register
	err     error
}

// Generate writes a corpus to outDir/batches and its truth to outDir/truth.
func Generate(ctx context.Context, cfg Config, outDir string) (Summary, error) {
	if err := cfg.Validate(); err != nil {
		return Summary{}, registry.Errorf(registry.EINVALID, "samples: %v", err)
	}
	geo, err := loadGeo()
	if err != nil {
		return Summary{}, fmt.Errorf("samples: reference data: %w", err)
	}
	p, err := buildPlan(&cfg, geo)
	if err != nil {
		return Summary{}, fmt.Errorf("samples: %w", err)
	}
	g := &gen{cfg: &cfg, geo: geo, plan: p}
	batchDir := filepath.Join(outDir, "batches")
	truthDir := filepath.Join(outDir, "truth")
	if err := prepareDirs(batchDir, truthDir, cfg.Clean); err != nil {
		return Summary{}, err
	}
	spillDir, err := os.MkdirTemp(truthDir, ".spill-")
	if err != nil {
		return Summary{}, err
	}
	defer os.RemoveAll(spillDir)

	workers := cfg.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs := make(chan int)
	results := make(chan *groupResult, workers)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for gi := range jobs {
				res := g.group(gi, batchDir)
				select {
				case results <- res:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	go func() {
		defer close(jobs)
		for gi := range p.groups {
			select {
			case jobs <- gi:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() { wg.Wait(); close(results) }()

	rowsPath := filepath.Join(truthDir, "rows.jsonl")
	rowsFile, err := os.Create(rowsPath)
	if err != nil {
		return Summary{}, err
	}
	defer rowsFile.Close()
	bw := bufio.NewWriterSize(rowsFile, 1<<20)

	// The sequencer writes each file's truth in lexical order of the file
	// names (the ingest's order). Chunks that arrive early are kept in
	// memory when they are due soon and spilled to a temporary file
	// otherwise, so memory stays bounded.
	const window = 256
	type held struct {
		fr   *fileResult
		path string
	}
	pending := map[int]held{}
	byPos := make([]*fileResult, len(p.files))
	next := 0
	var done int64
	sum := Summary{
		Registers:     map[registry.Register]Counts{},
		Rejects:       map[registry.RejectCode]int64{},
		Flags:         map[registry.FlagCode]int64{},
		HardNegatives: map[string]int{},
	}
	pairsFile, err := os.Create(filepath.Join(truthDir, "pairs.jsonl"))
	if err != nil {
		return Summary{}, err
	}
	defer pairsFile.Close()
	pw := bufio.NewWriterSize(pairsFile, 1<<16)
	var errs []error
	flush := func() error {
		for {
			h, ok := pending[next]
			if !ok {
				return nil
			}
			delete(pending, next)
			if h.path != "" {
				if err := appendFile(bw, h.path); err != nil {
					return err
				}
			} else if _, err := bw.Write(h.fr.chunk); err != nil {
				return err
			}
			h.fr.chunk = nil
			if _, err := pw.Write(h.fr.pairs); err != nil {
				return err
			}
			h.fr.pairs = nil
			done += h.fr.counts.Rows
			if cfg.Progress != nil {
				cfg.Progress(done, p.rows)
			}
			next++
		}
	}
	for res := range results {
		if res.err != nil {
			errs = append(errs, res.err)
			cancel()
			continue
		}
		if len(errs) > 0 {
			continue
		}
		for _, fr := range res.files {
			pos := fr.f.pos
			byPos[pos] = fr
			if pos-next < window {
				pending[pos] = held{fr: fr}
				continue
			}
			path := filepath.Join(spillDir, strconv.Itoa(pos))
			if err := os.WriteFile(path, fr.chunk, 0o644); err != nil {
				errs = append(errs, err)
				cancel()
				break
			}
			fr.chunk = nil
			pending[pos] = held{fr: fr, path: path}
		}
		c := sum.Registers[res.reg]
		c.Records += int64(res.records)
		sum.Records += int64(res.records)
		sum.Registers[res.reg] = c
		if err := flush(); err != nil {
			errs = append(errs, err)
			cancel()
		}
	}
	if err := ctx.Err(); err != nil && len(errs) == 0 {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return Summary{}, errors.Join(errs...)
	}
	if next != len(p.files) {
		return Summary{}, fmt.Errorf("samples: truth of %d of %d files written", next, len(p.files))
	}
	if err := bw.Flush(); err != nil {
		return Summary{}, err
	}
	if err := rowsFile.Close(); err != nil {
		return Summary{}, err
	}

	for _, fr := range byPos {
		sum.Files++
		sum.Counts.Rows += fr.counts.Rows
		sum.Accepted += fr.counts.Accepted
		sum.Flagged += fr.counts.Flagged
		sum.Rejected += fr.counts.Rejected
		c := sum.Registers[fr.f.reg]
		c.Rows += fr.counts.Rows
		c.Accepted += fr.counts.Accepted
		c.Flagged += fr.counts.Flagged
		c.Rejected += fr.counts.Rejected
		sum.Registers[fr.f.reg] = c
		for k, v := range fr.rejects {
			sum.Rejects[k] += v
		}
		for k, v := range fr.flags {
			sum.Flags[k] += v
		}
		for k, v := range fr.pairKinds {
			if k == "duplicate" {
				sum.Duplicates += v
			} else {
				sum.HardNegatives[k] += v
			}
		}
	}
	if err := pw.Flush(); err != nil {
		return Summary{}, err
	}
	if err := pairsFile.Close(); err != nil {
		return Summary{}, err
	}
	if err := os.WriteFile(filepath.Join(truthDir, "summary.json"), summaryJSON(&cfg, &sum, byPos, p), 0o644); err != nil {
		return Summary{}, err
	}
	return sum, nil
}

func appendFile(w io.Writer, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	_, err = io.Copy(w, f)
	f.Close()
	if err != nil {
		return err
	}
	return os.Remove(path)
}

// prepareDirs makes the output folders. Without clean it refuses a
// batches folder that holds files already: a folder is ingested whole, and
// stray files of another run would not match the truth.
func prepareDirs(batchDir, truthDir string, clean bool) error {
	for _, dir := range []string{batchDir, truthDir} {
		ents, err := os.ReadDir(dir)
		if err != nil && !os.IsNotExist(err) {
			return err
		}
		if len(ents) > 0 && !clean && dir == batchDir {
			return registry.Errorf(registry.EREFUSED, "%s is not empty; use --clean to replace an earlier run", dir)
		}
		for _, e := range ents {
			if clean || strings.HasPrefix(e.Name(), ".spill-") {
				if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
					return err
				}
			}
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
	}
	return nil
}

// group generates a book and its rescans, simulates their ingest, writes
// the batch files and returns their truth.
func (g *gen) group(gi int, batchDir string) (res *groupResult) {
	ids := g.plan.groups[gi]
	orig := g.plan.files[ids[0]]
	res = &groupResult{reg: orig.reg}
	defer func() {
		if v := recover(); v != nil {
			res = &groupResult{err: fmt.Errorf("samples: %s: %v", orig.name, v)}
		}
	}()
	entries := make([]*entry, orig.rows+1)
	for k := 1; k <= orig.rows; k++ {
		entries[k] = g.entryAt(orig.idx, k)
	}
	ofo, kinds := g.renderOriginal(orig, entries)
	fos := []*fileOut{ofo}
	var keyed []keyedRow
	for _, ri := range ids[1:] {
		fo, kr := g.renderRescan(g.plan.files[ri], orig, entries, kinds, ofo)
		fos = append(fos, fo)
		keyed = append(keyed, kr...)
	}
	sorted := append([]*fileOut(nil), fos...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].f.name < sorted[j].f.name })
	res.records = simulate(sorted)

	for _, fo := range fos {
		if err := fo.write(batchDir, fileRand(g.cfg.Seed, fo.f.idx, streamWrite)); err != nil {
			return &groupResult{err: err}
		}
		fr := &fileResult{f: fo.f, rejects: map[registry.RejectCode]int64{}, flags: map[registry.FlagCode]int64{}}
		for _, ro := range fo.rows {
			tr := ro.tr
			fr.chunk = tr.appendJSON(fr.chunk, g.cfg.TruthFields)
			fr.counts.Rows++
			switch tr.outcome {
			case OutcomeAccepted:
				fr.counts.Accepted++
			case OutcomeFlagged:
				fr.counts.Flagged++
			case OutcomeRejected:
				fr.counts.Rejected++
				fr.rejects[tr.reject]++
			}
			for _, fl := range tr.flags {
				fr.flags[registry.FlagCode(fl)]++
			}
		}
		res.files = append(res.files, fr)
	}
	// The group's pairs go with its book, in the order they are found.
	fr := res.files[0]
	fr.pairKinds = map[string]int{}
	for _, p := range g.pairsOf(orig, entries, ofo, keyed) {
		fr.pairs = p.appendJSON(fr.pairs)
		if p.kind == "duplicate" {
			fr.pairKinds["duplicate"]++
		} else {
			fr.pairKinds[p.typ]++
		}
	}
	return res
}

// recordOf returns the record ID of a row of an original book, as its
// first scan stores it.
func (g *gen) recordOf(fi, row int) string {
	f := g.plan.files[fi]
	return registry.Identity{Register: f.reg, AuthorityCode: f.auth.code, Book: f.book(f.bs), Number: f.number(row)}.RecordID()
}

// pairsOf lists the designed pairs whose second record is in this group.
func (g *gen) pairsOf(orig *fileSpec, entries []*entry, ofo *fileOut, keyed []keyedRow) []pair {
	var ps []pair
	for k := 1; k <= orig.rows; k++ {
		an, ok := orig.annot(k)
		if !ok {
			continue
		}
		sf, sr := an.src()
		tr := ofo.rows[k-1].tr
		src := g.plan.files[sf]
		p := pair{register: orig.reg, b: tr.recordID, refs: [2]string{src.name + "#" + strconv.Itoa(sr), tr.ref}}
		switch an.kind {
		case annDup:
			p.kind, p.typ, p.event, p.corruptions = "duplicate", an.viaName(), entries[k].event, entries[k].corruptions
		case annTwinB:
			p.kind, p.typ = "hard_negative", "twins"
		case annSiblingB:
			p.kind, p.typ = "hard_negative", "siblings"
		case annFatherSonB:
			p.kind, p.typ = "hard_negative", "father_son"
		case annCommonB:
			p.kind, p.typ = "hard_negative", "common_name"
		default:
			continue
		}
		if tr.recordID == "" {
			panic(fmt.Sprintf("designed row %s was not stored", tr.ref))
		}
		p.a = g.recordOf(sf, sr)
		p.events = [2]string{g.eventID(src, sr), entries[k].event}
		ps = append(ps, p)
	}
	for _, kr := range keyed {
		if kr.tr.recordID == "" {
			panic(fmt.Sprintf("keyed row %s was not stored", kr.tr.ref))
		}
		ps = append(ps, pair{
			kind: "duplicate", typ: "keying_error", register: orig.reg,
			a: g.recordOf(orig.idx, kr.row), b: kr.tr.recordID, event: kr.e.event, corruptions: kr.e.corruptions,
			refs: [2]string{orig.name + "#" + strconv.Itoa(kr.row), kr.tr.ref},
		})
	}
	return ps
}

// keyedRow is a rescan row keyed under a wrong identity.
type keyedRow struct {
	row int
	e   *entry
	tr  *truthRow
}

// renderOriginal renders a book: each row its entry, a few made bad or
// flagged. It returns the file and each row's kind.
func (g *gen) renderOriginal(f *fileSpec, entries []*entry) (*fileOut, []rowKind) {
	need := map[string]bool{}
	for _, e := range entries[1:] {
		if e.kind != registry.KindNew {
			need[registry.ColRegKind] = true
		}
		if designed(e.design) {
			for _, c := range familyColumns {
				need[c] = true
			}
		}
	}
	st := g.newStyle(f, fileRand(g.cfg.Seed, f.idx, streamStyle), need)
	r := fileRand(g.cfg.Seed, f.idx, streamRows)
	fo := &fileOut{f: f, st: st}
	kinds := make([]rowKind, f.rows+1)
	used := map[rowKind]int{}
	book := f.book(f.bs)
	for k := 1; k <= f.rows; k++ {
		e := entries[k]
		kind := rkClean
		if _, protected := f.annot(k); k > 1 && !protected {
			x := r.Float64()
			switch {
			case x < g.cfg.BadRowRate:
				kind = g.nextKind(f, st, e, rejectKinds, used, r)
			case x < g.cfg.BadRowRate+g.cfg.FlaggedRate:
				kind = g.nextKind(f, st, e, flagKinds, used, r)
			}
		}
		kinds[k] = kind
		ro := g.render(f, st, e, k, ident{f.auth.code, book, f.number(k)}, kind, r)
		ro.tr.ref = f.name + "#" + strconv.Itoa(k)
		fo.rows = append(fo.rows, ro)
	}
	return fo, kinds
}

// nextKind returns a kind of the list that applies to the row, among those
// used least in the file so far: every kind gets its share, not only those
// that always apply.
func (g *gen) nextKind(f *fileSpec, st *fileStyle, e *entry, list []rowKind, used map[rowKind]int, r *rand.Rand) rowKind {
	var best []rowKind
	for _, k := range list {
		if !g.applicable(f, st, e, k) {
			continue
		}
		switch {
		case len(best) == 0 || used[k] < used[best[0]]:
			best = append(best[:0], k)
		case used[k] == used[best[0]]:
			best = append(best, k)
		}
	}
	if len(best) == 0 {
		return rkClean
	}
	k := best[r.IntN(len(best))]
	used[k]++
	return k
}

// renderRescan renders a rescan of rows from..to of a book. Rows made to
// raise a flag in the first scan are not rescanned (a second scan of them
// would disagree in ways the rules do not settle); some rescan rows
// disagree with the first scan, a few are bad, and the designed ones are
// keyed under a wrong book or number.
func (g *gen) renderRescan(rs, orig *fileSpec, entries []*entry, origKinds []rowKind, ofo *fileOut) (*fileOut, []keyedRow) {
	need := map[string]bool{}
	for k := rs.from; k <= rs.to; k++ {
		if entries[k].kind != registry.KindNew {
			need[registry.ColRegKind] = true
		}
	}
	st := g.newStyle(rs, fileRand(g.cfg.Seed, rs.idx, streamStyle), need)
	r := fileRand(g.cfg.Seed, rs.idx, streamRows)
	fo := &fileOut{f: rs, st: st}
	var keyed []keyedRow
	used := map[rowKind]int{}
	book := orig.book(orig.bs)
	n := 0
	for k := rs.from; k <= rs.to; k++ {
		if origKinds[k].flag() != "" {
			continue
		}
		n++
		e := entries[k]
		id := ident{orig.auth.code, book, orig.number(k)}
		kind := rkClean
		an, _ := rs.annot(k)
		var ro *rowOut
		switch {
		case an.kind == annKeyed:
			e2 := e.clone()
			e2.corruptions = nil
			g.corrupt(e2, r, 1+r.IntN(2))
			e2.design = joinDesign(e.design, "dup:keying_error")
			id = g.keyedIdentity(orig, k, r)
			ro = g.render(rs, st, e2, k, id, rkClean, r)
			keyed = append(keyed, keyedRow{row: k, e: e2, tr: ro.tr})
		default:
			x := r.Float64()
			if n > 1 && x < g.cfg.ConflictRate {
				if e2, ok := g.conflictVariant(e, st, ofo.rows[k-1].tr, r); ok {
					e2.design = joinDesign(e.design, "conflict")
					if r.IntN(3) == 0 {
						id = variantIdentity(id)
					}
					ro = g.render(rs, st, e2, k, id, rkClean, r)
					break
				}
			}
			if n > 1 && x >= g.cfg.ConflictRate && x < g.cfg.ConflictRate+g.cfg.BadRowRate {
				kind = g.nextKind(rs, st, e, rejectKinds, used, r)
			}
			ro = g.render(rs, st, e, k, id, kind, r)
		}
		ro.tr.design = joinDesign("rescan", ro.tr.design)
		ro.tr.ref = rs.name + "#" + strconv.Itoa(n)
		fo.rows = append(fo.rows, ro)
	}
	return fo, keyed
}

// variantIdentity writes a book or entry number another way that names the
// same entry ("1/2010" for "01/2010", "0125" for "125").
func variantIdentity(id ident) ident {
	if strings.HasPrefix(id.book, "0") {
		id.book = strings.TrimPrefix(id.book, "0")
	} else if !strings.HasPrefix(id.number, "0") {
		id.number = "0" + id.number
	} else {
		id.number = strings.TrimLeft(id.number, "0")
	}
	return id
}

// keyedIdentity returns a wrong identity for row k of a book: the year
// digits of the book transposed (a book the authority does not have), or
// the number with a stray leading digit (beyond the book's last number).
func (g *gen) keyedIdentity(orig *fileSpec, k int, r *rand.Rand) ident {
	id := ident{orig.auth.code, orig.book(orig.bs), orig.number(k)}
	y := orig.year
	ty := y - y%100 + (y%10)*10 + (y/10)%10
	if r.IntN(2) == 0 && ty != y && ty >= 1976 && ty <= 2025 &&
		!g.plan.books[fmt.Sprintf("%s|%s|%d|%d", orig.reg, orig.auth.code, ty, orig.bookNo)] {
		id.book = strings.Replace(id.book, strconv.Itoa(y), strconv.Itoa(ty), 1)
		return id
	}
	p := 10
	for p <= orig.rows {
		p *= 10
	}
	id.number = strconv.Itoa(p + k)
	return id
}

// conflictVariant returns the entry with one value another scan reads
// differently: a typo in a name, another day of birth, another ethnic group
// or place. It picks a value the first scan stored and this file shows.
func (g *gen) conflictVariant(e *entry, st *fileStyle, first *truthRow, r *rand.Rand) (*entry, bool) {
	if first.reject != "" {
		return nil, false
	}
	var cands []column
	for _, c := range st.cols {
		if c.name == "" || !first.has[c.idx] || identityColumn(c.name) {
			continue
		}
		switch c.col.Kind {
		case registry.KindName, registry.KindDate, registry.KindEthnic, registry.KindPlace:
			cands = append(cands, c)
		}
	}
	r.Shuffle(len(cands), func(i, j int) { cands[i], cands[j] = cands[j], cands[i] })
	for _, c := range cands {
		e2 := e.clone()
		v := e.get(c.name)
		switch c.col.Kind {
		case registry.KindName:
			s, ok := typo(r, v.s)
			if !ok {
				continue
			}
			v.s = s
		case registry.KindDate:
			if v.d.prec() != 3 {
				continue
			}
			d := v.d
			d.d = 1 + (d.d-1+1+r.IntN(daysIn(d.y, d.m)-1))%daysIn(d.y, d.m)
			v.d = d
		case registry.KindEthnic:
			if v.s == "Hoa" {
				v.s = "Kinh"
			} else {
				v.s = "Hoa"
			}
		case registry.KindPlace:
			if c.name == registry.ColAuthorityName {
				continue
			}
			if c.name == registry.ColNoiSinh {
				v.s = maternity[r.IntN(len(maternity))]
			} else {
				v.s = address(r, g.geo.randomWard(r), e.regDate.y)
			}
			if v.s == e.get(c.name).s {
				continue
			}
		}
		e2.set(c.name, v)
		if e2.orderOK() {
			return e2, true
		}
	}
	return nil, false
}

// summaryJSON writes truth/summary.json.
func summaryJSON(cfg *Config, s *Summary, byPos []*fileResult, p *plan) []byte {
	var b []byte
	counts := func(c Counts, records bool) {
		b = fmt.Appendf(b, `{"rows":%d,"accepted":%d,"flagged":%d,"rejected":%d`, c.Rows, c.Accepted, c.Flagged, c.Rejected)
		if records {
			b = fmt.Appendf(b, `,"records":%d`, c.Records)
		}
		b = append(b, '}')
	}
	b = append(b, "{\n"...)
	b = fmt.Appendf(b, `  "seed": %d,`+"\n", cfg.Seed)
	b = fmt.Appendf(b, `  "config": {"entries":%d,"registers":%q,"rows":"%d-%d","years":"%d-%d","formats":%q,"encodings":%q,"mojibake":%v,"rescans":%v,"conflicts":%v,"bad":%v,"flagged":%v,"dup_births":%v,"dup_others":%v,"hard_negatives":%v,"plain":%v},`+"\n",
		cfg.Entries, FormatWeights(cfg.Registers, registry.Registers), cfg.RowsMin, cfg.RowsMax, cfg.YearFrom, cfg.YearTo,
		FormatWeights(cfg.Formats, Formats), FormatWeights(cfg.Encodings, Encodings), cfg.MojibakeRate, cfg.RescanRate,
		cfg.ConflictRate, cfg.BadRowRate, cfg.FlaggedRate, cfg.DuplicateBirthRate, cfg.DuplicateOtherRate, cfg.HardNegativeRate, cfg.Plain)
	b = fmt.Appendf(b, `  "files": %d,`+"\n", s.Files)
	b = append(b, `  "total": `...)
	counts(s.Counts, true)
	b = append(b, ",\n  \"registers\": {"...)
	for i, reg := range sortedKeys(s.Registers) {
		if i > 0 {
			b = append(b, ',')
		}
		b = fmt.Appendf(b, "\n    %q: ", reg)
		counts(s.Registers[reg], true)
	}
	b = append(b, "\n  },\n  \"rejects\": {"...)
	for i, k := range sortedKeys(s.Rejects) {
		if i > 0 {
			b = append(b, ',')
		}
		b = fmt.Appendf(b, "%q:%d", k, s.Rejects[k])
	}
	b = append(b, "},\n  \"flags\": {"...)
	for i, k := range sortedKeys(s.Flags) {
		if i > 0 {
			b = append(b, ',')
		}
		b = fmt.Appendf(b, "%q:%d", k, s.Flags[k])
	}
	b = fmt.Appendf(b, "},\n  \"pairs\": {\"duplicate\":%d", s.Duplicates)
	for _, k := range sortedKeys(s.HardNegatives) {
		b = fmt.Appendf(b, ",%q:%d", k, s.HardNegatives[k])
	}
	b = append(b, "},\n  \"by_file\": {"...)
	for i, fr := range byPos {
		if i > 0 {
			b = append(b, ',')
		}
		f := fr.f
		b = fmt.Appendf(b, "\n    %q: {\"register\":%q,\"format\":%q,\"encoding\":%q", f.name, f.reg, f.format, encodingName(f))
		if f.rescan() {
			b = fmt.Appendf(b, ",\"rescan_of\":%q", p.files[f.orig].name)
		}
		b = append(b, `,"counts":`...)
		counts(fr.counts, false)
		b = append(b, '}')
	}
	b = append(b, "\n  }\n}\n"...)
	return b
}

func encodingName(f *fileSpec) string {
	switch {
	case f.format == XLSX:
		return "xlsx"
	case f.format == JSONL:
		return "utf8"
	}
	return string(f.enc)
}
