# The clinic's PPP tunnels (L2TP/IPsec, PPTP), sourced by l2tp.sh and
# pptp.sh after lib.sh (run --userland host).
#
#   cli  (the clinic's PC: its pppd; its ip-up forces ppp0's MTU to 1470)
#    | cli0 198.51.100.2, MTU $LINK (the clinic's DSL uplink)
#    | srv0 198.51.100.1, MTU $LINK
#   srv  (the VPN server: its pppd has mtu/mru $PPPMTU; the clamp runs here,
#    |    on ppp+, both directions; pool 192.168.12.2-9, local 192.168.12.1)
#    | srv1 203.0.113.1
#    | web0 203.0.113.2
#   web  (busybox httpd; drops ICMP "fragmentation needed")
#
# The uplink drops IP fragments, as many NAT routers do (tc on both ends):
# a packet too big for it is lost, silently.
SIZE=3000000
LINK=1454
POOL=192.168.12.0/24
mkdir -p /tmp/ppp /tmp/www

# wait_secs SECS CMD...: poll CMD once a second until it succeeds, for at
# most SECS seconds of wall time (wait_until's 0.1 s polls cost too much
# when each poll forks a few programs under TCG)
wait_secs() {
	_end=$(( $(date +%s) + $1 ))
	shift
	until "$@" >/dev/null 2>&1; do
		[ "$(date +%s)" -lt $_end ] || return 1
		sleep 1
	done
}

# ppp_up BEFORE: the server has more than BEFORE ppp units up and the
# clinic an address from the pool
ppp_up() {
	[ "$(ip -n srv -o link show | grep -c ': ppp[0-9]*:.*UP')" -gt "$1" ] &&
		ip -n cli -4 -o addr show | grep -q ' ppp.* 192.168.12'
}

ppp_topo() {
	for n in cli srv web; do ns_new $n; done
	ip link add cli0 netns cli type veth peer name srv0 netns srv
	ip link add srv1 netns srv type veth peer name web0 netns web
	ip -n cli link set cli0 mtu $LINK up
	ip -n srv link set srv0 mtu $LINK up
	ip -n srv link set srv1 up
	ip -n web link set web0 up
	addr cli cli0 198.51.100.2/24
	addr srv srv0 198.51.100.1/24
	addr srv srv1 203.0.113.1/24
	addr web web0 203.0.113.2/24
	ns srv sysctl -qw net.ipv4.ip_forward=1
	ip -n web route add default via 203.0.113.1
	# Without timestamps a sender's MSS is the MSS it was offered.
	for n in cli web; do ns $n sysctl -qw net.ipv4.tcp_timestamps=0; done
	ns web iptables-legacy -A INPUT -p icmp --icmp-type fragmentation-needed -j DROP
	dd if=/dev/urandom of=/tmp/www/big bs=$SIZE count=1 2>/dev/null
	ns web busybox httpd -f -p 80 -h /tmp/www &
	ns cli busybox httpd -f -p 80 -h /tmp/www &
	frags_drop on
}

# frags_drop on|off: the uplink loses (or passes) IP fragments, both ways
frags_drop() {
	for e in "cli cli0" "srv srv0"; do
		n=${e% *} d=${e#* }
		if [ "$1" = on ]; then
			$TC -n $n qdisc add dev $d clsact
			# MF set, or a fragment offset: any fragment
			$TC -n $n filter add dev $d egress prio 1 protocol ip u32 \
				match u16 0x2000 0x2000 at 6 action drop
			$TC -n $n filter add dev $d egress prio 2 protocol ip u32 \
				match u16 0 0x1fff at 6 action ok
			$TC -n $n filter add dev $d egress prio 3 protocol ip u32 \
				match u32 0 0 action drop
		else
			$TC -n $n qdisc del dev $d clsact
		fi
	done
}

# frags_dropped: the fragments lost on the uplink so far
frags_dropped() {
	for e in "cli cli0" "srv srv0"; do
		$TC -n ${e% *} -s filter show dev ${e#* } egress 2>/dev/null
	done | awk '/gact action drop/ { d = 1 } /gact action pass/ { d = 0 }
		d && /Sent/ { n += $4; d = 0 } END { print n + 0 }'
}

# pppd's options: /etc/ppp/options is read by every pppd; the guest's
# overlay takes the operator's own.  ip-up is the seed's: on the clinic's
# side (its local address is from the pool, not the server's .1) it forces
# ppp0's MTU to 1470 and routes the server's LAN into the tunnel.
ppp_etc() {
	printf '%s\n' 'lock' >/etc/ppp/options
	cat >/etc/ppp/chap-secrets <<-'EOF2'
	# client server secret addresses
	clinic * "vpnmss test only, not a secret" *
	EOF2
	cat >/etc/ppp/ip-up <<-'EOF2'
	#!/bin/sh
	# IFACE TTY SPEED LOCAL REMOTE IPPARAM
	echo "$*" >>/tmp/ppp/ip-up.log
	case $4 in
	192.168.12.1) ;;
	192.168.12.*)
		ip link set "$1" mtu 1470
		ip route replace 203.0.113.0/24 dev "$1" ;;
	esac
	EOF2
	chmod 755 /etc/ppp/ip-up
	rm -rf /etc/ppp/ip-down.d /etc/ppp/ip-up.d
	: >/tmp/ppp/ip-up.log
}

# pppif NS PEER: the ppp interface in NS whose peer is PEER
pppif() {
	ip -n "$1" -4 -o addr show | awk -v p="$2" '$2 ~ /^ppp/ && $0 ~ "peer " p "/" { print $2; exit }'
}

# mtu NS DEV
mtu() { ip -n "$1" -o link show dev "$2" | sed -n 's/.* mtu \([0-9]*\) .*/\1/p'; }

# cli_ip: the clinic's tunnel address (its newest ppp interface)
cli_ip() {
	ip -n cli -4 -o addr show | awk '$2 ~ /^ppp/ { sub("/.*", "", $4); a = $4 } END { print a }'
}

# download CAP-NS CAP-DEV CURL-NS URL: CURL-NS downloads URL while CAP-NS
# captures the connection's SYN on CAP-DEV; sets res (ok or stalled),
# mss (the SYN's), rc, got and secs
download() {
	rm -f /tmp/cap.ready /tmp/dl
	ns "$1" syncap -i "$2" --syn --port 80 -n 1 -t 30000 --ready /tmp/cap.ready >/tmp/cap.out &
	cpid=$!
	wait_file /tmp/cap.ready
	t0=$(date +%s)
	# A stall: no progress at all for 8 s.
	ns "$3" curl -s -o /tmp/dl --max-time 90 --speed-time 8 --speed-limit 1 "$4"
	rc=$?
	wait $cpid
	secs=$(( $(date +%s) - t0 ))
	got=$(wc -c </tmp/dl 2>/dev/null || echo 0)
	if [ "$rc" = 0 ] && [ "$got" = $SIZE ] && cmp -s /tmp/dl /tmp/www/big; then
		res=ok
	else
		res=stalled
	fi
	mss=$(sed -n 's/.* mss=\([0-9]*\).*/\1/p' /tmp/cap.out)
}

# fetch NAME WANT-RESULT WANT-MSS: the clinic downloads from web (a
# connection opened from the clinic); web's MSS is the clinic's SYN's.
fetch() {
	download web web0 cli http://203.0.113.2/big
	diag "$1: curl exit $rc after $got bytes, $secs s"
	expect_eq "$1: download from the clinic $2" $res "$2"
	expect_eq "$1: web sees MSS" "$mss" "$3"
}

# toward NAME WANT-RESULT WANT-MSS: web opens a connection toward the
# clinic and fetches from the clinic's httpd; the clinic's MSS is web's
# SYN's, as the clinic sees it.
toward() {
	ip=$(cli_ip)
	download cli "$(ip -n cli -o link show | awk -F': ' '$2 ~ /^ppp/ { d = $2 } END { print d }')" \
		web "http://$ip/big"
	diag "$1: toward $ip: curl exit $rc after $got bytes, $secs s"
	expect_eq "$1: download toward the clinic $2" $res "$2"
	expect_eq "$1: the clinic sees MSS" "$mss" "$3"
}

# ppp_dial CMD...: the clinic dials with CMD and waits for one more ppp
# unit on the server; sets srvif and cliif
ppp_dial() {
	before=$(ip -n srv -o link show | grep -c ': ppp')
	"$@" || return 1
	wait_secs 60 ppp_up "$before" || return 1
	sleep 1		# the clinic's ip-up
	srvif=$(pppif srv "$(cli_ip)")
	cliif=$(ip -n cli -4 -o addr show | awk '$2 ~ /^ppp/ { d = $2 } END { print d }')
}

# logs: the daemons' logs and configuration, for a failure
logs() { tail -n 25 /tmp/ppp/*.log /tmp/ppp/*.out /tmp/ppp/*.conf /tmp/ppp/options.* 2>/dev/null | sed 's/^/#   /'; }

# ppp_no_clamp PASSING-RESULT: without a clamp both directions stall, the
# uplink dropping the fragments; with fragments passing, the download
# toward the clinic ends PASSING-RESULT
ppp_no_clamp() {
	fetch "no clamp" stalled 1430
	toward "no clamp" stalled 1460
	n=$(frags_dropped)
	if [ "$n" -gt 0 ]; then ok "no clamp: the uplink dropped $n fragments"; else notok "no clamp: fragments dropped" "none"; fi
	frags_drop off
	toward "no clamp, fragments passing" "$1" 1460
	frags_drop on
}

# ppp_probe_web PROFILE: vpnmss-probe from web toward the clinic finds the
# server's ppp MTU and reports PROFILE@LINK's MSS (want) as the probed one
ppp_probe_web() {
	ns cli sysctl -qw net.ipv4.icmp_ratelimit=0
	ns srv sysctl -qw net.ipv4.icmp_ratelimit=0
	ns web vpnmss-probe -n --wait 0.3 --subnet $POOL --link $LINK --profile "$1" "$(cli_ip)" >/tmp/ppp/probe.out 2>&1
	diag "web: vpnmss-probe toward the clinic -> exit $?"
	sed 's/^/#   /' /tmp/ppp/probe.out
	expect_eq "probe from web: path MTU" "$(sed -n 's/^path MTU to [^ ]* via web0: \([0-9]*\) .*/\1/p' /tmp/ppp/probe.out)" $PPPMTU
	expect_eq "probe from web: profile line" "$(sed -n 4p /tmp/ppp/probe.out)" \
		"profile $1@$LINK: MSS $want (inner MTU $PPPMTU): the probed value"
	expect_eq "probe from web: rule" "$(sed -n 5p /tmp/ppp/probe.out)" "rule: --vpn-mss $POOL=$want"
}

# ppp_counted: the packets the server's legacy VPNMSS rules counted
ppp_counted() {
	ns srv iptables-legacy -t mangle -L FORWARD -v -x -n | awk '/VPNMSS/ { n += $1 } END { print n }'
}

# ppp_flap_begin: what the redial is checked against: the server's rules,
# their counters and ppp unit before the tunnel flaps
ppp_flap_begin() {
	rules=$(ns srv iptables-legacy -t mangle -S)
	c0=$(ppp_counted)
	old=$srvif
}

# ppp_redial: after the flap the clinic dials again (dial), the server
# gives it a new ppp unit, and the same rules clamp both ways to want and
# count the new SYNs
ppp_redial() {
	if ! dial; then
		notok "flap: the clinic dials again" "no new session in 60 s"
		logs
		return 1
	fi
	ok "flap: the clinic dials again"
	diag "flap: server $old -> $srvif, clinic's address $(cli_ip); $(ip -n srv -o link show | grep -c ': ppp') ppp units on the server"
	if [ "$srvif" != "$old" ]; then ok "flap: a new ppp unit ($srvif, was $old)"; else notok "flap: a new ppp unit" "still $srvif"; fi
	fetch "flap: iptables-legacy auto, $srvif" ok "$want"
	toward "flap: iptables-legacy auto, $srvif" ok "$want"
	expect_eq "flap: the rules did not change" "$(ns srv iptables-legacy -t mangle -S)" "$rules"
	c1=$(ppp_counted)
	if [ "$c1" -gt "$c0" ]; then ok "flap: the same rules count the new SYNs ($c0 -> $c1)"; else notok "flap: rule counters" "$c0 -> $c1"; fi
}

# profile NAME@MTU: the MSS the extension computes for it
profile() {
	ns web iptables-nft -t mangle -A OUTPUT -p tcp -j VPNMSS --vpn-mss "10.99.0.0/16=$1"
	ns web iptables-nft -t mangle -S OUTPUT 2>/dev/null | sed -n 's/.*=\([0-9]*\)$/\1/p'
	ns web iptables-nft -t mangle -F OUTPUT
}

# clamp IPT VALUE: the server's two rules, on ppp+ both ways
clamp() {
	ns srv $1 -t mangle -A FORWARD -i ppp+ -p tcp --tcp-flags SYN,RST SYN \
		-j VPNMSS --vpn-dir src --vpn-mss "$POOL=$2"
	ns srv $1 -t mangle -A FORWARD -o ppp+ -p tcp --tcp-flags SYN,RST SYN \
		-j VPNMSS --vpn-dir dst --vpn-mss "$POOL=$2"
}
unclamp() {
	ns srv iptables-legacy -t mangle -F
	ns srv iptables-nft -t mangle -F 2>/dev/null
	true
}

# hexpkt PCAP: the first packet of PCAP, from its IP header, as hex
hexpkt() {
	tcpdump -r "$1" -nn -x -c 1 2>/dev/null |
		awk '/^[ \t]+0x/ { for (i = 2; i <= NF; i++) s = s $i } END { print s }'
}

# byte HEX N [COUNT]: COUNT (1) bytes at offset N of HEX, as hex
byte() { echo "$1" | cut -c$(( $2 * 2 + 1 ))-$(( ($2 + ${3:-1}) * 2 )); }

# iplen HEX: an IP packet's total length
iplen() { echo $(( 0x$(byte "$1" 2 2) )); }

# ppp_mods MODULE...: load what the tunnel needs; their names in the log
ppp_mods() {
	for m; do
		if modprobe "$m" 2>/dev/null; then
			loaded="$loaded $m"
		else
			diag "modprobe $m failed (built in, or missing)"
		fi
	done
	diag "modules loaded:$loaded"
}
