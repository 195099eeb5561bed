#!/usr/bin/env bash
# A mirrored volume: reads go on with one array down; a write cannot be
# acknowledged without every copy; all is well once the array is back.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

lab_start --arrays 4 --luns 1 --lun-size 128M --base-port 3321
lab_layout --size 96M --columns 2 --copies 2 --stripe-unit 64k \
	> "$WORK/vol.json"

check "write 96 MiB to a 2-column, 2-copy volume" \
	bench -l "$WORK/vol.json" --rw write --verify --gen 7
( sleep 2; "$LAB" down a1 --dir "$WORK/lab" >/dev/null ) &
downer=$!
check "a1 goes down under random reads: they go on from the other copy" \
	bench -l "$WORK/vol.json" --rw randread --verify --gen 7 --bs 16k \
	--time 8s --timeout 2s
wait $downer
check "with a1 down, every byte still reads back right" \
	bench -l "$WORK/vol.json" --rw read --verify --gen 7 --timeout 3s
check "with a1 down, random reads are served by the other copy" \
	bench -l "$WORK/vol.json" --rw randread --verify --gen 7 --bs 4k \
	--time 3s --timeout 3s
check_fails "with a1 down, a write is not acknowledged" \
	bench -l "$WORK/vol.json" --rw write --size 1M --timeout 3s
"$LAB" up a1 --dir "$WORK/lab" >/dev/null
check "a1 back: write and read the whole volume again" \
	bench -l "$WORK/vol.json" --rw write --verify --gen 8
finish
