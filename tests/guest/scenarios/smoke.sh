#!/bin/sh
# smoke: the harness itself works.  The cli-rtr-srv topology forwards v4
# and v6, and xt_TCPMSS on rtr, through iptables-legacy and iptables-nft,
# rewrites the MSS of a real connection's SYN as srv sees it.
set -u
. /tests/lib.sh

PORT=5001

# syn_mss DST: make one bulk connection cli -> DST; print the MSS option of
# the SYN that arrived on srv0 ("none" if it had none, empty on failure).
syn_mss() {
	rm -f cap cap.ready srv.ready
	ns srv syncap -i srv0 --syn --port $PORT -n 1 -t 20000 --ready cap.ready >cap &
	wait_file cap.ready || return 1
	ns srv bulk server -p $PORT -b 64k -t 20 --ready srv.ready >srv.out 2>&1 &
	wait_file srv.ready || return 1
	if ! ns cli bulk client -c "$1" -p $PORT -b 64k -t 20 >cli.out 2>&1; then
		sed 's/^/# /' cli.out srv.out >&2
		return 1
	fi
	wait
	sed -n 's/.* flags=S mss=\([^ ]*\).*/\1/p' cap | head -n 1
}

for t in syncap bulk; do
	command -v $t >/dev/null || notok "tools" "$t missing (make tools)" || exit 1
done

topo_router
check "ping v4 through rtr" ns cli ping -c 1 -W 5 10.0.2.2
check "ping v6 through rtr" ns cli ping -c 1 -W 5 fd00:2::2
check "ethtool in a namespace" ns cli ethtool -i cli0

# Without a rule the SYN keeps the MSS of cli's 1500-byte link.
expect_eq "no rule: v4 SYN MSS 1460" "$(syn_mss 10.0.2.2)" 1460
expect_eq "no rule: v6 SYN MSS 1440" "$(syn_mss fd00:2::2)" 1440

RULE="-p tcp --tcp-flags SYN,RST SYN -j TCPMSS --set-mss 1000"
for be in legacy nft; do
	check "$be: add v4 TCPMSS rule" ns rtr iptables-$be -t mangle -A FORWARD $RULE
	check "$be: add v6 TCPMSS rule" ns rtr ip6tables-$be -t mangle -A FORWARD $RULE
	expect_eq "$be: v4 SYN reaches srv with MSS 1000" "$(syn_mss 10.0.2.2)" 1000
	expect_eq "$be: v6 SYN reaches srv with MSS 1000" "$(syn_mss fd00:2::2)" 1000
	# one SYN and one SYN-ACK went through each rule
	pkts=$(ns rtr iptables-$be -t mangle -L FORWARD -v -n -x 2>/dev/null | awk '/TCPMSS/ { print $1 }')
	expect_eq "$be: v4 rule counted SYN and SYN-ACK" "$pkts" 2
	ns rtr iptables-$be -t mangle -F FORWARD
	ns rtr ip6tables-$be -t mangle -F FORWARD
done
check "nft sees the iptables-nft tables" ns rtr nft list table ip mangle
