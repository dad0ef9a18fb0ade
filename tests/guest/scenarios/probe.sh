#!/bin/sh
# vpnmss-probe, the path MTU finder, against answers known beforehand:
#  (a) seed 000's black hole: the ESP road warrior over a 1454-byte uplink,
#      ICMP "fragmentation needed" dropped on the prober (web): 1374 for
#      AES-CBC with NAT-T, 1390 without, 1358 for IPv6 inside;
#  (b) a router with a 1400-byte link that does send frag-needed: the probe
#      jumps to the ICMP's MTU; then the same link with the ICMP filtered;
#  (c) unreachable hosts: exit 1 and what happened;
#  (d) bad arguments: exit 2, the argument named;
#  (e) the UDP and TCP probes on (a) and (b);
#  and the bounds: --max-probes, the rate.  Every printed figure is checked;
#  the probe counts follow from the binary search (see probe/vpnmss-probe.c):
#  the floor, the ceiling, then halving, --tries sends for a silent size.
# $P and the parsed first line are split on purpose:
# shellcheck disable=SC2086,SC2046
. /tests/lib.sh
. /tests/esp.sh

W=0.2		# --wait: seconds per send
P="-n -v --wait $W"	# pr NS $P ARGS...
VL='^vpnmss-probe: [0-9]+: '	# a --verbose line: one per size

# pr NS ARGS...: run the probe in NS; $rc, $out, $err, and $vl, the
# --verbose lines, which $err leaves out
pr() {
	_n=$1
	shift
	rc=0 args=$*
	ns "$_n" vpnmss-probe "$@" >/tmp/pr.out 2>/tmp/pr.err || rc=$?
	out=$(cat /tmp/pr.out)
	err=$(grep -Ev "$VL" /tmp/pr.err || true)
	vl=$(grep -E "$VL" /tmp/pr.err || true)
	diag "$_n: vpnmss-probe $* -> exit $rc"
	{ cat /tmp/pr.out; cat /tmp/pr.err; } | sed 's/^/#   /'
}

# sends: from $vl, $sent (all sends), $late (the sends beyond the first of
# sizes that were answered: an answer slower than --wait, as on a loaded
# guest, costs a send more) and $short (the silent sizes not sent 3
# times, the default --tries, or once, a TCP connection; else "-")
sends() {
	case $args in
	*--tcp*) _t=1 ;;
	*) _t=3 ;;
	esac
	set -- $(printf '%s\n' "$vl" | awk -v t=$_t '
	NF { n = $0; sub(/.*\(/, "", n); n += 0; all += n }
	/: no answer \(/ { if (n != t) short = short $2; next }
	/: stopped \(/ { next }
	n > 1 { late += n - 1 }
	END { print all + 0, late + 0, short == "" ? "-" : short }')
	sent=$1 late=$2 short=$3
}

# v6_joined NS DEV ADDR: NS's DEV has joined the solicited-node group of
# its IPv6 address ADDR (ff02::1:ff and ADDR's last 24 bits)
v6_joined() {
	ns "$1" awk -v dev="$2" -v a="$3" '
	function pad(h) { return substr("0000" h, length(h) + 1) }
	BEGIN {
		i = index(a, "::")
		l = i ? substr(a, 1, i - 1) : a
		r = i ? substr(a, i + 2) : ""
		nl = l == "" ? 0 : split(l, L, ":")
		nr = r == "" ? 0 : split(r, R, ":")
		x = ""
		for (k = 1; k <= nl; k++) x = x pad(L[k])
		for (k = nl + nr; k < 8; k++) x = x "0000"
		for (k = 1; k <= nr; k++) x = x pad(R[k])
		g = "ff0200000000000000000001ff" substr(x, 27, 6)
	}
	$2 == dev && $3 == g { found = 1 }
	END { exit !found }' /proc/net/igmp6
}

# line N: the Nth line of the last output
line() { printf '%s\n' "$out" | sed -n "${1}p"; }

# head_is NAME DST DEV MTU FLOOR CEIL PROBES MINSECS [SECS]: the first line,
# PROBES sends and more for the answers slower than --wait, and the time
# within [MINSECS, MINSECS + 5], MINSECS grown by SECS (--wait) a late send
head_is() {
	_name=$1 _dst=$2 _dev=$3 _mtu=$4 _lo=$5 _hi=$6 _np=$7 _min=$8
	sends
	if [ "$late" -gt 0 ]; then
		diag "$_name: $late answer(s) slower than --wait, a send more each"
		_np=$((_np + late))
		_min=$(awk -v m="$_min" -v l="$late" -v s="${9:-$W}" 'BEGIN { print m + l * s }')
	fi
	set -- $(line 1 | sed -n 's/^path MTU to \([^ ]*\) via \([^:]*\): \([0-9]*\) (probed \([0-9]*\)\.\.\([0-9]*\), \([0-9]*\) probes, \([0-9.]*\) s)$/\1 \2 \3 \4 \5 \6 \7/p')
	expect_eq "$_name: exit 0" "$rc" 0
	expect_eq "$_name: path MTU line" "$1 $2 $3 $4..$5 $6" \
		"$_dst $_dev $_mtu $_lo..$_hi $_np"
	expect_eq "$_name: the verbose lines' sends add up, each silent size's too" \
		"$sent $short" "${6:-?} -"
	if [ -n "${7:-}" ] &&
	   awk -v s="$7" -v m="$_min" 'BEGIN { exit !(s + 0 >= m - 0.1 && s + 0 <= m + 5) }'; then
		ok "$_name: took ${7:-?} s (at least $_min: silent sizes x tries x wait)"
	else
		notok "$_name: time" "${7:-?} s, want $_min..$(($(printf %.0f "$_min") + 5))"
	fi
}

# tail_is NAME LINE2 MSS-LINE RULE-LINE
tail_is() {
	expect_eq "$1: reason" "$(line 2)" "$2"
	expect_eq "$1: MSS" "$(line 3)" "$3"
	expect_eq "$1: rule" "$(line 4)" "$4"
}

# --- (a) the ESP black hole ------------------------------------------------
esp_topo 1454
esp_tunnel cbc natt
ns rw sysctl -qw net.ipv4.icmp_ratelimit=0

pr web $P 192.168.12.2
head_is "esp natt icmp" 192.168.12.2 web0 1374 576 1500 20 2.4
tail_is "esp natt icmp" "  1375 and above: no answer (no ICMP either: a black hole)" \
	"MSS: 1334 (IPv4)" "rule: --vpn-mss 192.168.12.2/32=1334"

# The same over the unprivileged ICMP socket, with a subnet and a profile.
ns web sysctl -qw net.ipv4.ping_group_range="0 0"
pr web $P --subnet 192.168.12.0/24 --link 1454 --profile esp-cbc-natt 192.168.12.2
head_is "esp natt icmp dgram" 192.168.12.2 web0 1374 576 1500 20 2.4
expect_eq "esp natt icmp dgram: reason" "$(line 2)" \
	"  1375 and above: no answer (no ICMP either: a black hole)"
expect_eq "esp natt icmp dgram: MSS" "$(line 3)" "MSS: 1334 (IPv4)"
expect_eq "esp natt icmp dgram: profile" "$(line 4)" \
	"profile esp-cbc-natt@1454: MSS 1334 (inner MTU 1374): the probed value"
expect_eq "esp natt icmp dgram: rule" "$(line 5)" "rule: --vpn-mss 192.168.12.0/24=1334"
ns web sysctl -qw net.ipv4.ping_group_range="1 0"

# A profile that does not fit: esp-cbc (no NAT-T) says 1350.
pr web $P --link 1454 --profile esp-cbc 192.168.12.2
expect_eq "esp natt, profile esp-cbc: exit" "$rc" 0
expect_eq "esp natt, profile esp-cbc: profile" "$(line 4)" \
	"profile esp-cbc@1454: MSS 1350 (inner MTU 1390)"
expect_eq "esp natt, profile esp-cbc: warning" "$(line 5)" \
	"warning: esp-cbc@1454 does not fit: its MSS 1350 is above the probed 1334"

if command -v tracepath >/dev/null 2>&1; then
	tp=$(ns web tracepath -n 192.168.12.2 2>&1 | sed -n 's/.*pmtu \([0-9]*\).*/\1/p' | tail -n 1)
	expect_eq "esp natt: tracepath sees the interface's 1500, not 1374" "$tp" 1500
else
	skip "esp natt: tracepath finds nothing" "no tracepath in the guest"
fi

# (e) UDP toward a closed port: rw's port unreachable is the answer.
pr web $P --udp 33434 192.168.12.2
head_is "esp natt udp" 192.168.12.2 web0 1374 576 1500 20 2.4
tail_is "esp natt udp" "  1375 and above: no answer (no ICMP either: a black hole)" \
	"MSS: 1334 (IPv4)" "rule: --vpn-mss 192.168.12.2/32=1334"

# (e) TCP toward rw's web server.  rw's SYN-ACK offers MSS 1414 (rw0's
# 1454), so 1500 cannot be sent: the server's MSS caps the search at 1454,
# one probe more than the halving alone; 6 sizes are silent.
mkdir -p /tmp/www
ns rw busybox httpd -p 8080 -h /tmp/www
wait_until 5 ns rw "$SS" -ltn 'sport = :8080' | grep -q 8080 || true
pr web $P --tcp 8080 192.168.12.2
head_is "esp natt tcp" 192.168.12.2 web0 1374 576 1500 13 3.6
tail_is "esp natt tcp" "  1375 and above: no answer (no ICMP either: a black hole)" \
	"MSS: 1334 (IPv4)" "rule: --vpn-mss 192.168.12.2/32=1334"

# Bounds: --max-probes stops the search with a lower bound; the rate.
# 576 answered, 1500 silent 3 times, 1038 answered: 5 sends.  A late
# answer spends one of them: the bound then stops the search earlier.
pr web $P --max-probes 5 192.168.12.2
sends
expect_eq "esp natt --max-probes 5: exit" "$rc" 0
if [ "$late" -eq 0 ]; then
	expect_eq "esp natt --max-probes 5: path MTU line" \
		"$(line 1 | sed 's/, [0-9.]* s)$/)/')" \
		"path MTU to 192.168.12.2 via web0: 1038 (probed 576..1500, 5 probes)"
	expect_eq "esp natt --max-probes 5: reason" "$(line 2)" \
		"  1039..1499 untested: stopped by --max-probes; 1038 is a lower bound"
else
	diag "esp natt --max-probes 5: $late answer(s) slower than --wait"
	expect_eq "esp natt --max-probes 5: 5 sends, the bound named" \
		"$(line 1 | sed -n 's/.*, \([0-9]*\) probes, .*/\1/p') $(line 2 | sed -n 's/.*\(stopped by --max-probes\);.*/\1/p')" \
		"5 stopped by --max-probes"
fi
pr web $P --interval 0.5 192.168.12.2
# 20 sends, 19 gaps of at least 0.5 s
head_is "esp natt --interval 0.5" 192.168.12.2 web0 1374 576 1500 20 9.5 0.5
esp_reset

esp_tunnel cbc plain
pr web $P 192.168.12.2
head_is "esp plain icmp" 192.168.12.2 web0 1390 576 1500 22 3.0
tail_is "esp plain icmp" "  1391 and above: no answer (no ICMP either: a black hole)" \
	"MSS: 1350 (IPv4)" "rule: --vpn-mss 192.168.12.2/32=1350"
pr web $P -6 --link 1454 --profile esp-cbc6 fd00:12::2
head_is "esp plain icmp6" fd00:12::2 web0 1358 1280 1500 20 3.0
expect_eq "esp plain icmp6: reason" "$(line 2)" \
	"  1359 and above: no answer (no ICMP either: a black hole)"
expect_eq "esp plain icmp6: MSS" "$(line 3)" "MSS: 1298 (IPv6)"
expect_eq "esp plain icmp6: profile" "$(line 4)" \
	"profile esp-cbc6@1454: MSS 1298 (inner MTU 1358): the probed value"
expect_eq "esp plain icmp6: rule" "$(line 5)" "rule: --vpn-mss fd00:12::2/128=1298"
esp_reset
cleanup_ns

# --- (b) frag-needed comes back: a 1400-byte link ----------------------------
topo_router
ns rtr ip link set rtr1 mtu 1400
ns srv sysctl -qw net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0
# Addresses added nodad are usable at once, but addrconf joins their
# solicited-node groups later, from its work queue.  On a loaded guest that
# can come after the first probe: the neighbour solicitation for the next
# hop is then not heard, and the probe waits for its retransmission (1 s),
# longer than --wait.  So the IPv6 probe starts once all four have joined.
joined=0
for a in "cli cli0 fd00:1::2" "rtr rtr0 fd00:1::1" "rtr rtr1 fd00:2::1" "srv srv0 fd00:2::2"; do
	wait_until 5 v6_joined $a && joined=$((joined + 1))
done
expect_eq "icmp6: the path's four solicited-node groups joined" "$joined" 4

pr cli $P 10.0.2.2
head_is "icmp frag-needed" 10.0.2.2 cli0 1400 576 1500 3 0
tail_is "icmp frag-needed" "  1401 and above: ICMP fragmentation needed from 10.0.1.1 (MTU 1400)" \
	"MSS: 1360 (IPv4)" "rule: --vpn-mss 10.0.2.2/32=1360"
pr cli $P fd00:2::2
head_is "icmp6 packet too big" fd00:2::2 cli0 1400 1280 1500 3 0
tail_is "icmp6 packet too big" "  1401 and above: ICMP packet too big from fd00:1::1 (MTU 1400)" \
	"MSS: 1340 (IPv6)" "rule: --vpn-mss fd00:2::2/128=1340"
pr cli $P --udp 33434 10.0.2.2
head_is "udp frag-needed" 10.0.2.2 cli0 1400 576 1500 3 0
tail_is "udp frag-needed" "  1401 and above: ICMP fragmentation needed from 10.0.1.1 (MTU 1400)" \
	"MSS: 1360 (IPv4)" "rule: --vpn-mss 10.0.2.2/32=1360"

# A local EMSGSIZE above the interface's MTU.
pr cli $P --max 9000 10.0.2.2
head_is "local EMSGSIZE" 10.0.2.2 cli0 1400 576 9000 4 0
tail_is "local EMSGSIZE" "  1401 and above: ICMP fragmentation needed from 10.0.1.1 (MTU 1400)" \
	"MSS: 1360 (IPv4)" "rule: --vpn-mss 10.0.2.2/32=1360"
pr cli $P --max 9000 10.0.1.1
head_is "local EMSGSIZE, next hop" 10.0.1.1 cli0 1500 576 9000 3 0
tail_is "local EMSGSIZE, next hop" "  1501 and above: too big for cli0 (local MTU 1500)" \
	"MSS: 1460 (IPv4)" "rule: --vpn-mss 10.0.1.1/32=1460"
pr cli $P -I cli0 --min 1401 --max 9000 10.0.2.2
expect_eq "floor above the path MTU: exit 1" "$rc" 1
expect_eq "floor above the path MTU: message" "$err" \
	"vpnmss-probe: 10.0.2.2: the floor 1401 is too big: ICMP fragmentation needed from 10.0.1.1 (MTU 1400): lower --min"
pr cli $P --min 1600 --max 9000 10.0.2.2
expect_eq "floor above the interface MTU: exit 1" "$rc" 1
expect_eq "floor above the interface MTU: message" "$err" \
	"vpnmss-probe: 10.0.2.2: the floor 1600 is too big for cli0 (local MTU 1500): lower --min"

# TCP: the kernel takes the frag-needed and lowers its path MTU.
mkdir -p /tmp/www
ns srv busybox httpd -p 8080 -h /tmp/www
wait_until 5 ns srv "$SS" -ltn 'sport = :8080' | grep -q 8080 || true
pr cli $P --tcp 8080 10.0.2.2
head_is "tcp frag-needed" 10.0.2.2 cli0 1400 576 1500 3 0
tail_is "tcp frag-needed" "  1401 and above: too big, the kernel's path MTU is 1400 (an ICMP fragmentation needed)" \
	"MSS: 1360 (IPv4)" "rule: --vpn-mss 10.0.2.2/32=1360"
cleanup_ns

# The same link, the ICMP dropped on the prober: a black hole again.
topo_router
ns rtr ip link set rtr1 mtu 1400
ns srv sysctl -qw net.ipv4.icmp_ratelimit=0
ns cli iptables-legacy -A INPUT -p icmp --icmp-type fragmentation-needed -j DROP
mkdir -p /tmp/www
ns srv busybox httpd -p 8080 -h /tmp/www
pr cli $P 10.0.2.2
head_is "icmp filtered" 10.0.2.2 cli0 1400 576 1500 22 3.0
tail_is "icmp filtered" "  1401 and above: no answer (no ICMP either: a black hole)" \
	"MSS: 1360 (IPv4)" "rule: --vpn-mss 10.0.2.2/32=1360"
wait_until 5 ns srv "$SS" -ltn 'sport = :8080' | grep -q 8080 || true
pr cli $P --tcp 8080 10.0.2.2
head_is "tcp filtered" 10.0.2.2 cli0 1400 576 1500 12 3.0
tail_is "tcp filtered" "  1401 and above: no answer (no ICMP either: a black hole)" \
	"MSS: 1360 (IPv4)" "rule: --vpn-mss 10.0.2.2/32=1360"

# --- (c) unreachable -----------------------------------------------------------
pr cli $P 192.0.2.1
expect_eq "unreachable: exit 1" "$rc" 1
expect_eq "unreachable: message" "$err" \
	"vpnmss-probe: 192.0.2.1: network unreachable (from 10.0.1.1)"
ns srv iptables-legacy -A INPUT -p icmp --icmp-type echo-request -j DROP
pr cli $P 10.0.2.2
expect_eq "silent host: exit 1" "$rc" 1
expect_eq "silent host: message" "$err" \
	"vpnmss-probe: 10.0.2.2: no answer at the floor size 576 via cli0 (no ICMP either): unreachable, or ICMP echo filtered"
pr cli $P --tcp 8081 10.0.2.2
expect_eq "closed TCP port: exit 1" "$rc" 1
expect_eq "closed TCP port: message" "$err" \
	"vpnmss-probe: connect to 10.0.2.2 port 8081: Connection refused"
pr cli $P --tcp 8080 10.0.3.2	# rtr routes 10/8 back to cli, which drops it
expect_eq "TCP, no SYN-ACK: exit 1" "$rc" 1
expect_eq "TCP, no SYN-ACK: message" "$err" \
	"vpnmss-probe: connect to 10.0.3.2 port 8080: no answer in 3.0 s"
ns_new lonely
pr lonely $P 10.0.2.2
expect_eq "no route: exit 1" "$rc" 1
expect_eq "no route: message" "$err" \
	"vpnmss-probe: no route to 10.0.2.2: Network is unreachable"

# --- (d) bad arguments: exit 2, naming the argument -------------------------------
bad() {
	_want=$1
	shift
	pr cli "$@"
	expect_eq "bad arguments $*: exit 2" "$rc" 2
	case $err in
	*"$_want"*) ok "bad arguments $*: names $_want" ;;
	*) notok "bad arguments $*: names $_want" "stderr: $err" ;;
	esac
}
bad "--min '5'" --min 5 10.0.2.2
bad "--udp '0'" --udp 0 10.0.2.2
bad "--tcp 'http'" --tcp http 10.0.2.2
bad "--profile 'esp-foo'" --link 1454 --profile esp-foo 10.0.2.2
bad "--link" --link 1454 10.0.2.2
bad "-I 'nosuch0'" -I nosuch0 10.0.2.2
bad "no HOST" -n
bad "'10.0.2.3': one HOST only" 10.0.2.2 10.0.2.3
bad "choose one" --udp 53 --tcp 80 10.0.2.2
bad "HOST 'srv.invalid'" -n srv.invalid
bad "--subnet '10.0.2.0'" --subnet 10.0.2.0 10.0.2.2
bad "--subnet 'fd00::/64'" --subnet fd00::/64 10.0.2.2
bad "--wait '0'" --wait 0 10.0.2.2
bad "--max-probes '5000'" --max-probes 5000 10.0.2.2
bad "--min 1000: below IPv6's minimum" -6 --min 1000 fd00:2::2
bad "frobnicate" --frobnicate 10.0.2.2
pr cli --help
expect_eq "--help: exit 0" "$rc" 0
case $out in
Usage:*--tcp\ PORT*"Exit status"*) ok "--help: usage, options, exit status" ;;
*) notok "--help" "unexpected text" ;;
esac
