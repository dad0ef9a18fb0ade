#!/bin/bash
# Host-side tests of vpnmss-probe without a network: its profile values
# (include/vpnmss_profiles.h, shared with the extension) against the
# extension's own --help, every profile at 1500 and 1454, both families (libxt_vpnmss.c's --help table with XTABLES_LIBDIR
# pointing at the build tree, as tests/host/extension.sh does); --help;
# and exit status 2 for bad arguments.  Needs 'make lib probe'.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
export XTABLES_LIBDIR=$top:/usr/lib/x86_64-linux-gnu/xtables
probe=$top/.build/probe/vpnmss-probe
ok() { echo "ok - $1"; }
notok() { echo "not ok - $1: $2"; }

if [ ! -x "$probe" ] || [ ! -f "$top/libxt_VPNMSS.so" ]; then
	notok "host probe" "no $probe or libxt_VPNMSS.so (make lib probe)"
	exit 0
fi

help=$(iptables -j VPNMSS --help 2>/dev/null)
names=$(awk '/^Profiles/ { p = 1; next } p && NF == 7 && $6 ~ /^-?[0-9]+\/-?[0-9]+$/ { print $1 }' <<<"$help")
[ -n "$names" ] || notok "host probe: profiles" "none in iptables -j VPNMSS --help"
n=0 bad=0
for link in 1500 1454; do
	case $link in 1500) col=6 ;; 1454) col=7 ;; esac
	mine=$("$probe" --profiles --link $link)
	for p in $names; do
		want=$(awk -v p="$p" -v c="$col" '$1 == p && NF == 7 && $6 ~ /^-?[0-9]+\/-?[0-9]+$/ { print $c }' <<<"$help")
		got=$(awk -v p="$p" '$1 == p { print $3 "/" $4 }' <<<"$mine")
		if [ "$got" = "$want" ]; then
			n=$((n + 1))
		else
			notok "host probe: profile $p@$link" "probe says '$got', extension '$want'"
			bad=1
		fi
	done
	# and nothing the extension lacks
	extra=$(awk 'NR > 1 { print $1 }' <<<"$mine" | grep -vxF "$names")
	[ -z "$extra" ] || { notok "host probe: profiles@$link" "not in the extension: $extra"; bad=1; }
done
[ $bad = 1 ] || [ $n = 0 ] || ok "host probe: $n profile values (v4/v6 MSS at 1500 and 1454) match the extension's"

out=$("$probe" --help)
if [[ $out == Usage:*"Exit status"* ]]; then
	ok "host probe: --help"
else
	notok "host probe: --help" "$out"
fi
for args in "--min 5 h" "--udp 0 h" "--profile nope h" "--link 1454 h" "--bogus h" ""; do
	# shellcheck disable=SC2086
	err=$("$probe" $args 2>&1 >/dev/null)
	rc=$?
	w=${args%% *}
	if [ $rc = 2 ] && [[ $err == *"${w:-no HOST}"* ]]; then
		ok "host probe: '${args}' exits 2 naming ${w:-no HOST}"
	else
		notok "host probe: '${args}'" "exit $rc: $err"
	fi
done
