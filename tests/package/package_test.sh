#!/usr/bin/env bash
# The package as a user gets it (issue 12): run by .ci/run after the normal test pass, on its
# build dir. It
#   1. makes the .deb with cpack and checks its file list and its Depends;
#   2. unpacks it into a scratch root and runs the unpacked tj-host: describe and query
#      --plugin circleci (found by name beside it) against the CircleCI test server;
#   3. checks the systemd unit with systemd-analyze verify;
#   4. installs with `cmake --install --prefix`, and builds and runs a host author's C project
#      (tests/package/consumer) with find_package(tooljump CONFIG), and with pkg-config.
# Prints "package: N passed, M failed" and exits non-zero on any failure.
#   tests/package/package_test.sh [BUILD_DIR]
set -uo pipefail
cd "$(dirname "$0")/../.."
build=$(realpath "${1:-build}")
scripts/install-deps.sh dpkg-dev systemd file  # dpkg-shlibdeps; systemd-analyze; file for cpack's strip
work=$(mktemp -d /tmp/tjc-package.XXXXXX)
server_pid=""
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

passed=0 failed=0
check() {  # check NAME COMMAND...: one result line per check
  local name=$1; shift
  if "$@" >"$work/last.log" 2>&1; then
    passed=$((passed + 1)); echo "package: ok   $name"
  else
    failed=$((failed + 1)); echo "package: FAIL $name"; sed 's/^/    /' "$work/last.log" | tail -20
  fi
}
contains() { grep -qF -- "$2" "$1" || { echo "'$2' not in $1:"; head -c 2000 "$1"; return 1; }; }

# 1. The .deb. The build was configured for /usr/local; the package's prefix is /usr.
make_deb() {
  (cd "$work" && cpack -G DEB --config "$build/CPackConfig.cmake" -B "$work/deb") || return 1
  deb=$(ls "$work"/deb/tooljump-circleci_*.deb) && echo "$deb" >"$work/deb.path"
}
check "cpack -G DEB builds the package" make_deb
deb=$(cat "$work/deb.path" 2>/dev/null || true)
file_list() {
  dpkg-deb -c "$deb" | awk '{print $6}' >"$work/files"
  for f in ./usr/bin/tj-host ./usr/lib/tooljump/plugins/circleci/libtooljump_circleci.so \
           ./usr/lib/tooljump/plugins/circleci/manifest.yaml ./usr/include/tooljump/plugin.h \
           ./usr/lib/cmake/tooljump/tooljumpConfig.cmake ./usr/lib/pkgconfig/tooljump.pc \
           ./usr/share/doc/tooljump-circleci/README.md ./usr/share/doc/tooljump-circleci/examples/mapping.example.yaml \
           ./etc/tooljump/circleci.yaml ./usr/lib/systemd/system/tooljump-circleci.service; do
    contains "$work/files" "$f" || return 1
  done
  # Nothing of the tests, nothing outside /usr and /etc.
  ! grep -E 'test|fixture' "$work/files" && ! grep -vE '^\./(usr|etc)(/|$)|^\./$' "$work/files"
}
check "the package holds what an install lays out, and nothing else" file_list
depends() {
  dpkg-deb -f "$deb" Depends >"$work/depends" && cat "$work/depends"
  for d in libc6 libstdc++6 libssl3 libyaml-cpp0.7 libboost-json1.81.0 libboost-url1.81.0; do
    contains "$work/depends" "$d" || return 1
  done
  dpkg-deb -I "$deb" conffiles | grep -qx /etc/tooljump/circleci.yaml
}
check "Depends come from the binaries' shared libraries; the config is a conffile" depends

# 2. The unpacked package, against the CircleCI test server.
dpkg-deb -x "$deb" "$work/root" 2>/dev/null
check "unpacked tj-host describe --plugin circleci" bash -c \
  "'$work/root/usr/bin/tj-host' describe --plugin circleci | tee '$work/describe.json' && grep -q '\"name\":\"circleci\"' '$work/describe.json'"
"$build/tests/support/circleci-test-server" --world tests/fixtures/worlds/world.json --port 0 --shift-times \
  --cert-dir "$work" >"$work/ready" 2>"$work/server.log" &
server_pid=$!
for _ in $(seq 100); do [ -s "$work/ready" ] && break; sleep 0.05; done
base_url=$(sed -n 's/.*"base_url":"\([^"]*\)".*/\1/p' "$work/ready")
ca_file=$(sed -n 's/.*"ca_file":"\([^"]*\)".*/\1/p' "$work/ready")
printf 'circleci:\n  api_url: %s\ntls:\n  ca_file: %s\n' "$base_url" "$ca_file" >"$work/config.yaml"
unpacked_query() {
  INTEGRATION_CIRCLECI_TOKEN=test-token "$work/root/usr/bin/tj-host" query --plugin circleci \
    --config "$work/config.yaml" --repo acme/failing >"$work/query.json" || return 1
  cat "$work/query.json"; contains "$work/query.json" '"content":"CircleCI main: failing for'
}
check "unpacked tj-host query --plugin circleci draws the cards of acme/failing" unpacked_query

# 3. The unit, as systemd reads it (systemd 252 does not know RefreshOnReload= yet: that
# warning, and only it, is expected).
unit_verify() {
  local unit="$work/root/usr/lib/systemd/system/tooljump-circleci.service"
  contains "$unit" "ExecStart=/usr/bin/tj-host serve --plugin circleci --config /etc/tooljump/circleci.yaml" || return 1
  for key in DynamicUser=yes ProtectSystem=strict NoNewPrivileges=yes "CapabilityBoundingSet=" \
             "LoadCredential=CIRCLECI_TOKEN:" "ExecReload=/bin/kill -HUP \$MAINPID" Restart=on-failure; do
    contains "$unit" "$key" || return 1
  done
  systemd-analyze verify --man=no "$unit" 2>&1 | grep -v "RefreshOnReload" | grep -v "/usr/bin/tj-host" \
    | tee "$work/verify.log"
  [ ! -s "$work/verify.log" ]
}
check "systemd-analyze verify: the hardened unit" unit_verify

# 4. A host author's project against an install prefix.
prefix="$work/prefix"
check "cmake --install --prefix" cmake --install "$build" --prefix "$prefix"
consumer_cmake() {
  cmake -S tests/package/consumer -B "$work/consumer" -G Ninja -DCMAKE_PREFIX_PATH="$prefix" &&
    cmake --build "$work/consumer" && "$work/consumer/consumer_host"
}
check "find_package(tooljump CONFIG): a C11 host builds and loads the installed plugin" consumer_cmake
consumer_pkgconfig() {
  local cflags plugindir
  cflags=$(PKG_CONFIG_PATH="$prefix/lib/pkgconfig" pkg-config --cflags tooljump) || return 1
  plugindir=$(PKG_CONFIG_PATH="$prefix/lib/pkgconfig" pkg-config --variable=plugindir tooljump) || return 1
  # shellcheck disable=SC2086
  cc -std=c11 -Wall -Wextra -pedantic -Werror $cflags -DPLUGIN_PATH="\"$plugindir/circleci/libtooljump_circleci.so\"" \
    -DPACKAGE_ABI='"pkg-config"' tests/package/consumer/consumer_host.c -o "$work/consumer_pc" -ldl && "$work/consumer_pc"
}
check "pkg-config tooljump: the same host with --cflags and the plugindir variable" consumer_pkgconfig

echo "package: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
