#!/usr/bin/env bash
# Provision Debian sid's arm64 `godot` (an editor build, the same version as
# the amd64 one) for running the arm64 libraries in real Godot under qemu
# user-mode emulation (scripts/provision-qemu.sh). The root is only unpacked:
# debootstrap --foreign downloads godot and its dependencies and unpacks the
# base system, and dpkg -x unpacks the rest. No package script runs, nothing
# is executed for arm64 while provisioning, and no chroot is needed later:
#   qemu-aarch64 -L ROOT ROOT/usr/bin/godot --headless ...
# Cached in $ARM64_GODOT_ROOT (default /var/cache/godot-webrtc-go/sid-arm64);
# prints that folder.
set -euo pipefail
root=${ARM64_GODOT_ROOT:-/var/cache/godot-webrtc-go/sid-arm64}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
name=$(basename "$0" .sh)

provisioned() { [ -f "$root/.provisioned" ] && [ -x "$root/usr/bin/godot" ]; }
if provisioned; then
	echo "$root"
	exit 0
fi
if [ "$(id -u)" != 0 ]; then
	echo "$name: root is needed to debootstrap $root" >&2
	exit 1
fi
if ! command -v debootstrap >/dev/null; then
	apt-get -o DPkg::Lock::Timeout=600 update -qq
	DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq debootstrap >/dev/null
fi
mkdir -p "$(dirname "$root")"
exec 9>"$root.lock"
flock 9
if provisioned; then # made by a concurrent run while this one waited
	echo "$root"
	exit 0
fi

echo "$name: debootstrap arm64 sid with godot into $root (about 2 minutes)" >&2
tmp=$(mktemp -d "$root.partial.XXXXXX")
trap 'rm -rf "$tmp" "$tmp.log"' EXIT
if ! debootstrap --arch=arm64 --foreign --variant=minbase --include=godot sid "$tmp" "$mirror" >"$tmp.log" 2>&1; then
	tail -20 "$tmp.log" >&2
	exit 1
fi
for deb in "$tmp"/var/cache/apt/archives/*.deb; do
	dpkg -x "$deb" "$tmp"
done
rm -f "$tmp"/var/cache/apt/archives/*.deb
mkdir -p "$tmp/tmp"
chmod 1777 "$tmp/tmp"
touch "$tmp/.provisioned"
rm -rf "$root"
mv "$tmp" "$root"
trap - EXIT
rm -f "$tmp.log"
chmod 755 "$root"
echo "$root"
