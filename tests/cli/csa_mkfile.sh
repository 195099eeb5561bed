#!/usr/bin/env bash
# csa-mkfile without a mount: --help, bad usage (exit 2, nothing asked of
# any control file), FILEs that are not inside a csafs mount or not at its
# top (exit 1, the other FILEs still tried), and the exact command line
# written to MOUNT/.csa/control. A plain directory with a regular file as
# .csa/control stands in for a mount: it reads back what was written to
# it, which is neither "ok" nor "error", so csa-mkfile must stop there.
set -uo pipefail
BUILD=${CSA_BUILD:-$(cd "$(dirname "$0")/../.." && pwd)/build}
MKFILE=$BUILD/tools/csa-mkfile
failures=0
ok() { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; failures=$((failures + 1)); }

D=$(mktemp -d /tmp/csa-mkfile.XXXXXX)
trap 'rm -rf "$D"' EXIT
M=$D/mnt
mkdir -p "$M/.csa" "$M/sub" "$D/plain"
: >"$M/.csa/control"

# --help: exit 0, on stdout, with every option and section.
if "$MKFILE" --help >"$D/help" 2>"$D/err" && [ ! -s "$D/err" ]; then
	missing=""
	for w in "Usage: csa-mkfile [-nv]" "SIZE[k|m|g|t] FILE..." "-n" "-v" \
		"--mbps MBPS" "--iops IOPS" "--copies N" "--hosts HOST,..." \
		"--stripe-unit SIZE" "--fit best|first" "default 1" \
		"default best" "20k = 20000" "2^30" ".csa/control" "O_DIRECT" \
		"Exit status" "Examples" "See also"; do
		grep -qF -- "$w" "$D/help" || missing="$missing '$w'"
	done
	if [ -z "$missing" ]; then
		ok "--help names every option, the units and the exit status"
	else
		not_ok "--help lacks$missing"
	fi
	long=$(awk 'length($0) > 79' "$D/help")
	if [ -z "$long" ]; then
		ok "--help fits 79 columns"
	else
		not_ok "--help has long lines: $long"
	fi
else
	not_ok "--help exits 0 with nothing on stderr"
fi
"$MKFILE" -h >"$D/h" 2>&1 && cmp -s "$D/h" "$D/help" &&
	ok "-h is --help" || not_ok "-h is not --help"

# usage REASON ARGS...: exit 2, "csa-mkfile: ...REASON" and the hint on
# stderr, nothing on stdout, and nothing written to the control file.
usage() {
	local reason=$1 st
	shift
	"$MKFILE" "$@" >"$D/out" 2>"$D/err"
	st=$?
	if [ $st -eq 2 ] && grep -qF -- "$reason" "$D/err" &&
	   grep -qxF "Try 'csa-mkfile --help'." "$D/err" &&
	   [ ! -s "$D/out" ] && [ ! -s "$M/.csa/control" ]; then
		ok "csa-mkfile $* -> exit 2: $reason"
	else
		not_ok "csa-mkfile $* -> exit $st, stderr: $(head -c 300 "$D/err")"
	fi
}

usage "SIZE is missing"
usage "FILE is missing" 10g
usage "'10x' is not a size" 10x "$M/db1"
usage "'-5' is not a size" -- -5 "$M/db1"
usage "'1.5g' is not a size" 1.5g "$M/db1"
usage "SIZE must be above 0" 0 "$M/db1"
usage "'.db1' is not a volume name" 1g "$M/.db1"
usage "'-db1' is not a volume name" 1g -- "$M/-db1"
usage "'db 1' is not a volume name" 1g "$M/db 1"
usage "is not a volume name" 1g "$M/$(printf 'v%.0s' {1..64})"
usage "a FILE, not a directory" 1g "$M/db1/"
# One bad name among good ones: none of them is made.
usage "'a:b' is not a volume name" 1g "$M/db1" "$M/a:b"
usage "--copies: '0' is not a whole number from 1 to 4" --copies 0 1g "$M/db1"
usage "--copies: '5' is not a whole number from 1 to 4" --copies 5 1g "$M/db1"
usage "--mbps: 'fast' is not a whole number" --mbps fast 1g "$M/db1"
usage "--iops: '1.5k' is not a whole number" --iops 1.5k 1g "$M/db1"
usage "--stripe-unit: '96k' is not a power of two" --stripe-unit 96k 1g "$M/db1"
usage "--fit: 'worst' is neither best nor first" --fit worst 1g "$M/db1"
usage "--hosts: 'h1,,h2' is not a list of host names" --hosts h1,,h2 1g "$M/db1"
usage "--hosts: 'h1 h2' is not a list of host names" --hosts "h1 h2" 1g "$M/db1"
usage "--mbps needs a value" 1g "$M/db1" --mbps
usage "unknown option --frob" --frob 1g "$M/db1"
usage "unknown option -x" -x 1g "$M/db1"

# fails WHAT REGEX ARGS...: exit 1, REGEX (grep -E) on stderr.
fails() {
	local what=$1 re=$2 st
	shift 2
	"$MKFILE" "$@" >"$D/out" 2>"$D/err"
	st=$?
	if [ $st -eq 1 ] && grep -qE -- "$re" "$D/err"; then
		ok "$what"
	else
		not_ok "$what: exit $st, stderr: $(head -c 300 "$D/err")"
	fi
}

fails "a FILE outside any csafs mount is refused (exit 1)" \
	"^csa-mkfile: $D/plain/db1 is not inside a csafs mount$" \
	1g "$D/plain/db1"
fails "a FILE in a directory that does not exist is refused (exit 1)" \
	"^csa-mkfile: $D/nowhere/db1: $D/nowhere: No such file or directory$" \
	1g "$D/nowhere/db1"
fails "a FILE below the top of a mount is refused, naming the mount" \
	"^csa-mkfile: $M/sub/db1: not at the top of the csafs mount $M," \
	1g "$M/sub/db1"
if [ ! -s "$M/.csa/control" ]; then
	ok "and nothing was asked of the control file"
else
	not_ok "the control file was written: $(cat "$M/.csa/control")"
fi

# A failed FILE does not stop the others: both are reported.
"$MKFILE" 1g "$D/plain/a" "$D/plain/b" >"$D/out" 2>"$D/err"
st=$?
if [ $st -eq 1 ] && grep -q "plain/a is not inside" "$D/err" &&
   grep -q "plain/b is not inside" "$D/err"; then
	ok "every FILE is tried after one fails (exit 1)"
else
	not_ok "after a failed FILE: exit $st, stderr: $(cat "$D/err")"
fi

# The command line: one write, every requirement in the primary's units.
want="volume create db1 size=10737418240 mbps=400 iops=20000 copies=2 hosts=h1,h2 stripe_unit=262144 fit=first"
(cd "$M/sub" && "$MKFILE" -v --mbps 400 --iops 20k --copies 2 \
	--hosts h1,h2 --stripe-unit 256k --fit first 10G ../db1) \
	>"$D/out" 2>"$D/err"
st=$?
if [ "$(cat "$M/.csa/control")" = "$want" ] &&
   [ "$(tail -c 1 "$M/.csa/control" | od -An -c | tr -d ' ')" = '\n' ]; then
	ok "the control file gets: $want"
else
	not_ok "the control file got: $(cat -A "$M/.csa/control")"
fi
if [ $st -eq 1 ] && grep -qF "neither ok nor error" "$D/err" &&
   [ ! -s "$D/out" ] && [ ! -e "$M/db1" ]; then
	ok "an answer that is neither ok nor error fails the FILE (exit 1), nothing written"
else
	not_ok "odd answer: exit $st, stdout: $(cat "$D/out"), stderr: $(cat "$D/err")"
fi
: >"$M/.csa/control"
"$MKFILE" -n 4096 "$M/db2" >/dev/null 2>&1
if [ "$(cat "$M/.csa/control")" = "volume create db2 size=4096" ]; then
	ok "without options only the name and size are sent"
else
	not_ok "bare command: $(cat -A "$M/.csa/control")"
fi

[ "$failures" -eq 0 ]
