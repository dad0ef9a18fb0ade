#!/bin/sh
# The last script of the debug-kernel guest (tests/debug/run): with
# xt_vpnmss unloaded, a kmemleak scan must find no leak that involves it.
#
# A leak involves the module when its allocation backtrace has a frame in
# module text (symbolised "[xt_vpnmss]" while loaded, a bare address once
# unloaded: the debug kernel has no other module), names vpnmss, or the
# allocating task is modprobe, insmod or rmmod (only ever run for xt_vpnmss
# there).  Other suspected leaks are listed as
# diagnostics only.
#
# kmemleak writes notices to the kernel log ("Kernel memory leak detector
# initialized", "N new suspected memory leaks") that init's closing check
# (any line with "kmemleak") would count as failures.  So this script does
# that check itself, on the whole log, with only those notices left out,
# and then clears the log: init's check sees only what comes after.
# "Cannot allocate a scan area" is left out too: it is kmemleak's own
# allocation failing under faultinj.sh, after which it scans the whole
# object (more conservative, never a missed leak).  Stack frames are left
# out as well ("? kmemleak_alloc+0x..."): faultinj.sh's failed allocations
# warn with a backtrace (warn_alloc); a report's own header line stays.
. /tests/lib.sh

KL=/sys/kernel/debug/kmemleak
loaded() { grep -q '^xt_vpnmss ' /proc/modules; }
unload() { ! loaded || $RMMOD xt_vpnmss 2>/dev/null; }

# Rules of earlier scripts go away with their namespaces, asynchronously.
if wait_until 30 unload; then
	ok "kmemleak: xt_vpnmss unloaded"
else
	notok "kmemleak: xt_vpnmss unloaded" "rmmod xt_vpnmss keeps failing"
fi

grep -q ' /sys/kernel/debug ' /proc/mounts ||
	mount -t debugfs debugfs /sys/kernel/debug
if [ ! -w "$KL" ]; then
	notok "kmemleak: no leak involving xt_vpnmss" "no $KL (kmemleak off?)"
	dmesg | grep kmemleak | sed 's/^/#   /'
	exit 1
fi

# Objects younger than 5 s are never reported; two scans, as the kernel's
# documentation advises, so that objects in flight are not reported.
sleep 6
t0=$(cut -d. -f1 /proc/uptime)
echo scan >"$KL"
sleep 6
echo scan >"$KL"
diag "kmemleak: two scans in $(( $(cut -d. -f1 /proc/uptime) - t0 )) s"
cat "$KL" >/tmp/kmemleak.txt

# Split the report into ours and others, one record per "unreferenced
# object".  A backtrace frame without a symbol ("] 0xffffffffa0003798") is
# module text that is gone: everything else is built in.
awk -v ours=/tmp/kmemleak.ours -v other=/tmp/kmemleak.other '
	function flush() {
		if (rec == "") return
		print rec > (mine ? ours : other)
		if (mine) n_ours++; else n_other++
	}
	/^unreferenced object/ { flush(); rec = $0; mine = 0; next }
	{ rec = rec "\n" $0 }
	/^    \[<.*>\] 0x[0-9a-f]+$/ || /vpnmss/ { mine = 1 }
	/^  comm "(modprobe|insmod|rmmod|kmod)"/ { mine = 1 }
	END { flush(); printf "%d %d\n", n_ours, n_other }
' /tmp/kmemleak.txt >/tmp/kmemleak.count
read -r ours others </tmp/kmemleak.count
if [ "$ours" = 0 ]; then
	ok "kmemleak: no leak involving xt_vpnmss"
else
	notok "kmemleak: no leak involving xt_vpnmss" "$ours suspected leaks"
	sed 's/^/#   /' /tmp/kmemleak.ours
fi
if [ "$others" != 0 ]; then
	diag "kmemleak: $others other suspected leaks, not involving xt_vpnmss:"
	grep -E '^unreferenced|^  comm|^    \[<' /tmp/kmemleak.other |
		head -n 80 | sed 's/^/#   /'
fi

# init's check of the kernel log, without kmemleak's own notices; then
# the log is cleared for init (see above).
dmesg >/tmp/dmesg.txt
bad=$(grep -E 'WARNING:|BUG:|Oops|KASAN|UBSAN|kmemleak|INFO: trying to register non-static key' /tmp/dmesg.txt |
	grep -vE '^\[ *[0-9.]+\] +(\? )?[A-Za-z_][A-Za-z0-9_.]*\+0x[0-9a-f]+/0x[0-9a-f]+' |
	grep -vE 'kmemleak: (Kernel memory leak detector initialized|Automatic memory scanning thread (started|ended)|[0-9]+ new suspected memory leaks|Cannot allocate a scan area, scanning the full object)')
if [ -n "$bad" ]; then
	notok "kmemleak: kernel log clean apart from kmemleak's notices" "$(echo "$bad" | wc -l) lines"
	echo "$bad" | sed 's/^/#   /'
else
	ok "kmemleak: kernel log clean apart from kmemleak's notices"
fi
dmesg -c >/dev/null
[ "$ours" = 0 ] && [ -z "$bad" ]
