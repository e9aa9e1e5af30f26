# SPDX-License-Identifier: GPL-2.0
#
# Developer front end.  Kbuild (next to this file) lists the objects; this
# file only drives the kernel's build system and the project's scripts.
#
#   make [modules]         build zram.ko against KDIR
#   make clean
#   make check             sparse (C=2) and W=1 builds, no call cycle between
#                          the module's files (scripts/check-calls.py), then
#                          checkpatch and shellcheck (scripts/sources.sh)
#   make check-all         the same against every target kernel
#   make kunit             KUnit suites in the debug kernel under QEMU
#   make test              the suites on every target kernel under QEMU
#                          (FULL=1: every suite on every kernel)
#   make demo              provision, then compressed swap in a 6.12 guest
#   make bench             ours against the stock zram in one 6.12 guest;
#                          BENCH_ARGS="--kernel 6.1 --rounds 5 ..." (see
#                          scripts/bench.sh)
#   make mutants           each broken tree of tests/mutants/ is caught
#                          (MUTANTS="leak-reset ..." for some of them)
#   make install           install into the running kernel's updates/
#   make dkms-install / dkms-uninstall
#   make deb               the zram-backport-dkms package, lintian-checked

KDIR ?= /lib/modules/$(shell uname -r)/build
CACHE ?= $(or $(ZRAM_CACHE),/var/cache/zram-backport)
KBUILD = $(MAKE) -C $(KDIR) M=$(CURDIR)
# make bench's physical limit, a module of its own (tests/bench/limit)
KBUILD_LIMIT = $(MAKE) -C $(KDIR) M=$(CURDIR)/tests/bench/limit

# Files the style and static checks read
# (expanded by the style targets only: DKMS builds without scripts/)
SOURCES = $(or $(shell bash scripts/sources.sh c),$(error scripts/sources.sh listed no C files))
SCRIPTS = $(or $(shell bash scripts/sources.sh sh),$(error scripts/sources.sh listed no scripts))

.PHONY: all modules clean check check-all style sparse w1 calls kunit test demo \
	bench mutants provision install dkms-install dkms-uninstall deb

all: modules

modules:
	$(KBUILD) modules

clean:
	$(KBUILD) clean
	$(KBUILD_LIMIT) clean
	rm -f compat/*.o.cmd

# Warnings are errors here: the project builds warning-free on every target.
w1:
	$(KBUILD) clean >/dev/null
	$(KBUILD) W=1 KCFLAGS=-Werror modules
	$(KBUILD_LIMIT) clean >/dev/null
	$(KBUILD_LIMIT) W=1 KCFLAGS=-Werror modules

sparse:
	$(KBUILD) clean >/dev/null
	$(KBUILD) C=2 modules 2>&1 | tee .sparse.log
	$(KBUILD_LIMIT) C=2 modules 2>&1 | tee -a .sparse.log
	@! grep -E ': (warning|error):' .sparse.log
	@rm -f .sparse.log

style:
	scripts/checkpatch.sh $(SOURCES)
	shellcheck -S warning $(SCRIPTS)

# No object of the module calls back into one that calls it (w1's build)
calls: w1
	scripts/check-calls.py .

check: w1 calls sparse style

check-all:
	scripts/check-all.sh

provision:
	scripts/provision.sh

kunit: provision
	scripts/run-tests.sh --kernels debug --suites kunit

test: provision
	scripts/run-tests.sh $(if $(filter 1,$(FULL)),--full)

demo: provision
	scripts/demo.sh

bench: provision
	scripts/bench.sh $(BENCH_ARGS)

mutants: provision
	scripts/mutant.sh $(MUTANTS)

install: modules
	$(KBUILD) INSTALL_MOD_DIR=updates modules_install
	depmod -a

dkms-install:
	scripts/dkms.sh install

dkms-uninstall:
	scripts/dkms.sh uninstall

deb:
	scripts/build-deb.sh $(CACHE)/deb
