#!/usr/bin/env bash
# libFuzzer targets (fuzz/), built with clang-14 into ${BUILD_DIR:-build-fuzz}.
#
#   scripts/fuzz.sh                      build; replay every kept crasher; run each target
#                                        ${FUZZ_SECONDS:-2} s on a copy of its corpus (CI)
#   scripts/fuzz.sh --long TARGET SECS   build; fuzz one target for SECS s with ${FUZZ_JOBS:-2}
#                                        workers; new inputs go to fuzz/corpus/TARGET
#   scripts/fuzz.sh --list               the targets
#
# A crash, leak, UB report, timeout (> 10 s an input) or out-of-memory fails the run and
# leaves the input in the build dir (artifacts/TARGET/); keep it in fuzz/regressions/TARGET/
# and as a unit test once fixed.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${BUILD_DIR:-build-fuzz}
mode=short
if [[ ${1:-} == --long ]]; then
  [[ $# -eq 3 ]] || { echo "usage: scripts/fuzz.sh --long TARGET SECONDS" >&2; exit 2; }
  mode=long; long_target=$2; long_seconds=$3
elif [[ ${1:-} == --list ]]; then
  mode=list
elif [[ $# -gt 0 ]]; then
  echo "usage: scripts/fuzz.sh [--long TARGET SECONDS | --list]" >&2; exit 2
fi

targets=(fuzz_context fuzz_repo_url fuzz_config fuzz_timestamp fuzz_http_response)
for p in pipelines_page pipeline workflows_page workflow jobs_page workflow_metrics_page \
         workflow_runs_page workflow_summary project_page_summary project user error_message; do
  targets+=("fuzz_circleci_$p")
done
if [[ $mode == list ]]; then printf '%s\n' "${targets[@]}"; exit 0; fi

# clang-14 and its sanitizer/libFuzzer runtime (libclang-rt-14-dev) come from Debian.
scripts/install-deps.sh clang-14 libclang-rt-14-dev

CC=clang-14 CXX=clang++-14 cmake -S . -B "$build_dir" -G Ninja -DTJC_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  ${TJC_WERROR:+-DTJC_WERROR=$TJC_WERROR} >/dev/null
cmake --build "$build_dir" -j "${JOBS:-2}" --target fuzz_all

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
common=(-rss_limit_mb=2048 -timeout=10 -max_len=65536 -print_final_stats=0)

dict_for() {  # fuzz/dict/<kind>.dict by what the target eats
  case $1 in
    fuzz_config) echo fuzz/dict/yaml.dict ;;
    fuzz_http_response) echo fuzz/dict/http.dict ;;
    fuzz_repo_url|fuzz_timestamp) echo "" ;;
    *) echo fuzz/dict/json.dict ;;
  esac
}

run_target() {  # target, extra libFuzzer arguments...; paths relative to the repo root
  local t=$1; shift
  local root=${FUZZ_ROOT:-.}
  local d; d=$(dict_for "$t")
  local args=("${common[@]}" -artifact_prefix="$build_dir/artifacts/$t/")
  [[ -n $d ]] && args+=(-dict="$root/$d")
  mkdir -p "$build_dir/artifacts/$t"
  "$build_dir/fuzz/$t" "${args[@]}" "$@"
}

if [[ $mode == long ]]; then
  [[ " ${targets[*]} " == *" $long_target "* ]] || { echo "fuzz: no target '$long_target' (--list)" >&2; exit 2; }
  mkdir -p "fuzz/corpus/$long_target"
  jobs=${FUZZ_JOBS:-2}
  echo "== fuzzing $long_target for $long_seconds s, $jobs workers; new inputs go to fuzz/corpus/$long_target =="
  root=$PWD
  mkdir -p "$build_dir/long"
  abs_build=$(cd "$build_dir" && pwd)
  # The workers write fuzz-N.log into the current directory: the build dir's, not the repo.
  (cd "$abs_build/long" && build_dir=$abs_build FUZZ_ROOT=$root \
     run_target "$long_target" -max_total_time="$long_seconds" -jobs="$jobs" -workers="$jobs" \
       "$root/fuzz/corpus/$long_target")
  echo "fuzz: logs in $build_dir/long/. Before committing, minimize the grown corpus:"
  echo "  mkdir $build_dir/min && $build_dir/fuzz/$long_target -merge=1 $build_dir/min fuzz/corpus/$long_target"
  echo "  then replace fuzz/corpus/$long_target with $build_dir/min"
  exit 0
fi

failed=()
for t in "${targets[@]}"; do
  # Every kept crasher first: each must now run clean.
  if compgen -G "fuzz/regressions/$t/*" >/dev/null; then
    if ! run_target "$t" fuzz/regressions/"$t"/* >"$build_dir/$t.replay.log" 2>&1; then
      echo "fuzz: $t: a kept crasher fails again (log: $build_dir/$t.replay.log)"
      tail -n 30 "$build_dir/$t.replay.log"
      failed+=("$t"); continue
    fi
  fi
  # A copy of the seeds: the run's new inputs stay in the build dir.
  work="$build_dir/corpus/$t"
  rm -rf "$work"; mkdir -p "$work"
  cp fuzz/corpus/"$t"/* "$work"/
  if run_target "$t" -max_total_time="${FUZZ_SECONDS:-2}" "$work" >"$build_dir/$t.log" 2>&1; then
    echo "fuzz: $t ok ($(grep -o 'Done [0-9]* runs in [0-9]* second(s)' "$build_dir/$t.log" | tail -1))"
  else
    echo "fuzz: $t FAILED (log: $build_dir/$t.log; input under $build_dir/artifacts/$t/)"
    tail -n 40 "$build_dir/$t.log"
    failed+=("$t")
  fi
done
if ((${#failed[@]})); then echo "fuzz: failed: ${failed[*]}"; exit 1; fi
echo "fuzz: all ${#targets[@]} targets ran clean"
