#!/usr/bin/env bash
# csafs on real arrays, through real system calls: volumes are files of
# their size; data written through one mount reads back byte for byte
# from a fresh mount and from a second host, and lies in the LUN files
# where the layout says; touch, truncate (sizing and growing, zeros in the
# new space, never shrinking), rm refused while another host holds the
# file open; I/O going on while the primary is away, and the host taking
# new volumes once it is back. Mounting fails with a sentence when the
# primary cannot be reached or refuses the certificate.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
CSA=$BUILD/tools/csa
PRIMARYD=$BUILD/primary/csa-primaryd
CSAFS=$BUILD/fs/csafs
PORT=7391
MiB=$((1 << 20))

[ -x "$CSAFS" ] || { echo "not ok - $CSAFS not built"; exit 1; }
[ -c /dev/fuse ] || skip "no /dev/fuse"
command -v fusermount3 >/dev/null || skip "fusermount3 is not installed"

lab_start --arrays 3 --luns 2 --lun-size 96M --base-port 3401
. "$WORK/lab/lab.env"
D=$WORK/cluster
csa() { "$CSA" --dir "$D" --primary "127.0.0.1:$PORT" "$@"; }
portal() { local v=LAB_${1}_PORTAL; echo "${!v}"; }
target() { local v=LAB_${1}_TARGET; echo "${!v}"; }

# primary_up: start csa-primaryd and wait until it answers.
primary_up() {
	local i
	PD=$(daemon_start "$WORK/primaryd.log" "$PRIMARYD" --dir "$D" \
		--listen "127.0.0.1:$PORT" --timeout 3000 --io-timeout 3000)
	for ((i = 0; i < 100; i++)); do
		csa status >/dev/null 2>&1 && return 0
		kill -0 "$PD" 2>/dev/null || break
		sleep 0.2
	done
	cat "$WORK/primaryd.log"
	return 1
}

# mount_up NAME HOST: csafs as HOST (its certificate) on $WORK/NAME, in the
# foreground under daemon_start; waits until it is a mount point.
declare -A FS_PID
mount_up() {
	local m=$WORK/$1 i
	mkdir -p "$m"
	echo "$m" >> "$WORK/mounts"
	FS_PID[$1]=$(daemon_start "$WORK/$1.log" "$CSAFS" "127.0.0.1:$PORT" \
		"$m" -f -o "cert=$D/$2.crt,key=$D/$2.key,ca=$D/ca/ca.crt")
	for ((i = 0; i < 100; i++)); do
		mountpoint -q "$m" && return 0
		kill -0 "${FS_PID[$1]}" 2>/dev/null || break
		sleep 0.1
	done
	cat "$WORK/$1.log"
	return 1
}

# mount_down NAME: unmount; 0 once its daemon has ended by itself.
mount_down() {
	fusermount3 -u "$WORK/$1" || return 1
	wait_gone "${FS_PID[$1]}" 10
}

# wait_for SECONDS CMD...: 0 as soon as CMD succeeds, 1 at the timeout.
wait_for() {
	local i n=$(($1 * 5)); shift
	for ((i = 0; i < n; i++)); do
		"$@" 2>/dev/null && return 0
		sleep 0.2
	done
	return 1
}

size_is() { [ "$(stat -c %s "$1" 2>/dev/null)" = "$2" ]; }
zeros() { cmp -s -n "$3" -i "$2:0" "$1" /dev/zero; }	# FILE OFF LEN
same() { cmp -s -n "$4" -i "$2:$3" "$1" "$5"; }	# A AOFF BOFF LEN B
xattr() { python3 -c 'import os, sys; print(os.getxattr(sys.argv[1], sys.argv[2]).decode())' "$@"; }
setxattr() { python3 -c 'import os, sys; os.setxattr(sys.argv[1], sys.argv[2], sys.argv[3].encode())' "$@"; }

"$CSA" --dir "$D" init --name mtest >/dev/null
for h in h1 h2; do "$CSA" --dir "$D" cert issue --host "$h" >/dev/null; done
check "csa-primaryd starts" primary_up
for a in a1 a2 a3; do
	csa array add "$a" --portal "$(portal $a)" --target "$(target $a)" \
		--rated-mbps 400 --rated-iops 20k >/dev/null
done
check "v1 (48 MiB, 600 MB/s: 2 columns) is created" \
	csa volume create v1 --size 48M --mbps 600
M1=$WORK/m1 M2=$WORK/m2

# ---- mounting ---------------------------------------------------------
"$CSAFS" 127.0.0.1:7399 "$WORK/mx" -o "cert=$D/h1.crt,key=$D/h1.key,ca=$D/ca/ca.crt" \
	>"$WORK/mx.out" 2>&1
rc=$?
check "without a primary, csafs exits 1" test $rc -eq 1
check "... saying so: $(cat "$WORK/mx.out")" \
	grep -q 'cannot reach the primary at 127.0.0.1:7399' "$WORK/mx.out"
"$CSA" --dir "$WORK/other" init --name other >/dev/null
"$CSA" --dir "$WORK/other" cert issue --host h1 >/dev/null
"$CSAFS" 127.0.0.1:$PORT "$WORK/mx" -f -o "cert=$WORK/other/h1.crt,key=$WORK/other/h1.key,ca=$WORK/other/ca/ca.crt" \
	>"$WORK/mx.out" 2>&1
rc=$?
check "with another cluster's certificate, csafs exits 1" test $rc -eq 1
check "... saying why: $(cat "$WORK/mx.out")" \
	grep -q 'TLS' "$WORK/mx.out"

check "csafs mounts as host h1" mount_up m1 h1
check "v1 is a file of 48 MiB" size_is "$M1/v1" $((48 * MiB))
check "the root lists .csa" test -d "$M1/.csa"
check "csafs --help names the options, files and exit status" \
	bash -c "'$CSAFS' --help | grep -q 'EXIT STATUS' && '$CSAFS' --help | grep -q 'fuse.csafs'"

# ---- data ----------------------------------------------------------------
head -c $((48 * MiB)) /dev/urandom > "$WORK/src"
check "dd writes 24 MiB with O_DIRECT" \
	dd if="$WORK/src" of="$M1/v1" bs=1M count=24 oflag=direct conv=notrunc \
	status=none
check "dd writes 24 MiB more through the page cache, conv=fsync" \
	dd if="$WORK/src" of="$M1/v1" bs=1M skip=24 seek=24 conv=notrunc,fsync \
	status=none
check "python os.fsync on the file succeeds" python3 -c '
import os, sys
fd = os.open(sys.argv[1], os.O_RDWR)
os.pwrite(fd, os.pread(fd, 4096, 0), 0)
os.fsync(fd)' "$M1/v1"
check "the same mount reads it back byte for byte" cmp -s "$WORK/src" "$M1/v1"

# Every stripe unit of v1 in the LUN backing files where its layout says.
xattr "$M1/v1" user.csa.layout > "$WORK/v1.layout"
check "user.csa.layout holds v1's layout" grep -q '"stripe_unit"' "$WORK/v1.layout"
check "the LUN files hold the data where the layout says" \
python3 - "$WORK/v1.layout" "$WORK/lab/lab.json" "$WORK/src" <<'PY'
import json, sys
lay = json.load(open(sys.argv[1])); lab = json.load(open(sys.argv[2]))
src = open(sys.argv[3], "rb").read()
files = {(a["name"], l["lun"]): l["file"] for a in lab["arrays"] for l in a["luns"]}
su, bs, C = lay["stripe_unit"], lay["block_size"], len(lay["columns"])
bad = 0
for u in range(lay["size"] // su):
    col, row = u % C, u // C
    for copy in lay["columns"][col]["copies"]:
        blk = row * su // bs
        for e in copy:
            if blk < e["blocks"]:
                break
            blk -= e["blocks"]
        with open(files[(e["array"], e["lun"])], "rb") as f:
            f.seek((e["start_lba"] + blk) * bs)
            if f.read(su) != src[u * su:(u + 1) * su]:
                bad += 1
print(f"{lay['size'] // su} stripe units checked, {bad} not found")
sys.exit(1 if bad else 0)
PY

check "unmounted: csafs ends by itself" mount_down m1
check "mounted again" mount_up m1 h1
check "a fresh mount reads v1 back byte for byte" cmp -s "$WORK/src" "$M1/v1"
check "csafs mounts as host h2 on a second mount point" mount_up m2 h2
check "the second host reads v1 back byte for byte" cmp -s "$WORK/src" "$M2/v1"
head -c $MiB /dev/urandom > "$WORK/mib"
dd if="$WORK/mib" of="$M2/v1" bs=1M seek=5 conv=notrunc status=none
check "a MiB written on h2 is read on h1 at once (no page cache)" \
	same "$M1/v1" $((5 * MiB)) 0 $MiB "$WORK/mib"
dd if="$WORK/src" of="$M2/v1" bs=1M skip=5 seek=5 count=1 conv=notrunc status=none

# ---- touch, truncate ---------------------------------------------------
# Leave random bytes on the LUNs where the next volume will be placed: its
# new space must read as zeros all the same.
csa volume create junk --size 64M >/dev/null
check "junk appears on h1" wait_for 10 test -e "$M1/junk"
head -c $((64 * MiB)) /dev/urandom | dd of="$M1/junk" bs=1M iflag=fullblock \
	oflag=direct conv=notrunc status=none
check "rm junk: deleted" rm "$M1/junk"

check "touch e1 makes an empty volume" touch "$M1/e1"
check "... a file of size 0" size_is "$M1/e1" 0
check "... that h2 sees too" wait_for 10 size_is "$M2/e1" 0
check "user.csa.copies reads 1" test "$(xattr "$M1/e1" user.csa.copies)" = 1
check "user.csa.mbps can be set while e1 is empty" \
	setxattr "$M1/e1" user.csa.mbps 300
check "... and reads back 300" test "$(xattr "$M1/e1" user.csa.mbps)" = 300
check "truncate -s 0 of the empty e1 succeeds (nothing to do)" \
	truncate -s 0 "$M1/e1"
check "truncate -s 16M sizes e1" truncate -s 16M "$M1/e1"
check "... to 16 MiB" size_is "$M1/e1" $((16 * MiB))
check "... on h2 too" wait_for 10 size_is "$M2/e1" $((16 * MiB))
check "... and its space reads as zeros" zeros "$M1/e1" 0 $((16 * MiB))
check_fails "user.csa.mbps cannot be set once e1 is sized" \
	setxattr "$M1/e1" user.csa.mbps 100
dd if="$WORK/src" of="$M1/e1" bs=1M count=16 oflag=direct conv=notrunc status=none
# h2 reads e1 through one open file all along, while h1 grows it: the new
# map is taken without a reopen, and no read fails meanwhile.
python3 - "$M2/e1" "$WORK/mib" "$WORK/ready" <<'PY' &
import os, sys, time
fd = os.open(sys.argv[1], os.O_RDONLY | os.O_DIRECT)
want = open(sys.argv[2], "rb").read()
open(sys.argv[3], "w").close()
import mmap
buf = mmap.mmap(-1, 1 << 20)
deadline, off = time.time() + 30, 0
while time.time() < deadline:
    os.preadv(fd, [buf], off)		# raises on any error
    off = (off + (1 << 20)) % (16 << 20)
    if os.fstat(fd).st_size == 40 << 20:
        os.preadv(fd, [buf], 30 << 20)
        if buf[:] == want:
            sys.exit(0)
sys.exit(1)
PY
GROWN_READER=$!
echo "$GROWN_READER" >> "$WORK/pids"
wait_for 10 test -e "$WORK/ready"
check "truncate -s 40M grows e1" truncate -s 40M "$M1/e1"
check "... to 40 MiB" size_is "$M1/e1" $((40 * MiB))
check "... keeping its first 16 MiB" same "$M1/e1" 0 0 $((16 * MiB)) "$WORK/src"
check "... the other 24 MiB read as zeros" zeros "$M1/e1" $((16 * MiB)) $((24 * MiB))
check "... and h2 reads the same" \
	wait_for 10 same "$M2/e1" 0 0 $((16 * MiB)) "$WORK/src"
dd if="$WORK/mib" of="$M1/e1" bs=1M seek=30 oflag=direct conv=notrunc status=none
wait "$GROWN_READER"
check "h2, reading e1 all along through one open file, reads what h1 wrote past the old end" \
	test $? -eq 0
truncate -s 8M "$M1/e1" 2>"$WORK/err"
check "truncate -s 8M (shrinking) fails: $(cat "$WORK/err")" \
	grep -q 'Operation not permitted' "$WORK/err"
check "... and e1 keeps its 40 MiB" size_is "$M1/e1" $((40 * MiB))
check_fails "mv is refused: names are fixed" mv "$M1/e1" "$M1/e2"

# ---- rm of a volume open on another host ---------------------------------
python3 -c 'import sys, time; f = open(sys.argv[1], "rb"); time.sleep(120)' \
	"$M2/e1" &
HOLD=$!
echo "$HOLD" >> "$WORK/pids"
wait_for 12 bash -c "'$CSA' --dir '$D' --primary 127.0.0.1:$PORT --json volume show e1 | grep -A2 open_on | grep -q h2"
rm "$M1/e1" 2>"$WORK/err"
check "rm e1 while h2 holds it open fails: $(cat "$WORK/err")" \
	grep -q 'Device or resource busy' "$WORK/err"
check "... and e1 is still there" test -e "$M1/e1"
kill "$HOLD"
wait "$HOLD" 2>/dev/null
check "once h2 closed it, rm e1 succeeds (within 12 s)" wait_for 12 rm "$M1/e1"
check "... and e1 is gone from h2 too" wait_for 10 test ! -e "$M2/e1"

# ---- the primary away -------------------------------------------------
(for i in 1 2 3 4 5 6 7 8; do
	dd if="$M1/v1" of=/dev/null bs=256k iflag=direct status=none || exit 1
done) &
READER=$!
sleep 0.3
check "a reader of v1 is running when the primary is killed" kill -0 "$READER"
daemon_stop "$PD"
wait "$READER"
check "... and it ended without an error" test $? -eq 0
check "after the kill, h2 reads v1 back byte for byte" cmp -s "$WORK/src" "$M2/v1"
check "... h1 writes to v1" dd if="$WORK/mib" of="$M1/v1" bs=1M seek=7 \
	oflag=direct conv=notrunc status=none
check "... and h2 reads what h1 wrote" same "$M2/v1" $((7 * MiB)) 0 $MiB "$WORK/mib"
touch "$M1/x1" 2>"$WORK/err"
check "touch (needs the primary) fails: $(cat "$WORK/err")" \
	grep -q 'Host is down' "$WORK/err"
check "the primary starts again" primary_up
csa volume create n1 --size 8M >/dev/null
check "n1, created after the restart, appears on h1 (within 20 s)" \
	wait_for 20 size_is "$M1/n1" $((8 * MiB))
check "... and on h2" wait_for 20 size_is "$M2/n1" $((8 * MiB))
check "touch works again" wait_for 10 touch "$M1/x1"

# Deleted while open here: the name goes at once, the open file fails.
python3 - "$M1/n1" "$WORK/ready2" "$WORK/n1.out" <<'PY' &
import errno, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR)
os.pread(fd, 4096, 0)
open(sys.argv[2], "w").close()
while os.path.exists(os.path.dirname(sys.argv[1]) + "/n1"):
    time.sleep(0.1)
try:
    os.pread(fd, 4096, 0)
    r = "read"
except OSError as e:
    r = errno.errorcode[e.errno]
open(sys.argv[3], "w").write(r)
PY
N1_HOLDER=$!
echo "$N1_HOLDER" >> "$WORK/pids"
wait_for 10 test -e "$WORK/ready2"
check "rm n1 while it is open on this host (h1) succeeds" rm "$M1/n1"
wait "$N1_HOLDER"
check "... and the open file then fails with ENOENT ($(cat "$WORK/n1.out" 2>/dev/null))" \
	grep -qx ENOENT "$WORK/n1.out"
check "... and n1 is gone from h2" wait_for 10 test ! -e "$M2/n1"

# ---- mount(8) --------------------------------------------------------
mkdir -p "$WORK/m3"
echo "$WORK/m3" >> "$WORK/mounts"
# mount(8) runs mount.fuse3 with a PATH of its own, without the build
# directory: name the program in the source, as an fstab line may.
mount -t fuse "$CSAFS#127.0.0.1:$PORT" "$WORK/m3" \
	-o "noatime,nodev,_netdev,cert=$D/h1.crt,key=$D/h1.key,ca=$D/ca/ca.crt" \
	2>"$WORK/err"
rc=$?
check "mount -t fuse (mount.fuse3, options mount adds) returns 0 $(cat "$WORK/err")" \
	test $rc -eq 0
check "... once the mount works (csafs went to the background)" \
	size_is "$WORK/m3/v1" $((48 * MiB))
check "... shown as fuse.csafs" grep -q "$WORK/m3 fuse.csafs" /proc/mounts
check "... and unmounted by fusermount3 -u" fusermount3 -u "$WORK/m3"

check "h1 unmounts cleanly" mount_down m1
check "h2 unmounts cleanly" mount_down m2
finish
