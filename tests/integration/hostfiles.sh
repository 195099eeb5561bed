#!/usr/bin/env bash
# What a person uses on a host, on a real mount: csa-mkfile with
# requirements the CSA can and cannot meet, touch/truncate and the
# user.csa.* xattrs, and every file under MOUNT/.csa/ checked against the
# primary's own answers.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
CSA=$BUILD/tools/csa
PRIMARYD=$BUILD/primary/csa-primaryd
CSAFS=$BUILD/fs/csafs
MKFILE=$BUILD/tools/csa-mkfile
PORT=7395
PY=$(python3 -c 'import sys; print(sys.executable)')

[ -x "$CSAFS" ] || { echo "not ok - $CSAFS not built"; exit 1; }
lab_start --arrays 3 --luns 1 --lun-size 96M --base-port 3411
. "$WORK/lab/lab.env"
D=$WORK/cluster
M=$WORK/m
csa() { "$CSA" --dir "$D" --primary "127.0.0.1:$PORT" "$@"; }

"$CSA" --dir "$D" init --name hostfiles >/dev/null
"$CSA" --dir "$D" cert issue --host h1 >/dev/null
PD=$(daemon_start "$WORK/primaryd.log" "$PRIMARYD" --dir "$D" \
	--listen "127.0.0.1:$PORT" --timeout 3000)
for ((i = 0; i < 100; i++)); do csa status >/dev/null 2>&1 && break; sleep 0.2; done
for a in a1 a2 a3; do
	p=LAB_${a}_PORTAL t=LAB_${a}_TARGET
	csa array add "$a" --portal "${!p}" --target "${!t}" \
		--rated-mbps 400 --rated-iops 20k >/dev/null
done
mkdir -p "$M"
echo "$M" >> "$WORK/mounts"
FS=$(daemon_start "$WORK/csafs.log" "$CSAFS" "127.0.0.1:$PORT" "$M" -f \
	-o "cert=$D/h1.crt,key=$D/h1.key,ca=$D/ca/ca.crt")
for ((i = 0; i < 100; i++)); do mountpoint -q "$M" && break; sleep 0.2; done
check "csafs is mounted" mountpoint -q "$M"

# ---- csa-mkfile ------------------------------------------------------------
"$MKFILE" --mbps 600 16m "$M/mk1" 2>"$WORK/err"
check "csa-mkfile --mbps 600 16m makes mk1 (exit 0)" test $? -eq 0
check "... a file of 16 MiB" test "$(stat -c %s "$M/mk1")" -eq 16777216
"$PY" -c 'import os,sys; sys.stdout.write(os.getxattr(sys.argv[1], "user.csa.layout").decode())' \
	"$M/mk1" > "$WORK/mk1.layout" 2>/dev/null
check "... whose user.csa.layout spans 2 arrays (600 MB/s over arrays of 400)" \
	test "$(grep -o '"name": *"a[0-9]"' "$WORK/mk1.layout" | sort -u | wc -l)" -eq 2
check "... and reads as zeros" \
	cmp -s -n 16777216 "$M/mk1" /dev/zero
"$MKFILE" --mbps 5000 16m "$M/mk2" 2>"$WORK/err"
check "csa-mkfile --mbps 5000 is refused (exit 1)" test $? -eq 1
check "... printing the primary's numbers: $(cat "$WORK/err")" \
	grep -q 'needs 5000 MB/s' "$WORK/err"
check "... and creating nothing" test ! -e "$M/mk2"
check "... not even in the catalog" test -z "$(csa volume ls | grep -w mk2)"

# ---- touch, truncate, xattrs -------------------------------------------------
touch "$M/t1"
check "touch makes an empty volume" \
	grep -Eq '"state": ?"empty"' <(csa --json volume show t1)
"$PY" -c 'import os,sys; os.setxattr(sys.argv[1], "user.csa.mbps", b"300")' "$M/t1"
check "user.csa.mbps can be set before it is sized" \
	grep -Eq '"mbps": ?300' <(csa --json volume show t1)
truncate -s 8M "$M/t1"
check "truncate -s 8M sizes it" test "$(stat -c %s "$M/t1")" -eq 8388608
check "... placed for 300 MB/s" \
	grep -Eq '"state": ?"online"' <(csa --json volume show t1)
"$PY" -c 'import os,sys; os.setxattr(sys.argv[1], "user.csa.mbps", b"100")' \
	"$M/t1" 2>/dev/null
check "user.csa.mbps cannot be set once it is sized" test $? -ne 0

# ---- .csa/ -------------------------------------------------------------------
uuid=$(csa --json status | grep -Eo '[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}' | head -1)
cat "$M/.csa/status" > "$WORK/status" 2>&1
check ".csa/status names the cluster ($uuid)" grep -q "$uuid" "$WORK/status"
check "... its 3 arrays and the volumes" \
	bash -c "grep -qw a1 '$WORK/status' && grep -qw a3 '$WORK/status' && grep -qw mk1 '$WORK/status'"
cat "$M/.csa/arrays" > "$WORK/arrays"
check ".csa/arrays shows a2 at its portal ($LAB_a2_PORTAL)" \
	grep -q "$LAB_a2_PORTAL" "$WORK/arrays"
cat "$M/.csa/volumes/mk1" > "$WORK/vol"
arrays=$(grep -o '"name": *"a[0-9]"' "$WORK/mk1.layout" | grep -o 'a[0-9]' | sort -u | tr '\n' ' ')
check ".csa/volumes/mk1 shows its requirements and its arrays" \
	bash -c "grep -q 600 '$WORK/vol' && for a in $arrays; do grep -qw \$a '$WORK/vol' || exit 1; done"

# events: a reader that opened before the event sees it.
timeout 20 "$PY" - "$M/.csa/events" > "$WORK/events" <<'PY' &
import os, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
os.lseek(fd, 0, os.SEEK_END)
buf = b""
while b"ev1" not in buf:
	buf += os.read(fd, 65536)
sys.stdout.write(buf.decode())
PY
reader=$!
sleep 1
csa volume create ev1 --size 4M >/dev/null
wait "$reader"
check ".csa/events delivers an event written after the reader opened it" \
	grep -q 'volume.created.*ev1' "$WORK/events"

# control: a command written, its answer read back on the same file.
exec 3<>"$M/.csa/control"
printf 'volume set mk1 mbps=100\n' >&3
answer=$(cat <&3)
check ".csa/control: 'volume set mk1 mbps=100' answers ok ($answer)" \
	grep -q '^ok' <<<"$answer"
check "... and the primary has it" \
	grep -Eq '"mbps": ?100' <(csa --json volume show mk1)
exec 3>&-
exec 3<>"$M/.csa/control"
printf 'frobnicate all\n' >&3
answer=$(cat <&3)
exec 3>&-
check ".csa/control: an unknown command gets an error sentence ($answer)" \
	grep -q '^error: bad_command' <<<"$answer"

# metrics: the Prometheus text format, line by line.
cat "$M/.csa/metrics" > "$WORK/metrics"
check ".csa/metrics is Prometheus text" "$PY" - "$WORK/metrics" <<'PY'
import re, sys
sample = re.compile(r'^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\})? -?[0-9.eE+-]+|NaN$')
lines = open(sys.argv[1]).read().splitlines()
ok = lines and all(l.startswith("# HELP ") or l.startswith("# TYPE ") or sample.match(l) for l in lines)
ok = ok and any(l.startswith("csafs_array_rated_mbps") for l in lines)
sys.exit(0 if ok else 1)
PY
check "... with every array's rated MB/s" \
	test "$(grep -c '^csafs_array_rated_mbps{' "$WORK/metrics")" -eq 3
finish
