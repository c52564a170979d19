package vntext

import (
	"errors"
	"fmt"
	"strings"

	"golang.org/x/text/unicode/norm"
)

// Encoding names a text encoding that ward exports arrive in.
type Encoding uint8

// The encodings. Unknown means "not known yet": Detect decides.
const (
	Unknown Encoding = iota
	UTF8             // UTF-8, with or without BOM, NFC or NFD
	UTF16LE          // UTF-16 little-endian; a BOM overrides the byte order
	UTF16BE          // UTF-16 big-endian; a BOM overrides the byte order
	CP1258           // Windows-1258: base letters and combining tone bytes
	TCVN3            // TCVN 5712:1993 VN3, the ".VnTime" (ABC) fonts
	VNI              // VNI-Windows: base letter followed by a mark byte
	VISCII           // VISCII 1.1: every letter one byte, six at C0 codes
	numEncodings
)

var encodingNames = [numEncodings]string{"unknown", "utf8", "utf16le", "utf16be", "cp1258", "tcvn3", "vni", "viscii"}

// String returns the canonical name of e: "utf8", "utf16le", "utf16be",
// "cp1258", "tcvn3", "vni", "viscii", or "unknown".
func (e Encoding) String() string {
	if e < numEncodings {
		return encodingNames[e]
	}
	return fmt.Sprintf("Encoding(%d)", uint8(e))
}

// Legacy reports whether e is one of the pre-Unicode Vietnamese encodings.
func (e Encoding) Legacy() bool {
	return e == CP1258 || e == TCVN3 || e == VNI || e == VISCII
}

// encodingAliases maps names, lower-cased and stripped of "-", "_", ".",
// and spaces, to encodings.
var encodingAliases = map[string]Encoding{
	"auto": Unknown, "": Unknown, "unknown": Unknown,
	"utf8": UTF8, "utf8bom": UTF8, "utf8sig": UTF8, "unicode": UTF8,
	"utf16": UTF16LE, "utf16le": UTF16LE, "ucs2": UTF16LE, "ucs2le": UTF16LE, "utf16be": UTF16BE, "ucs2be": UTF16BE,
	"cp1258": CP1258, "windows1258": CP1258, "win1258": CP1258, "wincp1258": CP1258, "1258": CP1258, "mscp1258": CP1258,
	"tcvn3": TCVN3, "tcvn": TCVN3, "abc": TCVN3, "tcvn5712": TCVN3, "tcvn57121": TCVN3, "tcvn571993": TCVN3, "tcvn57121993": TCVN3,
	"vn3": TCVN3, "vntime": TCVN3, "vntimeh": TCVN3,
	"vni": VNI, "vniwindows": VNI, "vniwin": VNI, "vnitimes": VNI,
	"viscii": VISCII, "viscii11": VISCII,
}

// ParseEncoding parses an encoding name as operators type it: the names
// String returns and aliases such as "utf-8", "utf16" (little-endian unless
// a BOM says otherwise), "windows-1258", "tcvn", "abc", "vni-windows",
// "viscii". "auto" and "" give Unknown, meaning "detect".
func ParseEncoding(name string) (Encoding, error) {
	key := strings.Map(func(r rune) rune {
		switch r {
		case '-', '_', '.', ' ':
			return -1
		}
		return r
	}, strings.ToLower(strings.TrimSpace(name)))
	if e, ok := encodingAliases[key]; ok {
		return e, nil
	}
	return Unknown, fmt.Errorf("vntext: unknown encoding %q (want auto, utf8, utf16, utf16le, utf16be, cp1258, tcvn3, vni or viscii)", name)
}

// ErrUnknownEncoding is returned by Decode, Encode and NewReader's reads for
// an Encoding value that names no encoding (Unknown included: detect first).
var ErrUnknownEncoding = errors.New("vntext: unknown encoding")

// Decode decodes b, a whole document in encoding e, to UTF-8 in NFC. A
// UTF-8 or UTF-16 BOM is removed. Bytes that are not valid in e become
// U+FFFD; the error is only for an unknown e. The TCVN3 decoder restores
// the case of upper-case toned letters stored with their lower-case codes in
// words that are otherwise upper case ("NGUYÔN" reads "NGUYỄN").
func Decode(e Encoding, b []byte) (string, error) {
	d := decoderFor(e)
	if d == nil {
		return "", fmt.Errorf("decode %v: %w", e, ErrUnknownEncoding)
	}
	if e == UTF16LE || e == UTF16BE {
		u, err := utf16ToUTF8(e, b)
		if err != nil {
			return "", err
		}
		b = u
	}
	if e == UTF8 || e == UTF16LE || e == UTF16BE {
		b = trimUTF8BOM(b)
	}
	return string(d(make([]byte, 0, len(b)+len(b)/4), b)), nil
}

// chunkDecoder appends the NFC UTF-8 decoding of src to dst. src is a
// complete chunk: the whole input or a part ending just after a line feed,
// so that no character, VNI letter or combining sequence straddles two
// chunks.
type chunkDecoder func(dst, src []byte) []byte

// decoderFor returns the chunk decoder of e; UTF-16 input reaches its
// decoder already turned into UTF-8.
func decoderFor(e Encoding) chunkDecoder {
	switch e {
	case UTF8, UTF16LE, UTF16BE:
		return decodeUTF8
	case CP1258:
		return cp1258Table.decode
	case TCVN3:
		return decodeTCVN3
	case VNI:
		return decodeVNI
	case VISCII:
		return visciiTable.decode
	}
	return nil
}

// EncodeError reports a character that an encoding cannot represent.
type EncodeError struct {
	Encoding Encoding
	Rune     rune
	Offset   int // byte offset of the rune in the NFC input
}

// Error implements error.
func (e *EncodeError) Error() string {
	return fmt.Sprintf("vntext: %v cannot encode %q (U+%04X) at offset %d", e.Encoding, e.Rune, e.Rune, e.Offset)
}

// Encode encodes s, UTF-8 in NFC or NFD, into e, as the sample generator and
// the tests need. UTF-8 output is NFC; UTF-16 output starts with a BOM. The
// legacy encoders write what the era's tools wrote: CP1258 a precomposed
// letter where the code page has one, else a base letter and a tone byte;
// TCVN3 upper-case toned letters with their lower-case codes, as .VnTimeH
// files do; VNI a base letter and a mark byte (upper-case marks after
// upper-case letters). A character e cannot represent gives an
// *EncodeError.
func Encode(e Encoding, s string) ([]byte, error) {
	s = norm.NFC.String(s)
	switch e {
	case UTF8:
		return []byte(s), nil
	case UTF16LE, UTF16BE:
		return encodeUTF16(e, s)
	case CP1258:
		return encodeCP1258(s)
	case TCVN3:
		return tcvn3Encoder.encode(TCVN3, s)
	case VNI:
		return encodeVNI(s)
	case VISCII:
		return visciiEncoder.encode(VISCII, s)
	}
	return nil, fmt.Errorf("encode %v: %w", e, ErrUnknownEncoding)
}
