#!/bin/sh
# The benchmark inside the guest (busybox sh), run by bench/run through
# tests/guest/run.  Prints one "# BENCH key=value ..." line per measurement
# and "ok"/"not ok" lines for the checks that make the numbers trustworthy.
#
# Topology (lib.sh's topo_router): cli -- rtr -- srv.  cli owns 10.1.0.0/16
# (a local route), so synsend can send from any address in it; the SYNs go
# to 10.9.0.1, which rtr routes to srv.  srv does not forward, so it drops
# them silently after its sink (syncap on srv0) has counted them: no RST or
# ICMP comes back through rtr to distort the cost.
#
# The forwarding runs in softirq on the sending CPU (veth queues to the
# local backlog, which runs at local_bh_enable in the sender's context), so
# synsend's wall time for K packets includes rtr's netfilter cost.
#
# Measurements (kind config backend n):
#   syn  baseline       -       0   no rule, no table
#   syn  empty-table    legacy|nft 0 mangle table / FORWARD chain, no rule
#   syn  tcpmss-one     legacy|nft 0 one -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --set-mss 1300
#   syn  tcpmss-chain   legacy|nft N N rules -s PFX ... -j TCPMSS --set-mss MSS
#   syn  nft-map        nft     N   one native rule, interval map of N prefixes
#   syn  vpnmss         legacy|nft N one -p tcp --tcp-flags SYN,RST SYN -j VPNMSS rule
#   ack|bulk baseline   -       0   no rule
#   ack|bulk empty-table legacy|nft 0 mangle table / FORWARD chain, no rule
#   ack|bulk vpnmss-nogate legacy|nft CAP one -p tcp -j VPNMSS rule (no flags gate)
# Every round runs every measurement once, in a shuffled order; REPS rounds.
#
# Prefix i (0 <= i < N) is 10.1.0.0 + 16*i /28 with MSS 1000 + i, and the
# SYNs (MSS 1460) cycle through the 16*N addresses of the N prefixes, so
# every SYN is clamped and every entry is hit equally often.
#
# Tunables (VPNMSS_GUEST_BENCH_*): REPS, PACKETS (per timed SYN/ACK batch),
# BATCHES (per measurement), WARMUP, BULK (bytes per transfer), N (list),
# CAP (rule capacity), SEED, BACKLOG (netdev_max_backlog during batches).
. /tests/lib.sh

REPS=${VPNMSS_GUEST_BENCH_REPS:-7}
PACKETS=${VPNMSS_GUEST_BENCH_PACKETS:-8192}
WARMUP=${VPNMSS_GUEST_BENCH_WARMUP:-2048}
BULK=${VPNMSS_GUEST_BENCH_BULK:-32m}
NLIST=${VPNMSS_GUEST_BENCH_N:-"1 16 64 256"}
CAP=${VPNMSS_GUEST_BENCH_CAP:-256}
SEED=${VPNMSS_GUEST_BENCH_SEED:-1}
BATCHES=${VPNMSS_GUEST_BENCH_BATCHES:-4}
# While batches run, a backlog holds at most this many packets: in step
# with the sender it holds one or two; if forwarding falls behind (see
# ksoftirqd_ns) the batch drops packets and is invalid instead of ending
# with up to 1000 packets not yet forwarded, outside its time.
BACKLOG=${VPNMSS_GUEST_BENCH_BACKLOG:-100}
SRC=10.1.0.0
DST=10.9.0.1
W=/tmp/bench
mkdir -p $W/rules

now() { cut -d' ' -f1 /proc/uptime; }
t_start=$(now)

topo_router
topo_cli_subnet 10.1.0.0/16
ns rtr "$IP" route add 10.9.0.0/16 via 10.0.2.2
ns srv sysctl -qw net.ipv4.ip_forward=0
# Bulk: one skb per segment through rtr (no TSO/GSO super-packets), so that
# the per-packet cost is what the rules see.
ns srv ethtool -K srv0 tso off gso off
ns cli ethtool -K cli0 tso off gso off

diag "BENCH-INFO kernel=$KVER cpus=$(nproc) reps=$REPS packets=$PACKETS warmup=$WARMUP bulk=$BULK n='$NLIST' cap=$CAP seed=$SEED batches=$BATCHES backlog=$BACKLOG"
diag "BENCH-INFO iptables='$(iptables-legacy -V 2>&1)' nft='$(nft -v 2>&1)'"

# --- rule sets, generated once ------------------------------------------------

# entries N: "PREFIX MSS" lines
entries() {
	awk -v n="$1" 'BEGIN { for (i = 0; i < n; i++)
		printf "10.1.%d.%d/28 %d\n", int(i / 16), (i % 16) * 16, 1000 + i }'
}
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
# vpnmss_list N: the --vpn-mss options, 32 entries each (iptables-restore
# takes no parameter of 1024 characters or more)
vpnmss_list() {
	entries "$1" | awk '{ printf "%s%s=%s", ((NR - 1) % 32 ? "," : (NR > 1 ? " --vpn-mss " : "--vpn-mss ")), $1, $2 }'
}

gen_xt $W/rules/empty-table
gen_xt $W/rules/tcpmss-one "-A FORWARD $GATE -j TCPMSS --set-mss 1300"
gen_xt $W/rules/vpnmss-nogate-$CAP "-A FORWARD -p tcp -j VPNMSS --vpn-dir src $(vpnmss_list "$CAP")"
for n in $NLIST; do
	{
		echo '*mangle'
		echo ':FORWARD ACCEPT [0:0]'
		entries "$n" | while read -r p m; do
			echo "-A FORWARD -s $p $GATE -j TCPMSS --set-mss $m"
		done
		echo 'COMMIT'
	} > $W/rules/tcpmss-chain-$n
	gen_xt $W/rules/vpnmss-$n "-A FORWARD $GATE -j VPNMSS --vpn-dir src $(vpnmss_list "$n")"
	{
		echo 'table ip bench {'
		echo '	map m {'
		echo '		typeof ip saddr : tcp option maxseg size'
		echo '		flags interval'
		echo "		elements = { $(entries "$n" | awk '{ printf "%s%s : %s", (NR > 1 ? ", " : ""), $1, $2 }') }"
		echo '	}'
		echo '	chain f {'
		echo '		type filter hook forward priority mangle; policy accept;'
		echo '		tcp flags & (syn | rst) == syn tcp option maxseg size set ip saddr map @m'
		echo '	}'
		echo '}'
	} > $W/rules/nft-map-$n
done

# The measurement list: "kind config backend n rules-file expected-rules".
{
	echo "syn baseline - 0 - 0"
	for b in legacy nft; do
		echo "syn empty-table $b 0 empty-table 0"
		echo "syn tcpmss-one $b 0 tcpmss-one 1"
	done
	for n in $NLIST; do
		for b in legacy nft; do
			echo "syn tcpmss-chain $b $n tcpmss-chain-$n $n"
			echo "syn vpnmss $b $n vpnmss-$n 1"
		done
		echo "syn nft-map nft $n nft-map-$n 1"
	done
	for k in ack bulk; do
		echo "$k baseline - 0 - 0"
		for b in legacy nft; do
			echo "$k empty-table $b 0 empty-table 0"
			echo "$k vpnmss-nogate $b $CAP vpnmss-nogate-$CAP 1"
		done
	done
} > $W/items

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
	[ -z "$(ns rtr cat /proc/net/ip_tables_names)" ] ||
		{ notok "bench: clear rules" "legacy table left in rtr: $(ns rtr cat /proc/net/ip_tables_names)"; return 1; }
	[ -z "$(ns rtr nft list ruleset)" ] ||
		{ notok "bench: clear rules" "nft ruleset left in rtr"; return 1; }
}

# load_rules BACKEND FILE
load_rules() {
	case $1 in
	legacy) ns rtr iptables-legacy-restore < "$W/rules/$2" ;;
	nft)
		case $2 in
		nft-map-*) ns rtr nft -f "$W/rules/$2" ;;
		*) ns rtr iptables-nft-restore < "$W/rules/$2" ;;
		esac ;;
	esac
}

# count_rules BACKEND FILE: rules in force in rtr's forward hook
count_rules() {
	case $1:$2 in
	nft:nft-map-*) ns rtr nft list chain ip bench f | grep -c 'maxseg size set' ;;
	legacy:*) ns rtr iptables-legacy-save -t mangle | grep -c '^-A FORWARD' ;;
	nft:*) ns rtr iptables-nft-save -t mangle | grep -c '^-A FORWARD' ;;
	esac
}

# --- traffic ------------------------------------------------------------------

sender() {	# CPU 1: the CPU whose softirq does the forwarding
	"$IP" netns exec cli taskset -c 1 synsend -4 -s $SRC -d $DST "$@"
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
	[ "$(cat "$p/comm" 2>/dev/null)" = ksoftirqd/1 ] && KSOFTIRQD=${p#/proc/}
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

# check_mss KIND CONFIG BACKEND N: one SYN from each source address, and
# every one must leave rtr with the MSS of its entry.
check_mss() {
	k=$1 cfg=$2 b=$3 n=$4
	[ "$k" = syn ] || return 0
	cnt=256
	[ "$n" = 0 ] || cnt=$((16 * n))
	try=1
	while :; do
		capture_start $W/mss.out --syn -n $cnt -t 30000 || return 1
		sender --mss 1460 -n $cnt --src-count $cnt 2>/dev/null
		capture_end $W/mss.out $cnt
		[ "$(grep -c '^src=' $W/mss.out)" != $cnt ] && [ $try -lt 3 ] || break
		try=$((try + 1))
	done
	why=$(awk -v cfg="$cfg" -v cnt="$cnt" '
		/^src=/ {
			split($1, a, "="); split(a[2], o, ".")
			idx = int(((o[3] * 256) + o[4]) / 16)
			want = cfg == "baseline" ? 1460 : cfg == "tcpmss-one" ? 1300 : 1000 + idx
			split($6, m, "=")
			if (m[2] != want && !bad) bad = $1 " mss=" m[2] " want " want
			got++
		}
		END {
			if (got != cnt) print "captured " got " of " cnt " SYNs"
			else if (bad) print bad
		}' $W/mss.out)
	name="bench: $k $cfg $b n=$n clamps every SYN to its entry"
	[ "$cfg" = baseline ] && name="bench: $k baseline leaves every SYN alone"
	if [ -z "$why" ]; then ok "$name"; else notok "$name" "$why"; fi
}

# measure_pkts KIND CONFIG BACKEND N REP: BATCHES timed batches of PACKETS
# SYNs (MSS 1460) or bare ACKs, after WARMUP untimed ones.  A batch is
# valid if synsend sent it all and no backlog dropped any of it; up to
# 2*BATCHES are sent to get BATCHES valid ones.  The sink counts them all
# and must have seen every packet that was not dropped, else the round's
# batches are all invalid.  One line per batch; the host takes the fastest
# valid batch of the round (interference from the host only adds time).
measure_pkts() {
	k=$1 cfg=$2 b=$3 n=$4 rep=$5
	srcs=$((16 * CAP))
	[ "$n" = 0 ] || srcs=$((16 * n))
	if [ $k = syn ]; then
		set -- --mss 1460
		capf="--syn"
	else
		set -- --flags A
		capf="--port 80"
	fi
	sender "$@" -n $WARMUP --src-count $srcs 2>/dev/null
	capture_start $W/cap.out $capf --count -t 900000 || return 1
	sysctl -qw net.core.netdev_max_backlog=$BACKLOG
	lines= nvalid=0 batch=0 expect=0
	while [ $nvalid -lt "$BATCHES" ] && [ $batch -lt $((2 * BATCHES)) ]; do
		batch=$((batch + 1))
		d0=$(softnet_drops)
		s0=$(ksoftirqd_ns)
		out=$(sender "$@" -n $PACKETS --src-count $srcs 2>&1)
		s1=$(ksoftirqd_ns)
		d1=$(softnet_drops)
		secs=$(echo "$out" | sed -n 's/^sent [0-9]* packets in \([0-9.]*\) s$/\1/p')
		sent=$(echo "$out" | sed -n 's/^sent \([0-9]*\) packets in .*/\1/p')
		drops=$((d1 - d0))
		expect=$((expect + ${sent:-0} - drops))
		valid=0
		if [ "${sent:-0}" = "$PACKETS" ] && [ $drops = 0 ]; then
			valid=1
			nvalid=$((nvalid + 1))
		fi
		lines="$lines kind=$k config=$cfg backend=$b n=$n rep=$rep batch=$batch valid=$valid packets=${sent:-0} delivered=$((${sent:-0} - drops)) backlog_drops=$drops ksoftirqd_us=$(((s1 - s0) / 1000)) secs=${secs:-0}
"
	done
	sysctl -qw net.core.netdev_max_backlog=1000
	# the sink: what is still queued is forwarded within milliseconds
	sleep 0.3
	kill -TERM $cap_pid 2>/dev/null
	wait $cap_pid 2>/dev/null
	got=$(sed -n 's/^count=//p' $W/cap.out)
	sink=ok
	if [ "${got:-0}" != $expect ]; then
		sink="counted ${got:-0} of $expect"
		lines=$(echo "$lines" | sed 's/ valid=1 / valid=0 /')
	fi
	echo "$lines" | while read -r l; do
		[ -z "$l" ] || diag "BENCH $l sink=${got:-0}/$expect"
	done
	[ $nvalid -gt 0 ] ||
		diag "bench: $k $cfg $b n=$n rep=$rep: no valid batch in $batch"
	[ "$sink" = ok ] || diag "bench: $k $cfg $b n=$n rep=$rep: sink $sink"
}

# ip_fwd: IP ForwDatagrams of rtr
ip_fwd() {
	ns rtr awk '/^Ip:/ { if (h) { print $(c); exit } for (i = 1; i <= NF; i++) if ($i == "ForwDatagrams") c = i; h = 1 }' /proc/net/snmp
}

# measure_bulk CONFIG BACKEND N REP: one download of BULK bytes srv -> cli
measure_bulk() {
	cfg=$1 b=$2 n=$3 rep=$4
	rm -f $W/srv.ready
	"$IP" netns exec srv bulk server -p 5001 -b $BULK -t 120 --ready $W/srv.ready > $W/srv.out 2>&1 &
	srv_pid=$!
	wait_file $W/srv.ready 10 || { notok "bench: bulk server" "did not start"; return 1; }
	f0=$(ip_fwd)
	t0=$(now)
	res=$("$IP" netns exec cli bulk client -c 10.0.2.2 -p 5001 -b $BULK -t 120 2>&1)
	t1=$(now)
	f1=$(ip_fwd)
	wait $srv_pid 2>/dev/null
	bytes=$(echo "$res" | sed -n 's/^client: ok received=//p')
	valid=0
	[ -z "$bytes" ] || valid=1
	diag "BENCH kind=bulk config=$cfg backend=$b n=$n rep=$rep batch=1 valid=$valid packets=$((f1 - f0)) delivered=${bytes:-0} backlog_drops=0 secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')"
	[ -n "$bytes" ] || notok "bench: bulk $cfg $b rep=$rep" "$res"
}

# --- the rounds ---------------------------------------------------------------

nitems=$(wc -l < $W/items)
diag "bench: $nitems measurements per round, $REPS rounds"
fails=0
rep=1
while [ $rep -le "$REPS" ]; do
	awk -v seed=$((SEED * 1000 + rep)) 'BEGIN { srand(seed) } { print rand() "\t" $0 }' $W/items |
		sort -n | cut -f2- > $W/order
	r0=$(now)
	while read -r k cfg b n rules want; do
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
			check_mss "$k" "$cfg" "$b" "$n" || fails=$((fails + 1))
		fi
		case $k in
		bulk) measure_bulk "$cfg" "$b" "$n" "$rep" ;;
		*) measure_pkts "$k" "$cfg" "$b" "$n" "$rep" ;;
		esac
	done < $W/order
	diag "bench: round $rep done in $(awk -v a="$r0" -v b="$(now)" 'BEGIN { printf "%d", b - a }') s"
	rep=$((rep + 1))
done
clear_rules
diag "bench: total $(awk -v a="$t_start" -v b="$(now)" 'BEGIN { printf "%d", b - a }') s"
[ $fails = 0 ] && ok "bench: all measurements ran"
