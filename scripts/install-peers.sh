#!/usr/bin/env bash
# Install the real third-party TLS servers the integration tests run against
# (test/integration/nginx.test.ts, test/integration/openssl-s-server.test.ts):
# nginx (nginx-light where the distribution has it), openssl and curl; chromium, which
# test/integration/report-dir.test.ts drives headless to render report.html; and docker.io for
# test/integration/container-target.test.ts; haproxy (crl-file) for test/integration/revocation.test.ts.
#
# Idempotent: does nothing when nginx, openssl, curl and chromium are already on PATH. Debian/Ubuntu (apt)
# only; runs as root, or through sudo when it is available. Non-interactive. The packaged nginx
# service is not needed: the tests start their own instance with their own config, so a
# policy-rc.d that stops services from starting at install is fine.
#
# Usage: scripts/install-peers.sh
set -euo pipefail

have() { command -v "$1" >/dev/null 2>&1; }
# nginx lives in /usr/sbin, which is not on every user's PATH.
have_nginx() { have nginx || [ -x /usr/sbin/nginx ]; }

# dockerd lives in /usr/sbin too.
have_dockerd() { have dockerd || [ -x /usr/sbin/dockerd ]; }
have_haproxy() { have haproxy || [ -x /usr/sbin/haproxy ]; }

if have_nginx && have openssl && have curl && have chromium && have_dockerd && have_haproxy; then
  echo "install-peers: nginx, openssl, curl, chromium and docker.io are already installed"
  exit 0
fi

if ! have apt-get; then
  echo "install-peers: error: apt-get not found; install nginx, openssl, curl and chromium with your system's package manager" >&2
  exit 1
fi

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  if have sudo; then
    SUDO=(sudo -n)
  else
    echo "install-peers: error: must run as root (or with sudo available) to install packages" >&2
    exit 1
  fi
fi

export DEBIAN_FRONTEND=noninteractive
# Another apt/dpkg (unattended-upgrades, a parallel job) may hold the lock: wait for it, bounded.
APT_LOCK=(-o DPkg::Lock::Timeout=300)
APT_OPTS=(-y -q --no-install-recommends "${APT_LOCK[@]}" -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)

# Refresh the package lists only when something the tests need is missing (checked above).
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q "${APT_LOCK[@]}"

# Only what is missing: an installed openssl is not upgraded behind the user's back.
packages=()
if ! have_nginx; then
  # Debian <= 11 has a small nginx-light flavour (a transitional package to nginx from 12 on).
  # Captured, not piped into grep -q: with pipefail, grep exiting early would fail the pipeline.
  light=$(apt-cache policy nginx-light 2>/dev/null || true)
  if [[ "$light" =~ Candidate:\ [0-9] ]]; then packages+=(nginx-light); else packages+=(nginx); fi
fi
have openssl || packages+=(openssl)
have curl || packages+=(curl)
have chromium || packages+=(chromium)
# A container engine for the --target-image tests (.ci/run starts dockerd on the host network).
have_dockerd || packages+=(docker.io)
have_haproxy || packages+=(haproxy)

echo "install-peers: installing ${packages[*]}"
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install "${APT_OPTS[@]}" "${packages[@]}"

nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
"$nginx_bin" -v
openssl version
curl --version | head -n 1
chromium --version
