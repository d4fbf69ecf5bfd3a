# SPDX-License-Identifier: GPL-2.0
#
# pcn: network functions in eBPF, driven by one command, no daemon.
#
#   make                  build build/pcn (eBPF programs embedded)
#   make check            build and run every selftest
#   make install          DESTDIR= PREFIX=/usr/local (SYSTEMDUNITDIR=,
#                         PCN_CONFDIR=/etc/pcn: the boot unit's files)
#   make clean
#   make V=1              show the commands
#   make SANITIZE=1       ASan + UBSan build, in build-sanitize/
#   make bench            benchmarks (not part of check)
#   make deb              the Debian package, in build-deb/ (debian/)
#
# Packagers: CFLAGS, CPPFLAGS and LDFLAGS from the environment reach every
# object; WERROR=0 turns warnings back into warnings (developers and CI
# keep -Werror); make install strips nothing unless STRIP=1; nothing here
# installs packages (make deps, make check, make demo and .ci/run do).

VERSION := 0.1.0

PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
DOCDIR ?= $(PREFIX)/share/doc/pcn
# <pcn/probe.h>, for the probes users build (pcn-probe(8))
INCLUDEDIR ?= $(PREFIX)/include
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
# where CNI runtimes find plugins (Debian's containernetworking-plugins)
CNIDIR ?= $(PREFIX)/lib/cni
# where the boot unit finds what to restore (pcn save writes there)
PCN_CONFDIR ?= /etc/pcn
DESTDIR ?=

CC ?= gcc
CLANG ?= clang
BPFTOOL ?= bpftool
INSTALL ?= install

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

ifeq ($(SANITIZE),1)
O ?= build-sanitize
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	     -fno-omit-frame-pointer
else
O ?= build
SAN_FLAGS :=
endif

# Debian keeps asm/ in the multiarch directory, which clang -target bpf
# does not search by itself.
MULTIARCH := $(shell $(CC) -print-multiarch 2>/dev/null)

# As in the kernel, -Wformat-truncation is off: pin paths are built from
# names bounded at 15 characters under a root bounded by PATH_MAX.
WERROR ?= 1
ifeq ($(WERROR),1)
ERROR_FLAG := -Werror
else
ERROR_FLAG :=
endif
WARNINGS := -Wall -Wextra $(ERROR_FLAG) -Wmissing-prototypes -Wformat=2 \
	    -Wno-unused-parameter -Wshadow -Wstrict-prototypes \
	    -Wno-format-truncation
CFLAGS ?= -O2 -g
override CFLAGS += -std=gnu11 $(WARNINGS) $(SAN_FLAGS) -D_GNU_SOURCE \
		   -DPCN_VERSION='"$(VERSION)"' -Ilib -Ipcn -Ibpf -I$(O)/bpf \
		   -MMD -MP
override LDFLAGS += $(SAN_FLAGS)
LDLIBS := -lbpf -lmnl -lelf -lz
# user-space compiles: the environment's preprocessor flags first
COMPILE = $(CC) $(CPPFLAGS) $(CFLAGS)
# libpcap, optional: "pcn capture ... pcap-filter EXPRESSION" where it
# is there (libpcap-dev), an error saying so where not; PCAP=0 leaves it out
PCAP ?= $(shell pkg-config --exists libpcap 2>/dev/null && echo 1)
ifeq ($(PCAP),1)
override CFLAGS += -DPCN_HAVE_PCAP
LDLIBS += $(shell pkg-config --libs libpcap 2>/dev/null || echo -lpcap)
endif

BPF_CFLAGS := -target bpf -O2 -g -Wall $(ERROR_FLAG) -Ibpf \
	      $(if $(MULTIARCH),-I/usr/include/$(MULTIARCH))

BPF_SRCS := $(wildcard bpf/*.bpf.c)
BPF_NAMES := $(patsubst bpf/%.bpf.c,%,$(BPF_SRCS))
BPF_OBJS := $(foreach n,$(BPF_NAMES),$(O)/bpf/$(n).xdp.o $(O)/bpf/$(n).tc.o)
SKELS := $(foreach n,$(BPF_NAMES),$(O)/bpf/$(n)_xdp.skel.h \
	   $(O)/bpf/$(n)_tc.skel.h)

OBJ := $(O)/obj
LIB_OBJS := $(patsubst %.c,$(OBJ)/%.o,$(wildcard lib/*.c))
# the command, and every cube type: a folder of pcn/cubes/ (each
# registers itself, see pcn/pcn.h)
CMD_OBJS := $(patsubst %.c,$(OBJ)/%.o,$(wildcard pcn/*.c))
TYPE_OBJS := $(patsubst %.c,$(OBJ)/%.o,$(wildcard pcn/cubes/*/*.c))
PCN_OBJS := $(CMD_OBJS) $(TYPE_OBJS)
# everything but main(), for the C selftests
PCN_CORE := $(filter-out $(OBJ)/pcn/main.o,$(PCN_OBJS)) $(LIB_OBJS)

TEST_DIR := tools/testing/selftests/pcn
TEST_SRCS := $(wildcard $(TEST_DIR)/test_*.c)
TEST_BINS := $(patsubst $(TEST_DIR)/%.c,$(O)/tests/%,$(TEST_SRCS))
# the selftests' own eBPF programs (progs/), XDP and TC builds of each
TEST_PROG_NAMES := $(patsubst $(TEST_DIR)/progs/%.bpf.c,%,$(wildcard $(TEST_DIR)/progs/*.bpf.c))
TEST_SKELS := $(foreach n,$(TEST_PROG_NAMES),$(O)/tests/progs/$(n)_xdp.skel.h \
		$(O)/tests/progs/$(n)_tc.skel.h)

TOOLS_SRCS := $(filter-out %.bpf.c,$(wildcard tools/*.c))
TOOLS_BINS := $(patsubst tools/%.c,$(O)/tools/%,$(TOOLS_SRCS))
TOOLS_SKELS := $(patsubst tools/%.bpf.c,$(O)/tools/%.skel.h,$(wildcard tools/*.bpf.c))

MANS := $(wildcard Documentation/*.8)

all: $(O)/pcn

# installing what pcn needs is never a side effect of building: "make
# deps", "make check" and "make demo" (and .ci/run) do it
deps:
	$(Q)scripts/install-deps.sh all

# The bridge's fdb generation needs fetching atomics (BPF ISA v3). Not
# every object: under v3 the firewall's programs pass the verifier's
# 1M-instruction limit.
$(O)/bpf/bridge.xdp.o $(O)/bpf/bridge.tc.o: BPF_CFLAGS += -mcpu=v3

# objects depend on the Makefile too: a change of flags rebuilds them
$(O)/bpf/%.xdp.o: bpf/%.bpf.c $(wildcard bpf/*.h) Makefile | $(O)/bpf
	$(call msg,CLANG,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -DPCN_BUILD_XDP -c $< -o $@

$(O)/bpf/%.tc.o: bpf/%.bpf.c $(wildcard bpf/*.h) Makefile | $(O)/bpf
	$(call msg,CLANG,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -DPCN_BUILD_TC -c $< -o $@

$(O)/bpf/%_xdp.skel.h: $(O)/bpf/%.xdp.o
	$(call msg,GENSKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $*_xdp > $@.tmp && mv $@.tmp $@

$(O)/bpf/%_tc.skel.h: $(O)/bpf/%.tc.o
	$(call msg,GENSKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $*_tc > $@.tmp && mv $@.tmp $@

# user-space objects include the skeletons
$(PCN_OBJS) $(LIB_OBJS): $(SKELS)

$(OBJ)/lib/%.o: lib/%.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(COMPILE) -c $< -o $@

$(OBJ)/pcn/%.o: pcn/%.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(COMPILE) -c $< -o $@

$(OBJ)/pcn/cubes/%.o: pcn/cubes/%.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(COMPILE) -c $< -o $@

$(O)/pcn: $(PCN_OBJS) $(LIB_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
	$(Q)ln -sf pcn $(O)/pcn-cni

$(O)/tests/%: $(OBJ)/$(TEST_DIR)/%.o $(PCN_CORE)
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(O)/tools/%: $(OBJ)/tools/%.o $(PCN_CORE)
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(O)/bpf:
	$(Q)mkdir -p $@

# static pattern rules: tools/%.o would match the selftests too
TEST_OBJS := $(patsubst %.c,$(OBJ)/%.o,$(TEST_SRCS))
TOOLS_OBJS := $(patsubst %.c,$(OBJ)/%.o,$(TOOLS_SRCS))

$(TEST_OBJS): $(OBJ)/$(TEST_DIR)/%.o: $(TEST_DIR)/%.c $(SKELS) $(TEST_SKELS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(COMPILE) -I$(TEST_DIR) -I$(O)/tests/progs -c $< -o $@

$(O)/tests/progs/%.xdp.o: $(TEST_DIR)/progs/%.bpf.c $(wildcard bpf/*.h) Makefile
	$(call msg,CLANG,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -DPCN_BUILD_XDP -c $< -o $@

$(O)/tests/progs/%.tc.o: $(TEST_DIR)/progs/%.bpf.c $(wildcard bpf/*.h) Makefile
	$(call msg,CLANG,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -DPCN_BUILD_TC -c $< -o $@

$(O)/tests/progs/%_xdp.skel.h: $(O)/tests/progs/%.xdp.o
	$(call msg,GENSKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $*_xdp > $@.tmp && mv $@.tmp $@

$(O)/tests/progs/%_tc.skel.h: $(O)/tests/progs/%.tc.o
	$(call msg,GENSKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $*_tc > $@.tmp && mv $@.tmp $@

$(TOOLS_OBJS): $(OBJ)/tools/%.o: tools/%.c $(SKELS) $(TOOLS_SKELS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(COMPILE) -I$(O)/tools -c $< -o $@

# the benchmark tools' own eBPF programs (XDP and TC, one object each)
$(O)/tools/%.bpf.o: tools/%.bpf.c Makefile
	$(call msg,CLANG,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(O)/tools/%.skel.h: $(O)/tools/%.bpf.o
	$(call msg,GENSKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $* > $@.tmp && mv $@.tmp $@

tests: $(O)/pcn $(TEST_BINS) $(TOOLS_BINS)

# The README's test command. The last line is "N passed, N failed, N skipped".
# What is missing is installed first, before anything is built.
check:
	$(Q)scripts/install-deps.sh test
	$(Q)$(MAKE) --no-print-directory all
	$(Q)$(MAKE) --no-print-directory -C $(TEST_DIR) OUTPUT=$(abspath $(O)) \
		TESTS="$(TESTS)" run_tests

bench:
	$(Q)scripts/install-deps.sh bench
	$(Q)$(MAKE) --no-print-directory all tests
	$(Q)PCN=$(abspath $(O)/pcn) PCN_BUILD=$(abspath $(O)) \
		tools/testing/bench/run.sh

bench-quick:
	$(Q)scripts/install-deps.sh bench
	$(Q)$(MAKE) --no-print-directory all tests
	$(Q)PCN=$(abspath $(O)/pcn) PCN_BUILD=$(abspath $(O)) \
		tools/testing/bench/run.sh --quick

demo:
	$(Q)scripts/install-deps.sh test
	$(Q)$(MAKE) --no-print-directory all
	$(Q)PCN=$(abspath $(O)/pcn) scripts/demo.sh

# what make install puts under DOCDIR
DOCS := README.md $(wildcard Documentation/*.md)

install: all
	$(call msg,INSTALL,$(DESTDIR)$(SBINDIR)/pcn)
	$(Q)$(INSTALL) -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man8 \
		$(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(DOCDIR)
	$(Q)$(INSTALL) -m 0755 $(if $(filter 1,$(STRIP)),-s) $(O)/pcn \
		$(DESTDIR)$(SBINDIR)/pcn
	$(Q)$(INSTALL) -m 0644 $(MANS) $(DESTDIR)$(MANDIR)/man8/
	$(Q)$(INSTALL) -m 0644 bash-completion/pcn $(DESTDIR)$(BASHCOMPDIR)/pcn
	$(Q)$(INSTALL) -m 0644 $(DOCS) $(DESTDIR)$(DOCDIR)/
	$(Q)$(INSTALL) -d $(DESTDIR)$(INCLUDEDIR)/pcn $(DESTDIR)$(DOCDIR)/examples/probes
	$(Q)$(INSTALL) -m 0644 include/pcn/probe.h $(DESTDIR)$(INCLUDEDIR)/pcn/
	$(Q)$(INSTALL) -m 0644 examples/probes/*.c $(DESTDIR)$(DOCDIR)/examples/probes/
	$(Q)$(INSTALL) -d $(DESTDIR)$(SYSTEMDUNITDIR) $(DESTDIR)$(PCN_CONFDIR)
	$(Q)sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@CONFDIR@|$(PCN_CONFDIR)|g' \
		scripts/pcn-restore.service.in >$(DESTDIR)$(SYSTEMDUNITDIR)/pcn-restore.service
	$(Q)chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/pcn-restore.service
	$(Q)$(INSTALL) -d $(DESTDIR)$(CNIDIR)
	$(Q)ln -sf $(SBINDIR)/pcn $(DESTDIR)$(CNIDIR)/pcn-cni
	$(Q)$(INSTALL) -m 0644 scripts/pcn-metrics.socket $(DESTDIR)$(SYSTEMDUNITDIR)/
	$(Q)sed -e 's|@SBINDIR@|$(SBINDIR)|g' \
		scripts/pcn-metrics@.service.in >$(DESTDIR)$(SYSTEMDUNITDIR)/pcn-metrics@.service
	$(Q)chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/pcn-metrics@.service
	$(Q)sed -e 's|@SBINDIR@|$(SBINDIR)|g' \
		scripts/pcn-stp@.service.in >$(DESTDIR)$(SYSTEMDUNITDIR)/pcn-stp@.service
	$(Q)chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/pcn-stp@.service

uninstall:
	$(Q)rm -rf $(DESTDIR)$(INCLUDEDIR)/pcn $(DESTDIR)$(DOCDIR)/examples/probes
	$(Q)rm -f $(DESTDIR)$(SBINDIR)/pcn $(DESTDIR)$(BASHCOMPDIR)/pcn \
		$(DESTDIR)$(SYSTEMDUNITDIR)/pcn-restore.service \
		$(DESTDIR)$(CNIDIR)/pcn-cni \
		$(DESTDIR)$(SYSTEMDUNITDIR)/pcn-stp@.service \
		$(DESTDIR)$(SYSTEMDUNITDIR)/pcn-metrics.socket \
		$(DESTDIR)$(SYSTEMDUNITDIR)/pcn-metrics@.service \
		$(addprefix $(DESTDIR)$(MANDIR)/man8/,$(notdir $(MANS))) \
		$(addprefix $(DESTDIR)$(DOCDIR)/,$(notdir $(DOCS)))
	$(Q)rmdir $(DESTDIR)$(DOCDIR)/examples 2>/dev/null || true
	$(Q)rmdir $(DESTDIR)$(DOCDIR) 2>/dev/null || true

# the Debian package (debian/), built out of the tree's build/ so that a
# developer's build and the package's flags never mix; the .deb lands in
# build-deb/. Installs its build dependencies first, as make check does.
deb:
	$(Q)scripts/install-deps.sh deb
	$(Q)scripts/build-deb.sh --check

clean:
	$(call msg,CLEAN,build build-sanitize build-deb)
	$(Q)rm -rf build build-sanitize build-deb

.PHONY: all deps tests check bench bench-quick demo install uninstall \
	deb clean
.SECONDARY:
.DELETE_ON_ERROR:

-include $(shell find $(OBJ) -name '*.d' 2>/dev/null)
