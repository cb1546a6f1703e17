#!/usr/bin/env bash
# Install Debian's Wine for running the Windows libraries and the extension
# package's Windows test binaries: wine64 for x86_64, and wine32 (an i386
# package, so the machine gets the i386 architecture) for x86_32. Prints
# nothing when already there.
set -euo pipefail
if command -v wine >/dev/null && [ -x /usr/lib/wine/wine64 ] && [ -x /usr/lib/wine/wine ]; then
	exit 0
fi
echo "provision-wine: installing wine, wine64 and wine32:i386 (about 2 minutes)" >&2
if ! dpkg --print-foreign-architectures | grep -qx i386; then
	dpkg --add-architecture i386
fi
apt-get -o DPkg::Lock::Timeout=600 update -qq
DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends \
	wine wine64 wine32:i386 >/dev/null
