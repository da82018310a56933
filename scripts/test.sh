#!/usr/bin/env bash
# Builds everything (library, CLI, Python package, tests, benchmarks, examples) and runs every
# test: the C++ suites, the packaging test, the CLI tests, the fuzz drivers over their corpora,
# the benchmark smoke runs and the Python suite. This is what CI runs (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh

build_dir=${HOTCRM_BUILD_DIR:-build/test}
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DHOTCRM_WERROR=ON \
  -DPython3_EXECUTABLE=/usr/bin/python3 "${launcher[@]}"
cmake --build "$build_dir" -j2
ctest --test-dir "$build_dir" -j2 --output-on-failure --timeout 900
