# ESP road-warrior topology, sourced by scenarios (after lib.sh) and the demo.
#
#   rw (192.168.12.2, fd00:12::2 inside the tunnel)
#    | rw0 198.51.100.2 / 2001:db8:51::2, MTU $LINK (the PPPoE uplink)
#    | gw0 198.51.100.1 / 2001:db8:51::1
#   gw   (static-key ESP tunnel to rw; the clamp runs here)
#    | gw1 203.0.113.1 / 2001:db8:113::1, MTU 1500
#    | web0 203.0.113.2 / 2001:db8:113::2
#   web  (drops ICMP "fragmentation needed" / "packet too big")

KEY_AUTH=0x0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
KEY_ENC=0x00112233445566778899aabbccddeeff
KEY_AEAD=0x00112233445566778899aabbccddeeff01020304

# esp_topo LINK-MTU: namespaces, addresses, routes and the ICMP filter.
esp_topo() {
	LINK=$1
	for n in rw gw web; do
		$IP netns add $n
		ns $n $IP link set lo up
		ns $n sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
	done
	$IP link add rw0 netns rw type veth peer name gw0 netns gw
	$IP link add gw1 netns gw type veth peer name web0 netns web
	ns rw $IP link set rw0 mtu "$LINK" up
	ns gw $IP link set gw0 mtu "$LINK" up
	ns gw $IP link set gw1 up
	ns web $IP link set web0 up
	ns rw $IP addr add 198.51.100.2/24 dev rw0
	ns rw $IP addr add 2001:db8:51::2/64 dev rw0 nodad
	ns rw $IP addr add 192.168.12.2/32 dev lo
	ns rw $IP addr add fd00:12::2/128 dev lo
	ns gw $IP addr add 198.51.100.1/24 dev gw0
	ns gw $IP addr add 2001:db8:51::1/64 dev gw0 nodad
	ns gw $IP addr add 203.0.113.1/24 dev gw1
	ns gw $IP addr add 2001:db8:113::1/64 dev gw1 nodad
	ns web $IP addr add 203.0.113.2/24 dev web0
	ns web $IP addr add 2001:db8:113::2/64 dev web0 nodad
	ns gw sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
	ns rw $IP route add 203.0.113.0/24 dev rw0 via 198.51.100.1 src 192.168.12.2
	ns rw $IP -6 route add 2001:db8:113::/64 dev rw0 via 2001:db8:51::1 src fd00:12::2
	ns gw $IP route add 192.168.12.0/24 via 198.51.100.2
	ns gw $IP -6 route add fd00:12::/64 via 2001:db8:51::2
	ns web $IP route add default via 203.0.113.1
	ns web $IP -6 route add default via 2001:db8:113::1
	# Without timestamps the server's send MSS is the MSS it was offered.
	ns web sysctl -qw net.ipv4.tcp_timestamps=0
	ns web iptables-legacy -A INPUT -p icmp --icmp-type fragmentation-needed -j DROP
	ns web ip6tables-legacy -A INPUT -p icmpv6 --icmpv6-type packet-too-big -j DROP
}

# esp_sa NS SRC DST SPI MODE-ARGS: one SA, the same on both ends.
esp_sa() {
	ns "$1" $IP xfrm state add src "$2" dst "$3" proto esp spi "$4" \
		mode tunnel reqid 1 $CIPHER $ENCAP
}

# esp_tunnel CIPHER NATT: SAs and policies for IPv4 and IPv6 inner traffic.
# CIPHER is cbc (AES-CBC + HMAC-SHA256-128) or gcm (AES-GCM-16); NATT is
# natt for ESP in UDP 4500 (IPv4 outer only) or plain.
esp_tunnel() {
	case $1 in
	cbc) CIPHER="auth-trunc hmac(sha256) $KEY_AUTH 128 enc cbc(aes) $KEY_ENC" ;;
	gcm) CIPHER="aead rfc4106(gcm(aes)) $KEY_AEAD 128" ;;
	esac
	ENCAP=
	if [ "$2" = natt ]; then
		ENCAP="encap espinudp 4500 4500 0.0.0.0"
		for n in rw gw; do
			rm -f /tmp/natt.$n
			ns $n nattsock 4500 --ready /tmp/natt.$n >/dev/null &
			wait_file /tmp/natt.$n
		done
	fi
	for n in rw gw; do
		# shellcheck disable=SC2086
		esp_sa $n 198.51.100.2 198.51.100.1 0x1001
		esp_sa $n 198.51.100.1 198.51.100.2 0x1002
	done
	ns rw $IP xfrm policy add src 192.168.12.2/32 dst 203.0.113.0/24 dir out \
		tmpl src 198.51.100.2 dst 198.51.100.1 proto esp mode tunnel reqid 1
	ns rw $IP xfrm policy add src 203.0.113.0/24 dst 192.168.12.2/32 dir in \
		tmpl src 198.51.100.1 dst 198.51.100.2 proto esp mode tunnel reqid 1
	ns gw $IP xfrm policy add src 203.0.113.0/24 dst 192.168.12.0/24 dir out \
		tmpl src 198.51.100.1 dst 198.51.100.2 proto esp mode tunnel reqid 1
	ns gw $IP xfrm policy add src 192.168.12.0/24 dst 203.0.113.0/24 dir fwd \
		tmpl src 198.51.100.2 dst 198.51.100.1 proto esp mode tunnel reqid 1
	if [ "$2" != natt ]; then
		ENCAP=
		for n in rw gw; do
			esp_sa $n 2001:db8:51::2 2001:db8:51::1 0x6001
			esp_sa $n 2001:db8:51::1 2001:db8:51::2 0x6002
		done
		ns rw $IP xfrm policy add src fd00:12::2/128 dst 2001:db8:113::/64 dir out \
			tmpl src 2001:db8:51::2 dst 2001:db8:51::1 proto esp mode tunnel reqid 1
		ns rw $IP xfrm policy add src 2001:db8:113::/64 dst fd00:12::2/128 dir in \
			tmpl src 2001:db8:51::1 dst 2001:db8:51::2 proto esp mode tunnel reqid 1
		ns gw $IP xfrm policy add src 2001:db8:113::/64 dst fd00:12::/64 dir out \
			tmpl src 2001:db8:51::1 dst 2001:db8:51::2 proto esp mode tunnel reqid 1
		ns gw $IP xfrm policy add src fd00:12::/64 dst 2001:db8:113::/64 dir fwd \
			tmpl src 2001:db8:51::2 dst 2001:db8:51::1 proto esp mode tunnel reqid 1
	fi
}

# esp_reset: drop SAs, policies and the NAT-T sockets, keep the links.
esp_reset() {
	for n in rw gw; do
		ns $n $IP xfrm state flush
		ns $n $IP xfrm policy flush
	done
	killall nattsock 2>/dev/null
	ns gw iptables-legacy -t mangle -F
	ns gw ip6tables-legacy -t mangle -F
	ns gw iptables-nft -t mangle -F 2>/dev/null
	ns gw ip6tables-nft -t mangle -F 2>/dev/null
	true
}

# download FAMILY BYTES: the road warrior fetches BYTES from web; prints the
# client's summary line and then "mss=N", the MSS the server sends with.
download() {
	if [ "$1" = 4 ]; then web=203.0.113.2; else web=2001:db8:113::2; fi
	rm -f /tmp/web.ready
	ns web bulk server -p 80 -b "$2" -t 20 --ready /tmp/web.ready > /tmp/web.out 2>&1 &
	wpid=$!
	wait_file /tmp/web.ready
	ns rw bulk client -c $web -p 80 -b "$2" -t 60 -i 4
	kill $wpid 2>/dev/null
	wait $wpid 2>/dev/null
	sed -n 's/^server: snd_mss=\([0-9]*\).*/mss=\1/p' /tmp/web.out
}
