#!/bin/sh
# Named tables (--vpn-name): per-entry counters in /proc/net/xt_vpnmss{,6},
# sharing and refusing by name, counters surviving a replacement, one
# table per namespace and family, the file going with the last rule, rmmod.
. /tests/lib.sh
topo_router
topo_cli_subnet 10.1.0.0/16 172.30.0.0/16 fd00:1:1::/64

P4=/proc/net/xt_vpnmss
P6=/proc/net/xt_vpnmss6
TABLE=10.1.0.0/16=1300,10.1.2.0/24=1200,172.30.0.0/16=auto

# line NS FILE CIDR: the table line of CIDR, without the CIDR=VALUE part
line() {
	ns "$1" cat "$2" 2>/dev/null | awk -v c="$3" '
		index($0, c "=") == 1 { $1 = ""; sub(/^ /, ""); print }'
}

# syn SRC COUNT [synsend options]: COUNT SYNs from SRC.. to srv
syn() {
	local src=$1 n=$2
	shift 2
	case $src in
	*:*) ns cli synsend -6 -s "$src" -d fd00:2::2 -n "$n" --src-count "$n" "$@" ;;
	*)   ns cli synsend -s "$src" -d 10.0.2.2 -n "$n" --src-count "$n" "$@" ;;
	esac
}

# The traffic every backend gets: per entry, each counter a different count.
traffic() {
	syn 10.1.0.10 7 --mss 1460		# clamped
	syn 10.1.0.20 2 --mss 1460 --flags SA	# clamped (SYN-ACK)
	syn 10.1.0.30 5 --mss 1000		# below
	syn 10.1.0.40 1 --mss 1300		# below (equal)
	syn 10.1.0.50 3				# nomss
	syn 10.1.0.60 2 --opts 0801020405b4	# skipped (malformed before any MSS)
	syn 10.1.0.70 4 --mss 1460 --flags A	# not a SYN
	syn 10.1.0.80 2 --mss 1460 --flags SR	# RST
	syn 10.1.2.10 6 --mss 1460		# clamped, the /24
	syn 10.1.2.20 1 --mss 1100		# below, the /24
	syn 172.30.0.1 3 --mss 1460		# auto: no route back
	syn 10.9.0.1 4 --mss 1460		# no entry
}

for backend in legacy nft; do
	ipt=iptables-$backend ip6t=ip6tables-$backend
	n="counters $backend"

	check "$n: named rule added" ns rtr $ipt -t mangle -A FORWARD -p tcp \
		-j VPNMSS --vpn-mss $TABLE --vpn-dir src --vpn-name tun
	check "$n: /proc/net/xt_vpnmss/tun exists" ns rtr test -f $P4/tun
	expect_eq "$n: readable by the namespace's root only" \
		"$(ns rtr stat -c '%a %u' $P4/tun)" "440 0"
	expect_eq "$n: the table lists the entries, all zero" \
		"$(ns rtr cat $P4/tun)" \
"10.1.0.0/16=1300 seen=0 clamped=0 below=0 nomss=0 skipped=0
10.1.2.0/24=1200 seen=0 clamped=0 below=0 nomss=0 skipped=0
172.30.0.0/16=auto seen=0 clamped=0 below=0 nomss=0 skipped=0 autofail=0"
	expect_eq "$n: iptables -L stays short" \
		"$(ns rtr $ipt -t mangle -S FORWARD | grep -c VPNMSS)" 1
	check "$n: the saved rule keeps the name" \
		sh -c "$IP netns exec rtr $ipt-save -t mangle | grep -q -- '--vpn-name tun'"

	traffic
	expect_eq "$n: 10.1.0.0/16 counters" "$(line rtr $P4/tun 10.1.0.0/16)" \
		"seen=20 clamped=9 below=6 nomss=3 skipped=2"
	expect_eq "$n: 10.1.2.0/24 counters" "$(line rtr $P4/tun 10.1.2.0/24)" \
		"seen=7 clamped=6 below=1 nomss=0 skipped=0"
	expect_eq "$n: auto entry counts lookup failures" \
		"$(line rtr $P4/tun 172.30.0.0/16)" \
		"seen=3 clamped=0 below=0 nomss=0 skipped=0 autofail=3"

	# A second rule with the same name and entries shares the counters:
	# a SYN crosses both, clamped by the first, below in the second.
	check "$n: second rule, same name and entries, accepted" \
		ns rtr $ipt -t mangle -A POSTROUTING -p tcp -j VPNMSS \
		--vpn-mss $TABLE --vpn-dir src --vpn-name tun
	syn 10.1.0.90 4 --mss 1460
	expect_eq "$n: shared counters" "$(line rtr $P4/tun 10.1.0.0/16)" \
		"seen=28 clamped=13 below=10 nomss=3 skipped=2"

	# One ruleset change with two entry lists under one name: both rules
	# load, the list loaded last is the table's, and /proc counts the
	# other rule.
	printf '%s\n' '*mangle' \
		"-A PREROUTING -p tcp -j VPNMSS --vpn-mss 10.1.0.0/16=1000 --vpn-name pair" \
		"-A PREROUTING -p tcp -j VPNMSS --vpn-mss 10.1.0.0/16=900 --vpn-name pair" \
		COMMIT > /tmp/pair.rules
	check "$n: one batch, one name, two entry lists: accepted" \
		sh -c "$IP netns exec rtr $ipt-restore --noflush < /tmp/pair.rules"
	expect_eq "$n: the list loaded last is the table's" "$(ns rtr cat $P4/pair)" \
"10.1.0.0/16=900 seen=0 clamped=0 below=0 nomss=0 skipped=0
# 1 older rule(s) still hold other entries"
	# Two *mangle blocks from one iptables-restore --noflush, as a daemon
	# or an updown hook sends them: the second replaces the first's rule
	# with other entries.  One process, two changes: accepted.
	printf '%s\n' '*mangle' \
		"-D PREROUTING -p tcp -j VPNMSS --vpn-mss 10.1.0.0/16=1000 --vpn-name pair" \
		"-D PREROUTING -p tcp -j VPNMSS --vpn-mss 10.1.0.0/16=900 --vpn-name pair" \
		"-A PREROUTING -p tcp -j VPNMSS --vpn-mss 10.1.0.0/16=800 --vpn-name pair" \
		COMMIT '*mangle' \
		"-D PREROUTING -p tcp -j VPNMSS --vpn-mss 10.1.0.0/16=800 --vpn-name pair" \
		"-A PREROUTING -p tcp -j VPNMSS --vpn-mss 10.1.0.0/16=700,10.9.0.0/16=600 --vpn-name pair" \
		COMMIT > /tmp/pair2.rules
	check "$n: two blocks in one iptables-restore, the second with other entries: accepted" \
		sh -c "$IP netns exec rtr $ipt-restore --noflush < /tmp/pair2.rules"
	expect_eq "$n: the second block's entries are the table's" "$(ns rtr cat $P4/pair)" \
"10.1.0.0/16=700 seen=0 clamped=0 below=0 nomss=0 skipped=0
10.9.0.0/16=600 seen=0 clamped=0 below=0 nomss=0 skipped=0"
	check "$n: that rule deleted by its spec" ns rtr $ipt -t mangle -D PREROUTING \
		-p tcp -j VPNMSS --vpn-mss 10.9.0.0/16=600,10.1.0.0/16=700 --vpn-name pair
	check_fails "$n: the table goes with its last rule" ns rtr test -e $P4/pair

	# A rule with other entries while the old rules stay, and a third
	# list: each is the table's in turn, and the counters of a prefix are
	# shared by every list that holds it.
	check "$n: same name, other entries, inserted first: accepted" \
		ns rtr $ipt -t mangle -I FORWARD 1 -p tcp -j VPNMSS \
		--vpn-mss 10.1.0.0/16=1000 --vpn-dir src --vpn-name tun
	expect_eq "$n: /proc shows the new list and the older rules" \
		"$(ns rtr cat $P4/tun)" \
"10.1.0.0/16=1000 seen=28 clamped=13 below=10 nomss=3 skipped=2
# 2 older rule(s) still hold other entries"
	check "$n: a third entry list: accepted" \
		ns rtr $ipt -t mangle -A POSTROUTING -p tcp -j VPNMSS \
		--vpn-mss 10.1.0.0/16=900 --vpn-name tun
	expect_eq "$n: /proc shows the third list and the older rules" \
		"$(ns rtr cat $P4/tun)" \
"10.1.0.0/16=900 seen=28 clamped=13 below=10 nomss=3 skipped=2
# 3 older rule(s) still hold other entries"
	check "$n: the extra rules deleted" sh -c \
		"$IP netns exec rtr $ipt -t mangle -D FORWARD 1 &&
		 $IP netns exec rtr $ipt -t mangle -D POSTROUTING -p tcp -j VPNMSS --vpn-mss 10.1.0.0/16=900 --vpn-name tun"
	expect_eq "$n: one entry list, the original" "$(ns rtr cat $P4/tun)" \
"10.1.0.0/16=1300 seen=28 clamped=13 below=10 nomss=3 skipped=2
10.1.2.0/24=1200 seen=7 clamped=6 below=1 nomss=0 skipped=0
172.30.0.0/16=auto seen=3 clamped=0 below=0 nomss=0 skipped=0 autofail=3"

	# Another name is another table; IPv6 has its own directory, so the
	# same name does not collide.
	check "$n: rule with another name" ns rtr $ipt -t mangle -A PREROUTING \
		-p tcp -j VPNMSS --vpn-mss 10.1.0.0/16=1000 --vpn-name other
	expect_eq "$n: its table is separate" "$(line rtr $P4/other 10.1.0.0/16)" \
		"seen=0 clamped=0 below=0 nomss=0 skipped=0"
	check "$n: IPv6 rule named tun" ns rtr $ip6t -t mangle -A FORWARD -p tcp \
		-j VPNMSS --vpn-mss fd00:1:1::/64=1200 --vpn-name tun
	syn fd00:1:1::10 3 --mss 1440
	expect_eq "$n: IPv6 table counts" "$(line rtr $P6/tun fd00:1:1::/64)" \
		"seen=3 clamped=3 below=0 nomss=0 skipped=0"
	expect_eq "$n: IPv4 table unaffected by IPv6" \
		"$(line rtr $P4/tun 10.1.0.0/16)" \
		"seen=28 clamped=13 below=10 nomss=3 skipped=2"

	# Another namespace: the same name, its own table.
	ns_new other
	check "$n: same name in another namespace" ns other $ipt -t mangle \
		-A FORWARD -p tcp -j VPNMSS --vpn-mss 10.7.0.0/16=1111 --vpn-name tun
	expect_eq "$n: that namespace sees its own table" \
		"$(ns other cat $P4/tun)" \
		"10.7.0.0/16=1111 seen=0 clamped=0 below=0 nomss=0 skipped=0"
	expect_eq "$n: this namespace's table unchanged" \
		"$(line rtr $P4/tun 10.1.0.0/16)" \
		"seen=28 clamped=13 below=10 nomss=3 skipped=2"
	"$IP" netns delete other

	# Live update as a tunnel up/down hook does it: one atomic
	# iptables-restore --noflush replacing both rules; 10.1.2.0/24 goes,
	# 10.5.0.0/16 comes, the entries that stay keep their counters.
	NEW=10.1.0.0/16=1300,10.5.0.0/16=1250,172.30.0.0/16=auto
	printf '%s\n' '*mangle' \
		"-R FORWARD 1 -p tcp -j VPNMSS --vpn-mss $NEW --vpn-dir src --vpn-name tun" \
		"-R POSTROUTING 1 -p tcp -j VPNMSS --vpn-mss $NEW --vpn-dir src --vpn-name tun" \
		COMMIT > /tmp/update.rules
	check "$n: live update with iptables-restore --noflush" \
		sh -c "$IP netns exec rtr $ipt-restore --noflush < /tmp/update.rules"
	expect_eq "$n: after the update" "$(ns rtr cat $P4/tun)" \
"10.1.0.0/16=1300 seen=28 clamped=13 below=10 nomss=3 skipped=2
10.5.0.0/16=1250 seen=0 clamped=0 below=0 nomss=0 skipped=0
172.30.0.0/16=auto seen=3 clamped=0 below=0 nomss=0 skipped=0 autofail=3"
	# A whole-table restore of the same rules (a firewall reload).
	ns rtr $ipt-save -t mangle > /tmp/saved.rules
	check "$n: full restore of the saved rules" \
		sh -c "$IP netns exec rtr $ipt-restore < /tmp/saved.rules"
	expect_eq "$n: counters survive the reload" \
		"$(line rtr $P4/tun 10.1.0.0/16)" \
		"seen=28 clamped=13 below=10 nomss=3 skipped=2"
	syn 10.5.0.1 2 --mss 1460
	expect_eq "$n: the new entry counts" "$(line rtr $P4/tun 10.5.0.0/16)" \
		"seen=4 clamped=2 below=2 nomss=0 skipped=0"

	# 50 live updates, each with other entries, while SYNs flow.
	ns cli synsend -s 10.1.0.1 -d 10.0.2.2 --mss 1460 -n 100000000 --src-count 200 2>/dev/null &
	wait_until 5 pidof synsend
	renice -n 19 -p $(pidof synsend) >/dev/null
	fails=0 i=0
	while [ $i -lt 50 ]; do
		l=10.1.0.0/16=1300,10.1.$i.0/24=1000
		printf '%s\n' '*mangle' \
			"-R FORWARD 1 -p tcp -j VPNMSS --vpn-mss $l --vpn-dir src --vpn-name tun" \
			"-R POSTROUTING 1 -p tcp -j VPNMSS --vpn-mss $l --vpn-dir src --vpn-name tun" \
			COMMIT > /tmp/update.rules
		"$IP" netns exec rtr $ipt-restore --noflush < /tmp/update.rules ||
			fails=$((fails + 1))
		i=$((i + 1))
	done
	killall synsend
	wait
	expect_eq "$n: 50 live updates accepted" "$fails" 0
	seen=$(line rtr $P4/tun 10.1.0.0/16 | sed 's/seen=\([0-9]*\).*/\1/')
	check "$n: 10.1.0.0/16 kept counting through them ($seen)" \
		[ "${seen:-0}" -gt 28 ]
	expect_eq "$n: the table holds the last list" \
		"$(ns rtr cat $P4/tun | cut -d' ' -f1 | tr '\n' ' ')" \
		"10.1.0.0/16=1300 10.1.49.0/24=1000 "

	# The file goes with the last rule; a new rule starts from zero.
	check "$n: first rule deleted" ns rtr $ipt -t mangle -D FORWARD 1
	check "$n: the file stays while a rule names it" ns rtr test -f $P4/tun
	check "$n: last rule deleted" ns rtr $ipt -t mangle -D POSTROUTING 1
	check_fails "$n: the file is gone" ns rtr test -e $P4/tun
	check "$n: the table named again" ns rtr $ipt -t mangle -A FORWARD -p tcp \
		-j VPNMSS --vpn-mss 10.1.0.0/16=1300 --vpn-name tun
	expect_eq "$n: its counters start from zero" \
		"$(line rtr $P4/tun 10.1.0.0/16)" \
		"seen=0 clamped=0 below=0 nomss=0 skipped=0"
	ns rtr $ipt -t mangle -F
	ns rtr $ip6t -t mangle -F
	check_fails "$n: no table left" sh -c "ls $P4/* $P6/* 2>/dev/null | grep -q ."
	check "$n: rmmod afterwards" $RMMOD xt_vpnmss
done
