#!/usr/bin/env bash
# The monitor, end to end, on arrays that really saturate: three tgt arrays,
# each in its own network namespace behind a tbf cap of 400 Mbit/s (about
# 50 MB/s each way), rated 50 MB/s. Two volumes on a1 reserve 10 MB/s each;
# fio, through a csafs mount, pushes one of them to about 3x its need and
# the other a little past it, together past the 85 % threshold of a1.
#
# Automatic: a1 becomes saturated; the primary, by itself, migrates the
# volume that fits it worst (the one furthest past its need) and not the
# other; with the load still running every array ends up under the
# threshold and a1 goes back to ok; the events say so in that order; fio's
# writes verified through the move and the data read back intact.
#
# Alert: when no array has the bandwidth to take a saturated array's volume,
# the primary raises an alert saying what to add (status and events), and
# clears it once the array is relieved.
#
# KEEP=DIR copies the logs (primary, csafs, fio, events, samples) to DIR.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
CSA=$BUILD/tools/csa
PRIMARYD=$BUILD/primary/csa-primaryd
CSAFS=$BUILD/fs/csafs
PORT=7451
PY=$(python3 -c 'import sys; print(sys.executable)') || skip "python3 is not installed"
T0=$SECONDS

[ -x "$CSAFS" ] || { echo "not ok - $CSAFS not built"; exit 1; }
command -v fio >/dev/null || skip "fio is not installed"
command -v ip >/dev/null || skip "ip (iproute2) is not installed"
command -v tc >/dev/null || skip "tc (iproute2) is not installed"
# Namespaces and tbf must work here, not only exist as commands.
probe=csa-probe-$$
if ! ip netns add "$probe" 2>/dev/null; then
	skip "ip netns does not work here"
fi
tc -n "$probe" qdisc add dev lo root tbf rate 400mbit burst 64k latency 50ms 2>/dev/null
probe_rc=$?
ip netns del "$probe" 2>/dev/null
[ "$probe_rc" -eq 0 ] || skip "tc tbf does not work here"

lab_start --arrays 3 --luns 1 --lun-size 256M --netns --rate 400mbit
. "$WORK/lab/lab.env"
D=$WORK/cluster
M=$WORK/m
EV=$WORK/events
csa() { "$CSA" --dir "$D" --primary "127.0.0.1:$PORT" "$@"; }
json() { csa --json "$@"; }
note() { echo "# $*"; }
elapsed() { echo $((SECONDS - $1)); }

# ---- the cluster -----------------------------------------------------------------
"$CSA" --dir "$D" init --name monitor >/dev/null
"$CSA" --dir "$D" cert issue --host h1 >/dev/null
PD=$(daemon_start "$WORK/primaryd.log" "$PRIMARYD" --dir "$D" \
	--listen "127.0.0.1:$PORT" --timeout 3000 \
	--window 3 --threshold 85 --low-mark 60)
for ((i = 0; i < 100; i++)); do csa status >/dev/null 2>&1 && break; sleep 0.2; done
for a in a1 a2 a3; do
	p=LAB_${a}_PORTAL t=LAB_${a}_TARGET
	csa array add "$a" --portal "${!p}" --target "${!t}" \
		--rated-mbps 50 --rated-iops 5k >/dev/null ||
		{ echo "not ok - csa array add $a (${!p})"; exit 1; }
done
mkdir -p "$M"
echo "$M" >> "$WORK/mounts"
FS=$(daemon_start "$WORK/csafs.log" "$CSAFS" "127.0.0.1:$PORT" "$M" -f \
	-o "cert=$D/h1.crt,key=$D/h1.key,ca=$D/ca/ca.crt")
for ((i = 0; i < 100; i++)); do mountpoint -q "$M" && break; sleep 0.2; done
check "csafs is mounted (3 arrays in namespaces, tbf 400 Mbit/s, rated 50 MB/s)" \
	mountpoint -q "$M"
mountpoint -q "$M" || finish

# The subscriber: .csa/events from the mount's start, as it comes.
EVR=$(daemon_start "$EV" timeout 600 cat "$M/.csa/events")

# ---- helpers ---------------------------------------------------------------------

# loads: "a1 STATE UTIL MBPS a2 ..." from array ls, the monitor's last sample.
loads() {
	json array ls 2>/dev/null | "$PY" -c '
import json, sys
try:
    arrays = json.load(sys.stdin)["arrays"]
except (ValueError, KeyError, TypeError):
    sys.exit(1)
out = []
for a in sorted(arrays, key=lambda a: a["name"]):
    l = a.get("load") or {}
    out.append("%s %s %s %s" % (a["name"], l.get("state", "-"), l.get("util", "-"), l.get("mbps", "-")))
print(" ".join(out))'
}
# state_of A: the monitor's state of array A ("" if unknown).
state_of() { loads | awk -v a="$1" '{for (i = 1; i < NF; i += 4) if ($i == a) print $(i + 1)}'; }
# max_util: the largest util over the arrays now.
max_util() { loads | awk '{m = 0; for (i = 3; i <= NF; i += 4) if ($i + 0 > m) m = $i + 0; print m}'; }
# arrays_of V: the arrays volume V is on, "a1" or "a2,a3".
arrays_of() {
	json volume show "$1" | "$PY" -c 'import json,sys; print(",".join(sorted(set(json.load(sys.stdin)["arrays"]))))'
}
# fit V: the monitor's measure of V, "ARRAY score S load L need N" per array.
fit() {
	json volume show "$1" | "$PY" -c '
import json, sys
for f in json.load(sys.stdin).get("load_fit") or []:
    print("%s score %.2f load %s need %s" % (f["array"], f["score"], f["load_mbps"], f["need_mbps"]), end="; ")'
}
# An event line is "STAMP NAME rest": the rest either readable
# ("array.load a1 saturated, 93% utilised, ...") or KEY=VALUE
# ("array.load array=a1 state=saturated util=93 ..."); these match both.
# ev_at N ERE...: the number of the first line after line N of the events
# that matches every ERE; nothing if none.
ev_at() {
	local after=$1; shift
	awk -v after="$after" -v pats="$(printf '%s\n' "$@")" '
		BEGIN { n = split(pats, p, "\n") }
		NR > after { for (i = 1; i <= n; i++) if (p[i] != "" && $0 !~ p[i]) next; print NR; exit }' "$EV"
}
ev_load() { echo "array\\.load (array=)?$1 (state=)?$2"; }	# A STATE
ev_mig() { echo "migration\\.$1 (.* )?(volume=)?$2( |$)"; }	# WHAT VOLUME
# wait_ev SECONDS N ERE...: wait until such an event is logged after line
# N; its line number.
wait_ev() {
	local s=$1 after=$2 i n; shift 2
	for ((i = 0; i < s * 5; i++)); do
		n=$(ev_at "$after" "$@")
		[ -n "$n" ] && { echo "$n"; return 0; }
		sleep 0.2
	done
	return 1
}
ev_text() { [ -n "$1" ] && sed -n "${1}p" "$EV" | cut -c1-240; }

# The sampler: the monitor's figures once a second, for the report.
sampler() {
	local t0=$SECONDS
	while [ ! -e "$WORK/stop-sampler" ]; do
		echo "t=$((SECONDS - t0)) $(loads)" >> "$WORK/loads"
		sleep 1
	done
}
sampler 2>/dev/null &
SAMPLER=$!
echo "$SAMPLER" >> "$WORK/pids"

# ---- two volumes on a1 -----------------------------------------------------------
# hot: reserves 10 MB/s, asks for about 33 (23 read, 5 written, 5 read back
# by fio's verify); cold: reserves 10 MB/s, asks for 15. Together 48 MB/s,
# about what tbf lets through: a1 runs at 90 % or more of its rating. On an
# array rated 50 their fit scores are about 2.3 and 0.5.
SZ=32M
for v in hot cold; do
	csa volume create "$v" --size "$SZ" --mbps 10 >/dev/null ||
		{ echo "not ok - csa volume create $v"; exit 1; }
	if [ "$(arrays_of "$v")" != a1 ]; then
		csa volume migrate "$v" --to a1 --wait >/dev/null 2>"$WORK/mig-$v.err" ||
			note "migrate $v --to a1: $(cat "$WORK/mig-$v.err")"
	fi
done
check "hot and cold (32 MiB, 10 MB/s each) both live on a1: $(arrays_of hot) $(arrays_of cold)" \
	test "$(arrays_of hot) $(arrays_of cold)" = "a1 a1"
# The data goes in and comes back at about 14 MB/s, 4 MiB at a time: at
# full speed, writing and reading back both volumes keeps a1 past the
# threshold for longer than the window, and the monitor would rightly move
# one of them before the test proper begins.
paced() {	# paced IF OF [DD_ARGS...]: copy 4 MiB at a time, pausing between
	local i if=$1 of=$2; shift 2
	for ((i = 0; i < 8; i++)); do
		dd if="$if" of="$of" bs=4M skip=$i seek=$i count=1 conv=notrunc "$@" status=none || return 1
		sleep 0.2
	done
}
for v in hot cold; do
	head -c "$SZ" /dev/urandom > "$WORK/$v.orig"
	paced "$WORK/$v.orig" "$M/$v" oflag=direct conv=fsync
	paced "$M/$v" "$WORK/$v.back" iflag=direct
done
check "their data is written" \
	bash -c "cmp -s '$WORK/hot.orig' '$WORK/hot.back' && cmp -s '$WORK/cold.orig' '$WORK/cold.back'"
L0=0
# Start from quiet arrays (writing and reading the data back loaded a1 for
# a moment), no migration under way.
quiet() {
	local st
	st=$(loads) || return 1
	[[ $st == "a1 ok "* ]] && [ "$(max_util)" -lt 60 ] &&
		! json migration ls | grep -q '"volume"' &&
		[ "$(arrays_of hot) $(arrays_of cold)" = "a1 a1" ]
}
# A rate is over the last second and counts for three: quiet four times in
# a row, a second apart, is quiet.
calm=0
for ((i = 0; i < 40 && calm < 4; i++)); do
	if quiet; then calm=$((calm + 1)); else calm=0; fi
	sleep 1
done
check "a1 is ok, nothing migrates and both are still on a1 before the load ($(loads))" \
	test "$calm" -ge 4
L0=$(wc -l < "$EV")	# the events of the test proper come after this line

# ---- the load ------------------------------------------------------------------------
MB=1000000
fio --output="$WORK/fio.out" --direct=1 --ioengine=libaio --iodepth=4 \
	--time_based --runtime=400 --bs=256k --group_reporting=0 \
	--name=hot-read --filename="$M/hot" --rw=randread --offset=0 --size=16M \
	--rate=$((23 * MB)) \
	--name=hot-write --filename="$M/hot" --rw=randwrite --offset=16M --size=16M \
	--rate=,$((5 * MB)) --verify=crc32c --verify_backlog=8 --verify_fatal=1 --verify_state_save=0 \
	--randseed=4242 \
	--name=cold-read --filename="$M/cold" --rw=randread --offset=0 --size=32M \
	--rate=$((15 * MB)) \
	>/dev/null 2>"$WORK/fio.err" &
FIO=$!
echo "$FIO" >> "$WORK/pids"
t_load=$SECONDS

# ---- a1 saturates ------------------------------------------------------------------------
l_sat=$(wait_ev 60 "$L0" "$(ev_load a1 saturated)")
t_sat=$(elapsed "$t_load")
check "a1 becomes saturated (${t_sat} s after the load began): $(ev_text "$l_sat")" \
	test -n "$l_sat"
# bail: what follows depends on what failed; stop early, with the logs.
bail() {
	note "primary's log:"; tail -20 "$WORK/primaryd.log" | sed 's/^/#   /'
	note "events:"; tail -n +$((L0 + 1)) "$EV" | grep -v region | tail -20 | sed 's/^/#   /'
	note "samples:"; tail -20 "$WORK/loads" | sed 's/^/#   /'
	finish
}
[ -n "$l_sat" ] || bail
note "at saturation: $(loads)"

# ---- the primary moves hot, by itself ------------------------------------------------------
l_start=$(wait_ev 60 "$L0" "$(ev_mig started '(hot|cold)')")
t_start=$SECONDS
check "the primary starts a migration by itself ($(elapsed "$t_load") s after the load began): $(ev_text "$l_start")" \
	test -n "$l_start"
[ -n "$l_start" ] || bail
check "... of hot, the worse fit" test -n "$(ev_at "$L0" "$(ev_mig started hot)")"
check "... for a reason that starts with \"monitor:\" and names a1" \
	test -n "$(ev_at "$L0" "$(ev_mig started hot)" 'monitor: a1 ')"
json migration ls > "$WORK/mig.json" 2>&1
note "migration: $(tr -d '\n' < "$WORK/mig.json" | tr -s ' ' | cut -c1-400)"
l_done=$(wait_ev 90 "$L0" "$(ev_mig 'done' hot)")
t_mig=$(elapsed "$t_start")
check "the migration of hot completes (in ${t_mig} s): $(ev_text "$l_done")" test -n "$l_done"
[ -n "$l_done" ] || bail
hot_to=$(arrays_of hot)
check "hot now lives off a1 ($hot_to); cold stays on a1 ($(arrays_of cold))" \
	bash -c "[[ '$hot_to' != *a1* && -n '$hot_to' && '$(arrays_of cold)' == a1 ]]"

# ---- the load, still running, fits --------------------------------------------------------
l_ok=$(wait_ev 30 "$L0" "$(ev_load a1 ok)")
check "a1 is back to ok (after the low-mark window, $(elapsed "$t_start") s after the migration began): $(ev_text "$l_ok")" \
	test -n "$l_ok"
under() {	# 5 consecutive samples with every array under 85 %
	local i n=0
	for ((i = 0; i < 40 && n < 5; i++)); do
		if [ "$(max_util)" -lt 85 ]; then n=$((n + 1)); else n=0; fi
		sleep 1
	done
	[ "$n" -ge 5 ]
}
check "with the load still running every array stays under 85 % (5 samples in a row)" under
note "after: $(loads)"
note "fit: hot: $(fit hot)"
note "fit: cold: $(fit cold)"
check "fio is still running (no verify failure through the move)" kill -0 "$FIO"
n_mig=$(tail -n +$((L0 + 1)) "$EV" | grep -c 'migration\.started')
check "the primary moved nothing else: $n_mig migration, cold never moved" \
	test "$n_mig" -eq 1 -a -z "$(ev_at "$L0" "$(ev_mig started cold)")"
# a1 may be back to ok before the last regions have moved: the load has
# left it once most of hot is on its new array.
check "the events come in order: a1 saturated ($l_sat) < hot started ($l_start) < done ($l_done); started < a1 ok ($l_ok)" \
	test -n "$l_sat" -a -n "$l_start" -a -n "$l_done" -a -n "$l_ok" -a \
	"${l_sat:-0}" -lt "${l_start:-0}" -a "${l_start:-0}" -lt "${l_done:-0}" -a \
	"${l_start:-0}" -lt "${l_ok:-0}"

kill -INT "$FIO" 2>/dev/null
wait "$FIO"
check "fio's jobs ended without an error" \
	bash -c "[ \$(grep -c 'err= 0' '$WORK/fio.out') -eq 3 ] && ! grep -Eq 'verify: bad|verify failed' '$WORK/fio.out' '$WORK/fio.err'"
check "hot's first half and all of cold read back as written" \
	bash -c "cmp -s -n 16777216 '$WORK/hot.orig' '$M/hot' && cmp -s '$WORK/cold.orig' '$M/cold'"
check "fio --verify_only finds hot's second half as fio last wrote it" \
	fio --output="$WORK/fio-verify.out" --direct=1 --ioengine=psync --bs=256k \
	--name=hot-write --filename="$M/hot" --rw=randwrite --offset=16M --size=16M \
	--verify=crc32c --verify_only --verify_fatal=1 --verify_state_save=0 --randseed=4242 \
	--rate=$((20 * MB))

# ---- no placement relieves a1: an alert --------------------------------------------------
# Reserve what is left of the other arrays (2 MB/s free on each), then push
# cold alone past a1's threshold: it cannot go anywhere.
others=$(printf '%s\n' a2 a3 | grep -vx "$hot_to")
csa volume create fill1 --size 4M --mbps 48 >/dev/null
[ "$(arrays_of fill1)" = "$others" ] ||
	csa volume migrate fill1 --to "$others" --wait >/dev/null 2>&1
csa volume create fill2 --size 4M --mbps 38 >/dev/null
[ "$(arrays_of fill2)" = "$hot_to" ] ||
	csa volume migrate fill2 --to "$hot_to" --wait >/dev/null 2>&1
check "fillers reserve all but 2 MB/s of $others (fill1: $(arrays_of fill1)) and $hot_to (hot and fill2: $(arrays_of fill2))" \
	test "$(arrays_of fill1) $(arrays_of fill2)" = "$others $hot_to"
for ((i = 0; i < 50; i++)); do [ "$(state_of a1)" = ok ] && break; sleep 0.2; done
l_mark=$(wc -l < "$EV")
fio --output="$WORK/fio2.out" --direct=1 --ioengine=libaio --iodepth=4 \
	--time_based --runtime=400 --bs=256k \
	--name=cold-read --filename="$M/cold" --rw=randread --rate=$((48 * MB)) \
	>/dev/null 2>&1 &
FIO2=$!
echo "$FIO2" >> "$WORK/pids"
t_load=$SECONDS
for ((i = 0; i < 60 * 5; i++)); do
	l_alert=$(ev_at "$l_mark" '(^| )alert (array=)?a1')
	[ -n "$l_alert" ] && break
	sleep 0.2
done
check "with cold alone at ~48 MB/s a1 saturates again and an alert is raised ($(elapsed "$t_load") s): $(ev_text "$l_alert")" \
	test -n "$l_alert"
note "at the alert: $(loads)"
json status > "$WORK/status.json"
alert=$("$PY" -c '
import json, sys
for a in json.load(open(sys.argv[1])).get("alerts") or []:
    if a["array"] == "a1":
        print(a["message"])' "$WORK/status.json")
check "csa status lists it: \"$alert\"" grep -q 'add an array with' <<<"$alert"
check "... naming cold and a1" bash -c "grep -qw cold <<<\"\$1\" && grep -qw a1 <<<\"\$1\"" _ "$alert"
check "... and nothing was migrated" \
	test -z "$(ev_at "$l_mark" 'migration\.started')"
kill -INT "$FIO2" 2>/dev/null
wait "$FIO2"
l_clr=''
for ((i = 0; i < 30 * 5; i++)); do
	l_clr=$(ev_at "$l_alert" '(^| )alert\.cleared (array=)?a1')
	[ -n "$l_clr" ] && break
	sleep 0.2
done
check "without the load, a1 goes back to ok and the alert is cleared: $(ev_text "$l_clr")" \
	test -n "$l_clr"
no_alerts() {
	json status | "$PY" -c 'import json, sys; sys.exit(len(json.load(sys.stdin)["alerts"]))'
}
check "... and csa status lists no alert" no_alerts

check "the primary and csafs ran through it all" kill -0 "$PD" "$FS"

note "the events:"
grep -E 'array\.load|migration\.(started|done|failed)|alert' "$EV" | cut -c1-200 | sed 's/^/#   /'
note "samples (t, then per array: state util MB/s), every other one:"
sed 's/^/#   /' "$WORK/loads" | awk 'NR % 2 == 1'
note "runtime $((SECONDS - T0)) s"
touch "$WORK/stop-sampler"
wait "$SAMPLER"
daemon_stop "$EVR" >/dev/null
[ -n "${KEEP:-}" ] && mkdir -p "$KEEP" && cp "$WORK"/*.out "$WORK"/*.log "$EV" "$WORK/loads" "$KEEP"/
finish
