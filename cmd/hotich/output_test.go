package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestTermSafe(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Nguyễn Văn An\tKS\n", "Nguyễn Văn An\tKS\n"},
		{"\x1b]0;owned\x07Lê\x1b[2J", `\x1b]0;owned\x07Lê\x1b[2J`},
		{"a\rb\x7f", `a\x0db\x7f`},
		{"csi\u009b31m", `csi\u009b31m`},
		{"evil\u202etxt.exe", `evil\u202etxt.exe`},
		{"bad\xffbyte", `bad\xffbyte`},
	} {
		var buf bytes.Buffer
		w := termSafe(&buf)
		// Byte by byte: multi-byte characters split across writes.
		for i := 0; i < len(tc.in); i++ {
			if n, err := w.Write([]byte{tc.in[i]}); n != 1 || err != nil {
				t.Fatalf("Write = %d, %v", n, err)
			}
		}
		if buf.String() != tc.want {
			t.Errorf("termSafe(%q) = %q, want %q", tc.in, buf.String(), tc.want)
		}
	}
}

func TestHelpAndVersion(t *testing.T) {
	if _, errOut, code := cli(t, nil, "help", "nosuch"); code != exitUsage || !strings.Contains(errOut, "nosuch") {
		t.Errorf("help nosuch: exit %d\n%s", code, errOut)
	}
	if _, _, code := cli(t, nil, "help", "search"); code != exitOK {
		t.Errorf("help search: exit %d", code)
	}
	if out, _, code := cli(t, nil, "version"); code != exitOK || !strings.HasPrefix(out, "hotich ") || !strings.Contains(out, "go1.") {
		t.Errorf("version: exit %d %q", code, out)
	}
}
