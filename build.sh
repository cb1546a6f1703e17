#!/usr/bin/env bash
# godot-webrtc-go build entry point.
#
#   ./build.sh           build the addon (linux x86_64, debug and release) into
#                        dist/addons/webrtc_go/
#   ./build.sh --all     also linux x86_32, arm64 and arm32 (armhf) and windows
#                        x86_64 and x86_32 (cross-compiled), and
#                        dist/webrtc_go-<VERSION>.zip for the Asset Library
#                        (the addon, README.md, LICENSE and docs/)
#   ./build.sh test      build --all, provision headless Godot, run every test
#   ./build.sh demo      run the headless multiplayer demo (signaling server,
#                        a host and two client Godot processes)
#   ./build.sh bench [flags]  build the addon, provision Godot and libwebrtc for
#                        Node, run the benchmark suite (go run ./bench;
#                        flags pass through, e.g. -runs 5 or -doc docs/performance.md):
#                        one table on stdout and in dist/bench.md
#   ./build.sh bench -server [flags]  the server benchmark instead (docs/server.md):
#                        players per game server process, and a churn run;
#                        report on stdout and in dist/bench-server.md
#
# Environment: GODOT (a Godot 4.3+ binary to use instead of the provisioned
# one), GODOT_ROOT (where the Debian sid root with Godot is cached), DIST (the
# output folder, default ./dist). The tests' other caches: OLDGLIBC_ROOT,
# INTEROP_CACHE, QEMU_CACHE, ARM64_GODOT_ROOT (docs/testing.md).
set -euo pipefail
cd "$(dirname "$0")"
root=$PWD
dist=${DIST:-$root/dist}
addon=$dist/addons/webrtc_go

version=$(cat VERSION)

need_packages() { # command package...
	command -v "$1" >/dev/null && return
	shift
	scripts/apt-install "$@"
}

# Targets: Godot platform, Go GOOS, GOARCH, C compiler, Godot arch, suffix,
# then the Debian packages that bring the compiler and its C library. Godot's
# arm32 is ARMv7 with hard float (armhf); GOARM=7 (set below) is Go's name for
# that. For x86_32, Go's default GO386=sse2 needs a Pentium 4 or newer.
host_targets=("linux linux amd64 gcc x86_64 so gcc libc6-dev")
cross_targets=(
	"linux linux 386 i686-linux-gnu-gcc x86_32 so gcc-i686-linux-gnu libc6-dev-i386-cross"
	"linux linux arm64 aarch64-linux-gnu-gcc arm64 so gcc-aarch64-linux-gnu libc6-dev-arm64-cross"
	"linux linux arm arm-linux-gnueabihf-gcc arm32 so gcc-arm-linux-gnueabihf libc6-dev-armhf-cross"
	"windows windows amd64 x86_64-w64-mingw32-gcc x86_64 dll gcc-mingw-w64-x86-64 binutils-mingw-w64-x86-64"
	"windows windows 386 i686-w64-mingw32-gcc x86_32 dll gcc-mingw-w64-i686 binutils-mingw-w64-i686"
)

# Functions whose default glibc symbol version is newer than glibc 2.17: those
# capi/glibc_compat_linux.c defines a __wrap_ function for.
glibc_wrapped=$(sed -n 's/^[a-z].*[ *]__wrap_\([a-z_0-9]*\)(.*/\1/p' capi/glibc_compat_linux.c)
[ -n "$glibc_wrapped" ] || { echo "build.sh: no __wrap_ function in capi/glibc_compat_linux.c" >&2; exit 1; }

# build_library PLATFORM GOOS GOARCH CC ARCH SUFFIX VARIANT writes one library
# and prints its .gdextension line. Only the entry symbol is exported (a
# version script on Linux, a .def file on Windows); on Linux the library is
# never unloaded (nodelete): a Go runtime cannot be torn down. Release builds
# are stripped; debug builds keep symbols for debuggers and stack traces.
build_library() {
	local platform=$1 goos=$2 goarch=$3 cc=$4 arch=$5 suffix=$6 variant=${!#}
	local file="libwebrtc_go.$platform.template_$variant.$arch.$suffix" ldflags="" ext
	[ "$variant" = release ] && ldflags="-s -w"
	case $goos in
	# The --wrap flags route the Go runtime's pthread calls to the oldest glibc
	# symbol versions (capi/glibc_compat_linux.c), and libpthread.so.0 is
	# needed explicitly (before glibc 2.34 those functions live there), so the
	# library loads on glibc older than the build machine's.
	linux) ext="-Wl,--version-script=$root/capi/exports.map -Wl,-z,nodelete -Wl,--push-state,--no-as-needed -l:libpthread.so.0 -Wl,--pop-state $(printf -- ' -Wl,--wrap=%s' $glibc_wrapped)" ;;
	# --export-all-symbols stops Go's linker adding its own .def (listing every
	# cgo export); --exclude-all-symbols then leaves only what exports.def lists.
	windows) ext="-Wl,--export-all-symbols -Wl,--exclude-all-symbols $root/capi/exports.def" ;;
	esac
	CGO_ENABLED=1 GOOS=$goos GOARCH=$goarch GOARM=7 CC=$cc go build -buildmode=c-shared -trimpath -tags netgo,osusergo \
		-ldflags "$ldflags -extldflags '$ext'" -o "$addon/bin/$file" . >&2
	rm -f "$addon/bin/${file%.*}.h"
	echo "$platform.$variant.$arch = \"res://addons/webrtc_go/bin/$file\""
}

build() {
	command -v go >/dev/null || { echo "build.sh: Go is not installed (need Go 1.24+)" >&2; exit 1; }
	local targets=("${host_targets[@]}") t
	if [ "${1:-}" = all ]; then
		targets+=("${cross_targets[@]}")
	fi
	for t in "${targets[@]}"; do
		# shellcheck disable=SC2086
		need_packages $(echo "$t" | cut -d' ' -f4,7-)
	done
	rm -rf "$addon"
	mkdir -p "$addon/bin"
	local libraries=""
	for t in "${targets[@]}"; do
		for variant in debug release; do
			# shellcheck disable=SC2086
			libraries+=$(build_library $t $variant)$'\n'
		done
	done
	cat >"$addon/webrtc_go.gdextension" <<GDEXT
; godot-webrtc-go $version: WebRTC for Godot 4 desktop and server builds, on pion/webrtc.
; The Go runtime cannot be unloaded, so the library is not reloadable.
[configuration]
entry_symbol = "webrtc_go_init"
compatibility_minimum = "4.3"
reloadable = false

[libraries]
$libraries
GDEXT
	cp LICENSE "$addon/"
	go run ./scripts/notices "$addon/THIRD_PARTY_LICENSES.txt"
	echo "built $addon (${#targets[@]} platform(s), version $version)"
	if [ "${1:-}" = all ]; then
		# docs/ goes along so that the README's links work inside the zip.
		rm -rf "$dist/docs"
		cp -r README.md LICENSE docs "$dist/"
		go run ./scripts/mkzip "$dist/webrtc_go-$version.zip" "$dist" addons/webrtc_go README.md LICENSE docs
		echo "packed $dist/webrtc_go-$version.zip"
	fi
}

run_tests() {
	build all
	[ -n "${GODOT:-}" ] || scripts/provision-godot.sh
	echo "== static checks"
	unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
	[ -z "$unformatted" ] || { echo "gofmt needed: $unformatted" >&2; exit 1; }
	go vet -tags integration ./...
	echo "== unit tests (race detector)"
	go test -race -count=1 ./...
	echo "== fuzzing: each target of extension/ for ${FUZZTIME:-15s} (a failing input is saved in extension/testdata/fuzz)"
	local target out
	for target in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' extension/*_test.go | cut -c6- | sort); do
		if ! out=$(go test -run '^$' -fuzz "^$target\$" -fuzztime "${FUZZTIME:-15s}" -fuzzminimizetime 1s ./extension 2>&1); then
			echo "$out" | tail -40 >&2
			echo "$target failed: commit the saved input once fixed" >&2
			exit 1
		fi
		echo "$target: $(echo "$out" | grep '^fuzz: elapsed' | tail -1 | sed -e 's/^fuzz: //' -e 's| ([0-9]*/sec)||')"
	done
	echo "== integration tests: headless Godot, interop peers, bench runners (-tags integration)"
	# One package at a time: both start WebRTC processes whose timing matters.
	{
		WEBRTC_GO_ADDON="$addon" INTEROP_TABLE="$dist/interop.md" \
			go test -tags integration -p 1 -count=1 -timeout 50m -v . ./bench 2>&1 && status=0 || status=$?
		echo "$status" >"$dist/integration.status"
	} | tee "$dist/integration.log" | grep -E '^\s*(=== RUN|--- |PASS|FAIL|ok|panic)' || true
	echo "== interop table ($dist/interop.md)"
	cat "$dist/interop.md" 2>/dev/null || true
	tail -3 "$dist/integration.log"
	return "$(cat "$dist/integration.status")"
}

case "${1:-build}" in
build) build ;;
--all | all) build all ;;
test) run_tests ;;
demo)
	build
	[ -n "${GODOT:-}" ] || scripts/provision-godot.sh
	exec scripts/demo.sh "$addon"
	;;
bench)
	shift
	build
	[ -n "${GODOT:-}" ] || scripts/provision-godot.sh
	npm_cache=$(scripts/provision-interop.sh)
	exec go run ./bench -addon "$addon" -npm "$npm_cache" -out "$dist/bench.md" "$@"
	;;
*)
	echo "usage: ./build.sh [--all|test|demo|bench]" >&2
	exit 2
	;;
esac
