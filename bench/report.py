#!/usr/bin/env python3
"""bench/report.py: results.csv, summary.csv, BENCHMARKS.md and cost-vs-n.png
from the guest logs of bench/run (or, with --results, from results.csv).

    report.py [--meta FILE] --out DIR LOG...
    report.py --results DIR/results.csv --out DIR

Every timed batch through rtr (the router holding the configuration) is
paired with one through ref (an identical router without rules) taken right
before or after it.  The cost of a configuration in a round is the median of
its pairs' ratios rtr/ref, minus the same round's ratio for the baseline (no
rule in rtr either), times the median ns per packet through ref over the
whole run: the added ns per packet at the emulated machine's typical speed.
"""
import argparse
import csv
import datetime
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile

FIELDS = ["kernel", "mode", "kind", "config", "backend", "n", "copies", "rep", "pair", "path",
          "valid", "packets", "delivered", "backlog_drops", "ksoftirqd_us",
          "sink", "secs", "ns_per_packet"]

BACKENDS = (("legacy", "legacy"), ("nft", "iptables-nft"))

# Series of the SYN plot: (config, backend, label)
SERIES = [
    ("vpnmss", "legacy", "VPNMSS, 1 rule (legacy)"),
    ("vpnmss", "nft", "VPNMSS, 1 rule (iptables-nft)"),
    ("vpnmss-named", "legacy", "VPNMSS with --vpn-name counters (legacy)"),
    ("vpnmss-auto", "legacy", "VPNMSS, auto entries (legacy)"),
    ("nft-map", "nft", "nft interval map, 1 rule"),
    ("tcpmss-chain", "legacy", "N TCPMSS rules (legacy)"),
    ("tcpmss-chain", "nft", "N TCPMSS rules (iptables-nft)"),
    ("tcpmss-one", "legacy", "1 TCPMSS rule, no -s (legacy)"),
    ("tcpmss-one", "nft", "1 TCPMSS rule, no -s (iptables-nft)"),
]

NAN = float("nan")
INF = float("inf")


# --- input ---------------------------------------------------------------------

def parse_logs(paths):
    rows, info = [], {}
    for path in paths:
        kernel, mode = None, "wall"
        with open(path, errors="replace") as f:
            lines = [l.strip().replace("\r", "") for l in f]
        for line in lines:
            m = re.match(r"^# BENCH-INFO (.*)$", line)
            if m:
                kv = {k: v.strip("'") for k, v in
                      re.findall(r"(\w+)=('[^']*'|\S+)", m.group(1))}
                kernel = kv.get("kernel", kernel)
                mode = kv.get("mode", mode)
                if kernel:
                    info.setdefault(kernel, {}).update(kv)
                    info.setdefault("%s.%s" % (mode, kernel), {}).update(kv)
                continue
            m = re.match(r"^# BENCH (kind=.*)$", line)
            if not m or not kernel:
                continue
            kv = dict(re.findall(r"(\w+)=(\S+)", m.group(1)))
            row = {k: kv.get(k, "") for k in FIELDS}
            row["kernel"] = kernel
            row["mode"] = mode
            pk, secs = int(row["packets"] or 0), float(row["secs"] or 0)
            row["ns_per_packet"] = "%.1f" % (secs * 1e9 / pk) if pk else ""
            rows.append(row)
        if kernel:
            info[kernel]["not_ok"] = str(sum(1 for l in lines if l.startswith("not ok")))
    return rows, info


def read_results(path):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    for r in rows:
        r.setdefault("mode", "wall")
        r["mode"] = r["mode"] or "wall"
    return rows


def write_results(rows, path):
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=FIELDS)
        w.writeheader()
        for r in rows:
            w.writerow(r)


# --- statistics ------------------------------------------------------------------

def q(vals, p):
    """Quantile p in [0, 1] with linear interpolation."""
    v = sorted(vals)
    if not v:
        return NAN
    x = p * (len(v) - 1)
    i = int(x)
    return v[i] if i + 1 >= len(v) else v[i] + (v[i + 1] - v[i]) * (x - i)


def med(s, field="added_median"):
    return s[field] if s and field in s else NAN


def summarize(rows, mode="wall"):
    """{(kernel, kind, config, backend, n): stats} of one mode's rows.

    wall: a round's value is the median ratio rtr/ref of its pairs, scaled
    by the median ns through ref (the drift cancels).  icount: there is no
    drift to cancel, so a round's value is the median ns (instructions) per
    packet through rtr itself, and the scale is 1."""
    rows = [r for r in rows if r.get("mode", "wall") == mode]
    batches = {}     # key -> rep -> pair -> path -> ns
    copies = {}      # key -> copies of the configuration that were loaded
    ref_ns = {}      # (kernel, kind) -> [ns through ref]
    mbs = {}         # key -> [MB/s through rtr]
    for r in rows:
        if r["valid"] != "1" or not r["ns_per_packet"]:
            continue
        key = (r["kernel"], r["kind"], r["config"], r["backend"], int(r["n"]))
        ns = float(r["ns_per_packet"])
        copies[key] = int(r.get("copies") or 1)
        batches.setdefault(key, {}).setdefault(int(r["rep"]), {}).setdefault(
            int(r["pair"]), {})[r["path"]] = ns
        if r["path"] == "ref":
            ref_ns.setdefault((r["kernel"], r["kind"]), []).append(ns)
        elif r["kind"] == "bulk" and float(r["secs"]) > 0:
            mbs.setdefault(key, []).append(int(r["delivered"]) / float(r["secs"]) / 1e6)
    rounds = {}      # key -> rep -> median ratio rtr/ref of the round's pairs
    ratios = {}      # key -> all pair ratios
    rtr_ns = {}      # key -> all ns through rtr
    for key, reps in batches.items():
        for rep, pairs in reps.items():
            if mode == "icount":
                # interference (a kworker, a timer's housekeeping) only
                # adds instructions: a round's value is its least batch
                rs = [min(p["rtr"] for p in pairs.values() if "rtr" in p)] \
                    if any("rtr" in p for p in pairs.values()) else []
            else:
                rs = [p["rtr"] / p["ref"] for p in pairs.values() if "rtr" in p and "ref" in p]
            rtr_ns.setdefault(key, []).extend(p["rtr"] for p in pairs.values() if "rtr" in p)
            if rs:
                rounds.setdefault(key, {})[rep] = statistics.median(rs)
                ratios.setdefault(key, []).extend(rs)
    summary = {}
    for key, rr in rounds.items():
        kernel, kind, config, backend = key[:4]
        # The hook (empty table) and the baseline cost over no table; any
        # other configuration costs, per copy, its excess over the empty
        # table of its backend.
        if config in ("baseline", "empty-table"):
            base = rounds.get((kernel, kind, "baseline", "-", 0), {})
        else:
            # the empty table measured with the same sources, if any
            base = rounds.get((kernel, kind, "empty-table", backend, key[4])) or \
                rounds.get((kernel, kind, "empty-table", backend, 0), {})
        k = copies.get(key, 1)
        # icount: only rtr is timed (instructions do not drift)
        refs = ref_ns.get((kernel, kind)) or [NAN]
        scale = 1.0 if mode == "icount" else statistics.median(refs)
        added = [(rr[rep] - base[rep]) * scale / k for rep in rr if rep in base]
        s_rtr = rtr_ns[key]
        s = {
            "rounds": len(rr), "pairs": len(ratios[key]), "copies": k,
            "ratio_median": statistics.median(rr.values()),
            "ratio_q1": q(rr.values(), 0.25), "ratio_q3": q(rr.values(), 0.75),
            "ref_ns": statistics.median(refs),
            "ns_median": statistics.median(rtr_ns[key]),
            "ns_q1": q(rtr_ns[key], 0.25), "ns_q3": q(rtr_ns[key], 0.75),
        }
        if added:
            s.update({
                "added_median": statistics.median(added),
                "added_q1": q(added, 0.25), "added_q3": q(added, 0.75),
                "added_min": min(added), "added_max": max(added),
            })
        if key in mbs:
            s["mbs_median"] = statistics.median(mbs[key])
        # run-to-run agreement inside this run: rounds are separate loads
        # of the configuration, in a different order each time
        vals = list(rr.values())
        m = statistics.median(vals)
        s["round_spread"] = (max(vals) - min(vals)) / m if m else NAN
        s["batch_spread"] = (max(s_rtr) - min(s_rtr)) / statistics.median(s_rtr) if s_rtr else NAN
        summary[key] = s
    # The noise floor: how much the baseline's own round ratio varies.
    for key, s in summary.items():
        if key[2] == "baseline":
            s["noise_ns"] = (s["ratio_q3"] - s["ratio_q1"]) * (1 if mode == "icount" else s["ref_ns"])
    return summary


def write_summary(summary, path, mode="wall"):
    cols = ["rounds", "pairs", "copies", "ratio_median", "ratio_q1", "ratio_q3", "ref_ns",
            "ns_median", "ns_q1", "ns_q3", "added_median", "added_q1",
            "added_q3", "added_min", "added_max", "mbs_median", "noise_ns",
            "round_spread", "batch_spread"]
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["mode", "kernel", "kind", "config", "backend", "n"] + cols)
        for key in sorted(summary):
            s = summary[key]

            def fmt(c):
                v = s.get(c, "")
                if isinstance(v, float):
                    return "%.4f" % v if c.startswith("ratio") else "%.1f" % v
                return v
            w.writerow([mode] + list(key) + [fmt(c) for c in cols])


# --- formatting ------------------------------------------------------------------

def fmt_ns(x):
    if x != x:
        return "n/a"
    return "%.0f" % x


def cell(s):
    """median [q1, q3] of the added cost, in ns."""
    if not s or "added_median" not in s:
        return "n/a"
    return "%s [%s, %s]" % (fmt_ns(s["added_median"]), fmt_ns(s["added_q1"]),
                            fmt_ns(s["added_q3"]))


def ratio(a, b):
    """Ratio of the median added costs a / b; NaN if either is missing,
    inf if b is not above zero."""
    a, b = med(a), med(b)
    if a != a or b != b:
        return NAN
    if b <= 0:
        return INF
    return a / b


def fmt_ratio(x):
    if x != x:
        return "n/a"
    if x == INF:
        return "n/a (denominator <= 0)"
    return "%.2fx" % x if abs(x) < 10 else "%.0fx" % x


def span(vals):
    v = sorted(x for x in vals if x == x)
    if not v:
        return "n/a"
    lo, hi = fmt_ns(v[0]), fmt_ns(v[-1])
    return lo if lo == hi else "%s to %s" % (lo, hi)


def rspan(vals):
    v = sorted(x for x in vals if x == x and x != INF)
    if not v:
        return "n/a"
    lo, hi = fmt_ratio(v[0]), fmt_ratio(v[-1])
    return lo if lo == hi else "%s to %s" % (lo, hi)


def kernels_of(summary):
    return sorted({k[0] for k in summary},
                  key=lambda v: [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", v)])


def nlist_of(summary, kernel):
    return sorted({k[4] for k in summary if k[0] == kernel and k[2] == "vpnmss"})


def get(summary, kernel, kind, config, backend, n):
    return summary.get((kernel, kind, config, backend, n))


# --- plot ------------------------------------------------------------------------

def plot(summary, out_dir, cap):
    gp = shutil.which("gnuplot")
    if not gp:
        print("report: no gnuplot, no plot", file=sys.stderr)
        return False
    t = subprocess.run([gp, "-e", "set terminal"], capture_output=True, text=True)
    term = "pngcairo" if re.search(r"^\s*pngcairo\s", t.stdout + t.stderr, re.M) else "png"
    kernels = kernels_of(summary)
    tmp = tempfile.mkdtemp(prefix="bench-plot.")
    try:
        for ki, k in enumerate(kernels, 1):
            for si, (c, b, label) in enumerate(SERIES, 1):
                with open(os.path.join(tmp, "k%d-s%d.dat" % (ki, si)), "w") as f:
                    f.write('n "%s" lo hi\n' % label)
                    for n in nlist_of(summary, k):
                        s = get(summary, k, "syn", c, b, 0 if c == "tcpmss-one" else n)
                        m = med(s)
                        if m != m or m <= 0:
                            continue
                        f.write("%d %.1f %.1f %.1f\n" % (
                            n, m, max(s["added_q1"], m / 10), max(s["added_q3"], m)))
        subprocess.run([gp, "-e",
                        "datadir='%s'; out='%s'; term='%s'; nk=%d; nseries=%d; kernels='%s'; cap=%d" % (
                            tmp, os.path.join(out_dir, "cost-vs-n.png"), term,
                            len(kernels), len(SERIES), " ".join(kernels), cap),
                        os.path.join(os.path.dirname(os.path.abspath(__file__)), "plot.gp")],
                       check=True)
    finally:
        shutil.rmtree(tmp)
    return True


# --- the instruction-count report (issue 18) -------------------------------------

GOAL_CAP, GOAL_GROWTH, GOAL_NONSYN = 1.0, 1.1, 0.01


def fmt_i(x):
    return "n/a" if x != x else "%.0f" % x


def pct(x):
    return "n/a" if x != x else "%.2f%%" % (100.0 * x)


STARTUP = {}     # kernel -> ns of synsend's start-up in a batch (icount)
PACKETS = {}     # kernel -> packets per batch


def per_packet(k, ns, startup=STARTUP, packets=PACKETS):
    """ns per packet of a batch without the timer's share of the start-up
    (of this run, or of the run that startup and packets describe)."""
    if k in startup and packets.get(k):
        return ns - startup[k] / packets[k]
    return ns


CAP6 = {}        # kernel -> the IPv6 capacity its run measured (icount)

SYN_KINDS = ("syn", "syn6")


def goals18(S, k, cap):
    """[(met or None, text)] for one kernel of the icount summary."""
    out = []
    G = lambda c, b, n: get(S, k, "syn", c, b, n)
    ns = nlist_of(S, k)
    # IPv4, then IPv6 if this run measured it ("syn6")
    fams = [("syn", cap, "", "")]
    if k in CAP6 and get(S, k, "syn6", "vpnmss", "legacy", CAP6[k]):
        fams.append(("syn6", CAP6[k], ", IPv6", " over IPv6"))
    for kind, c, tag, over in fams:
        for b, bname in BACKENDS:
            v, one = get(S, k, kind, "vpnmss", b, c), get(S, k, kind, "tcpmss-one", b, 0)
            r = ratio(v, one)
            out.append((None if r != r else r <= GOAL_CAP,
                        "VPNMSS (%s%s) at capacity (N = %d) costs at most %.1fx one `TCPMSS --set-mss` rule "
                        "without `-s`%s: %s vs %s instructions per SYN, %s" % (
                            bname, tag, c, GOAL_CAP, over, fmt_i(med(v)), fmt_i(med(one)), fmt_ratio(r)),
                        "at capacity, at most %.1fx one TCPMSS rule (%s%s)" % (GOAL_CAP, bname, tag), fmt_ratio(r)))
    for kind, c, tag, over in fams:
        for b, bname in BACKENDS:
            v1, vc = get(S, k, kind, "vpnmss", b, 1), get(S, k, kind, "vpnmss", b, c)
            r = ratio(vc, v1)
            out.append((None if r != r else r <= GOAL_GROWTH,
                        "VPNMSS (%s%s) grows at most %.1fx from N = 1 to capacity: %s vs %s instructions, %s" % (
                            bname, tag, GOAL_GROWTH, fmt_i(med(vc)), fmt_i(med(v1)), fmt_ratio(r)),
                        "N = 1 to capacity, at most %.1fx (%s%s)" % (GOAL_GROWTH, bname, tag), fmt_ratio(r)))
    for b, bname in BACKENDS:
        for kind, what in (("ack", "a bare ACK"), ("bulk", "a bulk TCP packet")):
            x = get(S, k, kind, "vpnmss-nogate", b, cap)
            e = get(S, k, kind, "empty-table", b, 0)
            if not x or not e or "added_median" not in x:
                continue
            base = per_packet(k, e["ns_median"])
            f = x["added_median"] / base
            mk = get(S, k, kind, "mark-nogate", b, cap)
            rl = get(S, k, kind, "rule-nogate", b, cap)
            own = ""
            if mk and "added_median" in mk:
                d = x["added_median"] - mk["added_median"]
                own = "; the same rule with `-j MARK --set-xmark 0/0` instead (%s) adds +%s, so VPNMSS's " \
                      "share is %+.0f, %s" % ("an xtables target" if b == "legacy" else "native `meta mark set`",
                                              fmt_i(mk["added_median"]), d, pct(d / base))
            floor = ""
            if rl and "added_median" in rl:
                fl = pct(rl["added_median"] / base)
                own += "; a `-p tcp` rule without any target adds +%s, %s" % (fmt_i(rl["added_median"]), fl)
                floor = " (no target: +%s)" % fl
            out.append((f <= GOAL_NONSYN,
                        "a VPNMSS rule behind `-p tcp` alone (%s) adds at most %.0f%% to %s over the empty table: "
                        "+%s instructions on %s%s, %s%s" % (
                            bname, 100 * GOAL_NONSYN, what, fmt_i(x["added_median"]), fmt_i(base),
                            "" if k in STARTUP else " (including synsend's start-up share: not measured in this run)",
                            pct(f), own),
                        "%s behind `-p tcp`, at most +%.0f%% (%s)" % (what, 100 * GOAL_NONSYN, bname),
                        "+" + pct(f) + floor))
    for b, bname in BACKENDS:
        worse, pairs, rs = [], [], []
        for n in ns:
            v, m = G("vpnmss", b, n), G("nft-map", "nft", n)
            if med(v) != med(v) or med(m) != med(m):
                continue
            rs.append(med(v) / med(m) if med(m) else NAN)
            pairs.append("N = %d: %s vs %s" % (n, fmt_i(med(v)), fmt_i(med(m))))
            if med(v) >= med(m):
                worse.append(pairs[-1])
        out.append((None if not pairs else not worse,
                    "VPNMSS (%s) costs less than the nft interval map at every N: %s" % (
                        bname, "; ".join(pairs) or "not measured"),
                    "below the nft interval map at every N (%s)" % bname,
                    "at most " + fmt_ratio(max(rs)) if rs else "n/a"))
    return out


def determinism(S, k):
    """(worst round spread, its config, worst batch spread) over SYN configs."""
    worst = (0.0, "", 0.0)
    bs = 0.0
    for key, s in S.items():
        if key[0] != k or key[1] not in SYN_KINDS:
            continue
        if s.get("rounds", 0) > 1 and s["round_spread"] == s["round_spread"]:
            if s["round_spread"] >= worst[0]:
                worst = (s["round_spread"], cfg_name(key), 0.0)
        if s.get("batch_spread", NAN) == s.get("batch_spread", NAN):
            bs = max(bs, s["batch_spread"])
    return worst[0], worst[1], bs


def added_spread(S, k):
    """The largest (max - min) over rounds of a rule's added instructions
    per SYN, absolute and relative, and where."""
    worst = (0.0, 0.0, "")
    for key, s in S.items():
        if key[0] != k or key[1] not in SYN_KINDS or key[2] in ("baseline", "empty-table"):
            continue
        if s.get("rounds", 0) < 2 or "added_max" not in s or s["added_median"] <= 0:
            continue
        d = s["added_max"] - s["added_min"]
        if d / s["added_median"] >= worst[1]:
            worst = (d, d / s["added_median"], cfg_name(key))
    return worst


def cfg_name(key):
    """"vpnmss nft n=16", with " IPv6" for the syn6 measurements."""
    return "%s %s n=%d%s" % (key[2], key[3], key[4], " IPv6" if key[1] == "syn6" else "")


def compare(S, P, k):
    """The largest and the median relative difference of the instructions
    per SYN through rtr (less each run's timer start-up) between two runs'
    summaries, over the SYN configurations both measured (none if P is
    empty)."""
    diffs = []
    for key, s in S.items():
        if key[0] != k or key[1] not in SYN_KINDS or key not in P:
            continue
        a = per_packet(k, s["ns_median"])
        b = per_packet(k, P[key]["ns_median"], PREV_STARTUP, PREV_PACKETS)
        if b > 0:
            diffs.append((abs(a - b) / b, cfg_name(key)))
    if not diffs:
        return 0.0, "", 0, 0.0
    worst = max(diffs)
    return worst[0], worst[1], len(diffs), statistics.median(d for d, _ in diffs)


def cost_table(a, S, k, cap, unit):
    G = lambda c, b, n: get(S, k, "syn", c, b, n)
    a("Cost per SYN of one rule (or one chain of N rules) over the empty table, %s: median [IQR over rounds]" % unit)
    a("")
    a("| N | VPNMSS legacy | VPNMSS iptables-nft | VPNMSS --vpn-name legacy | VPNMSS auto legacy | nft interval map | TCPMSS chain legacy | TCPMSS chain iptables-nft |")
    a("|---|---|---|---|---|---|---|---|")
    for n in nlist_of(S, k):
        a("| %s | %s |" % ("%d%s" % (n, " (capacity)" if n == cap else ""), " | ".join(
            cell(G(c, b, n)) for c, b in (("vpnmss", "legacy"), ("vpnmss", "nft"), ("vpnmss-named", "legacy"),
                                          ("vpnmss-auto", "legacy"), ("nft-map", "nft"),
                                          ("tcpmss-chain", "legacy"), ("tcpmss-chain", "nft")))))
    a("")
    a("Independent of N: one `-j TCPMSS --set-mss` rule without `-s`, legacy %s, iptables-nft %s; "
      "the hook alone (empty table over no table), legacy %s, iptables-nft %s." % (
          cell(G("tcpmss-one", "legacy", 0)), cell(G("tcpmss-one", "nft", 0)),
          cell(G("empty-table", "legacy", 0)), cell(G("empty-table", "nft", 0))))
    a("")
    ns6 = sorted({key[4] for key in S if key[0] == k and key[1] == "syn6" and key[2] == "vpnmss"})
    if ns6:
        G6 = lambda c, b, n: get(S, k, "syn6", c, b, n)
        a("IPv6 (ip6tables; 16*N sources over N /124 prefixes of fd01::/64): cost per SYN over the empty table, "
          "%s: median [IQR over rounds], and the ratio to one `-j TCPMSS --set-mss` rule without `-s` over "
          "IPv6 (legacy %s, iptables-nft %s)" % (
              unit, cell(G6("tcpmss-one", "legacy", 0)), cell(G6("tcpmss-one", "nft", 0))))
        a("")
        a("| N | VPNMSS legacy | VPNMSS iptables-nft | / 1 TCPMSS, legacy | / 1 TCPMSS, nft |")
        a("|---|---|---|---|---|")
        for n in ns6:
            vl, vn = G6("vpnmss", "legacy", n), G6("vpnmss", "nft", n)
            a("| %s | %s | %s | %s | %s |" % (
                "%d%s" % (n, " (capacity)" if n == CAP6.get(k) else ""), cell(vl), cell(vn),
                fmt_ratio(ratio(vl, G6("tcpmss-one", "legacy", 0))),
                fmt_ratio(ratio(vn, G6("tcpmss-one", "nft", 0)))))
        a("")
    a("Ratios, VPNMSS / peer (below 1: VPNMSS is cheaper), same backend; `--vpn-name` and `auto` against the plain rule")
    a("")
    a("| N | / 1 TCPMSS, legacy | / 1 TCPMSS, nft | / TCPMSS chain, legacy | / TCPMSS chain, nft | legacy / nft map | iptables-nft / nft map | named / plain | auto / plain |")
    a("|---|---|---|---|---|---|---|---|---|")
    for n in nlist_of(S, k):
        vl, vn = G("vpnmss", "legacy", n), G("vpnmss", "nft", n)
        a("| %d | %s |" % (n, " | ".join(fmt_ratio(x) for x in (
            ratio(vl, G("tcpmss-one", "legacy", 0)), ratio(vn, G("tcpmss-one", "nft", 0)),
            ratio(vl, G("tcpmss-chain", "legacy", n)), ratio(vn, G("tcpmss-chain", "nft", n)),
            ratio(vl, G("nft-map", "nft", n)), ratio(vn, G("nft-map", "nft", n)),
            ratio(G("vpnmss-named", "legacy", n), vl), ratio(G("vpnmss-auto", "legacy", n), vl)))))
    a("")
    rows, shares = [], []
    for kind, what in (("ack", "bare ACKs"), ("bulk", "bulk TCP (data and ACKs)")):
        b0 = get(S, k, kind, "baseline", "-", 0)
        if not b0:
            continue
        cells = [cell(get(S, k, kind, c, b, nn)) for c, b, nn in (
            ("empty-table", "legacy", 0), ("empty-table", "nft", 0),
            ("vpnmss-nogate", "legacy", cap), ("vpnmss-nogate", "nft", cap),
            ("mark-nogate", "legacy", cap), ("mark-nogate", "nft", cap),
            ("rule-nogate", "legacy", cap), ("rule-nogate", "nft", cap))]
        rows.append("| %s | %s | %s |" % (what, fmt_ns(med(b0, "ns_median")), " | ".join(cells)))
        own = []
        for b, bname in BACKENDS:
            v, m = get(S, k, kind, "vpnmss-nogate", b, cap), get(S, k, kind, "mark-nogate", b, cap)
            if v and m and "added_median" in v and "added_median" in m:
                own.append("%s %+.0f of %s" % (bname, v["added_median"] - m["added_median"],
                                               fmt_ns(v["added_median"])))
        if own:
            shares.append("%s: %s" % (what, ", ".join(own)))
    if rows:
        a("Packets without SYN, %s per packet: the empty table over no table, and one rule "
          "(only `-p tcp` in front) over the empty table: VPNMSS (%d entries), and the cheapest rule there is, "
          "`-j MARK --set-xmark 0/0` (an xtables target in legacy; iptables-nft makes it a native "
          "`meta mark set`, so that there it is a rule without nft_compat), and the rule with no target at all "
          "(its `-p tcp` and its counter; in legacy a fall-through verdict, no call)" % (unit, cap))
        a("")
        a("| traffic | per packet through `rtr`, no rule | empty table, legacy | empty table, iptables-nft | "
          "VPNMSS, legacy | VPNMSS, iptables-nft | MARK, legacy | MARK, iptables-nft | "
          "no target, legacy | no target, iptables-nft |")
        a("|---|---|---|---|---|---|---|---|---|---|")
        for l in rows:
            a(l)
        a("")
        if shares:
            a("What VPNMSS adds over that cheapest rule (the rest is the rule itself: its `-p tcp`, its "
              "counter, the call of its target): %s. For iptables-nft this share also holds nft_compat's "
              "call of an xtables target. VPNMSS's own early exit for a segment without SYN "
              "(`vpnmss_tg4()`) is one bound and one bit: the flags byte lies in the linear area whatever "
              "the packet is, and the checks only a SYN needs (TCP, a first fragment, no RST) come after it."
              % "; ".join(shares))
            a("")


def plot_instr(S, out_dir, cap):
    gp = shutil.which("gnuplot")
    if not gp:
        return False
    t = subprocess.run([gp, "-e", "set terminal"], capture_output=True, text=True)
    term = "pngcairo" if re.search(r"^\s*pngcairo\s", t.stdout + t.stderr, re.M) else "png"
    kernels = kernels_of(S)
    series = [s for s in SERIES if s[0] in ("vpnmss", "nft-map", "tcpmss-chain", "tcpmss-one")]
    tmp = tempfile.mkdtemp(prefix="bench-plot.")
    try:
        for ki, k in enumerate(kernels, 1):
            for si, (c, b, label) in enumerate(series, 1):
                with open(os.path.join(tmp, "k%d-s%d.dat" % (ki, si)), "w") as f:
                    f.write('n "%s" lo hi\n' % label)
                    for n in nlist_of(S, k):
                        s = get(S, k, "syn", c, b, 0 if c == "tcpmss-one" else n)
                        m = med(s)
                        if m != m or m <= 0:
                            continue
                        f.write("%d %.1f %.1f %.1f\n" % (n, m, max(s["added_q1"], m / 10), max(s["added_q3"], m)))
        subprocess.run([gp, "-e",
                        "datadir='%s'; out='%s'; term='%s'; nk=%d; nseries=%d; kernels='%s'; cap=%d; "
                        "ttl='Instructions per SYN over the empty table (QEMU -icount shift=0: 1 ns = 1 instruction)'; "
                        "ylab='instructions per SYN (log)'" % (
                            tmp, os.path.join(out_dir, "instructions-vs-n.png"), term,
                            len(kernels), len(series), " ".join(kernels), cap),
                        os.path.join(os.path.dirname(os.path.abspath(__file__)), "plot.gp")], check=True)
    finally:
        shutil.rmtree(tmp)
    return True


def markdown18(summaries, prev, info, meta, out_dir, cap, nrows, pmeta=None):
    S = summaries.get("icount", {})
    W = summaries.get("wall", {})
    L = []
    a = L.append
    ki = kernels_of(S)
    kw = kernels_of(W)
    a("# Benchmarks: the per-packet cost of MSS clamping")
    a("")
    def runs(mode, ks):
        """kernels grouped by the run (date, commit) that measured them"""
        g = {}
        for kern in ks:
            d = meta.get("%s.date_%s" % (mode, kern), meta.get("%s.date" % mode, "?"))
            c = meta.get("%s.commit_%s" % (mode, kern), meta.get("%s.commit" % mode, "?"))
            g.setdefault((d, c), []).append(kern)
        return "; ".join("from %s, commit %s, kernels %s" % (d, c, ", ".join("`%s`" % x for x in g[(d, c)]))
                         for d, c in sorted(g)) or "none"
    a("Generated by `make bench` (`bench/run`); instruction counts (QEMU `-icount shift=0`) %s%s." % (
        runs("icount", ki), ("; wall-clock figures %s" % runs("wall", kw)) if kw else ""))
    a("Raw numbers: [`results.csv`](results.csv) (every timed batch, both modes), "
      "[`summary.csv`](summary.csv) (per configuration and mode).")
    a("")
    a("![instructions per SYN against N](instructions-vs-n.png)")
    a("")
    if ki:
        # every goal on every kernel, each with its figure (details below)
        rows, order = {}, []

        def put(label, k, met, fig):
            if label not in rows:
                order.append(label)
                rows[label] = {}
            rows[label][k] = "%s, %s" % ({True: "met", False: "**missed**"}.get(met, "n/a"), fig)
        for k in ki:
            for met, _, label, fig in goals18(S, k, cap):
                put(label, k, met, fig)
            c, _, nk, _ = compare(S, prev.get("icount", {}), k)
            put("two runs of the same module, at most 1% apart", k, c <= 0.01 if nk else None,
                "%s over %d configurations" % (pct(c), nk) if nk else "one run only")
        a("## The goals, kernel by kernel")
        a("")
        a("| goal | %s |" % " | ".join("`%s`" % k for k in ki))
        a("|---|%s" % ("---|" * len(ki)))
        for label in order:
            a("| %s | %s |" % (label, " | ".join(rows[label].get(k, "n/a") for k in ki)))
        a("")
        a("The figures are ratios of instructions per SYN, or a rule's share of a forwarded packet; each kernel's "
          "section below gives the counts, and for a missed goal what it is made of.")
        a("")
    a("## How it is measured")
    a("")
    a("- **icount mode** (the default, `bench/run --mode icount`): QEMU runs with `-icount shift=0,sleep=off,align=off` "
      "(%s). The guest's clock then advances exactly 1 ns per guest instruction, so a guest-timed interval *is* an "
      "instruction count, whatever else the host runs. `sleep=off`: an idle guest skips ahead to its next timer "
      "instead of waiting for it in real time. `align=on` would pace the guest against the host clock; this QEMU "
      "refuses it with `sleep=off` (\"align=on and sleep=off are incompatible\"), and with `shift=0` (1 GIPS) TCG could "
      "never keep up anyway, so it is off." % meta.get("qemu", "QEMU"))
    a("- icount runs TCG single-threaded: all vCPUs take turns on one host thread and every vCPU's instructions "
      "advance the one clock. The guest therefore gets **one vCPU** (`-smp 1`, `bench/qemu-icount` rewrites the "
      "`-smp 2` of `tests/guest/run`), and `synsend`, its softirq forwarding and the check's `syncap` all run on "
      "CPU 0; in wall mode they stay on CPUs 1 and 0. A second vCPU would only add its own timer ticks and "
      "wake-ups to the sender's count.")
    a("- Every batch is timed in the guest by `bench-nstime` (`bench/nstime.c`, `CLOCK_MONOTONIC` around the "
      "`synsend` process), to the nanosecond, i.e. to the instruction; `synsend`'s own report is in milliseconds. "
      "The fixed cost of starting `synsend` (the median of 7 batches of one SYN) is the same in every batch and "
      "cancels in the differences below; the kernel boots with `nokaslr norandmaps`, so that neither the "
      "kernel's nor a process's layout changes between batches or boots.")
    a("- A configuration's cost per SYN: (the least instructions per SYN of a round's batches through `rtr` with it "
      "- the same through `rtr` with the empty table of its backend and the same sources) / copies, per "
      "round (the least, since interference such as a kworker only ever adds instructions); tables show the median over rounds and the "
      "IQR. Every configuration is loaded as %s copies of itself (TCPMSS chains of N rules: max(1, %s/N) copies), "
      "each copy lowering the MSS by one more so that every copy rewrites the option; `auto` copies all ask the "
      "route and xfrm for the same path, so only copy 0 rewrites. Only `rtr` is timed: instructions do not "
      "drift, so there is nothing for a batch through `ref` to cancel." % (
          info.get("icount." + ki[0], {}).get("amp", "?") if ki else "?",
          info.get("icount." + ki[0], {}).get("amp", "?") if ki else "?"))
    a("- Topology, traffic and checks as in wall mode (below): `cli -- rtr -- srv` in network namespaces, SYNs "
      "(MSS 1460) from 16*N sources over N /28 prefixes with MSS 1000+i, `--vpn-dir src`, the same "
      "`-p tcp --tcp-flags SYN,RST SYN` gate for every SYN configuration; `syncap` checks once per configuration "
      "that every SYN leaves `rtr` with its entry's MSS. `auto` entries read the route back to the source, "
      "given MTU 1400 in `rtr` (`mtu lock`), so they clamp to 1360. IPv4 entries are u32 keys behind a first "
      "level of 256 buckets. IPv6 (kind `syn6` in the raw numbers, capacity 128 entries) goes the same way "
      "with ip6tables, from fd01::/64 (prefix i is fd01::16*i/124) to fd09::1; its 128-bit keys have a first "
      "level of 256 buckets over one 64-bit half of the address (here the low half: every prefix lies in "
      "one /64). A run from before `syn6` has no IPv6 rows.")
    a("- Nothing in the guest changes what a packet costs between batches: every next hop's neighbour entry is "
      "permanent (learned ones age on the guest's clock, and a batch sent while one is STALE, DELAY or PROBE "
      "takes `neigh_resolve_output` instead of the cached header), and `srv` drops the IPv4 SYNs by forwarding "
      "them into a dummy device on a cached route (a host that does not forward allocates an uncached route for "
      "every packet it drops and frees it by RCU, at times that vary from batch to batch). Runs from before "
      "that (the two runs of commit 28bb071) had single batches of a configuration up to 5.0% apart, and rounds (their least batches) up to 2.1%.")
    a("- Determinism is shown by two runs of the same module: a run moves the rows it replaces to "
      "`results-previous.csv`, and their commit, date, host load and timer start-up to `results-previous.meta`. "
      "The goal compares each configuration's instructions per SYN through `rtr` (median over the run's "
      "batches, the whole forwarded SYN less the timer's start-up), if the two commits differ in none of %s. "
      "The host load of both runs is given with it: only the wall-clock figures feel it." %
      ", ".join("`%s`" % x for x in MEASURED))
    a("")
    for k in ki:
        G = lambda c, b, n: get(S, k, "syn", c, b, n)
        i = info.get("icount." + k, {})
        a("## Kernel %s (instructions)" % k)
        a("")
        base = G("baseline", "-", 0)
        if base:
            a("A forwarded SYN without any rule: %s instructions (through `rtr`, median of %d batches of %s SYNs "
              "in %d rounds%s)." % (fmt_i(per_packet(k, base["ns_median"])), base["pairs"], i.get("packets", "?"),
                                    base["rounds"],
                                    ", less synsend's start-up, %s instructions per batch" % fmt_i(STARTUP[k])
                                    if k in STARTUP else
                                    "; this includes synsend's start-up share, which this run did not measure"))
            a("")
        a("### Goals")
        a("")
        for met, text, _, _ in goals18(S, k, cap):
            a("- %s %s." % ({True: "**met**", False: "**missed**"}.get(met, "**not evaluable**"), text))
        pm = pmeta or {}
        c, cw, nk, cm = compare(S, prev.get("icount", {}), k)
        if nk:
            a("- **%s** two runs of the same module agree within 1%%: the largest difference of a configuration's "
              "instructions per SYN through `rtr` (the whole forwarded SYN, less the timer's start-up) between this "
              "run (%s, commit %s; host before: %s; after: %s) and the previous one (%s, commit %s; host before: %s; "
              "after: %s) is %s (%s), the median %s, over %d configurations." % (
                  "met" if c <= 0.01 else "missed", meta.get("icount.date_" + k, meta.get("icount.date", "?")),
                  run_commit(meta, "icount", k), meta.get("icount.host_before_" + k, "?"),
                  meta.get("icount.host_after_" + k, "?"), pm.get("icount.date_" + k, "?"),
                  pm.get("icount.commit_" + k, "?"), pm.get("icount.host_before_" + k, "?"),
                  pm.get("icount.host_after_" + k, "?"), pct(c), cw, pct(cm), nk))
        else:
            a("- **not evaluable** two runs of the same module agree within 1%%: `results-previous.csv` holds no "
              "earlier run of this kernel with the same module and benchmark (%s); run `make bench` twice." %
              ", ".join("`%s`" % x for x in MEASURED))
        d, where, bs = determinism(S, k)
        a("- Within this run, rounds of the same configuration (separate loads, shuffled order) differ by up to %s "
          "(%s; (max - min) / median of a round's instructions per SYN), and single batches by up to %s. A round's "
          "value is the least of its batches through `rtr` (%s of %s SYNs here), so a timer's or a kworker's "
          "sporadic work stays in it only if it lands in every one of them." % (
              pct(d), where or "one round only", pct(bs), info.get("icount." + k, {}).get("pairs", "?"),
              info.get("icount." + k, {}).get("packets", "?")))
        ad, ar, aw = added_spread(S, k)
        if aw:
            a("- The added cost of one rule is a difference of two such counts divided by the copies, so its "
              "rounds differ by more: at most %s instructions per SYN (%s of it, %s). Below 1%% needs more "
              "copies or longer batches (`VPNMSS_GUEST_BENCH_AMP`, `_PACKETS`) than this run's %s x %s." % (
                  fmt_i(ad), pct(ar), aw, info.get("icount." + k, {}).get("amp", "?"),
                  info.get("icount." + k, {}).get("packets", "?")))
        if not nk:
            a("- Host load while this guest ran: before %s; after %s." % (
                meta.get("icount.host_before_" + k, "?"), meta.get("icount.host_after_" + k, "?")))
        a("")
        cost_table(a, S, k, cap, "instructions")
        if k in kw:
            a("Instructions against wall time (the same configuration in both modes): instructions per emulated "
              "ns, for the added cost and for the whole forwarded SYN. Where a configuration's ratio departs from "
              "the baseline's, time and instructions disagree: costlier instructions (memory, TLB and cache "
              "misses, helper calls in TCG) or cheaper ones.")
            ci = meta.get("icount.commit_%s" % k, meta.get("icount.commit", "?"))
            cw = meta.get("wall.commit_%s" % k, meta.get("wall.commit", "?"))
            if ci != cw:
                a("")
                a("Caution: the two modes measured different commits here (instructions %s, wall clock %s); "
                  "where the module changed in between, the ratios compare two different hot paths." % (ci, cw))
            a("")
            a("| configuration | backend | N | added instructions | added wall ns | instr/ns added | instr/ns whole SYN |")
            a("|---|---|---|---|---|---|---|")
            for key in sorted(S):
                if key[0] != k or key[1] != "syn":
                    continue
                s, w = S[key], W.get(key)
                if not w:
                    continue
                ra = ratio(s, w) if med(w) > 0 else NAN
                rw = s["ns_median"] / w["ns_median"] if w.get("ns_median") else NAN
                a("| %s | %s | %d | %s | %s | %s | %s |" % (key[2], key[3], key[4], fmt_i(med(s)), fmt_i(med(w)),
                                                           "n/a" if ra != ra or ra == INF else "%.2f" % ra,
                                                           "n/a" if rw != rw else "%.3f" % rw))
            a("")
    if kw:
        a("## Wall clock (emulated ns, `bench/run --mode wall`)")
        a("")
        a("Caveats: these are nanoseconds of a **TCG-emulated** guest (`-smp 2`) on a shared 2-vCPU cloud VM; "
          "the emulated machine's speed drifts by up to 1.7x within seconds with the host's load. Every batch "
          "through `rtr` is paired with one through an identical router without rules (`ref`, ABBA order), and "
          "costs are (round ratio rtr/ref - the same round's ratio for the empty table) x the median ns through "
          "`ref`, per copy. Spreads of thousands of ns are normal; only the instruction counts above are exact. "
          "Absolute numbers are an order of magnitude above hardware, and emulation does not slow every kind of "
          "code equally.")
        a("")
        for k in kw:
            a("### Kernel %s (wall clock)" % k)
            a("")
            a("Host load: before %s; after %s." % (meta.get("wall.host_before_" + k, "?"),
                                                   meta.get("wall.host_after_" + k, "?")))
            a("")
            cost_table(a, W, k, cap, "emulated ns")
    a("## Reproducing")
    a("")
    a("`make bench` (= `bench/run`, icount mode) boots one guest per kernel of `tests/guest/kernels list` and rewrites "
      "this file, `results.csv`, `summary.csv` and the plots (%d timed batches in this report); `bench/run --mode wall` "
      "measures wall-clock time and keeps the icount rows (each mode replaces only its own); `bench/run --report-only` "
      "rebuilds the report from `results.csv`; `bench/run --quick` is the smoke test the suite runs "
      "(`tests/bench-smoke`: one kernel, N = 1 and capacity, into `.build/bench-quick/`). "
      "`VPNMSS_GUEST_BENCH_REPS`, `_PAIRS`, `_PACKETS`, `_AMP`, `_BULK`, `_N`, `_CONFIGS` change the amounts "
      "(see `bench/guest.sh`)." % nrows)
    a("")
    with open(os.path.join(out_dir, "BENCHMARKS.md"), "w") as f:
        f.write("\n".join(L))


# --- main ------------------------------------------------------------------------

# The files whose change changes what a run measures: the module and the
# benchmark's guest side.  Two runs at commits that differ in none of them
# measured the same thing.
MEASURED = ["xt_vpnmss.c", "include", "compat", "Kbuild", "bench/guest.sh", "bench/nstime.c",
            "bench/qemu-icount", "tests/tools", "tests/guest/run", "tests/guest/init",
            "tests/guest/lib.sh", "tests/guest/modules.list", "tests/guest/kernels"]
PREV_STARTUP = {}   # kernel -> the previous run's timer start-up (icount)
PREV_PACKETS = {}


def run_commit(meta, mode, kernel):
    return meta.get("%s.commit_%s" % (mode, kernel), meta.get("%s.commit" % mode))


def same_module(a, b):
    """Whether commits a and b (as bench/run records them) measured the
    same module and benchmark."""
    if not a or not b or "+dirty" in a or "+dirty" in b or "unknown" in (a, b):
        return False
    if a == b:
        return True
    top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    try:
        r = subprocess.run(["git", "-C", top, "diff", "--quiet", a, b, "--"] + MEASURED,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    except OSError:
        return False
    return r.returncode == 0


def write_prev_meta(meta, info, runs, path):
    """What the report needs of the replaced rows' run, per (kernel, mode):
    commit, date, host load before and after, the timer's start-up.  The
    lines of other kernels and modes stay."""
    keep = []
    if os.path.exists(path):
        for l in open(path):
            k = l.split("=", 1)[0]
            if not any(k.startswith(mode + ".") and k.endswith("_" + kern) for kern, mode in runs):
                keep.append(l)
    with open(path, "w") as f:
        f.writelines(keep)
        for kern, mode in sorted(runs):
            for key in ("commit", "date", "host_before", "host_after"):
                v = meta.get("%s.%s_%s" % (mode, key, kern),
                             meta.get("%s.%s" % (mode, key)) if key in ("commit", "date") else None)
                if v:
                    f.write("%s.%s_%s=%s\n" % (mode, key, kern, v))
            for key in ("startup_ns", "packets"):
                v = info.get("%s.%s" % (mode, kern), {}).get(key)
                if v:
                    f.write("%s.%s_%s=%s\n" % (mode, key, kern, v))


def read_prev_meta(prev_path):
    """results-previous.meta as a dict."""
    pm = {}
    path = prev_path[:-4] + ".meta"
    if os.path.exists(path):
        for l in open(path):
            if "=" in l:
                k, v = l.rstrip("\n").split("=", 1)
                pm[k] = v
    return pm


def read_meta(path):
    meta, info = {}, {}
    if path and os.path.exists(path):
        for l in open(path):
            if "=" not in l:
                continue
            k, v = l.rstrip("\n").split("=", 1)
            if k.startswith("info."):
                kern, key = k[5:].rsplit(".", 1)
                info.setdefault(kern, {})[key] = v
            else:
                meta[k] = v
    return meta, info


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out")
    ap.add_argument("--measured", action="store_true",
                    help="print the files that change what a run measures (for bench/run) and exit")
    ap.add_argument("--meta")
    ap.add_argument("--results")
    ap.add_argument("logs", nargs="*")
    args = ap.parse_args()
    if args.measured:
        print(" ".join(MEASURED))
        return 0
    if not args.out:
        ap.error("--out is required")
    out = args.out
    meta_path = os.path.join(out, "results.meta")
    res_path = os.path.join(out, "results.csv")
    prev_path = os.path.join(out, "results-previous.csv")
    meta, info = read_meta(meta_path)
    if meta and not any(k.startswith(("icount.", "wall.")) for k in meta):
        # a report from before the modes: all of it was wall-clock
        for k in list(meta):
            meta["wall." + k] = meta[k]
        for kern in list(info):
            if not kern.startswith(("icount.", "wall.")):
                info["wall." + kern] = dict(info[kern])
    if args.results:
        rows = read_results(args.results)
    else:
        new, ninfo = parse_logs(args.logs)
        if not new:
            print("report: no BENCH lines in %s" % " ".join(args.logs), file=sys.stderr)
            return 1
        fresh = {(r["kernel"], r["mode"]) for r in new}
        old = read_results(res_path) if os.path.exists(res_path) else []
        kept = [r for r in old if (r["kernel"], r["mode"]) not in fresh]
        replaced = [r for r in old if (r["kernel"], r["mode"]) in fresh]
        m, _ = read_meta(args.meta)
        mode = m.get("mode", "wall")
        if replaced:
            # the previous run of these kernels and mode, with its commit,
            # date, host load and timer start-up per kernel: two runs are
            # compared only if they measured the same module
            # (the previous rows of other kernels and modes stay)
            pold = read_results(prev_path) if os.path.exists(prev_path) else []
            write_results([r for r in pold if (r["kernel"], r["mode"]) not in fresh] + replaced,
                          prev_path)
            write_prev_meta(meta, info, {(r["kernel"], r["mode"]) for r in replaced},
                            prev_path[:-4] + ".meta")
        rows = kept + new
        write_results(rows, res_path)
        # the kernels kept from earlier runs keep their own date and
        # commit, even where those were only recorded for the whole run
        for kern in {r["kernel"] for r in kept if r["mode"] == mode}:
            for f in ("date", "commit"):
                kk = "%s.%s_%s" % (mode, f, kern)
                if kk not in meta and "%s.%s" % (mode, f) in meta:
                    meta[kk] = meta["%s.%s" % (mode, f)]
        for kern in {r["kernel"] for r in new}:
            for f in ("date", "commit"):
                if f in m:
                    m.setdefault("%s_%s" % (f, kern), m[f])
        for k, v in m.items():
            meta[k] = v
            meta["%s.%s" % (mode, k)] = v
        info.update(ninfo)
        with open(meta_path, "w") as f:
            for k, v in sorted(meta.items()):
                f.write("%s=%s\n" % (k, v))
            for kern, kv in sorted(info.items()):
                for k, v in sorted(kv.items()):
                    f.write("info.%s.%s=%s\n" % (kern, k, v))
    for key, kv in info.items():
        if key.startswith("icount.") and kv.get("startup_ns", "").isdigit():
            STARTUP[key[7:]] = float(kv["startup_ns"])
        if key.startswith("icount.") and kv.get("packets", "").isdigit():
            PACKETS[key[7:]] = float(kv["packets"])
        if key.startswith("icount.") and kv.get("cap6", "").isdigit():
            CAP6[key[7:]] = int(kv["cap6"])
    modes = sorted({r["mode"] for r in rows})
    summaries = {m: summarize(rows, m) for m in modes}
    prev = {}
    pmeta = read_prev_meta(prev_path)
    if os.path.exists(prev_path):
        # only the kernels whose previous run measured the same module
        prow = [r for r in read_results(prev_path)
                if same_module(pmeta.get("%s.commit_%s" % (r["mode"], r["kernel"])),
                               run_commit(meta, r["mode"], r["kernel"]))]
        prev = {m: summarize(prow, m) for m in sorted({r["mode"] for r in prow})}
    for key, v in pmeta.items():
        if key.startswith("icount.startup_ns_") and v.isdigit():
            PREV_STARTUP[key[len("icount.startup_ns_"):]] = float(v)
        if key.startswith("icount.packets_") and v.isdigit():
            PREV_PACKETS[key[len("icount.packets_"):]] = float(v)
    with open(os.path.join(out, "summary.csv"), "w"):
        pass
    first = True
    for m in modes:
        tmp = os.path.join(out, "summary.csv.%s" % m)
        write_summary(summaries[m], tmp, m)
        with open(tmp) as src, open(os.path.join(out, "summary.csv"), "a") as dst:
            lines = src.readlines()
            dst.writelines(lines if first else lines[1:])
        os.unlink(tmp)
        first = False
    cap = 256
    for kern in info.values():
        if kern.get("cap", "").isdigit():
            cap = int(kern["cap"])
    if "icount" in summaries:
        plot_instr(summaries["icount"], out, cap)
    if "wall" in summaries:
        plot(summaries["wall"], out, cap)
    markdown18(summaries, prev, info, meta, out, cap, len(rows), pmeta)
    if "icount" in summaries:
        S = summaries["icount"]
        for k in kernels_of(S):
            for met, text, _, _ in goals18(S, k, cap):
                print("# %s %s: %s" % (k, {True: "met", False: "MISSED"}.get(met, "n/a"), text))
            d, where, bs = determinism(S, k)
            print("# %s determinism: rounds within %s (%s), batches within %s" % (k, pct(d), where, pct(bs)))
            c, cw, nk, cm = compare(S, prev.get("icount", {}), k)
            if nk:
                print("# %s run-to-run: within %s (%s), median %s, over %d configurations" % (
                    k, pct(c), cw, pct(cm), nk))
    return 0


if __name__ == "__main__":
    sys.exit(main())
