# Shared by the integration tests: where things are, checks, cleanup.
# Each test sources this, calls lab_start, and gets its lab stopped on exit
# whatever happens.

SRC=${CSA_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${CSA_BUILD:-$SRC/build}
LAB=$SRC/tools/csa-lab
BENCH=$BUILD/tools/csa-bench
failures=0

skip() { echo "skip - $*"; exit 77; }
ok() { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; failures=$((failures + 1)); }
check() {	# check "what" cmd...: ok if cmd succeeds
	local what=$1; shift
	if "$@"; then ok "$what"; else not_ok "$what"; fi
}
check_fails() {	# check_fails "what" cmd...: ok if cmd fails
	local what=$1; shift
	if "$@"; then not_ok "$what"; else ok "$what"; fi
}
finish() { [ "$failures" -eq 0 ]; exit $?; }

[ "$(id -u)" -eq 0 ] || skip "needs root to run tgtd"
command -v tgtd >/dev/null || skip "tgtd is not installed"
[ -x "$BENCH" ] || { echo "not ok - $BENCH not built"; exit 1; }

WORK=$(mktemp -d /tmp/csa-test.XXXXXX)
cleanup() {
	local pid m
	# Mount points the test made ($WORK/mounts, one a line) first: a FUSE
	# daemon killed under its mount leaves it dead, and rm -rf would walk
	# into a live one. Lazily if something still holds it busy.
	while read -r m; do
		fusermount3 -u "$m" 2>/dev/null || fusermount3 -u -z "$m" 2>/dev/null
	done < <(cat "$WORK/mounts" 2>/dev/null)
	# Daemons the test started (daemon_start), then the lab under them.
	for pid in $(cat "$WORK/pids" 2>/dev/null); do
		kill "$pid" 2>/dev/null && wait_gone "$pid" 10
		kill -9 "$pid" 2>/dev/null
	done
	"$LAB" stop --dir "$WORK/lab" >/dev/null 2>&1 || true
	# CSA_KEEP_LOGS=DIR: the daemons' logs and the test's other files
	# (events, samples), for a post-mortem.
	[ -z "${CSA_KEEP_LOGS:-}" ] || { mkdir -p "$CSA_KEEP_LOGS" &&
		find "$WORK" -maxdepth 1 -type f -exec cp {} "$CSA_KEEP_LOGS"/ \; 2>/dev/null; }
	rm -rf "$WORK"
}

# wait_gone PID SECONDS: 0 once the process is gone, 1 at the timeout.
wait_gone() {
	local i
	for ((i = 0; i < $2 * 10; i++)); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.1
	done
	return 1
}

# daemon_start LOG CMD...: run CMD in the background, its PID recorded
# for cleanup and printed.
daemon_start() {
	local log=$1; shift
	"$@" >"$log" 2>&1 &
	echo $! >> "$WORK/pids"
	echo $!
}

# daemon_stop PID: SIGTERM, then SIGKILL after 10 s; 0 if it ended by
# itself.
daemon_stop() {
	kill "$1" 2>/dev/null
	wait_gone "$1" 10 && return 0
	kill -9 "$1" 2>/dev/null
	return 1
}
trap cleanup EXIT

# lab_start ARGS...: a lab in $WORK/lab on ports from $1 (each test its own).
lab_start() {
	"$LAB" start --dir "$WORK/lab" "$@" >"$WORK/lab-start.log" 2>&1 || {
		cat "$WORK/lab-start.log"
		echo "not ok - csa-lab start $*"
		exit 1
	}
}

lab_layout() { "$LAB" layout --dir "$WORK/lab" "$@"; }

bench() { "$BENCH" "$@"; }
