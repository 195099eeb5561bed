#!/usr/bin/env bash
# What `meson install` puts outside bin/: the man pages csa(8), csafs(8),
# csa-mkfile(8) and csa-primaryd(8) in MANDIR/man8, rendering without a
# warning, and the systemd units csa-primaryd@.service and csafs@.service
# in PREFIX/lib/systemd/system, naming the installed programs and passing
# systemd-analyze verify. Installed into a scratch DESTDIR.
#
# Only the "man" and "systemd" install tags are installed: the programs
# themselves are checked in the install plan, so that this test does not
# depend on every program of the tree being built.
set -uo pipefail
BUILD=${CSA_BUILD:-$(cd "$(dirname "$0")/../.." && pwd)/build}
failures=0
ok() { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; failures=$((failures + 1)); }
skip() { echo "ok - $* # SKIP"; }

PYTHON=$(python3 -c 'import sys; print(sys.executable)')
T=$(mktemp -d /tmp/csa-install.XXXXXX)
trap 'rm -rf "$T"' EXIT
DEST=$T/dest

# option NAME: a directory option of the build (prefix, bindir, ...).
option() {
	meson introspect --buildoptions "$BUILD" |
		"$PYTHON" -c 'import json, sys
print([o["value"] for o in json.load(sys.stdin) if o["name"] == sys.argv[1]][0])' "$1"
}
prefix=$(option prefix)
under() { case $1 in /*) echo "$1" ;; *) echo "$prefix/$1" ;; esac; }
mandir=$(under "$(option mandir)")
bindir=$(under "$(option bindir)")
sbindir=$(under "$(option sbindir)")
unitdir=$prefix/lib/systemd/system

if meson install -C "$BUILD" --no-rebuild --quiet --destdir "$DEST" \
	--tags man,systemd >"$T/install.log" 2>&1; then
	ok "meson install --destdir (man, systemd) exits 0"
else
	not_ok "meson install failed: $(tail -5 "$T/install.log")"
fi

# The programs are in the install plan, where the pages and units say.
meson introspect --installed "$BUILD" >"$T/plan.json"
for p in "$bindir/csa" "$bindir/csa-mkfile" "$sbindir/csa-primaryd"; do
	if "$PYTHON" -c 'import json, sys
sys.exit(sys.argv[2] not in json.load(open(sys.argv[1])).values())' \
		"$T/plan.json" "$p"; then
		ok "meson install would put $p"
	else
		not_ok "$p is not in the install plan"
	fi
done

# ---- man pages -----------------------------------------------------------

pages="csa csafs csa-mkfile csa-primaryd"
for p in $pages; do
	f=$DEST$mandir/man8/$p.8
	if [ -f "$f" ]; then
		ok "$mandir/man8/$p.8 installed"
	else
		not_ok "$mandir/man8/$p.8 missing"
	fi
done

if command -v man >/dev/null 2>&1; then
	for p in $pages; do
		f=$DEST$mandir/man8/$p.8
		[ -f "$f" ] || continue
		MANWIDTH=80 man --warnings -l "$f" >"$T/$p.txt" 2>"$T/$p.err"
		st=$?
		if [ $st -eq 0 ] && [ ! -s "$T/$p.err" ] && [ -s "$T/$p.txt" ]; then
			ok "$p(8) renders without a warning"
		else
			not_ok "$p(8): exit $st, $(head -c 500 "$T/$p.err")"
		fi
		missing=""
		for s in NAME SYNOPSIS DESCRIPTION OPTIONS FILES "EXIT STATUS" \
			EXAMPLES "SEE ALSO"; do
			grep -q "^$s\$" "$T/$p.txt" || missing="$missing '$s'"
		done
		if [ -z "$missing" ]; then
			ok "$p(8) has every section"
		else
			not_ok "$p(8) lacks$missing"
		fi
	done
else
	skip "man is not installed: pages not rendered"
fi

# ---- systemd units -------------------------------------------------------

for u in csa-primaryd@.service csafs@.service; do
	if [ -f "$DEST$unitdir/$u" ]; then
		ok "$unitdir/$u installed"
	else
		not_ok "$unitdir/$u missing"
	fi
done
if grep -q '@[A-Z]*@' "$DEST$unitdir/"*.service 2>/dev/null; then
	not_ok "a unit has an unsubstituted @VAR@"
else
	ok "the units have every @VAR@ substituted"
fi

# unit_has FILE LINE: the unit has exactly this line.
unit_has() {
	if grep -qxF -- "$2" "$DEST$unitdir/$1"; then
		ok "$1: $2"
	else
		not_ok "$1 lacks: $2"
	fi
}
unit_has csa-primaryd@.service \
	"ExecStart=$sbindir/csa-primaryd --dir /etc/csafs/%i \$CSA_PRIMARYD_OPTS"
unit_has csa-primaryd@.service "EnvironmentFile=-/etc/default/csa-primaryd-%i"
unit_has csa-primaryd@.service "Restart=on-failure"
unit_has csa-primaryd@.service "After=network-online.target"
unit_has csafs@.service \
	"ExecStart=$bindir/csafs -f \${CSAFS_PRIMARY} %f -o cert=\${CSAFS_CERT},key=\${CSAFS_KEY},ca=\${CSAFS_CA} \$CSAFS_OPTS"
unit_has csafs@.service "EnvironmentFile=/etc/default/csafs"
unit_has csafs@.service "Restart=on-failure"
grep -qE '^ExecStop=/.*fusermount3 -u %f$' "$DEST$unitdir/csafs@.service" &&
	ok "csafs@.service: ExecStop=fusermount3 -u %f" ||
	not_ok "csafs@.service has no ExecStop=fusermount3 -u %f"

# systemd-analyze verify checks that the programs exist, so instances
# (cluster "lab", mount point /mnt/csa) are verified with the programs
# of the build in place of the installed ones; the man pages it looks for
# are the ones installed above.
if command -v systemd-analyze >/dev/null 2>&1; then
	V=$T/verify
	mkdir -p "$V"
	csafs_bin=$BUILD/fs/csafs
	[ -x "$csafs_bin" ] || csafs_bin=$(command -v true)
	sed "s|$sbindir/csa-primaryd|$BUILD/primary/csa-primaryd|" \
		"$DEST$unitdir/csa-primaryd@.service" >"$V/csa-primaryd@lab.service"
	sed "s|$bindir/csafs|$csafs_bin|" \
		"$DEST$unitdir/csafs@.service" >"$V/csafs@mnt-csa.service"
	if MANPATH=$DEST$mandir: systemd-analyze verify \
		"$V/csa-primaryd@lab.service" "$V/csafs@mnt-csa.service" \
		>"$T/verify.log" 2>&1 && [ ! -s "$T/verify.log" ]; then
		ok "systemd-analyze verify passes both units"
	else
		not_ok "systemd-analyze verify: $(head -c 800 "$T/verify.log")"
	fi
	SYSTEMD_LOG_LEVEL=debug systemd-analyze verify "$V/csafs@mnt-csa.service" \
		>"$T/dump.log" 2>&1
	if grep -q "Description: csafs mount on /mnt/csa$" "$T/dump.log" &&
	   grep -q "fusermount3 -u /mnt/csa$" "$T/dump.log"; then
		ok "csafs@mnt-csa.service mounts /mnt/csa"
	else
		not_ok "csafs@mnt-csa.service does not name /mnt/csa"
	fi
else
	skip "systemd-analyze is not installed: units not verified"
fi

[ "$failures" -eq 0 ]
