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
	"$LAB" stop --dir "$WORK/lab" >/dev/null 2>&1 || true
	rm -rf "$WORK"
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
