package ministry

// SplitNameCached runs the encoder's cached name split, for the tests.
var SplitNameCached = new(nameSplitter).split

// CanonicalDate is the encoder's fast date reader, for the tests.
var CanonicalDate = canonicalDate

// ISODate is the encoder's date formatter, for the tests.
var ISODate = isoDate
