#!/usr/bin/env bash
# Provision a Debian bullseye root (glibc 2.31, from before glibc merged
# libpthread into libc) where the tests load the Linux library, proving it runs
# on systems older than the build machine. Cached outside the checkout
# (OLDGLIBC_ROOT) and reused; prints nothing when already there.
set -euo pipefail

root=${OLDGLIBC_ROOT:-/var/cache/godot-webrtc-go/bullseye}
[ -f "$root/.provisioned" ] && exit 0
echo "provision-oldglibc: debootstrap bullseye into $root (about 90 s)" >&2
"$(dirname "$0")/make-root.sh" bullseye "$root"
