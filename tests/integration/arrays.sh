#!/usr/bin/env bash
# What an array offers, asked of real tgt arrays: SendTargets discovery,
# REPORT LUNS without tgt's controller LUN 0, clear and quick failures for
# a closed portal, a silent one and a wrong target name, and a calibration
# that measures something, reports progress, only reads, can be cancelled
# and stops at the first I/O error.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
PROBE=$BUILD/tests/arrays_probe
TIMEOUT_MS=2000

[ -x "$PROBE" ] || { echo "not ok - $PROBE not built"; exit 1; }

lab_start --arrays 2 --luns 2 --lun-size 64M --base-port 3361
. "$WORK/lab/lab.env"

# Listeners this test starts (by PID) to play arrays that do not answer.
pids=()
stop_listeners() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	pids=()
}
trap 'stop_listeners; cleanup' EXIT

ms_now() { echo $(( $(date +%s%N) / 1000000 )); }

# probe_timed ARGS...: run the probe with the test's timeout; sets rc, ms.
probe_timed() {
	local t0
	t0=$(ms_now)
	"$PROBE" -t "$TIMEOUT_MS" "$@" > "$WORK/out" 2> "$WORK/err"
	rc=$?
	ms=$(( $(ms_now) - t0 ))
}

# ---- discovery -------------------------------------------------------

probe_timed targets "$LAB_a1_PORTAL"
check "discovery at a1's portal succeeds" test "$rc" -eq 0
check "... and names exactly a1's target ($LAB_a1_TARGET)" \
	test "$(cat "$WORK/out")" = "$LAB_a1_TARGET"
probe_timed targets "$LAB_a2_PORTAL"
check "discovery at a2's portal names exactly a2's target" \
	test "$(cat "$WORK/out")" = "$LAB_a2_TARGET"

# ---- REPORT LUNS -----------------------------------------------------

probe_timed luns "$LAB_a1_PORTAL" "$LAB_a1_TARGET"
check "a1 reports LUNs \"1 2\" (tgt's controller LUN 0 left out)" \
	test "$rc" -eq 0 -a "$(cat "$WORK/out")" = "1 2"

probe_timed luns "$LAB_a1_PORTAL" "iqn.2026-11.org.csafs.lab:nosuch"
check "a target name a1 does not have is refused" test "$rc" -eq 1
check "... saying there is no such target" grep -q "no target" "$WORK/err"
check "... naming it" grep -q "iqn.2026-11.org.csafs.lab:nosuch" "$WORK/err"

# ---- portals that do not answer --------------------------------------

closed=127.0.0.1:3369
if ss -Htln "sport = :3369" | grep -q .; then
	not_ok "port 3369 should be free for the closed-portal checks"
fi
probe_timed targets "$closed"
check "discovery at $closed, where nothing listens, fails" test "$rc" -eq 1
check "... saying the connection was refused" grep -q "refused" "$WORK/err"
check "... within the timeout (${ms} ms of $TIMEOUT_MS)" \
	test "$ms" -lt "$TIMEOUT_MS"
probe_timed luns "$closed" "$LAB_a1_TARGET"
check "REPORT LUNS at $closed fails with \"refused\" too" \
	grep -q "refused" "$WORK/err"

if command -v python3 >/dev/null; then
	# A listener that accepts and then never says a word: the login
	# must time out.
	python3 -c '
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 3368)); s.listen(8); print("up", flush=True)
conns = []
while True:
	c, _ = s.accept(); conns.append(c)
' > "$WORK/mute.log" &
	pids+=($!)
	# A listener whose accept queue is full, so that the kernel drops
	# new SYNs: the TCP connect itself never completes.
	python3 -c '
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 3367)); s.listen(0)
fill = []
for i in range(4):
	c = socket.socket(); c.setblocking(False)
	try: c.connect(("127.0.0.1", 3367))
	except OSError: pass
	fill.append(c)
print("up", flush=True)
time.sleep(600)
' > "$WORK/full.log" &
	pids+=($!)
	for _ in $(seq 50); do
		grep -q up "$WORK/mute.log" && grep -q up "$WORK/full.log" && break
		sleep 0.1
	done
	probe_timed targets 127.0.0.1:3368
	check "discovery at a portal that never answers the login fails" \
		test "$rc" -eq 1
	check "... saying it got no answer" grep -q "no answer" "$WORK/err"
	check "... after the timeout and not much later (${ms} ms)" \
		test "$ms" -ge "$TIMEOUT_MS" -a "$ms" -lt $(( TIMEOUT_MS + 1000 ))
	probe_timed targets 127.0.0.1:3367
	check "discovery at a portal that drops the connection request fails" \
		test "$rc" -eq 1
	check "... within the timeout too (${ms} ms): connect is bounded" \
		test "$ms" -lt $(( TIMEOUT_MS + 1000 ))
	stop_listeners
else
	ok "# skip: no python3 for the silent-portal checks"
fi

# ---- calibration -----------------------------------------------------

# Data on every LUN, inside the reserved 4 MiB and past it, so that the
# checksums below would see any write.
files=()
for a in a1; do
	for l in 1 2; do
		f=LAB_${a}_LUN${l}_FILE
		files+=("${!f}")
		dd if=/dev/urandom of="${!f}" bs=1M count=2 conv=notrunc \
			status=none
		dd if=/dev/urandom of="${!f}" bs=1M count=8 seek=20 \
			conv=notrunc status=none
	done
done
sha256sum "${files[@]}" > "$WORK/before.sha"

"$PROBE" calibrate "$LAB_a1_PORTAL" "$LAB_a1_TARGET" 2 > "$WORK/calib" \
	2> "$WORK/err"
rc=$?
sed 's/^/# /' "$WORK/calib" "$WORK/err"
check "calibration of a1 (2 s per phase) succeeds" test "$rc" -eq 0
result=$(grep '^result ' "$WORK/calib")
mbps=$(sed -n 's/.* mbps=\([0-9]*\).*/\1/p' <<< "$result")
iops=$(sed -n 's/.* iops=\([0-9]*\).*/\1/p' <<< "$result")
check "... over both of a1's LUNs" grep -q "result luns=2 " "$WORK/calib"
check "... measures MB/s > 0 (${mbps:-none})" test "${mbps:-0}" -gt 0
check "... and IOPS > 0 (${iops:-none})" test "${iops:-0}" -gt 0
check "... reporting progress at least twice in each phase" \
	test "$(grep -c '^progress seq ' "$WORK/calib")" -ge 2 -a \
	     "$(grep -c '^progress rand ' "$WORK/calib")" -ge 2
check "... and only reading: the LUN files' checksums are unchanged" \
	sha256sum --quiet -c "$WORK/before.sha"

"$PROBE" calibrate "$LAB_a1_PORTAL" "$LAB_a1_TARGET" 20 > "$WORK/calib" \
	2> "$WORK/err" &
cpid=$!
sleep 1.5
t0=$(ms_now)
kill -INT "$cpid"
wait "$cpid"
rc=$?
ms=$(( $(ms_now) - t0 ))
check "a calibration interrupted by its cancel flag stops" test "$rc" -eq 1
check "... saying it was cancelled" grep -q "cancelled" "$WORK/err"
check "... soon (${ms} ms after the flag was set)" test "$ms" -lt 1000

# a1 crashes under calibration: the reads time out (engine I/O timeout
# 2 x 1000 ms) and the first failure ends the calibration, naming the LUN.
t0=$(ms_now)
"$PROBE" -t 1000 calibrate "$LAB_a1_PORTAL" "$LAB_a1_TARGET" 10 \
	> "$WORK/calib" 2> "$WORK/err" &
cpid=$!
sleep 1.5
"$LAB" down a1 --dir "$WORK/lab" >/dev/null
wait "$cpid"
rc=$?
ms=$(( $(ms_now) - t0 ))
sed 's/^/# /' "$WORK/err"
check "a calibration whose array goes down fails" test "$rc" -eq 1
check "... naming the LUN and the error" \
	grep -q "$LAB_a1_TARGET LUN [12]: a read failed .*timed out" "$WORK/err"
check "... at the first failure, not at the end of the phase (${ms} ms)" \
	test "$ms" -lt 8000
finish
