package sqlite

// Unexported helpers of changes.go for the external tests.
var (
	DecodeStringMap = decodeStringMap
	DecodeStrings   = decodeStrings
)
