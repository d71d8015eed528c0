#!/usr/bin/env bash
# Installs the build and test dependencies from Debian's packages (a fresh Debian 12 machine),
# and any further packages given as arguments (scripts/fuzz.sh adds clang's).
# Boost comes as the 1.81 packages only: libboost-dev/libboost-all-dev would pull 1.74.
set -euo pipefail
packages=(cmake ninja-build g++ pkg-config libssl-dev libyaml-cpp-dev doctest-dev
          libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev libcli11-dev binutils
          chromium fonts-dejavu-core "$@")  # the preview page's browser test (headless), with a font to draw
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
