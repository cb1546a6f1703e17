#!/usr/bin/env bash
# Provision the independent WebRTC peers the interop tests connect to:
# Debian's chromium (libwebrtc in a browser), firefox-esr (Firefox's own
# WebRTC stack: nICEr, NSS for DTLS, dcsctp or usrsctp; with pulseaudio, the
# audio output its WebAudio needs for the voice tests) and python3-aiortc,
# and npm's playwright-core (drives Chromium), @roamhq/wrtc (libwebrtc for
# Node, binary inside the package) and ws. npm packages are cached outside
# the checkout in $INTEROP_CACHE (default /var/cache/godot-webrtc-go/npm),
# installed into $INTEROP_CACHE.partial and renamed when complete; runs
# started at once take turns (a lock next to the cache). Prints the cache
# path.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=${INTEROP_CACHE:-/var/cache/godot-webrtc-go/npm}

missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v pulseaudio >/dev/null || missing+=(pulseaudio) # an audio output for Firefox's voice page
command -v firefox-esr >/dev/null || missing+=(firefox-esr)
/usr/bin/python3 -c 'import aiortc, websockets' 2>/dev/null || missing+=(python3-aiortc python3-websockets)
command -v node >/dev/null || missing+=(nodejs npm)
[ ${#missing[@]} -eq 0 ] || "$here/apt-install" "${missing[@]}"

if [ ! -f "$cache/.provisioned" ]; then
	mkdir -p "$(dirname "$cache")"
	exec 9>"$cache.lock"
	flock -w 1200 9 || { echo "provision-interop: another run has held $cache.lock for 20 minutes" >&2; exit 1; }
	if [ ! -f "$cache/.provisioned" ]; then
		tmp="$cache.partial"
		rm -rf "$tmp"
		mkdir -p "$tmp"
		echo '{"private": true}' >"$tmp/package.json"
		(cd "$tmp" && npm install --no-audit --no-fund --loglevel=error playwright-core@1 @roamhq/wrtc@0 ws@8 >&2)
		touch "$tmp/.provisioned"
		rm -rf "$cache"
		mv "$tmp" "$cache"
	fi
	exec 9>&-
fi
echo "$cache"
