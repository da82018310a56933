#!/usr/bin/env bash
# Builds everything (library, CLI, Python package, tests, fuzz drivers, benchmarks, examples) and runs
# every test in that build: the C++ suites, the CLI tests, the packaging test, the fuzz drivers
# (corpus, fixed mutations, then 20 s of random mutations each), the benchmark smoke runs and the
# Python suite. Timings and CPU time of each phase are printed at the end.
#
#   bash scripts/test.sh                        AddressSanitizer + UndefinedBehaviorSanitizer build
#                                               (build/sanitize): what CI runs (.ci/run); any memory
#                                               error, leak or undefined behaviour fails its test
#   HOTCRM_SANITIZE=0 bash scripts/test.sh      the same suite in a Release build (build/test)
#   HOTCRM_SANITIZE=both bash scripts/test.sh   both, Release first
#
# Both are unity builds (CMakeLists.txt, HOTCRM_UNITY_BUILD). The sanitized build compiles libhotcrm
# at -O1 (where the tests spend their time) and the rest at -O0. CI runs the sanitized suite alone:
# both together take about 28 minutes on 2 cores, too close to CI's budget (docs/security.md,
# "Sanitizers").
set -euo pipefail
cd "$(dirname "$0")/.."
fuzz_seconds=${HOTCRM_FUZZ_SECONDS:-20}
mode=${HOTCRM_SANITIZE:-1}

phase_report=()
# Runs "$@" as one phase and records its wall time and the CPU time of its children.
phase() {
  local name=$1 start=$SECONDS before after
  shift
  before=$(children_cpu_ticks)
  "$@"
  after=$(children_cpu_ticks)
  phase_report+=("$(awk -v n="$name" -v w=$((SECONDS - start)) -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" \
    'BEGIN { printf "%-16s %5d s wall, %6.0f s CPU", n, w, t / hz }')")
}
# User + system CPU time of this shell's finished children (/proc/PID/stat fields cutime, cstime).
children_cpu_ticks() { awk '{ print $16 + $17 }' /proc/$$/stat; }

# Builds and tests one configuration: suite NAME in BUILD_DIR with extra cmake options.
suite() {
  local name=$1 build_dir=$2
  shift 2
  phase "$name build" bash scripts/build.sh "$build_dir" all -DHOTCRM_WERROR=ON "$@"
  # One ctest run so that both cores stay busy (the Python suite is one long serial test, started
  # first); its "Label Time Summary" splits the time between C++ modules, fuzz, bench and python.
  phase "$name tests" ctest --test-dir "$build_dir" -j2 --output-on-failure --timeout 900
}

case $mode in 0 | 1 | both) ;; *) echo "HOTCRM_SANITIZE must be 0, 1 or both, not '$mode'" >&2; exit 2 ;; esac
if [[ $mode != 1 ]]; then
  suite release "${HOTCRM_BUILD_DIR:-build/test}" -DHOTCRM_SANITIZE=OFF -DCMAKE_BUILD_TYPE=Release \
    -DHOTCRM_FUZZ_SECONDS="$fuzz_seconds"
fi
if [[ $mode != 0 ]]; then
  # Debug keeps the assertions on; -g1 gives reports file and line numbers.
  suite sanitized "${HOTCRM_SANITIZE_BUILD_DIR:-build/sanitize}" -DHOTCRM_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug \
    "-DCMAKE_CXX_FLAGS_DEBUG=-O0 -g1" -DHOTCRM_FUZZ_SECONDS="$fuzz_seconds"
fi

printf 'scripts/test.sh: %s\n' "${phase_report[@]}"
