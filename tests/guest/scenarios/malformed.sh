#!/bin/sh
# Malformed packets: crafted segments cross the clamp byte-identical (apart
# from what forwarding itself changes in the IP header), nothing oopses,
# and well-formed SYNs after them are still clamped.
. /tests/lib.sh
topo_router

# Each case: NAME|EXPECT|SYNSEND-ARGS.  EXPECT is "same" (transport bytes
# unchanged) or the "MSS CSUM" it must arrive with.
cases4='opt length 0 after the MSS|same|--mss 1460 --opts 08000000
opt length 1 after the MSS|same|--mss 1460 --opts 08010000
opt length past the header|same|--mss 1460 --opts 080a0000
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
cases6='opt length 0 after the MSS|same|--mss 1460 --opts 08000000
opt length past the header|same|--mss 1460 --opts 080a0000
data offset below 5|same|--mss 1460 --doff 4
data offset past the packet|same|--mss 1460 --doff 15
truncated TCP header|same|--mss 1460 --trunc 10
non-first fragment|same|--mss 1460 --frag-off 8
atomic fragment header|1200 ok|--mss 1460 --ext frag
hop-by-hop and destination options|1200 ok|--mss 1460 --ext hop,dst
routing header|1200 ok|--mss 1460 --ext rt
hop-by-hop, routing, dst options, fragment|1200 ok|--mss 1460 --ext hop,rt,dst,frag
SYN+RST|same|--flags SR --mss 1460'

# run FAM BACKEND CASES
run() {
	fam=$1 backend=$2 cases=$3
	if [ "$fam" = 4 ]; then ipt=iptables src=172.20.0.5 dst=10.0.2.2 tbl=172.20.0.0/16=1200
	else ipt=ip6tables src=fd12::5 dst=fd00:2::2 tbl=fd12::/16=1200; fi
	ns rtr $ipt-$backend -t mangle -F
	ns rtr $ipt-$backend -t mangle -A FORWARD -p tcp -j VPNMSS --vpn-mss $tbl
	echo "$cases" | while IFS='|' read -r name expect args; do
		rm -f /tmp/cap.ready
		ns srv syncap -i srv0 --port 80 -n 1 -t 5000 --ready /tmp/cap.ready > /tmp/m.out &
		wait_file /tmp/cap.ready
		# shellcheck disable=SC2086
		sent=$(ns cli synsend -s $src -d $dst --print $args | sed -n 's/^l4hex=//p')
		wait
		got=$(sed -n 's/.* l4hex=\([0-9a-f]*\).*/\1/p' /tmp/m.out)
		mss=$(sed -n 's/.* mss=\([^ ]*\) .*/\1/p' /tmp/m.out)
		csum=$(sed -n 's/.* csum=\([^ ]*\) .*/\1/p' /tmp/m.out)
		n="malformed v$fam $backend: $name"
		if [ -z "$got" ]; then
			notok "$n" "nothing arrived"
		elif [ "$expect" = same ]; then
			expect_eq "$n: arrives unchanged" "$got" "$sent"
		else
			expect_eq "$n: clamped" "$mss $csum" "$expect"
		fi
		# A well-formed SYN right after is still clamped.
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
	run 4 $backend "$cases4"
	run 6 $backend "$cases6"
done
