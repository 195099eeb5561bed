#!/usr/bin/env bash
# The primary on real arrays, driven with csa: arrays added and labelled,
# volumes placed from requirements or refused in numbers, bad API input
# refused at no cost, the catalog the same after a restart and when
# rebuilt by another primary from one portal, and data written through the
# striper on a created volume read back.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
CSA=$BUILD/tools/csa
PRIMARYD=$BUILD/primary/csa-primaryd
PORT=7381

lab_start --arrays 4 --luns 2 --lun-size 96M --base-port 3371
. "$WORK/lab/lab.env"
D=$WORK/cluster
csa() { "$CSA" --dir "$D" --primary "127.0.0.1:$PORT" "$@"; }
portal() { local v=LAB_${1}_PORTAL; echo "${!v}"; }
target() { local v=LAB_${1}_TARGET; echo "${!v}"; }

# primary_up DIR [ARGS...]: start csa-primaryd and wait until it answers.
primary_up() {
	local dir=$1 i; shift
	PD=$(daemon_start "$WORK/primaryd.log" "$PRIMARYD" --dir "$dir" \
		--listen "127.0.0.1:$PORT" --timeout 3000 --io-timeout 3000 "$@")
	for ((i = 0; i < 100; i++)); do
		"$CSA" --dir "$dir" --primary "127.0.0.1:$PORT" status \
			>/dev/null 2>&1 && return 0
		kill -0 "$PD" 2>/dev/null || break
		sleep 0.2
	done
	cat "$WORK/primaryd.log"
	return 1
}

"$CSA" --dir "$D" init --name itest >/dev/null
"$CSA" --dir "$D" cert issue --host h1 >/dev/null
check "csa-primaryd starts on a new cluster" primary_up "$D"

for a in a1 a2 a3; do
	csa array add "$a" --portal "$(portal $a)" --target "$(target $a)" \
		--rated-mbps 400 --rated-iops 20k >/dev/null 2>"$WORK/err" ||
		cat "$WORK/err"
done
check "3 arrays added" test "$(csa --json array ls | grep -c '"name"')" -eq 3
check "every LUN now carries the cluster's label" \
	grep -q CSAFSLBL "$LAB_a3_LUN2_FILE"
csa array add a1b --portal "$(portal a1)" --target "$(target a1)" \
	>/dev/null 2>"$WORK/err"
check "adding a1's target again is refused (exit 1)" test $? -eq 1
check "... saying it is array a1" grep -q 'already array "a1"' "$WORK/err"

# a4 taken by another cluster first: ours must refuse its LUNs.
"$CSA" --dir "$WORK/foreign" init --name other > "$WORK/foreign.out"
other_uuid=$(grep -Eo '[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}' "$WORK/foreign.out" | head -1)
OTHER=$(daemon_start "$WORK/other.log" "$PRIMARYD" --dir "$WORK/foreign" \
	--listen 127.0.0.1:$((PORT + 1)) --timeout 3000)
for ((i = 0; i < 50; i++)); do
	"$CSA" --dir "$WORK/foreign" --primary 127.0.0.1:$((PORT + 1)) \
		array add x4 --portal "$(portal a4)" --target "$(target a4)" \
		>/dev/null 2>&1 && break
	sleep 0.2
done
daemon_stop "$OTHER"
csa array add a4 --portal "$(portal a4)" --target "$(target a4)" \
	>/dev/null 2>"$WORK/err"
check "a4, labelled by another cluster, is refused (exit 1)" test $? -eq 1
check "... naming that cluster ($other_uuid)" \
	grep -q "belongs to another cluster: $other_uuid" "$WORK/err"

csa volume create v1 --size 64M --mbps 600 >/dev/null 2>"$WORK/err"
check "v1 (64 MiB, 600 MB/s) is created" test $? -eq 0
csa --json volume show v1 > "$WORK/v1.json"
check "v1 has 2 columns: 600 MB/s needs 2 arrays of 400" \
	grep -Eq '"columns": ?2' "$WORK/v1.json"
csa volume create v2 --size 16M --mbps 900 >/dev/null 2>"$WORK/err"
check "v2 asking 900 MB/s is refused (exit 1)" test $? -eq 1
check "... in numbers: $(cat "$WORK/err")" \
	grep -q 'needs 900 MB/s; arrays with room for a column have 600 MB/s free' "$WORK/err"
csa --json volume create v2 --size 16M --mbps 900 > "$WORK/refusal.json" 2>/dev/null
check "... and as fields in --json" grep -Eq '"free_mbps": ?600' "$WORK/refusal.json"
csa volume create v3 --size 32M --iops 10k --copies 2 --hosts h1 \
	>/dev/null 2>"$WORK/err"
check "v3 for host h1 is refused: h1 is not registered" \
	grep -q 'not registered' "$WORK/err"
csa host add h1 >/dev/null
check "with h1 registered, v3 (2 copies) is created" \
	csa volume create v3 --size 32M --iops 10k --copies 2 --hosts h1

csa volume set v3 size=48M >/dev/null 2>"$WORK/err"
check "v3 grows in place to 48 MiB (exit 0)" test $? -eq 0
check "... and its layout says so" \
	grep -Eq '"size": ?50331648' <(csa --json volume show v3)
csa volume set v3 size=16M >/dev/null 2>"$WORK/err"
check "shrinking v3 is refused: $(cat "$WORK/err")" grep -qi 'shrink' "$WORK/err"

csa --json status > "$WORK/status1.json"
csa --json volume ls > "$WORK/vols1.json"
csa --json array ls > "$WORK/arrays1.json"
python3 "$SRC/tests/integration/api_frames.py" "$D" "$WORK/foreign" \
	"127.0.0.1:$PORT" > "$WORK/frames.out" 2>&1
check "bad frames, bad fields and foreign clients are refused" test $? -eq 0
sed 's/^/    /' "$WORK/frames.out"

# Restart: the same catalog, read from the LUNs.
daemon_stop "$PD"
check "csa-primaryd stops on SIGTERM" test $? -eq 0
check "it starts again" primary_up "$D"
csa --json volume ls > "$WORK/vols2.json"
check "after a restart, the same volumes" cmp -s "$WORK/vols1.json" "$WORK/vols2.json"
csa --json status | grep -E '"(generation|volumes|hosts|arrays)"' > "$WORK/s2"
grep -E '"(generation|volumes|hosts|arrays)"' "$WORK/status1.json" > "$WORK/s1"
check "... the same generation, arrays and hosts" cmp -s "$WORK/s1" "$WORK/s2"

# Arrays down: a change needs a majority of the arrays, and a LUN that
# was down at start is taken back when its array returns.
"$LAB" down a3 --dir "$WORK/lab" >/dev/null
check "with a3 down, a change still lands on 2 of 3 arrays" \
	csa host add h2
"$LAB" down a2 --dir "$WORK/lab" >/dev/null
csa host add h3 >/dev/null 2>"$WORK/err"
check "with a2 and a3 down, a change is refused (exit 1)" test $? -eq 1
check "... saying it is durable on 1 of 3 arrays" \
	grep -q 'durable on 1 of 3 arrays' "$WORK/err"
"$LAB" up a2 --dir "$WORK/lab" >/dev/null
daemon_stop "$PD"
check "the primary starts with a3 still down" primary_up "$D"
csa --json status > "$WORK/status3.json"
check "... and says 2 of 3 arrays are up" grep -Eq '"arrays_up": ?2' "$WORK/status3.json"
check "... with h2 registered and h3 not" \
	test "$(csa --json host ls | grep -Ec '"(h2|h3)"')" -eq 1
"$LAB" up a3 --dir "$WORK/lab" >/dev/null
for ((i = 0; i < 100; i++)); do
	csa --json status | grep -Eq '"arrays_up": ?3' && break
	sleep 0.2
done
check "a3 is taken back when it returns (within 20 s)" \
	grep -q 'a3 LUN 1 is back' "$WORK/primaryd.log"
csa --json volume ls > "$WORK/vols1.json"
csa --json array ls > "$WORK/arrays1.json"

# Another array's primary, with the CA and its certificate but no hint of
# where the arrays are: one portal is enough.
daemon_stop "$PD"
D2=$WORK/other-array
mkdir -p "$D2/ca"
cp "$D/ca/ca.crt" "$D2/ca/"
cp "$D/primary.crt" "$D/primary.key" "$D/admin.crt" "$D/admin.key" "$D2/"
check "a primary with only --discover $(portal a2) starts" \
	primary_up "$D2" --discover "$(portal a2)"
"$CSA" --dir "$D2" --primary "127.0.0.1:$PORT" --json volume ls > "$WORK/vols3.json"
check "it rebuilt the same volumes from the LUNs" \
	cmp -s "$WORK/vols1.json" "$WORK/vols3.json"
"$CSA" --dir "$D2" --primary "127.0.0.1:$PORT" --json array ls > "$WORK/arrays3.json"
check "... and the same arrays" cmp -s "$WORK/arrays1.json" "$WORK/arrays3.json"

# Data through the striper on the volume the primary placed.
csa volume show v1 --layout > "$WORK/v1.layout"
check "the layout from csa volume show --layout is read by the striper" \
	bench --register h1 --layout "$WORK/v1.layout" --rw write --verify --gen 7 --bs 1M \
	--qd 8
check "what was written reads back (fresh process, verify pattern)" \
	bench --layout "$WORK/v1.layout" --rw read --verify --gen 7 --bs 256k \
	--qd 8

# A delete frees the space and the bandwidth.
csa volume rm v1 >/dev/null
check "after v1 is removed, v2 at 700 MB/s fits" \
	csa volume create v2 --size 16M --mbps 700
csa volume show v2 --layout > "$WORK/v2.layout"
check "v2's extents, where v1's data was, are zeros on the LUNs" \
	python3 - "$WORK/v2.layout" "$WORK/lab/lab.env" "$WORK/v1.layout" <<'PY'
import json, re, sys
layout = json.load(open(sys.argv[1]))
env = dict(re.findall(r"^(LAB_\w+)='?([^'\n]*)'?$", open(sys.argv[2]).read(), re.M))
def extents(l):
    return [x for col in l["columns"] for copy in col["copies"] for x in copy]
old = extents(json.load(open(sys.argv[3])))
bs = layout["block_size"]
# The check means something only where v1 wrote: v2 must reuse its space.
if not any(x["array"] == y["array"] and x["lun"] == y["lun"] and
           x["start_lba"] < y["start_lba"] + y["blocks"] and
           y["start_lba"] < x["start_lba"] + x["blocks"]
           for x in extents(layout) for y in old):
    sys.exit(2)
for col in layout["columns"]:
    for copy in col["copies"]:
        for x in copy:
            f = open(env["LAB_%s_LUN%d_FILE" % (x["array"], x["lun"])], "rb")
            f.seek(x["start_lba"] * bs)
            if f.read(x["blocks"] * bs).strip(b"\0"):
                sys.exit(1)
PY
# Calibration: the engine's own load, progress shown, result in the catalog.
csa array calibrate a3 --seconds 1 > "$WORK/calib.out" 2>&1
check "csa array calibrate a3 finishes (exit 0)" test $? -eq 0
check "... showing progress of both phases" \
	grep -q 'rand' "$WORK/calib.out"
csa --json array show a3 > "$WORK/a3.json"
check "... and the measured figures are in the catalog" \
	grep -Eq '"calibrated": ?true' "$WORK/a3.json"
check "... not the 400 MB/s configured" \
	test -z "$(grep -E '"rated_mbps": ?400,' "$WORK/a3.json")"
finish
