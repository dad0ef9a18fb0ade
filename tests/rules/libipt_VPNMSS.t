# VPNMSS rule cases for iptables, in the format of iptables' extensions/*.t:
#   rule;saved-form;OK|FAIL[;stderr-substring]
# "=" as saved-form means the saved form is the rule itself.  A FAIL case
# may name text that the error message must contain.  Each case runs in a
# fresh network namespace, under iptables-legacy and under iptables-nft.
:PREROUTING,INPUT,FORWARD,OUTPUT,POSTROUTING
*mangle
-p tcp -j VPNMSS --vpn-mss 192.168.12.0/24=1300;=;OK
-p tcp -m tcp --tcp-flags SYN,RST SYN -j VPNMSS --vpn-mss 192.168.12.0/24=1300;=;OK
-p tcp -j VPNMSS --vpn-mss 192.168.12.0/24=esp-cbc-natt@1454;-p tcp -j VPNMSS --vpn-mss 192.168.12.0/24=1334;OK
-p tcp -j VPNMSS --vpn-mss 192.168.12.0/24=esp-cbc@1454;-p tcp -j VPNMSS --vpn-mss 192.168.12.0/24=1350;OK
-p tcp -j VPNMSS --vpn-mss 10.8.0.0/16=esp-gcm-natt@1454;-p tcp -j VPNMSS --vpn-mss 10.8.0.0/16=1350;OK
-p tcp -j VPNMSS --vpn-mss 10.9.0.0/16=l2tp-ipsec@1500,10.10.0.0/16=wireguard@1454;-p tcp -j VPNMSS --vpn-mss 10.9.0.0/16=1362,10.10.0.0/16=1354;OK
-p tcp -j VPNMSS --vpn-mss 10.1.2.3=1300;-p tcp -j VPNMSS --vpn-mss 10.1.2.3/32=1300;OK
-p tcp -j VPNMSS --vpn-mss 192.168.12.0/24=1300 --vpn-mss 10.8.0.0/16=esp-gcm-natt@1454;-p tcp -j VPNMSS --vpn-mss 10.8.0.0/16=1350,192.168.12.0/24=1300;OK
-p tcp -j VPNMSS --vpn-mss 10.1.0.0/16=1300,10.0.0.0/8=1400;-p tcp -j VPNMSS --vpn-mss 10.0.0.0/8=1400,10.1.0.0/16=1300;OK
-p tcp -j VPNMSS --vpn-mss 0.0.0.0/0=1400,10.0.0.0/8=88,10.0.0.0/9=65495;=;OK
-p tcp -j VPNMSS --vpn-mss 10.0.0.0/8=1300 --vpn-dir src;=;OK
-p tcp -j VPNMSS --vpn-mss 10.0.0.0/8=1300 --vpn-dir dst;=;OK
-p tcp -j VPNMSS --vpn-mss 10.0.0.0/8=1300 --vpn-dir both;-p tcp -j VPNMSS --vpn-mss 10.0.0.0/8=1300;OK
-p tcp -j VPNMSS --vpn-mss 192.168.12.1/24=1300;;FAIL;did you mean 192.168.12.0/24
-p tcp -j VPNMSS --vpn-mss 10.0.0.0/8=87;;FAIL;"87"
-p tcp -j VPNMSS --vpn-mss 10.0.0.0/8=65496;;FAIL;"65496"
-p tcp -j VPNMSS --vpn-mss 10.0.0.0/8=0x500;;FAIL;"0x500"
-p tcp -j VPNMSS --vpn-mss 10.0.0.0/8=esp-bogus@1454;;FAIL;unknown profile "esp-bogus"
-p tcp -j VPNMSS --vpn-mss 10.0.0.0/8=esp-cbc@100;;FAIL;link MTU 100 is too small
-p tcp -j VPNMSS --vpn-mss 10.0.0.0/8=esp-cbc@;;FAIL;link MTU ""
-p tcp -j VPNMSS --vpn-mss 10.0.0.0/33=1300;;FAIL;"33"
-p tcp -j VPNMSS --vpn-mss 10.0.0.0/8=1300,10.0.0.0/8=1200;;FAIL;"10.0.0.0/8=1200": prefix listed twice
-p tcp -j VPNMSS --vpn-mss 10.0.0.0/8=1300 --vpn-mss 10.0.0.0/8=1300;;FAIL;listed twice
-p tcp -j VPNMSS --vpn-mss 10.0.0.300/32=1300;;FAIL;"10.0.0.300"
-p tcp -j VPNMSS --vpn-mss fd00::/64=1300;;FAIL;"fd00::" is not an IPv4 address
-p tcp -j VPNMSS --vpn-mss 10.0.0.0/8;;FAIL;"10.0.0.0/8" is not CIDR=VALUE
-p tcp -j VPNMSS --vpn-mss 10.0.0.0/8=1300,;;FAIL;empty item
-p tcp -j VPNMSS --vpn-mss 10.0.0.0/8=1300 --vpn-dir up;;FAIL;"up"
-p tcp -j VPNMSS --vpn-dir src;;FAIL;--vpn-mss
-p tcp -j VPNMSS;;FAIL;--vpn-mss
-j VPNMSS --vpn-mss 10.0.0.0/8=1300;;FAIL
-p udp -j VPNMSS --vpn-mss 10.0.0.0/8=1300;;FAIL
-p tcp -j VPNMSS --vpn-mss 192.168.12.0/24=1300 --vpn-name tunnels;=;OK
-p tcp -j VPNMSS --vpn-mss 192.168.12.0/24=1300 --vpn-dir src --vpn-name road-warriors.v2;=;OK
-p tcp -j VPNMSS --vpn-name tunnels --vpn-mss 192.168.12.0/24=1300;-p tcp -j VPNMSS --vpn-mss 192.168.12.0/24=1300 --vpn-name tunnels;OK
-p tcp -j VPNMSS --vpn-mss 192.168.12.0/24=1300 --vpn-name ..;;FAIL;--vpn-name ".."
-p tcp -j VPNMSS --vpn-mss 192.168.12.0/24=1300 --vpn-name a/b;;FAIL;--vpn-name "a/b"
-p tcp -j VPNMSS --vpn-mss 192.168.12.0/24=1300 --vpn-name a"b;;FAIL;without spaces or quotes
-p tcp -j VPNMSS --vpn-mss 192.168.12.0/24=1300 --vpn-name abcdefghijklmnopqrstuvwxyz012345;;FAIL;longer than 31 characters
:FORWARD,OUTPUT,POSTROUTING
-p tcp -j VPNMSS --vpn-mss 192.168.12.0/24=auto;-p tcp -j VPNMSS --vpn-mss 192.168.12.0/24=auto;OK
-p tcp -j VPNMSS --vpn-mss 192.168.12.0/24=auto,10.0.0.0/8=1300;-p tcp -j VPNMSS --vpn-mss 10.0.0.0/8=1300,192.168.12.0/24=auto;OK
-p tcp -j VPNMSS --vpn-mss 192.168.12.0/24=automatic;;FAIL;"automatic"
:PREROUTING
-p tcp -j VPNMSS --vpn-mss 192.168.12.0/24=auto;;FAIL
:INPUT
-p tcp -j VPNMSS --vpn-mss 192.168.12.0/24=auto;;FAIL
*filter
:INPUT,FORWARD,OUTPUT
-p tcp -j VPNMSS --vpn-mss 10.0.0.0/8=1300;;FAIL
