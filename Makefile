# gotrace — plain GNU Make build.
#
#   make                 library (static + shared) and CLI
#   make test            build and run every test; ends with "N passed, N failed"
#   make install PREFIX=/usr/local [DESTDIR=...]
#   make WERROR=1        warnings are errors (CI)
#   make SANITIZE=1      ASan + UBSan, no recovery
#   make BUILD=dir       out-of-tree build directory (default: build)
#   make regen           rewrite the golden files of tests/data (needs Go 1.27)
#
# Sources are discovered, not listed: every src/**/*.c goes into the library,
# every cli/*.c into the CLI, every tests/unit/*.c becomes one test program.

BUILD    ?= build
PREFIX   ?= /usr/local
DESTDIR  ?=
CC       ?= cc
CLI_LIBS ?= -lz -lzstd -lsqlite3 -ldeflate -pthread
VERSION  := 0.1.0
SOMAJOR  := 0

CFLAGS   ?= -O2 -g
WARN     := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wno-unused-parameter
ifeq ($(WERROR),1)
WARN     += -Werror
endif
ifeq ($(SANITIZE),1)
CFLAGS   += -O1 -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
LDFLAGS  += -fsanitize=address,undefined
endif
CPPFLAGS += -Iinclude -Isrc -D_GNU_SOURCE -DGT_VERSION_STRING='"$(VERSION)"'
# VERSION's three numbers, checked against include/gotrace.h's GT_VERSION_*
# by a static assertion in src/common/error.c.
VERSION_WORDS := $(subst ., ,$(VERSION))
CPPFLAGS += -DGT_MAKE_VERSION_MAJOR=$(word 1,$(VERSION_WORDS)) -DGT_MAKE_VERSION_MINOR=$(word 2,$(VERSION_WORDS)) \
            -DGT_MAKE_VERSION_PATCH=$(word 3,$(VERSION_WORDS))
ALLCFLAGS = -std=c11 $(WARN) $(CFLAGS) $(CPPFLAGS) -MMD -MP

LIB_SRC  := $(sort $(shell find src -name '*.c'))
CLI_SRC  := $(sort $(wildcard cli/*.c))
TEST_SRC := $(sort $(wildcard tests/unit/*.c))
TESTLIB_SRC := $(sort $(wildcard tests/lib/*.c))
BENCH_SRC := $(sort $(wildcard bench/*.c))

LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
LIB_PIC  := $(LIB_SRC:%.c=$(BUILD)/pic/%.o)
CLI_OBJ  := $(CLI_SRC:%.c=$(BUILD)/obj/%.o)
TESTLIB_OBJ := $(TESTLIB_SRC:%.c=$(BUILD)/obj/%.o)
TEST_BIN := $(TEST_SRC:tests/unit/%.c=$(BUILD)/tests/%)

STATIC   := $(BUILD)/libgotrace.a
SHLIB    := $(BUILD)/libgotrace.so.$(VERSION)
SONAME   := libgotrace.so.$(SOMAJOR)
CLI      := $(BUILD)/gotrace

.PHONY: all test install uninstall clean bench fuzz fuzz-replay
.SECONDARY:
all: $(STATIC) $(SHLIB) $(CLI)

# gt_version's text and the version check come from VERSION above.
$(BUILD)/obj/src/common/error.o $(BUILD)/pic/src/common/error.o: Makefile

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALLCFLAGS) -c $< -o $@

$(BUILD)/pic/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALLCFLAGS) -fPIC -fvisibility=hidden -DGT_BUILDING_SHARED -c $< -o $@

$(STATIC): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@
	$(AR) rcs $@ $^

$(SHLIB): $(LIB_PIC)
	$(CC) -shared -Wl,-soname,$(SONAME) $(LDFLAGS) -o $@ $^ -lm -pthread
	ln -sf libgotrace.so.$(VERSION) $(BUILD)/$(SONAME)
	ln -sf $(SONAME) $(BUILD)/libgotrace.so

$(CLI): $(CLI_OBJ) $(STATIC)
	$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(STATIC) $(CLI_LIBS) -lm

$(BUILD)/tests/%: tests/unit/%.c $(TESTLIB_OBJ) $(STATIC)
	@mkdir -p $(dir $@)
	$(CC) $(ALLCFLAGS) -Itests/lib $< $(TESTLIB_OBJ) $(STATIC) $(LDFLAGS) -lm -o $@

$(BUILD)/bench/gotrace-bench: $(BENCH_SRC) $(STATIC)
	@mkdir -p $(dir $@)
	$(CC) $(ALLCFLAGS) $(BENCH_SRC) $(STATIC) $(LDFLAGS) -lm -lpthread -o $@

test: all $(TEST_BIN)
	@BUILD=$(BUILD) sh tests/run.sh

# The CLI's Parquet writer (cli/parquet.c) driven directly by
# tests/parquet/synth.c: a tool tests/scripts/parquet.sh runs, outside
# $(BUILD)/tests so that tests/run.sh does not run it as a test program.
PQ_SYNTH := $(BUILD)/parquet/pq-synth
$(PQ_SYNTH): tests/parquet/synth.c $(BUILD)/obj/cli/parquet.o
	@mkdir -p $(dir $@)
	$(CC) $(ALLCFLAGS) -Icli $< $(BUILD)/obj/cli/parquet.o $(LDFLAGS) -lzstd -lm -o $@
test: $(PQ_SYNTH)

# The tables `gotrace sql` loads for a query (cli_sqlite_tables_read): a
# tool for tests/scripts/sql.sh, built from the CLI's objects but main.o.
SQL_TABLES := $(BUILD)/sql/sql-tables-read
$(SQL_TABLES): tests/sql/tables_read.c $(filter-out $(BUILD)/obj/cli/main.o,$(CLI_OBJ)) $(STATIC)
	@mkdir -p $(dir $@)
	$(CC) $(ALLCFLAGS) -Icli $< $(filter-out $(BUILD)/obj/cli/main.o,$(CLI_OBJ)) $(STATIC) $(LDFLAGS) $(CLI_LIBS) -lm -o $@
test: $(SQL_TABLES)

# Fuzzing (issue: robustness). Each fuzz/fuzz_NAME.c is a libFuzzer target;
# replay-NAME runs it over saved inputs without libFuzzer (see
# tests/scripts/fuzz_replay.sh). `make fuzz FUZZ_SECONDS=N` fuzzes every
# target for N seconds with clang, ASan and UBSan.
FUZZ_TARGETS := $(sort $(patsubst fuzz/fuzz_%.c,%,$(wildcard fuzz/fuzz_*.c)))
FUZZ_REPLAY  := $(FUZZ_TARGETS:%=$(BUILD)/fuzz/replay-%)
FUZZ_SECONDS ?= 60
FUZZ_CC      ?= clang

$(BUILD)/fuzz/replay-%: fuzz/fuzz_%.c fuzz/replay_main.c $(wildcard fuzz/*.h) $(STATIC)
	@mkdir -p $(dir $@)
	$(CC) -std=c11 $(WARN) $(CFLAGS) $(CPPFLAGS) -Ifuzz fuzz/fuzz_$*.c fuzz/replay_main.c $(STATIC) $(LDFLAGS) -lm -o $@

$(BUILD)/fuzz/fuzz-%: fuzz/fuzz_%.c $(wildcard fuzz/*.h) $(LIB_SRC)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	  $(CPPFLAGS) -Ifuzz fuzz/fuzz_$*.c $(LIB_SRC) -lm -o $@

fuzz-replay: $(FUZZ_REPLAY)

fuzz: $(FUZZ_TARGETS:%=$(BUILD)/fuzz/fuzz-%)
	BUILD=$(BUILD) FUZZ_SECONDS=$(FUZZ_SECONDS) sh fuzz/run.sh $(FUZZ_TARGETS)

bench: $(BUILD)/bench/gotrace-bench
	@ln -sf bench/gotrace-bench $(BUILD)/gotrace-bench

# The Perfetto exporter's size, speed and memory beside the JSON timeline's,
# on the bench traces (scripts/make-bench-traces.sh): a table for README.md.
.PHONY: bench-perfetto
bench-perfetto: $(BUILD)/gotrace $(BUILD)/bench/gotrace-bench
	BUILD=$(BUILD) sh scripts/bench-perfetto.sh

# The suite again with the reader threaded wherever the caller sets no
# threads (GT_TEST_THREADS=N for each N in TEST_THREADS): every event and
# error must be the single-threaded reader's. The gotrace commands the
# scripts run follow it too (without --threads they leave the choice to
# GT_TEST_THREADS when it is set; tests/run.sh sets 1 for `make test`).
# One value, 2, by default: any N >= 2 starts the same two threads today
# (the producer and the generation read-ahead, gotrace.h), so 3 ran the very
# same code a second time (CI ran both until a run overran its 90 minutes;
# it now runs its clang ASan+UBSan pass with GT_TEST_THREADS=3 instead);
# `make test-threads TEST_THREADS="2 3"` when N means more. test_hostile
# is left out: its address-space cap (4 x input + 64 MB) has no room for
# two more threads' stacks and malloc arenas.
TEST_THREADS ?= 2
.PHONY: test-threads
test-threads:
	@for n in $(TEST_THREADS); do echo "== GT_TEST_THREADS=$$n"; \
	  GT_TEST_THREADS=$$n GT_TEST_SKIP=test_hostile $(MAKE) --no-print-directory test || exit 1; done

# ThreadSanitizer (gotrace.h "Threads"): tests/tsan/accessors.c against a
# TSan build of the library in $(TSAN_BUILD), compiled with $(TSAN_CC); run
# over the in-tree scenario traces and ../shared corpus traces by
# tests/tsan/run.sh. CI: `make test-tsan`.
TSAN_BUILD ?= build-tsan
TSAN_CC    ?= gcc
TSAN_FLAGS := -O1 -g -fsanitize=thread -fno-omit-frame-pointer
.PHONY: test-tsan
test-tsan:
	$(MAKE) BUILD=$(TSAN_BUILD) CC=$(TSAN_CC) SANITIZE= CFLAGS='$(TSAN_FLAGS)' LDFLAGS=-fsanitize=thread $(TSAN_BUILD)/libgotrace.a
	@mkdir -p $(TSAN_BUILD)/tsan
	$(TSAN_CC) -std=c11 $(WARN) $(TSAN_FLAGS) $(CPPFLAGS) tests/tsan/accessors.c $(TSAN_BUILD)/libgotrace.a -fsanitize=thread -lm -lpthread -o $(TSAN_BUILD)/tsan/accessors
	sh tests/tsan/run.sh $(TSAN_BUILD)/tsan/accessors

# Regenerates every golden file under tests/data: first from the oracles
# (Go 1.27 through scripts/go127.sh, Go's analyses through scripts/goref, and
# ../shared), then those only gotrace writes (regress is cross-checked with
# Go when present; timeline and summary have no oracle: read their diffs).
# The scenario traces come first: the timeline goldens are made from them.
.PHONY: regen
regen: all
	sh scripts/regen-scenarios.sh
	sh scripts/regen-footprint.sh
	sh scripts/regen-v1-golden.sh
	sh scripts/goref/regen-golden.sh
	BUILD=$(BUILD) sh scripts/regen-regress.sh
	BUILD=$(BUILD) sh scripts/regen-timeline.sh
	BUILD=$(BUILD) sh scripts/regen-summary.sh

# include/gotrace/check.h (Go's test-case files: txtar, regexps) serves the
# CLI and the tests only: not installed, not exported by the shared library.
INSTALL_HEADERS := $(filter-out include/gotrace/check.h,$(wildcard include/gotrace/*.h))

install: all
	install -d $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/lib/pkgconfig \
	  $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -d $(DESTDIR)$(PREFIX)/include/gotrace
	install -m 644 include/gotrace.h $(DESTDIR)$(PREFIX)/include/
	install -m 644 $(INSTALL_HEADERS) $(DESTDIR)$(PREFIX)/include/gotrace/
	install -m 644 $(STATIC) $(DESTDIR)$(PREFIX)/lib/
	install -m 755 $(SHLIB) $(DESTDIR)$(PREFIX)/lib/
	ln -sf libgotrace.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(PREFIX)/lib/libgotrace.so
	install -m 755 $(CLI) $(DESTDIR)$(PREFIX)/bin/
	install -m 644 man/gotrace.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(VERSION)|g' gotrace.pc.in \
	  > $(DESTDIR)$(PREFIX)/lib/pkgconfig/gotrace.pc

uninstall:
	rm -rf $(DESTDIR)$(PREFIX)/include/gotrace.h $(DESTDIR)$(PREFIX)/include/gotrace $(DESTDIR)$(PREFIX)/lib/libgotrace.* \
	  $(DESTDIR)$(PREFIX)/lib/pkgconfig/gotrace.pc $(DESTDIR)$(PREFIX)/bin/gotrace \
	  $(DESTDIR)$(PREFIX)/share/man/man1/gotrace.1

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
