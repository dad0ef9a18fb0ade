#!/bin/bash
# Self-test of ./run (not part of normal runs): a guest that panics, and one
# that hangs, must both make run fail with its "crashed or timed out"
# message; a panic must never look like a pass.
#
#   tests/guest/selftest-panic.sh [KVER]    (default: the first 'kernels list')
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
kver=${1:-$("$HERE/kernels" list | head -n1)}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cat >"$tmp/panic.sh" <<'EOF'
echo "ok - about to panic"
echo c >/proc/sysrq-trigger
EOF
cat >"$tmp/hang.sh" <<'EOF'
echo "ok - about to hang"
sleep 100000
EOF

failed=0
# expect_crash NAME RUN-ARGS...: run must exit non-zero, saying "crashed"
expect_crash() {
	local name=$1 rc=0
	shift
	"$HERE/run" --no-build --log "$tmp/$name.log" "$@" >"$tmp/$name.out" || rc=$?
	if [ $rc != 0 ] && grep -q "^not ok - \[$kver\] guest: crashed or timed out" "$tmp/$name.out"; then
		echo "ok - run reports a $name as a crash (exit $rc)"
	else
		echo "not ok - run after a $name: exit $rc, output:"
		sed 's/^/#   /' "$tmp/$name.out"
		failed=$((failed + 1))
	fi
}

expect_crash panic "$kver" "$tmp/panic.sh"
expect_crash hang --timeout 60 "$kver" "$tmp/hang.sh"
exit $failed
