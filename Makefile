# hstrace — see README.md.  `make run` sets up and runs the demo; `make check` runs every test.
VERSION   := 0.1.0
PREFIX    ?= /usr/local
DESTDIR   ?=
CC        ?= cc
PKGS      := mbedtls mbedx509 mbedcrypto libpcap ncursesw jansson zlib libbrotlidec libzstd

ifeq ($(SANITIZE),1)
BUILD     := build/san
SANFLAGS  := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
else
BUILD     := build/rel
SANFLAGS  :=
endif

OPT       ?= -O2 -g
WARN      := -Wall -Wextra -Wshadow -Wformat=2 -Wstrict-prototypes -Wmissing-prototypes \
             -Wno-unused-parameter
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
ALL_CFLAGS = -std=c17 -D_GNU_SOURCE $(OPT) $(WARN) $(SANFLAGS) $(PKG_CFLAGS) \
             -DHS_VERSION='"$(VERSION)"' -MMD -MP $(CFLAGS)
ALL_LDFLAGS = $(SANFLAGS) $(LDFLAGS)
LIBS       = $(PKG_LIBS) -lpthread
# The unit tests also compress (RFC 8879 certificates) to check the decompression.
TEST_LIBS  = -lcmocka $(shell pkg-config --libs libbrotlienc 2>/dev/null)

SRCS      := $(sort $(wildcard src/*/*.c))
OBJS      := $(SRCS:%.c=$(BUILD)/%.o)
LIB_OBJS  := $(filter-out $(BUILD)/src/cli/main.o,$(OBJS))
UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all deps test-deps run check unit integration install clean lint house bench
all: hstrace

# The binary at the top is the plain build; the sanitizer build stays in build/san.
hstrace: $(BUILD)/hstrace
ifneq ($(SANITIZE),1)
	cp $< $@
else
	@true
endif

$(BUILD)/hstrace: $(OBJS)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(LIB_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Isrc -o $@ $< $(LIB_OBJS) $(ALL_LDFLAGS) $(LIBS) $(TEST_LIBS)

deps:
	./.ci/deps

test-deps:
	./.ci/deps test

run: deps
	$(MAKE) hstrace
	./hstrace --demo

unit: $(UNIT_BINS)

# The house rules (README, Layout): a folder that includes one it may not, or a .c file over
# 800 lines, stops the build of the tests.
house:
	tests/tools/check-house

# tests/run.sh runs TEST_JOBS tests at a time (default: the number of CPUs plus one).
check: test-deps
	$(MAKE) house
	$(MAKE) hstrace unit
	HSTRACE=$(CURDIR)/$(BUILD)/hstrace BUILD=$(CURDIR)/$(BUILD) SANITIZE=$(SANITIZE) \
	    VALGRIND=$(VALGRIND) tests/run.sh

# Benchmarks, not tests (tests/bench/run): writes tests/bench/RESULTS.md.  Not part of check.
bench: hstrace
	HSTRACE=$(CURDIR)/$(BUILD)/hstrace tests/bench/run

install: hstrace
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 0755 hstrace $(DESTDIR)$(PREFIX)/bin/hstrace
	install -m 0644 man/hstrace.1 $(DESTDIR)$(PREFIX)/share/man/man1/hstrace.1
	install -d $(DESTDIR)$(PREFIX)/share/hstrace
	install -m 0644 man/hstrace-json.schema.json $(DESTDIR)$(PREFIX)/share/hstrace/

lint:
	mandoc -Tlint -W warning man/hstrace.1

clean:
	rm -rf build hstrace

-include $(OBJS:.o=.d)

# ---- fuzzing (tests/fuzz/README.md): libFuzzer harnesses, clang only ----
# `make fuzz-build` builds them in build/fuzz/; `make fuzz FUZZ_SECONDS=N` runs each for N
# seconds on a copy of its seed corpus (build/fuzz/corpus-NAME) and fails on any finding.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_BUILD   := build/fuzz
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CFLAGS   = -std=c17 -D_GNU_SOURCE -O1 -g $(WARN) $(FUZZ_SAN) $(PKG_CFLAGS) \
                -DHS_VERSION='"$(VERSION)"' -MMD -MP
FUZZ_SRCS    := $(filter-out src/cli/% src/tui/%,$(SRCS))
FUZZ_OBJS    := $(FUZZ_SRCS:%.c=$(FUZZ_BUILD)/%.o)
FUZZ_NAMES   := $(patsubst tests/fuzz/fuzz_%.c,%,$(sort $(wildcard tests/fuzz/fuzz_*.c)))
FUZZ_BINS    := $(FUZZ_NAMES:%=$(FUZZ_BUILD)/fuzz_%)

.PHONY: fuzz fuzz-build
.SECONDARY: $(FUZZ_OBJS)
fuzz-build: $(FUZZ_BINS)

fuzz: fuzz-build
	tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_NAMES)

$(FUZZ_BUILD)/src/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FUZZ_BUILD)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_OBJS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -Isrc -o $@ $< $(FUZZ_OBJS) $(PKG_LIBS) -lpthread

-include $(FUZZ_OBJS:.o=.d) $(FUZZ_BINS:=.d)
