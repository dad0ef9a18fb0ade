// SPDX-License-Identifier: GPL-2.0-only
/*
 * optcheck: compare the TCP segments syncap saw arrive with those synsend
 * sent, through the clamp model of common.c (tcp_clamp_model(): every MSS
 * option the receiver's tcp_parse_options() parses before it stops, lowered
 * to the limit where above it; nothing else changed).  The model is the
 * test's own, not the module's.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

#define MAX_SEG		4096

static const char optcheck_usage[] =
"usage: optcheck --limit N [--csum STATUS] [--skip N] SENT CAPTURED\n"
"  SENT      synsend --print output: one l4hex=HEX line per segment sent,\n"
"            each with its own sequence number (synsend --random)\n"
"  CAPTURED  syncap output on the far side of the clamp; l4hex must start\n"
"            at the TCP header, or --skip bytes before it\n"
"  --limit N the MSS the rule allows these segments\n"
"  --csum S  the csum= every arrival must show (default ok)\n"
"  --skip N  drop the first N bytes of each l4hex (IPv6 extension headers)\n"
"Each arrival is matched to the segment sent with its sequence number and\n"
"must equal it with the model applied, byte for byte except the checksum\n"
"field, and carry csum=STATUS.  Prints\n"
"  sent=N compared=N missing=N extra=N mismatched=N clamped=N odd=N\n"
"  kept_before_malformed=N wrong_bytes=N bad_csum=N\n"
"(clamped: segments the model lowers; odd: those with a value lowered at\n"
"an odd offset; kept_before_malformed: those with a value lowered before a\n"
"malformed option; wrong_bytes, bad_csum: the mismatches whose bytes\n"
"differ from the model, and those right but for their checksum status),\n"
"then the first mismatch as # lines.  Exit status 0 if\n"
"every segment sent arrived once and matched.\n";

struct seg {
	uint8_t *b;
	size_t len;
	int seen;
};

static const char *field(const char *line, const char *name)
{
	const char *p = line;
	size_t n = strlen(name);

	while ((p = strstr(p, name))) {
		if (p == line || p[-1] == ' ')
			return p + n;
		p += n;
	}
	return NULL;
}

static size_t skip;

/* Decode the hex after "l4hex=" in @line, less @skip bytes, into a new buffer. */
static int get_hex(const char *line, uint8_t **out, size_t *len)
{
	const char *h = field(line, "l4hex=");
	char tmp[2 * MAX_SEG + 1];
	size_t n = 0;
	int r;

	if (!h)
		return -1;
	while (h[n] && h[n] != ' ' && h[n] != '\n')
		n++;
	if (n >= sizeof(tmp))
		return -1;
	memcpy(tmp, h, n);
	tmp[n] = '\0';
	*out = malloc(MAX_SEG);
	if (!*out)
		die(0, "out of memory");
	r = hex_decode(tmp, *out, MAX_SEG);
	if (r < 0) {
		free(*out);
		return -1;
	}
	if ((size_t)r < skip) {
		free(*out);
		return -1;
	}
	memmove(*out, *out + skip, (size_t)r - skip);
	*len = (size_t)r - skip;
	return 0;
}

static uint32_t seq_of(const uint8_t *b, size_t len)
{
	if (len < 8)
		return 0;
	return (uint32_t)b[4] << 24 | (uint32_t)b[5] << 16 |
	       (uint32_t)b[6] << 8 | b[7];
}

static void hexline(const char *tag, const uint8_t *b, size_t len)
{
	static char hex[2 * MAX_SEG + 1];

	hex_encode(hex, b, len);
	printf("#   %s %s\n", tag, hex);
}

int main(int argc, char **argv)
{
	const char *want_csum = "ok", *sent_path = NULL, *cap_path = NULL;
	unsigned long limit = 0, nsent = 0, cap = 0, compared = 0, missing = 0,
		      extra = 0, mismatched = 0, clamped = 0, odd = 0, kept = 0,
		      wrong_bytes = 0, bad_csum = 0;
	struct seg *sent = NULL;
	char *line = NULL, first[8192] = "";
	size_t lsize = 0;
	uint32_t seq0 = 0;
	int have_limit = 0, i;
	FILE *f;

	prog = "optcheck";
	usage_text = optcheck_usage;
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--limit") && i + 1 < argc) {
			limit = (unsigned long)arg_num("--limit", argv[++i], 0, 65535);
			have_limit = 1;
		} else if (!strcmp(argv[i], "--skip") && i + 1 < argc) {
			skip = (size_t)arg_num("--skip", argv[++i], 0, 1024);
		} else if (!strcmp(argv[i], "--csum") && i + 1 < argc) {
			want_csum = argv[++i];
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(0);
		} else if (argv[i][0] == '-') {
			usage_err("unknown option '%s'", argv[i]);
		} else if (!sent_path) {
			sent_path = argv[i];
		} else if (!cap_path) {
			cap_path = argv[i];
		} else {
			usage_err("unexpected argument '%s'", argv[i]);
		}
	}
	if (!have_limit || !cap_path)
		usage_err("--limit, SENT and CAPTURED are required");

	f = fopen(sent_path, "r");
	if (!f)
		die(1, "cannot open '%s'", sent_path);
	while (getline(&line, &lsize, f) > 0) {
		struct seg s = { NULL, 0, 0 };
		uint8_t model[MAX_SEG];
		int o, n;

		if (get_hex(line, &s.b, &s.len))
			continue;
		if (nsent == cap) {
			cap = cap ? 2 * cap : 1024;
			sent = realloc(sent, cap * sizeof(*sent));
			if (!sent)
				die(0, "out of memory");
		}
		if (!nsent)
			seq0 = seq_of(s.b, s.len);
		else if (seq_of(s.b, s.len) != seq0 + (uint32_t)nsent)
			die(0, "%s: segment %lu has sequence number %u, not %u",
			    sent_path, nsent, seq_of(s.b, s.len),
			    seq0 + (uint32_t)nsent);
		sent[nsent++] = s;

		/* statistics: what the model does to it */
		memcpy(model, s.b, s.len);
		n = tcp_clamp_model(model, s.len, (uint16_t)limit, &o);
		if (n) {
			struct tcp_opt_mss w;

			clamped++;
			odd += o > 0;
			tcp_opt_mss(s.b + 20, (size_t)(s.b[12] >> 4) * 4 - 20, &w);
			kept += w.malformed;
		}
	}
	fclose(f);

	f = fopen(cap_path, "r");
	if (!f)
		die(1, "cannot open '%s'", cap_path);
	while (getline(&line, &lsize, f) > 0) {
		uint8_t *got, want[MAX_SEG];
		const char *cs = field(line, "csum=");
		char why[256] = "";
		size_t len, csl = 0;
		unsigned long k;
		struct seg *s;

		if (get_hex(line, &got, &len))
			continue;
		k = seq_of(got, len) - seq0;
		if (len < 20 || k >= nsent) {
			extra++;
			if (!first[0])
				snprintf(first, sizeof(first),
					 "an arrival matches no segment sent (seq %u)",
					 seq_of(got, len));
			free(got);
			continue;
		}
		s = &sent[k];
		if (s->seen++) {
			extra++;
			if (!first[0])
				snprintf(first, sizeof(first),
					 "segment %lu arrived twice", k);
			free(got);
			continue;
		}
		compared++;
		memcpy(want, s->b, s->len);
		tcp_clamp_model(want, s->len, (uint16_t)limit, NULL);
		while (cs && cs[csl] && cs[csl] != ' ' && cs[csl] != '\n')
			csl++;
		if (len != s->len) {
			wrong_bytes++;
			snprintf(why, sizeof(why), "length %zu, sent %zu", len,
				 s->len);
		} else {
			size_t j;

			for (j = 0; j < len; j++)
				if ((j < 16 || j > 17) && got[j] != want[j])
					break;
			if (j < len) {
				wrong_bytes++;
				snprintf(why, sizeof(why),
					 "byte %zu is %02x, the model says %02x", j,
					 got[j], want[j]);
			} else if (!cs || csl != strlen(want_csum) ||
				 strncmp(cs, want_csum, csl)) {
				bad_csum++;
				snprintf(why, sizeof(why), "csum=%.*s, want %s",
					 (int)csl, cs ? cs : "", want_csum);
			}
		}
		if (why[0]) {
			mismatched++;
			if (!first[0]) {
				printf("# first mismatch: segment %lu (seq %u): %s\n",
				       k, seq_of(got, len), why);
				hexline("sent", s->b, s->len);
				hexline("want", want, s->len);
				hexline("got ", got, len);
				snprintf(first, sizeof(first), "printed");
			}
		}
		free(got);
	}
	fclose(f);
	free(line);
	for (i = 0; (unsigned long)i < nsent; i++)
		if (!sent[i].seen) {
			missing++;
			if (!first[0])
				snprintf(first, sizeof(first),
					 "segment %d (seq %u) did not arrive", i,
					 seq0 + (uint32_t)i);
		}
	if (first[0] && strcmp(first, "printed"))
		printf("# first mismatch: %s\n", first);
	printf("sent=%lu compared=%lu missing=%lu extra=%lu mismatched=%lu clamped=%lu odd=%lu kept_before_malformed=%lu wrong_bytes=%lu bad_csum=%lu\n",
	       nsent, compared, missing, extra, mismatched, clamped, odd, kept,
	       wrong_bytes, bad_csum);
	return nsent && !missing && !extra && !mismatched ? 0 : 1;
}
