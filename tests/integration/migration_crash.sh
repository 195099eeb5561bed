#!/usr/bin/env bash
# A migration survives its primary, and a host that stops answering.
#
#  1. csa-primaryd is killed (CSA_PD_CRASH=STEP:3, SIGKILL) at each step of
#     the third region it moves -- lock, copy, commit -- while fio writes
#     and verifies through a csafs mount, one job on each of regions 2 to
#     5 (I/O to the region held at the kill waits, the rest goes on). The
#     catalog on the LUNs then says where the migration stood; a primary
#     started again resumes it from there and ends it; fio never sees an
#     error; a fresh mount reads back what was written. After a kill at
#     commit, the region already recorded is not moved again.
#  2. After the kill at copy, the primary that resumes is another one: a
#     copy of the cluster directory without primary.arrays, started with
#     only --discover of one array's portal.
#  3. Two hosts have a volume open; one is stopped (SIGSTOP) and never
#     answers the lock: the primary waits for its lease (10 s after its
#     last report), says so in its log, and goes on; the data is intact.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
CSA=$BUILD/tools/csa
PRIMARYD=$BUILD/primary/csa-primaryd
CSAFS=$BUILD/fs/csafs
CAT=$BUILD/tests/catalog_luns
PORT=7441

for x in "$CSA" "$PRIMARYD" "$CSAFS" "$CAT"; do
	[ -x "$x" ] || { echo "not ok - $x not built"; exit 1; }
done
command -v fio >/dev/null || skip "fio is not installed"
command -v python3 >/dev/null || skip "python3 is not installed"

# A host stopped with SIGSTOP would hold up cleanup's SIGTERM for 10 s:
# it gets SIGKILL first. CSA_KEEP_LOGS=DIR keeps the logs of a failed run.
H2=
keep_logs() {
	[ -n "${CSA_KEEP_LOGS:-}" ] && [ "$failures" -ne 0 ] || return 0
	mkdir -p "$CSA_KEEP_LOGS" &&
		cp "$WORK"/*.log "$WORK"/*.out "$WORK"/fio_* "$WORK"/events "$CSA_KEEP_LOGS"/ 2>/dev/null
}
trap '[ -n "$H2" ] && kill -9 "$H2" 2>/dev/null; keep_logs; cleanup' EXIT

lab_start --arrays 4 --luns 1 --lun-size 160M --base-port 3441
. "$WORK/lab/lab.env"
D=$WORK/cluster
csa() { "$CSA" --dir "$D" --primary "127.0.0.1:$PORT" --timeout 10 "$@"; }
json() { csa --json "$@"; }
field() {	# field KEY: the first integer value of "KEY" on stdin
	grep -Eo "\"$1\": ?-?[0-9]+" | head -1 | grep -Eo -- '-?[0-9]+$'
}
urls=()
for a in $LAB_ARRAYS; do
	p=LAB_${a}_PORTAL t=LAB_${a}_TARGET
	urls+=("iscsi://${!p}/${!t}/1")
done

"$CSA" --dir "$D" init --name migcrash >/dev/null
"$CSA" --dir "$D" cert issue --host h1 >/dev/null
"$CSA" --dir "$D" cert issue --host h2 >/dev/null

# ---- helpers ----------------------------------------------------------------------

# gone PID: the process is no more (a zombie counts as gone).
gone() {
	! kill -0 "$1" 2>/dev/null ||
		[ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" = Z ]
}
# wait_dead PID SECONDS: 0 once gone, 1 at the timeout.
wait_dead() {
	local i
	for ((i = 0; i < $2 * 10; i++)); do gone "$1" && return 0; sleep 0.1; done
	return 1
}

# start_primary DIR LOG [ARGS...]: csa-primaryd on $PORT; ready when it
# answers. CRASH (the environment's) is passed as CSA_PD_CRASH if set.
start_primary() {
	local dir=$1 log=$2 i; shift 2
	PDLOG=$log
	PD=$(daemon_start "$log" env -u CSA_PD_CRASH ${CRASH:+CSA_PD_CRASH=$CRASH} \
		"$PRIMARYD" --dir "$dir" --listen "127.0.0.1:$PORT" \
		--timeout 3000 --io-timeout 3000 --no-auto --region-size 4M "$@")
	for ((i = 0; i < 100; i++)); do
		csa status >/dev/null 2>&1 && return 0
		gone "$PD" && break
		sleep 0.2
	done
	cat "$log"
	return 1
}

# mount_fs HOST DIR: csafs as HOST on DIR; FS its PID.
mount_fs() {
	local i
	mkdir -p "$2"
	echo "$2" >> "$WORK/mounts"
	FS=$(daemon_start "$WORK/csafs.$1.$(basename "$2").log" "$CSAFS" \
		"127.0.0.1:$PORT" "$2" -f \
		-o "cert=$D/$1.crt,key=$D/$1.key,ca=$D/ca/ca.crt")
	for ((i = 0; i < 100; i++)); do mountpoint -q "$2" && return 0; sleep 0.2; done
	return 1
}
# umount_fs DIR PID
umount_fs() {
	fusermount3 -u "$1" 2>/dev/null || fusermount3 -u -z "$1" 2>/dev/null
	daemon_stop "$2" >/dev/null
}

# wait_online V SECONDS: the volume's migration is over.
wait_online() {
	local i
	for ((i = 0; i < $2 * 5; i++)); do
		json volume show "$1" 2>/dev/null | grep -Eq '"state": ?"online"' && return 0
		sleep 0.2
	done
	return 1
}

# fio_loop OUT STOP ARGS...: fio ARGS in runs of 3 s (each run writes and
# verifies its loops over and over) until the file STOP exists, so that
# it lasts as long as the migration, whatever that takes. Each run's
# report in OUT.N; OUT.pid the fio running. The first failing run's exit
# status, else 0.
fio_loop() {
	local out=$1 stop=$2 n=0 rc; shift 2
	while [ ! -e "$stop" ] && [ -d "$WORK" ]; do
		n=$((n + 1))
		fio "$@" --loops=100000 --runtime=3 --output="$out.$n" \
			>"$out.$n.err" 2>&1 &
		echo $! > "$out.pid"
		wait $!
		rc=$?
		[ "$rc" -eq 0 ] || { echo "run $n: exit $rc" >> "$out"; return "$rc"; }
	done
	echo "$n runs" >> "$out"
	return 0
}
# fio_start OUT ARGS...: fio_loop in the background; FIO its PID.
fio_start() {
	local out=$1; shift
	rm -f "$out.stop"
	fio_loop "$out" "$out.stop" "$@" &
	FIO=$!
	echo "$FIO" >> "$WORK/pids"
}
# fio_end OUT PID SECONDS: stop the runs; the loop's exit status, or 124
# (and fio killed) if it is not over within SECONDS.
fio_end() {
	local i
	touch "$1.stop"
	for ((i = 0; i < $3 * 10; i++)); do
		gone "$2" && { wait "$2"; return $?; }
		sleep 0.1
	done
	kill -9 "$2" "$(cat "$1.pid" 2>/dev/null)" 2>/dev/null
	wait "$2" 2>/dev/null
	return 124
}
# fio_clean OUT: no run of fio_loop reported an error, or data it had
# not written.
fio_clean() {
	! cat "$1".[0-9]* 2>/dev/null |
		grep -Eq 'err= *[1-9]|verify: bad|bad (header|magic)|verify failed|fio: (pid|io_u error)'
}

# arrays_of V: its layout's arrays, comma-separated.
arrays_of() {
	json volume show "$1" | tr -d ' \n' | grep -Eo '"arrays":\[[^]]*\]' |
		head -1 | grep -Eo '"a[0-9]+"' | tr -d '"' | sort | paste -sd,
}
# others LIST: the lab's arrays not in LIST.
others() {
	local a out=()
	for a in $LAB_ARRAYS; do [[ ,$1, == *,$a,* ]] || out+=("$a"); done
	(IFS=,; echo "${out[*]}")
}

# catalog_migrated V: from the catalog on the LUNs (no primary needed),
# "migrating" and the regions recorded as migrated, or "online".
catalog_migrated() {
	"$CAT" load "${urls[@]}" 2>"$WORK/cat.err" > "$WORK/cat.json" || return 1
	python3 - "$WORK/cat.json" "$1" <<-'EOF'
	import json, sys
	c = json.load(open(sys.argv[1]))
	v = [x for x in c["volumes"] if x["name"] == sys.argv[2]][0]
	m = v.get("migration")
	if not m:
	    print("online")
	    sys.exit(0)
	done = [r for run in m["to"].get("regions", []) if run["state"] == "migrated"
	        for r in range(run["first"], run["first"] + run["count"])]
	other = [run["state"] for run in m["to"].get("regions", [])
	         if run["state"] != "migrated"]
	print("migrating", ",".join(map(str, done)) or "-", *other)
	EOF
}

# The primary's events (migration.*, region.*) as JSON lines, through
# every restart of the primary.
cat > "$WORK/events.py" <<'EOF'
import json, socket, ssl, struct, sys, time
D, ADDR, OUT = sys.argv[1:4]
HOST, PORT = ADDR.rsplit(":", 1)
out = open(OUT, "a", buffering=1)

def recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            raise EOFError
        buf += chunk
    return buf

while True:
    try:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_3
        ctx.check_hostname = False
        ctx.load_verify_locations(D + "/ca/ca.crt")
        ctx.load_cert_chain(D + "/admin.crt", D + "/admin.key")
        raw = socket.create_connection((HOST, int(PORT)), timeout=5)
        s = ctx.wrap_socket(raw)
        req = json.dumps({"op": "subscribe", "id": 1}).encode()
        s.sendall(struct.pack(">I", len(req)) + req)
        s.settimeout(None)
        out.write(json.dumps({"subscribed": time.time()}) + "\n")
        while True:
            n = struct.unpack(">I", recv_exact(s, 4))[0]
            msg = json.loads(recv_exact(s, n))
            ev = msg.get("event", "")
            if (ev.startswith("migration.") or ev.startswith("region.")) \
                    and ev != "migration.progress":
                out.write(json.dumps({"event": ev, "data": msg["data"],
                                      "t": round(time.time(), 3)}) + "\n")
    except Exception:
        time.sleep(0.1)
EOF
daemon_start "$WORK/events.log" python3 "$WORK/events.py" "$D" \
	"127.0.0.1:$PORT" "$WORK/events" >/dev/null

# ---- the cluster ------------------------------------------------------------------

CRASH= start_primary "$D" "$WORK/primaryd.0.log" ||
	{ echo "not ok - csa-primaryd starts"; exit 1; }
for a in $LAB_ARRAYS; do
	p=LAB_${a}_PORTAL t=LAB_${a}_TARGET
	csa array add "$a" --portal "${!p}" --target "${!t}" \
		--rated-mbps 400 --rated-iops 20k >/dev/null
done
check "4 arrays added" test "$(json array ls | grep -c '"name"')" -eq 4

MB=1048576
# ---- 1, 2: the primary killed at lock, copy and commit ------------------------------
#
# Volume of 32 MiB: 8 regions of 4 MiB (--region-size 4M). fio writes and verifies regions 2
# to 5 (8 MiB to 24 MiB) all along, so the region being moved when the
# primary dies (the third, region 2) has I/O held on it; regions 0-1 and
# 6-7 keep the bytes written first.
crash_case() {
	local step=$1 how=$2 v=vc_$1 m=$WORK/m_$1 i from to fio_pid fio_rc
	local want_done got regions done0 r0 locks expect_locks
	echo "# primary killed at $step (CSA_PD_CRASH=$step:3), resumed by $how"
	daemon_stop "$PD" >/dev/null
	CRASH=$step:3 start_primary "$D" "$WORK/primaryd.$step.log"
	check "$step: csa-primaryd with CSA_PD_CRASH=$step:3 starts" test $? -eq 0
	check "$step: h1 mounts" mount_fs h1 "$m"
	local fs=$FS
	csa volume create "$v" --size 32M --mbps 600 >/dev/null
	check "$step: $v (32 MiB, 600 MB/s) has 2 columns" \
		test "$(json volume show "$v" | field columns)" = 2
	from=$(arrays_of "$v")
	to=$(others "$from")
	head -c 32M /dev/urandom > "$WORK/orig_$step"
	dd if="$WORK/orig_$step" of="$m/$v" bs=1M oflag=direct conv=fsync status=none
	check "$step: 32 MiB written to $v on $from" cmp -s "$WORK/orig_$step" "$m/$v"

	# One fio job a region, so that the others go on while one is held.
	FIO_ARGS=(--name="mig_$step" --filename="$m/$v" --direct=1
		--ioengine=psync --rw=randwrite --bs=64k --offset=8M --size=4M
		--numjobs=4 --offset_increment=4M --verify=crc32c
		--verify_fatal=1 --randseed=4242 --verify_state_save=0)
	fio_start "$WORK/fio_$step" "${FIO_ARGS[@]}"
	fio_pid=$FIO
	sleep 1
	json volume migrate "$v" --to "$to" --max-rate 8 > "$WORK/mig_$step" 2>&1
	regions=$(field regions < "$WORK/mig_$step")
	check "$step: volume migrate $v --to $to starts ($regions regions of $(field region_bytes < "$WORK/mig_$step") bytes)" \
		bash -c "grep -Eq '\"state\": ?\"(running|locked)\"' '$WORK/mig_$step' && test '$regions' = 8"

	wait_dead "$PD" 60
	check "$step: the primary dies by itself at $step of region 2 (within 60 s)" \
		grep -q "CSA_PD_CRASH=$step:3: killed at $step" "$PDLOG"
	check "$step: ... and is gone" gone "$PD"
	gone "$PD" || daemon_stop "$PD" >/dev/null
	check "$step: ... while fio runs" kill -0 "$fio_pid"
	# What the catalog on the LUNs says, with no primary: regions 0 and
	# 1 recorded, and region 2 too when the kill came after commit.
	[ "$step" = commit ] && want_done=0,1,2 || want_done=0,1
	got=$(catalog_migrated "$v")
	check "$step: the catalog on the LUNs says $v is migrating, regions $want_done there ($got)" \
		test "$got" = "migrating $want_done"
	done0=$(tr ',' '\n' <<<"$want_done" | wc -l)

	# Started again, without CSA_PD_CRASH: resumes from the catalog.
	sleep 0.5
	if [ "$how" = discover ]; then
		D2=$WORK/other
		cp -a "$D" "$D2"
		rm -f "$D2/primary.arrays"
		p=LAB_a1_PORTAL
		CRASH= start_primary "$D2" "$WORK/primaryd.$step.2.log" --discover "${!p}"
		check "$step: another primary, a copy of the directory without primary.arrays and only --discover ${!p}, starts" \
			test $? -eq 0
	else
		CRASH= start_primary "$D" "$WORK/primaryd.$step.2.log"
		check "$step: the primary starts again" test $? -eq 0
	fi
	json volume show "$v" > "$WORK/show_$step"
	r0=$(field regions_done < "$WORK/show_$step")
	check "$step: it finds $v migrating, $r0 of $regions regions done (>= $done0, < $regions)" \
		bash -c "grep -Eq '\"migration\": ?\{' '$WORK/show_$step' && [ '$r0' -ge $done0 ] && [ '$r0' -lt $regions ]"
	check "$step: the migration ends by itself (within 90 s)" wait_online "$v" 90
	to_now=$(arrays_of "$v")
	check "$step: $v lives on $to ($to_now)" test "$to_now" = "$to"
	# The primary that resumed moved each region left exactly once:
	# after a kill at commit, region 2 was not moved again. (It may lock
	# a region more than once: one written while copied ahead.)
	expect_moved=$((regions - done0))
	for ((i = 0; i < 50; i++)); do
		grep -q "\"migration.done\".*\"volume\": \"$v\"" "$WORK/events" 2>/dev/null && break
		sleep 0.1
	done
	done_ev=$(grep "\"migration.done\".*\"volume\": \"$v\"" "$WORK/events")
	moved=$(field regions_moved <<< "$done_ev")
	echo "# $step: $(field locks <<< "$done_ev") locks, $(field regions_ahead <<< "$done_ev") regions copied ahead"
	check "$step: the resuming primary moved the $expect_moved regions left, each once (moved: ${moved:-no migration.done event})" \
		test "${moved:-x}" = "$expect_moved"
	check "$step: ... with no region failed" \
		bash -c "! grep -q 'region failed' '$PDLOG'"

	fio_end "$WORK/fio_$step" "$fio_pid" 60
	fio_rc=$?
	check "$step: fio wrote and verified through the kill and the restart: exit $fio_rc ($(tail -1 "$WORK/fio_$step"))" \
		test "$fio_rc" -eq 0
	check "$step: ... with 0 errors" fio_clean "$WORK/fio_$step"
	cat "$WORK/fio_$step".*.err 2>/dev/null | grep -E 'verify|bad' | head -3 | sed 's/^/    /'

	umount_fs "$m" "$fs"
	check "$step: a fresh mount" mount_fs h1 "${m}_fresh"
	fs=$FS
	check "$step: regions 0-1 read back as written" \
		cmp -s -n $((8 * MB)) "$WORK/orig_$step" "${m}_fresh/$v"
	check "$step: regions 6-7 read back as written" \
		cmp -s -i $((24 * MB)) -n $((8 * MB)) "$WORK/orig_$step" "${m}_fresh/$v"
	FIO_ARGS[1]=--filename="${m}_fresh/$v"
	timeout -k 5 60 fio "${FIO_ARGS[@]}" --verify_only \
		--output="$WORK/fio_${step}_verify.out" >/dev/null 2>&1
	check "$step: fio --verify_only finds regions 2-5 as fio last wrote them" test $? -eq 0
	umount_fs "${m}_fresh" "$fs"
	for ((i = 0; i < 75; i++)); do
		csa volume rm "$v" >/dev/null 2>&1 && break
		sleep 0.2
	done
}

crash_case lock restart
crash_case copy discover
crash_case commit restart

# ---- 3: a host that does not answer the lock ------------------------------------------
echo "# h2 stopped: the lock waits for its lease"
v=vh
csa volume create "$v" --size 32M --mbps 600 >/dev/null
check "h2: $v created" test "$(json volume show "$v" | field columns)" = 2
from=$(arrays_of "$v")
to=$(others "$from")
check "h2: h1 mounts" mount_fs h1 "$WORK/mh1"
FS1=$FS
head -c 32M /dev/urandom > "$WORK/orig_h"
dd if="$WORK/orig_h" of="$WORK/mh1/$v" bs=1M oflag=direct conv=fsync status=none
check "h2: 32 MiB written to $v on $from through h1" cmp -s "$WORK/orig_h" "$WORK/mh1/$v"
check "h2: h2 mounts" mount_fs h2 "$WORK/mh2"
H2=$FS
# A process of h2 holds the volume open, asleep.
daemon_start "$WORK/holder.log" bash -c "exec 4<'$WORK/mh2/$v'; exec sleep 300" >/dev/null
FIO_ARGS=(--name=mig_h --filename="$WORK/mh1/$v" --direct=1 --ioengine=psync
	--rw=randwrite --bs=64k --offset=16M --size=16M --verify=crc32c
	--verify_fatal=1 --randseed=777 --verify_state_save=0)
fio_start "$WORK/fio_h" "${FIO_ARGS[@]}"
fio_pid=$FIO
for ((i = 0; i < 50; i++)); do
	open_on=$(json volume show "$v" | tr -d ' \n' | grep -Eo '"open_on":\[[^]]*\]')
	[[ $open_on == *'"h1"'* && $open_on == *'"h2"'* ]] && break
	sleep 0.2
done
check "h2: h1 and h2 have $v open ($open_on)" \
	bash -c "[[ '$open_on' == *'\"h1\"'* && '$open_on' == *'\"h2\"'* ]]"

# keyed ARRAYS: the arrays (a1,a2) whose LUN 1 lists h2's key.
H2KEY=$("$BUILD/tests/pr_tool" hostkey h2)
keyed() {
	local a p t out=()
	for a in ${1//,/ }; do
		p=LAB_${a}_PORTAL t=LAB_${a}_TARGET
		"$BUILD/tests/pr_tool" keys "${!p}" "${!t}" 1 2>/dev/null |
			grep -qx "$H2KEY" && out+=("$a")
	done
	(IFS=,; echo "${out[*]}")
}
check "h2: $from's LUNs list h2's key ($H2KEY): $(keyed "$from")" \
	test "$(keyed "$from")" = "$from"
for a in ${from//,/ }; do
	p=LAB_${a}_PORTAL t=LAB_${a}_TARGET
	got=$("$BUILD/tests/pr_tool" refused "${!p}" "${!t}" 1 2>&1)
	rc=$?
	check "h2: the primary holds $a's LUN: a write with no key is refused ($got)" \
		test "$rc" -eq 0
done

kill -STOP "$H2"
t0=$(date +%s%N)
json volume migrate "$v" --to "$to" --max-rate 40 > "$WORK/mig_h" 2>&1
check "h2: with h2 stopped, volume migrate $v --to $to starts" \
	grep -Eq '"state": ?"(running|locked)"' "$WORK/mig_h"
wait_online "$v" 60
rc=$?
took=$((($(date +%s%N) - t0) / 1000000))
check "h2: the migration ends (within 60 s) after waiting out h2's lease: $took ms (>= 8000)" \
	bash -c "[ $rc -eq 0 ] && [ $took -ge 8000 ]"
check "h2: the primary's log names h2 as not answering" \
	grep -Eq "lock of $v region [0-9]+: host h2 did not answer" "$PDLOG"
check "h2: ... and only h2" \
	bash -c "! grep -Eq 'host h1 did not answer' '$PDLOG'"
grep "did not answer" "$PDLOG" | sed 's/^/    /'
check "h2: the primary fenced h2 on the LUNs of $from and $to ($(grep -o "host h2 fenced.*" "$PDLOG" | head -1))" \
	grep -Eq "host h2 fenced for $v: its registration removed from [2-4] LUNs" "$PDLOG"
check "h2: $from's LUNs no longer list h2's key (left on: '$(keyed "$from")')" \
	test -z "$(keyed "$from")"
to_now=$(arrays_of "$v")
check "h2: $v lives on $to ($to_now)" test "$to_now" = "$to"
fio_end "$WORK/fio_h" "$fio_pid" 60
fio_rc=$?
check "h2: fio through h1 wrote and verified all along: exit $fio_rc ($(tail -1 "$WORK/fio_h"))" \
	test "$fio_rc" -eq 0
check "h2: ... with 0 errors" fio_clean "$WORK/fio_h"

# h2 goes on: it finds its lease lost, reads the maps again and only then
# registers again, and writes where the volume is now.
kill -CONT "$H2"
for ((i = 0; i < 100; i++)); do
	[ "$(keyed "$to")" = "$to" ] && break
	sleep 0.2
done
check "h2: woken, h2 registers again on $to's LUNs: '$(keyed "$to")'" \
	test "$(keyed "$to")" = "$to"
head -c $MB /dev/urandom > "$WORK/h2_mib"
timeout 30 dd if="$WORK/h2_mib" of="$WORK/mh2/$v" bs=1M count=1 oflag=direct \
	conv=notrunc,fsync status=none 2>"$WORK/h2_dd.err"
dd_rc=$?
check "h2: ... and writes 1 MiB to $v through its mount, fsync included (exit $dd_rc) $(cat "$WORK/h2_dd.err")" \
	test "$dd_rc" -eq 0
dd if="$WORK/h2_mib" of="$WORK/orig_h" bs=1M count=1 conv=notrunc status=none
dd if="$WORK/mh1/$v" of="$WORK/h1_mib" bs=1M count=1 iflag=direct status=none
check "h2: h1 reads what h2 wrote" cmp -s "$WORK/h2_mib" "$WORK/h1_mib"
umount_fs "$WORK/mh2" "$H2"
H2=
umount_fs "$WORK/mh1" "$FS1"
check "h2: a fresh mount of h1" mount_fs h1 "$WORK/mh1_fresh"
check "h2: the first half reads back as written" \
	cmp -s -n $((16 * MB)) "$WORK/orig_h" "$WORK/mh1_fresh/$v"
FIO_ARGS[1]=--filename="$WORK/mh1_fresh/$v"
timeout -k 5 60 fio "${FIO_ARGS[@]}" --verify_only --output="$WORK/fio_h_verify.out" \
	>/dev/null 2>&1
check "h2: fio --verify_only finds the second half as fio last wrote it" test $? -eq 0

finish
