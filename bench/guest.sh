#!/bin/sh
# The benchmark inside the guest (busybox sh), run by bench/run through
# tests/guest/run.  Prints one "# BENCH key=value ..." line per timed batch
# and "ok"/"not ok" lines for the checks that make the numbers trustworthy.
#
# Topology: lib.sh's topo_router (cli -- rtr -- srv) plus a second, empty
# router "ref" between cli and srv:
#
#   cli cli0 10.0.1.2 -- 10.0.1.1 rtr0  rtr  rtr1 10.0.2.1 -- 10.0.2.2 srv0 srv
#       cli1 10.0.3.2 -- 10.0.3.1 ref0  ref  ref1 10.0.4.1 -- 10.0.4.2 srv1
#
# cli owns 10.1.0.0/16 (a local route), so synsend can send from any address
# in it.  SYNs to 10.9.0.1 cross rtr, which holds the configuration under
# test in its forward hook; SYNs to 10.8.0.1 cross ref, which never holds a
# rule.  srv counts them (its InReceives, the sink) and drops them without
# a reply, RST or ICMP: IPv4 it forwards into a dummy device (a cached
# route, the same few instructions for every packet; a router that does
# not forward allocates an uncached route for every packet it drops and
# frees it after an RCU grace period, at times that vary from batch to
# batch), IPv6 it does not forward.
#
# The forwarding runs in softirq on the sending CPU (veth queues to the
# local backlog, which runs at local_bh_enable in the sender's context), so
# synsend's wall time for K packets includes the router's netfilter cost.
#
# The emulated machine's speed drifts by up to 1.7x within seconds (other
# work on the shared host), so every timed batch through rtr is paired with
# one through ref right before or after it (ABBA order); the host computes
# the ratio rtr/ref of each pair, which that drift cancels out of.  In
# icount mode the clock counts instructions and does not drift: only rtr is
# timed.
#
# Measurements (kind config backend n):
#   syn  baseline       -       0   no rule, no table in rtr either
#   syn  empty-table    legacy|nft 0 mangle table / FORWARD chain, no rule
#                       (also at every N, with that N's 16*N sources: what a
#                       rule at N is measured over, so that the number of
#                       sources, which the rest of the path may feel, cancels)
#   syn  tcpmss-one     legacy|nft 0 one -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --set-mss 1300
#   syn  tcpmss-chain   legacy|nft N N rules -s PFX ... -j TCPMSS --set-mss MSS
#   syn  nft-map        nft     N   one native rule, interval map of N prefixes
#   syn  vpnmss         legacy|nft N one -p tcp --tcp-flags SYN,RST SYN -j VPNMSS rule
#   syn  vpnmss-named   legacy  N   the same with --vpn-name (counting)
#   syn6 baseline, empty-table, tcpmss-one, vpnmss (legacy|nft, N up to
#                       CAP6): the same over IPv6, with ip6tables; the
#                       SYNs go from fd01::/64 to fd09::1 (rtr) or fd08::1
#                       (ref); prefix i is fd01::16*i/124, MSS 1000 + i
#   ack|bulk baseline   -       0   no rule
#   ack|bulk empty-table legacy|nft 0 mangle table / FORWARD chain, no rule
#   ack|bulk vpnmss-nogate legacy|nft CAP one -p tcp -j VPNMSS rule (no flags gate)
#   ack|bulk mark-nogate legacy|nft CAP  one -p tcp -j MARK --set-xmark 0/0 rule:
#                       the least a rule costs (an xtables target in legacy;
#                       iptables-nft makes it a native meta mark set), against
#                       which VPNMSS's own early exit shows
#   ack|bulk rule-nogate legacy|nft CAP  one -p tcp rule without a target:
#                       what the rule itself costs (its match, its counter;
#                       legacy's fall-through verdict, no call)
# Every round runs every measurement once, in a shuffled order; REPS rounds.
# Every configuration but the baseline and the empty table is loaded as
# COPIES copies of itself (AMP below), and says so in its BENCH lines.
#
# Prefix i (0 <= i < N) is 10.1.0.0 + 16*i /28 with MSS 1000 + i, and the
# SYNs (MSS 1460) cycle through the 16*N addresses of the N prefixes, so
# every SYN is clamped and every entry is hit equally often.
#
#   syn  vpnmss-auto    legacy  N   the same with every entry "auto" (a route
#                                   and xfrm lookup per SYN; copy 0 clamps)
#
# Modes (VPNMSS_GUEST_BENCH_MODE): icount, under QEMU -icount shift=0 with
# one vCPU, where the guest clock counts instructions and bench-nstime
# (bench/nstime.c) times every batch to the nanosecond, i.e. to the
# instruction; wall, two vCPUs and QEMU's ordinary clock.  The sender and
# its softirq run on the last CPU (1 in wall mode, 0 with one vCPU).
#
# Tunables (VPNMSS_GUEST_BENCH_*): MODE, AMP, REPS, PAIRS (per measurement and round),
# PACKETS (per timed SYN/ACK batch), WARMUP, BULK (bytes per transfer, 0:
# no bulk transfers), N (list), CAP (rule capacity), SEED, BACKLOG
# (netdev_max_backlog while batches run), CONFIGS (only these SYN
# configurations, a list; default all).
. /tests/lib.sh

MODE=${VPNMSS_GUEST_BENCH_MODE:-wall}
REPS=${VPNMSS_GUEST_BENCH_REPS:-7}
CONFIGS=${VPNMSS_GUEST_BENCH_CONFIGS:-}
# The CPU that sends and forwards: the last one.
SCPU=$(($(nproc) - 1))
# bench-nstime times a command to the nanosecond (= instruction in icount
# mode); without it, synsend's own milliseconds.
NSTIME=
command -v bench-nstime >/dev/null && NSTIME=bench-nstime
PAIRS=${VPNMSS_GUEST_BENCH_PAIRS:-4}
PACKETS=${VPNMSS_GUEST_BENCH_PACKETS:-4096}
WARMUP=${VPNMSS_GUEST_BENCH_WARMUP:-1024}
BULK=${VPNMSS_GUEST_BENCH_BULK:-16m}
NLIST=${VPNMSS_GUEST_BENCH_N:-"1 16 64 256"}
CAP=${VPNMSS_GUEST_BENCH_CAP:-256}
# IPv6: the rule's capacity, and the N measured (those of NLIST up to it)
CAP6=${VPNMSS_GUEST_BENCH_CAP6:-128}
NLIST6=$(for n in $NLIST; do [ "$n" -ge "$CAP6" ] || echo "$n"; done; echo "$CAP6")
NLIST6=$(echo $NLIST6)
SEED=${VPNMSS_GUEST_BENCH_SEED:-1}
# While batches run, a backlog holds at most this many packets: in step
# with the sender it holds one or two; if forwarding falls behind (see
# ksoftirqd_ns) the batch drops packets and is invalid instead of ending
# with up to 1000 packets not yet forwarded, outside its time.
BACKLOG=${VPNMSS_GUEST_BENCH_BACKLOG:-100}
# Amplification: a rule whose cost is far below the noise of one batch is
# measured as AMP copies in a row (each lowering the MSS one further, so
# every copy does the whole clamp), and its cost is the copies' cost over
# the empty table's, divided by AMP.  TCPMSS chains of N rules are copied
# max(1, AMP / N) times.
AMP=${VPNMSS_GUEST_BENCH_AMP:-32}
SRC=10.1.0.0
DST_RTR=10.9.0.1
DST_REF=10.8.0.1
SRC6=fd01::
DST6_RTR=fd09::1
DST6_REF=fd08::1
# the family of the packets sent (fam 4 or 6) and its iptables, set per
# measurement
fam=4 ipt=iptables src=$SRC dst_rtr=$DST_RTR dst_ref=$DST_REF
W=/tmp/bench
mkdir -p $W/rules

now() { cut -d' ' -f1 /proc/uptime; }
t_start=$(now)

topo_router
topo_cli_subnet 10.1.0.0/16
ns_new ref
"$IP" link add cli1 netns cli type veth peer name ref0 netns ref
"$IP" link add ref1 netns ref type veth peer name srv1 netns srv
addr cli cli1 10.0.3.2/24
addr ref ref0 10.0.3.1/24
addr ref ref1 10.0.4.1/24
addr srv srv1 10.0.4.2/24
"$IP" -n cli link set cli1 up
"$IP" -n ref link set ref0 up
"$IP" -n ref link set ref1 up
"$IP" -n srv link set srv1 up
ns ref sysctl -qw net.ipv4.ip_forward=1
"$IP" -n rtr route add 10.9.0.0/16 via 10.0.2.2
"$IP" -n ref route add 10.8.0.0/16 via 10.0.4.2
"$IP" -n ref route add 10.0.0.0/8 via 10.0.3.2
"$IP" -n cli route add 10.8.0.0/16 via 10.0.3.1
"$IP" -n cli route add 10.0.4.0/24 via 10.0.3.1
"$IP" -n srv route add 10.0.3.0/24 via 10.0.4.1
"$IP" -n srv link add sink0 type dummy
"$IP" -n srv link set sink0 up
"$IP" -n srv route add 10.9.0.0/16 dev sink0
"$IP" -n srv route add 10.8.0.0/16 dev sink0
ns srv sysctl -qw net.ipv4.ip_forward=1
# IPv6 the same way: cli owns fd01::/64, rtr and ref forward fd09::/16 and
# fd08::/16 to srv, which does not forward IPv6 either
topo_cli_subnet fd01::/64
addr cli cli1 fd00:3::2/64
addr ref ref0 fd00:3::1/64
addr ref ref1 fd00:4::1/64
addr srv srv1 fd00:4::2/64
ns ref sysctl -qw net.ipv6.conf.all.forwarding=1
ns srv sysctl -qw net.ipv6.conf.all.forwarding=0
"$IP" -n rtr -6 route add fd09::/16 via fd00:2::2
"$IP" -n rtr -6 route add fd01::/64 via fd00:1::2
"$IP" -n ref -6 route add fd08::/16 via fd00:4::2
"$IP" -n ref -6 route add fd01::/64 via fd00:3::2
"$IP" -n cli -6 route add fd08::/16 via fd00:3::1
# "auto" entries take the MTU of the route back to the source: 1400 (only
# rtr's replies would use it; there are none), so they clamp to 1360.
"$IP" -n rtr route replace 10.1.0.0/16 via 10.0.1.2 mtu lock 1400
AUTO_MSS=1360
# Bulk: one skb per segment through the routers (no TSO/GSO super-packets),
# so that the per-packet cost is what the rules see.
for d in srv:srv0 srv:srv1 cli:cli0 cli:cli1; do
	ns ${d%:*} ethtool -K ${d#*:} tso off gso off
done

# Every next hop's neighbour entry is permanent.  Nothing answers the SYNs,
# so learned entries would age on the guest's clock (REACHABLE, STALE,
# DELAY, PROBE), and a batch sent while one is not REACHABLE goes through
# neigh_resolve_output instead of the cached header: a different cost per
# packet for a while, whatever the configuration.
# pin NS1 DEV1 ADDR1 NS2 DEV2 ADDR2: NS1's address ADDR1 on DEV1 is NS2's
# neighbour on DEV2, and NS2's ADDR2 is NS1's
pin() {
	"$IP" -n "$4" neigh replace "$3" dev "$5" nud permanent \
		lladdr "$("$IP" netns exec "$1" cat /sys/class/net/"$2"/address)" &&
	"$IP" -n "$1" neigh replace "$6" dev "$2" nud permanent \
		lladdr "$("$IP" netns exec "$4" cat /sys/class/net/"$5"/address)"
}
pinned=0
while read -r n1 d1 a1 n2 d2 a2; do
	pin "$n1" "$d1" "$a1" "$n2" "$d2" "$a2" && pinned=$((pinned + 2))
done <<EOF
cli cli0 10.0.1.2 rtr rtr0 10.0.1.1
cli cli0 fd00:1::2 rtr rtr0 fd00:1::1
rtr rtr1 10.0.2.1 srv srv0 10.0.2.2
rtr rtr1 fd00:2::1 srv srv0 fd00:2::2
cli cli1 10.0.3.2 ref ref0 10.0.3.1
cli cli1 fd00:3::2 ref ref0 fd00:3::1
ref ref1 10.0.4.1 srv srv1 10.0.4.2
ref ref1 fd00:4::1 srv srv1 fd00:4::2
EOF
permanent=$(for n in cli rtr ref srv; do "$IP" -n "$n" neigh show nud permanent; done | wc -l)
if [ "$pinned" = 16 ] && [ "$permanent" = 16 ]; then
	ok "bench: 16 next hops pinned"
else
	notok "bench: 16 next hops pinned" "$pinned set, $permanent permanent"
fi

diag "BENCH-INFO kernel=$KVER mode=$MODE nstime=${NSTIME:-none} cpus=$(nproc) amp=$AMP reps=$REPS pairs=$PAIRS packets=$PACKETS warmup=$WARMUP bulk=$BULK n='$NLIST' cap=$CAP cap6=$CAP6 n6='$NLIST6' seed=$SEED backlog=$BACKLOG"
diag "BENCH-INFO iptables='$(iptables-legacy -V 2>&1)' nft='$(nft -v 2>&1)'"

# --- rule sets, generated once ------------------------------------------------

# entries N [COPY]: "PREFIX MSS" lines; copy j of a rule lowers by j more
entries() {
	awk -v n="$1" -v j="${2:-0}" 'BEGIN { for (i = 0; i < n; i++)
		printf "10.1.%d.%d/28 %d\n", int(i / 16), (i % 16) * 16, 1000 + i - j }'
}
# copies_of N: how many copies of an N-rule TCPMSS chain
copies_of() { c=$((AMP / $1)); [ $c -ge 1 ] || c=1; echo $c; }
GATE="-p tcp -m tcp --tcp-flags SYN,RST SYN"
gen_xt() {	# FILE RULE-LINES...: an iptables-restore file for table mangle
	f=$1
	shift
	{
		echo '*mangle'
		echo ':FORWARD ACCEPT [0:0]'
		for l; do echo "$l"; done
		echo 'COMMIT'
	} > "$f"
}
# vpnmss_list N [COPY]: the --vpn-mss options, 32 entries each
# (iptables-restore takes no parameter of 1024 characters or more)
vpnmss_list() {
	entries "$1" "${2:-0}" | awk '{ printf "%s%s=%s", ((NR - 1) % 32 ? "," : (NR > 1 ? " --vpn-mss " : "--vpn-mss ")), $1, $2 }'
}
# amp K CMD...: CMD's rule lines for copies 0..K-1 (CMD gets the copy)
amp() {
	k=$1 j=0
	shift
	while [ $j -lt "$k" ]; do
		"$@" $j
		j=$((j + 1))
	done
}
l_tcpmss_one() { echo "-A FORWARD $GATE -j TCPMSS --set-mss $((1300 - $1))"; }
l_tcpmss_chain() {
	entries "$n" "$1" | while read -r p m; do
		echo "-A FORWARD -s $p $GATE -j TCPMSS --set-mss $m"
	done
}
l_vpnmss() { echo "-A FORWARD $GATE -j VPNMSS --vpn-dir src $(vpnmss_list "$n" "$1")"; }
l_vpnmss_named() { echo "-A FORWARD $GATE -j VPNMSS --vpn-dir src --vpn-name bench$1 $(vpnmss_list "$n" "$1")"; }
# vpnmss_auto_list N: the --vpn-mss options, every entry auto
vpnmss_auto_list() {
	entries "$1" | awk '{ printf "%s%s=auto", ((NR - 1) % 32 ? "," : (NR > 1 ? " --vpn-mss " : "--vpn-mss ")), $1 }'
}
l_vpnmss_auto() { echo "-A FORWARD $GATE -j VPNMSS --vpn-dir src $(vpnmss_auto_list "$n")"; }
# entries6 N [COPY]: the IPv6 entries, prefix i = fd01::16*i/124
entries6() {
	awk -v n="$1" -v j="${2:-0}" 'BEGIN { for (i = 0; i < n; i++)
		printf "fd01::%x/124 %d\n", i * 16, 1000 + i - j }'
}
vpnmss6_list() {
	entries6 "$1" "${2:-0}" | awk '{ printf "%s%s=%s", ((NR - 1) % 32 ? "," : (NR > 1 ? " --vpn-mss " : "--vpn-mss ")), $1, $2 }'
}
l_vpnmss6() { echo "-A FORWARD $GATE -j VPNMSS --vpn-dir src $(vpnmss6_list "$n" "$1")"; }
l_vpnmss_nogate() { echo "-A FORWARD -p tcp -j VPNMSS --vpn-dir src $(vpnmss_list "$n" "$1")"; }
l_mark_nogate() { echo "-A FORWARD -p tcp -j MARK --set-xmark 0x0/0x0"; }
l_rule_nogate() { echo "-A FORWARD -p tcp"; }
# gen_amp FILE K FUNC: an iptables-restore file with K copies of FUNC's rules
gen_amp() {
	{
		echo '*mangle'
		echo ':FORWARD ACCEPT [0:0]'
		amp "$2" "$3"
		echo 'COMMIT'
	} > "$1"
}
nft_map() {	# N K: one table, K maps and K rules, copy j lowering by j more
	echo 'table ip bench {'
	j=0
	while [ $j -lt "$2" ]; do
		echo "	map m$j {"
		echo '		typeof ip saddr : tcp option maxseg size'
		echo '		flags interval'
		echo "		elements = { $(entries "$1" $j | awk '{ printf "%s%s : %s", (NR > 1 ? ", " : ""), $1, $2 }') }"
		echo '	}'
		j=$((j + 1))
	done
	echo '	chain f {'
	echo '		type filter hook forward priority mangle; policy accept;'
	j=0
	while [ $j -lt "$2" ]; do
		echo "		tcp flags & (syn | rst) == syn tcp option maxseg size set ip saddr map @m$j"
		j=$((j + 1))
	done
	echo '	}'
	echo '}'
}

gen_xt $W/rules/empty-table
gen_amp $W/rules/tcpmss-one $AMP l_tcpmss_one
n=$CAP gen_amp $W/rules/vpnmss-nogate-$CAP $AMP l_vpnmss_nogate
gen_amp $W/rules/mark-nogate $AMP l_mark_nogate
gen_amp $W/rules/rule-nogate $AMP l_rule_nogate
for n in $NLIST; do
	gen_amp $W/rules/tcpmss-chain-$n "$(copies_of $n)" l_tcpmss_chain
	gen_amp $W/rules/vpnmss-$n $AMP l_vpnmss
	gen_amp $W/rules/vpnmss-named-$n $AMP l_vpnmss_named
	gen_amp $W/rules/vpnmss-auto-$n $AMP l_vpnmss_auto
	nft_map $n $AMP > $W/rules/nft-map-$n
done
for n in $NLIST6; do
	gen_amp $W/rules/vpnmss6-$n $AMP l_vpnmss6
done

# The measurement list: "kind config backend n copies rules-file
# expected-rules".
{
	echo "syn baseline - 0 1 - 0"
	for b in legacy nft; do
		echo "syn empty-table $b 0 1 empty-table 0"
		echo "syn tcpmss-one $b 0 $AMP tcpmss-one $AMP"
	done
	for n in $NLIST; do
		c=$(copies_of $n)
		for b in legacy nft; do
			# the empty table again, with the 16*N sources of this N
			echo "syn empty-table $b $n 1 empty-table 0"
			echo "syn tcpmss-chain $b $n $c tcpmss-chain-$n $((c * n))"
			echo "syn vpnmss $b $n $AMP vpnmss-$n $AMP"
		done
		echo "syn vpnmss-named legacy $n $AMP vpnmss-named-$n $AMP"
		echo "syn vpnmss-auto legacy $n $AMP vpnmss-auto-$n $AMP"
		echo "syn nft-map nft $n $AMP nft-map-$n $AMP"
	done
	echo "syn6 baseline - 0 1 - 0"
	for b in legacy nft; do
		echo "syn6 empty-table $b 0 1 empty-table 0"
		echo "syn6 tcpmss-one $b 0 $AMP tcpmss-one $AMP"
		for n in $NLIST6; do
			echo "syn6 empty-table $b $n 1 empty-table 0"
			echo "syn6 vpnmss $b $n $AMP vpnmss6-$n $AMP"
		done
	done
	kinds=ack
	[ "$BULK" = 0 ] || kinds="ack bulk"
	for k in $kinds; do
		echo "$k baseline - 0 1 - 0"
		for b in legacy nft; do
			echo "$k empty-table $b 0 1 empty-table 0"
			echo "$k vpnmss-nogate $b $CAP $AMP vpnmss-nogate-$CAP $AMP"
			echo "$k mark-nogate $b $CAP $AMP mark-nogate $AMP"
			echo "$k rule-nogate $b $CAP $AMP rule-nogate $AMP"
		done
	done
} > $W/items.all
# CONFIGS: only those SYN configurations (and what they are measured over)
if [ -n "$CONFIGS" ]; then
	awk -v want=" $CONFIGS baseline empty-table " '($1 != "syn" && $1 != "syn6") || index(want, " " $2 " ")' $W/items.all > $W/items
else
	cp $W/items.all $W/items
fi

# --- loading and clearing rule sets ---------------------------------------------

# clear_rules: no table of either kind left in rtr, so that no hook runs.
# A legacy table stays registered once created, even empty, until its
# module goes: flush it and unload iptable_mangle (autoloaded again by the
# next iptables-legacy-restore).
clear_rules() {
	ns rtr nft flush ruleset
	if [ -n "$(ns rtr cat /proc/net/ip_tables_names)" ]; then
		ns rtr iptables-legacy -t mangle -F
		ns rtr iptables-legacy -t mangle -X
		rmmod iptable_mangle 2>/dev/null
	fi
	if [ -n "$(ns rtr cat /proc/net/ip6_tables_names 2>/dev/null)" ]; then
		ns rtr ip6tables-legacy -t mangle -F
		ns rtr ip6tables-legacy -t mangle -X
		rmmod ip6table_mangle 2>/dev/null
	fi
	[ -z "$(ns rtr cat /proc/net/ip_tables_names)" ] ||
		{ notok "bench: clear rules" "legacy table left in rtr: $(ns rtr cat /proc/net/ip_tables_names)"; return 1; }
	[ -z "$(ns rtr cat /proc/net/ip6_tables_names 2>/dev/null)" ] ||
		{ notok "bench: clear rules" "legacy IPv6 table left in rtr: $(ns rtr cat /proc/net/ip6_tables_names)"; return 1; }
	[ -z "$(ns rtr nft list ruleset)" ] ||
		{ notok "bench: clear rules" "nft ruleset left in rtr"; return 1; }
}

# load_rules BACKEND FILE: into iptables, or ip6tables if fam is 6
load_rules() {
	case $1 in
	legacy) ns rtr $ipt-legacy-restore < "$W/rules/$2" ;;
	nft)
		case $2 in
		nft-map-*) ns rtr nft -f "$W/rules/$2" ;;
		*) ns rtr $ipt-nft-restore < "$W/rules/$2" ;;
		esac ;;
	esac
}

# count_rules BACKEND FILE: rules in force in rtr's forward hook
count_rules() {
	case $1:$2 in
	nft:nft-map-*) ns rtr nft list chain ip bench f | grep -c 'maxseg size set' ;;
	legacy:*) ns rtr $ipt-legacy-save -t mangle | grep -c '^-A FORWARD' ;;
	nft:*) ns rtr $ipt-nft-save -t mangle | grep -c '^-A FORWARD' ;;
	esac
}

# --- traffic ------------------------------------------------------------------

# sender DST ARGS...: synsend from cli on CPU SCPU, the CPU whose softirq
# does the forwarding
sender() {
	d=$1
	shift
	"$IP" netns exec cli taskset -c $SCPU synsend -$fam -s $src -d "$d" "$@"
}
# tsender DST COUNT ARGS...: the same for COUNT packets, timed by
# bench-nstime if there is one, until the kernel has received each of them
# twice (in rtr or ref, then in srv), all of it on the one CPU
tsender() {
	d=$1 c=$2
	shift 2
	"$IP" netns exec cli $NSTIME ${NSTIME:+--drain $((2 * c))} \
		taskset -c $SCPU synsend -$fam -s $src -d "$d" -n "$c" "$@"
}

# softnet_drops: packets dropped by full per-CPU backlogs, all CPUs
softnet_drops() {
	s=0
	while read -r _ d _; do
		s=$((s + 0x$d))
	done < /proc/net/softnet_stat
	echo $s
}

# ksoftirqd_ns: run time of ksoftirqd/1, recorded with every batch.  When
# softirq work overflows (a tick during a softirq, a reschedule), the kernel
# hands it to ksoftirqd; 6.1 then also defers the sender's own softirq
# processing to it while it is runnable (6.5 and later do not), so the
# packets still queued when synsend returns are not in its time.  That is
# at most what fits between two points where ksoftirqd can preempt the
# sender (about one sendmmsg of 64 packets); more than the backlog holds
# (netdev_max_backlog, 1000) is dropped, which the sink sees, and the batch
# is retried.
KSOFTIRQD=
for p in /proc/[0-9]*; do
	[ "$(cat "$p/comm" 2>/dev/null)" = ksoftirqd/$SCPU ] && KSOFTIRQD=${p#/proc/}
done
ksoftirqd_ns() {
	if [ -n "$KSOFTIRQD" ] && [ -r /proc/$KSOFTIRQD/schedstat ]; then
		cut -d' ' -f1 /proc/$KSOFTIRQD/schedstat
	else
		echo 0
	fi
}

# capture_start FILE ARGS...: syncap on srv0 on CPU 0, in the background
capture_start() {
	f=$1
	shift
	rm -f $W/cap.ready "$f"
	"$IP" netns exec srv taskset -c 0 syncap -i srv0 --ready $W/cap.ready "$@" > "$f" 2>&1 &
	cap_pid=$!
	wait_file $W/cap.ready 10 || { notok "bench: sink" "syncap did not start"; return 1; }
}

# capture_end FILE MIN: wait up to 5 s for FILE to have MIN lines (a count
# for --count: "count=N" comes at the end), then stop the capture.
capture_end() {
	i=0
	while [ "$(wc -l < "$1")" -lt "$2" ] && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	kill -TERM $cap_pid 2>/dev/null
	wait $cap_pid 2>/dev/null
	return 0
}

# check_mss KIND CONFIG BACKEND N COPIES: one SYN from each source address,
# and every one must leave rtr with the MSS its entry's last copy sets.
check_mss() {
	k=$1 cfg=$2 b=$3 n=$4 copies=$5
	case $k in syn|syn6) ;; *) return 0 ;; esac
	cnt=256
	[ "$n" = 0 ] || cnt=$((16 * n))
	try=1
	while :; do
		capture_start $W/mss.out --syn -n $cnt -t 30000 || return 1
		sender $dst_rtr --mss 1460 -n $cnt --src-count $cnt 2>/dev/null
		capture_end $W/mss.out $cnt
		[ "$(grep -c '^src=' $W/mss.out)" != $cnt ] && [ $try -lt 3 ] || break
		try=$((try + 1))
	done
	why=$(awk -v cfg="$cfg" -v cnt="$cnt" -v auto=$AUTO_MSS -v last=$(($5 - 1)) '
		# the index of the source: 10.1.x.y or fd01::h (h < 0x10000)
		function hex(h,   i, v) {
			v = 0
			for (i = 1; i <= length(h); i++)
				v = v * 16 + index("0123456789abcdef", substr(h, i, 1)) - 1
			return v
		}
		/^src=/ {
			split($1, a, "=")
			if (index(a[2], ":")) {
				nh = split(a[2], o, ":")
				idx = int(hex(o[nh]) / 16)
			} else {
				split(a[2], o, ".")
				idx = int(((o[3] * 256) + o[4]) / 16)
			}
			want = cfg == "baseline" || cfg == "empty-table" ? 1460 : cfg == "vpnmss-auto" ? auto : (cfg == "tcpmss-one" ? 1300 : 1000 + idx) - last
			split($6, m, "=")
			if (m[2] != want && !bad) bad = $1 " mss=" m[2] " want " want
			got++
		}
		END {
			if (got != cnt) print "captured " got " of " cnt " SYNs"
			else if (bad) print bad
		}' $W/mss.out)
	name="bench: $k $cfg $b n=$n clamps every SYN to its entry"
	case $cfg in
	baseline|empty-table) name="bench: $k $cfg $b leaves every SYN alone" ;;
	esac
	if [ -z "$why" ]; then ok "$name"; else notok "$name" "$why"; fi
}

# snmp_ip NS FIELD: a counter of the Ip: lines of NS's /proc/net/snmp
snmp_ip() {
	ns "$1" awk -v f="$2" '/^Ip:/ { if (h) { print $(c); exit } for (i = 1; i <= NF; i++) if ($i == f) c = i; h = 1 }' /proc/net/snmp
}
# sink NS: the packets of the current family NS received, but for IPv6 its
# neighbour discovery (ICMPv6), which may come at any time
sink() {
	if [ $fam = 4 ]; then
		snmp_ip "$1" InReceives
	else
		ns "$1" awk '$1 == "Ip6InReceives" { r = $2 } $1 == "Icmp6InMsgs" { m = $2 }
			END { print r - m }' /proc/net/snmp6
	fi
}

# batch PATH ARGS...: one timed batch of PACKETS through rtr or ref; sets
# secs, sent, drops, ksirq and valid (synsend sent it all, no backlog
# dropped any of it)
batch() {
	dst=$dst_rtr
	[ "$1" = ref ] && dst=$dst_ref
	shift
	d0=$(softnet_drops)
	s0=$(ksoftirqd_ns)
	out=$(tsender $dst $PACKETS "$@" 2>&1)
	s1=$(ksoftirqd_ns)
	d1=$(softnet_drops)
	secs=$(echo "$out" | sed -n 's/^sent [0-9]* packets in \([0-9.]*\) s$/\1/p')
	ns=$(echo "$out" | sed -n 's/^ns=\([0-9]*\)$/\1/p')
	[ -z "$ns" ] || secs=$(awk -v n="$ns" 'BEGIN { printf "%.9f", n / 1e9 }')
	sent=$(echo "$out" | sed -n 's/^sent \([0-9]*\) packets in .*/\1/p')
	sent=${sent:-0} secs=${secs:-0}
	drops=$((d1 - d0))
	ksirq=$(((s1 - s0) / 1000))
	short=$(echo "$out" | sed -n 's/^drain_short=\([0-9]*\)$/\1/p')
	valid=0
	[ "$sent" != "$PACKETS" ] || [ $drops != 0 ] || [ "${short:-0}" != 0 ] || valid=1
	[ "${short:-0}" = 0 ] ||
		diag "bench: a batch's packets were not all received within a second of its end ($short short)"
}

# measure_pkts KIND CONFIG BACKEND N COPIES REP: PAIRS pairs of timed batches of
# PACKETS SYNs (MSS 1460) or bare ACKs, one through ref and one through
# rtr, in ABBA order (icount: through rtr only), after WARMUP untimed ones
# each way; up to 2*PAIRS pairs to get PAIRS valid ones.  The sink, srv's IPv4 InReceives (srv has
# no other IPv4 traffic), must have grown by every packet that was not
# dropped, else the round's batches all count as invalid.  (syncap, which
# check_mss uses, would wake up on the other vCPU for every packet and slow
# the emulated sender down.)
measure_pkts() {
	k=$1 cfg=$2 b=$3 n=$4 copies=$5 rep=$6
	srcs=$((16 * CAP))
	[ $k != syn6 ] || srcs=$((16 * CAP6))
	[ "$n" = 0 ] || srcs=$((16 * n))
	if [ $k != ack ]; then
		set -- --mss 1460 --src-count $srcs
	else
		set -- --flags A --src-count $srcs
	fi
	# let the deferred work of loading the rules (RCU callbacks, the old
	# table's release, a module's removal) finish outside the timed
	# batches; under icount sleep=off this costs no real time
	[ "$MODE" != icount ] || sleep 0.5
	sender $dst_ref "$@" -n $WARMUP 2>/dev/null
	sender $dst_rtr "$@" -n $WARMUP 2>/dev/null
	sysctl -qw net.core.netdev_max_backlog=$BACKLOG
	lines= good=0 pair=0 expect=0
	in0=$(sink srv)
	while [ $good -lt "$PAIRS" ] && [ $pair -lt $((2 * PAIRS)) ]; do
		pair=$((pair + 1))
		order="ref rtr"
		[ $((pair % 2)) = 1 ] || order="rtr ref"
		# instructions do not drift: nothing for a batch through ref to
		# cancel
		[ "$MODE" != icount ] || order=rtr
		pv=1
		for path in $order; do
			batch $path "$@"
			expect=$((expect + sent - drops))
			[ $valid = 1 ] || pv=0
			lines="$lines kind=$k config=$cfg backend=$b n=$n copies=$copies rep=$rep pair=$pair path=$path valid=$valid packets=$sent delivered=$((sent - drops)) backlog_drops=$drops ksoftirqd_us=$ksirq secs=$secs
"
		done
		good=$((good + pv))
	done
	sysctl -qw net.core.netdev_max_backlog=1000
	sleep 0.1	# whatever is still queued is forwarded within milliseconds
	got=$(($(sink srv) - in0))
	if [ $got != $expect ]; then
		lines=$(echo "$lines" | sed 's/ valid=1 / valid=0 /')
		diag "bench: $k $cfg $b n=$n rep=$rep: the sink counted $got of $expect"
	fi
	echo "$lines" | while read -r l; do
		[ -z "$l" ] || diag "BENCH $l sink=$got/$expect"
	done
	[ $good -gt 0 ] ||
		diag "bench: $k $cfg $b n=$n rep=$rep: no valid pair in $pair"
}

# transfer PATH: one download of BULK bytes srv -> cli through rtr or ref;
# sets secs, fwd (packets the router forwarded) and bytes
transfer() {
	r=rtr saddr=10.0.2.2
	[ "$1" = ref ] && r=ref saddr=10.0.4.2
	rm -f $W/srv.ready
	"$IP" netns exec srv bulk server -p 5001 -b $BULK -t 120 --ready $W/srv.ready > $W/srv.out 2>&1 &
	srv_pid=$!
	wait_file $W/srv.ready 10 || { notok "bench: bulk server" "did not start"; return 1; }
	f0=$(snmp_ip $r ForwDatagrams)
	t0=$(now)
	res=$("$IP" netns exec cli $NSTIME bulk client -c $saddr -p 5001 -b $BULK -t 120 2>&1)
	t1=$(now)
	f1=$(snmp_ip $r ForwDatagrams)
	wait $srv_pid 2>/dev/null
	bytes=$(echo "$res" | sed -n 's/^client: ok received=//p')
	fwd=$((f1 - f0))
	secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
	ns=$(echo "$res" | sed -n 's/^ns=\([0-9]*\)$/\1/p')
	[ -z "$ns" ] || secs=$(awk -v n="$ns" 'BEGIN { printf "%.9f", n / 1e9 }')
	[ -n "$bytes" ] || notok "bench: bulk $cfg $b rep=$rep via $1" "$res"
}

# measure_bulk CONFIG BACKEND N COPIES REP: one pair of downloads, via ref and
# rtr (the order alternates with the round), timed with the 10 ms clock
measure_bulk() {
	cfg=$1 b=$2 n=$3 copies=$4 rep=$5
	order="ref rtr"
	[ $((rep % 2)) = 1 ] || order="rtr ref"
	for path in $order; do
		transfer $path || return 1
		valid=0
		[ -z "$bytes" ] || valid=1
		diag "BENCH kind=bulk config=$cfg backend=$b n=$n copies=$copies rep=$rep pair=1 path=$path valid=$valid packets=$fwd delivered=${bytes:-0} backlog_drops=0 secs=$secs"
	done
}

# --- the timer's fixed cost ---------------------------------------------------
# bench-nstime times the whole synsend process: its start-up is the same in
# every batch and cancels in differences, but is part of each batch's ns per
# packet.  A batch of one packet through ref measures it (median of 7).
if [ -n "$NSTIME" ]; then
	for i in 1 2 3 4 5 6 7; do
		tsender $DST_REF 1 --mss 1460 2>&1 | sed -n 's/^ns=\([0-9]*\)$/\1/p'
	done | sort -n | sed -n 4p > $W/startup
	diag "BENCH-INFO kernel=$KVER startup_ns=$(cat $W/startup)"
fi

# --- the rounds ---------------------------------------------------------------

nitems=$(wc -l < $W/items)
diag "bench: $nitems measurements per round, $REPS rounds"
fails=0
rep=1
while [ $rep -le "$REPS" ]; do
	awk -v seed=$((SEED * 1000 + rep)) 'BEGIN { srand(seed) } { print rand() "\t" $0 }' $W/items |
		sort -n | cut -f2- > $W/order
	r0=$(now)
	while read -r k cfg b n copies rules want; do
		fam=4 ipt=iptables src=$SRC dst_rtr=$DST_RTR dst_ref=$DST_REF
		[ $k != syn6 ] || fam=6 ipt=ip6tables src=$SRC6 dst_rtr=$DST6_RTR dst_ref=$DST6_REF
		clear_rules || { fails=$((fails + 1)); continue; }
		if [ "$rules" != - ]; then
			err=$(load_rules "$b" "$rules" 2>&1) ||
				{ notok "bench: load $cfg $b n=$n" "$err"; fails=$((fails + 1)); continue; }
		fi
		if [ $rep = 1 ]; then
			if [ "$rules" != - ]; then
				got=$(count_rules "$b" "$rules")
				[ "$got" = "$want" ] || notok "bench: load $k $cfg $b n=$n" "$got rules in force, want $want"
			fi
			check_mss "$k" "$cfg" "$b" "$n" "$copies" || fails=$((fails + 1))
			# what iptables-nft made of a target: nft_compat or native
			case $b:$cfg in
			nft:vpnmss-nogate|nft:mark-nogate)
				diag "BENCH-INFO kernel=$KVER nft_target_${cfg%-nogate}='$(ns rtr nft list chain ip mangle FORWARD |
					grep -m 1 -o 'xt target [^ ]*\|meta mark set [^ ]*' | tr -d '"')'" ;;
			esac
		fi
		case $k in
		bulk) measure_bulk "$cfg" "$b" "$n" "$copies" "$rep" ;;
		*) measure_pkts "$k" "$cfg" "$b" "$n" "$copies" "$rep" ;;
		esac
	done < $W/order
	diag "bench: round $rep done in $(awk -v a="$r0" -v b="$(now)" 'BEGIN { printf "%d", b - a }') s"
	rep=$((rep + 1))
done
clear_rules
diag "bench: total $(awk -v a="$t_start" -v b="$(now)" 'BEGIN { printf "%d", b - a }') s"
[ $fails = 0 ] && ok "bench: all measurements ran"
