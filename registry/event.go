package registry

// Event is one entry of a store's append-only event log: what changed,
// when, by whom. Its Seq is the store's clock: watermarks of exports and
// linkage runs are seqs.
type Event struct {
	Seq      int64
	At       string // RFC 3339, the store's clock
	Kind     string // "record_corrected", "link_confirmed", …
	RecordID string // the record concerned, if one
	BatchID  int64  // the batch concerned, if one
	Actor    string // who, for a person's action
	Detail   []KeyValue
}

// KeyValue is one detail of an event: its scalar values (strings, numbers,
// true/false) as text, sorted by key.
type KeyValue struct{ Key, Value string }

// Value returns the detail with the given key, or "".
func (e *Event) Value(key string) string {
	for _, kv := range e.Detail {
		if kv.Key == key {
			return kv.Value
		}
	}
	return ""
}
