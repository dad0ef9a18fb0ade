#!/bin/sh
# make demo: seed 000's story in a few readable lines.
. /tests/lib.sh
. /tests/esp.sh
say() { echo "# $*"; }

esp_topo 1454
esp_tunnel cbc natt
say "road warrior 192.168.12.2 --[ESP, AES-CBC/SHA-256, NAT-T; uplink MTU 1454]-- gateway -- web server 203.0.113.2"
say "the web server drops ICMP 'fragmentation needed'"
say
say "1. no clamp: the road warrior downloads 3 MB"
out=$(download 4 3000000)
say "   server sends segments of $(echo "$out" | sed -n 's/^mss=//p') bytes; $(echo "$out" | grep '^client:')"
expect_eq "demo: without a clamp the download stalls" "$(echo "$out" | grep -o stalled)" stalled
say
say "2. on the gateway:"
say "   iptables -t mangle -A FORWARD -p tcp --tcp-flags SYN,RST SYN -j VPNMSS --vpn-mss 192.168.12.0/24=esp-cbc-natt@1454"
ns gw iptables -t mangle -A FORWARD -p tcp --tcp-flags SYN,RST SYN -j VPNMSS --vpn-mss 192.168.12.0/24=esp-cbc-natt@1454
say "   iptables -t mangle -S FORWARD"
ns gw iptables -t mangle -S FORWARD | grep VPNMSS | sed 's/^/#   /'
say
say "3. the same download again"
out=$(download 4 3000000)
say "   server sends segments of $(echo "$out" | sed -n 's/^mss=//p') bytes; $(echo "$out" | grep '^client:')"
expect_eq "demo: with VPNMSS the download completes" "$(echo "$out" | grep '^client:')" "client: ok received=3000000"
