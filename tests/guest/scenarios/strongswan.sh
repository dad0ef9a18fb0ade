#!/bin/sh
# strongswan: the seed-000 story with real IKEv2 (run --userland host).
#
#   rw  (road warrior: its own charon, virtual IP from 192.168.12.0/24)
#    | rw0 198.51.100.2, MTU 1454 (a FLET'S PPPoE uplink)
#    | gw0 198.51.100.1, MTU 1454
#   gw  (strongSwan gateway, swanctl.conf; the clamp runs here)
#    | gw1 203.0.113.1
#    | web0 203.0.113.2
#   web (busybox httpd; drops ICMP "fragmentation needed")
#
# NAT-T is forced (encap = yes): ESP goes in UDP 4500.  For each ESP
# proposal, the road warrior curls a 2 MB file from web: without a clamp
# the download stalls (the road warrior offers MSS 1414, the route's);
# with the profile that matches the negotiated SA, and with auto, it
# completes, and the MSS web sees is what 'ip xfrm state' on gw implies
# through xfrm_state_mtu().  Each charon has a private /run (the pid file
# and the vici socket) and its own /etc/netns/NAME (ip netns exec).
. /tests/lib.sh
SIZE=2000000
LINK=1454
CHARON=/usr/lib/ipsec/charon

# --- topology ---------------------------------------------------------------
for n in rw gw web; do ns_new $n; done
ip link add rw0 netns rw type veth peer name gw0 netns gw
ip link add gw1 netns gw type veth peer name web0 netns web
ip -n rw link set rw0 mtu $LINK up
ip -n gw link set gw0 mtu $LINK up
ip -n gw link set gw1 up
ip -n web link set web0 up
addr rw rw0 198.51.100.2/24
addr gw gw0 198.51.100.1/24
addr gw gw1 203.0.113.1/24
addr web web0 203.0.113.2/24
ns gw sysctl -qw net.ipv4.ip_forward=1
ip -n gw route add 192.168.12.0/24 via 198.51.100.2
ip -n web route add default via 203.0.113.1
# Without timestamps the server's send MSS is the MSS it was offered.
ns web sysctl -qw net.ipv4.tcp_timestamps=0
ns web iptables-legacy -A INPUT -p icmp --icmp-type fragmentation-needed -j DROP
mkdir -p /tmp/www
dd if=/dev/urandom of=/tmp/www/big bs=$SIZE count=1 2>/dev/null
ns web busybox httpd -f -p 80 -h /tmp/www &

# --- the two charons ---------------------------------------------------------
# conf NAME ESP-PROPOSALS: write strongswan.conf and swanctl.conf for NAME
conf() {
	d=/etc/netns/$1
	mkdir -p $d/swanctl
	cat >$d/strongswan.conf <<-EOF
	charon {
		load_modular = yes
		plugins {
			include strongswan.d/charon/*.conf
		}
		filelog {
			log {
				path = /tmp/charon-$1.log
				default = 1
				ike = 2
			}
		}
	}
	EOF
	prop=
	[ "$2" = default ] || prop="esp_proposals = $2"
	if [ "$1" = gw ]; then
		peer=rw ts=local_ts pool='pools { rw_pool { addrs = 192.168.12.0/24 } }'
		where="local_addrs = 198.51.100.1
			pools = rw_pool"
	else
		peer=gw ts=remote_ts pool=
		where="remote_addrs = 198.51.100.1
			vips = 0.0.0.0"
	fi
	cat >$d/swanctl/swanctl.conf <<-EOF
	connections {
		vpn {
			$where
			encap = yes
			local { auth = psk
				id = $1.vpnmss.test }
			remote { auth = psk
				id = $peer.vpnmss.test }
			children { vpn { $ts = 203.0.113.0/24
				$prop } }
		}
	}
	$pool
	secrets { ike-1 { id-1 = gw.vpnmss.test
		id-2 = rw.vpnmss.test
		secret = "vpnmss test only, not a secret" } }
	EOF
}

# start NAME: a charon in namespace NAME with a private /run
start() {
	rm -f /tmp/charon-$1.pid
	ns $1 sh -c "mount -t tmpfs tmpfs /run && echo \$\$ >/tmp/charon-$1.pid &&
		exec $CHARON" >/tmp/charon-$1.out 2>&1 &
	wait_file /tmp/charon-$1.pid
}

# swan NAME ARGS...: swanctl against NAME's charon, in its mount namespace
swan() {
	swan_pid=$(cat /tmp/charon-$1.pid)
	shift
	timeout 120 nsenter -t "$swan_pid" -m -n swanctl "$@"
}

conf gw default
conf rw default
start gw
start rw
if ! check "charon runs on gw" wait_until 60 swan gw --stats ||
	! check "charon runs on the road warrior" wait_until 60 swan rw --stats; then
	tail -n 30 /tmp/charon-*.log /tmp/charon-*.out | sed 's/^/#   /'
	exit 1
fi

# --- the checks --------------------------------------------------------------
# want_mss: from gw's SA toward the road warrior as 'ip xfrm state' shows
# it, xfrm_state_mtu() (esp4_get_mtu) of the uplink, less 40: prints the
# MSS, or "?" for an algorithm this table does not know.
want_mss() {
	ns gw ip xfrm state | awk -v mtu=$LINK '
	/^src / { sa = ($2 == "198.51.100.1" && $4 == "198.51.100.2") }
	!sa { next }
	/mode tunnel/ { ip = 20 }
	$1 == "auth-trunc" { icv = $NF / 8 }
	$1 == "enc" && $2 == "cbc(aes)" { iv = 16; blk = 16 }
	$1 == "aead" && $2 == "rfc4106(gcm(aes))" { iv = 8; blk = 4; icv = $NF / 8 }
	$1 == "encap" && $3 == "espinudp" { udp = 8 }
	END {
		if (!ip || !iv || !icv) { print "?"; exit }
		n = mtu - (8 + iv + ip + udp) - icv
		print int(n / blk) * blk - 2 - 40
	}'
}

# fetch NAME WANT-RESULT WANT-MSS: curl the file through the tunnel
fetch() {
	rm -f /tmp/cap.ready /tmp/dl
	ns web syncap -i web0 --syn --port 80 -n 1 -t 30000 --ready /tmp/cap.ready >/tmp/cap.out &
	cpid=$!
	wait_file /tmp/cap.ready
	# A stall: no progress at all for 8 s.
	ns rw curl -s -o /tmp/dl --max-time 90 --speed-time 8 --speed-limit 1 \
		http://203.0.113.2/big
	rc=$?
	wait $cpid
	got=$(wc -c </tmp/dl 2>/dev/null || echo 0)
	if [ "$rc" = 0 ] && [ "$got" = $SIZE ] && cmp -s /tmp/dl /tmp/www/big; then
		res=ok
	else
		res=stalled
		diag "curl exit $rc after $got bytes"
	fi
	expect_eq "$1: download $2" $res "$2"
	expect_eq "$1: web sees MSS" "$(sed -n 's/.* mss=\([0-9]*\).*/\1/p' /tmp/cap.out)" "$3"
}

# profile NAME@MTU: the MSS the extension computes for it
profile() {
	ns web iptables-nft -t mangle -A OUTPUT -p tcp -j VPNMSS --vpn-mss "10.99.0.0/16=$1"
	ns web iptables-nft -t mangle -S OUTPUT 2>/dev/null | sed -n 's/.*=\([0-9]*\)$/\1/p'
	ns web iptables-nft -t mangle -F OUTPUT
}

GATE='-t mangle -A FORWARD -p tcp --tcp-flags SYN,RST SYN -j VPNMSS'

for esp in ${VPNMSS_GUEST_ESP:-default aes256-sha256 aes128gcm16}; do
	conf gw $esp
	conf rw $esp
	swan rw --terminate --ike vpn >/dev/null 2>&1
	check "$esp: swanctl --load-all on gw" swan gw --load-all
	check "$esp: swanctl --load-all on the road warrior" swan rw --load-all
	if ! check "$esp: road warrior connects" swan rw --initiate --child vpn --timeout 60; then
		tail -n 30 /tmp/charon-gw.log /tmp/charon-rw.log /tmp/charon-*.out | sed 's/^/#   /'
		continue
	fi
	vip=$(ip -n rw -4 addr show | sed -n 's/.*inet \(192\.168\.12\.[0-9]*\)\/.*/\1/p' | head -n 1)
	case $vip in
	192.168.12.*) ok "$esp: virtual IP $vip from the pool" ;;
	*) notok "$esp: virtual IP from the pool" "got '$vip'" ;;
	esac
	sa=$(ns gw ip xfrm state | grep -E '^\s*(enc|aead|auth-trunc|encap)' |
		awk '{ print $1, $2, ($1 == "encap" ? $3 : $1 == "enc" ? (length($3) - 2) * 4 : $NF) }' |
		sort -u | tr '\n' ' ')
	diag "$esp: gw's SA: $sa"
	# The SA is the proposal asked for (strongSwan's default: any).
	case $esp in
	aes256-sha256) need='auth-trunc hmac(sha256) 128 enc cbc(aes) 256' ;;
	aes128gcm16) need='aead rfc4106(gcm(aes)) 128' ;;
	*) need= ;;
	esac
	case $sa in
	*"$need"*) ok "$esp: negotiated ${need:-the default proposal}" ;;
	*) notok "$esp: negotiated $need" "gw's SA is '$sa'" ;;
	esac
	case $sa in
	*espinudp*) ok "$esp: NAT-T forced, ESP in UDP" ;;
	*) notok "$esp: NAT-T forced, ESP in UDP" "no encap in gw's SA" ;;
	esac
	want=$(want_mss)
	case $sa in
	*rfc4106*) prof=esp-gcm-natt ;;
	*) prof=esp-cbc-natt ;;
	esac
	pmss=$(profile "$prof@$LINK")
	diag "$esp: xfrm_state_mtu() - 40 = $want, $prof@$LINK = $pmss"
	expect_eq "$esp: $prof@$LINK agrees with xfrm_state_mtu()" "$pmss" "$want"

	fetch "$esp: no clamp" stalled 1414
	ns gw iptables-nft $GATE --vpn-mss "192.168.12.0/24=$prof@$LINK"
	fetch "$esp: iptables-nft $prof@$LINK" ok "$pmss"
	ns gw iptables-nft -t mangle -F
	ns gw iptables-legacy $GATE --vpn-mss 192.168.12.0/24=auto
	fetch "$esp: iptables-legacy auto" ok "$want"
	ns gw iptables-legacy -t mangle -F
done

swan rw --terminate --ike vpn >/dev/null 2>&1
kill "$(cat /tmp/charon-rw.pid)" "$(cat /tmp/charon-gw.pid)" 2>/dev/null
true
