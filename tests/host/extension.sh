#!/bin/bash
# Host-side tests of the iptables extension, without the module: the error
# cases of the .t files whose message comes from userspace, the profile
# arithmetic against the table in the project's reference, and --help.
# Runs iptables in a throwaway network namespace with XTABLES_LIBDIR
# pointing at the build tree.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
export XTABLES_LIBDIR=$top:/usr/lib/x86_64-linux-gnu/xtables
passed=0 failed=0
ok() { echo "ok - $1"; }
notok() { echo "not ok - $1: $2"; }

if ! unshare -n true 2>/dev/null; then
	echo "# host: no network namespaces here; extension tests skipped"
	exit 0
fi

# The FAIL cases with an expected message, under both backends.
for t in "$top"/tests/rules/*.t; do
	case $t in *libip6t_*) cmd=ip6tables ;; *) cmd=iptables ;; esac
	while IFS= read -r line; do
		case $line in ''|'#'*|:*|'*'*) continue ;; esac
		IFS=';' read -r rule _ verdict msg <<<"$line"
		[ "$verdict" = FAIL ] && [ -n "$msg" ] || continue
		for backend in legacy nft; do
			# shellcheck disable=SC2086
			err=$(unshare -n $cmd-$backend -t mangle -A FORWARD $rule 2>&1)
			rc=$?
			name="host $cmd-$backend refuses: $rule"
			if [ $rc -eq 2 ] && [[ $err == *"$msg"* ]]; then
				ok "$name"
			else
				notok "$name" "rc=$rc: $err"
			fi
		done
	done < "$t"
done

# Profile arithmetic: "profile link v4 v6" rows from ../shared/REFERENCE.md's
# table (IPv6 inner = IPv4 inner - 20), checked through --help's table.
help=$(iptables -j VPNMSS --help)
while read -r prof link v4; do
	case $link in 1500) col=6 ;; 1454) col=7 ;; esac
	got=$(awk -v p="$prof" -v c="$col" '$1 == p { print $c }' <<<"$help")
	want="$v4/$((v4 - 20))"
	if [ "$got" = "$want" ]; then
		ok "host profile $prof@$link = $want"
	else
		notok "host profile $prof@$link" "got '$got', want '$want'"
	fi
done <<'EOF_TABLE'
mtu 1500 1460
mtu 1454 1414
pppoe 1500 1452
esp-cbc 1500 1398
esp-cbc 1454 1350
esp-cbc-natt 1500 1382
esp-cbc-natt 1454 1334
esp-gcm 1500 1406
esp-gcm 1454 1358
esp-gcm-natt 1500 1398
esp-gcm-natt 1454 1350
esp-gcm6 1500 1386
esp-gcm6 1454 1338
l2tp-ipsec 1500 1362
l2tp-ipsec 1454 1314
pptp 1500 1416
pptp 1454 1370
gre 1500 1436
gre 1454 1390
ipip 1500 1440
ipip 1454 1394
vxlan 1500 1410
vxlan 1454 1364
wireguard 1500 1400
wireguard 1454 1354
wireguard6 1500 1380
wireguard6 1454 1334
openvpn-udp 1500 1408
openvpn-udp 1454 1362
openvpn-tcp 1500 1394
openvpn-tcp 1454 1348
EOF_TABLE
