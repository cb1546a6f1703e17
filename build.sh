#!/usr/bin/env bash
# godot-webrtc-go build entry point.
#
#   ./build.sh           build the addon into dist/addons/webrtc_go/
#   ./build.sh test      build, provision headless Godot, run every test
#   ./build.sh demo      run the headless multiplayer demo (signaling server,
#                        a host and a client Godot process)
#
# Environment: GODOT (a Godot 4.5+ binary to use instead of the provisioned
# one), GODOT_ROOT (where the Debian sid root with Godot is cached), DIST (the
# output folder, default ./dist).
set -euo pipefail
cd "$(dirname "$0")"
root=$PWD
dist=${DIST:-$root/dist}
addon=$dist/addons/webrtc_go

need_toolchain() {
	command -v go >/dev/null || { echo "build.sh: Go is not installed (need Go 1.24+)" >&2; exit 1; }
	command -v gcc >/dev/null || {
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gcc libc6-dev >/dev/null
	}
}

build() {
	need_toolchain
	mkdir -p "$addon/bin"
	# Only the entry symbol is exported (version script); the library is never
	# unloaded (nodelete): a Go runtime cannot be torn down.
	CGO_ENABLED=1 go build -buildmode=c-shared -trimpath \
		-ldflags "-s -w -extldflags '-Wl,--version-script=$root/capi/exports.map -Wl,-z,nodelete'" \
		-o "$addon/bin/libwebrtc_go.linux.x86_64.so" .
	rm -f "$addon/bin/"*.h
	cp scripts/addon/webrtc_go.gdextension "$addon/"
	echo "built $addon"
}

run_tests() {
	build
	[ -n "${GODOT:-}" ] || scripts/provision-godot.sh
	echo "== static checks"
	unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
	[ -z "$unformatted" ] || { echo "gofmt needed: $unformatted" >&2; exit 1; }
	go vet ./...
	echo "== unit tests (race detector)"
	go test -race -count=1 ./extension/... ./binding/... ./capi/...
	echo "== integration tests in headless Godot"
	WEBRTC_GO_ADDON="$addon" INTEROP_TABLE="$dist/interop.md" go test -count=1 -timeout 25m -v . 2>&1 |
		tee "$dist/integration.log" | grep -E '^\s*(=== RUN|--- |PASS|FAIL|ok|panic)' || true
	echo "== interop table ($dist/interop.md)"
	cat "$dist/interop.md" 2>/dev/null || true
	tail -3 "$dist/integration.log"
	grep -q '^ok ' "$dist/integration.log"
}

case "${1:-build}" in
build) build ;;
test) run_tests ;;
demo)
	build
	[ -n "${GODOT:-}" ] || scripts/provision-godot.sh
	exec scripts/demo.sh "$addon"
	;;
*)
	echo "usage: ./build.sh [build|test|demo]" >&2
	exit 2
	;;
esac
