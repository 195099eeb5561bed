#!/usr/bin/env bash
# Moving a volume online, by hand: fio writes and verifies through a mount
# while the volume moves region by region to other arrays; the data read
# back afterwards, from a fresh mount, is what was written; the old space
# is free only once the map moved. Then a migration asked by `csa volume
# set`, a dry run, pause and resume, and what is refused.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
CSA=$BUILD/tools/csa
PRIMARYD=$BUILD/primary/csa-primaryd
CSAFS=$BUILD/fs/csafs
PORT=7431

[ -x "$CSAFS" ] || { echo "not ok - $CSAFS not built"; exit 1; }
command -v fio >/dev/null || skip "fio is not installed"
lab_start --arrays 4 --luns 1 --lun-size 160M --base-port 3431
. "$WORK/lab/lab.env"
D=$WORK/cluster
M=$WORK/m
csa() { "$CSA" --dir "$D" --primary "127.0.0.1:$PORT" "$@"; }
json() { csa --json "$@"; }
field() {	# field KEY: the first integer value of "KEY" on stdin
	grep -Eo "\"$1\": ?-?[0-9]+" | head -1 | grep -Eo -- '-?[0-9]+$'
}

"$CSA" --dir "$D" init --name migration >/dev/null
"$CSA" --dir "$D" cert issue --host h1 >/dev/null
start_primary() {
	PD=$(daemon_start "$WORK/primaryd.log" "$PRIMARYD" --dir "$D" \
		--listen "127.0.0.1:$PORT" --timeout 3000 --no-auto "$@")
	for ((i = 0; i < 100; i++)); do csa status >/dev/null 2>&1 && return 0; sleep 0.2; done
	return 1
}
start_primary
for a in a1 a2 a3 a4; do
	p=LAB_${a}_PORTAL t=LAB_${a}_TARGET
	csa array add "$a" --portal "${!p}" --target "${!t}" \
		--rated-mbps 400 --rated-iops 20k >/dev/null
done
mount_fs() {
	mkdir -p "$M"
	echo "$M" >> "$WORK/mounts"
	FS=$(daemon_start "$WORK/csafs.log" "$CSAFS" "127.0.0.1:$PORT" "$M" -f \
		-o "cert=$D/h1.crt,key=$D/h1.key,ca=$D/ca/ca.crt")
	for ((i = 0; i < 100; i++)); do mountpoint -q "$M" && return 0; sleep 0.2; done
	return 1
}
check "csafs is mounted" mount_fs

# wait_online V SECONDS: the volume's migration is over.
wait_online() {
	local i
	for ((i = 0; i < $2 * 5; i++)); do
		json volume show "$1" | grep -Eq '"state": ?"online"' && return 0
		sleep 0.2
	done
	return 1
}

# ---- by hand, under fio ---------------------------------------------------------
csa volume create mv --size 64M --mbps 600 >/dev/null
from=$(json volume show mv | tr -d ' \n' | grep -Eo '"arrays":\[[^]]*\]' | head -1)
free_before=$(json array show a1 | field free_bytes)
head -c 64M /dev/urandom > "$WORK/orig"
dd if="$WORK/orig" of="$M/mv" bs=1M oflag=direct conv=fsync status=none
check "64 MiB written to mv on $from" cmp -s "$WORK/orig" "$M/mv"

json volume migrate mv --to a3,a4 --dry-run > "$WORK/dry"
check "a dry run gives the plan: $(field bytes < "$WORK/dry") bytes in $(field expected_seconds < "$WORK/dry") s" \
	bash -c "grep -q '\"bytes\"' '$WORK/dry' && grep -q '\"expected_seconds\"' '$WORK/dry' && grep -Eq '\"dry_run\": ?true' '$WORK/dry'"
check "... and moves nothing" grep -Eq '"state": ?"online"' <(json volume show mv)
csa volume migrate mv > "$WORK/err" 2>&1
check "migrate with nothing to gain is refused: $(cat "$WORK/err")" \
	grep -q 'no column copy would move' "$WORK/err"
check "migrate to an array not in the cluster is refused" \
	bash -c "! '$CSA' --dir '$D' --primary 127.0.0.1:$PORT volume migrate mv --to a9 >/dev/null 2>&1"

# fio writes the second half and verifies what it wrote, while the
# whole volume moves; the first half keeps the original bytes.
FIO_ARGS=(--name=mig --filename="$M/mv" --direct=1 --ioengine=psync
	--rw=randwrite --bs=64k --offset=32M --size=32M --verify=crc32c
	--verify_fatal=1 --randseed=4242 --verify_state_save=0)
fio "${FIO_ARGS[@]}" --loops=1000 --runtime=20 --time_based=0 \
	--output="$WORK/fio.out" >/dev/null 2>&1 &
fio_pid=$!
sleep 1
json volume migrate mv --to a3,a4 --max-rate 40 > "$WORK/mig" 2>&1
check "volume migrate mv --to a3,a4 starts ($(field regions < "$WORK/mig") regions)" \
	grep -Eq '"state": ?"(running|locked)"' "$WORK/mig"
sleep 1
json migration ls > "$WORK/ls"
check "migration ls lists it, with regions done and a rate" \
	bash -c "grep -q '\"mv\"' '$WORK/ls' && grep -q regions_done '$WORK/ls'"
grep -A2 -i migration "$M/.csa/volumes/mv" > "$WORK/pseudo" 2>&1
check ".csa/volumes/mv shows the migration" test -s "$WORK/pseudo"
check "the migration ends (within 120 s)" wait_online mv 120
wait "$fio_pid"
fio_rc=$?
check "fio wrote and verified through the migration: exit $fio_rc, $(grep -c 'verify' "$WORK/fio.out") verify lines" \
	test "$fio_rc" -eq 0
check "... with 0 errors" bash -c "! grep -Eq 'err= *[1-9]|verify: bad' '$WORK/fio.out'"
to=$(json volume show mv | tr -d ' \n' | grep -Eo '"arrays":\[[^]]*\]' | head -1)
check "mv now lives on a3 and a4 ($to)" \
	bash -c "[[ '$to' == *a3* && '$to' == *a4* && '$to' != *a1* && '$to' != *a2* ]]"
check "a1's old extents are free again" \
	test "$(json array show a1 | field free_bytes)" -ge "$free_before"
# Regions are copied ahead while the hosts watch them for writes: those of
# the first half (fio never writes there) stand; fio's writes to the
# second half make some dirty, copied again (more locks than regions).
done_line=$(grep -m1 'migration.done mv' "$M/.csa/events")
echo "# ${done_line:-no migration.done mv in .csa/events}"
read -r locks ahead moved < <(sed -nE 's/.*locks ([0-9]+),.*; ([0-9]+) of ([0-9]+) regions copied ahead.*/\1 \2 \3/p' <<< "$done_line")
nreg=$(field regions < "$WORK/mig")
check "every region moved once ($moved of $nreg), at least the first half copied ahead ($ahead)" \
	bash -c "[ '${moved:-x}' = '$nreg' ] && [ '${ahead:-0}' -ge $((nreg / 2)) ]"
check "regions fio wrote while they were copied were copied again: $locks locks for $nreg regions" \
	test "${locks:-0}" -gt "$nreg"

fusermount3 -u "$M"
daemon_stop "$FS" >/dev/null
check "a fresh mount" mount_fs
check "the first half reads back as written, from the new arrays" \
	cmp -s -n 33554432 "$WORK/orig" "$M/mv"
fio "${FIO_ARGS[@]}" --verify_only --output="$WORK/fio2.out" >/dev/null 2>&1
check "fio --verify_only finds the second half as fio last wrote it" test $? -eq 0

# ---- a migration asked by volume set; pause and resume ---------------------------
csa volume create sv --size 32M --mbps 300 >/dev/null
head -c 32M /dev/urandom > "$WORK/orig2"
dd if="$WORK/orig2" of="$M/sv" bs=1M oflag=direct conv=fsync status=none
json volume set sv --mbps 700 > "$WORK/set" 2>&1
check "volume set sv --mbps 700 starts a migration (more columns): $(grep -o '"code.*' "$WORK/set")" \
	grep -Eq '"migration": ?\{' "$WORK/set"
csa migration pause sv >/dev/null
check "migration pause sv: paused" \
	grep -Eq '"state": ?"paused"' <(json migration ls)
done1=$(json migration ls | field regions_done)
sleep 2
check "... and it stays where it was ($done1 regions)" \
	test "$(json migration ls | field regions_done)" = "$done1"
check "volume rm of a migrating volume is refused" \
	bash -c "! csa volume rm sv >/dev/null 2>&1"
csa migration resume sv >/dev/null
check "resumed, it ends" wait_online sv 120
check "sv has 2 columns now" test "$(json volume show sv | field columns)" -eq 2
check "and its data is intact" cmp -s "$WORK/orig2" "$M/sv"

# ---- growing and moving at once: it moves, then grows ------------------------------
# A host reports what it has open once a second: the cmp above may still
# hold sv open in the primary's eyes for a moment.
rm_volume() {
	local i
	for ((i = 0; i < 25; i++)); do
		csa volume rm "$1" >/dev/null 2>&1 && return 0
		sleep 0.2
	done
	csa volume rm "$1" >/dev/null
}
rm_volume mv && rm_volume sv
csa volume create gv --size 16M --mbps 100 >/dev/null
head -c 16M /dev/urandom > "$WORK/orig3"
dd if="$WORK/orig3" of="$M/gv" bs=1M oflag=direct conv=fsync status=none
json volume set gv --size 24M --mbps 500 > "$WORK/set3" 2>&1
check "volume set gv --size 24M --mbps 500 starts a migration: $(grep -o '"code.*' "$WORK/set3")" \
	grep -Eq '"migration": ?\{' "$WORK/set3"
grown() {
	for ((i = 0; i < 300; i++)); do
		[ "$(json volume show gv | field size)" = 25165824 ] && return 0
		sleep 0.2
	done
	return 1
}
check "... then grows to 24 MiB once it has moved" grown
check "... with 2 columns" test "$(json volume show gv | field columns)" -eq 2
check "... its 16 MiB intact" cmp -s -n 16777216 "$WORK/orig3" "$M/gv"
check "... and zeros after them" \
	cmp -s -n 8388608 -i 16777216:0 "$M/gv" /dev/zero

# ---- the control file --------------------------------------------------------------
others=$(json volume show gv | tr -d ' \n' | grep -Eo '"arrays":\[[^]]*\]' | head -1 |
	grep -Eo 'a[0-9]' | sort -u | comm -13 - <(printf 'a1\na2\na3\na4\n') | paste -sd,)
exec 3<>"$M/.csa/control"
printf 'migrate gv --to %s --dry-run\n' "$others" >&3
answer=$(cat <&3)
exec 3>&-
check ".csa/control: 'migrate gv --to $others --dry-run' answers with the plan ($answer)" \
	grep -q '^ok' <<<"$answer"
check "... and moves nothing" grep -Eq '"state": ?"online"' <(json volume show gv)
exec 3<>"$M/.csa/control"
printf 'migrate gv --to %s\n' "$others" >&3
answer=$(cat <&3)
exec 3>&-
check ".csa/control: 'migrate gv --to $others' starts it ($answer)" grep -q '^ok' <<<"$answer"
exec 3<>"$M/.csa/control"
printf 'pause gv\n' >&3
answer=$(cat <&3)
exec 3>&-
check ".csa/control: 'pause gv' ($answer)" grep -q '^ok' <<<"$answer"
exec 3<>"$M/.csa/control"
printf 'resume gv\n' >&3
answer=$(cat <&3)
exec 3>&-
check ".csa/control: 'resume gv' ($answer)" grep -q '^ok' <<<"$answer"
check "... and it ends" wait_online gv 60
check "gv's data is intact after two moves" cmp -s -n 16777216 "$WORK/orig3" "$M/gv"

# ---- the cap ----------------------------------------------------------------------------
# 32 MiB (33.6 MB) at --max-rate 8 MB/s: 4.2 s at the least, paced after
# every region; without the cap these arrays copy it in about a second.
csa volume create rv --size 32M --mbps 10 >/dev/null
rv_to=$(json volume show rv | tr -d ' \n' | grep -Eo '"arrays":\[[^]]*\]' | head -1 |
	grep -Eo 'a[0-9]' | sort -u | comm -13 - <(printf 'a1\na2\na3\na4\n') | head -1)
t0=$(date +%s%N)
csa volume migrate rv --to "$rv_to" --max-rate 8 >/dev/null
wait_online rv 60
took=$((($(date +%s%N) - t0) / 1000000))
check "volume migrate rv --to $rv_to --max-rate 8: 32 MiB take 4 to 15 s ($took ms)" \
	test "$took" -ge 4000 -a "$took" -le 15000

finish
