#!/bin/sh
# Differential option fuzzing through the real module: random SYNs and
# SYN-ACKs (synsend --random: every data offset, option lists biased to the
# edges) cross a VPNMSS rule at rtr under each backend and family; srv
# captures them (syncap), and optcheck compares each arrival with what the
# test's own model of the receiver says (tests/tools/common.c): every MSS
# the receiver parses before it stops lowered to the limit, every other byte
# as sent, and a valid checksum.
#
# Passes per backend and family:
#   raw      segments from a raw socket (CHECKSUM_NONE at rtr, so the module
#            updates the checksum field itself), VPNMSS_GUEST_FUZZ of them
#   partial  segments sent CHECKSUM_PARTIAL (a packet socket with a virtio
#            header), a quarter as many, twice: rtr1 completing the checksum
#            in software (tx offload off), then srv completing it as the
#            device would (tx offload on, syncap --complete)
#   ext      IPv6 with hop-by-hop, destination options and an atomic
#            fragment header before TCP (raw, a quarter as many): the TCP
#            header is where ipv6_find_hdr() finds it
#
#   VPNMSS_GUEST_FUZZ=N          segments per raw pass (default 2000)
#   VPNMSS_GUEST_FUZZ_SEED=S     replay a run (the seed is printed)
#   VPNMSS_GUEST_FUZZ_RATE=PPS   sending rate (default 2000 a second)
. /tests/lib.sh
topo_router

COUNT=${VPNMSS_GUEST_FUZZ:-2000}
SEED=${VPNMSS_GUEST_FUZZ_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
LIMIT=1200
# Far below what TCG forwards, so that no queue on the way overflows (a
# burst of 20000 lost some at the receiving socket).
RATE=${VPNMSS_GUEST_FUZZ_RATE:-2000}
diag "fuzz: seed $SEED, $COUNT segments per raw pass (replay: VPNMSS_GUEST_FUZZ_SEED=$SEED)"
RTR0MAC=$("$IP" -n rtr link show rtr0 | awk '/link\/ether/ { print $2 }')
# srv answers none of them (syncap reads before netfilter): no RSTs for
# syncap's socket to see and filter.
ns srv iptables-legacy -A INPUT -p tcp --dport 80 -j DROP
ns srv ip6tables-legacy -A INPUT -p tcp --dport 80 -j DROP

# pass NAME FAMILY BACKEND SEED COUNT CSUM [SYNSEND-ARGS]: one batch through
# the rule; CSUM is what syncap must report for each arrival.  SKIP: the
# bytes of extension headers before TCP.
SKIP=0
pass() {
	name=$1 fam=$2 backend=$3 seed=$4 n=$5 want=$6
	shift 6
	if [ "$fam" = 4 ]; then ipt=iptables src=10.0.1.2 dst=10.0.2.2 tbl=10.0.1.0/24=$LIMIT
	else ipt=ip6tables src=fd00:1::2 dst=fd00:2::2 tbl=fd00:1::/64=$LIMIT; fi
	ns rtr $ipt-$backend -t mangle -F
	ns rtr $ipt-$backend -t mangle -A FORWARD -p tcp -j VPNMSS --vpn-mss $tbl
	t0=$(date +%s)
	rm -f /tmp/cap.ready
	ns srv syncap -i srv0 --port 80 -n "$n" -t $((60000 + n * 1000 / RATE)) \
		--complete --ready /tmp/cap.ready > /tmp/fuzz.cap 2>/tmp/fuzz.caperr &
	wait_file /tmp/cap.ready
	ns cli synsend -s $src -d $dst --random "$seed" -n "$n" --rate $RATE \
		--print "$@" > /tmp/fuzz.sent 2>/tmp/fuzz.err
	wait
	res=$(optcheck --limit $LIMIT --csum "$want" --skip $SKIP /tmp/fuzz.sent /tmp/fuzz.cap)
	rc=$?
	secs=$(( $(date +%s) - t0 ))
	ns rtr $ipt-$backend -t mangle -F
	sum=$(echo "$res" | tail -n1)
	stats=$(echo "$sum" | sed 's/.* clamped=\([0-9]*\) odd=\([0-9]*\) kept_before_malformed=\([0-9]*\).*/\1 clamped, \2 at odd offsets, \3 before a malformed option/')
	cmp=$(echo "$sum" | sed -n 's/.* compared=\([0-9]*\) .*/\1/p')
	n="fuzz v$fam $backend $name: seed $seed"
	if [ $rc = 0 ]; then
		ok "$n: $cmp segments as the model says ($stats; $secs s)"
	else
		echo "$res" | grep '^#' | head -n 4
		sed 's/^/# /' /tmp/fuzz.caperr
		notok "$n" "$sum"
	fi
}

i=0
for backend in legacy nft; do
	for fam in 4 6; do
		i=$((i + 1))
		pass raw $fam $backend $((SEED + i)) "$COUNT" ok
	done
done
# CHECKSUM_PARTIAL: rtr1 completes the checksum in software, then srv does.
PCOUNT=$(( (COUNT + 3) / 4 ))
ns rtr ethtool -K rtr1 tx off >/dev/null
for backend in legacy nft; do
	for fam in 4 6; do
		i=$((i + 1))
		pass "partial, software checksum at rtr1" $fam $backend $((SEED + i)) \
			$PCOUNT ok --partial cli0 --dmac "$RTR0MAC"
	done
done
ns rtr ethtool -K rtr1 tx on >/dev/null
for fam in 4 6; do
	i=$((i + 1))
	pass "partial, offload on" $fam legacy $((SEED + i)) $PCOUNT partial-ok \
		--partial cli0 --dmac "$RTR0MAC"
done
SKIP=24
for backend in legacy nft; do
	i=$((i + 1))
	pass "ext headers" 6 $backend $((SEED + i)) $PCOUNT ok --ext hop,dst,frag
done
