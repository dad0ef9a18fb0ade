/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note */
/*
 * xt_VPNMSS: clamp the TCP MSS of SYN and SYN-ACK packets per tunnel subnet.
 *
 * This header is the ABI between the kernel module (xt_vpnmss.ko) and the
 * iptables extension (libxt_VPNMSS.so).  Revision 0 is frozen: new features
 * come as new flag bits (rejected by older kernels through the masks below)
 * or as a new revision with a new struct.
 */
#ifndef _XT_VPNMSS_H
#define _XT_VPNMSS_H

#include <linux/types.h>

/*
 * Capacity of one rule.  Bounded by three limits: an nf_tables rule holds
 * at most 4 KiB of expression data (iptables-nft stores the whole target
 * blob there), iptables-restore reads lines of at most 10 KiB, and the
 * saved form lists every entry in one argument.
 */
#define XT_VPNMSS_MAX4		256
#define XT_VPNMSS_MAX6		128

#define XT_VPNMSS_MSS_MIN	88
#define XT_VPNMSS_MSS_MAX	65495

#define XT_VPNMSS_NAME_LEN	32

/* Which address of the packet is looked up; both: the smaller MSS wins. */
enum {
	XT_VPNMSS_DIR_SRC	= 1 << 0,
	XT_VPNMSS_DIR_DST	= 1 << 1,
	XT_VPNMSS_DIR_BOTH	= XT_VPNMSS_DIR_SRC | XT_VPNMSS_DIR_DST,
};

/*
 * Rule flags.  NAME: hdr.name names the rule's counter table, shown at
 * /proc/net/xt_vpnmss/NAME (IPv4) or /proc/net/xt_vpnmss6/NAME (IPv6).
 * Without it, name must be all-zero.
 */
#define XT_VPNMSS_F_NAME	(1 << 0)
#define XT_VPNMSS_F_MASK	XT_VPNMSS_F_NAME

/*
 * Entry flags.  AUTO: the MSS comes from the path MTU of the tunnel side
 * (reverse route and IPsec bundle toward a source in the prefix, the
 * packet's own route toward a destination in it); mss is then 0.
 * Allowed in FORWARD, OUTPUT and POSTROUTING only.
 */
#define XT_VPNMSS_E_AUTO	(1 << 0)
#define XT_VPNMSS_E_MASK	XT_VPNMSS_E_AUTO

struct xt_vpnmss_hdr {
	__u16 count;		/* entries in use */
	__u8 dir;		/* XT_VPNMSS_DIR_* */
	__u8 flags;		/* XT_VPNMSS_F_*, must be within XT_VPNMSS_F_MASK */
	__u32 reserved;		/* must be zero */
	char name[XT_VPNMSS_NAME_LEN];	/* with F_NAME: NUL-padded, else 0 */
};

/*
 * Entries are sorted by address, then by prefix length, with no duplicate
 * prefix and no host bits set.  Unused entries are all-zero.
 */
struct xt_vpnmss_entry4 {
	__be32 addr;
	__u16 mss;
	__u8 plen;
	__u8 flags;		/* XT_VPNMSS_E_*, within XT_VPNMSS_E_MASK */
};

struct xt_vpnmss_entry6 {
	__be32 addr[4];
	__u16 mss;
	__u8 plen;
	__u8 flags;
};

struct vpnmss_lpm;

struct xt_vpnmss_tginfo4 {
	struct xt_vpnmss_hdr hdr;
	struct xt_vpnmss_entry4 entries[XT_VPNMSS_MAX4];

	/* Used internally by the kernel */
	struct vpnmss_lpm *lpm __attribute__((aligned(8)));
};

struct xt_vpnmss_tginfo6 {
	struct xt_vpnmss_hdr hdr;
	struct xt_vpnmss_entry6 entries[XT_VPNMSS_MAX6];

	/* Used internally by the kernel */
	struct vpnmss_lpm *lpm __attribute__((aligned(8)));
};

#endif /* _XT_VPNMSS_H */
