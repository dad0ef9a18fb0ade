#!/bin/sh
# Lifecycle: autoload through the module alias, rules added, replaced and
# deleted, rmmod; then 200 rule replacements while SYNs flow.
. /tests/lib.sh
topo_router

loaded() { grep -q '^xt_vpnmss ' /proc/modules; }
unload() { ! loaded || $RMMOD xt_vpnmss 2>/dev/null; }

# Earlier scripts may have loaded the module; their rules go away with
# their namespaces, which the kernel cleans up asynchronously.
wait_until 20 unload

for backend in legacy nft; do
	for ipt in iptables ip6tables; do
		if [ $ipt = iptables ]; then net=172.20.0.0/16; else net=fd12::/16; fi
		n="lifecycle $ipt-$backend"
		if loaded; then notok "$n: not loaded before the first rule" "loaded"; fi
		check "$n: first rule added" ns rtr $ipt-$backend -t mangle -A FORWARD -p tcp -j VPNMSS --vpn-mss $net=1300
		check "$n: module autoloaded" loaded
		check_fails "$n: rmmod refused while a rule uses it" $RMMOD xt_vpnmss
		check "$n: rule replaced" ns rtr $ipt-$backend -t mangle -R FORWARD 1 -p tcp -j VPNMSS --vpn-mss $net=1200 --vpn-dir src
		check "$n: second rule added" ns rtr $ipt-$backend -t mangle -I FORWARD -p tcp -j VPNMSS --vpn-mss $net=1100
		check "$n: rule deleted by number" ns rtr $ipt-$backend -t mangle -D FORWARD 2
		check "$n: rule deleted by spec" ns rtr $ipt-$backend -t mangle -D FORWARD -p tcp -j VPNMSS --vpn-mss $net=1100
		check "$n: rmmod" $RMMOD xt_vpnmss
	done
done

# Replacements while a SYN flood crosses the rule: 200, or
# VPNMSS_GUEST_REPLACEMENTS (the debug kernel, slow under KASAN, runs 50).
REPL=${VPNMSS_GUEST_REPLACEMENTS:-200}
for backend in legacy nft; do
	n="lifecycle $backend: $REPL replacements under load"
	ns rtr iptables-$backend -t mangle -A FORWARD -p tcp -j VPNMSS --vpn-mss 172.20.0.0/16=1300
	ns cli $IP route replace 172.16.0.0/12 via 10.0.1.1
	ns cli synsend -s 172.20.0.1 -d 10.0.2.2 --mss 1460 -n 100000000 --src-count 1000 2>/dev/null &
	wait_until 5 pidof synsend
	# Let the flood yield to the rule updates: both share two emulated CPUs.
	renice -n 19 -p $(pidof synsend) >/dev/null
	fails=0 i=0
	while [ $i -lt "$REPL" ]; do
		if ! ns rtr iptables-$backend -t mangle -R FORWARD 1 -p tcp -j VPNMSS \
				--vpn-mss 172.20.0.0/16=$((1000 + i)),172.20.$((i % 256)).0/24=900 \
				--vpn-dir $([ $((i % 2)) = 0 ] && echo src || echo both) 2>/tmp/err; then
			fails=$((fails + 1))
		fi
		i=$((i + 1))
	done
	flowing=$(ns srv syncap -i srv0 --syn --count -t 1000 | sed -n 's/^count=//p')
	killall synsend
	wait
	expect_eq "$n: all accepted" "$fails" 0
	check "$n: SYNs were flowing ($flowing in the last second)" [ "${flowing:-0}" -gt 0 ]
	rm -f /tmp/cap.ready
	ns srv syncap -i srv0 --syn --port 80 -n 1 -t 5000 --ready /tmp/cap.ready > /tmp/l.out &
	wait_file /tmp/cap.ready
	ns cli synsend -s 172.20.1.7 -d 10.0.2.2 --mss 1460
	wait
	expect_eq "$n: last rule in force" "$(sed -n 's/.* mss=\([^ ]*\) .*/\1/p' /tmp/l.out)" $((1000 + REPL - 1))
	ns rtr iptables-$backend -t mangle -F
	check "$n: rmmod afterwards" $RMMOD xt_vpnmss
done
