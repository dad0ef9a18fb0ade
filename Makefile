# SPDX-License-Identifier: GPL-2.0-only
#
# make            the module (for KVER) and the iptables extension
# make check      every test tier, installing what is missing (see README)
# make check-debug  scenarios on a KASAN/kmemleak/lockdep kernel (tests/debug)
# make demo       the seed-000 story in a guest

VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)

# The running kernel's headers, or else the newest installed ones.
KVER ?= $(shell k=$$(uname -r); \
	if [ -d /lib/modules/$$k/build ]; then echo $$k; \
	else ls -d /lib/modules/*/build 2>/dev/null | sed 's|/lib/modules/||; s|/build||' | sort -V | tail -n 1; fi)
KDIR ?= /lib/modules/$(KVER)/build
# Each kernel gets its own copy of the sources: Kbuild builds in place.
MODDIR := .build/$(KVER)

CC ?= gcc
CFLAGS ?= -O2 -g
XT_CFLAGS := -Wall -Wextra -Werror -fPIC $(shell pkg-config --cflags xtables 2>/dev/null)
XTLIBDIR ?= $(shell pkg-config --variable=xtlibdir xtables 2>/dev/null || echo /usr/lib/x86_64-linux-gnu/xtables)
MANDIR ?= /usr/share/man/man8

KSRC := xt_vpnmss.c Kbuild dkms.conf include/xt_vpnmss.h compat/compat.h

.PHONY: all module lib tools install check check-kunit check-debug demo style clean dist bench

all: module lib

module: $(MODDIR)/xt_vpnmss.ko

$(MODDIR)/xt_vpnmss.ko: $(KSRC)
	@test -d $(KDIR) || { echo "no kernel headers at $(KDIR) (install linux-headers-$(KVER))" >&2; exit 1; }
	mkdir -p $(MODDIR)/include $(MODDIR)/compat
	cp xt_vpnmss.c Kbuild dkms.conf $(MODDIR)/
	cp include/xt_vpnmss.h $(MODDIR)/include/
	cp compat/compat.h $(MODDIR)/compat/
	$(MAKE) -C $(KDIR) M=$(CURDIR)/$(MODDIR) W=1 KCFLAGS=-Werror modules

lib: libxt_VPNMSS.so

libxt_VPNMSS.so: libxt_vpnmss.c include/xt_vpnmss.h
	$(CC) $(CFLAGS) $(XT_CFLAGS) -shared -o $@ $< -lxtables

tools:
	$(MAKE) -C tests/tools O=$(CURDIR)/.build/tools

install: module lib
	install -D -m 644 $(MODDIR)/xt_vpnmss.ko /lib/modules/$(KVER)/updates/xt_vpnmss.ko
	depmod -a $(KVER)
	install -D -m 644 libxt_VPNMSS.so $(DESTDIR)$(XTLIBDIR)/libxt_VPNMSS.so
	install -D -m 644 libxt_VPNMSS.man $(DESTDIR)$(MANDIR)/libxt_VPNMSS.8

check:
	tests/check

check-kunit:
	tests/check kunit

check-debug:
	tests/check debug

demo:
	tests/demo

bench:
	bench/run

style:
	tests/style

clean:
	rm -rf .build libxt_VPNMSS.so

dist:
	git archive --prefix=vpnmss-$(VERSION)/ -o vpnmss-$(VERSION).tar.gz HEAD
