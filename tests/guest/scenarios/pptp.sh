#!/bin/sh
# pptp: the clinic's PPTP with the real daemons (run --userland host).
#
# The topology of ppp.sh: the clinic (cli) dials the server (srv) over a
# 1454-byte uplink that drops IP fragments.  pptpd (pptpctrl, GRE in user
# space) and pppd serve; pptp-linux and pppd dial; MS-CHAPv2 with MPPE-128
# required.  The server's pppd has mtu/mru 1414: with MPPE, pppd sets the
# interface 4 bytes lower (MPPE's header and the protocol it encrypts), so
# ppp0 gets 1410, the inner MTU of pptp@1454 (iptables -j VPNMSS --help);
# the clinic's ip-up forces its ppp0 to 1470, as in the seed.
#
# Without a clamp a 3 MB download stalls both ways: from the clinic, web's
# 1470-byte segments do not fit the server's ppp0 and its "fragmentation
# needed" is dropped by web; toward the clinic, the clinic's 1470-byte
# packets become GRE packets too big for the uplink (with fragments
# passing, still: the server's ppp_async tosses frames above its MRU).  The clamp on ppp+
# with pptp@1454 and with auto completes both, the MSS seen is the
# arithmetic's, and the GRE packets on the uplink are measured header by
# header.  Then the tunnel flaps (the clinic's pppd and pptp killed, the
# old control connection lost as when a NAT router reboots, a new session
# on a new ppp unit) under the same rules, and vpnmss-probe finds the
# tunnel's MTU.
. /tests/lib.sh
. /tests/ppp.sh
PPPMTU=1410

ppp_mods ppp_generic ppp_async ppp_mppe
ppp_topo
ppp_etc

# --- pptpd and pptp ----------------------------------------------------------------
cat >/tmp/ppp/options.pptpd <<EOF2
name pptpd
refuse-pap
refuse-chap
refuse-mschap
require-mschap-v2
require-mppe-128
mtu $((PPPMTU + 4))
mru $((PPPMTU + 4))
nobsdcomp
nodeflate
novj
novjccomp
nodefaultroute
lcp-echo-interval 30
lcp-echo-failure 4
nologfd
logfile /tmp/ppp/pppd-pptpd.log
EOF2
cat >/tmp/ppp/pptpd.conf <<EOF2
option /tmp/ppp/options.pptpd
localip 192.168.12.1
remoteip 192.168.12.2-9
EOF2
cat >/tmp/ppp/options.clinic <<EOF2
name clinic
remotename pptpd
noauth
refuse-pap
refuse-eap
refuse-chap
refuse-mschap
require-mppe-128
nobsdcomp
nodeflate
novj
novjccomp
nodefaultroute
lcp-echo-interval 30
lcp-echo-failure 4
nologfd
logfile /tmp/ppp/pppd-clinic.log
EOF2

ns srv pptpd -f -c /tmp/ppp/pptpd.conf -p /tmp/ppp/pptpd.pid -l 198.51.100.1 \
	>/tmp/ppp/pptpd.out 2>&1 &
listening() { ns srv ss -Hltn 'sport = :1723' | grep -q 1723; }
wait_secs 20 listening || diag "pptpd does not listen on 1723"

# dial: the clinic dials (ppp_dial): its pppd runs pptp, in the background
call() {
	ns cli pppd pty "pptp 198.51.100.1 --nolaunchpppd" file /tmp/ppp/options.clinic \
		nodetach >>/tmp/ppp/pppd-clinic.out 2>&1 &
}
dial() { ppp_dial call; }

dial
if ! expect_eq "PPTP call up, PPP up with MPPE" "$(cli_ip)" 192.168.12.2; then
	logs
	exit 1
fi
grep -h -i 'MPPE' /tmp/ppp/pppd-*.log | sort -u | head -n 4 | sed 's/^/# pppd: /'
if grep -q 'MPPE 128-bit' /tmp/ppp/pppd-clinic.log; then ok "MPPE 128-bit is up"; else notok "MPPE 128-bit is up" "not in the clinic's pppd log"; fi
diag "server: $srvif mtu $(mtu srv $srvif), clinic: $cliif mtu $(mtu cli $cliif), clinic's address $(cli_ip)"
diag "modules: $(lsmod | awk 'NR > 1 && $1 ~ /ppp|mppe|arc4|sha1|gre|pptp/ { printf "%s ", $1 }')"
expect_eq "the server's ppp MTU is pppd's mtu less MPPE's 4" "$(mtu srv $srvif)" $PPPMTU
expect_eq "the clinic's ppp MTU is ip-up's" "$(mtu cli $cliif)" 1470

want=$(profile pptp@$LINK)
expect_eq "pptp@$LINK is pppd's mtu less 40" "$want" $((PPPMTU - 40))

# --- no clamp -----------------------------------------------------------------
ppp_no_clamp stalled

# --- the profile, with the packets measured ------------------------------------------
clamp iptables-nft "pptp@$LINK"
ns srv iptables-nft -t mangle -S FORWARD | sed 's/^/# srv: /'
rm -f /tmp/ppp/gre.pcap
ns srv tcpdump -i srv0 -Q out -s 0 -c 3 -w /tmp/ppp/gre.pcap 'proto gre and greater 1000' 2>/dev/null &
c2=$!
sleep 2
fetch "iptables-nft pptp@$LINK" ok "$want"
toward "iptables-nft pptp@$LINK" ok "$want"
kill $c2 2>/dev/null
wait $c2 2>/dev/null

tcpdump -r /tmp/ppp/gre.pcap -nn -v -c 1 2>/dev/null | sed 's/^/# uplink: /'
g=$(hexpkt /tmp/ppp/gre.pcap)
diag "uplink: $(echo "$g" | cut -c1-100)"
if [ "$(byte "$g" 0)" = 45 ]; then
	f=$(( 0x$(byte "$g" 20 2) ))
	gre=$(( 8 + (f & 0x1000 ? 4 : 0) + (f & 0x0080 ? 4 : 0) ))
	plen=$(( 0x$(byte "$g" 24 2) ))
	p=$((20 + gre))
	pp=0
	[ "$(byte "$g" $p 2)" != ff03 ] || pp=2
	proto=$(byte "$g" $((p + pp)) 2)
	case $proto in
	00fd) pp=$((pp + 2)) ;;
	fd*) pp=$((pp + 1)) proto=fd ;;
	esac
	inner=$((want + 40))
	rest=$(( plen - pp - 2 - inner ))
	outer=$(iplen "$g")
	diag "measured: inner IP $inner (a full segment) | inner PPP protocol $rest | MPPE 2 | PPP $pp (proto 0x$proto) | GRE $gre (flags 0x$(byte "$g" 20 2)) | IP 20 = $outer"
	diag "pptp assumes: inner $PPPMTU | PPP+MPPE 8 | GRE 16 | IP 20 = $((PPPMTU + 44))"
	expect_eq "GRE's payload length is the rest of the packet" $plen $((outer - 20 - gre))
	if [ "$outer" -le $LINK ]; then ok "the uplink packet ($outer) fits the link ($LINK)"; else notok "uplink packet fits" "$outer > $LINK"; fi
	if [ $((gre + pp + 2 + rest)) -le 24 ]; then ok "GRE + PPP + MPPE ($gre + $pp + 2 + $rest) within the profile's 24"; else notok "GRE + PPP + MPPE within the profile's 24" "$gre + $pp + 2 + $rest"; fi
else
	notok "captured a GRE packet" "'$(echo "$g" | cut -c1-8)'"
fi
unclamp

# --- auto --------------------------------------------------------------------------
clamp iptables-legacy auto
fetch "iptables-legacy auto" ok "$want"
toward "iptables-legacy auto" ok "$want"

# --- vpnmss-probe over the tunnel ----------------------------------------------------
ppp_probe_web pptp
ns cli vpnmss-probe -n --wait 0.3 --link $LINK --profile pptp 203.0.113.2 >/tmp/ppp/probe2.out 2>&1
diag "clinic: vpnmss-probe toward web -> exit $?"
sed 's/^/#   /' /tmp/ppp/probe2.out
# Not checked: from the clinic the limit is the server's ppp_async MRU
# buffer (its slack differs by kernel: 1410 on 6.1, 1414 on 6.12) and
# whether a GRE packet carries an ack.

# --- the tunnel flaps ------------------------------------------------------------------
ppp_flap_begin
# The clinic's NAT router reboots: the old control connection's packets
# (its FIN too) go nowhere, so the server's old session lingers.
port=$(ns cli ss -Htn state established 'dport = :1723' | awk '{ sub(".*:", "", $3); print $3; exit }')
ns cli iptables-legacy -A OUTPUT -p tcp --sport "$port" --dport 1723 -j DROP
pids="$(pgrep -f options.clinic | tr '\n' ' ')$(pgrep -x pptp | tr '\n' ' ')"
diag "flap: killing the clinic's pppd and pptp ($pids), control connection port $port lost"
kill -STOP $pids
kill -KILL $pids
sleep 1
ppp_redial
unclamp
kill "$(cat /tmp/ppp/pptpd.pid)" 2>/dev/null
true
