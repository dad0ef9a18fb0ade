#!/bin/sh
# l2tp: the clinic's L2TP/IPsec with the real daemons (run --userland host).
#
# The topology of ppp.sh: the clinic (cli) dials the server (srv) over a
# 1454-byte uplink that drops IP fragments.  strongSwan (swanctl) keys ESP
# in transport mode for UDP 1701, NAT-T forced (encap = yes), AES-CBC +
# HMAC-SHA256-128, the l2tp-ipsec profile's assumption; xl2tpd and pppd
# carry PPP in L2TPv2 over it.  The server's pppd has mtu/mru 1354, the
# inner MTU of l2tp-ipsec@1454 (iptables -j VPNMSS --help); the clinic's
# ip-up forces its ppp0 to 1470, as in the seed.
#
# Without a clamp a 3 MB download stalls both ways: from the clinic, web's
# 1470-byte segments do not fit the server's ppp0 and its "fragmentation
# needed" is dropped by web; toward the clinic, the clinic's 1470-byte
# packets become ESP packets too big for the uplink, and their fragments
# are lost (with fragments passing, it completes: shown too).  The clamp on
# ppp+ with l2tp-ipsec@1454 and with auto completes both, the MSS seen is
# the arithmetic's, and the packets on the uplink are measured header by
# header.  Then the tunnel flaps (the clinic's daemons killed with no
# goodbye and back from a new port, a new session on a new ppp unit while
# the old one lingers) under the same rules, and vpnmss-probe finds the
# tunnel's MTU from both ends.
. /tests/lib.sh
. /tests/ppp.sh
CHARON=/usr/lib/ipsec/charon
PPPMTU=1354

ppp_mods ppp_generic pppox l2tp_core l2tp_ppp xfrm_user esp4 drbg sha512_generic
ppp_topo
ppp_etc

# --- IPsec: a charon per side, transport mode for UDP 1701 ------------------
# conf NAME: strongswan.conf and swanctl.conf for NAME (srv or cli)
conf() {
	d=/etc/netns/$1
	mkdir -p $d/swanctl
	cat >$d/strongswan.conf <<-EOF2
	charon {
		load_modular = yes
		plugins {
			include strongswan.d/charon/*.conf
		}
		filelog {
			log {
				path = /tmp/ppp/charon-$1.log
				default = 1
			}
		}
	}
	EOF2
	if [ "$1" = srv ]; then
		peer=cli where="local_addrs = 198.51.100.1" lts='dynamic[udp/1701]' rts='dynamic[udp]'
	else
		peer=srv where="remote_addrs = 198.51.100.1" lts='dynamic[udp]' rts='dynamic[udp/1701]'
	fi
	cat >$d/swanctl/swanctl.conf <<-EOF2
	connections {
		l2tp {
			$where
			encap = yes
			mobike = no
			local { auth = psk
				id = $1.vpnmss.test }
			remote { auth = psk
				id = $peer.vpnmss.test }
			children { l2tp { mode = transport
				local_ts = $lts
				remote_ts = $rts
				esp_proposals = aes128-sha256 } }
		}
	}
	secrets { ike-1 { id-1 = srv.vpnmss.test
		id-2 = cli.vpnmss.test
		secret = "vpnmss test only, not a secret" } }
	EOF2
}

# start NAME: a charon in namespace NAME with a private /run
start() {
	rm -f /tmp/ppp/charon-$1.pid
	ns $1 sh -c "mount -t tmpfs tmpfs /run && echo \$\$ >/tmp/ppp/charon-$1.pid &&
		exec $CHARON" >/tmp/ppp/charon-$1.out 2>&1 &
	wait_file /tmp/ppp/charon-$1.pid
}

# swan NAME ARGS...: swanctl against NAME's charon, in its mount namespace
swan() {
	swan_pid=$(cat /tmp/ppp/charon-$1.pid)
	shift
	timeout 120 nsenter -t "$swan_pid" -m -n swanctl "$@"
}

for n in srv cli; do conf $n; start $n; done
if ! check "charon runs on the server" wait_secs 60 swan srv --stats ||
	! check "charon runs on the clinic" wait_secs 60 swan cli --stats ||
	! check "swanctl --load-all on the server" swan srv --load-all ||
	! check "swanctl --load-all on the clinic" swan cli --load-all ||
	! check "IKEv2 up, ESP transport for UDP 1701" swan cli --initiate --child l2tp --timeout 60; then
	logs
	exit 1
fi
sa=$(ns srv ip xfrm state | tr -s ' \n\t' ' ')
diag "server's SAs: $sa"
case $sa in
*"mode transport"*"auth-trunc hmac(sha256)"*" 128 enc cbc(aes)"*"encap type espinudp"*)
	ok "SA: transport mode, AES-CBC + HMAC-SHA256-128, ESP in UDP" ;;
*) notok "SA: transport mode, AES-CBC + HMAC-SHA256-128, ESP in UDP" "got '$sa'" ;;
esac
# The server takes L2TP only through IPsec.
ns srv iptables-legacy -A INPUT -p udp --dport 1701 -m policy --dir in --pol none -j DROP

# --- xl2tpd and pppd ------------------------------------------------------------
cat >/tmp/ppp/options.lns <<EOF2
require-mschap-v2
refuse-pap
refuse-chap
refuse-mschap
mtu $PPPMTU
mru $PPPMTU
noccp
novj
novjccomp
nodefaultroute
lcp-echo-interval 30
lcp-echo-failure 4
nologfd
logfile /tmp/ppp/pppd-lns.log
EOF2
cat >/tmp/ppp/options.lac <<EOF2
name clinic
noauth
refuse-pap
refuse-chap
refuse-mschap
refuse-eap
noccp
novj
novjccomp
nodefaultroute
lcp-echo-interval 30
lcp-echo-failure 4
nologfd
logfile /tmp/ppp/pppd-lac.log
EOF2
cat >/tmp/ppp/xl2tpd-srv.conf <<EOF2
[global]
listen-addr = 198.51.100.1
port = 1701
access control = no

[lns default]
ip range = 192.168.12.2-192.168.12.9
local ip = 192.168.12.1
require authentication = yes
name = clinic-lns
pppoptfile = /tmp/ppp/options.lns
EOF2
cat >/tmp/ppp/xl2tpd-cli.conf <<EOF2
[global]
port = 1701
access control = no

[lac clinic]
lns = 198.51.100.1
require authentication = no
name = clinic
pppoptfile = /tmp/ppp/options.lac
autodial = no
redial = no
EOF2

# xl2tpd_start NAME: xl2tpd in namespace NAME, in the foreground, its own files
xl2tpd_start() {
	ns $1 xl2tpd -D -c /tmp/ppp/xl2tpd-$1.conf -p /tmp/ppp/xl2tpd-$1.pid \
		-C /tmp/ppp/xl2tpd-$1.ctl >>/tmp/ppp/xl2tpd-$1.out 2>&1 &
	wait_file /tmp/ppp/xl2tpd-$1.ctl
}

# dial: the clinic dials (ppp_dial); xl2tpd's control file is a FIFO,
# and without xl2tpd reading it the write would block
dial() { ppp_dial timeout 10 sh -c 'echo "c clinic" >/tmp/ppp/xl2tpd-cli.ctl'; }

xl2tpd_start srv
xl2tpd_start cli
dial
if ! expect_eq "L2TP session up, PPP up" "$(cli_ip)" 192.168.12.2; then
	logs
	exit 1
fi
grep -h -i 'kernel' /tmp/ppp/xl2tpd-*.out | sort -u | head -n 4 | sed 's/^/# xl2tpd: /'
diag "server: $srvif mtu $(mtu srv $srvif), clinic: $cliif mtu $(mtu cli $cliif), clinic's address $(cli_ip)"
diag "modules: $(lsmod | awk 'NR > 1 && $1 ~ /l2tp|ppp|esp|xfrm|authenc|aes|cbc|sha|hmac|drbg/ { printf "%s ", $1 }')"
expect_eq "the server's ppp MTU is pppd's mtu" "$(mtu srv $srvif)" $PPPMTU
expect_eq "the clinic's ppp MTU is ip-up's" "$(mtu cli $cliif)" 1470

want=$(profile l2tp-ipsec@$LINK)
expect_eq "l2tp-ipsec@$LINK is pppd's mtu less 40" "$want" $((PPPMTU - 40))

# --- no clamp -----------------------------------------------------------------
ppp_no_clamp ok

# --- the profile, with the packets measured ------------------------------------------
clamp iptables-nft "l2tp-ipsec@$LINK"
ns srv iptables-nft -t mangle -S FORWARD | sed 's/^/# srv: /'
ns srv iptables-legacy -A OUTPUT -p udp --sport 1701 -j NFLOG --nflog-group 7
rm -f /tmp/ppp/clear.pcap /tmp/ppp/esp.pcap
ns srv tcpdump -i nflog:7 -s 0 -c 3 -w /tmp/ppp/clear.pcap greater 1000 2>/dev/null &
c1=$!
ns srv tcpdump -i srv0 -Q out -s 0 -c 3 -w /tmp/ppp/esp.pcap 'udp port 4500 and greater 1000' 2>/dev/null &
c2=$!
sleep 2
fetch "iptables-nft l2tp-ipsec@$LINK" ok "$want"
toward "iptables-nft l2tp-ipsec@$LINK" ok "$want"
kill $c1 $c2 2>/dev/null
wait $c1 $c2 2>/dev/null
ns srv iptables-legacy -D OUTPUT -p udp --sport 1701 -j NFLOG --nflog-group 7

# The L2TP packet before ESP, and the ESP packet on the uplink.
tcpdump -r /tmp/ppp/clear.pcap -nn -v -c 1 2>/dev/null | sed 's/^/# clear: /'
tcpdump -r /tmp/ppp/esp.pcap -nn -v -c 1 2>/dev/null | sed 's/^/# uplink: /'
c=$(hexpkt /tmp/ppp/clear.pcap)
e=$(hexpkt /tmp/ppp/esp.pcap)
diag "clear: $(echo "$c" | cut -c1-100)"
diag "uplink: $(echo "$e" | cut -c1-100)"
if [ "$(byte "$c" 0)" = 45 ] && [ "$(byte "$e" 0)" = 45 ]; then
	f=$(( 0x$(byte "$c" 28 2) ))
	l2=$(( 6 + (f & 0x4000 ? 2 : 0) + (f & 0x0800 ? 4 : 0) + (f & 0x0200 ? 2 : 0) ))
	p=$((28 + l2))
	pp=0
	[ "$(byte "$c" $p 2)" != ff03 ] || pp=2
	b=$(( 0x$(byte "$c" $((p + pp))) ))
	pp=$(( pp + (b & 1 ? 1 : 2) ))
	inner=$(iplen "$(echo "$c" | cut -c$(( (p + pp) * 2 + 1 ))-)")
	clear=$(iplen "$c")
	outer=$(iplen "$e")
	icv=16 iv=16
	espp=$(( outer - 20 - 8 - 8 - iv - icv ))
	diag "measured: inner IP $inner | PPP $pp | L2TP $l2 (flags 0x$(byte "$c" 28 2)) | UDP 8 | IP 20 = $clear;" \
		"ESP: UDP 8 | SPI+seq 8 | IV $iv | payload+pad+trailer $espp | ICV $icv | IP 20 = $outer"
	diag "l2tp-ipsec assumes: inner $PPPMTU | PPP 4 | L2TPv2 8 | UDP 8 | IP 20 = $((PPPMTU + 40)), ESP as xfrm_state_mtu()"
	expect_eq "a full segment inside is the MSS plus 40" "$inner" $((want + 40))
	expect_eq "ESP pads the L2TP packet to 16 bytes" $espp $(( (clear - 20 + 2 + 15) / 16 * 16 ))
	if [ "$outer" -le $LINK ]; then ok "the uplink packet ($outer) fits the link ($LINK)"; else notok "uplink packet fits" "$outer > $LINK"; fi
	if [ $((pp + l2)) -le 12 ]; then ok "PPP + L2TP ($pp + $l2) within the profile's 12"; else notok "PPP + L2TP within the profile's 12" "$pp + $l2"; fi
else
	notok "captured an L2TP and an ESP packet" "clear '$(echo "$c" | cut -c1-8)', uplink '$(echo "$e" | cut -c1-8)'"
fi
unclamp

# --- auto --------------------------------------------------------------------------
clamp iptables-legacy auto
fetch "iptables-legacy auto" ok "$want"
toward "iptables-legacy auto" ok "$want"

# --- vpnmss-probe over the tunnel ----------------------------------------------------
ppp_probe_web l2tp-ipsec
ns cli vpnmss-probe -n --wait 0.3 --link $LINK --profile l2tp-ipsec 203.0.113.2 >/tmp/ppp/probe2.out 2>&1
diag "clinic: vpnmss-probe toward web -> exit $?"
sed 's/^/#   /' /tmp/ppp/probe2.out
# From the clinic's ppp0 (1470) the limit is the uplink's: what ESP and
# the measured PPP + L2TP (4 + 6) leave, 2 above the profile's 1354.
expect_eq "probe from the clinic: path MTU" "$(sed -n 's/^path MTU to [^ ]* via ppp0: \([0-9]*\) .*/\1/p' /tmp/ppp/probe2.out)" \
	$(( (LINK - 20 - 8 - 8 - 16 - 16) / 16 * 16 - 2 - 8 - 10 ))
expect_eq "probe from the clinic: the profile fits" "$(sed -n 4p /tmp/ppp/probe2.out)" \
	"profile l2tp-ipsec@$LINK: MSS $want (inner MTU $PPPMTU): fits, 2 below the probed value"

# --- the tunnel flaps ------------------------------------------------------------------
ppp_flap_begin
pids=$(for p in $(ip netns pids cli); do
	case $(cat /proc/$p/comm) in xl2tpd|pppd) echo $p ;; esac
done | tr '\n' ' ')
diag "flap: killing the clinic's xl2tpd and pppd ($pids), no goodbye"
kill -STOP $pids
kill -KILL $pids
sleep 1
# It comes back from another port, as through a NAT router that lost its
# mapping: from the same one, the server's old tunnel socket (connected to
# that address and port) would take the new session's packets.
rm -f /tmp/ppp/xl2tpd-cli.ctl /tmp/ppp/xl2tpd-cli.pid
sed -i 's/^port = 1701$/port = 1702/' /tmp/ppp/xl2tpd-cli.conf
xl2tpd_start cli
ppp_redial
unclamp
for f in /tmp/ppp/charon-*.pid /tmp/ppp/xl2tpd-*.pid; do kill "$(cat $f)" 2>/dev/null; done
true
