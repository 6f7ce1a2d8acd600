# SPDX-License-Identifier: GPL-2.0-only
# xdpkit build: every progs/<name>.bpf.c becomes build/<name>.bpf.o; the manager becomes build/xdpkit.
# `make V=1` shows full commands. Adding a program is adding one file.

CLANG ?= clang
CC ?= cc
PKG_CONFIG ?= pkg-config
PREFIX ?= /usr/local
DESTDIR ?=
VERSION := 0.1.0
BUILD := build
ARCH_INC := /usr/include/$(shell uname -m)-linux-gnu

ifeq ($(V),1)
Q :=
msg = @true
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

BPF_CFLAGS := -target bpf -O2 -g -Wall -Werror -Iinclude -I$(ARCH_INC) -MMD -MP
PROGS := $(patsubst progs/%.bpf.c,%,$(wildcard progs/*.bpf.c))
# Variants: an object built from another program's source with -D switches (no copies of code).
VARIANTS := hello_drop
hello_drop_SRC := hello
hello_drop_FLAGS := -DHELLO_DROP
BPF_OBJS := $(addprefix $(BUILD)/,$(addsuffix .bpf.o,$(PROGS) $(VARIANTS)))

XDP_CFLAGS := $(shell $(PKG_CONFIG) --cflags libxdp libbpf 2>/dev/null)
XDP_LIBS := $(shell $(PKG_CONFIG) --libs libxdp libbpf 2>/dev/null || echo -lxdp -lbpf)
# libyaml: xdpkit apply's files (the manager only).
YAML_CFLAGS := $(shell $(PKG_CONFIG) --cflags yaml-0.1 2>/dev/null)
YAML_LIBS := $(shell $(PKG_CONFIG) --libs yaml-0.1 2>/dev/null || echo -lyaml)
# The exporter's HTTP server (manager/exporter.c): libmicrohttpd, the manager binary only.
MHD_CFLAGS := $(shell $(PKG_CONFIG) --cflags libmicrohttpd 2>/dev/null)
MHD_LIBS := $(shell $(PKG_CONFIG) --libs libmicrohttpd 2>/dev/null || echo -lmicrohttpd)
# Hardening of the manager and the unit-test binary: Debian's build flags with every hardening
# feature (fortify, stack protector, relro, bindnow, format checks), as a Debian package of it would
# get; PIE asked for explicitly (Debian's gcc makes it by default, dpkg-buildflags then leaves it
# out). Without dpkg-buildflags, the same set by hand. `make CFLAGS=...` etc. still override.
DPKG_FLAGS = $(shell DEB_BUILD_MAINT_OPTIONS=hardening=+all dpkg-buildflags --get $(1) 2>/dev/null)
ifneq ($(shell command -v dpkg-buildflags 2>/dev/null),)
CFLAGS ?= $(call DPKG_FLAGS,CFLAGS) -fPIE
CPPFLAGS ?= $(call DPKG_FLAGS,CPPFLAGS)
LDFLAGS ?= $(call DPKG_FLAGS,LDFLAGS) -pie
else
CFLAGS ?= -g -O2 -fstack-protector-strong -Wformat -Werror=format-security -fPIE
CPPFLAGS ?= -D_FORTIFY_SOURCE=2
LDFLAGS ?= -Wl,-z,relro -Wl,-z,now -pie
endif
USER_CFLAGS := $(CPPFLAGS) $(CFLAGS) -Wall -Wextra -Werror -Iinclude $(XDP_CFLAGS) $(YAML_CFLAGS) $(MHD_CFLAGS) -MMD -MP \
	-DXDPKIT_LIBDIR='"$(PREFIX)/lib/xdpkit"' -DXDPKIT_VERSION='"$(VERSION)"'

# What is built with PREFIX in it (the manager's object directory, xdpkit.pc, the man pages, the units)
# depends on this file, rewritten only when PREFIX changes: `make PREFIX=/usr` after a default build
# rebuilds them instead of installing files that point into /usr/local.
PREFIX_STAMP := $(BUILD)/.prefix
$(shell mkdir -p $(BUILD) && { [ "$$(cat $(PREFIX_STAMP) 2>/dev/null)" = "$(PREFIX)" ] || \
	echo "$(PREFIX)" >$(PREFIX_STAMP); })

MANAGER_SRCS := $(wildcard manager/*.c)
MANAGER_OBJS := $(patsubst manager/%.c,$(BUILD)/manager/%.o,$(MANAGER_SRCS))
UNIT_SRCS := $(wildcard tests/unit/*.c)
UNIT_OBJS := $(patsubst tests/unit/%.c,$(BUILD)/unit/%.o,$(UNIT_SRCS))
# Deliberately broken programs for `xdpkit check`: they compile, and fail only in the verifier.
VERIFIER_OBJS := $(patsubst tests/verifier/%.bpf.c,$(BUILD)/verifier/%.bpf.o,$(wildcard tests/verifier/*.bpf.c))
# Objects only the e2e tests use, built here because the VM guest that also runs them has no clang.
TEST_OBJS := $(patsubst tests/e2e/objs/%.bpf.c,$(BUILD)/test-objs/%.bpf.o,$(wildcard tests/e2e/objs/*.bpf.c))

.PHONY: all progs manager clean test test-hardening test-unit test-e2e test-vm test-vm-e2e bench demo install uninstall test-install deps test-verifier
.PHONY: stress test-stress man completion test-cli test-man test-package format format-check spdx-check
# The man page needs go-md2man (Debian: go-md2man); without it `make` builds the rest.
HAVE_MD2MAN := $(shell command -v go-md2man 2>/dev/null)
all: progs manager completion $(if $(HAVE_MD2MAN),man)
progs: $(BPF_OBJS)
manager: $(if $(MANAGER_SRCS),$(BUILD)/xdpkit)

$(BUILD)/%.bpf.o: progs/%.bpf.c | $(BUILD)
	$(call msg,CLANG,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

define variant_rule
$(BUILD)/$(1).bpf.o: progs/$($(1)_SRC).bpf.c | $(BUILD)
	$$(call msg,CLANG,$$@)
	$$(Q)$$(CLANG) $$(BPF_CFLAGS) $($(1)_FLAGS) -c $$< -o $$@
endef
$(foreach v,$(VARIANTS),$(eval $(call variant_rule,$(v))))

$(BUILD)/manager/%.o: manager/%.c $(PREFIX_STAMP) | $(BUILD)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(USER_CFLAGS) -c $< -o $@

$(BUILD)/xdpkit: $(MANAGER_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $^ -o $@ $(XDP_LIBS) $(YAML_LIBS) $(MHD_LIBS) -lelf -lz -lpcap

# xdpkit dump's fexit program, assembled into the manager (manager/dump_fexit.c): not a collection program.
$(BUILD)/manager/dump_fexit.bpf.o: manager/bpf/dump_fexit.bpf.c | $(BUILD)
	$(call msg,CLANG,$@)
	$(Q)mkdir -p $(@D) && $(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/manager/dump_fexit.o: $(BUILD)/manager/dump_fexit.bpf.o
$(BUILD)/manager/dump_fexit.o: USER_CFLAGS += -DXK_FEXIT_OBJ='"$(BUILD)/manager/dump_fexit.bpf.o"'

# xdpkit(8): docs/man/xdpkit.8.md, written by hand, with the global options and every verb's
# synopsis, description and options put in from the option tables (manager/opts*.c) by the binary
# itself; the bash completion comes from the same tables.
man: $(BUILD)/man/xdpkit.8
completion: $(BUILD)/completion/xdpkit

$(BUILD)/man/xdpkit.8: docs/man/xdpkit.8.md $(BUILD)/xdpkit $(PREFIX_STAMP)
	$(call msg,MD2MAN,$@)
	$(Q)mkdir -p $(@D) && $(BUILD)/xdpkit help --man-options >$(@D)/options.md && \
		$(BUILD)/xdpkit help --man-verbs >$(@D)/verbs.md && \
		sed -e '/^@GLOBAL_OPTIONS@$$/{r $(@D)/options.md' -e 'd}' \
		    -e '/^@VERBS@$$/{r $(@D)/verbs.md' -e 'd}' \
		    -e 's/@VERSION@/$(VERSION)/' -e 's|@PREFIX@|$(PREFIX)|' \
		    -e 's|@PROG_PAGES@|$(foreach p,$(MAN_PROGS),**xdpkit-$(p)**(7), )|' \
		    -e "s/@DATE@/$$(date -u -d @$${SOURCE_DATE_EPOCH:-$$(git log -1 --format=%ct 2>/dev/null || date +%s)} +%Y-%m-%d)/" \
		    $< >$(@D)/xdpkit.8.md && \
		go-md2man -in $(@D)/xdpkit.8.md -out $@

$(BUILD)/completion/xdpkit: $(BUILD)/xdpkit
	$(call msg,GEN,$@)
	$(Q)mkdir -p $(@D) && $(BUILD)/xdpkit help --bash-completion >$@.tmp && mv $@.tmp $@

$(BUILD)/verifier/%.bpf.o: tests/verifier/%.bpf.c | $(BUILD)
	$(call msg,CLANG,$@)
	$(Q)mkdir -p $(@D) && $(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/test-objs/%.bpf.o: tests/e2e/objs/%.bpf.c | $(BUILD)
	$(call msg,CLANG,$@)
	$(Q)mkdir -p $(@D) && $(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/unit/%.o: tests/unit/%.c | $(BUILD)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(USER_CFLAGS) -c $< -o $@

# Manager pieces the unit tests call directly (no program attached): the BTF-typed key/value text, the
# number and verifier-log parsers, and how xdpkit turns on multi-buffer support for a load.
UNIT_MANAGER_OBJS := $(BUILD)/manager/btf_fmt.o $(BUILD)/manager/btf_parse.o $(BUILD)/manager/json.o \
	$(BUILD)/manager/number.o $(BUILD)/manager/verifier_explain.o $(BUILD)/manager/frags.o \
	$(BUILD)/manager/opts.o

$(BUILD)/unit-tests: $(UNIT_OBJS) $(UNIT_MANAGER_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $^ -o $@ $(XDP_LIBS) -lelf -lz

$(BUILD):
	$(Q)mkdir -p $@

deps:
	$(Q)scripts/deps.sh

test-unit: all $(BUILD)/unit-tests
	$(BUILD)/unit-tests $(BUILD)

# The command line: every option of every table in --help, the man page and the completion;
# `man --warnings` quiet; the completion function run in bash; --json errors (no network).
test-cli: all
	tests/cli.sh

test-e2e: all $(TEST_OBJS)
	tests/e2e/run.sh

test-verifier: all $(VERIFIER_OBJS)
	tests/verifier/run.sh

# tests/vm, then the e2e suite where libxdp chains programs under its dispatcher, in one boot per
# kernel (6.1 and 6.12 side by side; the e2e objects are built here: the guest has no clang).
# vmtest.sh stops a kernel's run after 1500 s (VMTEST_TIMEOUT).
test-vm: all $(TEST_OBJS)
	scripts/vmtest.sh all vm e2e

# The e2e suite alone inside both guests.
test-vm-e2e: all $(TEST_OBJS)
	scripts/vmtest.sh all e2e

test: format-check test-unit test-cli test-hardening test-fuzz test-verifier test-man test-install test-package test-e2e test-stress test-vm

# The manager and the unit-test binary carry the hardening asked for above (readelf, as
# hardening-check reads it).
test-hardening: manager $(BUILD)/unit-tests
	tests/hardening.sh

# libFuzzer targets, one per text parser (tests/fuzz/fuzz_*.c), each linked with the manager's pure
# text code built for it (ASan + UBSan, coverage). `make fuzz` runs each FUZZ_SECONDS (60) s;
# `make test-fuzz` (part of `make test`) a fixed FUZZ_RUNS inputs each, seed corpus first.
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_RUNS ?= 20000
FUZZ_FLAGS := -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined \
	-fno-sanitize-recover=all -Iinclude $(XDP_CFLAGS)
FUZZ_TARGETS := $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_MANAGER_OBJS := $(addprefix $(BUILD)/fuzz/manager/,btf_fmt.o btf_parse.o json.o number.o \
	load_parse.o mapref_parse.o verifier_explain.o)

$(BUILD)/fuzz/manager/%.o: manager/%.c | $(BUILD)
	$(call msg,FUZZCC,$@)
	$(Q)mkdir -p $(@D) && $(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@

$(BUILD)/fuzz/%: tests/fuzz/%.c $(FUZZ_MANAGER_OBJS)
	$(call msg,FUZZLD,$@)
	$(Q)$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer -MMD -MP $< $(FUZZ_MANAGER_OBJS) -o $@ \
		$(XDP_LIBS) -lelf -lz

# The apply file's reader alone (its target stands in for the two things it takes from common.c).
$(BUILD)/fuzz/fuzz_apply_conf: tests/fuzz/fuzz_apply_conf.c $(BUILD)/fuzz/manager/apply_conf.o
	$(call msg,FUZZLD,$@)
	$(Q)$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer -MMD -MP $< $(BUILD)/fuzz/manager/apply_conf.o \
		-o $@ $(YAML_LIBS)

.PHONY: fuzz fuzz-build test-fuzz
.SECONDARY: $(FUZZ_MANAGER_OBJS) $(BUILD)/fuzz/manager/apply_conf.o
fuzz-build: $(FUZZ_TARGETS)

fuzz: fuzz-build
	tests/fuzz/run.sh --seconds $(FUZZ_SECONDS)

test-fuzz: fuzz-build
	tests/fuzz/run.sh --runs $(FUZZ_RUNS)

# The hardening suite (tests/stress): differential fuzz of every program, 8 managers at once, kill -9,
# interfaces and namespaces deleted, the bad-input matrix. make test runs each case's short version
# (tests/stress/run.sh short), make stress the full one.
STRESS_DEPS := all $(TEST_OBJS) $(BUILD)/difffuzz-run

$(BUILD)/difffuzz-run: tests/stress/difffuzz_run.c | $(BUILD)
	$(call msg,CC,$@)
	$(Q)$(CC) $(USER_CFLAGS) $< -o $@ $(XDP_LIBS) -lelf -lz

test-stress: $(STRESS_DEPS)
	tests/stress/run.sh short

stress: $(STRESS_DEPS)
	tests/stress/run.sh full

# Man pages of the collection: docs/<prog>.md -> build/man/xdpkit-<prog>.7. scripts/manpage.py gives the
# doc a man page's sections (NAME, SYNOPSIS from the object's sections, MAPS, VERDICTS, ATTACHING, ...) and
# the installed paths; go-md2man (Debian package go-md2man) writes the roff. A variant's object is on its
# source program's page (hello_drop on xdpkit-hello.7). After .TH (which turns hyphenation back on):
# no hyphenation and ragged right, so paths and commands stay whole.
PYTHON ?= python3
GO_MD2MAN ?= go-md2man
MAN_PROGS := $(filter $(PROGS),$(patsubst docs/%.md,%,$(wildcard docs/*.md)))
PROG_MANS := $(patsubst %,$(BUILD)/man/xdpkit-%.7,$(MAN_PROGS))
# Reproducible: the date dpkg-buildpackage gives (SOURCE_DATE_EPOCH, the changelog's), else the last commit's.
MAN_DATE = $(shell date -u -d @$${SOURCE_DATE_EPOCH:-$$(git log -1 --format=%ct 2>/dev/null || date +%s)} +%Y-%m-%d)

$(BUILD)/man/xdpkit-%.7: docs/%.md $(BUILD)/%.bpf.o scripts/manpage.py $(PREFIX_STAMP)
	$(call msg,MAN,$@)
	$(Q)mkdir -p $(@D) && MAN_DATE=$(MAN_DATE) $(PYTHON) scripts/manpage.py $< $(PREFIX) $(VERSION) \
		$(filter %.bpf.o,$^) >$@.md && $(GO_MD2MAN) -in $@.md -out $@.tmp && rm -f $@.md && \
		sed -e '/^\.TH /a .nh' -e '/^\.TH /a .ad l' $@.tmp >$@ && rm -f $@.tmp
$(foreach v,$(VARIANTS),$(eval $(BUILD)/man/xdpkit-$($(v)_SRC).7: $(BUILD)/$(v).bpf.o))

# `man` makes every page (the manager's xdpkit.8 above, from its option tables; these); make install
# installs whatever `man` and `completion` made.
man: $(PROG_MANS)

# systemd units (systemd/*.service, ...) pointing at the xdpkit installed: @SBINDIR@, or the units'
# /usr/sbin/xdpkit, becomes $(PREFIX)/sbin (the same for PREFIX=/usr).
UNITS := $(wildcard systemd/*.service systemd/*.socket systemd/*.timer)
BUILT_UNITS := $(patsubst systemd/%,$(BUILD)/systemd/%,$(UNITS))

$(BUILD)/systemd/%: systemd/% $(PREFIX_STAMP)
	$(Q)mkdir -p $(@D) && sed -e 's|@SBINDIR@|$(PREFIX)/sbin|g' \
		-e 's|/usr/sbin/xdpkit\>|$(PREFIX)/sbin/xdpkit|g' $< >$@

# What `make install` puts under $(DESTDIR)$(PREFIX): the manager, the collection's objects, the headers
# (include/xdpkit) as an API for programs of your own, found through pkg-config (xdpkit.pc:
# `clang -target bpf $(pkg-config --cflags xdpkit) ...`), the man pages, the bash completion, the systemd
# units (SYSTEMDUNITDIR) and the docs. `make uninstall` removes exactly these.
PUBLIC_HEADERS := $(wildcard include/xdpkit/*.h)
MANDIR ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
DOCDIR ?= $(PREFIX)/share/doc/xdpkit
DOC_FILES := $(wildcard docs/*.md)

$(BUILD)/xdpkit.pc: xdpkit.pc.in Makefile $(PREFIX_STAMP) | $(BUILD)
	$(Q)sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' $< >$@

install: all man completion $(BUILD)/xdpkit.pc $(BUILT_UNITS)
	install -d $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(PREFIX)/lib/xdpkit \
		$(DESTDIR)$(PREFIX)/include/xdpkit $(DESTDIR)$(PREFIX)/share/pkgconfig \
		$(DESTDIR)$(DOCDIR)/docs
	install -m 0755 $(BUILD)/xdpkit $(DESTDIR)$(PREFIX)/sbin/xdpkit
	install -m 0644 $(BPF_OBJS) $(DESTDIR)$(PREFIX)/lib/xdpkit/
	install -m 0644 $(PUBLIC_HEADERS) $(DESTDIR)$(PREFIX)/include/xdpkit/
	install -m 0644 $(BUILD)/xdpkit.pc $(DESTDIR)$(PREFIX)/share/pkgconfig/xdpkit.pc
	for page in $(BUILD)/man/*.[1-8]; do [ ! -e "$$page" ] || \
		install -D -m 0644 "$$page" "$(DESTDIR)$(MANDIR)/man$${page##*.}/$${page##*/}" || exit 1; done
	[ ! -e $(BUILD)/completion/xdpkit ] || \
		install -D -m 0644 $(BUILD)/completion/xdpkit $(DESTDIR)$(BASHCOMPDIR)/xdpkit
	$(if $(BUILT_UNITS),install -d $(DESTDIR)$(SYSTEMDUNITDIR))
	$(if $(BUILT_UNITS),install -m 0644 $(BUILT_UNITS) $(DESTDIR)$(SYSTEMDUNITDIR)/)
	install -m 0644 README.md $(DESTDIR)$(DOCDIR)/
	$(if $(DOC_FILES),install -m 0644 $(DOC_FILES) $(DESTDIR)$(DOCDIR)/docs/)

# Every page make man may have made (the tree's, and build/man's when it is there).
MAN_NAMES := $(sort $(notdir $(PROG_MANS) $(wildcard $(BUILD)/man/*.[1-8])) xdpkit.8)

# Our files, then our own directories if that left them empty (never a shared one such as sbin).
uninstall:
	rm -f $(DESTDIR)$(PREFIX)/sbin/xdpkit $(DESTDIR)$(PREFIX)/share/pkgconfig/xdpkit.pc
	rm -f $(addprefix $(DESTDIR)$(PREFIX)/lib/xdpkit/,$(notdir $(BPF_OBJS)))
	rm -f $(addprefix $(DESTDIR)$(PREFIX)/include/xdpkit/,$(notdir $(PUBLIC_HEADERS)))
	rm -f $(foreach m,$(MAN_NAMES),$(DESTDIR)$(MANDIR)/man$(subst .,,$(suffix $(m)))/$(m))
	rm -f $(DESTDIR)$(BASHCOMPDIR)/xdpkit
	rm -f $(addprefix $(DESTDIR)$(SYSTEMDUNITDIR)/,$(notdir $(UNITS)))
	rm -f $(DESTDIR)$(DOCDIR)/README.md $(addprefix $(DESTDIR)$(DOCDIR)/docs/,$(notdir $(DOC_FILES)))
	-rmdir $(DESTDIR)$(PREFIX)/lib/xdpkit $(DESTDIR)$(PREFIX)/include/xdpkit \
		$(DESTDIR)$(DOCDIR)/docs $(DESTDIR)$(DOCDIR) 2>/dev/null

# The program pages: no man warnings, their sections and recipes, MAPS against the objects' BTF.
test-man: man
	PREFIX=$(PREFIX) tests/manpages.sh

# The Debian package, built in a temporary copy of the tree: its files, lintian, an apt install into a
# fresh bookworm root when one is at hand.
test-package:
	tests/package.sh

# Install into a temporary DESTDIR, check every file, build a program of one's own against the
# installed headers and see it counted by the installed xdpkit; uninstall leaves nothing.
test-install: all
	tests/install.sh

# One formatting for every C file (.clang-format, kernel style at 100 columns, strings never split):
# `make format` applies it; `make format-check` (in make test, for CI) lists the files that differ and
# the source files without an SPDX line (scripts/spdx-check.sh), and fails if there is one.
CLANG_FORMAT ?= clang-format
FORMAT_FILES = $(shell git ls-files -co --exclude-standard '*.c' '*.h' 2>/dev/null)

format:
	$(Q)$(CLANG_FORMAT) -i $(FORMAT_FILES)

format-check: spdx-check
	$(Q)command -v $(CLANG_FORMAT) >/dev/null || { echo "format-check: $(CLANG_FORMAT) is missing: run scripts/deps.sh test"; exit 1; }
	$(Q)bad=$$(for f in $(FORMAT_FILES); do \
		$(CLANG_FORMAT) --dry-run -Werror "$$f" >/dev/null 2>&1 || echo "  $$f"; done); \
	[ -z "$$bad" ] || { echo "format-check: these differ from .clang-format (make format fixes them):"; \
		echo "$$bad"; exit 1; }

spdx-check:
	$(Q)scripts/spdx-check.sh

clean:
	rm -rf $(BUILD)

# make bench: its objects live in build/bench/ only: each program built without its verdict counting
# (-DXK_NO_STATS, same source), pong without its checksum verification, a bare XDP_DROP baseline and the rule
# writer. scripts/bench/run.sh does the rest.
BENCH_OBJS := $(addprefix $(BUILD)/bench/,$(addsuffix _nostats.bpf.o,$(PROGS)) drop.bpf.o bare.bpf.o \
	xk-fill pong_noverify.bpf.o blocklist_nocapture.bpf.o)

$(BUILD)/bench/%_nostats.bpf.o: progs/%.bpf.c
	$(call msg,CLANG,$@)
	$(Q)mkdir -p $(@D) && $(CLANG) $(BPF_CFLAGS) -DXK_NO_STATS -c $< -o $@

# blocklist without xdpkit dump's capture hook (-DXK_NO_CAPTURE, same source): what the switch costs when off.
$(BUILD)/bench/blocklist_nocapture.bpf.o: progs/blocklist.bpf.c
	$(call msg,CLANG,$@)
	$(Q)mkdir -p $(@D) && $(CLANG) $(BPF_CFLAGS) -DXK_NO_CAPTURE -c $< -o $@

# pong without its checksum verification (-DPONG_NO_VERIFY, same source): what verifying costs.
$(BUILD)/bench/pong_noverify.bpf.o: progs/pong.bpf.c
	$(call msg,CLANG,$@)
	$(Q)mkdir -p $(@D) && $(CLANG) $(BPF_CFLAGS) -DPONG_NO_VERIFY -c $< -o $@

$(BUILD)/bench/drop.bpf.o: scripts/bench/drop.bpf.c
	$(call msg,CLANG,$@)
	$(Q)mkdir -p $(@D) && $(CLANG) $(BPF_CFLAGS) -c $< -o $@

# One lookup on blocklist's own maps and nothing else: the physical floor of items c and h.
$(BUILD)/bench/bare.bpf.o: scripts/bench/bare.bpf.c
	$(call msg,CLANG,$@)
	$(Q)mkdir -p $(@D) && $(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/bench/xk-fill: scripts/bench/fill.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(USER_CFLAGS) $(LDFLAGS) $< -o $@ $(XDP_LIBS) -lelf -lz

bench: all $(BENCH_OBJS)
	scripts/bench/run.sh

-include $(BPF_OBJS:.o=.d) $(MANAGER_OBJS:.o=.d) $(UNIT_OBJS:.o=.d) $(VERIFIER_OBJS:.o=.d) $(TEST_OBJS:.o=.d) \
	$(FUZZ_MANAGER_OBJS:.o=.d) $(addsuffix .d,$(FUZZ_TARGETS)) \
	$(BUILD)/bench/pong_noverify.bpf.d $(BUILD)/bench/bare.bpf.d $(BUILD)/bench/blocklist_nocapture.bpf.d \
	$(BUILD)/manager/dump_fexit.bpf.d
-include $(BUILD)/difffuzz-run.d

demo: all
	scripts/demo.sh
