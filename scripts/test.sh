#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test with ctest (prints ctest's summary;
# exits non-zero on any failure).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh "$@"
ctest --test-dir "${BUILD_DIR:-build}" --output-on-failure -j "${JOBS:-2}" --timeout 300
