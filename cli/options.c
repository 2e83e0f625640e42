/* The one command-line option parser of the CLI (contract in cli.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

/* --threads as given; 0 (absent, or given as 0): the default (cli_threads). */
static int threads_option;

int cli_parse_threads(const char *v)
{
    char *end = (char *)v;
    long n = -1;
    errno = 0;
    if (*v >= '0' && *v <= '9')
        n = strtol(v, &end, 10);
    if (*end || errno || n < 0 || n > CLI_MAX_THREADS)
        return -1;
    threads_option = (int)n;
    return 0;
}

int cli_threads(void)
{
    if (threads_option > 0)
        return threads_option;
    /* The library's default (gotrace.h): 0 while its test hook is set, so
     * that `make test` (which sets 1) and `make test-threads` (2) run the
     * CLI as they run the library's tests. */
    return gt_default_threads();
}

int cli_work_threads(void)
{
    int n = cli_threads();
    if (n == 0) {
        /* The hook's value, read as the library reads it (gotrace.h,
         * GT_TEST_THREADS_MAX: 1 to GT_TEST_THREADS_MAX, else 1), so that the CLI's
         * own threads follow the reader's. */
        const char *hook = getenv("GT_TEST_THREADS");
        n = hook ? atoi(hook) : 1;
        return n >= 1 && n <= GT_TEST_THREADS_MAX ? n : 1;
    }
    return n >= 1 && n <= CLI_MAX_THREADS ? n : 1;
}

void cli_args_init(cli_args *a, const char *cmd, int argc, char **argv)
{
    memset(a, 0, sizeof *a);
    a->cmd = cmd;
    a->argc = argc;
    a->argv = argv;
    a->next = 1;
}

static const cli_option *find(const cli_option *opts, const char *name, size_t len)
{
    for (const cli_option *o = opts; o->name; o++)
        if (strlen(o->name) == len && !strncmp(o->name, name, len))
            return o;
    return NULL;
}

static int positional(cli_args *a, const char *arg)
{
    if (a->npos == CLI_MAX_POSITIONAL) {
        cli_usage_error(a->cmd, "too many arguments (from '%s' on)", arg);
        return CLI_OPT_ERROR;
    }
    a->pos[a->npos++] = arg;
    return 0;
}

int cli_next_option(cli_args *a, const cli_option *opts)
{
    while (a->next < a->argc) {
        const char *arg = a->argv[a->next++];
        if (a->only_positional || arg[0] != '-' || !arg[1]) {
            if (positional(a, arg))
                return CLI_OPT_ERROR;
            continue;
        }
        if (!strcmp(arg, "--")) {
            a->only_positional = 1;
            continue;
        }
        /* --name, -name (Go's flag package), --name=value, -name=value. */
        const char *name = arg + (arg[1] == '-' ? 2 : 1);
        const char *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        const cli_option *o = find(opts, name, len);
        if (!o && len == 5 && !strncmp(name, "quiet", 5) && !eq) {
            cli_set_quiet(1);
            continue;
        }
        if (!o && len == 7 && !strncmp(name, "threads", 7)) {
            /* Every command's, like --quiet (cli.h: cli_threads). */
            char spelling[16];
            snprintf(spelling, sizeof spelling, "%.*s", (int)(name - arg + len), arg);
            if (!eq && a->next >= a->argc) {
                cli_usage_error(a->cmd, "option %s needs a value", spelling);
                return CLI_OPT_ERROR;
            }
            const char *v = eq ? eq + 1 : a->argv[a->next++];
            if (cli_parse_threads(v)) {
                cli_usage_error(a->cmd, CLI_THREADS_BAD, spelling, CLI_MAX_THREADS, v);
                return CLI_OPT_ERROR;
            }
            continue;
        }
        if (!o) {
            cli_usage_error(a->cmd, "unknown option '%.*s'", (int)(name - arg + len), arg);
            return CLI_OPT_ERROR;
        }
        snprintf(a->spelling, sizeof a->spelling, "%.*s", (int)(name - arg + len), arg);
        if (!o->takes_value && eq) {
            cli_usage_error(a->cmd, "option %s takes no value", a->spelling);
            return CLI_OPT_ERROR;
        }
        if (o->takes_value && !eq) {
            if (a->next >= a->argc) {
                cli_usage_error(a->cmd, "option %s needs a value", a->spelling);
                return CLI_OPT_ERROR;
            }
            a->value = a->argv[a->next++];
        } else {
            a->value = eq ? eq + 1 : NULL;
        }
        if (o->id > 0 && o->id < 64)
            a->given |= 1ULL << o->id;
        return o->id;
    }
    return CLI_OPT_END;
}

int cli_option_given(const cli_args *a, int id) { return id > 0 && id < 64 && (a->given >> id & 1); }

int cli_one_file(const cli_args *a, const char **path)
{
    if (a->npos != 1)
        return cli_usage_error(a->cmd, a->npos ? "one trace file expected" : "missing trace file");
    *path = a->pos[0];
    return 0;
}
