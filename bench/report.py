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

FIELDS = ["kernel", "kind", "config", "backend", "n", "copies", "rep", "pair", "path",
          "valid", "packets", "delivered", "backlog_drops", "ksoftirqd_us",
          "sink", "secs", "ns_per_packet"]

BACKENDS = (("legacy", "legacy"), ("nft", "iptables-nft"))

# Series of the SYN plot: (config, backend, label)
SERIES = [
    ("vpnmss", "legacy", "VPNMSS, 1 rule (legacy)"),
    ("vpnmss", "nft", "VPNMSS, 1 rule (iptables-nft)"),
    ("vpnmss-named", "legacy", "VPNMSS with --vpn-name counters (legacy)"),
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
        kernel = None
        with open(path, errors="replace") as f:
            lines = [l.strip().replace("\r", "") for l in f]
        for line in lines:
            m = re.match(r"^# BENCH-INFO (.*)$", line)
            if m:
                kv = {k: v.strip("'") for k, v in
                      re.findall(r"(\w+)=('[^']*'|\S+)", m.group(1))}
                kernel = kv.get("kernel", kernel)
                if kernel:
                    info.setdefault(kernel, {}).update(kv)
                continue
            m = re.match(r"^# BENCH (kind=.*)$", line)
            if not m or not kernel:
                continue
            kv = dict(re.findall(r"(\w+)=(\S+)", m.group(1)))
            row = {k: kv.get(k, "") for k in FIELDS}
            row["kernel"] = kernel
            pk, secs = int(row["packets"] or 0), float(row["secs"] or 0)
            row["ns_per_packet"] = "%.1f" % (secs * 1e9 / pk) if pk else ""
            rows.append(row)
        if kernel:
            info[kernel]["not_ok"] = str(sum(1 for l in lines if l.startswith("not ok")))
    return rows, info


def read_results(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


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


def summarize(rows):
    """{(kernel, kind, config, backend, n): stats}."""
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
            base = rounds.get((kernel, kind, "empty-table", backend, 0), {})
        k = copies.get(key, 1)
        scale = statistics.median(ref_ns[(kernel, kind)])
        added = [(rr[rep] - base[rep]) * scale / k for rep in rr if rep in base]
        s = {
            "rounds": len(rr), "pairs": len(ratios[key]), "copies": k,
            "ratio_median": statistics.median(rr.values()),
            "ratio_q1": q(rr.values(), 0.25), "ratio_q3": q(rr.values(), 0.75),
            "ref_ns": scale,
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
        summary[key] = s
    # The noise floor: how much the baseline's own round ratio varies.
    for key, s in summary.items():
        if key[2] == "baseline":
            s["noise_ns"] = (s["ratio_q3"] - s["ratio_q1"]) * s["ref_ns"]
    return summary


def write_summary(summary, path):
    cols = ["rounds", "pairs", "copies", "ratio_median", "ratio_q1", "ratio_q3", "ref_ns",
            "ns_median", "ns_q1", "ns_q3", "added_median", "added_q1",
            "added_q3", "added_min", "added_max", "mbs_median", "noise_ns"]
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["kernel", "kind", "config", "backend", "n"] + cols)
        for key in sorted(summary):
            s = summary[key]

            def fmt(c):
                v = s.get(c, "")
                if isinstance(v, float):
                    return "%.4f" % v if c.startswith("ratio") else "%.1f" % v
                return v
            w.writerow(list(key) + [fmt(c) for c in cols])


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


def quiet_state(state):
    """host_state() text: 1-minute load below 0.5, no qemu, no cc1."""
    m = re.match(r"load ([\d.]+) [\d.]+ [\d.]+, (\d+) qemu-system, (\d+) cc1", state)
    return bool(m) and float(m.group(1)) < 0.5 and m.group(2) == "0" and m.group(3) == "0"


# --- goals and prose -------------------------------------------------------------

def goals(summary, kernel, cap):
    """[(goal, met or None, text)] for one kernel."""
    out = []
    G = lambda c, b, n: get(summary, kernel, "syn", c, b, n)
    ns = nlist_of(summary, kernel)
    for b, bname in BACKENDS:
        one, full = G("vpnmss", b, 1), G("vpnmss", b, cap)
        r = ratio(full, one)
        met = None if med(one) != med(one) or med(one) <= 0 else r <= 1.5
        out.append(("growth", b,
                    "VPNMSS (%s) at N = %d costs at most 1.5x its cost at N = 1" % (bname, cap), met,
                    "%s ns vs %s ns, %s" % (fmt_ns(med(full)), fmt_ns(med(one)), fmt_ratio(r))))
    for b, bname in BACKENDS:
        worse, pairs = [], []
        for n in ns:
            v, m = G("vpnmss", b, n), G("nft-map", "nft", n)
            if med(v) != med(v) or med(m) != med(m):
                continue
            pairs.append("N = %d: %s vs %s" % (n, fmt_ns(med(v)), fmt_ns(med(m))))
            if med(v) > med(m):
                d = med(v) - med(m)
                pct = ", +%.0f%%" % (100.0 * d / med(m)) if med(m) > 0 else ""
                overlap = v["added_q1"] <= m["added_q3"]
                worse.append("N = %d: %s vs %s ns (+%s ns%s%s)" % (
                    n, fmt_ns(med(v)), fmt_ns(med(m)), fmt_ns(d), pct,
                    ", within the overlap of their IQRs" if overlap else ""))
        out.append(("map", b, "VPNMSS (%s) costs no more than the nft interval map at every N" % bname,
                    None if not pairs else not worse,
                    ("more at " + "; ".join(worse)) if worse else "; ".join(pairs) + " ns"))
    chain = G("tcpmss-chain", "nft", 256)
    for b, bname in BACKENDS:
        v = G("vpnmss", b, 256)
        r = ratio(chain, v)
        out.append(("chain", b,
                    "VPNMSS (%s) at N = 256 is at least 10x below 256 TCPMSS rules under iptables-nft" % bname,
                    None if r != r else r >= 10,
                    "%s ns vs %s ns, %s" % (fmt_ns(med(v)), fmt_ns(med(chain)), fmt_ratio(r))))
    base = get(summary, kernel, "bulk", "baseline", "-", 0)
    for b, bname in BACKENDS:
        s = get(summary, kernel, "bulk", "vpnmss-nogate", b, cap)
        if not s or not base or "added_median" not in s:
            out.append(("nonsyn", b, "non-SYN overhead within noise (%s)" % bname, None, "not measured"))
            continue
        noise = base.get("noise_ns", NAN)
        within = s["added_q1"] <= 0 <= s["added_q3"] or abs(s["added_median"]) <= noise / s["copies"]
        out.append(("nonsyn", b,
                    "data packets (bulk TCP) with the ungated VPNMSS rule (%s) cost the same as with no rule, within noise" % bname,
                    within,
                    "%+.0f ns per forwarded packet (%+.2f%% of %s ns), IQR over rounds %s to %s ns; "
                    "the no-rule measurement itself varies by %s ns (its IQR), %s ns per copy" % (
                        s["added_median"], 100.0 * s["added_median"] / s["ref_ns"],
                        fmt_ns(s["ref_ns"]), fmt_ns(s["added_q1"]), fmt_ns(s["added_q3"]),
                        fmt_ns(noise), fmt_ns(noise / s["copies"]))))
    return out


WHY = {
    "growth": "The growth from N = 1 to N = {cap} is the binary search over up to "
              "2N+1 ranges (about 9 steps of a 128-bit compare at 256 against 1 or 2 "
              "at N = 1) on top of the rule's fixed cost; TCG emulates those "
              "data-dependent branches and loads at several times their native "
              "cost, while the fixed part (hook, match, option rewrite) is what "
              "every configuration pays.",
    "map": "Where VPNMSS costs more than the nft interval map, the difference is "
           "the xtables path itself: under iptables-nft every packet goes through "
           "`nft_compat`, which rebuilds an `xt_action_param` and calls the "
           "`tcp` match and the target indirectly, and under legacy `ipt_do_table` "
           "walks the mangle table's hooks and entries, while the native map is a "
           "few nft expressions in one chain.",
    "chain": "The ratio against 256 TCPMSS rules is bounded by VPNMSS's fixed "
             "cost per SYN (the hook, the match and the MSS rewrite, which every "
             "configuration pays), not by its lookup.",
    "nonsyn": "Any overhead left for data packets is the mangle hook and one "
              "`-p tcp` rule evaluated per packet (compare the empty-table "
              "columns); VPNMSS itself returns before any lookup for a segment "
              "without SYN.",
}


def missed_why(summary, k, cap):
    seen, out = set(), []
    for kind, _, _, met, _ in goals(summary, k, cap):
        if met is False and kind not in seen:
            seen.add(kind)
            out.append(WHY[kind].format(cap=cap))
    return ("*Why:* " + " ".join(out)) if out else ""


def meaning(summary, kernels, cap):
    """Two or three sentences on what the tables mean, from the numbers."""
    B = [b for b, _ in BACKENDS]
    S = lambda k, c, b, n: get(summary, k, "syn", c, b, n)
    v1 = [med(S(k, "vpnmss", b, 1)) for k in kernels for b in B]
    vc = [med(S(k, "vpnmss", b, cap)) for k in kernels for b in B]
    growth = [ratio(S(k, "vpnmss", b, cap), S(k, "vpnmss", b, 1)) for k in kernels for b in B]
    one = [med(S(k, "tcpmss-one", b, 0)) for k in kernels for b in B]
    chain_l = [med(S(k, "tcpmss-chain", "legacy", 256)) for k in kernels]
    chain_n = [med(S(k, "tcpmss-chain", "nft", 256)) for k in kernels]
    r_l = [ratio(S(k, "tcpmss-chain", "legacy", 256), S(k, "vpnmss", "legacy", 256)) for k in kernels]
    r_n = [ratio(S(k, "tcpmss-chain", "nft", 256), S(k, "vpnmss", "nft", 256)) for k in kernels]
    maps = [med(S(k, "nft-map", "nft", n)) for k in kernels for n in nlist_of(summary, k)]
    s = ("Across both kernels and both iptables backends, one VPNMSS rule adds %s ns "
         "per SYN at N = 1 and %s ns at N = %d (%s its N = 1 cost); a single TCPMSS "
         "rule without `-s` adds %s ns, while 256 TCPMSS rules add %s ns under legacy "
         "and %s ns under iptables-nft, %s and %s what VPNMSS adds at the same N "
         "and backend. " % (span(v1), span(vc), cap, rspan(growth), span(one),
                           span(chain_l), span(chain_n), rspan(r_l), rspan(r_n)))
    diffs = []
    for k in kernels:
        for n in nlist_of(summary, k):
            for b in B:
                d = med(S(k, "vpnmss", b, n)) - med(S(k, "nft-map", "nft", n))
                if d == d:
                    diffs.append(d)
    if diffs:
        if max(diffs) <= 0:
            cmp = "VPNMSS is cheaper than it at every N (by %s ns)" % span([-d for d in diffs])
        elif min(diffs) >= 0:
            cmp = "VPNMSS costs %s ns more than it" % span(diffs)
        else:
            cmp = ("VPNMSS is between %s ns cheaper and %s ns dearer than it, depending "
                   "on N, backend and kernel" % (fmt_ns(-min(diffs)), fmt_ns(max(diffs))))
        s += ("Like VPNMSS, the native nft interval map barely grows with N (%s ns); "
              "%s. " % (span(maps), cmp))
    named = [(med(S(k, "vpnmss-named", "legacy", n)), med(S(k, "vpnmss", "legacy", n)))
             for k in kernels for n in nlist_of(summary, k)]
    named = [a - b for a, b in named if a == a and b == b]
    if named:
        s += ("Counting per entry (`--vpn-name`) changes the cost of a SYN by %s ns "
              "against the same rule without a name. " % span(named))
    bulk, ack = [], []
    for k in kernels:
        for b in B:
            x = get(summary, k, "bulk", "vpnmss-nogate", b, cap)
            if x and "added_median" in x:
                bulk.append(100.0 * x["added_median"] / x["ref_ns"])
            y = get(summary, k, "ack", "vpnmss-nogate", b, cap)
            if y and "added_median" in y:
                ack.append(y["added_median"])
    if bulk:
        s += ("For packets without SYN, the VPNMSS rule behind `-p tcp` alone changes "
              "the cost of a bulk TCP data packet by %+.1f%% to %+.1f%% and of a bare "
              "ACK by %s ns, against no rule at all; the empty-table columns show how "
              "much of that any mangle hook costs." % (min(bulk), max(bulk), span(ack)))
    return s


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


# --- BENCHMARKS.md ---------------------------------------------------------------

def markdown(summary, info, meta, out_dir, cap, nrows):
    kernels = kernels_of(summary)
    L = []
    a = L.append
    i0 = info.get(kernels[0], {}) if kernels else {}
    date = meta.get("date", datetime.datetime.utcnow().strftime("%Y-%m-%dT%H:%MZ"))
    a("# Benchmarks: the per-packet cost of MSS clamping")
    a("")
    a("Generated by `make bench` (`bench/run`) on %s, commit %s; kernels %s." % (
        date, meta.get("commit", "unknown"), ", ".join("`%s`" % k for k in kernels)))
    a("Raw numbers: [`results.csv`](results.csv) (every timed batch), "
      "[`summary.csv`](summary.csv) (per configuration); the plot: "
      "[`cost-vs-n.png`](cost-vs-n.png).")
    a("")
    a("![added cost per SYN against N](cost-vs-n.png)")
    a("")
    a("## What the numbers say")
    a("")
    a(meaning(summary, kernels, cap))
    a("")
    a("## Machine")
    a("")
    a("- Host: %s, %s vCPUs (a cloud VM shared with other work), %s; %s." % (
        meta.get("host_cpu", "?"), meta.get("host_cpus", "?"),
        meta.get("host_os", "?"), meta.get("qemu", "QEMU")))
    a("- Guest: QEMU with **TCG software emulation** (KVM does not work on this "
      "host), `-cpu max -smp 2 -m 1024`, Debian's own kernels, booted by "
      "`tests/guest/run`.")
    a("- **Absolute numbers are emulated**: a forwarded SYN costs tens of "
      "microseconds here, an order of magnitude more than on hardware, and "
      "emulation does not slow every kind of code down equally. Only the ratios "
      "between configurations, and how each grows with N, are meant to transfer.")
    for k in kernels:
        i = info.get(k, {})
        a("- `%s`: %s, %s. Host before this guest: %s; after: %s." % (
            k, i.get("iptables", "iptables ?"), i.get("nft", "nft ?"),
            meta.get("host_before_" + k, "?"), meta.get("host_after_" + k, "?")))
    if any(not quiet_state(meta.get("host_before_" + k, "")) for k in kernels):
        a("- The host was not idle when a guest started (see above): other work "
          "shared its 2 vCPUs with the emulated ones, which widens the spreads.")
    a("")
    a("## Method")
    a("")
    a("- Two routers between `cli` and `srv` (network namespaces and veth "
      "inside the guest): `rtr` holds the configuration under test in its "
      "forward hook, `ref` is identical and never holds a rule. `synsend` in "
      "`cli`, pinned to CPU 1, sends SYNs (MSS 1460) as fast as it can over a "
      "raw socket (`sendmmsg`), to an address routed through `rtr` or through "
      "`ref`. veth hands each packet to the backlog of the sending CPU, which "
      "runs in softirq when the sender re-enables bottom halves, so the "
      "sender's wall time per packet includes the router's whole forwarding "
      "path, netfilter included.")
    a("- Pairing: the emulated machine's speed drifts by up to 1.7x from one "
      "batch to the next (the host is shared; the drift is the same for every "
      "configuration). So every timed batch through `rtr` is paired with one "
      "through `ref` right before or after it (ABBA order), and a pair yields "
      "the ratio `rtr / ref`, from which the drift cancels. Per configuration "
      "and round: %s untimed warm-up SYNs each way, then %s pairs of batches "
      "of %s SYNs; the round's ratio is the median of its pairs. The cost of "
      "the hook (the empty table) in ns = (round ratio - the same round's "
      "baseline ratio) x the median ns per SYN through `ref` over the whole "
      "run (%s)." % (
          i0.get("warmup", "?"), i0.get("pairs", "?"), i0.get("packets", "?"),
          ", ".join("%s ns on %s" % (fmt_ns(med(get(summary, k, "syn", "baseline", "-", 0), "ref_ns")), k)
                    for k in kernels)))
    a("- Amplification: one rule costs far less than the noise of one batch, so "
      "every configuration is loaded as %s copies of itself in a row, each copy "
      "with values one lower than the one before, so that every copy clamps "
      "every SYN (a chain of N TCPMSS rules: max(1, %s / N) copies). Its cost "
      "is (round ratio - the same round's empty-table ratio of its backend) x "
      "the median ns per SYN through `ref`, divided by the copies: the cost of "
      "one rule (one chain) on top of the hook, which the empty table "
      "measures." % (i0.get("amp", "?"), i0.get("amp", "?")))
    a("- The sink: `srv` counts the packets it receives (its IPv4 "
      "`InReceives`; it has no other IPv4 traffic) and drops them, since it "
      "does not forward: no RST or ICMP comes back through a router. A batch "
      "counts only if synsend sent all of it and no backlog dropped any, and "
      "a round's batches count only if the sink saw every packet that was not "
      "dropped. While batches run, `netdev_max_backlog` is %s: when "
      "forwarding falls behind the sender (softirq work handed to "
      "`ksoftirqd`, which on 6.1, unlike 6.5 and later, then also takes over "
      "the sender's own softirq work), the batch drops packets and is "
      "discarded, rather than ending with up to 1000 packets not yet forwarded, "
      "outside its time. `results.csv` keeps every batch with its backlog drops "
      "and `ksoftirqd/1`'s run time. `syncap` checks once per configuration "
      "that every source address leaves `rtr` with the MSS of its entry; it "
      "does not run while batches are timed (it would wake up on the other "
      "vCPU for every packet)." % i0.get("backlog", "?"))
    a("- Sources: entry *i* of N is `10.1.0.0 + 16*i /28` with MSS `1000 + i`; "
      "the SYNs cycle through the 16*N addresses of the N prefixes (`synsend "
      "--src-count`), so every SYN matches one entry, every entry is hit "
      "equally often, and every SYN is clamped. /28 rather than /24 so that "
      "the consecutive source addresses synsend generates reach every entry "
      "in one batch; the prefix length changes no lookup's cost.")
    a("- Configurations, each loaded in one go (`iptables-restore`, `nft -f`) "
      "into an otherwise empty `rtr`: **baseline**, no table at all (legacy "
      "tables are removed by unloading `iptable_mangle`, nft tables by `nft "
      "flush ruleset`); **empty table**: a legacy mangle table, or an "
      "iptables-nft mangle table with an empty FORWARD chain, the price of the "
      "hook alone; **1 TCPMSS rule** `-p tcp --tcp-flags SYN,RST SYN -j TCPMSS "
      "--set-mss 1300`; **N TCPMSS rules** `-s PREFIX -p tcp --tcp-flags "
      "SYN,RST SYN -j TCPMSS --set-mss MSS`; **nft interval map**: one native "
      "rule `tcp flags & (syn | rst) == syn tcp option maxseg size set ip "
      "saddr map @m`, the map `typeof ip saddr : tcp option maxseg size; flags "
      "interval` with N elements; **VPNMSS**: one rule `-p tcp --tcp-flags "
      "SYN,RST SYN -j VPNMSS --vpn-dir src --vpn-mss ...` with N entries. The "
      "iptables configurations run under `iptables-legacy` and under "
      "`iptables-nft` (which turns `-s` and `--tcp-flags` into native nft "
      "expressions and runs the targets through `nft_compat`). Every SYN "
      "configuration uses the same `--tcp-flags SYN,RST SYN` gate, as "
      "operators write them; `--vpn-dir src` makes VPNMSS look up the source "
      "only, like its peers.")
    a("- N = 1, 16, 64, 256; a VPNMSS rule holds at most %d IPv4 entries, so "
      "N = capacity is the N = 256 row." % cap)
    a("- Packets without SYN: bare ACKs timed like the SYNs, and `bulk` "
      "downloads (%s each, TSO and GSO off on the endpoints so that every "
      "segment crosses the router as its own packet) from `srv` to `cli`, one "
      "through `ref` and one through `rtr` per round, timed with the guest's "
      "10 ms clock, cost = time / packets the router forwarded. "
      "Configurations: no rule; empty table; one VPNMSS rule with %d entries "
      "behind `-p tcp` only, with no `--tcp-flags` gate." % (i0.get("bulk", "?"), cap))
    a("- Interleaving: %s rounds, all in one guest run per kernel; each round "
      "runs every configuration once, in a freshly shuffled order. Tables "
      "show the median over rounds and, in brackets, the interquartile range "
      "(25th to 75th percentile) of the per-round added cost; ratios are "
      "ratios of medians. synsend reports milliseconds: %s ns per packet and "
      "batch." % (i0.get("reps", "?"), fmt_ns(1e6 / float(i0.get("packets", "0") or 1))))
    a("")
    for k in kernels:
        ns = nlist_of(summary, k)
        G = lambda c, b, n: get(summary, k, "syn", c, b, n)
        base = G("baseline", "-", 0)
        a("## Kernel %s" % k)
        a("")
        if base:
            a("Baseline: %s ns per SYN through `ref`; through `rtr` without rules "
              "%s times that (median over rounds, IQR %s to %s); %d pairs in %d "
              "rounds." % (fmt_ns(base["ref_ns"]), "%.3f" % base["ratio_median"],
                           "%.3f" % base["ratio_q1"], "%.3f" % base["ratio_q3"],
                           base["pairs"], base["rounds"]))
            a("")
        a("Cost per SYN of one rule (or one chain of N rules) over the empty "
          "table, ns: median [IQR]")
        a("")
        a("| N | VPNMSS legacy | VPNMSS iptables-nft | nft interval map | TCPMSS chain legacy | TCPMSS chain iptables-nft |")
        a("|---|---|---|---|---|---|")
        for n in ns:
            a("| %s | %s | %s | %s | %s | %s |" % (
                "%d%s" % (n, " (capacity)" if n == cap else ""),
                cell(G("vpnmss", "legacy", n)), cell(G("vpnmss", "nft", n)),
                cell(G("nft-map", "nft", n)), cell(G("tcpmss-chain", "legacy", n)),
                cell(G("tcpmss-chain", "nft", n))))
        a("")
        a("Independent of N: one `-j TCPMSS --set-mss` rule without `-s`, legacy "
          "%s, iptables-nft %s; the hook alone (empty table), legacy %s, "
          "iptables-nft %s." % (
              cell(G("tcpmss-one", "legacy", 0)), cell(G("tcpmss-one", "nft", 0)),
              cell(G("empty-table", "legacy", 0)), cell(G("empty-table", "nft", 0))))
        a("")
        a("Ratios of the added cost, peer / VPNMSS (above 1: VPNMSS is cheaper)")
        a("")
        a("| N | TCPMSS chain / VPNMSS, legacy | TCPMSS chain / VPNMSS, iptables-nft | nft map / VPNMSS legacy | nft map / VPNMSS iptables-nft | 1 TCPMSS / VPNMSS, legacy | 1 TCPMSS / VPNMSS, iptables-nft |")
        a("|---|---|---|---|---|---|---|")
        for n in ns:
            vl, vn = G("vpnmss", "legacy", n), G("vpnmss", "nft", n)
            a("| %d | %s | %s | %s | %s | %s | %s |" % (
                n, fmt_ratio(ratio(G("tcpmss-chain", "legacy", n), vl)),
                fmt_ratio(ratio(G("tcpmss-chain", "nft", n), vn)),
                fmt_ratio(ratio(G("nft-map", "nft", n), vl)),
                fmt_ratio(ratio(G("nft-map", "nft", n), vn)),
                fmt_ratio(ratio(G("tcpmss-one", "legacy", 0), vl)),
                fmt_ratio(ratio(G("tcpmss-one", "nft", 0), vn))))
        a("")
        a("Packets without SYN, ns per packet: median [IQR]; the empty table over "
          "no table, and one VPNMSS rule over the empty table (%d entries, only "
          "`-p tcp` in front)" % cap)
        a("")
        a("| traffic | ns per packet through `ref` | empty table, legacy | empty table, iptables-nft | VPNMSS, legacy | VPNMSS, iptables-nft |")
        a("|---|---|---|---|---|---|")
        for kind, what in (("bulk", "bulk TCP (data and ACKs)"), ("ack", "bare ACKs")):
            b0 = get(summary, k, kind, "baseline", "-", 0)
            cells = [cell(get(summary, k, kind, c, b, nn)) for c, b, nn in (
                ("empty-table", "legacy", 0), ("empty-table", "nft", 0),
                ("vpnmss-nogate", "legacy", cap), ("vpnmss-nogate", "nft", cap))]
            a("| %s | %s | %s |" % (what, fmt_ns(med(b0, "ref_ns")), " | ".join(cells)))
        tp = []
        for c, b, nn, name in (("baseline", "-", 0, "no rule"),
                               ("vpnmss-nogate", "legacy", cap, "VPNMSS legacy"),
                               ("vpnmss-nogate", "nft", cap, "VPNMSS iptables-nft")):
            s = get(summary, k, "bulk", c, b, nn)
            if s and "mbs_median" in s:
                tp.append("%s %.1f" % (name, s["mbs_median"]))
        if tp:
            a("")
            a("Bulk throughput through `rtr`, median MB/s (emulated, and drifting "
              "with the host like everything else): %s." % ", ".join(tp))
        a("")
        a("### Goals")
        a("")
        for _, _, goal, met, text in goals(summary, k, cap):
            a("- %s %s: %s." % ({True: "**met**", False: "**missed**"}.get(met, "**not evaluable**"),
                                goal, text))
        why = missed_why(summary, k, cap)
        if why:
            a("")
            a(why)
        a("")
        if int(info.get(k, {}).get("not_ok", "0")):
            a("The guest reported %s failed check(s) in this run; see "
              "`.build/bench-%s.log`." % (info[k]["not_ok"], k))
            a("")
    a("## Reproducing")
    a("")
    a("`make bench` (%d timed batches in this run) boots one guest per kernel, "
      "about 15 minutes each, and rewrites this file, `results.csv`, "
      "`summary.csv` and `cost-vs-n.png`; `bench/run --report-only` rebuilds "
      "them from `results.csv`; `bench/run --wait-quiet 40` first waits up to "
      "40 minutes for an idle host; `bench/run --quick` is a smoke run that "
      "writes to `.build/bench-quick/`. `VPNMSS_GUEST_BENCH_REPS`, `_PAIRS`, "
      "`_PACKETS`, `_BULK` and `_N` change the amounts (see `bench/guest.sh`)." % nrows)
    a("")
    with open(os.path.join(out_dir, "BENCHMARKS.md"), "w") as f:
        f.write("\n".join(L))


# --- main ------------------------------------------------------------------------

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
    ap.add_argument("--out", required=True)
    ap.add_argument("--meta")
    ap.add_argument("--results")
    ap.add_argument("logs", nargs="*")
    args = ap.parse_args()
    out = args.out
    meta_path = os.path.join(out, "results.meta")
    if args.results:
        rows = read_results(args.results)
        meta, info = read_meta(meta_path)
    else:
        rows, info = parse_logs(args.logs)
        if not rows:
            print("report: no BENCH lines in %s" % " ".join(args.logs), file=sys.stderr)
            return 1
        write_results(rows, os.path.join(out, "results.csv"))
        meta, _ = read_meta(args.meta)
        with open(meta_path, "w") as f:
            for k, v in sorted(meta.items()):
                f.write("%s=%s\n" % (k, v))
            for kern, kv in sorted(info.items()):
                for k, v in sorted(kv.items()):
                    f.write("info.%s.%s=%s\n" % (kern, k, v))
    summary = summarize(rows)
    write_summary(summary, os.path.join(out, "summary.csv"))
    cap = 256
    for kern in info.values():
        if kern.get("cap", "").isdigit():
            cap = int(kern["cap"])
    plot(summary, out, cap)
    markdown(summary, info, meta, out, cap, len(rows))
    for k in kernels_of(summary):
        for _, _, goal, met, text in goals(summary, k, cap):
            print("# %s %s %s: %s" % (k, {True: "met", False: "MISSED"}.get(met, "n/a"), goal, text))
    return 0


if __name__ == "__main__":
    sys.exit(main())
