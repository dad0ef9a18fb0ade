#!/bin/sh
# Rules: the .t cases under both backends, deletion by rule spec, and the
# iptables-save | iptables-restore round trip of capacity-sized rules.
. /tests/lib.sh
set -f

# Each backend's part runs in a network namespace of its own, so that its
# rules meet nobody else's, and iptables-nft finds no legacy tables there.
# One namespace per backend rather than one per case, and no 'ip netns
# exec' per command: those took more than half of the scenario's time
# (260 s against 120 to 160 s on 6.1 in the busybox guest, 773 s against
# 310 s over the Debian 13 root).
if [ -z "${RULES_BACKEND:-}" ]; then
	rc=0
	for b in legacy nft; do
		RULES_BACKEND=$b unshare -n /bin/sh "$0" "$@" || rc=1
	done
	exit $rc
fi

# run_t FILE BACKEND: each case in every listed chain; the table is flushed
# after every case and must then be empty, so that no case sees another's
# rules.
run_t() {
	file=$1 backend=$2
	case $file in
	*libip6t_*) cmd=ip6tables fam=v6 ;;
	*) cmd=iptables fam=v4 ;;
	esac
	table=mangle chains=
	while IFS= read -r line; do
		case $line in
		''|'#'*) continue ;;
		:*) chains=$(echo "${line#:}" | tr , ' '); continue ;;
		'*'*) table=${line#\*}; continue ;;
		esac
		rule=${line%%;*}; rest=${line#*;}
		saved=${rest%%;*}; rest=${rest#*;}
		verdict=${rest%%;*}; msg=
		[ "$rest" != "$verdict" ] && msg=${rest#*;}
		[ "$saved" = "=" ] && saved=$rule
		name="rules $backend $fam $table: $rule"

		why=
		if [ "$verdict" = OK ]; then
			# Into every chain, one save for all, then -D by spec.
			for chain in $chains; do
				err=$($cmd-$backend -t "$table" -A "$chain" $rule 2>&1) ||
					{ why="refused in $chain: $err"; break; }
			done
			saved_all=$($cmd-$backend-save -t "$table")
			for chain in $chains; do
				[ -z "$why" ] || break
				got=$(echo "$saved_all" | grep -e "^-A $chain ")
				[ "$got" = "-A $chain $saved" ] || why="saved as '$got'"
			done
			for chain in $chains; do
				[ -z "$why" ] || break
				err=$($cmd-$backend -t "$table" -D "$chain" $rule 2>&1) ||
					why="-D by spec failed in $chain: $err"
			done
		else
			# A refusal does not depend on the chain: the first will do.
			chain=${chains%% *}
			if err=$($cmd-$backend -t "$table" -A "$chain" $rule 2>&1); then
				why="accepted in $chain"
			else
				case $err in
				*"$msg"*) ;;
				*) why="message lacks '$msg': $err" ;;
				esac
			fi
		fi
		$cmd-$backend -t "$table" -F
		left=$($cmd-$backend-save -t "$table" | grep -e '^-A ')
		[ -z "$left" ] || why="${why:-the flush left '$left'}"
		if [ -z "$why" ]; then ok "$name"; else notok "$name" "$why"; fi
	done < "$file"
}

for backend in $RULES_BACKEND; do
	run_t /tests/rules/libipt_VPNMSS.t $backend
	run_t /tests/rules/libip6t_VPNMSS.t $backend
done

# Capacity-sized rules, written as long as the saved form can get.
list4() {
	awk -v n="$1" 'BEGIN { for (i = 0; i < n; i++)
		printf "%s255.255.%d.%d/32=65495", i ? "," : "", i / 200 + 1, i % 200 + 10 }'
}
list6() {
	awk -v n="$1" 'BEGIN { for (i = 0; i < n; i++)
		printf "%sffff:ffff:ffff:ffff:ffff:ffff:ffff:%x/128=65495", i ? "," : "", 61440 + i }'
}

# capacity BACKEND CMD MAX LISTFN LIMIT-TEXT
capacity() {
	backend=$1 cmd=$2 max=$3 gen=$4
	name="rules $backend $cmd: capacity $max"
	why=
	if ! err=$($cmd-$backend -t mangle -A FORWARD -p tcp \
			-m tcp --tcp-flags SYN,RST SYN -j VPNMSS \
			--vpn-mss "$($gen "$max")" 2>&1); then
		why="full rule refused: $err"
	else
		$cmd-$backend-save -t mangle | grep -v '^#' > /tmp/s1
		cp /tmp/s1 /tmp/cap-$backend-$cmd
		n=$(tr ', ' '\n\n' < /tmp/s1 | grep -c '=65495$')
		[ "$n" = "$max" ] || why="saved form has $n entries"
		$cmd-$backend -t mangle -F
		if ! err=$($cmd-$backend-restore < /tmp/s1 2>&1); then
			why="restore failed: $err"
		fi
		$cmd-$backend-save -t mangle | grep -v '^#' > /tmp/s2
		cmp -s /tmp/s1 /tmp/s2 || why="${why:-save after restore differs}"
	fi
	if err=$($cmd-$backend -t mangle -A FORWARD -p tcp \
			-j VPNMSS --vpn-mss "$($gen $((max + 1)))" 2>&1); then
		why="${why:-$((max + 1)) entries accepted}"
	else
		case $err in
		*"at most $max"*) ;;
		*) why="${why:-over-capacity message: $err}" ;;
		esac
	fi
	$cmd-$backend -t mangle -F
	if [ -z "$why" ]; then ok "$name"; else notok "$name" "$why"; fi
}

for backend in $RULES_BACKEND; do
	capacity $backend iptables 256 list4
	capacity $backend ip6tables 128 list6
done

# iptables-restore's own limits, measured on this userland's iptables (its
# tokenizer is shared by ip6tables-restore): the most words a rule line may
# have, the longest parameter, the longest line.  The capacity rules' saved
# lines above must fit inside all three, or a saved ruleset would not
# restore.
pad() { awk -v n="$1" 'BEGIN { t = "a"; while (length(t) < n) t = t t; print substr(t, 1, n) }'; }
# A valid rule line of exactly $1 words (at least 3).
rline_words() {
	awk -v n="$1" 'BEGIN { s = "-A FORWARD"; n -= 2
		if (n % 4 == 1) { s = s " -f"; n-- }
		else if (n % 4 == 2) { s = s " -p tcp"; n -= 2 }
		else if (n % 4 == 3) { s = s " -p tcp --syn"; n -= 3 }
		for (; n > 0; n -= 4) s = s " -m comment --comment x"
		print s }'
}
# A rule line whose longest parameter has $1 characters.
rline_param() { echo "-A FORWARD -m comment --comment $(pad "$1")"; }
# A rule line of exactly $1 characters (at least 1000), made of parameters
# of at most 1022 characters and few words.
rline_len() {
	awk -v n="$1" 'function pad(k,  t) { t = "a"; while (length(t) < k) t = t t; return substr(t, 1, k) }
		BEGIN { s = "-A FORWARD"; b = pad(1000)
		while (length(s) + 22 + 1000 + 23 <= n) s = s " -m comment --comment " b
		print s " -m comment --comment " pad(n - length(s) - 22) }'
}
restore_ok() {
	printf '*mangle\n%s\nCOMMIT\n' "$2" |
		iptables-$1-restore --test >/dev/null 2>&1
}
# most GEN BACKEND LO HI: the largest N in [LO, HI] whose line restores;
# "HI+" when HI itself does.
most() {
	gen=$1 b=$2 lo=$3 hi=$4
	if restore_ok "$b" "$($gen "$hi")"; then echo "$hi+"; return; fi
	restore_ok "$b" "$($gen "$lo")" || { echo "<$lo"; return; }
	while [ $((hi - lo)) -gt 1 ]; do
		mid=$(((lo + hi) / 2))
		if restore_ok "$b" "$($gen $mid)"; then lo=$mid; else hi=$mid; fi
	done
	echo "$lo"
}
for backend in $RULES_BACKEND; do
	name="rules $backend: the capacity rules fit iptables-restore's limits"
	words=$(most rline_words $backend 6 1000)
	param=$(most rline_param $backend 1 65536)
	line=$(most rline_len $backend 1000 60000)
	diag "$(iptables-$backend-restore --version 2>&1 | head -n 1):" \
		"at most $words words a line, $param characters a parameter," \
		"$line characters a line"
	why=
	case "$words $param $line" in
	*[!0-9\ ]*) why="a limit not found (words $words, parameter $param, line $line)" ;;
	esac
	for f in /tmp/cap-$backend-iptables /tmp/cap-$backend-ip6tables; do
		[ -z "$why" ] || break
		[ -f "$f" ] || { why="no saved capacity rule $f"; break; }
		l=$(grep -e '^-A' "$f")
		w=$(echo "$l" | awk '{ print NF }')
		p=$(echo "$l" | awk '{ for (i = 1; i <= NF; i++) if (length($i) > m) m = length($i); print m + 0 }')
		c=${#l}
		diag "${f#/tmp/cap-}: saved as $w words, longest parameter $p, line of $c characters"
		[ "$w" -le "$words" ] && [ "$p" -le "$param" ] && [ "$c" -le "$line" ] ||
			why="${f#/tmp/cap-} needs $w words, $p, $c characters"
	done
	if [ -z "$why" ]; then ok "$name"; else notok "$name" "$why"; fi
done

# iptables -L prints a readable form.
for backend in $RULES_BACKEND; do
	iptables-$backend -t mangle -A FORWARD -p tcp -j VPNMSS \
		--vpn-mss 192.168.12.0/24=esp-cbc-natt@1454,10.8.0.0/16=1350 --vpn-dir src
	got=$(iptables-$backend -t mangle -n -L FORWARD | grep VPNMSS)
	case $got in
	*"VPNMSS dir src 10.8.0.0/16=1350 192.168.12.0/24=1334"*)
		ok "rules $backend: -L shows the table" ;;
	*) notok "rules $backend: -L shows the table" "got '$got'" ;;
	esac
	iptables-$backend -t mangle -F
done
