#!/bin/sh
# The module that DKMS built and installed on the host (passed in with
# run --module) is the one the kernel autoloads, and it clamps.
. /tests/lib.sh
topo_router

check "dkms: rule added (autoload)" ns rtr iptables -t mangle -A FORWARD -p tcp -j VPNMSS --vpn-mss 10.0.1.0/24=1234
# DKMS signs what it builds (make module does not): the file modprobe
# found carries DKMS's signature, and it is the module that is loaded.
expect_eq "dkms: the module file is DKMS's build (signer)" \
	"$(modinfo -F signer xt_vpnmss)" "${VPNMSS_GUEST_SIGNER:-unset}"
expect_eq "dkms: that file is the loaded module" \
	"$(cat /sys/module/xt_vpnmss/srcversion 2>/dev/null)" "$(modinfo -F srcversion xt_vpnmss)"
expect_eq "dkms: module version" "$(cat /sys/module/xt_vpnmss/version 2>/dev/null)" "${VPNMSS_GUEST_VERSION:-unset}"
rm -f /tmp/cap.ready
ns srv syncap -i srv0 --syn --port 80 -n 1 -t 10000 --ready /tmp/cap.ready > /tmp/d.out &
wait_file /tmp/cap.ready
ns cli synsend -s 10.0.1.2 -d 10.0.2.2 --mss 1460
wait
expect_eq "dkms: SYN clamped" "$(sed -n 's/.* mss=\([^ ]*\) .*/\1/p' /tmp/d.out)" 1234
