# Helpers for the guest scenario scripts: . /tests/lib.sh
#
# Results are TAP-like lines, as many per script as it likes:
#   ok - NAME              not ok - NAME: REASON          # diagnostics
# init counts them; a script that exits non-zero without a "not ok" line
# is reported as failed.  The checks return non-zero when they fail, so
# under 'set -e' the first failed check also ends the script.
#
# Sourcing this file installs 'trap cleanup_ns EXIT'.  A script that sets
# its own EXIT trap should call cleanup_ns from it.
#
# VERBOSE=1 prints every command that ns/vrun/topo_* run, as "# + CMD".

# Busybox ash runs its own applets ahead of PATH, and its 'ip' has no netns,
# its modprobe knows no aliases: use the real programs by full path.  Bare
# names also work in these scripts through the functions below.
IP=/usr/sbin/ip
SS=/usr/bin/ss	# iproute2 installs it under bin, the initramfs too
TC=/usr/sbin/tc
NFT=/usr/sbin/nft
MODPROBE=/usr/sbin/modprobe
INSMOD=/usr/sbin/insmod
RMMOD=/usr/sbin/rmmod
LSMOD=/usr/sbin/lsmod
MODINFO=/usr/sbin/modinfo
ip()       { "$IP" "$@"; }
modprobe() { "$MODPROBE" "$@"; }
insmod()   { "$INSMOD" "$@"; }
rmmod()    { "$RMMOD" "$@"; }
lsmod()    { "$LSMOD" "$@"; }
modinfo()  { "$MODINFO" "$@"; }

# --- results ----------------------------------------------------------------

# ok NAME
ok() { echo "ok - $1"; }

# notok NAME REASON
notok() { echo "not ok - $1: $2"; return 1; }

# skip NAME REASON: counts as passed, marked as skipped
skip() { echo "ok - $1 # SKIP $2"; }

# diag MSG...: a diagnostic line
diag() { echo "# $*"; }

# check NAME CMD...: ok if CMD succeeds, else not ok with its output
check() {
	local name=$1 out rc=0
	shift
	out=$("$@" 2>&1) || rc=$?
	if [ $rc = 0 ]; then
		ok "$name"
	else
		[ -z "$out" ] || printf '%s\n' "$out" | sed 's/^/#   /'
		notok "$name" "'$*' exited $rc"
	fi
}

# check_fails NAME CMD...: ok if CMD fails (a refused rule, a dropped packet)
check_fails() {
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then
		[ -z "$out" ] || printf '%s\n' "$out" | sed 's/^/#   /'
		notok "$name" "'$*' succeeded"
	else
		ok "$name"
	fi
}

# expect_eq NAME GOT WANT
expect_eq() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		notok "$1" "got '$2', want '$3'"
	fi
}

# --- commands and namespaces ------------------------------------------------

# vrun CMD...: run CMD, printing it first when VERBOSE=1
vrun() {
	[ "${VERBOSE:-0}" != 1 ] || echo "# + $*" >&2
	"$@"
}

# ns NAME CMD...: run CMD inside network namespace NAME.  CMD is looked up
# in PATH (no applet preference there), so 'ns rtr ip ...' is iproute2.
# '$IP -n NAME ...' is cheaper for plain ip commands.
ns() {
	local n=$1
	shift
	vrun "$IP" netns exec "$n" "$@"
}

# cleanup_ns: kill every process in a named namespace and delete them all
cleanup_ns() {
	local n pids
	for n in $("$IP" netns list 2>/dev/null | cut -d' ' -f1); do
		pids=$("$IP" netns pids "$n" 2>/dev/null)
		[ -z "$pids" ] || kill -9 $pids 2>/dev/null
	done
	"$IP" -all netns delete 2>/dev/null
	return 0
}
trap cleanup_ns EXIT

# wait_file FILE [TIMEOUT]: wait until FILE exists (default 10 s), e.g. a
# tool's --ready file; returns 1 on timeout.
wait_file() {
	local i=0 n=$(( ${2:-10} * 10 ))
	while [ ! -e "$1" ]; do
		[ $i -lt $n ] || return 1
		sleep 0.1
		i=$((i + 1))
	done
}

# wait_until TIMEOUT CMD...: poll CMD every 0.1 s until it succeeds
wait_until() {
	local i=0 n=$(( $1 * 10 ))
	shift
	until "$@" >/dev/null 2>&1; do
		[ $i -lt $n ] || return 1
		sleep 0.1
		i=$((i + 1))
	done
}

# --- the standard topology --------------------------------------------------

# ns_new NAME: a namespace with lo up, no IPv6 DAD and no rp_filter
ns_new() {
	vrun "$IP" netns add "$1"
	vrun "$IP" -n "$1" link set lo up
	ns "$1" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
		net.ipv6.conf.default.accept_dad=0 \
		net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
}

# addr NS DEV ADDR/PLEN...: add addresses, IPv6 ones usable at once (nodad)
addr() {
	local n=$1 dev=$2 a
	shift 2
	for a; do
		case $a in
		*:*) vrun "$IP" -n "$n" -6 addr add "$a" dev "$dev" nodad ;;
		*)   vrun "$IP" -n "$n" addr add "$a" dev "$dev" ;;
		esac
	done
}

# topo_router: the line topology most scenarios use
#
#   cli  cli0 ---- rtr0  rtr  rtr1 ---- srv0  srv
#      10.0.1.2/24  10.0.1.1  10.0.2.1  10.0.2.2/24
#      fd00:1::2/64 fd00:1::1 fd00:2::1 fd00:2::2/64
#
# cli and srv route everything through rtr, which forwards (v4 and v6) and
# routes 10.0.0.0/8 and fd00::/16 toward cli, so that cli may use other
# source addresses (topo_cli_addr, topo_cli_subnet).  MTU 1500 everywhere.
topo_router() {
	local n
	for n in cli rtr srv; do ns_new $n; done
	vrun "$IP" link add cli0 netns cli type veth peer name rtr0 netns rtr
	vrun "$IP" link add rtr1 netns rtr type veth peer name srv0 netns srv
	addr cli cli0 10.0.1.2/24 fd00:1::2/64
	addr rtr rtr0 10.0.1.1/24 fd00:1::1/64
	addr rtr rtr1 10.0.2.1/24 fd00:2::1/64
	addr srv srv0 10.0.2.2/24 fd00:2::2/64
	vrun "$IP" -n cli link set cli0 up
	vrun "$IP" -n rtr link set rtr0 up
	vrun "$IP" -n rtr link set rtr1 up
	vrun "$IP" -n srv link set srv0 up
	ns rtr sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
	vrun "$IP" -n cli route add default via 10.0.1.1
	vrun "$IP" -n cli -6 route add default via fd00:1::1
	vrun "$IP" -n srv route add default via 10.0.2.1
	vrun "$IP" -n srv -6 route add default via fd00:2::1
	vrun "$IP" -n rtr route add 10.0.0.0/8 via 10.0.1.2
	vrun "$IP" -n rtr -6 route add fd00::/16 via fd00:1::2
}

# topo_cli_addr ADDR/PLEN...: extra addresses on cli0 (inside 10/8, fd00::/16)
topo_cli_addr() { addr cli cli0 "$@"; }

# topo_cli_subnet PREFIX...: cli owns every address of PREFIX (a local
# route), e.g. for SYNs sent from many sources; rtr routes them to cli.
topo_cli_subnet() {
	local p
	for p; do
		case $p in
		*:*) vrun "$IP" -n cli -6 route add local "$p" dev lo ;;
		*)   vrun "$IP" -n cli route add local "$p" dev lo ;;
		esac
	done
}
