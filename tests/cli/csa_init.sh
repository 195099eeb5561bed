#!/usr/bin/env bash
# csa init and csa cert issue: files, modes, refusals, exit codes, and the
# certificates chaining to the cluster CA.
set -uo pipefail
BUILD=${CSA_BUILD:-$(cd "$(dirname "$0")/../.." && pwd)/build}
CSA=$BUILD/tools/csa
failures=0
ok() { echo "ok - $*"; }
check() { local w=$1; shift; if "$@"; then ok "$w"; else echo "not ok - $w"; failures=$((failures + 1)); fi; }
status_is() { local want=$1; shift; "$@" >/dev/null 2>&1; [ $? -eq "$want" ]; }

D=$(mktemp -d /tmp/csa-cli.XXXXXX)
trap 'rm -rf "$D"' EXIT
dir=$D/cluster

check "init makes the CA and the first certificates (exit 0)" \
	status_is 0 "$CSA" --dir "$dir" init --name lab
check "DIR is 0700" test "$(stat -c %a "$dir")" = 700
check "private keys are 0600" \
	test "$(stat -c %a "$dir/primary.key" "$dir/admin.key" "$dir/ca/ca.key" | sort -u)" = 600
check "init again is refused (exit 1)" status_is 1 "$CSA" --dir "$dir" init --name lab
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
