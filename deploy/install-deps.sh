#!/usr/bin/env bash
# Installs the Debian 12 packages Kuaibao needs to build, test and run.
#
#   deploy/install-deps.sh [--check] [EXTRA_PACKAGE...]
#
# Installs only what is missing (apt-get update, then apt-get install
# --no-install-recommends) and prints nothing when everything is installed.
# Uses sudo when not run as root. EXTRA_PACKAGEs are checked and installed
# along with the standard list (e.g. shellcheck in CI).
#
#   --check   install nothing; list what is missing and exit 1 if anything is
set -euo pipefail

packages=(
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libabsl-dev libleveldb-dev libsnappy-dev libssl-dev libgtest-dev libgmock-dev
  cmake pkg-config ninja-build openssl g++ ca-certificates
  libcpp-httplib-dev
)

check_only=0
if [[ ${1:-} == "--check" ]]; then
  check_only=1
  shift
fi
if [[ ${1:-} == -* ]]; then
  sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
fi
packages+=("$@")

command -v dpkg-query >/dev/null 2>&1 || {
  echo "install-deps: dpkg-query not found; this script is for Debian 12 (bookworm)" >&2
  exit 1
}

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ $status == "install ok installed" ]] || missing+=("$p")
done

((${#missing[@]} == 0)) && exit 0

if ((check_only)); then
  echo "install-deps: missing: ${missing[*]}" >&2
  exit 1
fi

if ((EUID == 0)); then
  as_root=()
elif command -v sudo >/dev/null 2>&1; then
  as_root=(sudo)
else
  echo "install-deps: need root to install ${missing[*]}, and sudo is not available" >&2
  exit 1
fi

echo "install-deps: installing ${missing[*]}"
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
  apt-get install -y -q --no-install-recommends "${missing[@]}"
