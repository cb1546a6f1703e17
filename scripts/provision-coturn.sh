#!/usr/bin/env bash
# Provision coturn, the TURN server operators run, for the TURN tests: Debian's
# `coturn` package. The tests start its turnserver themselves, inside their
# network namespace, with a configuration file of their own; the package's
# service is never enabled. Prints the turnserver path and the package version.
set -euo pipefail
lock=/var/cache/godot-webrtc-go/coturn.lock
mkdir -p "$(dirname "$lock")"
exec 9>"$lock"
flock 9
if ! command -v turnserver >/dev/null; then
	apt=(apt-get -o DPkg::Lock::Timeout=600 -qq)
	"${apt[@]}" update
	DEBIAN_FRONTEND=noninteractive "${apt[@]}" install -y --no-install-recommends coturn >/dev/null
fi
echo "$(command -v turnserver) $(dpkg-query -W -f='${Version}' coturn)"
