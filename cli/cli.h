/* Shared pieces of the gotrace CLI. The CLI uses only the public API
 * (gotrace.h); each command lives in cli/cmd_NAME.c. */
#ifndef GT_CLI_H
#define GT_CLI_H

#include <stdio.h>
#include <sys/types.h>

#include "gotrace.h"

/* Exit statuses, stable across versions. */
enum {
    CLI_EXIT_OK = 0,     /* success */
    CLI_EXIT_TRACE = 1,  /* the trace is broken, or a check failed */
    CLI_EXIT_USAGE = 2,  /* bad command line, or a file cannot be opened */
    CLI_EXIT_IO = 3      /* writing the output failed: it is incomplete */
};

int cmd_dump(int argc, char **argv);
int cmd_convert(int argc, char **argv);
int cmd_test(int argc, char **argv);
int cmd_validate(int argc, char **argv);
int cmd_goroutines(int argc, char **argv);
int cmd_tasks(int argc, char **argv);
int cmd_regions(int argc, char **argv);
int cmd_mmu(int argc, char **argv);
int cmd_pprof(int argc, char **argv);
int cmd_timeline(int argc, char **argv);
int cmd_perfetto(int argc, char **argv);  /* cli/cmd_perfetto.c */
int cmd_cut(int argc, char **argv);   /* cli/cmd_cut.c: cut and split */
int cmd_split(int argc, char **argv);
int cmd_summary(int argc, char **argv);
int cmd_sql(int argc, char **argv);     /* cli/cmd_sql.c */
int cmd_export(int argc, char **argv);  /* cli/cmd_export.c */
int cmd_report(int argc, char **argv);   /* cli/cmd_report.c */

/* dump's modes (cli/dump_wire.c, cli/dump_parsed.c). */
int dump_wire(const char *path, FILE *out);
int dump_footprint(const char *path, FILE *out);
/* only_goroutine: NULL for every event, else only the events of that
 * goroutine (cli/dump_parsed.c says which); from, to: only the events of
 * that window, ns from the trace start (0, INT64_MAX: all). */
int dump_parsed(const char *path, FILE *out, const int64_t *only_goroutine, int64_t from, int64_t to);

/* Prints "gotrace CMD: MESSAGE" and a hint to stderr; returns CLI_EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Prints a trace error for path to stderr as
 * "gotrace: PATH: MESSAGE (offset N)" and returns CLI_EXIT_TRACE. */
int cli_trace_error(const char *path, const gt_error *err);
/* *dst = *src with a copy of src's message that lives until the process
 * exits: for an error reported after its reader is freed (a reader's error
 * message lives only as long as the reader, gotrace.h). */
void cli_error_keep(gt_error *dst, const gt_error *src);
/* Sets *err to code with a static message (no offset, line, generation). */
void cli_error_static(gt_error *err, gt_errcode code, const char *message);

/* Whether argv holds -h, -help or --help (before a "--"). */
int cli_wants_help(int argc, char **argv);

/* ------------------------------------------------------------- options
 *
 * One parser for every command's options (cli/options.c). Each option may
 * be written --name or -name (Go's flag package's single dash), and an
 * option that takes a value --name=VALUE, -name=VALUE, --name VALUE or
 * -name VALUE (the next argument is the value whatever it looks like, as in
 * Go). A one-letter name gives -o too. "-" alone is an argument (standard
 * input); after "--" every argument is one. An unknown option, a value given
 * to an option that takes none, and a missing value are usage errors,
 * printed by the parser:
 *
 *     enum { OPT_JSON = 1, OPT_NAME };
 *     static const cli_option opts[] = {{"json", 0, OPT_JSON}, {"name", 1, OPT_NAME}, {NULL, 0, 0}};
 *     cli_args a;
 *     cli_args_init(&a, "goroutines", argc, argv);
 *     for (int id; (id = cli_next_option(&a, opts)) != CLI_OPT_END;)
 *         switch (id) {
 *         case OPT_JSON: json = 1; break;
 *         case OPT_NAME: name = a.value; break;
 *         default: return CLI_EXIT_USAGE;   // CLI_OPT_ERROR: message printed
 *         }
 *     if (a.npos != 1) return cli_usage_error(...);   // a.pos[0] is FILE
 *
 * Options that other options make meaningless are the command's to refuse
 * after the loop (cli_option_given), with a message naming both: never
 * silently ignored. -h / --help are handled before, by cli_wants_help. */
typedef struct cli_option {
    const char *name;  /* without dashes: "latmin" */
    int takes_value;
    int id;            /* returned by cli_next_option: 1 to 63 */
} cli_option;

enum { CLI_OPT_END = 0, CLI_OPT_ERROR = -1, CLI_MAX_POSITIONAL = 1024 };  /* export: many traces */

typedef struct cli_args {
    const char *cmd;
    int argc;
    char **argv;
    int next;                /* the next argument to read */
    int only_positional;     /* after "--" */
    const char *value;       /* the value of the option just returned (NULL: none) */
    char spelling[64];       /* that option as written, without "=VALUE" */
    const char *pos[CLI_MAX_POSITIONAL];  /* the arguments that are not options */
    int npos;
    unsigned long long given; /* bit id: that option was given */
} cli_args;

void cli_args_init(cli_args *a, const char *cmd, int argc, char **argv);
/* The next option's id (its value in a->value), CLI_OPT_END when every
 * argument has been read, or CLI_OPT_ERROR after printing a usage error. */
int cli_next_option(cli_args *a, const cli_option *opts);
/* Every command also accepts --quiet (no progress line on stderr; see
 * cli_progress_event): the parser handles it and does not return it. */

/* Every command also accepts --threads N (the parser handles it like
 * --quiet): how many threads read the trace, N >= 1; 0 is the default, as
 * when the option is absent. Any other value (negative, not a number, above
 * CLI_MAX_THREADS) is a usage error. The default is the library's,
 * gt_default_threads (gotrace.h): the online cores, at most
 * GT_DEFAULT_THREADS_CAP. */
enum { CLI_MAX_THREADS = 1024 };

/* Sets --threads from its value: decimal digits only (no sign, no
 * spaces), 0 to CLI_MAX_THREADS. 0, or -1 (nothing set) for anything else:
 * the caller prints CLI_THREADS_BAD (the option as written, the maximum,
 * the value). cli_next_option calls it; so does main for the option written
 * before the command (gotrace --threads N COMMAND ...). */
int cli_parse_threads(const char *value);
#define CLI_THREADS_BAD "option %s needs a whole number of threads from 1 to %d (0: the default), not '%s'"

/* The threads to read with: --threads N when given with N >= 1; else
 * gt_default_threads(): 0 when the environment sets GT_TEST_THREADS (the
 * library's test hook: the reader's default applies, so that the suite
 * decides, see DEVELOPERS.md), else the online cores, at most
 * GT_DEFAULT_THREADS_CAP. */
int cli_threads(void);
/* The threads a command may keep busy besides the reader's (perfetto packs
 * its output on one when this is above 1): cli_threads(), or when that
 * leaves the choice to the test hook, the hook's value; at least 1. */
int cli_work_threads(void);

/* Every command opens its event reader with cli_input_reader (below) or
 * this, which call gt_reader_set_threads(cli_threads()) on the new reader
 * when that is not 0. Old-format traces (Go <= 1.21) are read on one thread
 * whatever it says (the library's rule); the wire reader (dump --wire,
 * convert) and the cutter (cut, split) have no threaded mode: --threads
 * changes nothing there. */
gt_reader *cli_reader_open_memory(const void *data, size_t len, gt_error *err);

/* Whether the option with this id was given. */
int cli_option_given(const cli_args *a, int id);
/* The one FILE argument into *path: 0, or CLI_EXIT_USAGE with the message
 * printed (missing, or more than one). */
int cli_one_file(const cli_args *a, const char **path);

/* Progress through a trace, to report what an error lost (cli/report.c). */
typedef struct cli_progress {
    uint64_t valid_bytes;  /* input bytes read when the Sync before the last arrived */
    uint64_t last_sync_bytes;  /* input bytes read when the last Sync arrived */
    uint64_t total_bytes;  /* the input's size (what was read, for a pipe) */
} cli_progress;

/* Call for every event read. It also shows progress on a large trace when
 * stderr is a terminal (cli/report.c says how), unless cli_set_quiet. */
void cli_progress_event(cli_progress *p, const gt_reader *r, const gt_event *ev);
/* --quiet: no progress line (cli_next_option calls it for every command). */
void cli_set_quiet(int quiet);
/* Call once reading has stopped, before freeing the reader. */
void cli_progress_finish(cli_progress *p, const gt_reader *r);
/* The same progress line for the commands that read wire events (dump
 * --wire, convert): bytes is gt_raw_bytes_read, fd the input's (its size,
 * for a regular file, is the total; for a compressed file, the bytes are
 * the compressed file's, cli_input_position). Call for every event,
 * and cli_progress_end once reading stops. */
void cli_progress_bytes(uint64_t bytes, int fd);
void cli_progress_end(void);
/* The progress line while an input is copied into a spool (cli_input_open
 * with spool set, for a pipe): done bytes of the input
 * consumed, of total (0 when unknown: a pipe). The same rules (size above
 * about 50 MB, a terminal, no --quiet); the line names what is done
 * ("buffering the input"). Call cli_progress_end when the copy ends. */
void cli_progress_spool(uint64_t done, uint64_t total);

/* After a reader error: prints to stderr, as go tool trace does,
 * "gotrace: PATH: Lost P% of the latest trace data due to error (A of B)". */
void cli_report_loss(const char *path, const cli_progress *p);

/* The exit status of a command that read the trace at path into an output
 * (cli/report.c), from what went wrong first, with its message on stderr:
 * a failed write (write_rc, already printed: CLI_EXIT_IO), no memory
 * ("gotrace CMD: out of memory", CLI_EXIT_TRACE), the reader not opening
 * (open_err not NULL: that error, and what the input on in_fd looks like),
 * the reading's error (read_err not NULL: gt_reader_error, a raw reader's
 * or the cutter's) and, with progress, what it lost. CLI_EXIT_OK when
 * nothing did. */
int cli_end_status(const char *cmd, const char *path, int write_rc, int no_memory, const gt_error *open_err,
                   int in_fd, const gt_error *read_err, const cli_progress *progress);

/* ------------------------------------------------------ checked output
 *
 * The CLI never loses output silently. Every write is checked; the first
 * failure (disk full, a closed pipe with SIGPIPE ignored, ...) prints
 * "gotrace: write error: REASON" once on stderr, the command stops reading
 * its input, and the exit status is CLI_EXIT_IO, whatever else happened.
 *
 * Standard output: main() flushes and closes it after every command
 * (cli_finish_stdout), so a command that only prints its results at the end
 * needs nothing more. A command that writes while it reads (one line per
 * event, say) checks after each batch of writes and stops at the first
 * failure; the check tests a flag, it costs no system call:
 *
 *     while ((n = gt_reader_next_batch(r, evs, BATCH)) > 0) {
 *         ... write the n events to out ...
 *         if ((rc = cli_write_check(out)) != 0)
 *             break;           // rc is CLI_EXIT_IO, the message printed
 *     }
 *
 * Files named on the command line (OUT, -o OUT): cli_output_open, write to
 * o.f (checking as above), then cli_output_close; cli_output_abort on any
 * other failure. The output goes to a temporary file beside OUT, renamed
 * over it only when complete, so OUT is never half written and the input is
 * never truncated; input and output being the same file is refused. */

/* 0 while no write to f has failed; otherwise prints the write error (once)
 * and returns CLI_EXIT_IO. */
int cli_write_check(FILE *f);

/* Prints "gotrace: write error: strerror(errnum)" unless a write error was
 * already printed; returns CLI_EXIT_IO. */
int cli_write_error(int errnum);

/* Flushes and closes standard output (main calls it after the command).
 * Returns CLI_EXIT_IO (message printed) when that or any earlier write to
 * stdout failed, rc otherwise. */
int cli_finish_stdout(int rc);

typedef struct cli_output {
    FILE *f;          /* write here */
    const char *path; /* as given; "-" is standard output */
    char *target;     /* the file the temporary replaces (symlinks followed) */
    char *tmp;        /* the temporary beside target; NULL when writing directly */
} cli_output;

/* Opens path for writing; "-" is standard output, and an existing file that
 * is not a regular file (/dev/null, a FIFO) is written directly. Refuses
 * when path, or standard output for "-", is the same regular file (device
 * and inode: through symlinks and hard links) as input ("-" = standard
 * input; NULL when there is none). The temporary is removed by
 * cli_output_close on failure, cli_output_abort, and SIGINT, SIGTERM or
 * SIGHUP. Returns 0, or CLI_EXIT_USAGE with a message for cmd. */
int cli_output_open(cli_output *o, const char *cmd, const char *path, const char *input);

/* Flushes and closes o.f (not stdout, which main closes) and renames the
 * temporary over the target. Returns 0, or CLI_EXIT_IO with the write error
 * printed (the temporary removed, the target untouched). */
int cli_output_close(cli_output *o);

/* Closes o.f and removes the temporary: the target is left as it was. */
void cli_output_abort(cli_output *o);

/* ------------------------------------------------------------- input
 *
 * Every command opens its trace with cli_input_open and reads it with
 * cli_input_reader (gt_reader) or cli_input_raw (gt_raw_reader). The
 * input's first bytes tell its format: gzip (1f 8b) and zstd (28 b5 2f fd)
 * input, file or pipe, is decompressed as it is read, on demand, in the
 * thread that reads it: a gt_source whose read callback inflates (zlib) or
 * decompresses (libzstd) into the reader's buffer (cli/decode.c, fixed
 * buffers). No thread, no pipe, and no spool file unless a command must
 * read a pipe twice. The library never sees compression. */

enum { CLI_INPUT_PLAIN = 0, CLI_INPUT_GZIP, CLI_INPUT_ZSTD };
enum { CLI_INPUT_HEAD = 64 };

typedef struct cli_decode_source cli_decode_source;

typedef struct cli_input {
    int fd;       /* the input (file, standard input) or a spool; with dsrc, what dsrc reads */
    int spooled;  /* fd is a spool */
    int owned;    /* fd is to be closed */
    /* Not NULL: the trace is read through source (a compressed input, or a
     * plain one that is not a regular file, whose first bytes, read to tell
     * the format, it gives back first). source.close is NULL: the source
     * lives until cli_input_close, so a reader may be freed and the input
     * rewound. */
    cli_decode_source *dsrc;
    gt_source source;
    /* The rest is cli_input's own. */
    const char *path;
    int format;   /* CLI_INPUT_*: what the input holds */
    unsigned char head[CLI_INPUT_HEAD];     /* the input's first bytes */
    size_t head_len;
    unsigned char decoded[CLI_INPUT_HEAD];  /* the first decompressed bytes (spooled) */
    size_t decoded_len;
    int failed;   /* decompression failed: message printed, status 1 */
} cli_input;

/* Opens path ("-" = standard input). A regular file holding a plain trace
 * is read in place (by descriptor: the reader reads it lazily, by offset).
 * A compressed regular file is decompressed as it is read, and
 * cli_input_rewind starts the decompression again from the file's start.
 * Other input (pipe, FIFO, process substitution, terminal), plain or
 * compressed, is read as it comes, forward only, and cli_input_rewind then
 * fails; unless spool is set (a command that reads twice): then its
 * decoding is first copied to a spool file in $TMPDIR (default /tmp),
 * unlinked as soon as it is created (with SIGINT, SIGTERM and SIGHUP
 * blocked in between), so it never outlives the command, however that
 * ends. Returns 0, or CLI_EXIT_USAGE with a message for cmd (or
 * CLI_EXIT_TRACE when decompressing into the spool failed). */
int cli_input_open(cli_input *in, const char *cmd, const char *path, int spool);

/* A reader of the open input: gt_reader_open_fd or gt_reader_open_source
 * (in->source), as cli_input_open decided, with cli_threads() threads. Free it before cli_input_rewind
 * or cli_input_close. */
gt_reader *cli_input_reader(cli_input *in, gt_error *err);
/* The same for the wire-level reader (gotrace/raw.h). */
struct gt_raw_reader;
struct gt_raw_reader *cli_input_raw(cli_input *in, gt_error *err);

/* Reads up to cap bytes of the (decompressed) input, fewer only at its end:
 * >= 0, or -1 with errno. For a command that looks at the start before
 * choosing a reader (convert). */
ssize_t cli_input_read(cli_input *in, void *buf, size_t cap);
/* Gives back the len bytes that the only cli_input_read so far returned, so
 * that a reader opened next reads them first: 0, or -1 with errno. */
int cli_input_unread(cli_input *in, const void *buf, size_t len);

/* Moves back to the start for another pass: 0, or -1 when the input cannot
 * be read again (a pipe that was not spooled). */
int cli_input_rewind(cli_input *in);

/* Closes the input. Returns 0, or CLI_EXIT_TRACE after printing
 * "gotrace: PATH: gzip: REASON" when decompression failed (corrupt or
 * truncated data: the trace read was cut short there). */
int cli_input_close(cli_input *in);

/* After a reader failed to open the trace of the open input whose fd is fd:
 * when err says the data is not a Go trace, prints on stderr what the input
 * looks like ("gotrace: PATH: empty file", "... this is a text file, not a
 * Go execution trace", "... this is gzip data that is not a trace: it holds
 * binary data"). Nothing for another error or an unknown fd. */
void cli_input_explain(int fd, const gt_error *err);

/* For progress: how far the decompression has read the compressed regular
 * file it reads (bytes consumed, file size). 0, or -1 when no such input
 * is open (*done and *total untouched). */
int cli_input_position(uint64_t *done, uint64_t *total);

/* cli/decode.c, for cli_input. */
int cli_sniff_format(const unsigned char *h, size_t n);
const char *cli_format_name(int format);
void cli_describe(char *buf, size_t cap, int format, const unsigned char *raw, size_t raw_len,
                  const unsigned char *decoded, size_t decoded_len);
/* A source (filled into *src, close NULL) that reads format's decoding of
 * prefix then fd (PLAIN: a copy), on demand in the calling thread. Decoding
 * stops at bad or truncated data or a read error: read then returns 0 (the
 * trace ends there) and cli_decode_source_error gives the message. With
 * progress set, every read from fd shows the progress line
 * (cli_progress_spool) over the bytes consumed. NULL with errno. */
cli_decode_source *cli_decode_source_new(int format, int fd, const unsigned char *prefix, size_t prefix_len,
                                         int progress, gt_source *src);
/* Back to the start: fd is a regular file, read again from offset 0 by a
 * fresh decoder (a failure already recorded stays). 0, or -1. */
int cli_decode_source_restart(cli_decode_source *d);
/* The next reads give a copy of buf first (after every earlier unread
 * byte has been read). 0, or -1 (no memory). */
int cli_decode_source_unread(cli_decode_source *d, const void *buf, size_t len);
/* "gzip: REASON" (or zstd, or "read error: ..."), or NULL when none. */
const char *cli_decode_source_error(const cli_decode_source *d);
/* The first decoded bytes read so far (up to cap): for cli_input_explain. */
size_t cli_decode_source_head(const cli_decode_source *d, unsigned char *buf, size_t cap);
void cli_decode_source_free(cli_decode_source *d);
ssize_t cli_read_head(int fd, unsigned char *buf, size_t cap);

/* cli_output_open(out, cmd, out_path, in_path), then cli_input_open(in,
 * cmd, in_path, spool): the output first, so that a refusal or a file that
 * cannot be created is reported before the input is read. 0, or the exit
 * status of the failure with neither left open. */
int cli_open_in_out(cli_input *in, cli_output *out, const char *cmd, const char *in_path, const char *out_path,
                    int spool);

/* Reads all of path ("-" = stdin) into a malloc'd buffer. Returns 0, or -1
 * with a message printed. */
int cli_read_all(const char *cmd, const char *path, unsigned char **data, size_t *len);

#endif
