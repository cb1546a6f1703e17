#!/usr/bin/env bash
# Provision a headless Godot 4 for the tests: Debian's `godot` package, which only
# Debian sid carries, installed into a sid root filesystem made with debootstrap.
# The root is cached outside the checkout (GODOT_ROOT) and reused by later runs.
# Prints nothing on success; scripts/godot runs the result.
set -euo pipefail

root=${GODOT_ROOT:-/var/cache/godot-webrtc-go/sid}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}

if [ -x "$root/usr/bin/godot" ] && [ -f "$root/.provisioned" ]; then
	exit 0
fi
if [ "$(id -u)" != 0 ]; then
	echo "provision-godot: root is needed to debootstrap $root (or set GODOT)" >&2
	exit 1
fi
if ! command -v debootstrap >/dev/null; then
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
fi

mkdir -p "$(dirname "$root")"
tmp="$root.partial"
rm -rf "$tmp"
echo "provision-godot: debootstrap sid into $root (about 90 s)" >&2
debootstrap --variant=minbase sid "$tmp" "$mirror" >"$tmp.log" 2>&1 || {
	tail -20 "$tmp.log" >&2
	exit 1
}
cp /etc/resolv.conf "$tmp/etc/resolv.conf" 2>/dev/null || true
chroot "$tmp" /usr/bin/env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	--no-install-recommends godot >>"$tmp.log" 2>&1 || {
	tail -20 "$tmp.log" >&2
	exit 1
}
chroot "$tmp" apt-get clean
mkdir -p "$tmp/tmp"
touch "$tmp/.provisioned"
rm -rf "$root"
mv "$tmp" "$root"
rm -f "$tmp.log"
echo "provision-godot: $(chroot "$root" /usr/bin/godot --version 2>/dev/null | tail -1)" >&2
