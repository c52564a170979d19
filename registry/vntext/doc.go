// Package vntext reads and writes Vietnamese text as the civil-status
// registers hold it. It is a leaf package: ingest, the store's search keys
// and the extract renderer all use it, and it imports nothing of the
// project.
//
// Decoding: Detect guesses a file's encoding from a sample (UTF-8 with or
// without BOM, NFC or NFD, UTF-16, Windows-1258, TCVN3 ".VnTime", VNI-Windows,
// VISCII) by scoring each reading for well-formed Vietnamese syllables;
// NewReader and Decode turn any of them into UTF-8 in NFC, Encode writes
// them (for the sample generator and the tests). RepairMojibake undoes UTF-8
// that was misread as CP1252, cell by cell, and never touches a correct
// cell.
//
// Normalising: Clean gives the display form (NFC, white space, Ð for Đ)
// keeping the register's tone-mark placement; TitleName title-cases names;
// CanonKey and FoldKey are the match keys (tone placement made canonical;
// folded to ASCII). ParseSyllable and Retone expose the syllable analysis
// behind them. SplitName splits names into họ, chữ đệm and tên, knowing the
// compound surnames.
//
// Dates: Date is a partial date (year, month or day precision, with an
// optional time of day); ParseDate reads every form of the batch format,
// written Vietnamese included, and explains why an impossible date is
// impossible. Words writes numbers and dates in words as extracts print
// them ("Ngày mười lăm, tháng sáu, năm hai nghìn không trăm hai mươi
// hai").
//
// Sorting: Collator, Sort and SortNames order text and name lists the
// Vietnamese way.
//
// Nothing in the package holds mutable state: its tables are built once at
// start-up and only read. No function panics on any input.
package vntext
