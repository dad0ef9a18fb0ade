#!/bin/bash
# The suite's apt-get runs one at a time: every host apt-get that installs,
# updates or purges goes through tests/deps, which takes one lock (make
# check fetches kernels while its background builds install packages; a
# second apt-get fails at once on the dpkg or the lists lock).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# (a) No script calls the host's apt-get to change it but tests/deps: every
# file under tests/ and bench/ that names apt-get is read.  Quoted text (a
# test's name, a message) is not a call; lines marked "own apt" or using
# aptopts work on private lists or the trixie root.
bad=$(cd "$top" && grep -rlI --exclude-dir=.build 'apt-get' tests bench |
	grep -vx -e tests/deps -e tests/host/deps.sh | LC_ALL=C sort |
	xargs awk '
	/^[[:space:]]*#/ { next }
	{ s = $0; gsub(/"[^"]*"/, "", s) }
	s ~ /(^|[^[:alnum:]_-])apt-get[[:space:]].*(install|update|purge|remove)/ &&
	$0 !~ /own apt|aptopts|tests\/deps --locked|deps" --/ { print FILENAME ":" FNR ": " $0 }')
if [ -z "$bad" ]; then
	echo "ok - host deps: every host apt-get goes through tests/deps"
else
	echo "not ok - host deps: every host apt-get goes through tests/deps"
	echo "$bad" | sed 's/^/#   /'
fi

# (b) tests/deps waits for the lock: a stand-in apt-get notes whether the
# holder had let go when it ran.  dpkg-query says nothing is installed.
mkdir "$tmp/bin"
cat >"$tmp/bin/apt-get" <<EOT
#!/bin/sh
if [ -e "$tmp/released" ]; then echo "\$1 after" ; else echo "\$1 during"; fi >>"$tmp/log"
EOT
printf '#!/bin/sh\nexit 1\n' >"$tmp/bin/dpkg-query"
chmod +x "$tmp/bin/apt-get" "$tmp/bin/dpkg-query"
export VPNMSS_APT_LOCK=$tmp/lock
flock "$tmp/lock" sh -c "touch '$tmp/held'; sleep 2; touch '$tmp/released'" &
while [ ! -e "$tmp/held" ]; do sleep 0.1; done
for args in "--only somepkg" "--update" "--locked apt-get purge somepkg"; do
	# shellcheck disable=SC2086
	PATH=$tmp/bin:$PATH "$top/tests/deps" $args >/dev/null 2>&1 &
done
wait
got=$(sort "$tmp/log" 2>/dev/null | paste -sd ' ')
want="install after purge after update after update after"
if [ "$got" = "$want" ]; then
	echo "ok - host deps: install, update and --locked wait for the lock's holder"
else
	echo "not ok - host deps: install, update and --locked wait for the lock's holder: got '$got', want '$want'"
fi
