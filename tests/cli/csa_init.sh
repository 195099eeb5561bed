#!/usr/bin/env bash
# csa init and csa cert issue: files, modes, the cluster identity,
# refusals, exit codes, and the certificates chaining to the cluster CA.
set -uo pipefail
BUILD=${CSA_BUILD:-$(cd "$(dirname "$0")/../.." && pwd)/build}
CSA=$BUILD/tools/csa
failures=0
# The interpreter itself, found once: a version manager's shim in PATH
# costs a second a call.
PYTHON=$(python3 -c 'import sys; print(sys.executable)')
ok() { echo "ok - $*"; }
check() { local w=$1; shift; if "$@"; then ok "$w"; else echo "not ok - $w"; failures=$((failures + 1)); fi; }
status_is() { local want=$1; shift; "$@" >/dev/null 2>&1; [ $? -eq "$want" ]; }

D=$(mktemp -d /tmp/csa-cli.XXXXXX)
trap 'rm -rf "$D"' EXIT
dir=$D/cluster

uuid_re='[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}'
# file_uuid: the "uuid" of DIR/cluster.json, or nothing if it is not
# {"name": "lab", "uuid": ...} and nothing else.
file_uuid() {
	"$PYTHON" - "$dir/cluster.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
if sorted(c) == ["name", "uuid"] and c["name"] == "lab":
    print(c["uuid"])
PY
}

check "init makes the CA and the first certificates (exit 0)" \
	status_is 0 "$CSA" --dir "$dir" init --name lab
"$CSA" --dir "$D/other" init --name lab >"$D/init.out" 2>&1
uuid=$(file_uuid)
check "cluster.json holds the name and a random (version 4) UUID" \
	bash -c "echo '$uuid' | grep -Eqx '$uuid_re'"
check "cluster.json is 0644" test "$(stat -c %a "$dir/cluster.json")" = 644
check "init prints the UUID it wrote" \
	grep -q "uuid $(dir=$D/other file_uuid) in $D/other/cluster.json" "$D/init.out"
check "two clusters get two UUIDs" \
	test "$uuid" != "$(dir=$D/other file_uuid)"
check "DIR is 0700" test "$(stat -c %a "$dir")" = 700
check "private keys are 0600" \
	test "$(stat -c %a "$dir/primary.key" "$dir/admin.key" "$dir/ca/ca.key" | sort -u)" = 600
check "init again is refused (exit 1)" status_is 1 "$CSA" --dir "$dir" init --name lab
check "init again leaves cluster.json as it was" test "$(file_uuid)" = "$uuid"
# A DIR with a cluster.json but no CA: refused before anything is made.
mkdir -m 700 "$D/idonly" && cp "$dir/cluster.json" "$D/idonly/"
check "init over an existing cluster.json is refused (exit 1)" \
	status_is 1 "$CSA" --dir "$D/idonly" init --name lab
check "and makes no CA there" test ! -e "$D/idonly/ca"
check "and leaves cluster.json as it was" \
	test "$(dir=$D/idonly file_uuid)" = "$uuid"
check "cert issue --host db1 (exit 0)" \
	status_is 0 "$CSA" --dir "$dir" cert issue --host db1
check "issuing db1 again is refused (exit 1)" \
	status_is 1 "$CSA" --dir "$dir" cert issue --host db1
check "a common name with a space is refused (exit 1)" \
	status_is 1 "$CSA" --dir "$dir" cert issue --host "db 2"
check "cert issue without a role is bad usage (exit 2)" \
	status_is 2 "$CSA" --dir "$dir" cert issue
check "an unknown command is bad usage (exit 2)" status_is 2 "$CSA" frobnicate
check "--help exits 0 and names the commands" \
	bash -c "'$CSA' --help | grep -q 'cert issue'"
if command -v openssl >/dev/null; then
	for c in primary admin db1; do
		check "$c.crt chains to the cluster CA" \
			status_is 0 openssl verify -CAfile "$dir/ca/ca.crt" "$dir/$c.crt"
	done
	check "db1's subject names it a host" \
		bash -c "openssl x509 -noout -subject -in '$dir/db1.crt' | grep -q 'OU = host, CN = db1'"
fi
[ "$failures" -eq 0 ]
