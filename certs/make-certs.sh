#!/usr/bin/env bash
# Kept for existing callers: the same as `certs/pki.sh issue OUTDIR SPEC...`
# (see certs/pki.sh for SPEC, the layout and the environment).
#
#   certs/make-certs.sh OUTDIR SPEC...
set -euo pipefail
[[ $# -ge 2 ]] || {
  echo "usage: certs/make-certs.sh OUTDIR SPEC... (see certs/pki.sh)" >&2
  exit 2
}
exec "$(dirname "${BASH_SOURCE[0]}")/pki.sh" issue "$@"
