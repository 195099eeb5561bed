#!/usr/bin/env bash
# Data through the striper over 4 real arrays: read back byte for byte, and
# every stripe unit found where an independent reference says, in the LUN
# backing files themselves.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

lab_start --arrays 4 --luns 2 --lun-size 256M --base-port 3311
lab_layout --size 200M --columns 4 --stripe-unit 64k > "$WORK/vol.json"

check "write 200 MiB with pattern generation 42" \
	bench -l "$WORK/vol.json" --rw write --verify --gen 42 --qd 16
check "read it all back, every byte checked" \
	bench -l "$WORK/vol.json" --rw read --verify --gen 42 --qd 8
check_fails "the check catches data of another generation" \
	bench -l "$WORK/vol.json" --rw read --verify --gen 43 --size 1M

# Reference placement: recompute, for every stripe unit, the array, LUN
# and LBA it must be at, and compare the pattern words at both ends of the
# unit with the backing file's bytes at that place.
check "every stripe unit is at the LUN and LBA the reference says" \
python3 - "$WORK/vol.json" "$WORK/lab/lab.json" 42 <<'PY'
import json, struct, sys
M = (1 << 64) - 1
def mix(x):
    x = (x + 0x9e3779b97f4a7c15) & M
    x = ((x ^ (x >> 30)) * 0xbf58476d1ce4e5b9) & M
    x = ((x ^ (x >> 27)) * 0x94d049bb133111eb) & M
    return x ^ (x >> 31)
def word(off, gen):
    return mix(off ^ mix(gen))
lay = json.load(open(sys.argv[1])); lab = json.load(open(sys.argv[2]))
gen = int(sys.argv[3])
files = {(a["name"], l["lun"]): l["file"] for a in lab["arrays"] for l in a["luns"]}
su, bs, C = lay["stripe_unit"], lay["block_size"], len(lay["columns"])
handles, bad = {}, 0
for u in range(lay["size"] // su):
    col, row = u % C, u // C
    blk = row * su // bs
    for e in lay["columns"][col]["copies"][0]:
        if blk < e["blocks"]:
            break
        blk -= e["blocks"]
    key = (e["array"], e["lun"])
    f = handles.setdefault(key, open(files[key], "rb"))
    base = (e["start_lba"] + blk) * bs
    for delta in (0, su - 8):
        f.seek(base + delta)
        got = struct.unpack("<Q", f.read(8))[0]
        if got != word(u * su + delta, gen):
            bad += 1
            if bad < 5:
                print(f"unit {u}: {key} byte {base + delta}: {got:#x}")
print(f"{lay['size'] // su} stripe units checked, {bad} misplaced")
sys.exit(1 if bad else 0)
PY

# Unaligned requests on real arrays: 1000-byte writes, neighbours sharing
# blocks, 32 in flight: every byte must land (read-modify-write locking).
check "1000-byte unaligned writes, 32 in flight, read back intact" \
	bench -l "$WORK/vol.json" --rw write --verify --gen 5 --bs 1000 \
	--qd 32 --size 8000000
check "random 4 KiB writes land where they belong" \
	bench -l "$WORK/vol.json" --rw randwrite --verify --gen 6 --bs 4k \
	--qd 32 --size 32M --bytes 16M
# Two LUNs of one target share one session; the engine counts each.
. "$WORK/lab/lab.env"
u1="iscsi://$LAB_a1_PORTAL/$LAB_a1_TARGET/1"
u2="iscsi://$LAB_a1_PORTAL/$LAB_a1_TARGET/2"
check "two LUNs of a1 in one session: 32 MiB each written and verified" \
	bench --lun "$u1" --lun "$u2" --rw write --verify --gen 9 --size 32M \
	--offset 200M --stats --qd 8
bench --lun "$u1" --lun "$u2" --rw read --size 8M --offset 200M --stats \
	--qd 4 > "$WORK/stats" 2>&1
cat "$WORK/stats"
check "the engine counted 8 reads of 1 MiB (8 MiB) on each LUN" \
	test "$(grep -c ' 8 *0 *8 *0 *0 ' "$WORK/stats")" -eq 2
bench --lun "$u1" --lun "$u2" --rw read --time 3s --offset 200M >/dev/null &
loader=$!
sleep 1.5
nexus=$(tgtadm -C "$LAB_a1_CONTROL_PORT" --lld iscsi --mode target --op show |
	grep -c "I_T nexus: ")
wait $loader
check "while both LUNs are loaded, a1 sees one session ($nexus)" \
	test "$nexus" -eq 1
finish
