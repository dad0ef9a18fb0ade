# VPNMSS rule cases for ip6tables; see libipt_VPNMSS.t for the format.
:PREROUTING,INPUT,FORWARD,OUTPUT,POSTROUTING
*mangle
-p tcp -j VPNMSS --vpn-mss fd00:12::/64=1300;=;OK
-p tcp -j VPNMSS --vpn-mss fd00:12::/64=wireguard@1454;-p tcp -j VPNMSS --vpn-mss fd00:12::/64=1334;OK
-p tcp -j VPNMSS --vpn-mss fd00:12::/64=esp-cbc@1454;-p tcp -j VPNMSS --vpn-mss fd00:12::/64=1330;OK
-p tcp -j VPNMSS --vpn-mss fd00:12::/64=esp-cbc-natt@1454;-p tcp -j VPNMSS --vpn-mss fd00:12::/64=1314;OK
-p tcp -j VPNMSS --vpn-mss fd00:12::/64=esp-gcm6@1500;-p tcp -j VPNMSS --vpn-mss fd00:12::/64=1366;OK
-p tcp -j VPNMSS --vpn-mss FD00:0012:0000::1=1300;-p tcp -j VPNMSS --vpn-mss fd00:12::1/128=1300;OK
-p tcp -j VPNMSS --vpn-mss fd00:12::/64=wireguard@1454 --vpn-dir src;-p tcp -j VPNMSS --vpn-mss fd00:12::/64=1334 --vpn-dir src;OK
-p tcp -j VPNMSS --vpn-mss fd00::/16=1400,fd00:12::/64=1300,::/0=1420;-p tcp -j VPNMSS --vpn-mss ::/0=1420,fd00::/16=1400,fd00:12::/64=1300;OK
-p tcp -j VPNMSS --vpn-mss fd00:12::1/64=1300;;FAIL;did you mean fd00:12::/64
-p tcp -j VPNMSS --vpn-mss fd00:12::/129=1300;;FAIL;"129"
-p tcp -j VPNMSS --vpn-mss 10.0.0.0/8=1300;;FAIL;"10.0.0.0" is not an IPv6 address
-p tcp -j VPNMSS --vpn-mss fd00:12::/64=wireguard6@100;;FAIL;link MTU 100 is too small
-p tcp -j VPNMSS --vpn-mss fd00:12::/64=1300,fd00:12::/64=1300;;FAIL;listed twice
-j VPNMSS --vpn-mss fd00:12::/64=1300;;FAIL
-p tcp -j VPNMSS --vpn-mss fd12::/64=1300 --vpn-name tunnels;=;OK
-p tcp -j VPNMSS --vpn-mss fd12::/64=1300 --vpn-dir src --vpn-name road-warriors.v2;=;OK
-p tcp -j VPNMSS --vpn-name tunnels --vpn-mss fd12::/64=1300;-p tcp -j VPNMSS --vpn-mss fd12::/64=1300 --vpn-name tunnels;OK
-p tcp -j VPNMSS --vpn-mss fd12::/64=1300 --vpn-name ..;;FAIL;--vpn-name ".."
-p tcp -j VPNMSS --vpn-mss fd12::/64=1300 --vpn-name a/b;;FAIL;--vpn-name "a/b"
-p tcp -j VPNMSS --vpn-mss fd12::/64=1300 --vpn-name a"b;;FAIL;without spaces or quotes
-p tcp -j VPNMSS --vpn-mss fd12::/64=1300 --vpn-name abcdefghijklmnopqrstuvwxyz012345;;FAIL;longer than 31 characters
:FORWARD,OUTPUT,POSTROUTING
-p tcp -j VPNMSS --vpn-mss fd00:12::/64=auto;-p tcp -j VPNMSS --vpn-mss fd00:12::/64=auto;OK
-p tcp -j VPNMSS --vpn-mss fd00:12::/64=auto,fc00::/7=1300;-p tcp -j VPNMSS --vpn-mss fc00::/7=1300,fd00:12::/64=auto;OK
-p tcp -j VPNMSS --vpn-mss fd00:12::/64=automatic;;FAIL;"automatic"
:PREROUTING
-p tcp -j VPNMSS --vpn-mss fd00:12::/64=auto;;FAIL
:INPUT
-p tcp -j VPNMSS --vpn-mss fd00:12::/64=auto;;FAIL
*filter
:INPUT,FORWARD,OUTPUT
-p tcp -j VPNMSS --vpn-mss fd00:12::/64=1300;;FAIL
