// Package ministry reads and writes the exchange format in which the city's
// digitised civil-status registers are synchronised with the Ministry of
// Justice: versioned XML (format 1.0) whose persons follow QCVN
// 109:2017/BTTTT and whose event data covers the fields QĐ 3458/QĐ-BTP lists
// for sharing. The schema is embedded (see Schema) and documented in
// docs/ministry-format.md.
//
// An export is a folder of files: data files (root GoiDuLieu) of at most a
// given number of change entries each, the schema, and a manifest (root
// BangKe) written last that lists every file with its size and SHA-256.
// Entries are register entries (BanGhi) in their full current state and
// duplicate links (LienKet). A full export holds every entry; an incremental
// one the entries that changed in a watermark range of the store's event
// log.
//
// The package works on registry values and io.Writer / io.Reader (and a Dir
// for a folder of files); it never sees a database. Output depends only on
// its input: the same entries give the same bytes.
package ministry

import (
	"embed"
	"io/fs"

	"github.com/hotich/hotich/registry"
)

// Format identifiers.
const (
	Version   = "1.0"                                           // format version, in every file
	Namespace = "https://github.com/hotich/hotich/ministry/1.0" // the envelope's namespace
	// DancuNamespace is the namespace of QCVN 109:2017/BTTTT, in which the
	// persons are written.
	DancuNamespace = "http://www.mic.gov.vn/dancu/1.0"

	// SchemaFile is the schema's file name, in the package and in every export.
	SchemaFile = "hotich-ministry-1.0.xsd"
	// DancuSchemaFile is the profile of QCVN 109 the schema imports.
	DancuSchemaFile = "dancu-1.0-hotich.xsd"

	// EthnicList names the ethnic-group code list of MaDanToc.
	EthnicList = "QĐ 121-TCTK/PPCĐ"

	// DefaultPerFile is the number of entries per data file unless told.
	DefaultPerFile = 50000
)

//go:embed schema/*.xsd
var schemaFS embed.FS

// Schema returns the schema files (SchemaFile and DancuSchemaFile).
func Schema() fs.FS {
	sub, err := fs.Sub(schemaFS, "schema")
	if err != nil {
		panic(err) // the embedded folder exists
	}
	return sub
}

// SchemaFiles lists the schema files in the order they are written.
var SchemaFiles = []string{SchemaFile, DancuSchemaFile}

// Mode says whether an export holds every entry or only changes.
type Mode string

// The modes, as written in CheDo.
const (
	Full    Mode = "day-du"   // every entry, from watermark 0
	Changes Mode = "thay-doi" // the entries that changed since a watermark
)

// Header is what a data file says about the export it belongs to. The
// watermark range is (Since, Until] of the store's event log; DataTime is
// the store's time of the event Until (RFC 3339), never the wall clock.
type Header struct {
	Mode     Mode
	Since    int64
	Until    int64
	DataTime string
	Part     int // 1-based number of the data file
}

// Entry is one change entry read back: exactly one of Record and Link is
// set.
type Entry struct {
	Record *registry.RecordChange
	Link   *registry.LinkChange
}
