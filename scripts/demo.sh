#!/usr/bin/env bash
# The main job: installs what is missing, builds, and prints the CircleCI cards for a repo.
#   scripts/demo.sh [REPO] [--json]
# With INTEGRATION_CIRCLECI_TOKEN set (a CircleCI personal API token) it asks real CircleCI;
# without it, the bundled offline fixture server on 127.0.0.1 (scenario data, not CircleCI).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh >/dev/null
build=${BUILD_DIR:-build}
host="$build/bin/tj-host"
plugin=circleci  # found by name: the build tree lays it out as an install does
format=text
repo=""
for arg in "$@"; do
  case "$arg" in
    --json) format=json ;;
    *) repo=$arg ;;
  esac
done

if [ -n "${INTEGRATION_CIRCLECI_TOKEN:-}" ]; then
  repo=${repo:-CircleCI-Public/circleci-cli}
  echo "demo: real CircleCI (INTEGRATION_CIRCLECI_TOKEN is set), repo $repo" >&2
  exec "$host" query --plugin "$plugin" --repo "$repo" --format "$format"
fi

repo=${repo:-acme/failing}
echo "demo: offline fixture server on 127.0.0.1 (INTEGRATION_CIRCLECI_TOKEN is not set), repo $repo" >&2
echo "demo: fixture repos: acme/passing acme/failing acme/running acme/on-hold acme/empty acme/deploys acme/monorepo acme/develop-default" >&2
work=$(mktemp -d)
server_pid=""
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
"$build/tests/support/circleci-test-server" --world tests/fixtures/worlds/world.json --port 0 \
  --shift-times --cert-dir "$work" >"$work/ready" 2>"$work/server.log" &
server_pid=$!
for _ in $(seq 100); do [ -s "$work/ready" ] && break; sleep 0.05; done
[ -s "$work/ready" ] || { echo "demo: the fixture server did not start:" >&2; cat "$work/server.log" >&2; exit 1; }
base_url=$(sed -n 's/.*"base_url":"\([^"]*\)".*/\1/p' "$work/ready")
ca_file=$(sed -n 's/.*"ca_file":"\([^"]*\)".*/\1/p' "$work/ready")
printf 'circleci:\n  api_url: %s\ntls:\n  ca_file: %s\n' "$base_url" "$ca_file" >"$work/config.yaml"
INTEGRATION_CIRCLECI_TOKEN=test-token "$host" query --plugin "$plugin" --config "$work/config.yaml" \
  --repo "$repo" --format "$format"
