#!/usr/bin/env bash
# Provision qemu user-mode emulators for 64-bit and 32-bit Arm (qemu-aarch64,
# qemu-arm), which run the arm64 Godot and the Arm test programs on this
# machine without binfmt_misc or a chroot, and for 32-bit x86 (qemu-i386), for
# machines whose kernel does not run 32-bit x86 programs. They are the static binaries of
# Debian trixie's qemu-user (qemu 10, about twice as fast as bookworm's 7.2 on
# Godot), unpacked from its package without installing it; where trixie cannot
# be had, the installed qemu-user-static's. Cached in $QEMU_CACHE (default
# /var/cache/godot-webrtc-go/qemu); prints that folder.
set -euo pipefail
cache=${QEMU_CACHE:-/var/cache/godot-webrtc-go/qemu}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
name=$(basename "$0" .sh)
bins="qemu-aarch64 qemu-arm qemu-i386"

provisioned() {
	[ -f "$cache/.provisioned" ] || return 1
	for b in $bins; do [ -x "$cache/bin/$b" ] || return 1; done
}
if provisioned; then
	echo "$cache"
	exit 0
fi
mkdir -p "$(dirname "$cache")"
exec 9>"$cache.lock"
flock 9
if provisioned; then # made by a concurrent run while this one waited
	echo "$cache"
	exit 0
fi

tmp=$(mktemp -d "$cache.partial.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# apt with its own state folder reads trixie's package index and downloads one
# package, leaving the machine's apt configuration alone.
apt_dir=$tmp/apt
mkdir -p "$apt_dir/lists/partial" "$apt_dir/archives/partial" "$apt_dir/etc/parts"
echo "deb $mirror trixie main" >"$apt_dir/etc/sources.list"
: >"$apt_dir/status"
apt_opts=(-o "Dir::State=$apt_dir" -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::State::status=$apt_dir/status"
	-o "Dir::Cache=$apt_dir" -o "Dir::Cache::archives=$apt_dir/archives"
	-o "Dir::Etc::SourceList=$apt_dir/etc/sources.list" -o "Dir::Etc::SourceParts=$apt_dir/etc/parts"
	-o "Dir::Etc::Preferences=$apt_dir/etc/preferences" -o "Dir::Etc::PreferencesParts=$apt_dir/etc/parts"
	-o "APT::Architectures=$(dpkg --print-architecture)" -o "Debug::NoLocking=1" -o "APT::Sandbox::User=root")
mkdir -p "$tmp/bin"
if apt-get "${apt_opts[@]}" update -qq >"$tmp/apt.log" 2>&1 &&
	(cd "$apt_dir/archives" && apt-get "${apt_opts[@]}" download qemu-user >>"$tmp/apt.log" 2>&1); then
	deb=$(ls "$apt_dir"/archives/qemu-user_*.deb)
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp" $(printf './usr/bin/%s ' $bins)
	for b in $bins; do mv "$tmp/usr/bin/$b" "$tmp/bin/$b"; done
	echo "$name: $(basename "$deb")" >&2
else
	tail -5 "$tmp/apt.log" >&2
	echo "$name: trixie's qemu-user cannot be had; using bookworm's qemu-user-static" >&2
	if ! command -v qemu-aarch64-static >/dev/null; then
		apt-get -o DPkg::Lock::Timeout=600 update -qq
		DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends qemu-user-static >/dev/null
	fi
	for b in $bins; do cp "$(command -v "$b-static")" "$tmp/bin/$b"; done
fi
for b in $bins; do
	"$tmp/bin/$b" --version | head -1 >&2
	# Static, so that it runs without its own libraries and needs no -L for itself.
	if readelf -l "$tmp/bin/$b" | grep -q 'Requesting program interpreter'; then
		echo "$name: $b is not a static binary" >&2
		exit 1
	fi
done
rm -rf "$apt_dir" "$tmp/usr" "$tmp/apt.log"
touch "$tmp/.provisioned"
rm -rf "$cache"
mv "$tmp" "$cache"
trap - EXIT
chmod 755 "$cache"
echo "$cache"
