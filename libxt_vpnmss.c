// SPDX-License-Identifier: GPL-2.0-only
/*
 * libxt_VPNMSS: iptables/ip6tables extension for the VPNMSS target.
 *
 *   -j VPNMSS --vpn-mss CIDR=VALUE[,CIDR=VALUE...] [--vpn-dir src|dst|both]
 *
 * VALUE is an MSS or a tunnel profile NAME@LINKMTU, turned into the MSS for
 * the rule's family here; the kernel only ever sees numbers.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xtables.h>

#include "include/xt_vpnmss.h"
#include "include/vpnmss_profiles.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof(*(a)))
#endif

/*
 * xtables_strdup() arrived in iptables 1.8.8 (RHEL 8 has 1.8.4/1.8.5,
 * Debian 11 1.8.7).  The Makefile defines HAVE_XTABLES_STRDUP when the
 * xtables.h built against declares it; otherwise this stands in for it,
 * and fails as it does: a message and exit(1) when memory runs out.
 */
#ifndef HAVE_XTABLES_STRDUP
static char *xtables_strdup(const char *s)
{
	size_t len = strlen(s) + 1;

	return memcpy(xtables_malloc(len), s, len);
}
#endif

enum {
	O_VPN_MSS = 0,
	O_VPN_DIR,
	O_VPN_NAME,
};

/*
 * iptables-restore (1.8.7, 1.8.9 and 1.8.11 alike) refuses a parameter of
 * 1024 characters or more, so the saved form splits the entries over
 * several --vpn-mss options.
 */
#define VPNMSS_SAVE_CHUNK	1000

/* What one address family needs to know. */
struct vpnmss_af {
	int af;
	unsigned int maxplen;
	unsigned int max;	/* entries in one rule */
	unsigned int iptcp;	/* IP + TCP header: MSS = inner MTU - iptcp */
	const char *name;
};

static const struct vpnmss_af vpnmss_af4 = {
	AF_INET, 32, XT_VPNMSS_MAX4, 20 + 20, "IPv4",
};

static const struct vpnmss_af vpnmss_af6 = {
	AF_INET6, 128, XT_VPNMSS_MAX6, 40 + 20, "IPv6",
};

/* One entry in family-neutral form: the address in network byte order. */
struct vpnmss_ent {
	__u8 addr[16];
	__u8 plen;
	__u8 flags;
	__u16 mss;
};

static const struct vpnmss_profile *vpnmss_profile_find(const char *name,
							size_t len)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(vpnmss_profiles); i++)
		if (strlen(vpnmss_profiles[i].name) == len &&
		    strncmp(vpnmss_profiles[i].name, name, len) == 0)
			return &vpnmss_profiles[i];
	return NULL;
}

/* A plain decimal number: no sign, no spaces, no trailing junk. */
static bool vpnmss_number(const char *s, size_t len, unsigned long max,
			  unsigned long *val)
{
	unsigned long v = 0;
	size_t i;

	if (len == 0 || len > 9)
		return false;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v > max)
		return false;
	*val = v;
	return true;
}

/* Parses VALUE of one CIDR=VALUE item into @e; @item names it. */
static void vpnmss_parse_value(const struct vpnmss_af *f, const char *v,
			       const char *item, struct vpnmss_ent *e)
{
	const struct vpnmss_profile *p;
	const char *at = strchr(v, '@');
	unsigned long num;
	int mss;

	if (strcmp(v, "auto") == 0) {
		e->flags = XT_VPNMSS_E_AUTO;
		e->mss = 0;
		return;
	}
	if (!at) {
		if (!vpnmss_number(v, strlen(v), ULONG_MAX, &num) ||
		    num < XT_VPNMSS_MSS_MIN || num > XT_VPNMSS_MSS_MAX)
			xtables_error(PARAMETER_PROBLEM,
				      "VPNMSS: \"%s\": \"%s\" is neither an MSS (%u-%u), a profile NAME@LINKMTU nor auto",
				      item, v, XT_VPNMSS_MSS_MIN,
				      XT_VPNMSS_MSS_MAX);
		e->mss = num;
		return;
	}

	p = vpnmss_profile_find(v, at - v);
	if (!p)
		xtables_error(PARAMETER_PROBLEM,
			      "VPNMSS: \"%s\": unknown profile \"%.*s\" (iptables -j VPNMSS --help lists them)",
			      item, (int)(at - v), v);
	if (!vpnmss_number(at + 1, strlen(at + 1), 65535, &num))
		xtables_error(PARAMETER_PROBLEM,
			      "VPNMSS: \"%s\": link MTU \"%s\" is not a number from 68 to 65535",
			      item, at + 1);
	mss = vpnmss_inner_mtu(p, num) - (int)f->iptcp;
	if (num < 68 || mss < XT_VPNMSS_MSS_MIN)
		xtables_error(PARAMETER_PROBLEM,
			      "VPNMSS: \"%s\": link MTU %lu is too small for %s over %s (MSS would be below %u)",
			      item, num, f->name, p->name, XT_VPNMSS_MSS_MIN);
	if (mss > XT_VPNMSS_MSS_MAX)
		mss = XT_VPNMSS_MSS_MAX;
	e->mss = mss;
}

/* Clears the host bits of @addr under /@plen. */
static void vpnmss_mask(__u8 *addr, unsigned int alen, unsigned int plen)
{
	unsigned int i;

	for (i = 0; i < alen; i++) {
		if (plen >= 8) {
			plen -= 8;
			continue;
		}
		addr[i] &= (__u8)(0xff00 >> plen);
		plen = 0;
	}
}

static unsigned int vpnmss_alen(const struct vpnmss_af *f)
{
	return f->af == AF_INET ? 4 : 16;
}

/* Parses one CIDR=VALUE item. */
static void vpnmss_parse_item(const struct vpnmss_af *f, const char *item,
			      struct vpnmss_ent *e)
{
	char buf[INET6_ADDRSTRLEN + 8], net[INET6_ADDRSTRLEN];
	const char *eq = strchr(item, '=');
	unsigned int alen = vpnmss_alen(f);
	unsigned long plen = f->maxplen;
	__u8 masked[16];
	char *slash;

	if (!eq || eq == item || eq[1] == '\0')
		xtables_error(PARAMETER_PROBLEM,
			      "VPNMSS: \"%s\" is not CIDR=VALUE", item);
	if ((size_t)(eq - item) >= sizeof(buf))
		xtables_error(PARAMETER_PROBLEM,
			      "VPNMSS: \"%.*s\" is not an %s address",
			      (int)(eq - item), item, f->name);
	memcpy(buf, item, eq - item);
	buf[eq - item] = '\0';

	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	memset(e, 0, sizeof(*e));
	if (inet_pton(f->af, buf, e->addr) != 1)
		xtables_error(PARAMETER_PROBLEM,
			      "VPNMSS: \"%s\": \"%s\" is not an %s address",
			      item, buf, f->name);
	if (slash && !vpnmss_number(slash + 1, strlen(slash + 1), f->maxplen,
				    &plen))
		xtables_error(PARAMETER_PROBLEM,
			      "VPNMSS: \"%s\": prefix length \"%s\" is not a number from 0 to %u",
			      item, slash + 1, f->maxplen);
	e->plen = plen;

	memcpy(masked, e->addr, alen);
	vpnmss_mask(masked, alen, plen);
	if (memcmp(masked, e->addr, alen) != 0) {
		inet_ntop(f->af, masked, net, sizeof(net));
		xtables_error(PARAMETER_PROBLEM,
			      "VPNMSS: \"%s\": host bits are set in %s/%lu; did you mean %s/%lu?",
			      item, buf, plen, net, plen);
	}
	vpnmss_parse_value(f, eq + 1, item, e);
}

/* Family-specific access to the entries of the blob. */
static void vpnmss_get(const struct vpnmss_af *f, const void *data,
		       unsigned int i, struct vpnmss_ent *e)
{
	memset(e, 0, sizeof(*e));
	if (f->af == AF_INET) {
		const struct xt_vpnmss_entry4 *x =
			&((const struct xt_vpnmss_tginfo4 *)data)->entries[i];

		memcpy(e->addr, &x->addr, 4);
		e->plen = x->plen;
		e->flags = x->flags;
		e->mss = x->mss;
	} else {
		const struct xt_vpnmss_entry6 *x =
			&((const struct xt_vpnmss_tginfo6 *)data)->entries[i];

		memcpy(e->addr, x->addr, 16);
		e->plen = x->plen;
		e->flags = x->flags;
		e->mss = x->mss;
	}
}

static void vpnmss_put(const struct vpnmss_af *f, void *data, unsigned int i,
		       const struct vpnmss_ent *e)
{
	if (f->af == AF_INET) {
		struct xt_vpnmss_entry4 *x =
			&((struct xt_vpnmss_tginfo4 *)data)->entries[i];

		memset(x, 0, sizeof(*x));
		memcpy(&x->addr, e->addr, 4);
		x->plen = e->plen;
		x->flags = e->flags;
		x->mss = e->mss;
	} else {
		struct xt_vpnmss_entry6 *x =
			&((struct xt_vpnmss_tginfo6 *)data)->entries[i];

		memset(x, 0, sizeof(*x));
		memcpy(x->addr, e->addr, 16);
		x->plen = e->plen;
		x->flags = e->flags;
		x->mss = e->mss;
	}
}

/* The header sits at the start of both families' blobs. */
static struct xt_vpnmss_hdr *vpnmss_hdr(void *data)
{
	return data;
}

static void vpnmss_format(const struct vpnmss_af *f,
			  const struct vpnmss_ent *e, char *buf, size_t len)
{
	char addr[INET6_ADDRSTRLEN];

	inet_ntop(f->af, e->addr, addr, sizeof(addr));
	if (e->flags & XT_VPNMSS_E_AUTO)
		snprintf(buf, len, "%s/%u=auto", addr, e->plen);
	else
		snprintf(buf, len, "%s/%u=%u", addr, e->plen, e->mss);
}

/* As the kernel's xt_check_proc_name(): the name becomes a /proc file. */
static void vpnmss_parse_name(struct xt_vpnmss_hdr *h, const char *name)
{
	const char *p;

	if (name[0] == '\0' || strcmp(name, ".") == 0 ||
	    strcmp(name, "..") == 0 || strchr(name, '/'))
		xtables_error(PARAMETER_PROBLEM,
			      "VPNMSS: --vpn-name \"%s\": not a valid file name (empty, \".\", \"..\" or with a \"/\")",
			      name);
	for (p = name; *p; p++)
		if (!isgraph((unsigned char)*p) || *p == '"' || *p == '\'' ||
		    *p == '\\')
			xtables_error(PARAMETER_PROBLEM,
				      "VPNMSS: --vpn-name \"%s\": only printable characters, without spaces or quotes",
				      name);
	if (strlen(name) >= sizeof(h->name))
		xtables_error(PARAMETER_PROBLEM,
			      "VPNMSS: --vpn-name \"%s\": longer than %zu characters",
			      name, sizeof(h->name) - 1);
	memset(h->name, 0, sizeof(h->name));
	strcpy(h->name, name);
	h->flags |= XT_VPNMSS_F_NAME;
}

static void vpnmss_parse(const struct vpnmss_af *f, struct xt_option_call *cb)
{
	struct xt_vpnmss_hdr *h = vpnmss_hdr(cb->data);
	char *list, *item, *save = NULL;

	xtables_option_parse(cb);
	switch (cb->entry->id) {
	case O_VPN_DIR:
		if (strcmp(cb->arg, "src") == 0)
			h->dir = XT_VPNMSS_DIR_SRC;
		else if (strcmp(cb->arg, "dst") == 0)
			h->dir = XT_VPNMSS_DIR_DST;
		else if (strcmp(cb->arg, "both") == 0)
			h->dir = XT_VPNMSS_DIR_BOTH;
		else
			xtables_error(PARAMETER_PROBLEM,
				      "VPNMSS: --vpn-dir \"%s\": must be src, dst or both",
				      cb->arg);
		break;
	case O_VPN_NAME:
		vpnmss_parse_name(h, cb->arg);
		break;
	case O_VPN_MSS:
		if (cb->arg[0] == '\0' || cb->arg[strlen(cb->arg) - 1] == ',' ||
		    strstr(cb->arg, ",,") || cb->arg[0] == ',')
			xtables_error(PARAMETER_PROBLEM,
				      "VPNMSS: --vpn-mss \"%s\": empty item in list",
				      cb->arg);
		list = xtables_strdup(cb->arg);
		for (item = strtok_r(list, ",", &save); item;
		     item = strtok_r(NULL, ",", &save)) {
			struct vpnmss_ent e, o;
			unsigned int i;

			vpnmss_parse_item(f, item, &e);
			for (i = 0; i < h->count; i++) {
				vpnmss_get(f, cb->data, i, &o);
				if (o.plen == e.plen &&
				    memcmp(o.addr, e.addr, sizeof(e.addr)) == 0)
					xtables_error(PARAMETER_PROBLEM,
						      "VPNMSS: \"%s\": prefix listed twice",
						      item);
			}
			if (h->count >= f->max)
				xtables_error(PARAMETER_PROBLEM,
					      "VPNMSS: \"%s\": too many entries; an %s rule holds at most %u (split the table across rules by prefix)",
					      item, f->name, f->max);
			vpnmss_put(f, cb->data, h->count++, &e);
		}
		free(list);
		break;
	}
}

static void vpnmss_parse4(struct xt_option_call *cb)
{
	vpnmss_parse(&vpnmss_af4, cb);
}

static void vpnmss_parse6(struct xt_option_call *cb)
{
	vpnmss_parse(&vpnmss_af6, cb);
}

static int vpnmss_ent_cmp(const void *a, const void *b)
{
	const struct vpnmss_ent *x = a, *y = b;
	int r = memcmp(x->addr, y->addr, sizeof(x->addr));

	if (r)
		return r;
	return (int)x->plen - (int)y->plen;
}

/* Sorts the entries: the kernel wants them ascending, and so does -D. */
static void vpnmss_check(const struct vpnmss_af *f, struct xt_fcheck_call *cb)
{
	struct xt_vpnmss_hdr *h = vpnmss_hdr(cb->data);
	struct vpnmss_ent e[XT_VPNMSS_MAX4];
	unsigned int i;

	if (!h->dir)
		h->dir = XT_VPNMSS_DIR_BOTH;
	for (i = 0; i < h->count; i++)
		vpnmss_get(f, cb->data, i, &e[i]);
	qsort(e, h->count, sizeof(e[0]), vpnmss_ent_cmp);
	for (i = 0; i < h->count; i++)
		vpnmss_put(f, cb->data, i, &e[i]);
}

static void vpnmss_check4(struct xt_fcheck_call *cb)
{
	vpnmss_check(&vpnmss_af4, cb);
}

static void vpnmss_check6(struct xt_fcheck_call *cb)
{
	vpnmss_check(&vpnmss_af6, cb);
}

static const char *vpnmss_dir_name(__u8 dir)
{
	switch (dir) {
	case XT_VPNMSS_DIR_SRC:
		return "src";
	case XT_VPNMSS_DIR_DST:
		return "dst";
	case XT_VPNMSS_DIR_BOTH:
		return "both";
	}
	return "?";
}

static void vpnmss_print(const struct vpnmss_af *f,
			 const struct xt_entry_target *target)
{
	const struct xt_vpnmss_hdr *h = (const void *)target->data;
	char buf[INET6_ADDRSTRLEN + 16];
	struct vpnmss_ent e;
	unsigned int i;

	printf(" VPNMSS");
	if (h->flags & XT_VPNMSS_F_NAME)
		printf(" name %.*s", (int)sizeof(h->name), h->name);
	if (h->dir != XT_VPNMSS_DIR_BOTH)
		printf(" dir %s", vpnmss_dir_name(h->dir));
	for (i = 0; i < h->count && i < f->max; i++) {
		vpnmss_get(f, target->data, i, &e);
		vpnmss_format(f, &e, buf, sizeof(buf));
		printf(" %s", buf);
	}
}

static void vpnmss_print4(const void *ip __attribute__((unused)),
			  const struct xt_entry_target *target,
			  int numeric __attribute__((unused)))
{
	vpnmss_print(&vpnmss_af4, target);
}

static void vpnmss_print6(const void *ip __attribute__((unused)),
			  const struct xt_entry_target *target,
			  int numeric __attribute__((unused)))
{
	vpnmss_print(&vpnmss_af6, target);
}

/* The inverse of parsing; each --vpn-mss argument stays below 1024 bytes. */
static void vpnmss_save(const struct vpnmss_af *f,
			const struct xt_entry_target *target)
{
	const struct xt_vpnmss_hdr *h = (const void *)target->data;
	char buf[INET6_ADDRSTRLEN + 16];
	size_t used = 0;
	struct vpnmss_ent e;
	unsigned int i;

	for (i = 0; i < h->count && i < f->max; i++) {
		size_t len;

		vpnmss_get(f, target->data, i, &e);
		vpnmss_format(f, &e, buf, sizeof(buf));
		len = strlen(buf);
		if (used && used + 1 + len <= VPNMSS_SAVE_CHUNK) {
			printf(",%s", buf);
			used += 1 + len;
		} else {
			printf(" --vpn-mss %s", buf);
			used = len;
		}
	}
	if (h->dir != XT_VPNMSS_DIR_BOTH)
		printf(" --vpn-dir %s", vpnmss_dir_name(h->dir));
	if (h->flags & XT_VPNMSS_F_NAME)
		printf(" --vpn-name %.*s", (int)sizeof(h->name), h->name);
}

static void vpnmss_save4(const void *ip __attribute__((unused)),
			 const struct xt_entry_target *target)
{
	vpnmss_save(&vpnmss_af4, target);
}

static void vpnmss_save6(const void *ip __attribute__((unused)),
			 const struct xt_entry_target *target)
{
	vpnmss_save(&vpnmss_af6, target);
}

static void vpnmss_help(void)
{
	unsigned int i;

	printf(
"VPNMSS target options:\n"
"  --vpn-mss CIDR=VALUE[,CIDR=VALUE...]\n"
"                  Clamp the MSS of SYN and SYN-ACK packets whose address\n"
"                  is in CIDR to VALUE (repeatable; the longest prefix wins;\n"
"                  a bare address is a /32 or /128). The MSS is never raised.\n"
"                  VALUE is an MSS (%u-%u), a profile NAME@LINKMTU,\n"
"                  where LINKMTU is the MTU of the link under the tunnel,\n"
"                  or auto: the path MTU of the tunnel side, read per SYN\n"
"                  from the route and IPsec SA the stack would use (the\n"
"                  reverse path for a source in CIDR, the packet's route\n"
"                  for a destination); FORWARD, OUTPUT, POSTROUTING only.\n"
"  --vpn-dir src|dst|both\n"
"                  Look up the source (connections opened from the tunnel),\n"
"                  the destination (toward it), or both, the default: then\n"
"                  the smaller MSS applies.\n"
"  --vpn-name NAME\n"
"                  Count, per entry, the SYNs clamped, already at or below\n"
"                  the value, without an MSS option, and skipped, in\n"
"                  /proc/net/xt_vpnmss/NAME (ip6tables: xt_vpnmss6/NAME).\n"
"                  Rules naming one table share it and its counters.\n"
"\n"
"MSS = inner MTU - 40 (iptables) or - 60 (ip6tables). Inner MTU:\n"
"  fixed profiles:  LINKMTU - overhead\n"
"  ESP tunnel:      floor((LINKMTU - H - ICV) / B) * B - 2\n"
"  ESP transport:   floor((LINKMTU - H - ICV - 20) / B) * B + 18 - inner\n"
"  (H: outer IP (tunnel mode) + SPI/seq 8 + IV + NAT-T 8; B: cipher block;\n"
"   as the kernel's xfrm_state_mtu())\n"
"\n"
"Profiles                   H/ovh ICV  B inner  @1500 v4/v6   @1454 v4/v6\n",
	       XT_VPNMSS_MSS_MIN, XT_VPNMSS_MSS_MAX);
	for (i = 0; i < ARRAY_SIZE(vpnmss_profiles); i++) {
		const struct vpnmss_profile *p = &vpnmss_profiles[i];
		int a = vpnmss_inner_mtu(p, 1500), b = vpnmss_inner_mtu(p, 1454);

		printf("  %-24s %5u %3u %2u %5u %6d/%-6d %6d/%-6d\n",
		       p->name, p->overhead, p->icv, p->block, p->inner,
		       a - 40, a - 60, b - 40, b - 60);
		printf("      %s\n", p->what);
	}
}

static const struct xt_option_entry vpnmss_opts[] = {
	{ .name = "vpn-mss", .id = O_VPN_MSS, .type = XTTYPE_STRING,
	  .flags = XTOPT_MAND | XTOPT_MULTI },
	{ .name = "vpn-dir", .id = O_VPN_DIR, .type = XTTYPE_STRING },
	{ .name = "vpn-name", .id = O_VPN_NAME, .type = XTTYPE_STRING },
	XTOPT_TABLEEND,
};

static struct xtables_target vpnmss_tg_reg[] = {
	{
		.family		= NFPROTO_IPV4,
		.name		= "VPNMSS",
		.revision	= 0,
		.version	= XTABLES_VERSION,
		.size		= XT_ALIGN(sizeof(struct xt_vpnmss_tginfo4)),
		.userspacesize	= offsetof(struct xt_vpnmss_tginfo4, lpm),
		.help		= vpnmss_help,
		.print		= vpnmss_print4,
		.save		= vpnmss_save4,
		.x6_parse	= vpnmss_parse4,
		.x6_fcheck	= vpnmss_check4,
		.x6_options	= vpnmss_opts,
	},
	{
		.family		= NFPROTO_IPV6,
		.name		= "VPNMSS",
		.revision	= 0,
		.version	= XTABLES_VERSION,
		.size		= XT_ALIGN(sizeof(struct xt_vpnmss_tginfo6)),
		.userspacesize	= offsetof(struct xt_vpnmss_tginfo6, lpm),
		.help		= vpnmss_help,
		.print		= vpnmss_print6,
		.save		= vpnmss_save6,
		.x6_parse	= vpnmss_parse6,
		.x6_fcheck	= vpnmss_check6,
		.x6_options	= vpnmss_opts,
	},
};

static void __attribute__((constructor)) vpnmss_tg_ldr(void)
{
	xtables_register_targets(vpnmss_tg_reg, ARRAY_SIZE(vpnmss_tg_reg));
}
