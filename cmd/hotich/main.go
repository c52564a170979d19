// Command hotich ingests, deduplicates, extracts and exports the digitised
// civil-status registers of Ho Chi Minh City. Run "hotich help" for the
// subcommands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"os/signal"
	"runtime/pprof"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/hotich/hotich/exchange"
	"github.com/hotich/hotich/issuing"
	"github.com/hotich/hotich/registry"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	stopProfile := startProfile(os.Getenv("HOTICH_CPUPROFILE"))
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv)
	stopProfile()
	stop()
	os.Exit(exitCode(err, os.Stderr))
}

// startProfile writes a CPU profile to path (HOTICH_CPUPROFILE), for
// measuring the bulk paths on real data; "" does nothing.
func startProfile(path string) func() {
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err != nil {
		fmt.Fprintf(os.Stderr, "hotich: cpu profile: %v\n", err)
		return func() {}
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		fmt.Fprintf(os.Stderr, "hotich: cpu profile: %v\n", err)
		f.Close()
		return func() {}
	}
	return func() { pprof.StopCPUProfile(); f.Close() }
}

// env is what every subcommand gets from the process: its streams, its
// environment, a clock and a logger. Tests build one with buffers.
type env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
	now    func() time.Time
	log    *slog.Logger
}

// command is one subcommand: its one-line summary for "hotich help" and the
// function that parses its flags and runs it.
type command struct {
	summary string
	run     func(ctx context.Context, e *env, args []string) error
}

// commands lists the subcommands. Each lives in its own file with its own
// flag.FlagSet and usage text.
var commands = map[string]command{}

func register(name, summary string, run func(ctx context.Context, e *env, args []string) error) {
	commands[name] = command{summary: summary, run: run}
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) error {
	return runAt(ctx, time.Time{}, args, stdin, stdout, stderr, getenv)
}

// runAt is run with the clock stopped at now (tests), or the real clock
// when now is zero.
func runAt(ctx context.Context, now time.Time, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) error {
	clock := time.Now
	if !now.IsZero() {
		clock = func() time.Time { return now }
	}
	level := slog.LevelInfo
	switch strings.ToLower(getenv("HOTICH_LOG")) {
	case "debug":
		level = slog.LevelDebug
	case "warn":
		level = slog.LevelWarn
	case "error":
		level = slog.LevelError
	}
	e := &env{
		stdin:  stdin,
		stdout: stdout,
		stderr: stderr,
		getenv: getenv,
		now:    clock,
		log:    slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level})),
	}
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		if len(args) > 1 {
			c, ok := commands[args[1]]
			if !ok {
				printUsage(stderr)
				return usageError(fmt.Sprintf("help: unknown subcommand %q", args[1]))
			}
			return c.run(ctx, e, []string{"-h"})
		}
		printUsage(stdout)
		if len(args) == 0 {
			return usageError("no subcommand given")
		}
		return nil
	}
	c, ok := commands[args[0]]
	if !ok {
		printUsage(stderr)
		return usageError(fmt.Sprintf("unknown subcommand %q", args[0]))
	}
	return c.run(ctx, e, args[1:])
}

func printUsage(w io.Writer) {
	fmt.Fprintf(w, "hotich: civil-status registers of Ho Chi Minh City\n\nUsage:\n\n\thotich <command> [arguments]\n\nCommands:\n\n")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "\t%-10s %s\n", n, commands[n].summary)
	}
	fmt.Fprintf(w, "\nRun \"hotich help <command>\" for a command's flags and examples.\n"+
		"The store is hotich.db in the current directory unless --db or HOTICH_DB says otherwise.\n")
}

// usageError is a mistake in the command line; it exits with status 2.
type usageError string

func (e usageError) Error() string { return string(e) }

// newFlagSet returns a FlagSet for a subcommand that prints the given usage
// text (with examples) on -h and on a flag error.
func newFlagSet(e *env, name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "%s\n\nFlags:\n", strings.TrimSpace(usage))
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args, turning a flag error into a usageError.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError(err.Error())
	}
	return nil
}

// Exit statuses, as the README's table lists them.
const (
	exitOK           = 0
	exitFailure      = 1   // failed, or the input is not acceptable
	exitUsage        = 2   // a mistake in the command line
	exitRefused      = 3   // a rule forbids it without an override
	exitNotFound     = 4   // what was asked for does not exist
	exitBusy         = 5   // another process holds the store; try again
	exitUnverifiable = 6   // cannot be checked with what is at hand
	exitInterrupted  = 130 // stopped by SIGINT or SIGTERM
)

// exitCode reports err on w and maps it to the process exit status.
func exitCode(err error, w io.Writer) int {
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	var ue usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(w, "hotich: %s\n", ue)
		return exitUsage
	}
	if errors.Is(err, context.Canceled) {
		fmt.Fprintln(w, "hotich: đã dừng theo yêu cầu (interrupted)")
		return exitInterrupted
	}
	code := exitFailure
	switch registry.ErrorCode(err) {
	case registry.EREFUSED:
		code = exitRefused
	case registry.ENOTFOUND:
		code = exitNotFound
	case registry.EBUSY:
		code = exitBusy
	case registry.EUNVERIFIABLE:
		code = exitUnverifiable
	case registry.EINVALID, registry.ECONFLICT:
	default:
		fmt.Fprintf(w, "hotich: %s\n", explain(err))
		return exitFailure
	}
	msg := registry.ErrorMessage(err)
	if flag := fieldFlags[registry.ErrorField(err)]; flag != "" {
		msg += " (" + flag + ")"
	}
	fmt.Fprintf(w, "hotich: %s\n", msg)
	return code
}

// fieldFlags names the flag that gives each input the domain's errors
// name.
var fieldFlags = map[string]string{
	registry.FieldActor:     "--by",
	registry.FieldBasis:     "--basis",
	registry.FieldNote:      "--note",
	registry.FieldChoice:    "--value hoặc --pick",
	registry.FieldRequester: "--requester",
	registry.FieldIssuer:    "--issuer",
	registry.FieldOverride:  "--override",
	registry.FieldReason:    "--reason",
	issuing.FieldSigner:     "hotich keys signer",
	exchange.FieldForce:     "--force",
}

// explain says in Vietnamese what an error from the system or SQLite means
// and what to do, keeping the original text as detail for whoever fixes it.
func explain(err error) string {
	msg := err.Error()
	var what string
	switch {
	case errors.Is(err, fs.ErrPermission):
		what = "không có quyền đọc hoặc ghi tệp: kiểm tra quyền của tệp và thư mục, hoặc chạy bằng tài khoản được phép"
	case errors.Is(err, fs.ErrNotExist):
		what = "không tìm thấy tệp hoặc thư mục: kiểm tra lại đường dẫn"
	case errors.Is(err, syscall.ENOSPC) || strings.Contains(msg, "database or disk is full"):
		what = "hết chỗ trống trên đĩa: giải phóng chỗ trống rồi chạy lại lệnh (phần đã ghi được giữ nguyên)"
	case strings.Contains(msg, "database disk image is malformed") || strings.Contains(msg, "file is not a database"):
		what = "kho dữ liệu bị hỏng: chạy hotich check để xem phạm vi hư hỏng và khôi phục từ bản sao lưu (hotich restore)"
	case strings.Contains(msg, "database is locked"):
		what = "kho dữ liệu đang bận ghi quá lâu: chờ vài phút rồi thử lại"
	case strings.Contains(msg, "disk I/O error"):
		what = "lỗi đọc ghi đĩa: kiểm tra ổ đĩa rồi chạy lại lệnh"
	case strings.Contains(msg, "readonly database") || strings.Contains(msg, "read-only file system"):
		what = "kho dữ liệu chỉ cho phép đọc: kiểm tra quyền ghi của tệp kho và thư mục chứa nó"
	default:
		what = "lỗi hệ thống, vui lòng báo cho quản trị viên"
	}
	return what + " (chi tiết: " + msg + ")"
}
