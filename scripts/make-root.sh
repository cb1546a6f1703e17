#!/usr/bin/env bash
# make-root.sh SUITE ROOT [PACKAGE...]: debootstrap a minimal Debian SUITE root
# filesystem into ROOT and apt-install PACKAGEs into it, for the tests to
# chroot into. Builds in ROOT.partial and renames it when complete, so an
# interrupted run leaves no half-made root. Needs root.
set -euo pipefail
suite=$1 root=$2
shift 2
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
name=$(basename "$0" .sh)

if [ "$(id -u)" != 0 ]; then
	echo "$name: root is needed to debootstrap $root" >&2
	exit 1
fi
if ! command -v debootstrap >/dev/null; then
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
fi
mkdir -p "$(dirname "$root")"
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
rm -rf "$root"
mv "$tmp" "$root"
rm -f "$tmp.log"
