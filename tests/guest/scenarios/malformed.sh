#!/bin/sh
# Malformed packets: crafted segments cross the clamp byte-identical (apart
# from what forwarding itself changes in the IP header) unless the receiver
# would parse an MSS option from them, nothing oopses, and well-formed SYNs
# after them are still clamped.  The options are read as the receiver's
# tcp_parse_options() does: the MSS options before a malformed one count
# and are clamped (syncap: mss=1200,malformed), nothing after it is touched.
# And MSS options at odd offsets, whose checksum update needs care, arrive
# with a valid checksum: from a raw socket (CHECKSUM_NONE at rtr) with
# rtr1's tx checksum offload on and off, and sent CHECKSUM_PARTIAL (synsend
# --partial), completed by rtr1 in software or by srv as a device would.
. /tests/lib.sh
topo_router

# Each case: NAME|EXPECT|SYNSEND-ARGS.  EXPECT is "same" (transport bytes
# unchanged) or the "MSS CSUM" it must arrive with (CSUM "ok" stands for
# $OKCSUM, what a valid checksum shows as in that pass).
cases4='opt length 0 after the MSS|1200,malformed ok|--mss 1460 --opts 08000000
opt length 1 after the MSS|1200,malformed ok|--mss 1460 --opts 08010000
opt length past the header|1200,malformed ok|--mss 1460 --opts 080a0000
MSS before a kind without a length|1200,malformed ok|--opts 01020405b4010108
two MSS before a length 0, one after|1200,1200,malformed ok|--opts 020405b4020405dc0800020405b4
MSS after a length 0|same|--opts 0800020405b4
MSS option of length 5|same|--opts 020505b401000000
MSS option of length 3|same|--opts 020305010000
MSS truncated by the header end|same|--opts 01010101010101010101010101010101010101010101010101010101010101010101010101010204
MSS as the very last option|1200 ok|--opts 010101010101010101010101010101010101010101010101010101010101010101010101020405b4
MSS after End-of-Option-List|same|--opts 00000000020405b4
MSS value 0|same|--opts 02040000
data offset below 5|same|--mss 1460 --doff 4
data offset past the packet|same|--mss 1460 --doff 15
truncated TCP header|same|--mss 1460 --trunc 10
non-first fragment|same|--mss 1460 --frag-off 8
first fragment with MF|1200 ok|--mss 1460 --mf
SYN+RST|same|--flags SR --mss 1460
ACK with an MSS option|same|--flags A --mss 1460
bad TCP checksum, clamped all the same|1200 bad|--mss 1460 --bad-csum
SYN with data|1200 ok|--mss 1460 --payload 100'
cases6='opt length 0 after the MSS|1200,malformed ok|--mss 1460 --opts 08000000
opt length past the header|1200,malformed ok|--mss 1460 --opts 080a0000
MSS after a length 0|same|--opts 0800020405b4
data offset below 5|same|--mss 1460 --doff 4
data offset past the packet|same|--mss 1460 --doff 15
truncated TCP header|same|--mss 1460 --trunc 10
non-first fragment|same|--mss 1460 --frag-off 8
atomic fragment header|1200 ok|--mss 1460 --ext frag
hop-by-hop and destination options|1200 ok|--mss 1460 --ext hop,dst
routing header|1200 ok|--mss 1460 --ext rt
hop-by-hop, routing, dst options, fragment|1200 ok|--mss 1460 --ext hop,rt,dst,frag
SYN+RST|same|--flags SR --mss 1460'

# MSS values at odd offsets from the TCP header (after 1 or 3 NOPs, or an
# odd number of option bytes): the incremental checksum update must take
# the value byte-swapped there.  Both families.
cases_odd='MSS after one NOP|1200 ok|--opts 01020405b4
MSS after three NOPs|1200 ok|--opts 010101020405b4
two MSS at odd offsets|1200,1200 ok|--opts 01020405b40101020405dc
odd MSS, then even MSS|1200,1200 ok|--opts 01020405b401020405dc
even MSS, then odd MSS|1200,1200 ok|--mss 1460 --opts 01020405dc
odd MSS after a window scale option|1200 ok|--opts 030307020405b4
odd MSS below the limit, odd MSS above|1000,1200 ok|--opts 01020403e80101020405b4
SYN-ACK, MSS after one NOP|1200 ok|--flags SA --opts 01020405b4
odd MSS before a malformed option|1200,malformed ok|--opts 01020405b4080000
odd MSS, data, checksum over an odd length|1200 ok|--opts 01020405b4 --payload 33'

# Per pass: what a valid checksum shows as, extra tool arguments, and
# whether to check that a well-formed SYN after each case is still clamped.
OKCSUM=ok SENDARGS='' CAPARGS='' NEXT=1

# run FAM BACKEND CASES [LABEL]
run() {
	fam=$1 backend=$2 cases=$3 label=${4:+ ($4)}
	if [ "$fam" = 4 ]; then ipt=iptables src=172.20.0.5 dst=10.0.2.2 tbl=172.20.0.0/16=1200
	else ipt=ip6tables src=fd12::5 dst=fd00:2::2 tbl=fd12::/16=1200; fi
	ns rtr $ipt-$backend -t mangle -F
	ns rtr $ipt-$backend -t mangle -A FORWARD -p tcp -j VPNMSS --vpn-mss $tbl
	echo "$cases" | while IFS='|' read -r name expect args; do
		rm -f /tmp/cap.ready
		# shellcheck disable=SC2086
		ns srv syncap -i srv0 --port 80 -n 1 -t 5000 $CAPARGS --ready /tmp/cap.ready > /tmp/m.out &
		wait_file /tmp/cap.ready
		# shellcheck disable=SC2086
		sent=$(ns cli synsend -s $src -d $dst --print $SENDARGS $args | sed -n 's/^l4hex=//p')
		wait
		got=$(sed -n 's/.* l4hex=\([0-9a-f]*\).*/\1/p' /tmp/m.out)
		mss=$(sed -n 's/.* mss=\([^ ]*\) .*/\1/p' /tmp/m.out)
		csum=$(sed -n 's/.* csum=\([^ ]*\) .*/\1/p' /tmp/m.out)
		n="malformed v$fam $backend$label: $name"
		if [ -z "$got" ]; then
			notok "$n" "nothing arrived"
		elif [ "$expect" = same ]; then
			expect_eq "$n: arrives unchanged" "$got" "$sent"
		else
			case $expect in
			*" ok") expect="${expect% ok} $OKCSUM" ;;
			esac
			expect_eq "$n: clamped" "$mss $csum" "$expect"
		fi
		# A well-formed SYN right after is still clamped.
		[ $NEXT = 1 ] || continue
		rm -f /tmp/cap.ready
		ns srv syncap -i srv0 --port 80 -n 1 -t 5000 --ready /tmp/cap.ready > /tmp/m.out &
		wait_file /tmp/cap.ready
		ns cli synsend -s $src -d $dst --mss 1460
		wait
		mss=$(sed -n 's/.* mss=\([^ ]*\) .*/\1/p' /tmp/m.out)
		[ "$mss" = 1200 ] || notok "$n: next SYN" "arrived with mss=$mss"
	done
	ns rtr $ipt-$backend -t mangle -F
}

ns cli $IP route add 172.16.0.0/12 via 10.0.1.1 2>/dev/null
for backend in legacy nft; do
	NEXT=1
	run 4 $backend "$cases4"
	run 6 $backend "$cases6"
	NEXT=0
	run 4 $backend "$cases_odd"
	run 6 $backend "$cases_odd"
done

# The odd offsets again, sent CHECKSUM_PARTIAL to rtr: the module must
# leave the seed alone and rtr1 (tx offload off) completes the sum in
# software.  A raw socket's segments above are CHECKSUM_NONE at rtr
# whatever rtr1's offload, so they need no second pass; the fuzz scenario
# sends CHECKSUM_PARTIAL with offload on and off by the thousand.  The
# checksum code does not depend on the backend: legacy only.
RTR0MAC=$("$IP" -n rtr link show rtr0 | awk '/link\/ether/ { print $2 }')
ns rtr ethtool -K rtr1 tx off >/dev/null
SENDARGS="--partial cli0 --dmac $RTR0MAC"
run 4 legacy "$cases_odd" "CHECKSUM_PARTIAL, rtr1 tx offload off"
run 6 legacy "$cases_odd" "CHECKSUM_PARTIAL, rtr1 tx offload off"
ns rtr ethtool -K rtr1 tx on >/dev/null
