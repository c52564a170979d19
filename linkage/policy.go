package linkage

import (
	"bytes"
	"encoding/json"

	"github.com/hotich/hotich/registry"
)

// Policy decides what a run's proposal does to the stored link of its
// pair. A new pair scoring at least suspected becomes a link. A person's
// decision (confirmed, rejected) stands while both entries' data is what it
// was decided on (the fingerprints); when either changed, the decision is
// reset and the link takes the status its new score gives, or goes if the
// pair fell below review. A link no one decided takes its new score and
// status, or goes below review; scored exactly as stored, it is unchanged.
func Policy(stored *registry.StoredLink, p registry.LinkProposal) registry.LinkAction {
	if stored == nil {
		if p.Status == "" {
			return registry.LinkSkip
		}
		return registry.LinkCreate
	}
	decided := stored.Status == registry.LinkConfirmed || stored.Status == registry.LinkRejected
	sameData := stored.AFP == p.AFP && stored.BFP == p.BFP
	switch {
	case decided && sameData:
		return registry.LinkKeep
	case decided && p.Status == "":
		return registry.LinkResetDrop
	case decided:
		return registry.LinkReset
	case p.Status == "":
		return registry.LinkDrop
	case sameData && stored.Status == p.Status && stored.Score == p.Score && sameExplanation(stored.Explanation, p.Explanation):
		return registry.LinkUnchanged
	}
	return registry.LinkUpdate
}

// sameExplanation reports whether two explanations say the same, as stored.
func sameExplanation(a, b *registry.LinkExplanation) bool {
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	return errA == nil && errB == nil && bytes.Equal(ja, jb)
}
