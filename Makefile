# xdpkit build: every progs/<name>.bpf.c becomes build/<name>.bpf.o; the manager becomes build/xdpkit.
# `make V=1` shows full commands. Adding a program is adding one file.

CLANG ?= clang
CC ?= cc
PKG_CONFIG ?= pkg-config
PREFIX ?= /usr/local
DESTDIR ?=
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
CFLAGS ?= -O2 -g
USER_CFLAGS := $(CFLAGS) -Wall -Wextra -Werror -Iinclude $(XDP_CFLAGS) -MMD -MP \
	-DXDPKIT_LIBDIR='"$(PREFIX)/lib/xdpkit"'

MANAGER_SRCS := $(wildcard manager/*.c)
MANAGER_OBJS := $(patsubst manager/%.c,$(BUILD)/manager/%.o,$(MANAGER_SRCS))
UNIT_SRCS := $(wildcard tests/unit/*.c)
UNIT_OBJS := $(patsubst tests/unit/%.c,$(BUILD)/unit/%.o,$(UNIT_SRCS))
# Deliberately broken programs for `xdpkit check`: they compile, and fail only in the verifier.
VERIFIER_OBJS := $(patsubst tests/verifier/%.bpf.c,$(BUILD)/verifier/%.bpf.o,$(wildcard tests/verifier/*.bpf.c))
# Objects only the e2e tests use, built here because the VM guest that also runs them has no clang.
TEST_OBJS := $(patsubst tests/e2e/objs/%.bpf.c,$(BUILD)/test-objs/%.bpf.o,$(wildcard tests/e2e/objs/*.bpf.c))

.PHONY: all progs manager clean test test-unit test-e2e test-vm test-vm-e2e bench demo install deps test-verifier \
	stress test-stress-short
all: progs manager
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

$(BUILD)/manager/%.o: manager/%.c | $(BUILD)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(USER_CFLAGS) -c $< -o $@

$(BUILD)/xdpkit: $(MANAGER_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $^ -o $@ $(XDP_LIBS) -lelf -lz

$(BUILD)/verifier/%.bpf.o: tests/verifier/%.bpf.c | $(BUILD)
	$(call msg,CLANG,$@)
	$(Q)mkdir -p $(@D) && $(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/test-objs/%.bpf.o: tests/e2e/objs/%.bpf.c | $(BUILD)
	$(call msg,CLANG,$@)
	$(Q)mkdir -p $(@D) && $(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/unit/%.o: tests/unit/%.c | $(BUILD)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(USER_CFLAGS) -c $< -o $@

# Manager pieces the unit tests call directly (no program loaded): the BTF-typed key/value text.
UNIT_MANAGER_OBJS := $(BUILD)/manager/btf_fmt.o $(BUILD)/manager/btf_parse.o $(BUILD)/manager/json.o

$(BUILD)/unit-tests: $(UNIT_OBJS) $(UNIT_MANAGER_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $^ -o $@ $(XDP_LIBS) -lelf -lz

$(BUILD):
	$(Q)mkdir -p $@

deps:
	$(Q)scripts/deps.sh

test-unit: all $(BUILD)/unit-tests
	$(BUILD)/unit-tests $(BUILD)

test-e2e: all $(TEST_OBJS)
	tests/e2e/run.sh

test-verifier: all $(VERIFIER_OBJS)
	tests/verifier/run.sh

test-vm: all
	scripts/vmtest.sh all

# The e2e suite inside the guests (both kernels side by side): dispatcher-chained attach, no clang there.
# It takes far longer than tests/vm under TCG, hence its own timeout per kernel.
test-vm-e2e: all $(TEST_OBJS)
	VMTEST_TIMEOUT=$${VMTEST_TIMEOUT:-1800} scripts/vmtest.sh all e2e

# The hardening suite (tests/stress): 8 managers at once, kill -9, interfaces and namespaces deleted,
# the bad-input matrix. make test runs each case's short version; make stress the full one.
test-stress-short: all $(TEST_OBJS)
	tests/stress/run.sh short

stress: all $(TEST_OBJS)
	tests/stress/run.sh full

test: test-unit test-verifier test-e2e test-stress-short test-vm

install: all
	install -d $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(PREFIX)/lib/xdpkit
	install -m 0755 $(BUILD)/xdpkit $(DESTDIR)$(PREFIX)/sbin/xdpkit
	install -m 0644 $(BPF_OBJS) $(DESTDIR)$(PREFIX)/lib/xdpkit/

clean:
	rm -rf $(BUILD)

# make bench: its objects live in build/bench/ only: each program built without its verdict counting
# (-DXK_NO_STATS, same source), a bare XDP_DROP baseline and the rule writer. scripts/bench/run.sh does the rest.
BENCH_OBJS := $(addprefix $(BUILD)/bench/,$(addsuffix _nostats.bpf.o,$(PROGS)) drop.bpf.o xk-fill)

$(BUILD)/bench/%_nostats.bpf.o: progs/%.bpf.c
	$(call msg,CLANG,$@)
	$(Q)mkdir -p $(@D) && $(CLANG) $(BPF_CFLAGS) -DXK_NO_STATS -c $< -o $@

$(BUILD)/bench/drop.bpf.o: scripts/bench/drop.bpf.c
	$(call msg,CLANG,$@)
	$(Q)mkdir -p $(@D) && $(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/bench/xk-fill: scripts/bench/fill.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(USER_CFLAGS) $< -o $@ $(XDP_LIBS) -lelf -lz

bench: all $(BENCH_OBJS)
	scripts/bench/run.sh

-include $(BPF_OBJS:.o=.d) $(MANAGER_OBJS:.o=.d) $(UNIT_OBJS:.o=.d) $(VERIFIER_OBJS:.o=.d) $(TEST_OBJS:.o=.d)

demo: all
	scripts/demo.sh
