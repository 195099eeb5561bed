#!/usr/bin/env bash
# csa's help and bad usage, without a primary: --help of csa and of each
# command names every subcommand and exits 0; bad usage exits 2 with the
# reason and the hint; a primary that is not there is exit 1, named.
set -uo pipefail
BUILD=${CSA_BUILD:-$(cd "$(dirname "$0")/../.." && pwd)/build}
CSA=$BUILD/tools/csa
failures=0
# The interpreter itself, found once: a version manager's shim in PATH
# costs a second a call.
PYTHON=$(python3 -c 'import sys; print(sys.executable)')
ok() { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; failures=$((failures + 1)); }

D=$(mktemp -d /tmp/csa-usage.XXXXXX)
trap 'rm -rf "$D"' EXIT

# help_names WHAT WORDS...: `csa WHAT --help` exits 0 and has every word.
help_names() {
	local what=$1 w missing=""
	shift
	# shellcheck disable=SC2086
	if ! "$CSA" $what --help >"$D/help" 2>"$D/err"; then
		not_ok "csa $what --help exits 0"
		return
	fi
	for w in "$@"; do
		grep -qF -- "$w" "$D/help" || missing="$missing '$w'"
	done
	if [ -z "$missing" ] && [ ! -s "$D/err" ]; then
		ok "csa $what --help names $*"
	else
		not_ok "csa $what --help lacks$missing"
	fi
}

help_names "" "csa init" "csa cert issue" "csa status" "csa array add" \
	"csa array ls" "csa array show" "csa array calibrate" \
	"csa volume create" "csa volume ls" "csa volume show" "csa volume set" \
	"csa volume rm" "csa volume migrate" "csa migration ls" \
	"csa migration pause" "csa migration resume" \
	"csa host add" "csa host ls" "Exit status" "Examples" \
	"--dir" "--primary" "--json" "--timeout" "--cert" "--key" "--ca" \
	"/etc/csafs" "127.0.0.1:7320"
help_names init "--name" "--primary" "--admin" "cluster.json" "Exit status"
help_names cert "issue" "--host" "--admin" "--primary" "--out" "Exit status"
help_names status "status" "migrations" "alerts" "Exit status" "Example"
help_names array "array add" "array ls" "array show" "array calibrate" \
	"--portal" "--target" "--luns" "--rated-mbps" "--rated-iops" \
	"--seconds" "default 10" "2 x SECONDS + 60" "MEAS-MB/S" "MEAS-IOPS" \
	"P99-MS" "UTIL" "LOAD" "saturated" "Exit status" "Examples"
help_names volume "volume create" "volume ls" "volume show" "volume set" \
	"volume rm" "--size" "--mbps" "--iops" "--copies" "--hosts" \
	"--stripe-unit" "--fit best|first" "--layout" "default 1" \
	"default best" "size=SIZE" "20k = 20000" "volume migrate" "--to ARRAY,..." \
	"--rebalance" "--max-rate MBPS" "--dry-run" "--wait" "nothing_to_move" \
	"Ctrl-C" "fit score" "starts, as volume migrate does" "Exit status" "Examples"
help_names migration "migration ls" "migration pause [NAME]" \
	"migration resume [NAME]" "VOLUME, STATE" "ETA" "REASON" "not_found" \
	"Exit status" "Examples"
help_names "volume migrate" "volume migrate NAME"
help_names "migration ls" "migration ls"
help_names host "host add" "host ls" "Exit status" "Examples"
help_names "volume create" "volume create"
help_names "-h" "csa volume create"

# usage REASON ARGS...: exit 2, the reason and the hint on stderr, no stdout.
usage() {
	local reason=$1 st
	shift
	"$CSA" "$@" >"$D/out" 2>"$D/err"
	st=$?
	if [ $st -eq 2 ] && grep -qF -- "$reason" "$D/err" &&
	   grep -qxF "Try 'csa --help'." "$D/err" && [ ! -s "$D/out" ]; then
		ok "csa $* -> exit 2: $reason"
	else
		not_ok "csa $* -> exit $st, stderr: $(head -c 300 "$D/err")"
	fi
}

usage "no command given"
usage "unknown command 'frobnicate'" frobnicate
usage "unknown option --frob" --frob status
usage "unknown option --frob" volume ls --frob
usage "unknown option --frob" array add a1 --portal 127.0.0.1:3260 --target t --frob
usage "unknown command 'grow'" volume grow db1
usage "which command?" volume
usage "NAME is missing" volume create --size 1G
usage "NAME is missing" volume show
usage "NAME is missing" volume rm
usage "NAME is missing" volume set size=1G
usage "NAME is missing" array show
usage "NAME is missing" array calibrate
usage "NAME is missing" array add --portal 127.0.0.1:3260 --target t
usage "NAME is missing" host add
usage "unexpected 'b'" volume rm a b
usage "unexpected 'x'" status x
usage "--size SIZE is required" volume create db1
usage "--portal IP:PORT and --target IQN are required" array add a1 --portal 127.0.0.1:3260
usage "'abc' is not a size" volume create db1 --size abc
usage "'1.5G' is not a size" volume create db1 --size 1.5G
usage "'-1' is not a whole number" volume create db1 --size 1G --copies -1
usage "'0' is not a whole number from 1 to 4" volume create db1 --size 1G --copies 0
usage "'worst' is neither best nor first" volume create db1 --size 1G --fit worst
usage "'fast' is not a whole number" volume create db1 --size 1G --mbps fast
usage "'1.5k' is not a whole number" volume create db1 --size 1G --iops 1.5k
usage "an empty name" volume create db1 --size 1G --hosts h1,,h2
usage "'1X' is not a size" volume create db1 --size 1G --stripe-unit 1X
usage "--size needs a value" volume create db1 --size
usage "nothing to change" volume set db1
usage "unknown KEY in 'colour=red'" volume set db1 colour=red
usage "'abc' is not a size" volume set db1 size=abc
usage "'-2' is not a whole number" volume set db1 --copies -2
usage "'x' is not a whole number" array add a1 --portal 127.0.0.1:3260 --target t --luns 1,x
usage "'127.0.0.1' is not IP:PORT" array add a1 --portal 127.0.0.1 --target t
usage "'31' is not a whole number from 1 to 30" array calibrate a1 --seconds 31
usage "'soon' is not a number of seconds" --timeout soon status
usage "--primary needs a value" --primary
usage "cert: the only command is 'cert issue'" cert revoke --host h
usage "--name CLUSTER is required" --dir "$D/c" init
usage "NAME is missing" volume migrate --to a1
usage "unexpected 'b' after NAME" volume migrate a b
usage "'fast' is not a whole number" volume migrate db1 --max-rate fast
usage "'1.5k' is not a whole number" volume migrate db1 --max-rate 1.5k
usage "an empty name in 'a1,,a2'" volume migrate db1 --to a1,,a2
usage "--to: no array named" volume migrate db1 --to ''
usage "--to needs a value" volume migrate db1 --to
usage "--wait with --dry-run" volume migrate db1 --dry-run --wait
usage "unknown option --force" volume migrate db1 --force
usage "which command?" migration
usage "unknown command 'stop'" migration stop db1
usage "unexpected 'x'" migration ls x
usage "unexpected 'b' after NAME" migration pause a b
usage "unexpected 'b' after NAME" migration resume a b
usage "unknown option --all" migration pause --all

# A port where nothing listens: taken from the kernel, then let go.
port=$("$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
for cmd in "status" "volume ls" "array show a1" "host add h1" \
	"volume migrate db1 --wait" "migration ls"; do
	# shellcheck disable=SC2086
	"$CSA" --dir "$D/none" --primary "127.0.0.1:$port" --timeout 5 $cmd \
		>"$D/out" 2>"$D/err"
	st=$?
	if [ $st -eq 1 ] && grep -q "^csa: .*127\.0\.0\.1:$port" "$D/err" &&
	   [ ! -s "$D/out" ]; then
		ok "csa $cmd with no primary: exit 1 naming 127.0.0.1:$port"
	else
		not_ok "csa $cmd with no primary: exit $st, stderr: $(cat "$D/err")"
	fi
done
"$CSA" --json --primary "127.0.0.1:$port" status >"$D/out" 2>"$D/err"
st=$?
if [ $st -eq 1 ] && "$PYTHON" - "$D/out" "$port" <<'PY'
import json, sys
e = json.load(open(sys.argv[1]))
assert e["code"] == "connect", e
assert "127.0.0.1:" + sys.argv[2] in e["message"], e
PY
then
	ok "--json with no primary: the error object on stdout"
else
	not_ok "--json with no primary: exit $st, stdout: $(cat "$D/out")"
fi
# The environment gives the defaults.
CSA_PRIMARY="127.0.0.1:$port" "$CSA" --dir "$D/none" status >/dev/null 2>"$D/err"
if grep -q "127\.0\.0\.1:$port" "$D/err"; then
	ok "CSA_PRIMARY is the default primary"
else
	not_ok "CSA_PRIMARY ignored: $(cat "$D/err")"
fi

[ "$failures" -eq 0 ]
