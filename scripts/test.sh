#!/usr/bin/env bash
# Builds everything (library, CLI, Python package, tests, fuzz drivers, benchmarks, examples) once
# and runs every test in that build: the C++ suites, the CLI tests, the packaging test, the fuzz
# drivers (corpus, fixed mutations, then 20 s of random mutations each), the benchmark smoke runs
# and the Python suite. Timings and CPU time of each phase are printed at the end.
#
#   bash scripts/test.sh                     Release build (build/test): what CI runs (.ci/run)
#   HOTCRM_SANITIZE=1 bash scripts/test.sh   the same suite in an ASan + UBSan build (build/sanitize):
#                                            any sanitizer report fails the test that caused it
#
# CI runs the Release build because the sanitized build of everything costs about twice the CPU
# (over 30 minutes from a clean clone on 2 cores, against a budget of well under 30); the sanitized
# suite is run before merging C++ changes (docs/security.md, "Sanitizers").
set -euo pipefail
cd "$(dirname "$0")/.."
fuzz_seconds=${HOTCRM_FUZZ_SECONDS:-20}
if [[ ${HOTCRM_SANITIZE:-0} == 1 ]]; then
  build_dir=${HOTCRM_BUILD_DIR:-build/sanitize}
  # -O1 keeps the build and the run quick while still inlining the hot paths; -g1 gives reports
  # file and line numbers; Debug keeps the assertions on.
  build_flags=(-DHOTCRM_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug "-DCMAKE_CXX_FLAGS_DEBUG=-O1 -g1")
else
  build_dir=${HOTCRM_BUILD_DIR:-build/test}
  build_flags=(-DHOTCRM_SANITIZE=OFF -DCMAKE_BUILD_TYPE=Release)
fi

phase_report=()
# Runs "$@" as one phase and records its wall time and the CPU time of its children.
phase() {
  local name=$1 start=$SECONDS before after
  shift
  before=$(children_cpu_ticks)
  "$@"
  after=$(children_cpu_ticks)
  phase_report+=("$(awk -v n="$name" -v w=$((SECONDS - start)) -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" \
    'BEGIN { printf "%-6s %5d s wall, %6.0f s CPU", n, w, t / hz }')")
}
# User + system CPU time of this shell's finished children (/proc/PID/stat fields cutime, cstime).
children_cpu_ticks() { awk '{ print $16 + $17 }' /proc/$$/stat; }

phase build bash scripts/build.sh "$build_dir" all -DHOTCRM_WERROR=ON "${build_flags[@]}" \
  -DHOTCRM_FUZZ_SECONDS="$fuzz_seconds"
# One ctest run so that both cores stay busy (the Python suite is one long serial test, started
# first); its "Label Time Summary" splits the time between C++ modules, fuzz, bench and python.
phase tests ctest --test-dir "$build_dir" -j2 --output-on-failure --timeout 900

printf 'scripts/test.sh: %s\n' "${phase_report[@]}"
