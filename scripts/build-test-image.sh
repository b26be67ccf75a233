#!/usr/bin/env bash
# Build the local container image the container-target tests run (no registry is reachable):
# a root filesystem holding openssl, /bin/sh and the libraries they link, imported with
# `docker import`. Usage: scripts/build-test-image.sh [IMAGE_NAME]
set -euo pipefail
name=${1:-mtls-conformance/openssl:test}
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT

copy_with_libs() {
  local bin=$1 dest=$2
  mkdir -p "$root$(dirname "$dest")"
  cp -L "$bin" "$root$dest"
  for lib in $(ldd "$bin" | grep -oE '/[^ ]+'); do
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
  done
}

copy_with_libs "$(command -v openssl)" /usr/bin/openssl
copy_with_libs /bin/dash /bin/sh
# OpenSSL 3 loads its default provider and config from these at run time.
mkdir -p "$root/etc/ssl" "$root/tmp"
cp /etc/ssl/openssl.cnf "$root/etc/ssl/"
modules=$(openssl version -m | sed -E 's/^MODULESDIR: "(.*)"$/\1/')
if [ -d "$modules" ]; then mkdir -p "$root$modules" && cp -a "$modules/." "$root$modules/"; fi

tar -C "$root" -c . | docker import -c 'CMD ["/usr/bin/openssl", "version"]' - "$name" >/dev/null
echo "built $name"
