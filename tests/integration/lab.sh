#!/usr/bin/env bash
# Integration test of tools/csa-lab against real tgtd instances.
# Exit 0: pass, 1: fail, 77: skipped (not root, or tgt/libiscsi-bin/python3
# missing).  Uses a mktemp -d directory and always stops its labs on exit.
# CSA_LAB may name the csa-lab to test.
# Variables from lab.env (LAB_a1_PID, ...) are assigned by sourcing it:
# shellcheck disable=SC2154
set -euo pipefail

LAB=${CSA_LAB:-$(dirname "$0")/../../tools/csa-lab}
MiB=$((1 << 20))

skip() {
	echo "1..0 # SKIP $*"
	exit 77
}
((EUID == 0)) || skip "needs root"
for cmd in tgtd tgtadm iscsi-readcapacity16 iscsi-inq python3 ip tc timeout; do
	command -v "$cmd" >/dev/null 2>&1 || skip "$cmd not installed"
done
[[ -x $LAB ]] || {
	echo "not ok - csa-lab not found at $LAB"
	exit 1
}

T=$(mktemp -d)
LISTENER_PID=''
LABS=()
cleanup() {
	local d
	set +e
	if [[ -n $LISTENER_PID ]]; then
		kill "$LISTENER_PID" 2>/dev/null
		wait "$LISTENER_PID" 2>/dev/null
	fi
	for d in "${LABS[@]}"; do
		timeout 60 "$LAB" stop --dir "$d" >/dev/null 2>&1 || echo "# cleanup: stop --dir $d failed" >&2
	done
	rm -rf -- "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

FAILS=0 CHECKS=0
ok() {
	CHECKS=$((CHECKS + 1))
	echo "ok - $*"
}
not_ok() {
	CHECKS=$((CHECKS + 1))
	FAILS=$((FAILS + 1))
	echo "not ok - $*"
}
# check DESCRIPTION COMMAND...: one line per check.
check() {
	local what=$1
	shift
	if "$@"; then ok "$what"; else not_ok "$what"; fi
}
diag() { sed 's/^/# /' "$@" >&2 || true; }

lab() { timeout 120 "$LAB" "$@"; }

# alive PID: the process exists and is not a zombie (tgtd is reparented when
# csa-lab exits, and the reaper may be slow).
alive() {
	local s
	s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	s=${s##*) }
	[[ ${s%% *} != [ZX] ]]
}

# shellcheck disable=SC2016 # $0 is expanded by the inner bash
port_busy() {
	[[ -n $(ss -Htln "sport = :$1" 2>/dev/null) ]] ||
		timeout 1 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$0"' "$1" 2>/dev/null
}

# free_ports N: the first of N consecutive free TCP ports.
free_ports() {
	local n=$1 p i good
	for ((p = 13261 + RANDOM % 2000; p < 60000; p += n)); do
		good=1
		for ((i = 0; i < n; i++)); do
			if port_busy $((p + i)); then
				good=0
				break
			fi
		done
		if ((good)); then
			echo "$p"
			return 0
		fi
	done
	return 1
}

# json_arrays FILE: "name pid alive ctl netns host_veth portal target" lines.
json_arrays() {
	python3 - "$1" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1]))
for a in s["arrays"]:
    print(a["name"], a["pid"], str(a.get("alive", "")).lower(), a["control_port"],
          a["netns"] or "-", a["host_veth"] or "-", a["portal"], a["target"])
EOF
}

# readcap PORTAL IQN LUN: print the "Total size" iscsi-readcapacity16 reports
# (nothing, and still exit 0, when it fails).
readcap() {
	timeout 15 iscsi-readcapacity16 "iscsi://$1/$2/$3" 2>&1 | sed -n 's/^Total size:\([0-9]*\).*/\1/p' || true
}

# ------------------------------------------------------------------ 1
D1=$T/lab1
LABS+=("$D1")
BASE1=$(free_ports 3)
if lab start --dir "$D1" --arrays 3 --luns 2 --lun-size 64M --base-port "$BASE1" >"$T/start1.out" 2>"$T/start1.err"; then
	ok "start: 3 loopback arrays x 2 LUNs of 64M on ports $BASE1.."
else
	not_ok "start: 3 loopback arrays x 2 LUNs of 64M (exit $?)"
	diag "$T/start1.err"
fi
good=1
if [[ -f $D1/lab.env ]]; then
	# shellcheck source=/dev/null
	. "$D1/lab.env"
	for a in ${LAB_ARRAYS:-}; do
		portal_var=LAB_${a}_PORTAL target_var=LAB_${a}_TARGET
		for l in 1 2; do
			got=$(readcap "${!portal_var}" "${!target_var}" "$l")
			if [[ $got != $((64 * MiB)) ]]; then
				echo "# $a LUN $l: iscsi-readcapacity16 says '${got}', expected $((64 * MiB))" >&2
				good=0
			fi
		done
	done
	[[ ${LAB_ARRAYS:-} == "a1 a2 a3" ]] || good=0
else
	good=0
fi
check "iscsi-readcapacity16: every LUN of a1..a3 has 64 MiB" test "$good" = 1

if [[ -f $D1/lab.env ]] && out=$(timeout 15 iscsi-inq "iscsi://$LAB_a2_PORTAL/$LAB_a2_TARGET/1" 2>&1) &&
	grep -q 'Peripheral Device Type:DIRECT_ACCESS' <<<"$out"; then
	ok "iscsi-inq: a2 LUN 1 is a disk"
else
	not_ok "iscsi-inq on a2 LUN 1"
fi

lab status --dir "$D1" --json >"$T/status1.json" 2>"$T/status1.err" || true
if json_arrays "$T/status1.json" >"$T/arrays1" 2>/dev/null &&
	[[ $(awk '$3 == "true"' "$T/arrays1" | wc -l) -eq 3 && $(wc -l <"$T/arrays1") -eq 3 ]]; then
	ok "status --json: 3 arrays, all alive"
else
	not_ok "status --json: 3 arrays, all alive"
	diag "$T/status1.json" "$T/status1.err"
fi
if lab status --dir "$D1" >"$T/status1.txt" 2>&1 && [[ $(grep -c ' alive ' "$T/status1.txt") -eq 3 ]]; then
	ok "status: table with 3 alive arrays"
else
	not_ok "status: table with 3 alive arrays"
	diag "$T/status1.txt"
fi

# ------------------------------------------------------------------ 2
rc=0
lab start --dir "$D1" --arrays 3 --luns 2 --lun-size 64M --base-port "$BASE1" >/dev/null 2>"$T/start2.err" || rc=$?
pids1=$(awk '{print $2}' "$T/arrays1" 2>/dev/null | tr '\n' ' ')
still=1
for p in $pids1; do alive "$p" || still=0; done
lab status --dir "$D1" --json >"$T/status2.json" 2>/dev/null || still=0
[[ $(json_arrays "$T/status2.json" 2>/dev/null | awk '{print $2}' | tr '\n' ' ') == "$pids1" ]] || still=0
if ((rc == 1 && still)) && grep -q 'running lab' "$T/start2.err"; then
	ok "second start on the same DIR fails (exit 1) and the first lab keeps running"
else
	not_ok "second start on the same DIR: exit $rc, first lab still running: $still"
	diag "$T/start2.err"
fi

# ------------------------------------------------------------------ 3
ctls1=$(awk '{print $4}' "$T/arrays1" 2>/dev/null | tr '\n' ' ')
rc=0
lab stop --dir "$D1" >/dev/null 2>"$T/stop1.err" || rc=$?
check "stop: exit 0" test "$rc" = 0
gone=1
for p in $pids1; do
	if alive "$p"; then
		echo "# tgtd pid $p still alive" >&2
		gone=0
	fi
done
check "stop: all recorded tgtd pids are gone ($pids1)" test "$gone" = 1
nosock=1
for c in $ctls1; do
	if [[ -e /var/run/tgtd/socket.$c || -e /var/run/tgtd/socket.$c.lock ]]; then
		echo "# /var/run/tgtd/socket.$c still there" >&2
		nosock=0
	fi
done
check "stop: our control sockets are removed (ports $ctls1)" test "$nosock" = 1
check "stop: the lab's files are removed" test ! -e "$D1/lab.json" -a ! -e "$D1/lab.env" -a ! -e "$D1/a1/lun1.img" -a ! -e "$D1/a3"
rc=0
lab stop --dir "$D1" >/dev/null 2>&1 || rc=$?
check "second stop succeeds" test "$rc" = 0

# 3b: stop after tgtd died behind csa-lab's back.
D3=$T/lab3
LABS+=("$D3")
BASE3=$(free_ports 1)
if lab start --dir "$D3" --arrays 1 --lun-size 8M --base-port "$BASE3" >/dev/null 2>"$T/start3.err"; then
	# shellcheck source=/dev/null
	. "$D3/lab.env"
	pid3=$LAB_a1_PID ctl3=$LAB_a1_CONTROL_PORT
	kill -KILL "$pid3"
	for ((i = 0; i < 50; i++)); do
		alive "$pid3" || break
		sleep 0.1
	done
	rc=0
	lab stop --dir "$D3" >/dev/null 2>"$T/stop3.err" || rc=$?
	if ((rc == 0)) && [[ ! -e /var/run/tgtd/socket.$ctl3 && ! -e $D3/lab.json ]]; then
		ok "stop after tgtd was SIGKILLed: exit 0, socket and state removed"
	else
		not_ok "stop after tgtd was SIGKILLed (exit $rc)"
		diag "$T/stop3.err"
	fi
else
	not_ok "start of a 1-array lab for the dead-tgtd check"
	diag "$T/start3.err"
fi

# ------------------------------------------------------------------ 4
D4=$T/lab4
LABS+=("$D4")
BASE4=$(free_ports 3)
python3 -c '
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(1)
time.sleep(300)' $((BASE4 + 1)) &
LISTENER_PID=$!
for ((i = 0; i < 100; i++)); do
	port_busy $((BASE4 + 1)) && break
	sleep 0.1
done
rc=0
lab start --dir "$D4" --arrays 3 --lun-size 8M --base-port "$BASE4" >/dev/null 2>"$T/start4.err" || rc=$?
left=''
for f in /proc/[0-9]*/cmdline; do
	p=${f#/proc/}
	p=${p%/cmdline}
	if tr '\0' ' ' 2>/dev/null <"$f" | grep -qE "^(ip netns exec [^ ]+ )?tgtd .*portal=127\.0\.0\.1:($BASE4|$((BASE4 + 1))|$((BASE4 + 2))) " &&
		alive "$p"; then
		left+=" $p"
	fi
done
if ((rc == 1)) && [[ -z $left && ! -e $D4/lab.json ]] &&
	grep -q "port 127.0.0.1:$((BASE4 + 1)) .*already in use" "$T/start4.err" &&
	grep -q 'start failed' "$T/start4.err"; then
	ok "start failing at array 2 (port $((BASE4 + 1)) busy): exit 1, no tgtd left, state removed"
else
	not_ok "start failing half-way: exit $rc, tgtd left:${left:- none}"
	diag "$T/start4.err"
fi
kill "$LISTENER_PID" 2>/dev/null || true
wait "$LISTENER_PID" 2>/dev/null || true
LISTENER_PID=''

# ------------------------------------------------------------------ 5
D5=$T/lab5
LABS+=("$D5")
if lab start --dir "$D5" --arrays 2 --lun-size 64M --netns --rate 200mbit >/dev/null 2>"$T/start5.err"; then
	ok "start --netns --rate 200mbit with 2 arrays"
else
	not_ok "start --netns --rate 200mbit with 2 arrays"
	diag "$T/start5.err"
fi
lab status --dir "$D5" --json >"$T/status5.json" 2>/dev/null || true
json_arrays "$T/status5.json" >"$T/arrays5" 2>/dev/null || true
nsok=1 capok=1 tbfok=1 nss='' veths=''
while read -r name _pid _alive _ctl ns veth portal target; do
	nss+=" $ns" veths+=" $veth"
	ip netns list | awk '{print $1}' | grep -qxF -- "$ns" || nsok=0
	[[ $portal == 198.18.*.2:3260 ]] || capok=0
	got=$(readcap "$portal" "$target" 1)
	[[ $got == $((64 * MiB)) ]] || {
		echo "# $name: iscsi-readcapacity16 iscsi://$portal/$target/1 says '$got'" >&2
		capok=0
	}
	tc qdisc show dev "$veth" 2>/dev/null | grep -q 'qdisc tbf .*rate 200Mbit' || tbfok=0
	tc -n "$ns" qdisc show 2>/dev/null | grep -q 'qdisc tbf .*rate 200Mbit' || tbfok=0
done <"$T/arrays5"
[[ $(wc -l <"$T/arrays5") -eq 2 ]] || nsok=0
check "netns: a network namespace per array exists:$nss" test "$nsok" = 1
check "netns: iscsi-readcapacity16 on 198.18.x.2:3260 reports 64 MiB" test "$capok" = 1
check "netns: tbf 200Mbit on both ends of every veth" test "$tbfok" = 1
if command -v iscsi-perf >/dev/null 2>&1 && [[ -s $T/arrays5 ]]; then
	read -r _ _ _ _ _ _ portal target <"$T/arrays5"
	timeout -s INT 4 iscsi-perf -b 256 -m 8 "iscsi://$portal/$target/1" >"$T/perf5" 2>&1 || true
	mbs=$(tr '\r' '\n' <"$T/perf5" | grep -o 'iops average [0-9]* ([0-9]* MB/s)' | tail -1 | grep -o '[0-9]* MB/s' | cut -d' ' -f1)
	# 200 Mbit/s = 25 MB/s; iscsi-perf's MB are MiB of 128 KiB reads.
	if [[ -n $mbs ]] && ((mbs > 5 && mbs <= 30)); then
		ok "netns: reads are capped by the rate (${mbs} MB/s at 200mbit)"
	else
		not_ok "netns: reads capped by the rate (iscsi-perf says '${mbs}' MB/s)"
	fi
fi
rc=0
lab stop --dir "$D5" >/dev/null 2>"$T/stop5.err" || rc=$?
clean=1
for ns in $nss; do ip netns list | awk '{print $1}' | grep -qxF -- "$ns" && clean=0; done
for v in $veths; do ip link show dev "$v" >/dev/null 2>&1 && clean=0; done
if ((rc == 0 && clean)); then
	ok "netns: after stop the namespaces and veths are gone"
else
	not_ok "netns: stop exit $rc, namespaces/veths gone: $clean"
	diag "$T/stop5.err"
fi

# ------------------------------------------------------------------ 6
D6=$T/lab6
LABS+=("$D6")
BASE6=$(free_ports 3)
if lab start --dir "$D6" --arrays 3 --lun-size 256M --base-port "$BASE6" >/dev/null 2>"$T/start6.err"; then
	rc=0
	lab layout --dir "$D6" --size 100M --columns 3 --copies 2 >"$T/layout6.json" 2>"$T/layout6.err" || rc=$?
	if ((rc == 0)) && python3 -m json.tool "$T/layout6.json" >/dev/null 2>&1; then
		ok "layout --size 100M --columns 3 --copies 2: valid JSON"
	else
		not_ok "layout --size 100M --columns 3 --copies 2: exit $rc or invalid JSON"
		diag "$T/layout6.err"
	fi
	if python3 - "$T/layout6.json" "$BASE6" >"$T/layout6.check" 2>&1 <<'EOF'; then
import json, sys
L = json.load(open(sys.argv[1]))
base = int(sys.argv[2])
size, su = 100 << 20, 65536
blocks = -(-size // (su * 3)) * su // 512          # ceil(size/(su*C)) * su / 512
assert blocks == 68352, blocks
assert (L["size"], L["block_size"], L["stripe_unit"], L["region_rows"]) == (size, 512, su, 16), L
assert all(isinstance(L[k], int) for k in ("size", "block_size", "stripe_unit", "region_rows"))
assert [a["name"] for a in L["arrays"]] == ["a1", "a2", "a3"], L["arrays"]
for i, a in enumerate(L["arrays"]):
    assert a["portal"] == "127.0.0.1:%d" % (base + i), a
    assert a["target"] == "iqn.2026-11.org.csafs.lab:a%d" % (i + 1), a
assert len(L["columns"]) == 3
want = [("a1", "a2"), ("a3", "a1"), ("a2", "a3")]       # (c*K + k) mod 3
used = {}
for c, col in enumerate(L["columns"]):
    assert len(col["copies"]) == 2, col
    names = []
    for copy in col["copies"]:
        assert len(copy) == 1, copy
        e = copy[0]
        assert e["lun"] == 1 and e["blocks"] == blocks and isinstance(e["start_lba"], int), e
        assert e["start_lba"] >= 2048 and e["start_lba"] + e["blocks"] <= (256 << 20) // 512, e
        names.append(e["array"])
        used.setdefault(e["array"], []).append((e["start_lba"], e["start_lba"] + e["blocks"]))
    assert tuple(names) == want[c], (c, names)
for a, ext in used.items():                          # no two extents overlap
    ext.sort()
    assert ext[0][0] == 2048, (a, ext)
    assert all(x[1] <= y[0] for x, y in zip(ext, ext[1:])), (a, ext)
print("layout ok")
EOF
		ok "layout: 3 arrays, 3 columns x 2 copies on (a1,a2) (a3,a1) (a2,a3), $((68352)) blocks each, no overlap"
	else
		not_ok "layout: expected columns/arrays/blocks"
		diag "$T/layout6.check" "$T/layout6.json"
	fi
	rc=0
	lab layout --dir "$D6" --size 100M --columns 3 --copies 4 >"$T/layout6b.json" 2>"$T/layout6b.err" || rc=$?
	if ((rc == 1)) && [[ ! -s $T/layout6b.json ]] && grep -q 'refused' "$T/layout6b.err"; then
		ok "layout --copies 4 on 3 arrays is refused"
	else
		not_ok "layout --copies 4 on 3 arrays: exit $rc"
	fi
	rc=0
	lab layout --dir "$D6" --size 10G --columns 3 >/dev/null 2>"$T/layout6c.err" || rc=$?
	check "layout larger than the LUNs is refused" test "$rc" = 1
	rc=0
	lab layout --dir "$D6" --size 12Q >/dev/null 2>&1 || rc=$?
	check "layout with a malformed size is refused" test "$rc" -ne 0
	lab stop --dir "$D6" >/dev/null 2>&1 || not_ok "stop of the layout lab"
else
	not_ok "start of the layout lab"
	diag "$T/start6.err"
fi

# ------------------------------------------------------------------ 7
# down / up: a1 fails like a crashed box and comes back with its data.
D7=$T/lab7
LABS+=("$D7")
BASE7=$(free_ports 2)
if lab start --dir "$D7" --arrays 2 --lun-size 16M --base-port "$BASE7" >/dev/null 2>"$T/start7.err"; then
	# shellcheck source=/dev/null
	. "$D7/lab.env"
	pid1=$LAB_a1_PID ctl1=$LAB_a1_CONTROL_PORT portal1=$LAB_a1_PORTAL target1=$LAB_a1_TARGET
	pid2=$LAB_a2_PID lun1=$LAB_a1_LUN1_FILE
	# A marker written behind tgtd's back, 4 KiB at 1 MiB into a1 LUN 1.
	head -c 4096 /dev/urandom >"$T/marker7"
	dd if="$T/marker7" of="$lun1" bs=4096 seek=256 conv=notrunc status=none
	sum_before=$(sha256sum <"$lun1")

	rc=0
	lab down a1 --dir "$D7" >/dev/null 2>"$T/down7.err" || rc=$?
	if ((rc == 0)) && ! alive "$pid1" && [[ ! -e /var/run/tgtd/socket.$ctl1 && ! -e /var/run/tgtd/socket.$ctl1.lock ]]; then
		ok "down a1: exit 0, its tgtd (pid $pid1) is gone, control socket $ctl1 removed"
	else
		not_ok "down a1: exit $rc, tgtd $pid1 alive: $(alive "$pid1" && echo yes || echo no)"
		diag "$T/down7.err"
	fi
	got=$(readcap "$portal1" "$target1" 1)
	check "down a1: iscsi-readcapacity16 on a1 fails" test -z "$got"
	got=$(readcap "$LAB_a2_PORTAL" "$LAB_a2_TARGET" 1)
	check "down a1: a2 still answers (pid $pid2)" test "$got" = $((16 * MiB))
	rc=0
	lab status --dir "$D7" --json >"$T/status7.json" 2>/dev/null || rc=$?
	if ((rc == 3)) && python3 - "$T/status7.json" "$pid2" <<'EOF'; then
import json, sys
a = {x["name"]: x for x in json.load(open(sys.argv[1]))["arrays"]}
assert a["a1"]["down"] is True and a["a1"]["alive"] is False and a["a1"]["pid"] is None, a["a1"]
assert a["a2"]["down"] is False and a["a2"]["alive"] is True and a["a2"]["pid"] == int(sys.argv[2]), a["a2"]
EOF
		ok "status --json: a1 down (alive false, pid null), a2 alive; exit 3"
	else
		not_ok "status --json after down a1 (exit $rc)"
		diag "$T/status7.json"
	fi
	lab status --dir "$D7" >"$T/status7.txt" 2>&1 || true
	if grep -qE '^a1 .* down ' "$T/status7.txt" && grep -qE '^a2 .* alive ' "$T/status7.txt" &&
		grep -qx 'LAB_a1_DOWN=1' "$D7/lab.env" && grep -qx "LAB_a1_PID=''" "$D7/lab.env"; then
		ok "status table says a1 down; lab.env has LAB_a1_DOWN=1 and no pid"
	else
		not_ok "status table / lab.env after down a1"
		diag "$T/status7.txt"
	fi
	rc=0
	lab down a1 --dir "$D7" >/dev/null 2>"$T/down7b.err" || rc=$?
	check "down a1 again: no-op, exit 0" test "$rc" = 0

	rc=0
	lab up a1 --dir "$D7" >/dev/null 2>"$T/up7.err" || rc=$?
	# shellcheck source=/dev/null
	. "$D7/lab.env"
	if ((rc == 0)) && [[ $LAB_a1_PORTAL == "$portal1" && $LAB_a1_TARGET == "$target1" &&
		$LAB_a1_CONTROL_PORT == "$ctl1" && $LAB_a1_DOWN == 0 && $LAB_a1_PID != "$pid1" ]] &&
		alive "$LAB_a1_PID"; then
		ok "up a1: exit 0, same portal $portal1, target and control port; new pid $LAB_a1_PID"
	else
		not_ok "up a1: exit $rc, portal $LAB_a1_PORTAL, control port $LAB_a1_CONTROL_PORT, pid $LAB_a1_PID"
		diag "$T/up7.err"
	fi
	got=$(readcap "$portal1" "$target1" 1)
	check "up a1: iscsi-readcapacity16 on a1 says 16 MiB again" test "$got" = $((16 * MiB))
	if [[ $(sha256sum <"$lun1") == "$sum_before" ]] &&
		dd if="$lun1" bs=4096 skip=256 count=1 status=none | cmp -s - "$T/marker7"; then
		ok "up a1: LUN 1 is backed by the same file, marker and checksum unchanged"
	else
		not_ok "up a1: a1 LUN 1 backing file changed"
	fi
	rc=0
	lab status --dir "$D7" >/dev/null 2>&1 || rc=$?
	check "status after up: all alive (exit 0)" test "$rc" = 0
	pid1b=$LAB_a1_PID
	rc=0
	lab up a1 --dir "$D7" >/dev/null 2>&1 || rc=$?
	# shellcheck source=/dev/null
	. "$D7/lab.env"
	check "up a1 again: no-op, exit 0, same pid" test "$rc" = 0 -a "$LAB_a1_PID" = "$pid1b"
	check "a2 ran through all of it (pid $pid2)" alive "$pid2"

	# The cycle is fast enough to restart an array under load.
	t0=$(date +%s%N)
	rc=0
	{ lab down a1 --dir "$D7" && lab up a1 --dir "$D7"; } >/dev/null 2>"$T/cycle7.err" || rc=$?
	got=$(readcap "$portal1" "$target1" 1)
	ms=$((($(date +%s%N) - t0) / 1000000))
	if ((rc == 0 && ms < 2000)) && [[ $got == $((16 * MiB)) ]]; then
		ok "down + up + readcapacity of a1 in $ms ms (< 2000)"
	else
		not_ok "down + up + readcapacity of a1: exit $rc, $ms ms, capacity '$got'"
		diag "$T/cycle7.err"
	fi

	# Another tgtd takes a1's control port while a1 is down.
	# shellcheck source=/dev/null
	. "$D7/lab.env"
	ctl1=$LAB_a1_CONTROL_PORT
	lab down a1 --dir "$D7" >/dev/null 2>&1 || true
	D8=$T/lab8
	LABS+=("$D8")
	BASE8=$(free_ports 1)
	if lab start --dir "$D8" --arrays 1 --lun-size 8M --base-port "$BASE8" >/dev/null 2>"$T/start8.err"; then
		ctl8=$(sed -n "s/^LAB_a1_CONTROL_PORT='\(.*\)'$/\1/p" "$D8/lab.env")
		rc=0
		lab up a1 --dir "$D7" >/dev/null 2>"$T/up7c.err" || rc=$?
		# shellcheck source=/dev/null
		. "$D7/lab.env"
		if ((rc == 0)) && [[ $LAB_a1_CONTROL_PORT != "$ctl8" ]] &&
			timeout 5 tgtadm -C "$LAB_a1_CONTROL_PORT" --mode target --op show 2>/dev/null | grep -qF "$target1" &&
			[[ $(readcap "$portal1" "$target1" 1) == $((16 * MiB)) ]]; then
			if [[ $ctl8 == "$ctl1" ]]; then
				ok "up a1 after its control port $ctl1 was taken: uses and records port $LAB_a1_CONTROL_PORT"
			else
				ok "up a1 while another lab runs (it got control port $ctl8, not a1's $ctl1)"
			fi
		else
			not_ok "up a1 with another lab on control port $ctl8: exit $rc, recorded port $LAB_a1_CONTROL_PORT"
			diag "$T/up7c.err"
		fi
		lab stop --dir "$D8" >/dev/null 2>&1 || not_ok "stop of the control-port lab"
	else
		not_ok "start of a 1-array lab for the control-port check"
		diag "$T/start8.err"
	fi

	# up fails when a1's portal is taken meanwhile: a1 stays down.
	lab down a1 --dir "$D7" >/dev/null 2>&1 || true
	python3 -c '
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(1)
time.sleep(300)' "$LAB_a1_PORT" &
	LISTENER_PID=$!
	for ((i = 0; i < 100; i++)); do
		port_busy "$LAB_a1_PORT" && break
		sleep 0.1
	done
	rc=0
	lab up a1 --dir "$D7" >/dev/null 2>"$T/up7d.err" || rc=$?
	# shellcheck source=/dev/null
	. "$D7/lab.env"
	if ((rc == 1)) && grep -q 'in use' "$T/up7d.err" && [[ $LAB_a1_DOWN == 1 && -z $LAB_a1_PID ]]; then
		ok "up a1 with its portal taken: exit 1 ($(head -1 "$T/up7d.err")), a1 stays down"
	else
		not_ok "up a1 with its portal taken: exit $rc, LAB_a1_DOWN=$LAB_a1_DOWN, pid '$LAB_a1_PID'"
		diag "$T/up7d.err"
	fi
	kill "$LISTENER_PID" 2>/dev/null || true
	wait "$LISTENER_PID" 2>/dev/null || true
	LISTENER_PID=''

	rc=0
	lab down zz --dir "$D7" >/dev/null 2>"$T/down7z.err" || rc=$?
	rc2=0
	lab up zz --dir "$D7" >/dev/null 2>&1 || rc2=$?
	if ((rc == 1 && rc2 == 1)) && grep -q "no array 'zz'" "$T/down7z.err"; then
		ok "down/up of an unknown array: exit 1 ($(head -1 "$T/down7z.err"))"
	else
		not_ok "down/up of an unknown array: exit $rc/$rc2"
	fi
	rc=0
	lab down a1 --dir "$T/nolab" >/dev/null 2>"$T/down7n.err" || rc=$?
	rc2=0
	lab up a1 --dir "$T/nolab" >/dev/null 2>&1 || rc2=$?
	if ((rc == 1 && rc2 == 1)) && grep -q 'no lab' "$T/down7n.err" && [[ ! -e $T/nolab ]]; then
		ok "down/up without a lab: exit 1"
	else
		not_ok "down/up without a lab: exit $rc/$rc2"
	fi

	# stop with a1 down cleans up everything.
	ctl2=$LAB_a2_CONTROL_PORT ctl1=$LAB_a1_CONTROL_PORT
	rc=0
	lab stop --dir "$D7" >/dev/null 2>"$T/stop7.err" || rc=$?
	left=''
	for f in /proc/[0-9]*/cmdline; do
		p=${f#/proc/}
		p=${p%/cmdline}
		if tr '\0' ' ' 2>/dev/null <"$f" | grep -qE "^tgtd .*portal=127\.0\.0\.1:($BASE7|$((BASE7 + 1))) " &&
			alive "$p"; then
			left+=" $p"
		fi
	done
	if ((rc == 0)) && [[ -z $left && ! -e $D7/lab.json && ! -e $lun1 ]] &&
		[[ ! -e /var/run/tgtd/socket.$ctl1 && ! -e /var/run/tgtd/socket.$ctl1.lock ]] &&
		[[ ! -e /var/run/tgtd/socket.$ctl2 && ! -e /var/run/tgtd/socket.$ctl2.lock ]]; then
		ok "stop with a1 down: exit 0, no tgtd left, sockets $ctl1 $ctl2 and files removed"
	else
		not_ok "stop with a1 down: exit $rc, tgtd left:${left:- none}"
		diag "$T/stop7.err"
	fi
else
	not_ok "start of the down/up lab"
	diag "$T/start7.err"
fi

# ------------------------------------------------------------------ 8
# down / up in a network namespace; a portal that cannot be bound.
D9=$T/lab9
LABS+=("$D9")
if lab start --dir "$D9" --arrays 1 --lun-size 16M --netns >/dev/null 2>"$T/start9.err"; then
	# shellcheck source=/dev/null
	. "$D9/lab.env"
	ns=$LAB_a1_NETNS portal9=$LAB_a1_PORTAL pid9=$LAB_a1_PID
	rc=0
	lab down a1 --dir "$D9" >/dev/null 2>"$T/down9.err" || rc=$?
	if ((rc == 0)) && ! alive "$pid9" && ip netns list | awk '{print $1}' | grep -qxF -- "$ns" &&
		[[ -z $(readcap "$portal9" "$LAB_a1_TARGET" 1) ]]; then
		ok "netns: down a1: tgtd gone, namespace $ns kept, $portal9 does not answer"
	else
		not_ok "netns: down a1: exit $rc"
		diag "$T/down9.err"
	fi
	rc=0
	lab up a1 --dir "$D9" >/dev/null 2>"$T/up9.err" || rc=$?
	# shellcheck source=/dev/null
	. "$D9/lab.env"
	got=$(readcap "$portal9" "$LAB_a1_TARGET" 1)
	if ((rc == 0)) && [[ $LAB_a1_PORTAL == "$portal9" && $portal9 == 198.18.*.2:3260 && $got == $((16 * MiB)) ]] &&
		[[ $(ip netns identify "$LAB_a1_PID" 2>/dev/null) == "$ns" ]]; then
		ok "netns: up a1: back in $ns, iscsi-readcapacity16 on $portal9 says 16 MiB"
	else
		not_ok "netns: up a1: exit $rc, portal $LAB_a1_PORTAL, capacity '$got'"
		diag "$T/up9.err"
	fi

	# Something else listens on the portal inside the namespace: the new
	# tgtd cannot bind it, up kills it and a1 stays down.
	lab down a1 --dir "$D9" >/dev/null 2>&1 || true
	ip netns exec "$ns" python3 -c '
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2])))
s.listen(1)
time.sleep(300)' "$LAB_a1_IP" "$LAB_a1_PORT" &
	LISTENER_PID=$!
	for ((i = 0; i < 100; i++)); do
		[[ -n $(ip netns exec "$ns" ss -Htln "sport = :$LAB_a1_PORT" 2>/dev/null) ]] && break
		sleep 0.1
	done
	rc=0
	lab up a1 --dir "$D9" >/dev/null 2>"$T/up9b.err" || rc=$?
	# shellcheck source=/dev/null
	. "$D9/lab.env"
	others=$(ip netns pids "$ns" 2>/dev/null | grep -vx "$LISTENER_PID" | tr '\n' ' ') || true
	if ((rc == 1)) && grep -q 'could not listen' "$T/up9b.err" && [[ -z $others && $LAB_a1_DOWN == 1 && -z $LAB_a1_PID ]]; then
		ok "netns: up a1 with its portal taken in $ns: exit 1, no tgtd left, a1 stays down"
	else
		not_ok "netns: up a1 with its portal taken: exit $rc, processes left in $ns: ${others:-none}"
		diag "$T/up9b.err"
	fi
	kill "$LISTENER_PID" 2>/dev/null || true
	wait "$LISTENER_PID" 2>/dev/null || true
	LISTENER_PID=''
	rc=0
	lab up a1 --dir "$D9" >/dev/null 2>"$T/up9c.err" || rc=$?
	got=$(readcap "$portal9" "$LAB_a1_TARGET" 1)
	if ((rc == 0)) && [[ $got == $((16 * MiB)) ]]; then
		ok "netns: up a1 once the portal is free again"
	else
		not_ok "netns: up a1 once the portal is free: exit $rc, capacity '$got'"
		diag "$T/up9c.err"
	fi
	rc=0
	lab stop --dir "$D9" >/dev/null 2>"$T/stop9.err" || rc=$?
	if ((rc == 0)) && ! ip netns list | awk '{print $1}' | grep -qxF -- "$ns"; then
		ok "netns: stop after down/up removes the namespace"
	else
		not_ok "netns: stop after down/up: exit $rc"
		diag "$T/stop9.err"
	fi
else
	not_ok "start of the netns down/up lab"
	diag "$T/start9.err"
fi

# ------------------------------------------------------------------ usage
rc=0
"$LAB" start --no-such-option >/dev/null 2>"$T/usage.err" || rc=$?
if ((rc == 2)) && grep -q '^usage:' "$T/usage.err"; then
	ok "unknown option: usage on stderr, exit 2"
else
	not_ok "unknown option: exit $rc"
fi

echo "# $((CHECKS - FAILS))/$CHECKS checks passed"
((FAILS == 0))
