#!/usr/bin/env bash
# Build a proxy image from Debian packages, without any registry:
#   build-local-image.sh SUITE IMAGE_NAME PACKAGE...
# debootstrap a minbase root with the packages, then 'docker import' it.
# The harness calls this with a tag derived from a hash of the recipe, so each is built once per machine.
set -euo pipefail
suite=$1; image=$2; shift 2
packages=$(IFS=,; echo "$*")

if ! command -v debootstrap >/dev/null 2>&1; then
  [ "$(id -u)" = 0 ] || { echo "STREAMPROOF_IMAGE_BUILD: debootstrap is missing" >&2; echo "To fix: sudo apt-get install debootstrap" >&2; exit 1; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null 2>&1 || {
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null; }
fi

mirror=${STREAMPROOF_DEBIAN_MIRROR:-http://deb.debian.org/debian}
root=$(mktemp -d "${TMPDIR:-/tmp}/streamproof-rootfs-$suite.XXXXXX")
trap 'rm -rf "$root"' EXIT

echo "streamproof: debootstrap $suite with $packages (about 35 s)..."
if ! debootstrap --variant=minbase --include="$packages" "$suite" "$root" "$mirror" >"$root.log" 2>&1; then
  tail -n 20 "$root.log" >&2
  echo "STREAMPROOF_IMAGE_BUILD: debootstrap of $suite failed (log above)" >&2
  echo "To fix: check that $mirror is reachable, or set STREAMPROOF_DEBIAN_MIRROR" >&2
  exit 1
fi
rm -f "$root.log"
# Package services must not start inside the image; the stock configs stay as Debian ships them.
rm -rf "$root/var/cache/apt/archives/"*.deb "$root/var/lib/apt/lists/"*
tar -C "$root" -c . | docker import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --message "streamproof local build: debian $suite + $packages" - "$image" >/dev/null
echo "streamproof: built $image"
