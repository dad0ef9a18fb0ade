#!/bin/sh
# Fault injection (debug kernel, tests/debug/run): one allocation failure
# at every allocation point, one at a time, of the system call that
# carries a ruleset with a VPNMSS rule, for each configuration
#
#   BACKEND FAMILY-OPERATION  legacy or nft; 4 or 6; the operation:
#     plain    -A of a rule without --vpn-name
#     named    -A of a rule with --vpn-name (a new table)
#     replace  iptables-restore of the mangle table, the named rule's
#              entries changed under the same name
#   netns      ip netns add with xt_vpnmss loaded (its pernet init)
#
# Failures come from failslab and fail_page_alloc (GFP_KERNEL included),
# armed per task through /proc/thread-self/fail-nth by the LD_PRELOAD shim
# failnth.so (tests/tools/failnth.c) right before that system call only,
# and read back after it.  For N = 1, 2, ... the Nth allocation fails,
# until a run ends with the counter not consumed: every point was hit.
# Each injected failure must give a clean refusal (non-zero exit, the
# mangle table and /proc/net/xt_vpnmss* as before) or, where the kernel
# falls back (kvmalloc, kmemleak's pool), a complete success; the
# uninjected run must leave the rule in place and clamping.  Between
# configurations the router namespace is deleted with its rules in place
# (netns teardown); an oops or KASAN report panics the guest, and
# kmemleak.sh, which follows, looks for leaks.
#
#   VPNMSS_GUEST_FAULT_FULL=1        every configuration (default: a subset
#                                    that fits the debug tier's budget)
#   VPNMSS_GUEST_FAULT_CONFIGS="..." these configurations, e.g. "nft6-named"
#   VPNMSS_GUEST_FAULT_MAX=N         give up past N points (default 5000)
#   VPNMSS_GUEST_FAULT_VERBOSE=0|1|2 fault-injection "verbose" (default 0;
#                                    2 dumps a stack for each failure to
#                                    the kernel log, rate-limited)
. /tests/lib.sh

SHIM=/usr/local/bin/failnth.so
DBG=/sys/kernel/debug
MAX=${VPNMSS_GUEST_FAULT_MAX:-5000}
DEFAULT="legacy4-named nft4-named legacy6-replace nft6-replace legacy6-plain nft4-plain"
FULL="legacy4-plain legacy4-named legacy4-replace legacy6-plain legacy6-named
	legacy6-replace nft4-plain nft4-named nft4-replace nft6-plain nft6-named
	nft6-replace netns"
if [ -n "${VPNMSS_GUEST_FAULT_CONFIGS:-}" ]; then
	CONFIGS=$VPNMSS_GUEST_FAULT_CONFIGS
elif [ "${VPNMSS_GUEST_FAULT_FULL:-0}" = 1 ]; then
	CONFIGS=$FULL
else
	CONFIGS=$DEFAULT
fi

if [ ! -e /proc/thread-self/fail-nth ]; then
	skip "faultinj" "no /proc/thread-self/fail-nth (CONFIG_FAULT_INJECTION)"
	exit 0
fi
grep -q " $DBG " /proc/mounts || mount -t debugfs debugfs $DBG
for f in failslab fail_page_alloc; do
	if [ ! -d $DBG/$f ]; then
		notok "faultinj: $DBG/$f" "missing (CONFIG_FAULT_INJECTION_DEBUG_FS?)"
		exit 1
	fi
	# GFP_KERNEL allocations too; no random failures, only fail-nth.
	echo N >$DBG/$f/ignore-gfp-wait
	echo 0 >$DBG/$f/probability
	echo "${VPNMSS_GUEST_FAULT_VERBOSE:-0}" >$DBG/$f/verbose
done
echo 0 >$DBG/fail_page_alloc/min-order
[ -f $SHIM ] || { notok "faultinj: $SHIM" "missing"; exit 1; }

# The module is loaded before the first faulted call: a request_module()
# under fault injection would count modprobe's allocations too.
modprobe xt_vpnmss || { notok "faultinj: modprobe xt_vpnmss" "failed"; exit 1; }

T0=$(cut -d. -f1 /proc/uptime)

# fi_run N CMD...: CMD in rtr with the Nth allocation of its ruleset call
# failing; sets rc, calls (matching calls), left (-1: no call armed) and
# st, the state afterwards.  One namespace entry for both, as this runs
# once per injection point.
fi_run() {
	local n=$1
	shift
	rm -f /tmp/fi.report
	ns rtr sh -c 'n=$1 ipt=$2 proc=$3; shift 3
		rc=0
		env LD_PRELOAD='$SHIM' FAILNTH=$n FAILNTH_REPORT=/tmp/fi.report \
			"$@" >/tmp/fi.out 2>&1 || rc=$?
		echo $rc >/tmp/fi.rc
		'"$STATE" sh "$n" "$IPT" "$PROC" "$@" >/tmp/fi.state
	rc=$(cat /tmp/fi.rc)
	calls=$(grep -c . /tmp/fi.report 2>/dev/null) || calls=0
	left=$(sed -n '1s/.* left=\([0-9-]*\) .*/\1/p' /tmp/fi.report 2>/dev/null)
	left=${left:--1}
	st=$(cat /tmp/fi.state)
}

# state: what a refusal must leave alone, in rtr: the mangle table as
# iptables-save shows it (without counters) and the module's /proc tables
# (STATE runs inside rtr with $ipt and $proc set).
STATE='$ipt-save -t mangle | sed -e "/^#/d" -e "s/\[[0-9]*:[0-9]*\]//"
	for f in $proc/*; do [ -e "$f" ] && echo "== $f" && cat "$f"; done
	true'
state() {
	ns rtr sh -c "ipt=$IPT proc=$PROC; $STATE"
}

# clamps WANT: a SYN with MSS 1460 from cli crosses rtr, srv sees WANT.
clamps() {
	rm -f /tmp/cap.ready
	ns srv syncap -i srv0 --syn --port 80 -n 1 -t 10000 --ready /tmp/cap.ready >/tmp/cap.out &
	wait_file /tmp/cap.ready
	if [ $FAM = 4 ]; then
		ns cli synsend -s 10.0.1.2 -d 10.0.2.2 --mss 1460
	else
		ns cli synsend -6 -s fd00:1::2 -d fd00:2::2 --mss 1460
	fi
	wait
	sed -n 's/.* mss=\([^ ]*\) .*csum=\([^ ]*\).*/\1 \2/p' /tmp/cap.out
}

# sweep NAME CMD...: the fault loop over CMD, from the state in rtr
# (/tmp/fi.before.rules restores it), to the state CMD leaves (calibrated
# by a run with the fault out of reach).
sweep() {
	local name=$1 t0 n total refused=0 absorbed=0 bad=0 before after st
	shift
	t0=$(cut -d. -f1 /proc/uptime)
	before=$(state)
	fi_run 1000000 "$@"
	if [ $rc != 0 ] || [ "$left" -le 0 ]; then
		sed 's/^/#   /' /tmp/fi.out /tmp/fi.report 2>/dev/null
		notok "$name: uninjected run" "exit $rc, left $left"
		return 1
	fi
	total=$((1000000 - left))
	after=$st
	restore || return 1
	n=1
	while :; do
		fi_run $n "$@"
		if [ "$left" = -1 ] || [ "$rc" = 125 ]; then
			sed 's/^/#   /' /tmp/fi.out
			notok "$name: N=$n" "the shim armed nothing (exit $rc)"
			return 1
		fi
		[ "$left" = 0 ] || break
		if [ $rc != 0 ] && [ "$st" = "$before" ]; then
			refused=$((refused + 1))
			n=$((n + 1))
			[ $n -le $MAX ] || { notok "$name" "more than $MAX points"; return 1; }
			continue
		elif [ $rc = 0 ] && [ "$st" = "$after" ]; then
			absorbed=$((absorbed + 1))
		else
			bad=$((bad + 1))
			if [ $rc != 0 ] && [ "$st" = "$after" ]; then
				diag "$name: N=$n: refused (exit $rc), but the change was made:"
			else
				diag "$name: N=$n: exit $rc, state neither before nor after:"
				printf '%s\n' "$before" >/tmp/fi.b
				printf '%s\n' "$st" >/tmp/fi.s
				diff /tmp/fi.b /tmp/fi.s | sed 's/^/#   /'
			fi
			sed 's/^/#   /' /tmp/fi.out
			dmesg | tail -n 10 | sed 's/^/#   dmesg: /'
		fi
		restore || return 1
		n=$((n + 1))
		[ $n -le $MAX ] || { notok "$name" "more than $MAX points"; return 1; }
	done
	# The run past the last point: complete, and the rule in force.
	if [ $rc != 0 ] || [ "$st" != "$after" ] || [ $calls != 1 ]; then
		sed 's/^/#   /' /tmp/fi.out /tmp/fi.report
		notok "$name: run past the last point ($n)" "exit $rc, $calls call(s), state as expected: $([ "$st" = "$after" ] && echo yes || echo no)"
		return 1
	fi
	diag "$name: $((n - 1)) points (calibration: $total), $refused refused, $absorbed absorbed, $bad bad, $(( $(cut -d. -f1 /proc/uptime) - t0 )) s"
	if [ $n = 1 ]; then
		notok "$name" "no allocation point at all (is fail-nth counting?)"
	elif [ $bad = 0 ]; then
		ok "$name: $((n - 1)) injection points, each a clean refusal or a complete change"
	else
		notok "$name: $((n - 1)) injection points" "$bad left the table changed"
	fi
}

# restore: rtr's mangle table back to /tmp/fi.before.rules.
restore() {
	if ! ns rtr $IPT-restore /tmp/fi.before.rules >/tmp/fi.rout 2>&1 ||
	   [ "$(state)" != "$before" ]; then
		sed 's/^/#   /' /tmp/fi.rout
		notok "$name: restoring the state before" "failed"
		return 1
	fi
}

# rule_config BACKEND FAMILY OP
rule_config() {
	local b=$1 op=$3 name="faultinj $1$2-$3" l1 l2 want rule
	FAM=$2
	if [ $FAM = 4 ]; then
		IPT=iptables-$b PROC=/proc/net/xt_vpnmss
		l1=10.0.1.0/24=1300,10.9.0.0/16=1200
		l2=10.0.1.0/24=1280,10.8.0.0/16=1250
	else
		IPT=ip6tables-$b PROC=/proc/net/xt_vpnmss6
		l1=fd00:1::/64=1300,fd09::/16=1200
		l2=fd00:1::/64=1280,fd08::/16=1250
	fi
	# The namespace of the previous configuration goes with its rules.
	cleanup_ns
	topo_router
	ns rtr $IPT -t mangle -A FORWARD -p udp --dport 9 -j ACCEPT
	want=1300
	rule="-p tcp -j VPNMSS --vpn-mss $l1"
	case $op in
	plain)	set -- $IPT -t mangle -A FORWARD $rule ;;
	named)	set -- $IPT -t mangle -A FORWARD $rule --vpn-name ft ;;
	replace)
		ns rtr $IPT -t mangle -A FORWARD $rule --vpn-name ft
		printf '%s\n' '*mangle' ':PREROUTING ACCEPT [0:0]' \
			':INPUT ACCEPT [0:0]' ':FORWARD ACCEPT [0:0]' \
			':OUTPUT ACCEPT [0:0]' ':POSTROUTING ACCEPT [0:0]' \
			'-A FORWARD -p udp -m udp --dport 9 -j ACCEPT' \
			"-A FORWARD -p tcp -j VPNMSS --vpn-mss $l2 --vpn-name ft" \
			COMMIT >/tmp/fi.replace.rules
		set -- $IPT-restore /tmp/fi.replace.rules
		want=1280 ;;
	esac
	ns rtr $IPT-save -t mangle >/tmp/fi.before.rules
	sweep "$name" "$@" || return 1
	expect_eq "$name: the rule clamps" "$(clamps)" "$want ok" || return 1
	case $op in
	named|replace)
		check "$name: its table counts" sh -c \
			"$IP netns exec rtr cat $PROC/ft | grep -q '^${l1%%=*}=$want seen=1 clamped=1 '" ;;
	esac
}

# netns: ip netns add, failing in its unshare(CLONE_NEWNET); each
# namespace made is deleted again.
netns_config() {
	local name="faultinj netns" t0 n=1 refused=0 absorbed=0 bad=0
	t0=$(cut -d. -f1 /proc/uptime)
	cleanup_ns
	while :; do
		rc=0
		rm -f /tmp/fi.report
		env LD_PRELOAD=$SHIM FAILNTH=$n FAILNTH_REPORT=/tmp/fi.report \
			FAILNTH_CALL=unshare "$IP" netns add fins >/tmp/fi.out 2>&1 || rc=$?
		left=$(sed -n '1s/.* left=\([0-9-]*\) .*/\1/p' /tmp/fi.report 2>/dev/null)
		left=${left:--1}
		if [ "$left" = -1 ]; then
			sed 's/^/#   /' /tmp/fi.out
			notok "$name: N=$n" "the shim armed nothing (exit $rc)"
			return 1
		fi
		if "$IP" netns list | awk '$1 == "fins" { f = 1 } END { exit !f }'; then
			if [ $rc = 0 ] && ns fins test -d /proc/net/xt_vpnmss &&
			   ns fins test -d /proc/net/xt_vpnmss6; then
				[ "$left" = 0 ] && absorbed=$((absorbed + 1))
			else
				bad=$((bad + 1))
				diag "$name: N=$n: exit $rc, the namespace exists$(ns fins test -d /proc/net/xt_vpnmss || echo ', without /proc/net/xt_vpnmss')"
			fi
			"$IP" netns delete fins
		elif [ $rc != 0 ] && [ "$left" = 0 ]; then
			refused=$((refused + 1))
		else
			bad=$((bad + 1))
			diag "$name: N=$n: exit $rc, left $left, no namespace"
			sed 's/^/#   /' /tmp/fi.out
		fi
		[ "$left" = 0 ] || break
		n=$((n + 1))
		[ $n -le $MAX ] || { notok "$name" "more than $MAX points"; return 1; }
	done
	diag "$name: $((n - 1)) points, $refused refused, $absorbed absorbed, $bad bad, $(( $(cut -d. -f1 /proc/uptime) - t0 )) s"
	if [ $n = 1 ]; then
		notok "$name" "no allocation point at all (is fail-nth counting?)"
	elif [ $bad = 0 ]; then
		ok "$name: $((n - 1)) injection points, each a clean refusal or a complete namespace"
	else
		notok "$name: $((n - 1)) injection points" "$bad bad outcomes"
	fi
}

fails=0
for c in $CONFIGS; do
	case $c in
	netns)	netns_config || fails=$((fails + 1)) ;;
	legacy[46]-*|nft[46]-*)
		b=${c%%[46]-*}
		f=${c#"$b"}
		rule_config "$b" "${f%%-*}" "${c#*-}" || fails=$((fails + 1)) ;;
	*)	notok "faultinj: configuration $c" "unknown"; fails=$((fails + 1)) ;;
	esac
done
cleanup_ns
for f in failslab fail_page_alloc; do echo Y >$DBG/$f/ignore-gfp-wait; done
diag "faultinj: $(echo $CONFIGS | wc -w) configurations in $(( $(cut -d. -f1 /proc/uptime) - T0 )) s"
[ $fails = 0 ]
