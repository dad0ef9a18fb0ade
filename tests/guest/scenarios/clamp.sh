#!/bin/sh
# The clamp table: longest-prefix match against a reference computed here,
# --vpn-dir, SYN and SYN-ACK, never raising, packets left alone, checksums.
. /tests/lib.sh
topo_router

V4TABLE=172.16.0.0/12=1400,172.20.0.0/14=1300,172.20.0.0/16=1200,172.20.1.0/24=1100,172.20.1.128/25=1000,172.20.1.130/32=900,172.21.0.0/16=1250,172.22.0.0/15=1350,172.31.255.255/32=950
V6TABLE=fd12::/16=1300,fd12:3400::/24=1250,fd12:3456::/32=1200,fd12:3456:7800::/40=1150,fd12:3456:7890::/48=1100,fd12:3456:7891::/48=1050,fd12:3456:7890:ab00::/56=1000,fd12:3456:7890:abcd::1/128=900,fd13::/16=1280

# Routes so that SYNs toward the test prefixes cross rtr into srv.
ns rtr $IP route add 172.16.0.0/12 via 10.0.2.2
ns rtr $IP -6 route add fd12::/15 via fd00:2::2
ns cli $IP route add 172.16.0.0/12 via 10.0.1.1
ns cli $IP -6 route add fd12::/15 via fd00:1::1

# lpm TABLE < ADDRS -> "HEX32 MSS" per address (the address expanded to 32
# hex digits, so that any spelling compares equal), MSS 0 for no match.
# Addresses are compared bit by bit as 32 hex digits (IPv4 as ::a.b.c.d).
lpm() {
	awk -v table="$1" '
	function hexval(c) { return index("0123456789abcdef", c) - 1 }
	function expand(a,   n, i, p, h, out, parts, left, right, miss) {
		if (a ~ /^[0-9.]+$/) {
			split(a, p, ".")
			return sprintf("000000000000000000000000%02x%02x%02x%02x", p[1], p[2], p[3], p[4])
		}
		n = index(a, "::")
		if (n) {
			left = substr(a, 1, n - 1); right = substr(a, n + 2)
			miss = 8 - (left == "" ? 0 : split(left, p, ":")) - (right == "" ? 0 : split(right, p, ":"))
			a = left
			for (i = 0; i < miss; i++) a = a (a == "" ? "" : ":") "0"
			if (right != "") a = a ":" right
		}
		split(a, parts, ":"); out = ""
		for (i = 1; i <= 8; i++) { h = parts[i]; while (length(h) < 4) h = "0" h; out = out h }
		return out
	}
	function inpfx(x, net, plen,   d, b, full, rest) {
		full = int(plen / 4); rest = plen % 4
		if (substr(x, 1, full) != substr(net, 1, full)) return 0
		if (!rest) return 1
		d = rest == 1 ? 8 : rest == 2 ? 4 : 2
		return int(hexval(substr(x, full + 1, 1)) / d) == int(hexval(substr(net, full + 1, 1)) / d)
	}
	BEGIN {
		n = split(table, e, ",")
		for (i = 1; i <= n; i++) {
			split(e[i], kv, "="); split(kv[1], ap, "/")
			net[i] = expand(ap[1]); mss[i] = kv[2]
			plen[i] = ap[2] + (ap[1] ~ /^[0-9.]+$/ ? 96 : 0)
		}
	}
	{
		x = expand($1); best = -1; val = 0
		for (i = 1; i <= n; i++)
			if (plen[i] > best && inpfx(x, net[i], plen[i])) { best = plen[i]; val = mss[i] }
		print x, val
	}'
}

# Random sources, biased toward the edges of the table's prefixes.
sources4() {
	awk 'BEGIN { srand(4242)
		split("172.16.0.0 172.20.0.0 172.20.1.0 172.20.1.128 172.20.1.130 172.21.0.0 172.22.0.0 172.31.255.255 172.19.255.255 172.24.0.0", b, " ")
		for (i = 0; i < 60; i++) {
			split(b[int(rand() * 10) + 1], o, ".")
			v = ((o[1] * 256 + o[2]) * 256 + o[3]) * 256 + o[4] + int(rand() * 5) - 2
			if (i % 3 == 0) v = 172 * 16777216 + 16 * 65536 + int(rand() * 1048576)
			printf "%d.%d.%d.%d\n", int(v / 16777216), int(v / 65536) % 256, int(v / 256) % 256, v % 256
		} }' | sort -u
}
sources6() {
	awk 'BEGIN { srand(6464)
		split("fd12:3456:7890:abcd fd12:3456:7890:ab00 fd12:3456:7890:abff fd12:3456:7891:0 fd12:3456:7892:0 fd12:3456:78ff:0 fd12:3400:0:0 fd12:34ff:0:0 fd13:0:0:0 fd12:0:0:0", b, " ")
		for (i = 0; i < 50; i++)
			printf "%s:0:0:0:%x\n", b[int(rand() * 10) + 1], int(rand() * 3)
		print "fd12:3456:7890:abcd::1" }' | sort -u
}

# inject FAMILY BACKEND: every source sends a SYN with MSS 1460 to srv.
inject() {
	fam=$1 backend=$2
	if [ "$fam" = 4 ]; then srcs=$(sources4); dst=10.0.2.2; table=$V4TABLE; ipt=iptables
	else srcs=$(sources6); dst=fd00:2::2; table=$V6TABLE; ipt=ip6tables; fi
	name="clamp v$fam $backend: longest prefix over random sources"
	flush_all
	ns rtr $ipt-$backend -t mangle -A FORWARD -p tcp -j VPNMSS --vpn-mss "$table" --vpn-dir src
	n=$(echo "$srcs" | wc -l)
	rm -f /tmp/cap.ready
	ns srv syncap -i srv0 --syn --port 80 -n "$n" -t 60000 --ready /tmp/cap.ready > /tmp/cap.out &
	wait_file /tmp/cap.ready
	for s in $srcs; do
		ns cli synsend -s "$s" -d "$dst" --mss 1460
	done
	wait
	echo "$srcs" | lpm "$table" | awk '{ print $1, ($2 && $2 < 1460) ? $2 : 1460 }' | sort > /tmp/want
	awk '{ for (i = 1; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] } print f["src"], f["mss"], f["csum"] }' /tmp/cap.out > /tmp/cap.fields
	awk '{ print $1 }' /tmp/cap.fields | lpm "" | paste -d' ' - /tmp/cap.fields |
		awk '{ print $1, $4, $5 }' | sort > /tmp/got
	if awk '{ print $1, $2 }' /tmp/got | cmp -s - /tmp/want && ! grep -qv ' ok$' /tmp/got; then
		ok "$name ($n sources)"
	else
		notok "$name" "$(awk '{ print $1, $2 }' /tmp/got | diff /tmp/want - | head -5 | tr '\n' ' ') csum: $(grep -cv ' ok$' /tmp/got) bad"
	fi
	ns rtr $ipt-$backend -t mangle -F
}

# flush_all: no rule left in rtr's mangle tables, under either backend.
flush_all() {
	for t in iptables-legacy ip6tables-legacy iptables-nft ip6tables-nft; do
		ns rtr $t -t mangle -F
	done
}

# one NAME WANT-MSS RULE-ARGS -- SYNSEND-ARGS: inject one segment, check MSS.
one() {
	name=$1 want=$2; shift 2
	rule=
	while [ "$1" != -- ]; do rule="$rule $1"; shift; done
	shift
	flush_all
	case "$*" in *fd00:*|*fd12:*) ipt=ip6tables ;; *) ipt=iptables ;; esac
	ns rtr $ipt-$BACKEND -t mangle -A FORWARD -p tcp -j VPNMSS $rule
	rm -f /tmp/cap.ready
	ns srv syncap -i srv0 --port 80 -n 1 -t 10000 --ready /tmp/cap.ready > /tmp/one.out &
	wait_file /tmp/cap.ready
	ns cli synsend "$@"
	wait
	got=$(sed -n 's/.* mss=\([^ ]*\) .*csum=\([^ ]*\).*/\1 \2/p' /tmp/one.out)
	expect_eq "clamp $BACKEND: $name" "$got" "$want ok"
}

for BACKEND in legacy nft; do
	inject 4 $BACKEND
	inject 6 $BACKEND

	T=172.20.0.0/16=1200
	one "dir src clamps a SYN from the subnet" 1200 --vpn-mss $T --vpn-dir src -- -s 172.20.0.5 -d 10.0.2.2 --mss 1460
	one "dir src ignores a SYN to the subnet" 1460 --vpn-mss $T --vpn-dir src -- -s 10.0.1.2 -d 172.20.0.5 --mss 1460
	one "dir dst clamps a SYN to the subnet" 1200 --vpn-mss $T --vpn-dir dst -- -s 10.0.1.2 -d 172.20.0.5 --mss 1460
	one "dir dst ignores a SYN from the subnet" 1460 --vpn-mss $T --vpn-dir dst -- -s 172.20.0.5 -d 10.0.2.2 --mss 1460
	one "dir both clamps toward the subnet" 1200 --vpn-mss $T -- -s 10.0.1.2 -d 172.20.0.5 --mss 1460
	one "dir both takes the smaller MSS" 1100 --vpn-mss 172.20.0.0/16=1200,172.21.0.0/16=1100 -- -s 172.20.0.5 -d 172.21.0.9 --mss 1460
	one "dir both takes the smaller MSS (v6)" 1100 --vpn-mss fd12::/16=1200,fd13::/16=1100 -- -s fd12::5 -d fd13::9 --mss 1460
	one "SYN-ACK is clamped" 1200 --vpn-mss $T -- -s 172.20.0.5 -d 10.0.2.2 --flags SA --mss 1460
	one "MSS equal to the entry is kept" 1200 --vpn-mss $T -- -s 172.20.0.5 -d 10.0.2.2 --mss 1200
	one "MSS below the entry is never raised" 536 --vpn-mss $T -- -s 172.20.0.5 -d 10.0.2.2 --mss 536
	one "SYN without an MSS option is left alone" none --vpn-mss $T -- -s 172.20.0.5 -d 10.0.2.2
	one "ACK carrying an MSS option is left alone" 1460 --vpn-mss $T -- -s 172.20.0.5 -d 10.0.2.2 --flags A --mss 1460
	one "SYN+RST is left alone" 1460 --vpn-mss $T -- -s 172.20.0.5 -d 10.0.2.2 --flags SR --mss 1460
	one "two MSS options are both clamped" 1200,1200 --vpn-mss $T -- -s 172.20.0.5 -d 10.0.2.2 --mss 1460 --opts 020405b4
	one "SYN outside every entry is left alone" 1460 --vpn-mss $T -- -s 10.0.1.2 -d 10.0.2.2 --mss 1460
done

# Real connections through the clamp: with checksum offload on everywhere
# (the SYN stays CHECKSUM_PARTIAL up to srv) and with rtr's egress
# computing checksums in software (so a wrong update shows as a bad sum).
real() {
	label=$1 fam=$2
	flush_all
	if [ "$fam" = 4 ]; then ipt=iptables saddr=10.0.1.0/24 daddr=10.0.2.2
	else ipt=ip6tables saddr=fd00:1::/64 daddr=fd00:2::2; fi
	ns rtr $ipt-legacy -t mangle -F
	ns rtr $ipt-legacy -t mangle -A FORWARD -p tcp -j VPNMSS --vpn-mss $saddr=1000
	rm -f /tmp/cap.ready /tmp/srv.ready
	ns srv syncap -i srv0 --syn --port 5001 -n 1 -t 20000 --ready /tmp/cap.ready > /tmp/real.out &
	ns srv bulk server -p 5001 -b 1000000 -t 30 --ready /tmp/srv.ready > /tmp/srv.out &
	wait_file /tmp/cap.ready
	wait_file /tmp/srv.ready
	res=$(ns cli bulk client -c $daddr -p 5001 -b 1000000 -t 30)
	wait
	got=$(sed -n 's/.* mss=\([^ ]*\) .*csum=\([^ ]*\).*/\1 \2/p' /tmp/real.out)
	expect_eq "clamp v$fam real TCP, $label: SYN at srv" "$got" "1000 $3"
	expect_eq "clamp v$fam real TCP, $label: transfer" "$res" "client: ok received=1000000"
	ns rtr $ipt-legacy -t mangle -F
}
real "offload on" 4 partial
real "offload on" 6 partial
ns rtr ethtool -K rtr1 tx off >/dev/null
real "software checksum at rtr" 4 ok
real "software checksum at rtr" 6 ok
