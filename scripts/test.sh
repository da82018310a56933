#!/usr/bin/env bash
# Builds everything (library, CLI, Python package, tests, benchmarks, examples) and runs every
# test: the C++ suites, the packaging test, the CLI tests, the fuzz drivers (corpus, fixed
# mutations, then 20 s of random mutations each), the benchmark smoke runs and the Python suite.
# Then builds the core test modules (core, formula, store, io, time) and the fuzz drivers with
# AddressSanitizer + UndefinedBehaviorSanitizer and runs them (docs/security.md, "Hostile input").
# This is what CI runs (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${HOTCRM_BUILD_DIR:-build/test}
sanitizer_dir=${HOTCRM_SANITIZER_BUILD_DIR:-build/sanitize}
fuzz_seconds=${HOTCRM_FUZZ_SECONDS:-20}

bash scripts/build.sh "$build_dir" all -DHOTCRM_WERROR=ON -DHOTCRM_FUZZ_SECONDS="$fuzz_seconds"
ctest --test-dir "$build_dir" -j2 --output-on-failure --timeout 900

# -O1 keeps the sanitizer build and run quick while still inlining the hot paths; -g1 gives
# reports file and line numbers. The fuzz drivers replay their corpus and fixed mutations only.
bash scripts/build.sh "$sanitizer_dir" hotcrm_sanitizer_tests -DHOTCRM_WERROR=ON -DHOTCRM_SANITIZE=ON \
  -DCMAKE_BUILD_TYPE=Debug "-DCMAKE_CXX_FLAGS_DEBUG=-O1 -g1" -DHOTCRM_FUZZ_SECONDS=0 \
  -DHOTCRM_BUILD_PYTHON=OFF -DHOTCRM_BUILD_CLI=OFF -DHOTCRM_BUILD_BENCHMARKS=OFF -DHOTCRM_BUILD_EXAMPLES=OFF
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1 \
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  ctest --test-dir "$sanitizer_dir" -j2 --output-on-failure --timeout 900 -R '^(core|formula|store|io|time|fuzz)\.'
