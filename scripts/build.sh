#!/usr/bin/env bash
# Configures and builds into ${BUILD_DIR:-build}. Extra arguments go to cmake's configure step;
# TJC_WERROR=ON in the environment makes warnings errors (CI).
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${BUILD_DIR:-build}
cmake -S . -B "$build_dir" -G Ninja ${TJC_WERROR:+-DTJC_WERROR=$TJC_WERROR} "$@" >/dev/null
cmake --build "$build_dir" -j "${JOBS:-2}"
