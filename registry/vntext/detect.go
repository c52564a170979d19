package vntext

import (
	"bytes"
	"math"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Detection is what Detect found out about a file's encoding.
type Detection struct {
	Encoding   Encoding // the best candidate
	Confidence float64  // 0..1: how sure the choice is
	BOM        bool     // the sample starts with a UTF-8 or UTF-16 BOM
	NFD        bool     // UTF-8 text not in NFC (typically decomposed)
	Words      int      // words with non-ASCII letters the choice rests on
	Valid      float64  // share of those that are Vietnamese syllables when read as Encoding
	RunnerUp   Encoding // the second-best candidate, Unknown if none
	Invalid    int      // for UTF8: bytes of the sample that are not valid UTF-8 (they read as U+FFFD)
}

// detectOrder lists the candidates, most common first: it breaks ties.
var detectOrder = [...]Encoding{UTF8, CP1258, TCVN3, VNI, VISCII}

// Detect guesses the encoding of a file from its first bytes (up to about
// 64 KiB; the sample may end in the middle of a character). A BOM decides
// at once; ASCII is UTF8 with confidence 1. Otherwise the sample is decoded
// with every candidate and each reading scored: the share of words with
// non-ASCII letters that are well-formed Vietnamese syllables (onset,
// rhyme, one tone that suits the coda), less penalties for replacement
// characters, control characters, C1 codes and symbols glued to letters;
// valid multi-byte UTF-8 earns a bonus. The best reading wins; the margin
// over the runner-up and the share of valid words give the confidence. A
// 20-row batch or a column of a few names among digits is enough.
func Detect(sample []byte) Detection {
	switch {
	case bytes.HasPrefix(sample, utf8BOM):
		return Detection{Encoding: UTF8, Confidence: 1, BOM: true, NFD: !norm.NFC.IsNormal(validPrefix(sample[3:]))}
	case bytes.HasPrefix(sample, []byte{0xFF, 0xFE}):
		return Detection{Encoding: UTF16LE, Confidence: 1, BOM: true}
	case bytes.HasPrefix(sample, []byte{0xFE, 0xFF}):
		return Detection{Encoding: UTF16BE, Confidence: 1, BOM: true}
	}
	if e, ok := utf16WithoutBOM(sample); ok {
		return Detection{Encoding: e, Confidence: 0.9}
	}
	if isASCIIBytes(sample) {
		return Detection{Encoding: UTF8, Confidence: 1}
	}
	// Text in a legacy encoding is never long valid UTF-8: its high bytes
	// do not fall into lead and continuation patterns dozens of times in a
	// row. Most files are UTF-8, and scoring five readings of them is the
	// costly part of detection, so such a sample is settled here.
	v := validPrefix(sample)
	if utf8.Valid(v) {
		if k := multiByte(v); k >= utf8FastPath {
			return Detection{Encoding: UTF8, Confidence: 1 - math.Exp2(-float64(k)), NFD: !norm.NFC.IsNormal(v)}
		}
	} else if k, bad := utf8Counts(v); k >= utf8FastPath && bad*utf8StrayRatio <= k {
		// UTF-8 but for a few stray bytes (a Latin-1 "é" typed into one
		// cell): legacy text is never long runs of valid sequences with a
		// rare invalid byte among them. The stray bytes decode as U+FFFD,
		// which the cells holding them show.
		return Detection{Encoding: UTF8, Confidence: (1 - math.Exp2(-float64(k))) * (1 - float64(bad)/float64(k)),
			NFD: !norm.NFC.IsNormal(bytes.ToValidUTF8(v, nil)), Invalid: bad}
	}
	sample = trimSample(sample)
	var scores [numEncodings]textScore
	var buf []byte
	for _, e := range detectOrder {
		if e == UTF8 {
			// Invalid bytes read as U+FFFD, which scoreText counts against
			// the reading; valid sequences count for it.
			v := validPrefix(sample)
			k, _ := utf8Counts(v)
			buf = decodeUTF8(buf[:0], v)
			scores[e] = scoreText(buf)
			scores[e].score += 0.5 * float64(k)
			continue
		}
		buf = decoderFor(e)(buf[:0], sample)
		scores[e] = scoreText(buf)
	}
	best, second := Unknown, Unknown
	for _, e := range detectOrder {
		switch {
		case best == Unknown || scores[e].score > scores[best].score:
			best, second = e, best
		case second == Unknown || scores[e].score > scores[second].score:
			second = e
		}
	}
	d := Detection{Encoding: best, RunnerUp: second, Words: scores[best].words}
	if best == UTF8 {
		d.NFD = !norm.NFC.IsNormal(bytes.ToValidUTF8(validPrefix(sample), nil))
	}
	if d.Words > 0 {
		d.Valid = float64(scores[best].valid) / float64(d.Words)
	}
	margin := scores[best].score - scores[second].score
	switch {
	case math.IsInf(margin, 1):
		margin = 10
	case math.IsNaN(margin):
		margin = 0
	}
	if d.Words == 0 {
		d.Confidence = 0.5 * (1 - math.Exp(-margin))
	} else {
		d.Confidence = d.Valid * (1 - math.Exp(-margin/2))
	}
	if best == UTF8 {
		k, bad := utf8Counts(validPrefix(sample))
		if bad == 0 {
			d.Confidence = math.Max(d.Confidence, 1-math.Exp2(-float64(k)))
		}
		d.Invalid = bad
	}
	return d
}

// utf8FastPath is how many multi-byte UTF-8 characters settle a valid
// UTF-8 sample without scoring the other readings; utf8StrayRatio is how
// many of them it takes per invalid byte for a sample to be UTF-8 with
// stray bytes.
const (
	utf8FastPath   = 32
	utf8StrayRatio = 20
)

// utf8Counts counts the valid multi-byte sequences of b and its bytes that
// are not valid UTF-8.
func utf8Counts(b []byte) (multi, invalid int) {
	for i := 0; i < len(b); {
		c := b[i]
		if c < utf8.RuneSelf {
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			invalid++
		} else {
			multi++
		}
		i += n
	}
	return multi, invalid
}

// textScore is how Vietnamese a decoded text looks.
type textScore struct {
	score        float64
	words, valid int
}

// scoreText scores a decoded sample: +1 per word with a non-ASCII letter
// that is a well-formed syllable (+0.5 more for a syllable common in names
// and places), -1 per other such word, and penalties for what no
// Vietnamese text holds: replacement and control characters, stray
// combining marks, symbols glued to letters, a capital after a small letter
// inside a word ("ThĂm" is VISCII read as TCVN3).
func scoreText(text []byte) textScore {
	var s textScore
	var bad, bonus float64
	wordStart, nonASCII, oddCase, prevLower := -1, false, false, false
	prevLetter := false
	prevSymbol := false
	var codeBuf [16]byte
	endWord := func(end int) {
		if wordStart >= 0 && nonASCII {
			s.words++
			if !oddCase && end-wordStart <= 32 {
				codes, tone, ok := wordCodesBytes(codeBuf[:0], text[wordStart:end])
				if ok {
					_, ok = parseCodes(codes, tone)
				}
				if ok {
					s.valid++
					if commonSyllables[string(append(codes, 0x80|byte(tone)))] {
						bonus += 0.5
					}
				}
			}
		}
		wordStart, nonASCII, oddCase, prevLower = -1, false, false, false
	}
	for i := 0; i < len(text) && s.words < maxScoredWords; {
		r, n := rune(text[i]), 1
		if r >= utf8.RuneSelf {
			r, n = utf8.DecodeRune(text[i:])
		}
		li, vn := vnLetter(r)
		letter := vn || r >= utf8.RuneSelf && unicode.IsLetter(r)
		if letter {
			if wordStart < 0 {
				wordStart = i
			}
			if r >= utf8.RuneSelf {
				nonASCII = true
			}
			if prevSymbol {
				bad += 0.5
			}
			upper := vn && li.upper || !vn && unicode.IsUpper(r)
			if upper && prevLower {
				oddCase = true
			}
			prevLower = !upper
		} else {
			endWord(i)
		}
		symbol := false
		switch {
		case r == utf8.RuneError:
			bad += 2
		case r < 0x20 && r != '\t' && r != '\n' && r != '\r', r == 0x7F:
			bad += 2
		case r >= 0x80 && r < 0xA0:
			bad += 2
		case r >= utf8.RuneSelf && !letter:
			if unicode.Is(unicode.Mn, r) {
				bad++ // a mark left over: nothing to put it on
			} else if !unicode.IsSpace(r) && !isCommonPunct(r) {
				symbol = true
				if prevLetter {
					bad += 0.5
				}
			}
		}
		prevLetter, prevSymbol = letter, symbol
		i += n
	}
	endWord(len(text))
	s.score = float64(s.valid) - float64(s.words-s.valid) - bad + bonus
	return s
}

// maxScoredWords bounds the words scoreText looks at: a few thousand
// decide any file.
const maxScoredWords = 3000

// commonSyllables are syllables with diacritics that fill name and place
// columns: the commonest surnames, middle and given names, and the words of
// addresses. A reading that produces them is likelier. The keys are letter
// codes followed by 0x80 + tone, whatever the case and tone placement.
var commonSyllables = func() map[string]bool {
	m := make(map[string]bool)
	add := func(w string) {
		codes, tone, ok := wordCodes(nil, w)
		if ok {
			m[string(append(codes, 0x80|byte(tone)))] = true
		}
	}
	for _, w := range strings.Fields(`nguyễn trần lê phạm hoàng huỳnh phan vũ võ đặng bùi đỗ hồ ngô
		dương lý đào đoàn trương lâm phùng tạ hà lưu châu thái lương từ
		văn thị hữu đức ngọc quốc xuân hoài phương bảo thùy mỹ diệu khánh đình
		công trọng nhật như bích cẩm hồng tường vĩnh hải thế thành phước phúc
		ánh tú tấn huệ uyên ái ý ngân yến quỳnh lệ diễm trường chí sỹ sĩ bá
		bình châu cường dũng đạt hà hạnh hằng hiền hiếu hòa hoà hùng hưng hương
		khải khôi kiên lộc lợi luân nghĩa nguyên nhân phát phú phụng phượng
		quân quyên quyết tài tâm tân thảo thắm thắng thịnh thủy thúy thuý thư
		tiến toàn trâm trí trọng trúc tùng tuyết vân việt xuân
		phường xã quận huyện tỉnh thành phố đường hẻm ấp bệnh viện số
		nữ ngày tháng năm giờ phút đăng ký khai sinh kết hôn tử của và
		bến nghé sài gòn đồng hồ chí tây bắc đông nội đà nẵng cần thơ huế
		quảng định khánh thuận dương tiền giang vĩnh kiên hậu sóc trăng bạc liêu
		cà mau lắk đắk nghệ tĩnh hưng hòa thọ phúc tuyên lào cai điện biên`) {
		add(w)
	}
	return m
}()

// isCommonPunct reports the non-ASCII punctuation that Vietnamese text of
// every encoding holds: curly quotes, dashes, ellipsis, NBSP.
func isCommonPunct(r rune) bool {
	switch r {
	case '‘', '’', '“', '”', '–', '—', '…', '\u00A0', '•', '«', '»', '°', '№':
		return true
	}
	return false
}

// utf16WithoutBOM recognises UTF-16 without a BOM by its NUL bytes: ASCII
// characters (digits, spaces, separators) leave a NUL in every other byte.
func utf16WithoutBOM(b []byte) (Encoding, bool) {
	if len(b) < 8 {
		return Unknown, false
	}
	var even, odd int
	n := len(b) &^ 1
	for i := 0; i < n; i += 2 {
		if b[i] == 0 {
			even++
		}
		if b[i+1] == 0 {
			odd++
		}
	}
	pairs := n / 2
	switch {
	case odd*10 >= pairs*3 && even*20 <= pairs:
		return UTF16LE, true
	case even*10 >= pairs*3 && odd*20 <= pairs:
		return UTF16BE, true
	}
	return Unknown, false
}

// trimSample cuts a large sample after its last line feed, dropping a last
// line that may stop in the middle of a character.
func trimSample(b []byte) []byte {
	if len(b) < 4096 {
		return b
	}
	if i := bytes.LastIndexByte(b, '\n'); i >= len(b)/2 {
		return b[:i+1]
	}
	return b
}

// validPrefix drops an incomplete UTF-8 sequence at the end of b.
func validPrefix(b []byte) []byte {
	for i := 1; i <= 3 && i <= len(b); i++ {
		c := b[len(b)-i]
		if c < 0x80 {
			return b
		}
		if c >= 0xC0 {
			if !utf8.FullRune(b[len(b)-i:]) {
				return b[:len(b)-i]
			}
			return b
		}
	}
	return b
}

// multiByte counts the multi-byte sequences of valid UTF-8.
func multiByte(b []byte) int {
	n := 0
	for _, c := range b {
		if c >= 0xC0 {
			n++
		}
	}
	return n
}

func isASCIIBytes(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
