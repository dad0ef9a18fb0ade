#!/bin/sh
# "auto": the MSS comes from the IPsec SA and the route the tunnel side
# uses.  Over seed 000's ESP topology the server must see exactly what
# xfrm_state_mtu() implies, which equals the matching profile's value, and
# the download must complete; --clamp-mss-to-pmtu stalls in the same run.
. /tests/lib.sh
. /tests/esp.sh
SIZE=2000000
esp_topo 1454
ns_new scratch

# profile FAMILY PROFILE@MTU: the MSS the extension computes for it.
profile() {
	ipt=iptables net=10.99.0.0/16
	[ "$1" = 6 ] && ipt=ip6tables net=fd99::/64
	ns scratch $ipt -t mangle -A FORWARD -p tcp -j VPNMSS --vpn-mss "$net=$2"
	ns scratch $ipt -t mangle -S FORWARD | sed -n 's/.*=\([0-9]*\)$/\1/p'
	ns scratch $ipt -t mangle -F
}

# fetch NAME FAMILY WANT-RESULT WANT-MSS
fetch() {
	out=$(download "$2" $SIZE)
	expect_eq "auto $1: server sends with MSS" "$(echo "$out" | sed -n 's/^mss=//p')" "$4"
	expect_eq "auto $1: download $3" "$(echo "$out" | sed -n 's/^client: \([a-z]*\).*/\1/p')" "$3"
}

AUTO4='-t mangle -A FORWARD -p tcp --tcp-flags SYN,RST SYN -j VPNMSS --vpn-mss 192.168.12.0/24=auto'
AUTO6='-t mangle -A FORWARD -p tcp --tcp-flags SYN,RST SYN -j VPNMSS --vpn-mss fd00:12::/64=auto'

for case in "cbc natt esp-cbc-natt" "cbc plain esp-cbc" "gcm plain esp-gcm"; do
	set -- $case
	esp_tunnel $1 $2
	want=$(profile 4 "$3@1454")
	ns gw iptables-legacy -t mangle -A FORWARD -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu
	fetch "$1 $2: --clamp-mss-to-pmtu" 4 stalled 1414
	ns gw iptables-legacy -t mangle -F
	ns gw iptables-legacy $AUTO4
	fetch "$1 $2 (legacy): auto = $3@1454 = $want" 4 ok "$want"
	ns gw iptables-legacy -t mangle -F
	ns gw iptables-nft $AUTO4
	fetch "$1 $2 (nft): auto = $3@1454 = $want" 4 ok "$want"
	ns gw iptables-nft -t mangle -F
	if [ "$1 $2" = "cbc plain" ]; then
		want6=$(profile 6 esp-cbc6@1454)
		ns gw ip6tables-legacy $AUTO6
		fetch "cbc, IPv6 inside: auto = esp-cbc6@1454 = $want6" 6 ok "$want6"
		ns gw ip6tables-legacy -t mangle -F
		# The uplink shrinks; the rule stays as it is.
		ns gw $IP link set gw0 mtu 1400
		ns rw $IP link set rw0 mtu 1400
		want=$(profile 4 esp-cbc@1400)
		ns gw iptables-legacy $AUTO4
		fetch "cbc, uplink lowered to 1400: auto = esp-cbc@1400 = $want" 4 ok "$want"
		ns gw iptables-legacy -t mangle -F
		ns gw $IP link set gw0 mtu 1454
		ns rw $IP link set rw0 mtu 1454
	fi
	esp_reset
done

# A route-based tunnel: GRE, whose far end has the smaller MTU.  auto is
# the tunnel interface's MTU - 40, as --clamp-mss-to-pmtu would say too.
ns rw $IP tunnel add gre1 mode gre local 198.51.100.2 remote 198.51.100.1 ttl 64
ns gw $IP tunnel add gre1 mode gre local 198.51.100.1 remote 198.51.100.2 ttl 64
ns rw $IP addr add 192.168.13.2/32 dev gre1
ns gw $IP link set gre1 mtu 1400 up
ns rw $IP link set gre1 up
ns rw $IP route replace 203.0.113.0/24 dev gre1 src 192.168.13.2
ns gw $IP route add 192.168.13.0/24 dev gre1
fetch "GRE, no clamp" 4 stalled 1390
ns gw iptables-legacy -t mangle -A FORWARD -p tcp -j VPNMSS --vpn-mss 192.168.13.0/24=auto
fetch "GRE: auto = tunnel MTU 1400 - 40" 4 ok 1360
ns gw iptables-legacy -t mangle -F

# No route back to the source: the SYN passes untouched, nothing breaks.
ns gw iptables-legacy -t mangle -A FORWARD -p tcp -j VPNMSS --vpn-mss 172.30.0.0/16=auto
# syn_mss SRC: the MSS web sees on a SYN with MSS 1460 that rw sends from SRC.
syn_mss() {
	rm -f /tmp/cap.ready
	ns web syncap -i web0 --syn --port 80 -n 1 -t 10000 --ready /tmp/cap.ready > /tmp/a.out &
	wait_file /tmp/cap.ready
	ns rw synsend -s "$1" -d 203.0.113.2 --mss 1460
	wait
	sed -n 's/.* mss=\([^ ]*\) .*/\1/p' /tmp/a.out
}

expect_eq "auto: no route back leaves the SYN alone" "$(syn_mss 172.30.0.9)" 1460
ns gw iptables-legacy -t mangle -F

# Mark-based policy routing: the SYN's mark picks the route back, here a
# table whose route to the source has MTU 1300.  Without the mark the
# reverse lookup reads the main table's 1454.
ns gw $IP route add 172.31.0.0/16 via 198.51.100.2
ns gw $IP route add 172.31.0.0/16 via 198.51.100.2 mtu lock 1300 table 100
ns gw $IP rule add fwmark 7 lookup 100
for backend in legacy nft; do
	ns gw iptables-$backend -t mangle -A FORWARD -s 172.31.0.0/16 -j MARK --set-mark 7
	ns gw iptables-$backend -t mangle -A FORWARD -p tcp -j VPNMSS --vpn-mss 172.31.0.0/16=auto
	expect_eq "auto ($backend): the SYN's mark selects the route back (MTU 1300)" \
		"$(syn_mss 172.31.0.9)" 1260
	ns gw iptables-$backend -t mangle -F
done
ns gw $IP rule del fwmark 7 lookup 100

# An "auto" entry in a user chain reached from PREROUTING, before routing.
# iptables-legacy knows the hook when the jump is added and refuses it;
# iptables-nft checks the user chain's rule without a hook, so the target
# decides per packet: no clamp (the main table's route back would say
# 1414), counted as autofail.
ns gw iptables-legacy -t mangle -N autochain
ns gw iptables-legacy -t mangle -A autochain -p tcp -j VPNMSS --vpn-name pre --vpn-mss 172.31.0.0/16=auto
check_fails "auto (legacy): a user chain with auto entries cannot be reached from PREROUTING" \
	ns gw iptables-legacy -t mangle -A PREROUTING -j autochain
ns gw iptables-legacy -t mangle -F
ns gw iptables-legacy -t mangle -X
ns gw iptables-nft -t mangle -N autochain
ns gw iptables-nft -t mangle -A autochain -p tcp -j VPNMSS --vpn-name pre --vpn-mss 172.31.0.0/16=auto
check "auto (nft): the jump from PREROUTING is accepted" \
	ns gw iptables-nft -t mangle -A PREROUTING -j autochain
expect_eq "auto (nft) reached from PREROUTING: the SYN passes unclamped" \
	"$(syn_mss 172.31.0.9)" 1460
expect_eq "auto (nft) reached from PREROUTING: counted as autofail" \
	"$(ns gw sed -n 's/.* autofail=\([0-9]*\).*/\1/p' /proc/net/xt_vpnmss/pre)" 1
ns gw iptables-nft -t mangle -F
ns gw iptables-nft -t mangle -X
