#!/usr/bin/env bash
# Installs the Debian packages, configures a Release build in BUILD_DIR and builds TARGET (or all).
#   scripts/build.sh BUILD_DIR [TARGET|all] [extra cmake -D options...]
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=$1
target=${2:-all}
shift $(( $# >= 2 ? 2 : 1 ))
bash scripts/install-deps.sh

launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DPython3_EXECUTABLE=/usr/bin/python3 \
  "${launcher[@]}" "$@" >/dev/null
cmake --build "$build_dir" -j2 --target "$target"
