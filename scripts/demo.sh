#!/usr/bin/env bash
# Builds the hotcrm command-line tool and runs the demo: a new SQLite file (./hotcrm-demo.db by
# default) filled with generated CRM data, then queries over it. Extra arguments go to `hotcrm demo`.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${HOTCRM_BUILD_DIR:-build/release}
bash scripts/build.sh "$build_dir" hotcrm_cli -DHOTCRM_BUILD_TESTS=OFF -DHOTCRM_BUILD_BENCHMARKS=OFF
"$build_dir/bin/hotcrm" demo "$@"
