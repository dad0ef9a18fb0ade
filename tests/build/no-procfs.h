/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Force-included after the kernel's configuration by the build tier to
 * compile (never load) the module as if CONFIG_PROC_FS were off.
 */
#undef CONFIG_PROC_FS
