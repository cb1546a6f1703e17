#!/usr/bin/env bash
# Provision a headless Godot 4 for the tests: Debian's `godot` package, which only
# Debian sid carries, installed into a sid root filesystem made with debootstrap.
# The root is cached outside the checkout (GODOT_ROOT) and reused by later runs.
# Prints nothing when already there; scripts/godot runs the result.
set -euo pipefail

root=${GODOT_ROOT:-/var/cache/godot-webrtc-go/sid}
if [ -x "$root/usr/bin/godot" ] && [ -f "$root/.provisioned" ]; then
	exit 0
fi
echo "provision-godot: debootstrap sid into $root (about 90 s)" >&2
"$(dirname "$0")/make-root.sh" sid "$root" godot
echo "provision-godot: $(chroot "$root" /usr/bin/godot --version 2>/dev/null | tail -1)" >&2
