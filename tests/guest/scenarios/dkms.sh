#!/bin/sh
# The module that DKMS built and installed on the host (passed in with
# run --module) is the one the kernel autoloads, and it clamps.
. /tests/lib.sh
topo_router

check "dkms: rule added (autoload)" ns rtr iptables -t mangle -A FORWARD -p tcp -j VPNMSS --vpn-mss 10.0.1.0/24=1234
expect_eq "dkms: the loaded module is DKMS's build" \
	"$(cat /sys/module/xt_vpnmss/srcversion 2>/dev/null)" "${VPNMSS_GUEST_SRCVERSION:-unset}"
expect_eq "dkms: module version" "$(cat /sys/module/xt_vpnmss/version 2>/dev/null)" "${VPNMSS_GUEST_VERSION:-unset}"
rm -f /tmp/cap.ready
ns srv syncap -i srv0 --syn --port 80 -n 1 -t 10000 --ready /tmp/cap.ready > /tmp/d.out &
wait_file /tmp/cap.ready
ns cli synsend -s 10.0.1.2 -d 10.0.2.2 --mss 1460
wait
expect_eq "dkms: SYN clamped" "$(sed -n 's/.* mss=\([^ ]*\) .*/\1/p' /tmp/d.out)" 1234
