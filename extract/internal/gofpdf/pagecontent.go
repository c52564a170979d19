package gofpdf

// This file is not upstream.

// PageContent returns a copy of the content stream written so far for the
// current page, uncompressed, as Output will write it (the document sets no
// alias for the page count). A caller can hash what a page shows before
// drawing something that depends on the hash.
func (f *Fpdf) PageContent() []byte {
	if f.page < 1 || f.page >= len(f.pages) || f.pages[f.page] == nil {
		return nil
	}
	return append([]byte(nil), f.pages[f.page].Bytes()...)
}
