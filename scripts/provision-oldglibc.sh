#!/usr/bin/env bash
# Provision a Debian bullseye root (glibc 2.31, from before glibc merged
# libpthread into libc) where the tests load the Linux library, proving it runs
# on systems older than the build machine. Cached outside the checkout
# (OLDGLIBC_ROOT) and reused; prints nothing when already there.
set -euo pipefail

root=${OLDGLIBC_ROOT:-/var/cache/godot-webrtc-go/bullseye}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}

[ -f "$root/.provisioned" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "provision-oldglibc: root is needed to debootstrap $root" >&2
	exit 1
fi
command -v debootstrap >/dev/null || {
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
}
mkdir -p "$(dirname "$root")"
tmp="$root.partial"
rm -rf "$tmp"
echo "provision-oldglibc: debootstrap bullseye into $root (about 90 s)" >&2
debootstrap --variant=minbase bullseye "$tmp" "$mirror" >"$tmp.log" 2>&1 || {
	tail -20 "$tmp.log" >&2
	exit 1
}
touch "$tmp/.provisioned"
rm -rf "$root"
mv "$tmp" "$root"
rm -f "$tmp.log"
