package registry

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"
)

// Duplicate links join entries of different identities that may record the
// same event (a re-registration, the same birth registered at two wards).
// A linkage run scores pairs and proposes links; both entries stay; a
// person confirms or rejects. The types below are what the linkage run,
// the store and the review desk exchange.

// Link is a stored duplicate link as a reviewer sees it.
type Link struct {
	ID          int64
	Register    Register
	A, B        string // record IDs, A the older record in the store
	Score       float64
	Status      LinkStatus
	Proposed    LinkStatus       // what the score gives: auto or suspected
	Explanation *LinkExplanation // why the pair scored as it did (nil for an imported link)
	DecidedBy   string
	DecidedAt   string
	Note        string
	CreatedSeq  int64
	Version     int64 // seq of the link's last change
}

// Decided reports whether a person confirmed or rejected the link.
func (l *Link) Decided() bool { return l.Status == LinkConfirmed || l.Status == LinkRejected }

// LinkFilter selects links.
type LinkFilter struct {
	Register Register
	Status   []LinkStatus // none: suspected only (the review queue)
	MinScore float64
	Limit    int // 0: no limit
}

// LinkExplanation is the score of a pair with every comparison's part in
// it, as a linkage run computed it and the link keeps for the reviewer.
type LinkExplanation struct {
	Model        string             `json:"model"`
	Prior        float64            `json:"prior"`        // prior log-odds, bits
	Unrelated    float64            `json:"vs_unrelated"` // posterior log-odds against unrelated entries
	Alternatives []LinkAltScore     `json:"alternatives,omitempty"`
	Bits         float64            `json:"bits"`  // the combined score
	Guard        bool               `json:"guard"` // the rules for an automatic link hold
	Fields       []LinkContribution `json:"fields"`
}

// LinkContribution is one comparison's part in a pair's score.
type LinkContribution struct {
	Name   string             `json:"name"`
	Level  string             `json:"level"`
	Weight float64            `json:"w"`             // bits against "unrelated"
	Alt    map[string]float64 `json:"alt,omitempty"` // bits against each alternative it counts in
}

// LinkAltScore is a pair's log-odds against one alternative hypothesis
// (twins, siblings).
type LinkAltScore struct {
	Name  string  `json:"name"`
	Prior float64 `json:"prior"`
	Bits  float64 `json:"bits"`
}

// LinkProposal is a pair of records a run scored: a link to create or
// update, or (Status "") a stored link whose pair no longer reaches the
// review threshold.
type LinkProposal struct {
	A, B        string // record IDs
	AFP, BFP    uint64 // fingerprints of the records' data
	Score       float64
	Status      LinkStatus // auto, suspected or ""
	Explanation *LinkExplanation
}

// LinkRun describes a linkage run whose proposals a store applies.
type LinkRun struct {
	Register  Register
	Since     int64     // records with a greater version were matched
	Watermark int64     // the store's last seq before the run read the records
	Model     string    // ID of the model
	StartedAt time.Time // when the run started
	Stats     LinkRunStats
}

// LinkRunStats is what a run counted, kept with the run.
type LinkRunStats struct {
	Entries    int              `json:"entries"`
	Pending    int              `json:"pending"`
	Candidates int64            `json:"candidate_pairs"`
	PerRule    map[string]int64 `json:"pairs_per_rule"`
	Auto       int              `json:"auto"`
	Suspected  int              `json:"suspected"`
	Rescored   int              `json:"rescored"`
}

// LinkChanges counts what applying a run's proposals did.
type LinkChanges struct {
	Created   int `json:"created"`
	Updated   int `json:"updated"`   // score or status changed
	Dropped   int `json:"dropped"`   // fell below the review threshold
	Reset     int `json:"reset"`     // a decision undone because an entry's data changed
	Kept      int `json:"kept"`      // a decision kept: the data it was made on is unchanged
	Unchanged int `json:"unchanged"` // scored as stored
}

// StoredLink is the state of a stored link that a linkage policy weighs
// against a new proposal.
type StoredLink struct {
	Status      LinkStatus
	Score       float64
	Explanation *LinkExplanation
	AFP, BFP    uint64 // the fingerprints it was scored (or decided) on
}

// LinkAction is what to do with a proposal, as a linkage policy decides.
type LinkAction uint8

// The link actions.
const (
	LinkSkip      LinkAction = iota // nothing stored, nothing to store
	LinkCreate                      // a new link
	LinkKeep                        // a person's decision stands
	LinkUnchanged                   // scored as stored
	LinkUpdate                      // new score or status
	LinkReset                       // a decision undone: the data it was made on changed
	LinkDrop                        // below review: the link goes
	LinkResetDrop                   // a decided link whose pair fell below review
)

// LinkPolicy decides what a proposal does to the stored link of its pair
// (nil: none is stored). Stores call it inside the transaction that
// applies the proposal.
type LinkPolicy func(stored *StoredLink, p LinkProposal) LinkAction

// LinkModel is the Fellegi–Sunter model of one register, as a linkage run
// estimates it and a store keeps it: m and u per comparison level, priors
// and thresholds.
type LinkModel struct {
	// Method says where the parameters come from: "defaults", "estimated"
	// (u and term frequencies from the store, m defaults) or "em" (m too,
	// by expectation-maximisation over candidate pairs).
	Method  string `json:"method"`
	Records int    `json:"records"` // entries the estimation read

	// PriorBits is log2 of the prior odds that two random entries record
	// the same event.
	PriorBits float64 `json:"prior_bits"`
	// Alternatives are the hypotheses besides "unrelated" (births: twins
	// and siblings; recognitions: another person recognised by the same
	// one). The score is the log-odds of "same event" against all of them.
	Alternatives []LinkAlternative `json:"alternatives,omitempty"`
	// AutoBits and SuspectBits are the thresholds on the score, in bits:
	// at or above AutoBits (and the guard rules holding) a link is auto, at
	// or above SuspectBits suspected, below nothing.
	AutoBits    float64 `json:"auto_bits"`
	SuspectBits float64 `json:"suspect_bits"`
	// MarginBits is how far above AutoBits a pair whose subject's name is
	// one keying error off must score to be auto.
	MarginBits float64 `json:"margin_bits"`

	Params map[string]*LinkParams `json:"params"`
}

// ID returns a short hash of the model's parameters, recorded with each
// run and each link's explanation.
func (m *LinkModel) ID() string {
	b, _ := json.Marshal(m)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:6])
}

// LinkParams are the probabilities of a comparison's levels (index 0,
// "null", is unused): M among pairs that record the same event, U among
// unrelated pairs.
type LinkParams struct {
	M []float64 `json:"m"`
	U []float64 `json:"u"`
}

// LinkAlternative is a hypothesis besides "unrelated" that explains a pair
// of alike entries without their being the same event: two children of the
// same parents (twins, or siblings born apart). Under it the family's
// values agree as they do between two entries of one event, so only the
// subject's own comparisons count against it, with their probabilities U
// among such pairs.
type LinkAlternative struct {
	Name string `json:"name"`
	// PriorBits is log2 of the prior odds of "same event" against this
	// alternative.
	PriorBits float64 `json:"prior_bits"`
	// U holds, for each subject comparison, the probability of each level
	// under the alternative.
	U map[string][]float64 `json:"u"`
}

// LinkService keeps duplicate links: what a linkage run reads and writes,
// and what reviewers decide.
type LinkService interface {
	// EachMatchRecord calls fn for every record of a register ("" for
	// all) with its ID, register, authority name, registration date,
	// fields and version (no annotations), in storage order.
	EachMatchRecord(ctx context.Context, reg Register, fn func(*Record) error) error
	// EachLinkedPair calls fn with the record IDs of every link between
	// records of a register ("" for all).
	EachLinkedPair(ctx context.Context, reg Register, fn func(a, b string) error) error
	// LinkSince returns the watermark of the last linkage run of a
	// register (0 before the first).
	LinkSince(ctx context.Context, reg Register) (int64, error)
	// ChangedSince counts the records of a register with a version above
	// since.
	ChangedSince(ctx context.Context, reg Register, since int64) (int, error)
	// LinkModel returns the stored model of a register, or nil.
	LinkModel(ctx context.Context, reg Register) (*LinkModel, error)
	// SaveLinkModel stores the model of a register.
	SaveLinkModel(ctx context.Context, reg Register, m *LinkModel) error
	// ApplyLinks applies a run's proposals as policy decides, records the
	// run, and returns what changed.
	ApplyLinks(ctx context.Context, run LinkRun, proposals []LinkProposal, policy LinkPolicy) (LinkChanges, error)
	// Links lists links, highest score first (then oldest).
	Links(ctx context.Context, f LinkFilter) ([]*Link, error)
	// FindLink returns a link, or ENOTFOUND.
	FindLink(ctx context.Context, id int64) (*Link, error)
	// LinkEvents returns the events about a link, oldest first.
	LinkEvents(ctx context.Context, id int64) ([]Event, error)
	// ChangeLink changes a link's status in one write transaction: next
	// gets the link as stored and returns its new status (an error leaves
	// it as it is). The change is logged as an event of the given kind
	// with who and why; a confirmed or rejected status records the
	// decision, any other clears it.
	ChangeLink(ctx context.Context, id int64, kind, actor, note string, next func(*Link) (LinkStatus, error)) (*Link, error)
}
