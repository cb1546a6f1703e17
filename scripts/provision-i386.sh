#!/usr/bin/env bash
# Make this machine run 32-bit x86 Linux programs, which the x86_32 loader
# test, the extension tests built for GOARCH=386 and Wine's 32-bit side need.
# Most x86_64 kernels run them natively. Some refuse them ("Exec format
# error": a kernel without IA-32 emulation, as on some VMs); there qemu-i386
# (scripts/provision-qemu.sh) is registered with the kernel's binfmt_misc, so
# that every 32-bit x86 program, Wine's included, runs under it. The F flag
# opens qemu-i386 now, so it also serves inside chroots and namespaces.
# Prints "native" or "qemu-i386".
set -euo pipefail
probe=/usr/i686-linux-gnu/lib/ld-linux.so.2 # from the x86_32 cross toolchain build.sh installs
[ -x "$probe" ] || { echo "provision-i386: $probe is missing: run ./build.sh --all first" >&2; exit 1; }
entry=/proc/sys/fs/binfmt_misc/qemu-i386

runs32() { "$probe" --version >/dev/null 2>&1; }
# Natively, whether or not a binfmt_misc entry (ours, or qemu-user-static's)
# exists: the kernel tries its own ELF loader first, so the entry is switched
# off for the probe.
native=false
if [ -e "$entry" ] && grep -qx enabled "$entry"; then
	echo 0 >"$entry"
	runs32 && native=true
	echo 1 >"$entry"
else
	runs32 && native=true
fi
if $native; then
	echo native
	exit 0
fi
if [ ! -e "$entry" ]; then
	qemu=$("$(dirname "$0")/provision-qemu.sh")/bin/qemu-i386
	[ -e /proc/sys/fs/binfmt_misc/register ] || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
	# An i386 ELF executable or shared object: the header up to e_machine (3).
	magic='\x7fELF\x01\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x03\x00'
	mask='\xff\xff\xff\xff\xff\xfe\xfe\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff'
	printf ':qemu-i386:M::%s:%s:%s:F\n' "$magic" "$mask" "$qemu" >/proc/sys/fs/binfmt_misc/register
	echo "provision-i386: this kernel does not run 32-bit x86 programs; registered $qemu with binfmt_misc" >&2
fi
runs32 || { echo "provision-i386: 32-bit x86 programs still do not run" >&2; exit 1; }
echo qemu-i386
