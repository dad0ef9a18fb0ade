/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kernel compatibility for xt_vpnmss.  Kbuild force-includes this file
 * (-include) into every object, so the .c files carry no version checks:
 * every difference between the kernels vpnmss supports belongs here, each
 * shim naming the upstream change it covers.
 *
 * Supported: RHEL 8's 4.18, and Linux 5.4 to 7.3 (Debian 13 backports).
 * 4.18 is the oldest kernel with every API the module uses; the
 * newest of them:
 *   struct_size()             4.18, "overflow.h: Add allocation size
 *                             calculation helpers"
 *   proc_create_single_data() 4.18, "proc: introduce
 *                             proc_create_single{,_data}"
 *   xt_check_proc_name()      4.16, "netfilter: x_tables: add and use
 *                             xt_check_proc_name"
 *   nf_route()                4.16, "netfilter: move route indirection to
 *                             struct nf_ipv6_ops"
 *   xt_target.usersize        4.11, "xtables: extend matches and targets
 *                             with .usersize"
 *   xt_net(), xt_family()     4.10, "netfilter: x_tables: move hook state
 *                             into xt_action_param structure" and helpers
 * so no shim is needed inside the range today.  RHEL kernels keep
 * LINUX_VERSION_CODE at their base (4.18.0, 5.14.0, 6.12.0) while
 * backporting newer APIs, so a shim must test for the feature, not the
 * version: Kbuild greps the target's headers and defines VPNMSS_HAVE_*
 * (see vpnmss_have in Kbuild), and the shim keys on that.
 *
 * The top of the range is the newest kernel this release was built and
 * tested against; raise it only with a build and a guest run on the new
 * kernel.  DKMS skips kernels outside the range (dkms.conf,
 * BUILD_EXCLUSIVE_KERNEL) instead of reaching these errors.
 */
#ifndef _VPNMSS_COMPAT_H
#define _VPNMSS_COMPAT_H

#include <linux/version.h>

#if LINUX_VERSION_CODE < KERNEL_VERSION(4, 18, 0)
#error "vpnmss needs Linux 4.18 or later"
#endif
/*
 * Before d701d8117200 ("netfilter: nft_compat: do not dump private area",
 * 5.4) nft_compat dumps a target's whole info, so the kernel address of
 * the rule's lookup table would reach anyone with CAP_NET_ADMIN in a user
 * namespace.  RHEL 8's 4.18 has the fix (its nft_extension_dump_info()
 * honours .usersize); vanilla 4.18, 4.20 and 5.0 to 5.3 do not, and 4.19
 * has it only from some stable release on, so all of those are refused.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(5, 4, 0) && \
	!(defined(RHEL_MAJOR) && RHEL_MAJOR >= 8)
#error "vpnmss needs Linux 5.4 or later, or RHEL 8's 4.18"
#endif
#if LINUX_VERSION_CODE >= KERNEL_VERSION(7, 4, 0)
#error "vpnmss is tested up to Linux 7.3; this kernel is newer"
#endif

#endif /* _VPNMSS_COMPAT_H */
