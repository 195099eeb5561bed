#!/usr/bin/env bash
# The catalog on real LUNs: labelled, written to 3 arrays, read back by a
# fresh process, read with one array down, refused without a majority,
# read from the older slot when the newest is corrupt on every LUN, and a
# LUN of this cluster refused to another.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
CAT=$BUILD/tests/catalog_luns

lab_start --arrays 3 --luns 1 --lun-size 64M --base-port 3351
. "$WORK/lab/lab.env"
urls=()
for a in a1 a2 a3; do
	p=LAB_${a}_PORTAL t=LAB_${a}_TARGET
	urls+=("iscsi://${!p}/${!t}/1")
done

uuid=$("$CAT" label "${urls[@]}" 2>"$WORK/err")
check "label the 3 LUNs and write the first catalog" test -n "$uuid"
"$CAT" load "${urls[@]}" > "$WORK/first.json" 2>"$WORK/err"
check "a fresh process reads it back, naming cluster $uuid" \
	grep -q "$uuid" "$WORK/first.json"
check "add a host: the second catalog is written" \
	"$CAT" host h1 "${urls[@]}"
"$CAT" load "${urls[@]}" > "$WORK/second.json" 2>"$WORK/err"
check "the second catalog is what is read now" grep -q '"h1"' "$WORK/second.json"

"$LAB" down a3 --dir "$WORK/lab" >/dev/null
"$CAT" load "${urls[@]}" > "$WORK/two.json" 2>"$WORK/err"
check "with a3 down, the 2 arrays left (a majority) give the same catalog" \
	cmp -s "$WORK/second.json" "$WORK/two.json"
"$LAB" down a2 --dir "$WORK/lab" >/dev/null
"$CAT" load "${urls[@]}" > /dev/null 2>"$WORK/err"
rc=$?
check "with a2 and a3 down, loading is refused (no majority)" test "$rc" -eq 1
check "... saying so" grep -q "majority" "$WORK/err"
"$LAB" up a2 --dir "$WORK/lab" >/dev/null
"$LAB" up a3 --dir "$WORK/lab" >/dev/null

# The newest catalog is in slot 1 (sequence 2): damage its JSON on every
# LUN's backing file; the reader must fall back to slot 0 and say why.
slot1=$(( 2080 * 1024 ))
for a in a1 a2 a3; do
	f=LAB_${a}_LUN1_FILE
	printf 'XXXX' | dd of="${!f}" bs=1 seek=$(( slot1 + 200 )) conv=notrunc \
		status=none
done
"$CAT" load "${urls[@]}" > "$WORK/fallback.json" 2>"$WORK/err"
check "with slot 1 corrupt on every LUN, slot 0 (the first catalog) is read" \
	cmp -s "$WORK/first.json" "$WORK/fallback.json"
check "... and the corrupt slots are reported" grep -q "corrupt" "$WORK/err"

"$CAT" foreign "${urls[0]}" 2>"$WORK/err"
check "labelling a1's LUN for another cluster is refused" test $? -eq 0
check "... naming the cluster it belongs to" grep -q "$uuid" "$WORK/err"
finish
