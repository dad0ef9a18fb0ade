#!/bin/sh
# Rules: the .t cases under both backends, deletion by rule spec, and the
# iptables-save | iptables-restore round trip of capacity-sized rules.
. /tests/lib.sh
set -f

# run_t FILE BACKEND: each case in a fresh namespace, in every listed chain.
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

		ip netns add rt
		why=
		if [ "$verdict" = OK ]; then
			# Into every chain, one save for all, then -D by spec.
			for chain in $chains; do
				err=$(ip netns exec rt $cmd-$backend -t "$table" -A "$chain" $rule 2>&1) ||
					{ why="refused in $chain: $err"; break; }
			done
			saved_all=$(ip netns exec rt $cmd-$backend-save -t "$table")
			for chain in $chains; do
				[ -z "$why" ] || break
				got=$(echo "$saved_all" | grep -e "^-A $chain ")
				[ "$got" = "-A $chain $saved" ] || why="saved as '$got'"
			done
			for chain in $chains; do
				[ -z "$why" ] || break
				err=$(ip netns exec rt $cmd-$backend -t "$table" -D "$chain" $rule 2>&1) ||
					why="-D by spec failed in $chain: $err"
			done
		else
			# A refusal does not depend on the chain: the first will do.
			chain=${chains%% *}
			if err=$(ip netns exec rt $cmd-$backend -t "$table" -A "$chain" $rule 2>&1); then
				why="accepted in $chain"
			else
				case $err in
				*"$msg"*) ;;
				*) why="message lacks '$msg': $err" ;;
				esac
			fi
		fi
		ip netns del rt
		if [ -z "$why" ]; then ok "$name"; else notok "$name" "$why"; fi
	done < "$file"
}

for backend in legacy nft; do
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
	ip netns add rt
	why=
	if ! err=$(ip netns exec rt $cmd-$backend -t mangle -A FORWARD -p tcp \
			-m tcp --tcp-flags SYN,RST SYN -j VPNMSS \
			--vpn-mss "$($gen "$max")" 2>&1); then
		why="full rule refused: $err"
	else
		ip netns exec rt $cmd-$backend-save -t mangle | grep -v '^#' > /tmp/s1
		n=$(tr ', ' '\n\n' < /tmp/s1 | grep -c '=65495$')
		[ "$n" = "$max" ] || why="saved form has $n entries"
		ip netns exec rt $cmd-$backend -t mangle -F
		if ! err=$(ip netns exec rt $cmd-$backend-restore < /tmp/s1 2>&1); then
			why="restore failed: $err"
		fi
		ip netns exec rt $cmd-$backend-save -t mangle | grep -v '^#' > /tmp/s2
		cmp -s /tmp/s1 /tmp/s2 || why="${why:-save after restore differs}"
	fi
	if err=$(ip netns exec rt $cmd-$backend -t mangle -A FORWARD -p tcp \
			-j VPNMSS --vpn-mss "$($gen $((max + 1)))" 2>&1); then
		why="${why:-$((max + 1)) entries accepted}"
	else
		case $err in
		*"at most $max"*) ;;
		*) why="${why:-over-capacity message: $err}" ;;
		esac
	fi
	ip netns del rt
	if [ -z "$why" ]; then ok "$name"; else notok "$name" "$why"; fi
}

for backend in legacy nft; do
	capacity $backend iptables 256 list4
	capacity $backend ip6tables 128 list6
done

# iptables -L prints a readable form.
ip netns add rt
for backend in legacy nft; do
	ip netns exec rt iptables-$backend -t mangle -A FORWARD -p tcp -j VPNMSS \
		--vpn-mss 192.168.12.0/24=esp-cbc-natt@1454,10.8.0.0/16=1350 --vpn-dir src
	got=$(ip netns exec rt iptables-$backend -t mangle -n -L FORWARD | grep VPNMSS)
	case $got in
	*"VPNMSS dir src 10.8.0.0/16=1350 192.168.12.0/24=1334"*)
		ok "rules $backend: -L shows the table" ;;
	*) notok "rules $backend: -L shows the table" "got '$got'" ;;
	esac
	ip netns exec rt iptables-$backend -t mangle -F
done
ip netns del rt
