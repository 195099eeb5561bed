#!/usr/bin/env bash
# csa against a fake primary (fake_primary.c) on 127.0.0.1, with the
# certificates of `csa init`: each command sends exactly the request
# primary/ops.h specifies, prints the canned result aligned for people,
# the same result with --json, a refusal on stderr (exit 1), and a layout
# the striper reads back. Migrations: the plan, the progress of --wait
# until done or failed, the monitor's figures, and an older primary's
# results without them.
set -uo pipefail
BUILD=${CSA_BUILD:-$(cd "$(dirname "$0")/../.." && pwd)/build}
CSA=$BUILD/tools/csa
FAKE=$BUILD/tests/fake_primary
LAYOUT_CHECK=$BUILD/tests/layout_check
failures=0
# The interpreter itself, found once: a version manager's shim in PATH
# costs a second a call.
PYTHON=$(python3 -c 'import sys; print(sys.executable)')
ok() { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; failures=$((failures + 1)); }

D=$(mktemp -d /tmp/csa-calls.XXXXXX)
pid=
cleanup() {
	if [ -n "$pid" ]; then
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	fi
	rm -rf "$D"
}
trap cleanup EXIT

if ! "$CSA" --dir "$D/c" init --name lab >"$D/init.out" 2>&1; then
	echo "not ok - csa init: $(cat "$D/init.out")"
	exit 1
fi
"$FAKE" "$D/c" "$D/port" "$D/requests" 2>"$D/fake.err" &
pid=$!
for _ in $(seq 200); do
	[ -s "$D/port" ] && break
	sleep 0.05
done
if [ ! -s "$D/port" ]; then
	echo "not ok - the fake primary did not start: $(cat "$D/fake.err")"
	exit 1
fi
P=127.0.0.1:$(cat "$D/port")

# run ARGS...: csa against the fake; $D/out, $D/err, $st; the requests it
# sends land in $D/requests (the fake appends, so emptying it is enough).
run() {
	: >"$D/requests"
	"$CSA" --dir "$D/c" --primary "$P" "$@" >"$D/out" 2>"$D/err"
	st=$?
}

# sent WHAT JSON: the requests of the last run, each with an integer "id"
# put aside, are the JSON list given: same fields, same values, same types.
sent() {
	if "$PYTHON" - "$D/requests" "$2" <<'PY'
import json, sys

def same(a, b):
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(map(same, a, b))
    return a == b

got = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
ids = [type(r.pop("id", None)) is int for r in got]
if not all(ids) or not same(got, json.loads(sys.argv[2])):
    print("  sent: " + json.dumps(got), file=sys.stderr)
    sys.exit(1)
PY
	then
		ok "$1 sends $(printf %s "$2" | tr -s ' \n\t' ' ')"
	else
		not_ok "$1 does not send $(printf %s "$2" | tr -s ' \n\t' ' ')"
	fi
}

# exit_is WHAT N: the last run ended with N.
exit_is() {
	if [ "$st" -eq "$2" ]; then
		ok "$1 exits $2"
	else
		not_ok "$1 exits $st, not $2: $(head -c 300 "$D/err")"
	fi
}

# prints WHAT: stdout of the last run is stdin, byte for byte, and stderr
# is empty.
prints() {
	cat >"$D/want"
	if diff -u "$D/want" "$D/out" >"$D/diff" && [ ! -s "$D/err" ]; then
		ok "$1 prints the result aligned"
	else
		not_ok "$1 prints other than expected:"
		sed 's/^/  /' "$D/diff" "$D/err"
	fi
}

# json_is WHAT FILE: stdout of the last run is the JSON in FILE, value for
# value and type for type.
json_is() {
	if "$PYTHON" - "$D/out" "$2" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
sys.exit(0 if json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)
         else 1)
PY
	then
		ok "$1 prints the result as JSON"
	else
		not_ok "$1: the JSON printed is not the result"
		sed 's/^/  /' "$D/out" | head -20
	fi
}

# Each command: the request, the text, the exit status; then with --json.
# check_json OP ARGS...: --json prints OP's canned result.
check_json() {
	local op=$1
	shift
	run --json "$@"
	"$FAKE" --canned "$op" >"$D/canned"
	json_is "csa --json $*" "$D/canned"
}

run status
exit_is "status" 0
sent "status" '[{"op": "status"}]'
prints "status" <<'EOF'
cluster     5b0f9a4e-8c1d-4c52-9d0e-2f6a1b3c4d5e
primary     primary, up since 2026-11-03 10:00:00 UTC
catalog     generation 12, sequence 40
arrays      4 (3 up), 6 LUNs
hosts       2
volumes     2
capacity    400.0G, 30.0G used, 370.0G free
bandwidth   1600 MB/s rated, 600 MB/s reserved
iops        100000 rated, 30000 reserved
migrations  1
alerts      2

ARRAY        VOLUME  SINCE                    MESSAGE
a2           db1     2026-11-04 10:00:00 UTC  a2 is at 97 % and no placement relieves it: add an array with 300 MB/s free
array-three  -       2026-11-04 10:01:00 UTC  array-three has 512B free
EOF
check_json status status
run status --json
"$FAKE" --canned status >"$D/canned"
json_is "csa status --json (after the command)" "$D/canned"

run array add a1 --portal 127.0.0.1:3261 --target iqn.2026-11.org.csafs.lab:a1 \
	--luns 1,2 --rated-mbps 400 --rated-iops 25k
exit_is "array add" 0
sent "array add" '[{"op": "array.add", "name": "a1", "portal": "127.0.0.1:3261",
	"target": "iqn.2026-11.org.csafs.lab:a1", "luns": [1, 2],
	"rated_mbps": 400, "rated_iops": 25000}]'
prints "array add" <<'EOF'
added array a1

name      a1
state     up
portal    127.0.0.1:3261
target    iqn.2026-11.org.csafs.lab:a1
capacity  200.0G, 180.0G free, 2 LUNs
rated     400 MB/s, 25000 IOPS (measured by calibration)
reserved  200 MB/s, 10000 IOPS
measured  372 MB/s, 23250 IOPS, p99 4.2 ms
load      saturated, 93% utilised
volumes   db1,logs

LUN  STATE  BLOCK     BLOCKS  RESERVED  CAPACITY   FREE  UUID
  1  up       512  209715200      8192    100.0G  90.0G  0e6b5a3c-1f2d-4e4f-8a9b-0c1d2e3f4a5b
  2  up       512  209715200      8192    100.0G  90.0G  7c8d9e0f-a1b2-4c3d-9e4f-5a6b7c8d9e0f
EOF
cp "$D/want" "$D/array.txt"
run array add a9 --target iqn.x --portal 10.0.0.9:3260
sent "array add without options" '[{"op": "array.add", "name": "a9",
	"portal": "10.0.0.9:3260", "target": "iqn.x"}]'
check_json array.add array add a1 --portal 127.0.0.1:3261 --target iqn.x

run array ls
exit_is "array ls" 0
sent "array ls" '[{"op": "array.list"}]'
prints "array ls (a2 without the monitor's figures)" <<'EOF'
NAME         STATE  PORTAL          LUNS  CAPACITY    FREE  MB/S  MEAS-MB/S  RSVD-MB/S   IOPS  MEAS-IOPS  RSVD-IOPS  P99-MS  UTIL  LOAD       CALIBRATED  VOLUMES
a1           up     127.0.0.1:3261     2    200.0G  180.0G   400        372        200  25000      23250      10000     4.2   93%  saturated  yes               2
a2           down   127.0.0.1:3262     1    100.0G   95.0G     0          -        100      0          -       5000       -     -  -          no                1
array-three  up     127.0.0.1:3263    12      1.2T    512B  1200        144        300  75000       9000      15000     0.8   12%  ok         yes              11
EOF
check_json array.list array ls

run array show a1
exit_is "array show" 0
sent "array show" '[{"op": "array.show", "name": "a1"}]'
tail -n +3 "$D/array.txt" | prints "array show"
check_json array.show array show a1
run array show old
exit_is "array show, an older primary" 0
tail -n +3 "$D/array.txt" | sed 's/^measured .*/measured  -/; s/^load .*/load      -/' |
	prints "array show, an older primary: no load, \"-\""

run array calibrate a1 --seconds 1
exit_is "array calibrate" 0
sent "array calibrate" '[{"op": "array.calibrate", "name": "a1", "seconds": 1}]'
prints "array calibrate (events of other arrays and kinds left out)" <<'EOF'
a1: seq phase 0.5/1.0 s, 398 MB/s, 380 IOPS
a1: seq phase 1.0/1.0 s, 412 MB/s, 393 IOPS
a1: rand phase 1.0/1.0 s, 98 MB/s, 25100 IOPS
a1: calibrated: 412 MB/s, 25100 IOPS, stored as its rated figures
EOF
run array calibrate a7
sent "array calibrate without --seconds" '[{"op": "array.calibrate", "name": "a7"}]'
run --json array calibrate a1
echo '{"array": "a1", "rated_mbps": 412, "rated_iops": 25100}' >"$D/done"
json_is "csa --json array calibrate" "$D/done"
run array calibrate bad
exit_is "a failed calibration" 1
if grep -qx "csa: calibration of bad failed: bad stopped answering in the sequential phase" "$D/err" &&
   [ "$(cat "$D/out")" = "bad: seq phase 0.5/1.0 s, 398 MB/s, 380 IOPS" ]; then
	ok "a failed calibration: progress on stdout, the primary's reason on stderr"
else
	not_ok "a failed calibration prints: $(cat "$D/out" "$D/err")"
fi

run volume create db1 --size 10G --mbps 400 --iops 20k --copies 2 \
	--hosts h1,h2 --stripe-unit 1M --fit first
exit_is "volume create" 0
sent "volume create" '[{"op": "volume.create", "name": "db1",
	"size": 10737418240, "mbps": 400, "iops": 20000, "copies": 2,
	"hosts": ["h1", "h2"], "stripe_unit": 1048576, "fit": "first"}]'
prints "volume create" <<'EOF'
created volume db1

name       db1
state      ok
size       10.0G (10737418240 bytes; asked 10737418000)
mbps       400 (200 per column)
iops       20000 (10000 per column)
copies     2
columns    2, stripe unit 1.0M
fit        best
hosts      h1,h2
arrays     a1,a2,a3,a4
regions    80: 2 locked, 0 migrated
migration  none

COLUMN  COPY  ARRAY  LUN  START-LBA    BLOCKS  SIZE
     0     0  a1       1       8192  10485760  5.0G
     0     1  a2       1       8192  10485760  5.0G
     1     0  a3       1       8192   6291456  3.0G
     1     0  a3       2       8192   4194304  2.0G
     1     1  a4       1       8192  10485760  5.0G
EOF
cp "$D/want" "$D/volume.txt"
run volume create v2 --size 1M
sent "volume create with the defaults" '[{"op": "volume.create", "name": "v2",
	"size": 1048576}]'
run volume create v3 --size 3T --mbps 2M --iops 1G --hosts ''
sent "volume create, large figures" '[{"op": "volume.create", "name": "v3",
	"size": 3298534883328, "mbps": 2000000, "iops": 1000000000, "hosts": []}]'
check_json volume.create volume create db1 --size 10G

run volume create huge --size 100G --mbps 800
exit_is "a refused volume create" 1
sent "a refused volume create" '[{"op": "volume.create", "name": "huge",
	"size": 107374182400, "mbps": 800}]'
if [ "$(cat "$D/err")" = "csa: needs 800 MB/s; arrays with room for a column have 620 MB/s free (a1 180, a3 240, a4 200); a2 is full" ] &&
   [ ! -s "$D/out" ]; then
	ok "a refusal: the primary's message on stderr, nothing on stdout"
else
	not_ok "a refusal prints: $(cat "$D/out" "$D/err")"
fi
run --json volume create huge --size 100G --mbps 800
"$FAKE" --refusal >"$D/refusal"
json_is "csa --json, refused: the error {code, message, detail}" "$D/refusal"
exit_is "csa --json, refused" 1
run volume show nope
exit_is "volume show of a volume that is not there" 1
if [ "$(cat "$D/err")" = 'csa: no volume "nope"' ]; then
	ok "a refusal without detail: its message"
else
	not_ok "a refusal without detail prints: $(cat "$D/err")"
fi

run volume ls
exit_is "volume ls" 0
sent "volume ls" '[{"op": "volume.list"}]'
prints "volume ls" <<'EOF'
NAME  STATE   SIZE  MB/S   IOPS  COPIES  COLUMNS  STRIPE  HOSTS  ARRAYS
db1   ok     10.0G   400  20000       2        2    1.0M  h1,h2  a1,a2,a3,a4
logs  ok      1.0T     0      0       1        1  256.0K  any    a1
EOF
check_json volume.list volume ls

run volume show db1
exit_is "volume show" 0
sent "volume show" '[{"op": "volume.show", "name": "db1"}]'
prints "volume show: its migration and load fit" <<'EOF'
name       db1
state      ok
size       10.0G (10737418240 bytes; asked 10737418000)
mbps       400 (200 per column)
iops       20000 (10000 per column)
copies     2
columns    2, stripe unit 1.0M
fit        best
hosts      h1,h2
arrays     a1,a2,a3,a4
regions    80: 2 locked, 0 migrated
migration  locked (monitor: a1 at 93 %), since 2026-11-04 10:00:00 UTC
progress   12/80 regions, 768.0M/5.0G, 95 MB/s, ETA 48s
locked     region 12
locks      12, held p50 3 ms, p99 12 ms, max 20 ms; 9 of 12 regions copied ahead
moving     a1,a2,a3,a4 -> a1,a2,a5,a4, no rate cap

COLUMN  COPY  ARRAY  LUN  START-LBA    BLOCKS  SIZE
     0     0  a1       1       8192  10485760  5.0G
     0     1  a2       1       8192  10485760  5.0G
     1     0  a3       1       8192   6291456  3.0G
     1     0  a3       2       8192   4194304  2.0G
     1     1  a4       1       8192  10485760  5.0G

fit score: how far past its own reserved share the volume pushes the array (measured - reserved, over the array's rating), relative to that share; the highest on a saturated array is moved first
ARRAY  SCORE  LOAD-MB/S  NEED-MB/S  LOAD-IOPS  NEED-IOPS
a1      1.25        300        200      12000      10000
a2      0.00          0        200          0      10000
a3      0.33        240        200       9000      10000
EOF
check_json volume.show volume show db1
run volume show old
exit_is "volume show, an older primary" 0
prints "volume show, an older primary: no migration row, no load fit" <<'EOF'
name     db1
state    ok
size     10.0G (10737418240 bytes; asked 10737418000)
mbps     400 (200 per column)
iops     20000 (10000 per column)
copies   2
columns  2, stripe unit 1.0M
fit      best
hosts    h1,h2
arrays   a1,a2,a3,a4
regions  80: 2 locked, 0 migrated

COLUMN  COPY  ARRAY  LUN  START-LBA    BLOCKS  SIZE
     0     0  a1       1       8192  10485760  5.0G
     0     1  a2       1       8192  10485760  5.0G
     1     0  a3       1       8192   6291456  3.0G
     1     0  a3       2       8192   4194304  2.0G
     1     1  a4       1       8192  10485760  5.0G
EOF

run volume show db1 --layout
exit_is "volume show --layout" 0
sent "volume show --layout" '[{"op": "volume.show", "name": "db1"}]'
cp "$D/out" "$D/db1.layout"
"$FAKE" --canned volume.show | "$PYTHON" -c \
	'import json, sys; json.dump(json.load(sys.stdin)["layout"], sys.stdout)' \
	>"$D/canned.layout"
if "$LAYOUT_CHECK" "$D/db1.layout" "$D/canned.layout"; then
	ok "volume show --layout: the striper reads it back, canonical, the primary's layout"
else
	not_ok "volume show --layout is not the layout in canonical form"
fi
run --json volume show db1 --layout
if cmp -s "$D/out" "$D/db1.layout"; then
	ok "volume show --layout prints the same with --json"
else
	not_ok "volume show --layout with --json differs"
fi

run volume set db1 size=20G mbps=1k iops=30k copies=3 hosts=h1,h3
exit_is "volume set" 0
sent "volume set KEY=VALUE" '[{"op": "volume.set", "name": "db1",
	"size": 21474836480, "mbps": 1000, "iops": 30000, "copies": 3,
	"hosts": ["h1", "h3"]}]'
{
	echo "changed volume db1: 3 column copies kept, 1 grown in place"
	tail -n +2 "$D/volume.txt"
} | prints "volume set"
run volume set --size 1T db1 --hosts ''
sent "volume set --KEY VALUE" '[{"op": "volume.set", "name": "db1",
	"size": 1099511627776, "hosts": []}]'
run volume set db1 hosts=
sent "volume set hosts= (any host)" '[{"op": "volume.set", "name": "db1",
	"hosts": []}]'
check_json volume.set volume set db1 size=20G

# ---- migrations ------------------------------------------------------------

# volume set that moves copies starts a migration, and says so.
run volume set db2 size=20G
exit_is "volume set that starts a migration" 0
sent "volume set that starts a migration" '[{"op": "volume.set", "name": "db2",
	"size": 21474836480}]'
{
	echo "changed volume db2: 3 column copies kept, 1 grown in place"
	echo "migration of db2 started (set): 80 regions of 128.0M, 5.0G to copy, a1,a2,a3,a4 -> a1,a2,a5,a4, no rate cap"
	echo
	sed -n '3,13p' "$D/volume.txt" | sed 's/^name       db1$/name       db2/'
	cat <<'EOF'
migration  running (set), since 2026-11-04 10:00:00 UTC
progress   0/80 regions, 0B/5.0G, 0 MB/s, ETA -
locked     none
locks      0, held p50 0 ms, p99 0 ms, max 0 ms; 0 of 0 regions copied ahead
moving     a1,a2,a3,a4 -> a1,a2,a5,a4, no rate cap
EOF
	tail -n +15 "$D/volume.txt"
} | prints "volume set that starts a migration"
run --json volume set db2 size=20G
"$FAKE" --canned volume.set db2 >"$D/canned"
json_is "csa --json volume set, a migration started" "$D/canned"

run volume migrate db1 --to a1,a2,a5,a4 --rebalance --max-rate 1k
exit_is "volume migrate" 0
sent "volume migrate" '[{"op": "volume.migrate", "name": "db1",
	"to": ["a1", "a2", "a5", "a4"], "rebalance": true, "max_rate": 1000}]'
prints "volume migrate: what started, then the plan" <<'EOF'
migration of db1 started (manual), at most 1000 MB/s

volume    db1
layout    2 columns x 2 copies
copies    1 moved, 0 added, 0 restriped, 3 kept, 0 grown
arrays    a1,a2,a3,a4 -> a1,a2,a5,a4
regions   80 of 128.0M
to copy   5.0G
expected  27s at the pacing's rate
EOF
tail -n +3 "$D/want" >"$D/plan.txt"
run volume migrate db1
sent "volume migrate with the defaults" '[{"op": "volume.migrate", "name": "db1"}]'
run volume migrate --max-rate 0 --dry-run db1
exit_is "volume migrate --dry-run" 0
sent "volume migrate --dry-run" '[{"op": "volume.migrate", "name": "db1",
	"max_rate": 0, "dry_run": true}]'
{
	echo "dry run: the plan to migrate db1; nothing was started"
	echo
	cat "$D/plan.txt"
} | prints "volume migrate --dry-run"
check_json volume.migrate volume migrate db1

run volume migrate still
exit_is "volume migrate with nothing to move" 1
if [ "$(cat "$D/err")" = 'csa: the plan keeps every column copy of "still" where it is' ] &&
   [ ! -s "$D/out" ]; then
	ok "nothing_to_move: the primary's message on stderr, nothing on stdout"
else
	not_ok "nothing_to_move prints: $(cat "$D/out" "$D/err")"
fi
run --json volume migrate still
echo '{"code": "nothing_to_move", "message": "the plan keeps every column copy of \"still\" where it is"}' >"$D/refusal"
json_is "csa --json volume migrate, refused: {code, message}" "$D/refusal"
exit_is "csa --json volume migrate, refused" 1
run volume migrate moving --wait
exit_is "volume migrate --wait of a volume migrating already" 1
if [ "$(cat "$D/err")" = 'csa: volume "moving" is migrating already (12/80 regions)' ] &&
   [ ! -s "$D/out" ]; then
	ok "busy: the primary's message on stderr, no wait"
else
	not_ok "busy prints: $(cat "$D/out" "$D/err")"
fi

# --wait: progress of this volume's migration only, until it is done.
run volume migrate w1 --wait
exit_is "volume migrate --wait" 0
sent "volume migrate --wait" '[{"op": "volume.migrate", "name": "w1"}]'
{
	echo "migration of w1 started (manual), no rate cap"
	echo
	sed 's/^volume    db1$/volume    w1/' "$D/plan.txt"
	cat <<'EOF'

w1: locked, 40/80 regions, 2.5G/5.0G, 190 MB/s, ETA 13s
w1: migration paused
w1: migration resumed
w1: running, 80/80 regions, 5.0G/5.0G, 200 MB/s, ETA 0s
w1: migration done: 80 regions, 5.0G copied; locks 80, held p50 3 ms, p99 12 ms, max 20 ms; 60 of 80 regions copied ahead
EOF
} | prints "volume migrate --wait (other volumes' and kinds' events left out)"
run volume migrate bad --wait
exit_is "volume migrate --wait, the migration failed" 1
if [ "$(cat "$D/err")" = "csa: the migration of bad failed (io): a5 did not take the copy of region 41" ] &&
   [ "$(tail -n 1 "$D/out")" = "bad: locked, 40/80 regions, 2.5G/5.0G, 190 MB/s, ETA 13s" ]; then
	ok "a failed migration: progress on stdout, the primary's reason on stderr"
else
	not_ok "a failed migration prints: $(cat "$D/out" "$D/err")"
fi
run --json volume migrate w2 --wait
exit_is "csa --json volume migrate --wait" 0
"$FAKE" --canned volume.migrate w2 >"$D/canned"
if "$PYTHON" - "$D/out" "$D/canned" <<'PY'
import json, sys
text, docs, i = open(sys.argv[1]).read(), [], 0
dec = json.JSONDecoder()
while text[i:].strip():
    while text[i].isspace():
        i += 1
    doc, i = dec.raw_decode(text, i)
    docs.append(doc)
assert docs[0] == json.load(open(sys.argv[2])), docs[0]
events = [(d["event"], d["data"]["volume"]) for d in docs[1:]]
assert events == [("migration.started", "w2"), ("migration.progress", "w2"),
                  ("migration.paused", "w2"), ("migration.resumed", "w2"),
                  ("migration.progress", "w2"), ("migration.done", "w2")], events
assert docs[1]["data"]["plan"]["regions"] == 80
assert docs[5]["data"]["regions_done"] == 80
PY
then
	ok "csa --json volume migrate --wait: the result, then its events as they come"
else
	not_ok "csa --json volume migrate --wait printed: $(head -c 400 "$D/out")"
fi

# Ctrl-C while waiting ends csa alone: nothing more is asked of the primary.
: >"$D/requests"
set -m
"$CSA" --dir "$D/c" --primary "$P" volume migrate slow --wait >"$D/out" 2>"$D/err" &
wpid=$!
set +m
# The plan is printed (and flushed) once csa waits for events.
for _ in $(seq 200); do
	grep -q "^expected" "$D/out" && break
	sleep 0.05
done
kill -INT "$wpid"
wait "$wpid"
st=$?
exit_is "volume migrate --wait, Ctrl-C" 130
if grep -q "^expected" "$D/out"; then
	ok "volume migrate --wait: the plan is on stdout before the wait"
else
	not_ok "volume migrate --wait: no plan on stdout before Ctrl-C: $(cat "$D/out")"
fi
sent "volume migrate --wait, Ctrl-C: no pause, no cancel" '[{"op": "volume.migrate", "name": "slow"}]'

run migration ls
exit_is "migration ls" 0
sent "migration ls" '[{"op": "migration.list"}]'
prints "migration ls" <<'EOF'
VOLUME  STATE   REGIONS  DONE        BYTES     RATE  ETA  REASON
db1     locked       80    12  768.0M/5.0G  95 MB/s  48s  monitor: a1 at 93 %
logs    paused       80     3  192.0M/5.0G   0 MB/s    -  set
EOF
check_json migration.list migration ls

run migration pause
exit_is "migration pause" 0
sent "migration pause (every migration)" '[{"op": "migration.pause"}]'
prints "migration pause" <<'EOF'
db1: paused, 12/80 regions, 768.0M/5.0G, 0 MB/s, ETA -
EOF
run migration pause db1
sent "migration pause NAME" '[{"op": "migration.pause", "name": "db1"}]'
check_json migration.pause migration pause db1
run migration pause idle
exit_is "migration pause, nothing to pause" 0
prints "migration pause, nothing to pause" <<'EOF'
no migration to pause
EOF
run migration pause nope
exit_is "migration pause of a volume not migrating" 1
if [ "$(cat "$D/err")" = 'csa: volume "nope" is not migrating' ] && [ ! -s "$D/out" ]; then
	ok "migration pause, not_found: the primary's message"
else
	not_ok "migration pause, not_found prints: $(cat "$D/out" "$D/err")"
fi
run migration resume logs
exit_is "migration resume" 0
sent "migration resume NAME" '[{"op": "migration.resume", "name": "logs"}]'
prints "migration resume" <<'EOF'
logs: running, 3/80 regions, 192.0M/5.0G, 40 MB/s, ETA 3m10s
EOF
run migration resume
sent "migration resume (every migration)" '[{"op": "migration.resume"}]'
check_json migration.resume migration resume
run migration resume idle
prints "migration resume, nothing to resume" <<'EOF'
no migration to resume
EOF

run volume rm db1
exit_is "volume rm" 0
sent "volume rm" '[{"op": "volume.delete", "name": "db1"}]'
prints "volume rm" <<'EOF'
deleted volume db1
EOF
check_json volume.delete volume rm db1

run host add db-host-1
exit_is "host add" 0
sent "host add" '[{"op": "host.register", "name": "db-host-1"}]'
prints "host add" <<'EOF'
host db-host-1 registered 2026-11-03 10:01:40 UTC
EOF
check_json host.register host add db-host-1

run host ls
exit_is "host ls" 0
sent "host ls" '[{"op": "host.list"}]'
prints "host ls" <<'EOF'
NAME       REGISTERED               VOLUMES  LAST-REPORT              OPEN
db-host-1  2026-11-03 10:01:40 UTC        1  2026-11-04 10:01:50 UTC  db1,db2
h2         2026-11-04 10:01:40 UTC       12  never                    -
EOF
check_json host.list host ls

# --cert, --key and --ca are the ones used.
run --cert "$D/c/primary.crt" --key "$D/c/admin.key" status
exit_is "--cert that does not match the key" 1
run --ca "$D/c/admin.crt" status
exit_is "--ca that is not the cluster CA" 1
run --cert "$D/c/primary.crt" --key "$D/c/primary.key" --ca "$D/c/ca/ca.crt" status
exit_is "--cert, --key, --ca of another identity of the cluster" 0

[ "$failures" -eq 0 ]
