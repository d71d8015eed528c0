#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test with ctest (prints ctest's summary;
# exits non-zero on any failure).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh "$@"
# --no-tests=error: a build that registered no test fails instead of passing empty.
ctest --test-dir "${BUILD_DIR:-build}" --output-on-failure --no-tests=error -j "${JOBS:-2}" --timeout 300
