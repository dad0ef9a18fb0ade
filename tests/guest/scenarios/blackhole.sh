#!/bin/sh
# Seed 000's black hole, for real: a road warrior behind an ESP tunnel over
# a 1454-byte uplink downloads from a server that drops ICMP "fragmentation
# needed".  No clamp and --clamp-mss-to-pmtu stall; VPNMSS with the matching
# profile completes, byte-exact, and one byte above the profile's MSS stalls.
. /tests/lib.sh
. /tests/esp.sh
SIZE=3000000
esp_topo 1454

# fetch NAME FAMILY WANT [WANT-MSS]: WANT is ok or stalled.
fetch() {
	out=$(download "$2" $SIZE)
	res=$(echo "$out" | sed -n 's/^client: \([a-z]*\).*/\1/p')
	mss=$(echo "$out" | sed -n 's/^mss=//p')
	if [ -n "${4:-}" ]; then
		expect_eq "blackhole $1: server sends with MSS" "$mss" "$4"
	fi
	expect_eq "blackhole $1: download $3" "$res" "$3"
}

clamp() {
	ns gw "$@"
}

VPN='-t mangle -A FORWARD -p tcp --tcp-flags SYN,RST SYN -j VPNMSS'

for natt in natt plain; do
	esp_tunnel cbc $natt
	if [ $natt = natt ]; then prof=esp-cbc-natt want=1334; else prof=esp-cbc want=1350; fi
	fetch "cbc $natt, no clamp" 4 stalled
	clamp iptables-legacy -t mangle -A FORWARD -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu
	fetch "cbc $natt, TCPMSS --clamp-mss-to-pmtu" 4 stalled 1414
	clamp iptables-legacy -t mangle -F
	clamp iptables-legacy $VPN --vpn-mss 192.168.12.0/24=$prof@1454
	fetch "cbc $natt, VPNMSS $prof@1454 (legacy)" 4 ok $want
	clamp iptables-legacy -t mangle -F
	clamp iptables-nft $VPN --vpn-mss 192.168.12.0/24=$prof@1454
	fetch "cbc $natt, VPNMSS $prof@1454 (nft)" 4 ok $want
	clamp iptables-nft -t mangle -F
	clamp iptables-legacy $VPN --vpn-mss 192.168.12.0/24=$((want + 1))
	fetch "cbc $natt, VPNMSS one byte above ($((want + 1)))" 4 stalled $((want + 1))
	clamp iptables-legacy -t mangle -F
	if [ $natt = plain ]; then
		fetch "cbc v6 inside, no clamp" 6 stalled
		clamp ip6tables-legacy $VPN --vpn-mss fd00:12::/64=esp-cbc6@1454
		fetch "cbc v6 inside, VPNMSS esp-cbc6@1454" 6 ok 1298
		clamp ip6tables-legacy -t mangle -F
		clamp ip6tables-nft $VPN --vpn-mss fd00:12::/64=1299
		fetch "cbc v6 inside, VPNMSS one byte above (1299)" 6 stalled 1299
	fi
	esp_reset
done

esp_tunnel gcm plain
fetch "gcm, no clamp" 4 stalled
clamp iptables-legacy $VPN --vpn-mss 192.168.12.0/24=esp-gcm@1454
fetch "gcm, VPNMSS esp-gcm@1454" 4 ok 1358
clamp iptables-legacy -t mangle -F
clamp iptables-legacy $VPN --vpn-mss 192.168.12.0/24=1359
fetch "gcm, VPNMSS one byte above (1359)" 4 stalled 1359
esp_reset
