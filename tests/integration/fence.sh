#!/usr/bin/env bash
# Fencing on a real tgt array (iscsi/pr.h): a primary that registers and
# takes the Write Exclusive - All Registrants reservation, a host that
# registers, an initiator with no key. The array takes the host's writes,
# refuses the keyless ones, and refuses the host's once the primary has
# preempted its key, until the host registers again.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
PR=$BUILD/tests/pr_tool

lab_start --arrays 1 --luns 1 --lun-size 16M --base-port 3451
. "$WORK/lab/lab.env"

"$PR" fence "$LAB_a1_PORTAL" "$LAB_a1_TARGET" 1 > "$WORK/fence.out" 2>&1
rc=$?
sed 's/^/# /' "$WORK/fence.out"
check "every step of the fence held on a1 (pr_tool exit $rc)" test "$rc" -eq 0
check "... and it went through all 15 of them" \
	test "$(grep -c '^ok - ' "$WORK/fence.out")" -eq 15
"$PR" keys "$LAB_a1_PORTAL" "$LAB_a1_TARGET" 1 > "$WORK/keys" 2>&1
hk=$("$PR" hostkey pr-tool-host)
check "afterwards the LUN lists the primary's key and the host's ($hk) again" \
	bash -c "grep -qx 0x4353410000000001 '$WORK/keys' && grep -qx '$hk' '$WORK/keys'"
check "a host's key is its name's: h1 and h2 differ" \
	test "$("$PR" hostkey h1)" != "$("$PR" hostkey h2)"
finish
