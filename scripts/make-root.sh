#!/usr/bin/env bash
# make-root.sh SUITE ROOT [PACKAGE...]: debootstrap a minimal Debian SUITE root
# filesystem into ROOT and apt-install PACKAGEs into it, for the tests to
# chroot into. Builds in ROOT.partial and renames it when complete, so an
# interrupted run leaves no half-made root. Runs started at once take turns
# (a lock next to ROOT): the later ones find the root made and do nothing.
# Needs root.
set -euo pipefail
suite=$1 root=$2
shift 2
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
name=$(basename "$0" .sh)

if [ "$(id -u)" != 0 ]; then
	echo "$name: root is needed to debootstrap $root" >&2
	exit 1
fi
mkdir -p "$(dirname "$root")"
exec 9>"$root.lock"
flock -w 1200 9 || { echo "$name: another run has held $root.lock for 20 minutes" >&2; exit 1; }
[ -f "$root/.provisioned" ] && exit 0
command -v debootstrap >/dev/null || "$(dirname "$0")/apt-install" debootstrap
tmp="$root.partial"
rm -rf "$tmp"
fail() {
	tail -20 "$tmp.log" >&2
	exit 1
}
debootstrap --variant=minbase "$suite" "$tmp" "$mirror" >"$tmp.log" 2>&1 || fail
if [ $# -gt 0 ]; then
	cp /etc/resolv.conf "$tmp/etc/resolv.conf" 2>/dev/null || true
	chroot "$tmp" /usr/bin/env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		--no-install-recommends "$@" >>"$tmp.log" 2>&1 || fail
	chroot "$tmp" apt-get clean
fi
mkdir -p "$tmp/tmp"
touch "$tmp/.provisioned"
# scripts/godot bind-mounts /dev and /tmp into a root: never delete through them.
if grep -q " $root/" /proc/self/mounts; then
	echo "$name: $root has file systems mounted inside; unmount them first" >&2
	exit 1
fi
rm -rf "$root"
mv "$tmp" "$root"
rm -f "$tmp.log"
