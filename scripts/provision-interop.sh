#!/usr/bin/env bash
# Provision the independent WebRTC peers the interop tests connect to:
# Debian's chromium (libwebrtc in a browser) and python3-aiortc, and npm's
# playwright-core (drives Chromium), @roamhq/wrtc (libwebrtc for Node, binary
# inside the package) and ws. npm packages are cached outside the checkout in
# $INTEROP_CACHE (default /var/cache/godot-webrtc-go/npm). Prints the cache path.
set -euo pipefail
cache=${INTEROP_CACHE:-/var/cache/godot-webrtc-go/npm}

missing=()
command -v chromium >/dev/null || missing+=(chromium)
/usr/bin/python3 -c 'import aiortc, websockets' 2>/dev/null || missing+=(python3-aiortc python3-websockets)
command -v node >/dev/null || missing+=(nodejs npm)
if [ ${#missing[@]} -gt 0 ]; then
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

mkdir -p "$cache"
if [ ! -f "$cache/.provisioned" ]; then
	cd "$cache"
	[ -f package.json ] || echo '{"private": true}' >package.json
	npm install --no-audit --no-fund --loglevel=error playwright-core@1 @roamhq/wrtc@0 ws@8 >&2
	touch .provisioned
fi
echo "$cache"
