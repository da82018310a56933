#!/usr/bin/env bash
# Builds the hotcrm command-line tool and runs the demo: a new SQLite file (./hotcrm-demo.db by
# default) filled with generated CRM data, then queries over it. Extra arguments go to `hotcrm demo`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh

build_dir=${HOTCRM_BUILD_DIR:-build/release}
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DPython3_EXECUTABLE=/usr/bin/python3 \
  -DHOTCRM_BUILD_TESTS=OFF -DHOTCRM_BUILD_BENCHMARKS=OFF "${launcher[@]}" >/dev/null
cmake --build "$build_dir" -j2 --target hotcrm_cli
"$build_dir/bin/hotcrm" demo "$@"
