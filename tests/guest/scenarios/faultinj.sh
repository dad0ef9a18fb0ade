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
# Failures come from failslab (and fail_page_alloc: PAGES), GFP_KERNEL included,
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
#   VPNMSS_GUEST_FAULT_FULL=1        every configuration, and PAGES=1 (default:
#                                    a subset that fits the debug tier's
#                                    budget, slab allocations only)
#   VPNMSS_GUEST_FAULT_PAGES=1       fail_page_alloc too (see below)
#   VPNMSS_GUEST_FAULT_CONFIGS="..." these configurations, e.g. "nft6-named"
#   VPNMSS_GUEST_FAULT_MAX=N         give up past N points (default 5000)
#   VPNMSS_GUEST_FAULT_VERBOSE=0|1|2 fault-injection "verbose" (default 0;
#                                    2 dumps a stack for each failure to
#                                    the kernel log, rate-limited)
. /tests/lib.sh

SHIM=/usr/local/bin/failnth.so
DBG=/sys/kernel/debug
MAX=${VPNMSS_GUEST_FAULT_MAX:-5000}
DEFAULT="legacy4-named nft6-named"
FULL="legacy4-plain legacy4-named legacy4-replace legacy6-plain legacy6-named
	legacy6-replace nft4-plain nft4-named nft4-replace nft6-plain nft6-named
	nft6-replace netns"
PAGES=${VPNMSS_GUEST_FAULT_PAGES:-${VPNMSS_GUEST_FAULT_FULL:-0}}
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
	# No random failures, only fail-nth.
	echo 0 >$DBG/$f/probability
	echo "${VPNMSS_GUEST_FAULT_VERBOSE:-0}" >$DBG/$f/verbose
done
# GFP_KERNEL slab allocations too.  Page allocations (slab pages, percpu
# chunks, vmalloc) only with PAGES=1: which allocation needs a new page
# depends on the slab state (KASAN's quarantine), so the points then shift
# between runs and N = 1, 2, ... may step over one (seen: the defect of
# vpnmss_set_new() missed in one such run, hit in the next).  Slab
# allocations alone count the same way each run.
echo N >$DBG/failslab/ignore-gfp-wait
if [ "$PAGES" = 1 ]; then
	echo N >$DBG/fail_page_alloc/ignore-gfp-wait
	echo 0 >$DBG/fail_page_alloc/min-order
fi
[ -f $SHIM ] || { notok "faultinj: $SHIM" "missing"; exit 1; }

# The module is loaded before the first faulted call: a request_module()
# under fault injection would count modprobe's allocations too.
modprobe xt_vpnmss || { notok "faultinj: modprobe xt_vpnmss" "failed"; exit 1; }

T0=$(cut -d. -f1 /proc/uptime)

# The fault loop runs inside rtr, one process, so that each point costs
# only the faulted command and an iptables-save (this runs once per point,
# and under KASAN in TCG every exec counts):
#   sh /tmp/fi-sweep.sh IPT PROC CMD...
# from the state that /tmp/fi.before.rules restores, with /tmp/fi.after
# holding the state CMD leaves (calibrated first).  It writes
# "POINTS REFUSED ABSORBED BAD CALLS RC" to /tmp/fi.result and the
# diagnostics of every bad point to stdout.
cat >/tmp/fi-sweep.sh <<'SWEEP'
ipt=$1 proc=$2
shift 2
state() {
	$ipt-save -t mangle | sed -e '/^#/d' -e 's/\[[0-9]*:[0-9]*\]//'
	for f in $proc/*; do [ -e "$f" ] && echo "== $f" && cat "$f"; done
	true
}
# run N: CMD with the Nth allocation of its ruleset call failing; sets rc,
# left (-1: nothing armed) and st.
run() {
	local nth=$1
	shift
	rm -f /tmp/fi.report
	rc=0
	LD_PRELOAD=@SHIM@ FAILNTH=$nth FAILNTH_REPORT=/tmp/fi.report "$@" \
		>/tmp/fi.out 2>&1 || rc=$?
	left=-1
	if read -r l </tmp/fi.report 2>/dev/null; then
		left=${l#* left=}
		left=${left%% *}
	fi
	st=$(state)
}
restore() {
	$ipt-restore /tmp/fi.before.rules >/tmp/fi.rout 2>&1 &&
		[ "$(state)" = "$before" ] && return 0
	echo "# restoring the state before failed:"
	sed 's/^/#   /' /tmp/fi.rout
	return 1
}
before=$(state)
after=$(cat /tmp/fi.after)
n=1 refused=0 absorbed=0 bad=0
while :; do
	run $n "$@"
	if [ "$left" = -1 ] || [ $rc = 125 ]; then
		echo "# N=$n: the shim armed nothing (exit $rc)"
		sed 's/^/#   /' /tmp/fi.out
		bad=$((bad + 1))
		break
	fi
	[ "$left" = 0 ] || break
	if [ $rc != 0 ] && [ "$st" = "$before" ]; then
		refused=$((refused + 1))
	else
		if [ $rc = 0 ] && [ "$st" = "$after" ]; then
			absorbed=$((absorbed + 1))
		elif [ $rc != 0 ] && [ "$st" = "$after" ]; then
			echo "# N=$n: refused (exit $rc), but the change was made:"
			bad=$((bad + 1))
		else
			echo "# N=$n: exit $rc, the state neither before nor after:"
			printf '%s\n' "$before" >/tmp/fi.b
			printf '%s\n' "$st" >/tmp/fi.s
			diff /tmp/fi.b /tmp/fi.s | sed 's/^/#   /'
			bad=$((bad + 1))
		fi
		[ $rc = 0 ] || sed 's/^/#   /' /tmp/fi.out
		[ $rc = 0 ] || dmesg | tail -n 5 | sed 's/^/#   dmesg: /'
		restore || { bad=$((bad + 1)); break; }
	fi
	n=$((n + 1))
	[ $n -le @MAX@ ] || { echo "# more than @MAX@ points"; bad=$((bad + 1)); break; }
done
calls=$(grep -c . /tmp/fi.report 2>/dev/null) || calls=0
[ "$st" = "$after" ] || rc="$rc,state"
echo "$((n - 1)) $refused $absorbed $bad $calls $rc" >/tmp/fi.result
SWEEP
sed -i -e "s|@SHIM@|$SHIM|" -e "s|@MAX@|$MAX|g" /tmp/fi-sweep.sh

# sweep NAME CMD...: the fault loop over CMD in rtr, after a calibrating
# run with the fault out of reach (which also gives the state to expect).
sweep() {
	local name=$1 t0 left total points refused absorbed bad calls rc
	shift
	t0=$(cut -d. -f1 /proc/uptime)
	rm -f /tmp/fi.report
	if ! ns rtr env LD_PRELOAD=$SHIM FAILNTH=1000000 \
			FAILNTH_REPORT=/tmp/fi.report "$@" >/tmp/fi.out 2>&1; then
		sed 's/^/#   /' /tmp/fi.out
		notok "$name: uninjected run" "failed"
		return 1
	fi
	left=$(sed -n '1s/.* left=\([0-9]*\) .*/\1/p' /tmp/fi.report 2>/dev/null)
	if [ -z "$left" ] || [ "$left" = 0 ]; then
		notok "$name: uninjected run" "no call armed, or the fault reached"
		return 1
	fi
	total=$((1000000 - left))
	ns rtr sh -c "ipt=$IPT proc=$PROC
		$(sed -n '/^state() {/,/^}/p' /tmp/fi-sweep.sh)
		state" >/tmp/fi.after
	if ! ns rtr $IPT-restore /tmp/fi.before.rules; then
		notok "$name: restoring the state before" "failed"
		return 1
	fi
	if [ "${VPNMSS_GUEST_FAULT_VERBOSE:-0}" = 2 ]; then
		# Stacks to the log only, all of them: which module function
		# each failure hit.
		dmesg -c >/dev/null
		dmesg -n 1
		for f in failslab fail_page_alloc; do
			echo 100000 >$DBG/$f/verbose_ratelimit_burst
		done
	fi
	ns rtr sh /tmp/fi-sweep.sh "$IPT" "$PROC" "$@"
	if [ "${VPNMSS_GUEST_FAULT_VERBOSE:-0}" = 2 ]; then
		dmesg -n 5
		dmesg | awk '/FAULT_INJECTION: forcing a failure/ { b++; done = 0 }
			/\[xt_vpnmss\]/ && !done { print "# " b ": " $(NF - 1), $NF; done = 1 }'
		dmesg -c >/dev/null
	fi
	read -r points refused absorbed bad calls rc </tmp/fi.result
	diag "$name: $points points (calibration: $total), $refused refused, $absorbed absorbed, $bad bad, $(( $(cut -d. -f1 /proc/uptime) - t0 )) s"
	if [ "$points" = 0 ]; then
		notok "$name" "no allocation point at all (is fail-nth counting?)"
	elif [ "$bad" != 0 ]; then
		notok "$name: $points injection points" "$bad bad outcome(s), see above"
	elif [ "$rc" != 0 ] || [ "$calls" != 1 ]; then
		sed 's/^/#   /' /tmp/fi.out
		notok "$name: the run past the last point" "exit $rc, $calls call(s)"
	else
		ok "$name: $points injection points, each a clean refusal or a complete change"
	fi
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
echo 1 >$DBG/fail_page_alloc/min-order
diag "faultinj: $(echo $CONFIGS | wc -w) configurations in $(( $(cut -d. -f1 /proc/uptime) - T0 )) s"
[ $fails = 0 ]
