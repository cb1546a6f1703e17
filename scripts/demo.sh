#!/usr/bin/env bash
# ./build.sh demo: a signaling server, a host and two clients, all headless,
# inside a private network namespace (root needed), exchanging RPCs over WebRTC.
# Usage: scripts/demo.sh <addon folder>
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
addon=$1
work=$(mktemp -d /tmp/webrtc-go-demo-XXXX)
ns=webrtc-go-demo-$$
cleanup() {
	kill $(jobs -p) 2>/dev/null || true
	ip netns del "$ns" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
ip netns add "$ns"
ip -n "$ns" link set lo up
ip -n "$ns" link add wgo0 type veth peer name wgo1
ip -n "$ns" addr add 198.18.0.1/24 dev wgo0
ip -n "$ns" addr add 198.18.0.2/24 dev wgo1
ip -n "$ns" link set wgo0 up
ip -n "$ns" link set wgo1 up

mkdir -p "$work/project/addons" "$work/project/.godot"
cp -r "$here/../examples/demo/." "$work/project/"
cp -r "$addon" "$work/project/addons/"
echo "res://addons/webrtc_go/webrtc_go.gdextension" >"$work/project/.godot/extension_list.cfg"
go build -o "$work/signaling" "$here/../examples/signaling"

ip netns exec "$ns" "$work/signaling" -addr 127.0.0.1:0 -timeout 5m >"$work/signaling.out" 2>"$work/signaling.log" &
for _ in $(seq 50); do grep -q listening "$work/signaling.out" 2>/dev/null && break; sleep 0.1; done
url="ws://$(awk '/listening on/ {print $3}' "$work/signaling.out")/demo"
echo "signaling server at $url"

run() { timeout 90 ip netns exec "$ns" "$here/godot" --headless --path "$work/project" -s res://main.gd -- "$url" 2 2>&1 | grep --line-buffered -v '^Godot Engine\|^$' | sed -u "s/^/[$1] /"; }
run host &
sleep 1
run client-a &
run client-b &
status=0
for job in $(jobs -p | tail -3); do wait "$job" || status=1; done
exit $status
