/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The tunnel profiles: NAME@LINKMTU to the MTU left inside the tunnel.
 * Userspace only, shared by the iptables extension (libxt_vpnmss.c) and
 * vpnmss-probe; the overheads are those of ../shared/REFERENCE.md's table.
 */
#ifndef _VPNMSS_PROFILES_H
#define _VPNMSS_PROFILES_H

enum vpnmss_kind {
	VPNMSS_FIXED,		/* a fixed number of bytes per packet */
	VPNMSS_ESP_TUNNEL,	/* ESP tunnel mode, as xfrm_state_mtu() */
	VPNMSS_ESP_TRANSPORT,	/* ESP transport mode, then @inner bytes */
};

struct vpnmss_profile {
	const char *name;
	enum vpnmss_kind kind;
	unsigned int overhead;	/* FIXED: all of it; ESP: outer header + SPI/seq + IV + NAT-T */
	unsigned int icv;	/* ESP integrity check value */
	unsigned int block;	/* ESP cipher block size, rounded up to 4 */
	unsigned int inner;	/* TRANSPORT: headers carried inside ESP */
	const char *what;
};

static const struct vpnmss_profile vpnmss_profiles[] = {
	{ "mtu", VPNMSS_FIXED, 0, 0, 0, 0,
	  "no tunnel: the link MTU itself" },
	{ "pppoe", VPNMSS_FIXED, 8, 0, 0, 0,
	  "PPPoE (8)" },
	{ "esp-cbc", VPNMSS_ESP_TUNNEL, 20 + 8 + 16, 16, 16, 0,
	  "ESP tunnel, AES-CBC + HMAC-SHA256-128, IPv4 outer" },
	{ "esp-cbc-natt", VPNMSS_ESP_TUNNEL, 20 + 8 + 16 + 8, 16, 16, 0,
	  "the same with NAT-T (UDP 4500)" },
	{ "esp-gcm", VPNMSS_ESP_TUNNEL, 20 + 8 + 8, 16, 4, 0,
	  "ESP tunnel, AES-GCM-16, IPv4 outer" },
	{ "esp-gcm-natt", VPNMSS_ESP_TUNNEL, 20 + 8 + 8 + 8, 16, 4, 0,
	  "the same with NAT-T (UDP 4500)" },
	{ "esp-cbc6", VPNMSS_ESP_TUNNEL, 40 + 8 + 16, 16, 16, 0,
	  "ESP tunnel, AES-CBC + HMAC-SHA256-128, IPv6 outer" },
	{ "esp-gcm6", VPNMSS_ESP_TUNNEL, 40 + 8 + 8, 16, 4, 0,
	  "ESP tunnel, AES-GCM-16, IPv6 outer" },
	{ "l2tp-ipsec", VPNMSS_ESP_TRANSPORT, 8 + 16 + 8, 16, 16,
	  20 + 8 + 8 + 4,
	  "L2TPv2/IPsec: ESP transport, CBC, NAT-T; IP+UDP+L2TP+PPP inside" },
	{ "pptp", VPNMSS_FIXED, 20 + 16 + 8, 0, 0, 0,
	  "PPTP: IP 20, enhanced GRE 16, PPP+MPPE 8" },
	{ "gre", VPNMSS_FIXED, 20 + 4, 0, 0, 0,
	  "GRE over IPv4 (24)" },
	{ "gre6", VPNMSS_FIXED, 40 + 4, 0, 0, 0,
	  "GRE over IPv6 (44)" },
	{ "ipip", VPNMSS_FIXED, 20, 0, 0, 0,
	  "IP-in-IPv4: IPIP, SIT, VTI (20)" },
	{ "vxlan", VPNMSS_FIXED, 50, 0, 0, 0,
	  "VXLAN over IPv4, inner Ethernet included (50)" },
	{ "wireguard", VPNMSS_FIXED, 60, 0, 0, 0,
	  "WireGuard over IPv4 (60)" },
	{ "wireguard6", VPNMSS_FIXED, 80, 0, 0, 0,
	  "WireGuard over IPv6 (80)" },
	{ "openvpn-udp", VPNMSS_FIXED, 52, 0, 0, 0,
	  "OpenVPN over UDP, AEAD cipher (52)" },
	{ "openvpn-tcp", VPNMSS_FIXED, 66, 0, 0, 0,
	  "OpenVPN over TCP, AEAD cipher (66)" },
};

/*
 * The MTU left for the tunnelled IP packet on a link of MTU @link, or -1
 * if the link is too small.  ESP follows the kernel's xfrm_state_mtu().
 */
static inline int vpnmss_inner_mtu(const struct vpnmss_profile *p, unsigned int link)
{
	unsigned int adj = p->kind == VPNMSS_ESP_TRANSPORT ? 20 : 0;
	int room, mtu;

	switch (p->kind) {
	case VPNMSS_FIXED:
		return (int)link - (int)p->overhead;
	case VPNMSS_ESP_TUNNEL:
	case VPNMSS_ESP_TRANSPORT:
		room = (int)link - (int)(p->overhead + p->icv + adj);
		if (room <= 0)
			return -1;
		mtu = (room & ~(int)(p->block - 1)) + (int)adj - 2;
		return mtu - (int)p->inner;
	}
	return -1;
}

#endif /* _VPNMSS_PROFILES_H */
