#!/usr/bin/env bash
# Builds everything (library, CLI, Python package, tests, benchmarks, examples) and runs every
# test: the C++ suites, the packaging test, the CLI tests, the fuzz drivers over their corpora,
# the benchmark smoke runs and the Python suite. This is what CI runs (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${HOTCRM_BUILD_DIR:-build/test}
bash scripts/build.sh "$build_dir" all -DHOTCRM_WERROR=ON
ctest --test-dir "$build_dir" -j2 --output-on-failure --timeout 900
