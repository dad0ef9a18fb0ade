#!/bin/bash
# The supported kernel range, as compat/compat.h and dkms.conf state it,
# agrees with the range the README gives: each kernel below is built by
# compat.h (LINUX_VERSION_CODE, RHEL_MAJOR from a stand-in linux/version.h)
# and matched by BUILD_EXCLUSIVE_KERNEL exactly when it is supported.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/linux"
re=$(sed -n 's/^BUILD_EXCLUSIVE_KERNEL="\(.*\)"/\1/p' "$top/dkms.conf")

# KERNELRELEASE VERSION RHEL_MAJOR|- WANT(yes|no)
while read -r rel a b c rhel want; do
	{
		echo "#define LINUX_VERSION_CODE $(( (a << 16) + (b << 8) + c ))"
		echo "#define KERNEL_VERSION(a, b, c) (((a) << 16) + ((b) << 8) + (c))"
		[ "$rhel" = - ] || echo "#define RHEL_MAJOR $rhel"
	} > "$tmp/linux/version.h"
	if gcc -fsyntax-only -I "$tmp" -include "$top/compat/compat.h" -x c /dev/null 2>/dev/null
	then built=yes; else built=no; fi
	if echo "$rel" | grep -Eq "$re"; then dkms=yes; else dkms=no; fi
	if [ "$built $dkms" = "$want $want" ]; then
		echo "ok - host range: $rel: supported=$want (compat.h and dkms.conf agree)"
	else
		echo "not ok - host range: $rel: want $want, compat.h builds: $built, dkms.conf matches: $dkms"
	fi
done <<'LIST'
4.17.19 4 17 19 - no
4.18.20 4 18 20 - no
4.18.0-553.66.1.el8_10.x86_64 4 18 0 8 yes
4.19.0-27-amd64 4 19 0 - no
5.3.18 5 3 18 - no
5.4.0-150-generic 5 4 0 - yes
5.10.0-30-amd64 5 10 0 - yes
5.14.0-570.32.1.el9_6.x86_64 5 14 0 9 yes
6.1.0-57-amd64 6 1 0 - yes
6.12.0-55.24.1.el10_0.x86_64 6 12 0 10 yes
6.12.118+deb13-amd64 6 12 118 - yes
7.3.4+deb13-amd64 7 3 4 - yes
7.4.0 7 4 0 - no
3.10.0-1160.el7.x86_64 3 10 0 7 no
LIST
