/* Scenario suite: each scenario of tests/lib/scenario.c is built with the
 * trace builder, checked against its checked-in binary (the generator is
 * deterministic), read with the reader, and compared line by line with Go
 * 1.27's parse (`go tool trace -d=parsed`, kept in NAME.parsed / NAME.status
 * by scripts/regen-scenarios.sh); its error must be the scenario's expected
 * text and Go's. Successful scenarios also go through the validator, whose
 * verdict must be that of Go's testtrace.Validator (NAME.validate).
 *
 *   test_scenarios             run the tests
 *   test_scenarios --write DIR write NAME.trace, NAME.test, NAME.expect
 *   test_scenarios --go-names  list "NAME GO_CASE" for scenarios that
 *                              transcribe one of Go's testdata cases
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "scenario.h"

static int write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    size_t n = fwrite(data, 1, len, f);
    return (fclose(f) == 0 && n == len) ? 0 : -1;
}

static int write_all(const char *dir)
{
    char path[4096];
    for (size_t i = 0; i < n_scenarios; i++) {
        const scenario *s = &scenarios[i];
        gt_error err;
        size_t len;
        unsigned char *bin = scenario_binary(s, &len, &err);
        if (!bin) {
            fprintf(stderr, "%s: %s\n", s->name, err.message);
            return 1;
        }
        snprintf(path, sizeof path, "%s/%s.trace", dir, s->name);
        int rc = write_file(path, bin, len);
        free(bin);
        snprintf(path, sizeof path, "%s/%s.expect", dir, s->name);
        const char *expect = s->expect_error ? s->expect_error : "";
        rc |= write_file(path, expect, strlen(expect));
        gt_builder *b = scenario_build(s, &err);
        snprintf(path, sizeof path, "%s/%s.test", dir, s->name);
        FILE *f = b ? fopen(path, "w") : NULL;
        if (!f || gt_builder_write_test(b, f, &err))
            rc = -1;
        if (f && fclose(f))
            rc = -1;
        gt_builder_free(b);
        if (rc) {
            fprintf(stderr, "%s: cannot write %s\n", s->name, path);
            return 1;
        }
    }
    return 0;
}

/* The first line where a and b differ, for failure messages. */
static void first_difference(const char *a, const char *b, char *out, size_t cap)
{
    size_t line = 1;
    while (*a && *a == *b) {
        if (*a == '\n')
            line++;
        a++;
        b++;
    }
    const char *ea = strchr(a, '\n'), *eb = strchr(b, '\n');
    int la = ea ? (int)(ea - a) : (int)strlen(a), lb = eb ? (int)(eb - b) : (int)strlen(b);
    snprintf(out, cap, "line %zu: got \"%.*s\", want \"%.*s\"", line, la > 200 ? 200 : la, a, lb > 200 ? 200 : lb, b);
}

static void test_scenario(const scenario *s)
{
    char name[256], path[4096], why[1024];
    gt_error err;
    size_t len = 0;
    unsigned char *bin = scenario_binary(s, &len, &err);
    snprintf(name, sizeof name, "scenario/%s/build", s->name);
    if (!check(bin != NULL, name, "builder: %s", bin ? "" : err.message))
        return;

    snprintf(path, sizeof path, "%s/%s.trace", SCENARIO_DATA_DIR, s->name);
    size_t golden_len = 0;
    char *golden = check_read_file(path, &golden_len);
    snprintf(name, sizeof name, "scenario/%s/deterministic", s->name);
    check(golden && golden_len == len && !memcmp(golden, bin, len), name,
          "%s differs from the builder's output (run scripts/regen-scenarios.sh)", path);
    free(golden);

    scenario_run run;
    scenario_read(bin, len, s->expect_error == NULL, &run);

    snprintf(path, sizeof path, "%s/%s.parsed", SCENARIO_DATA_DIR, s->name);
    char *parsed = check_read_file(path, NULL);
    snprintf(name, sizeof name, "scenario/%s/events", s->name);
    if (!parsed) {
        check(0, name, "missing %s (run scripts/regen-scenarios.sh)", path);
    } else {
        if (strcmp(run.text, parsed))
            first_difference(run.text, parsed, why, sizeof why);
        check(!strcmp(run.text, parsed), name, "%zu events; %s", run.nevents, why);
    }
    free(parsed);

    snprintf(name, sizeof name, "scenario/%s/outcome", s->name);
    if (s->expect_error)
        check(run.failed && !strcmp(run.error, s->expect_error), name, "want error \"%s\", got %s \"%s\"",
              s->expect_error, run.failed ? "error" : "success", run.error);
    else
        check(!run.failed, name, "want success, got error \"%s\"", run.error);

    /* The scenario's expectation must be Go's: Go's exit status and stderr. */
    snprintf(path, sizeof path, "%s/%s.status", SCENARIO_DATA_DIR, s->name);
    char *status = check_read_file(path, NULL);
    snprintf(name, sizeof name, "scenario/%s/matches-go", s->name);
    int code;
    const char *msg;
    size_t msg_len;
    if (!status || scenario_parse_status(status, &code, &msg, &msg_len)) {
        check(0, name, "missing or malformed %s", path);
    } else {
        const char *want = s->expect_error ? s->expect_error : "";
        check(code == (s->expect_error ? 1 : 0) && msg_len == strlen(want) && !memcmp(msg, want, msg_len), name,
              "Go exited %d with \"%.*s\", scenario expects \"%s\"", code, (int)msg_len, msg, want);
    }
    free(status);

    /* Go's testtrace.Validator verdict on the scenario ("ok" or its first
     * finding), recorded by the regen script; ours must be the same. */
    if (!s->expect_error) {
        snprintf(path, sizeof path, "%s/%s.validate", SCENARIO_DATA_DIR, s->name);
        char *verdict = check_read_file(path, NULL);
        snprintf(name, sizeof name, "scenario/%s/validator", s->name);
        if (!verdict) {
            check(0, name, "missing %s (run scripts/regen-scenarios.sh)", path);
        } else {
            size_t vlen = strlen(verdict);
            if (vlen && verdict[vlen - 1] == '\n')
                verdict[--vlen] = 0;
            const char *want = strcmp(verdict, "ok") ? verdict : "";
            check(run.validated && !strcmp(run.validator_error, want), name, "Go's validator: \"%s\"; ours: \"%s\"",
                  want, run.validated ? run.validator_error : "(validator not available)");
        }
        free(verdict);
    }
    scenario_run_free(&run);
    free(bin);
}

int main(int argc, char **argv)
{
    if (argc == 3 && !strcmp(argv[1], "--write"))
        return write_all(argv[2]);
    if (argc == 2 && !strcmp(argv[1], "--go-names")) {
        for (size_t i = 0; i < n_scenarios; i++)
            if (scenarios[i].go_name)
                printf("%s %s\n", scenarios[i].name, scenarios[i].go_name);
        return 0;
    }
    for (size_t i = 0; i < n_scenarios; i++)
        test_scenario(&scenarios[i]);
    return check_done();
}
