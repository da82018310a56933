#!/usr/bin/env bash
# Installs the Debian 12 packages libhotcrm needs to build, test and run. Idempotent: apt is only
# called when a package is missing. Needs root (or sudo) the first time.
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config
  libsqlite3-dev libfmt-dev nlohmann-json3-dev libxtensor-dev xtl-dev libxsimd-dev doctest-dev
  libsodium-dev libcli11-dev pybind11-dev python3-dev python3-pybind11 python3-numpy python3-pandas python3-pytest
  tzdata python3-sklearn python3-xgboost
  # Tests only: the exponential smoothing is checked against statsmodels (those tests skip without it).
  python3-statsmodels
)

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
