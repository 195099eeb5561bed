#!/usr/bin/env bash
# An array restarted under load costs no I/O error; one that stays down
# fails I/O with a clear error within the timeout instead of hanging.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

lab_start --arrays 4 --luns 1 --lun-size 128M --base-port 3331
lab_layout --size 64M --columns 4 --stripe-unit 64k > "$WORK/vol.json"
vol=$WORK/vol.json

check "fill the volume" bench -l "$vol" --rw write --verify --gen 3

restart_a2() {
	sleep 3
	"$LAB" down a2 --dir "$WORK/lab" >/dev/null
	sleep 2
	"$LAB" up a2 --dir "$WORK/lab" >/dev/null
}
restart_a2 &
restarter=$!
check "random reads for 12 s while a2 restarts: no error, data right" \
	bench -l "$vol" --rw randread --verify --gen 3 --bs 64k --time 12s
wait $restarter

restart_a2 &
restarter=$!
check "writes for 12 s while a2 restarts: no error, then all verified" \
	bench -l "$vol" --rw write --verify --gen 4 --time 12s --qd 16
wait $restarter

# a3 goes down for good under load: the I/O that needs it must fail with
# a clear error once the 4 s timeout has passed, not hang.
bench -l "$vol" --rw read --time 60s --timeout 4s >"$WORK/out" 2>&1 &
bencher=$!
sleep 2
"$LAB" down a3 --dir "$WORK/lab" >/dev/null
t0=$(date +%s%N)
for _ in $(seq 300); do kill -0 $bencher 2>/dev/null || break; sleep 0.1; done
t1=$(date +%s%N)
kill $bencher 2>/dev/null
wait $bencher
rc=$?
ms=$(( (t1 - t0) / 1000000 ))
cat "$WORK/out"
check "a3 down for good under load: csa-bench fails (exit 1)" test "$rc" -eq 1
check "the error says the I/O timed out" grep -q "timed out" "$WORK/out"
check "it fails after the 4 s timeout, within a few ticks ($ms ms)" \
	test "$ms" -ge 3000 -a "$ms" -lt 9000

bench -l "$vol" --rw read --size 1M >"$WORK/out" 2>&1
rc=$?
cat "$WORK/out"
check "opening the volume with a3 down fails at once (exit 2)" test "$rc" -eq 2
check "and says a3 refused the connection" grep -q "3333.*refused" "$WORK/out"
finish
