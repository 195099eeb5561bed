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

"$LAB" down a3 --dir "$WORK/lab" >/dev/null
t0=$(date +%s%N)
bench -l "$vol" --rw read --size 4M --timeout 4s >"$WORK/out" 2>&1
rc=$?
t1=$(date +%s%N)
ms=$(( (t1 - t0) / 1000000 ))
cat "$WORK/out"
check "a3 down for good: the read fails (exit 1)" test "$rc" -eq 1
check "the error says the I/O timed out" grep -q "timed out" "$WORK/out"
check "it fails within the 4 s timeout plus a tick ($ms ms)" \
	test "$ms" -ge 3500 -a "$ms" -lt 9000
finish
