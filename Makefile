# SPDX-License-Identifier: GPL-2.0-only
#
# make            the module (for KVER) and the iptables extension
# make check      every test tier, installing what is missing (see README)
# make check-debug  scenarios on a KASAN/kmemleak/lockdep kernel (tests/debug)
# make demo       the seed-000 story in a guest
# make dist       vpnmss-VERSION.tar.gz, with the RPM spec for rpmbuild -ta
# make srpm       the source RPM from that tarball (rpm/vpnmss.spec.in)
#
# The version lives in dkms.conf only; Kbuild, the spec, the man page and
# make dist read it, and tests/packaging checks debian/changelog and
# CHANGELOG against it.

VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)

# The running kernel's headers, or else the newest installed ones.
KVER ?= $(shell k=$$(uname -r); \
	if [ -d /lib/modules/$$k/build ]; then echo $$k; \
	else ls -d /lib/modules/*/build 2>/dev/null | sed 's|/lib/modules/||; s|/build||' | sort -V | tail -n 1; fi)
KDIR ?= /lib/modules/$(KVER)/build
# Each kernel gets its own copy of the sources: Kbuild builds in place.
MODDIR ?= .build/$(KVER)

CC ?= gcc
CFLAGS ?= -O2 -g
XT_CFLAGS := -Wall -Wextra -Werror -fPIC $(shell pkg-config --cflags xtables 2>/dev/null)
XTLIBDIR ?= $(shell pkg-config --variable=xtlibdir xtables 2>/dev/null || echo /usr/lib/x86_64-linux-gnu/xtables)
MANDIR ?= /usr/share/man/man8
SRCDIR ?= /usr/src

KSRC := xt_vpnmss.c Kbuild dkms.conf include/xt_vpnmss.h compat/compat.h

.PHONY: all module lib man tools probe install-probe install install-lib install-dkms check check-kunit check-debug demo style clean dist srpm bench

all: module lib

module: $(MODDIR)/xt_vpnmss.ko

# A Debian 13 kernel (+deb13) without headers here, as on a Debian 12
# host, builds in the trixie build root, with trixie's gcc 14 and headers
# (tests/guest/kernels root, tests/guest/trixie-root run).
$(MODDIR)/xt_vpnmss.ko: $(KSRC)
	mkdir -p $(MODDIR)/include $(MODDIR)/compat
	cp xt_vpnmss.c Kbuild dkms.conf $(MODDIR)/
	cp include/xt_vpnmss.h $(MODDIR)/include/
	cp compat/compat.h $(MODDIR)/compat/
	@if [ ! -d $(KDIR) ] && case "$(KVER)" in *+deb13-*) [ -x tests/guest/trixie-root ];; *) false;; esac; then \
		root=$$(tests/guest/kernels root $(KVER)) || exit 1; \
		echo "trixie root $$root: make -C /lib/modules/$(KVER)/build M=/vpnmss/$(MODDIR)"; \
		tests/guest/trixie-root run "$$root" make -C /lib/modules/$(KVER)/build \
			M=/vpnmss/$(MODDIR) W=1 KCFLAGS="-Werror $(XKCFLAGS)" modules; \
	else \
		test -d $(KDIR) || { echo "no kernel headers at $(KDIR) (install linux-headers-$(KVER))" >&2; exit 1; }; \
		$(MAKE) -C $(KDIR) M=$(CURDIR)/$(MODDIR) W=1 KCFLAGS="-Werror $(XKCFLAGS)" modules; \
	fi

lib: libxt_VPNMSS.so

# Ask the xtables.h built against what it declares, rather than its version,
# as compat/compat.h does the kernel's headers (tests/xtables builds against
# each Debian release's libxtables-dev).
XT_HAVE = $(shell echo 'char *(*vpnmss_probe)(const char *) = xtables_strdup;' | \
	$(CC) $(CPPFLAGS) $(CFLAGS) $(XT_CFLAGS) -include xtables.h -x c -fsyntax-only - \
	2>/dev/null && echo -DHAVE_XTABLES_STRDUP)

libxt_VPNMSS.so: libxt_vpnmss.c include/xt_vpnmss.h include/vpnmss_profiles.h
	$(CC) $(CPPFLAGS) $(CFLAGS) $(XT_CFLAGS) $(XT_HAVE) $(LDFLAGS) -shared -o $@ $< -lxtables

# libxt_VPNMSS.man is the iptables-extensions(8) style fragment; the man
# page wraps it.
man: .build/libxt_VPNMSS.8

.build/libxt_VPNMSS.8: libxt_VPNMSS.man dkms.conf
	mkdir -p .build
	{ printf '%s\n' '.TH LIBXT_VPNMSS 8 "" "vpnmss $(VERSION)" "vpnmss"'; \
	  printf '%s\n' '.SH NAME'; \
	  printf '%s\n' 'libxt_VPNMSS \- the VPNMSS target: TCP MSS clamping per VPN tunnel subnet'; \
	  printf '%s\n' '.SH SYNOPSIS'; \
	  printf '%s\n' '\fBiptables\fP|\fBip6tables\fP \fB\-t mangle\fP ... \fB\-p tcp \-j VPNMSS \-\-vpn\-mss\fP \fIcidr\fP\fB=\fP\fIvalue\fP[\fB,\fP...]'; \
	  printf '%s\n' '.SH DESCRIPTION'; \
	  cat libxt_VPNMSS.man; \
	  printf '%s\n' '.SH SEE ALSO'; \
	  printf '%s\n' '\fBiptables\fP(8), \fBiptables\-extensions\fP(8)'; } > $@

tools:
	$(MAKE) -C tests/tools O=$(CURDIR)/.build/tools

# vpnmss-probe, the path MTU finder (probe/Makefile; the guest's static
# copy is 'make -C probe static').
SBINDIR ?= /usr/sbin

probe:
	$(MAKE) -C probe

install-probe: probe
	$(MAKE) -C probe install DESTDIR=$(DESTDIR) SBINDIR=$(SBINDIR) MANDIR=$(MANDIR)

install: module install-lib
	install -D -m 644 $(MODDIR)/xt_vpnmss.ko /lib/modules/$(KVER)/updates/xt_vpnmss.ko
	depmod -a $(KVER)

# The extension and its man page (the Debian and RPM packages use this).
install-lib: lib man
	install -D -m 644 libxt_VPNMSS.so $(DESTDIR)$(XTLIBDIR)/libxt_VPNMSS.so
	install -D -m 644 .build/libxt_VPNMSS.8 $(DESTDIR)$(MANDIR)/libxt_VPNMSS.8

# The module's sources as DKMS wants them, in $(SRCDIR)/vpnmss-VERSION.
install-dkms:
	for f in $(KSRC); do \
		install -D -m 644 $$f $(DESTDIR)$(SRCDIR)/vpnmss-$(VERSION)/$$f || exit 1; \
	done

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

# The committed tree (HEAD) plus the spec made from rpm/vpnmss.spec.in, at
# the top of the tarball where rpmbuild -ta looks for it.
dist:
	mkdir -p .build
	sed 's/@VERSION@/$(VERSION)/g' rpm/vpnmss.spec.in > .build/vpnmss.spec
	git archive --prefix=vpnmss-$(VERSION)/ --add-file=.build/vpnmss.spec \
		-o vpnmss-$(VERSION).tar.gz HEAD

srpm: dist
	rpmbuild -ts --define '_srcrpmdir $(CURDIR)/.build' vpnmss-$(VERSION).tar.gz
