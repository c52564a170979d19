package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"testing"
	"time"
)

// childEnv names the environment variable that turns the test binary into
// the hotich command: tests that must kill a real process (SIGKILL) start
// the test binary itself with the command line in this variable.
const childEnv = "HOTICH_TEST_CHILD_ARGS"

func TestMain(m *testing.M) {
	if args := os.Getenv(childEnv); args != "" {
		var a []string
		if err := json.Unmarshal([]byte(args), &a); err != nil {
			os.Stderr.WriteString("bad " + childEnv + ": " + err.Error() + "\n")
			os.Exit(2)
		}
		// Signals as main has them: a child stopped by SIGTERM ends the way
		// the real command does.
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		err := run(ctx, a, os.Stdin, os.Stdout, os.Stderr, os.Getenv)
		stop()
		os.Exit(exitCode(err, os.Stderr))
	}
	os.Exit(m.Run())
}

// testClock is the fixed time CLI tests run at.
var testClock = time.Date(2025, 6, 9, 8, 0, 0, 0, time.UTC)

// cli runs hotich in-process with the given arguments and environment
// (HOTICH_DB unset unless given) at the test clock, and returns its stdout,
// stderr and exit code.
func cli(tb testing.TB, envv map[string]string, args ...string) (stdout, stderr string, code int) {
	tb.Helper()
	var out, errb bytes.Buffer
	getenv := func(k string) string { return envv[k] }
	err := runAt(context.Background(), testClock, args, strings.NewReader(""), &out, &errb, getenv)
	code = exitCode(err, &errb)
	return out.String(), errb.String(), code
}
