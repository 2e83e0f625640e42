/* Hand-built trace scenarios for the reader: every way a P leaves or re-enters
 * a syscall, thread-ID reuse, goroutines created without a running G, tasks
 * and sequence numbers across generations, failures in the first generation.
 * Each is built with the public trace builder and carries its expected
 * outcome: success, or the exact error text Go 1.27's reader gives (checked
 * against Go itself by scripts/regen-scenarios.sh, which also keeps the
 * binaries and Go's parses in tests/data/scenarios/).
 */
#ifndef GT_TEST_SCENARIO_H
#define GT_TEST_SCENARIO_H

#include <stddef.h>

#include "gotrace/builder.h"

typedef struct scenario {
    const char *name;          /* file stem in tests/data/scenarios */
    int version;               /* trace version: 22, 23, 25, 26 */
    const char *go_name;       /* the Go testdata case it corresponds to, or NULL */
    void (*build)(gt_builder *b);
    const char *expect_error;  /* NULL: reads successfully; else Go's exact error text */
} scenario;

extern const scenario scenarios[];
extern const size_t n_scenarios;

/* Builds scenario s into a fresh builder; NULL (err filled) on a builder
 * error. The builder's expectation (for .test output) is set from s. */
gt_builder *scenario_build(const scenario *s, gt_error *err);

/* Builds s and returns its binary (malloc'd, *len set) or NULL. */
unsigned char *scenario_binary(const scenario *s, size_t *len, gt_error *err);

/* Result of reading a trace with the library's reader: every event formatted
 * with gt_event_format, one per line (stacks included), and the error. */
typedef struct scenario_run {
    char *text;        /* malloc'd, NUL-terminated */
    size_t len;
    size_t nevents;
    int failed;        /* the reader stopped with an error */
    char error[1024];  /* its message */
    int validated;     /* the validator ran over every event */
    char validator_error[1024]; /* first validator finding, "" if none */
} scenario_run;

/* Reads data with gt_reader_open_memory; runs the validator (version from the
 * header) when validate is set. Never fails: problems are in *run. */
void scenario_read(const void *data, size_t len, int validate, scenario_run *run);
void scenario_run_free(scenario_run *run);

/* Directory holding the scenario goldens, relative to the repository root
 * (tests run from there). */
#define SCENARIO_DATA_DIR "tests/data/scenarios"

/* Splits a `go tool trace` status file ("exit=N\n" + stderr) into the exit
 * code and the error text (stderr without its final newline). Returns 0 or -1
 * when the file is malformed. */
int scenario_parse_status(const char *status, int *exit_code, const char **msg, size_t *msg_len);

/* Wire status values for readability in generators. */
enum { PROC_RUNNING = 1, PROC_IDLE = 2, PROC_SYSCALL = 3, PROC_SYSCALL_ABANDONED = 4 };
enum { GO_RUNNABLE = 1, GO_RUNNING = 2, GO_SYSCALL = 3, GO_WAITING = 4 };

#endif
