package gofpdf

// This file is not upstream: it lets a program parse a UTF-8 TrueType font
// once and add it to any number of documents, concurrently. Upstream's
// AddUTF8FontFromBytes parses the font, builds a 65,536-entry width table
// and JSON-encodes and hashes it for every document; a one-page document
// spent ~94% of its time there.

import (
	"crypto/sha1"
	"fmt"
)

// UTF8Font is a TrueType font parsed once, for use in many documents. It is
// immutable after ParseUTF8Font and safe for concurrent use: each document
// that adds it gets its own subsetting state.
type UTF8Font struct {
	def    fontDefType   // the definition, without the per-document fields
	parsed *utf8FontFile // parsed tables, shared read-only
}

// ParseUTF8Font parses a TrueType font for AddUTF8FontParsed. ttf must not
// be modified afterwards: every document reads glyphs from it.
func ParseUTF8Font(ttf []byte) (font *UTF8Font, err error) {
	defer func() {
		// The parser indexes the file without bounds checks.
		if r := recover(); r != nil {
			font, err = nil, fmt.Errorf("gofpdf: parse TrueType font: %v", r)
		}
	}()
	utf := newUTF8Font(&fileReader{array: ttf})
	if err := utf.parseFile(); err != nil {
		return nil, err
	}
	def := fontDefType{
		Tp: "UTF8",
		Desc: FontDescType{
			Ascent:       int(utf.Ascent),
			Descent:      int(utf.Descent),
			CapHeight:    utf.CapHeight,
			Flags:        utf.Flags,
			FontBBox:     utf.Bbox,
			ItalicAngle:  utf.ItalicAngle,
			StemV:        utf.StemV,
			MissingWidth: round(utf.DefaultWidth),
		},
		Up: int(round(utf.UnderlinePosition)),
		Ut: round(utf.UnderlineThickness),
		Cw: utf.CharWidths,
	}
	if def.i, err = generateFontID(def); err != nil {
		return nil, err
	}
	if err := utf.prepareCut(); err != nil {
		return nil, err
	}
	return &UTF8Font{def: def, parsed: utf}, nil
}

// AddUTF8FontParsed adds a parsed UTF-8 font to the document under a family
// and style, like AddUTF8FontFromBytes but without parsing it again.
func (f *Fpdf) AddUTF8FontParsed(familyStr, styleStr string, font *UTF8Font) {
	if f.err != nil {
		return
	}
	familyStr = fontFamilyEscape(familyStr)
	key := getFontKey(familyStr, styleStr)
	if _, ok := f.fonts[key]; ok {
		return
	}
	def := font.def
	def.Name = key
	// The resource name: unique per font and key, like upstream's hash of
	// the whole definition but without encoding the width table again.
	def.i = fmt.Sprintf("%x", sha1.Sum([]byte(font.def.i+"|"+key)))
	if f.aliasNbPagesStr == "" {
		def.usedRunes = makeSubsetRange(57)
	} else {
		def.usedRunes = makeSubsetRange(32)
	}
	def.utf8File = font.parsed.clone()
	f.fonts[key] = def
}

// cutCache holds what GenerateCutFont needs from the whole font and would
// otherwise parse again for every document: the cmap, the glyph offsets and
// the counts. It is read-only once built.
type cutCache struct {
	charSymbol   map[int]int
	symbolPos    []int
	locaFormat   int
	metricsCount int
	numSymbols   int
}

// prepareCut parses the tables GenerateCutFont reads and keeps them.
func (utf *utf8FontFile) prepareCut() error {
	utf.fileReader.readerPosition = 0
	utf.tableDescriptions = make(map[string]*tableDescription)
	utf.skip(4)
	utf.generateTableDescriptions()
	for _, t := range []string{"head", "hhea", "maxp", "loca", "glyf", "hmtx", "cmap"} {
		if utf.tableDescriptions[t] == nil {
			return fmt.Errorf("gofpdf: TrueType font has no %s table", t)
		}
	}
	c := &cutCache{}
	utf.SeekTable("head")
	utf.skip(50)
	c.locaFormat = utf.readUint16()
	utf.SeekTable("hhea")
	utf.skip(34)
	c.metricsCount = utf.readUint16()
	utf.SeekTable("maxp")
	utf.skip(4)
	c.numSymbols = utf.readUint16()
	if utf.generateCMAP() == nil {
		return fmt.Errorf("gofpdf: TrueType font has no Unicode cmap")
	}
	c.charSymbol = utf.charSymbolDictionary
	utf.parseLOCATable(c.locaFormat, c.numSymbols)
	c.symbolPos = utf.symbolPosition
	utf.cut = c
	return nil
}

// clone returns a copy of a parsed font for one document: it shares the
// font bytes and the read-only cut cache, and gets its own reader and the
// state GenerateCutFont writes.
func (utf *utf8FontFile) clone() *utf8FontFile {
	c := *utf
	c.fileReader = &fileReader{array: utf.fileReader.array}
	c.tableDescriptions = nil
	c.outTablesData = nil
	c.symbolPosition = nil
	c.charSymbolDictionary = nil
	c.symbolData = nil
	c.CodeSymbolDictionary = nil
	c.LastRune = 0
	return &c
}
