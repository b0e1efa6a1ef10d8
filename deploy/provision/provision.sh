#!/usr/bin/env bash
# Provisions Kuaibao nodes from the region table: for every node its
# configuration, its key, CSR and certificate (certs/pki.sh), as a folder to
# copy onto its machine, and a manifest of what goes where. See
# deploy/provision/README.md.
#
#   provision.sh --regions TABLE.csv --out DIR [--plan PLAN] [--pki PKI_DIR]
#                [--csr-only] [--only CODE,...]
#   provision.sh --regions TABLE.csv --out DIR --add CODE --name NAME [...]
#
#   --regions   the region table (code12,level,name,parent_code12); checked
#               first: duplicate codes, malformed codes, levels that do not
#               match their code, missing parents are errors naming the line
#   --plan      the address plan (deploy/provision/address-plan.example);
#               default: every node at {code}.kuaibao.internal:7400
#   --out       where the bundles (DIR/nodes/<code>/, an overlay of the node's
#               root: etc/kuaibao, usr/share/kuaibao), DIR/manifest.csv,
#               DIR/manifest.json and DIR/pki.list go
#   --pki       the CA folder of certs/pki.sh (default DIR/pki; made on first
#               use). Not needed with --csr-only.
#   --csr-only  keys and certificate requests only, for a CA kept offline:
#               then `certs/pki.sh bundles PKI DIR/pki.list --sign-only` on
#               the CA's host
#   --only      write only these nodes' bundles
#   --prefix P  the nodes' files under P (P/etc/kuaibao, P/var/lib/kuaibao,
#               P/usr/share/kuaibao) instead of /: trials on one machine
#   --metrics PATTERN
#               each node's metrics_address (plain HTTP, /metrics); {host}
#               is the host of the node's address in the plan, {code} and
#               {prefix} as there. Default {host}:9464; 'none' for none
#   --add CODE --name NAME
#               adds a township (or county) to the region table, in place,
#               and provisions that node alone; prints which nodes need the
#               new table
#
# Environment: KUAIBAO_PROVISION (the kuaibao-provision binary; default: on
# PATH, else build/node/ of this checkout), JOBS (parallel openssl processes).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)

# The comment block at the top, without the '#'s.
help_text() {
  awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
}
usage() {
  help_text >&2
  exit 2
}
die() {
  echo "provision: $*" >&2
  exit 2
}

regions='' plan='' out='' pki='' mode='' only='' add='' name='' prefix=''
metrics='{host}:9464'
while (($#)); do
  case $1 in
    --regions | --plan | --out | --pki | --only | --add | --name | --prefix | --metrics)
      (($# >= 2)) || usage
      declare "${1#--}=$2"
      shift 2
      ;;
    --csr-only)
      mode=--csr-only
      shift
      ;;
    -h | --help)
      help_text
      exit 0
      ;;
    *) die "unknown argument '$1' (--help)" ;;
  esac
done
[[ -n $regions && -n $out ]] || usage
[[ -f $regions ]] || die "no region table '$regions'"
pki=${pki:-$out/pki}

tool=${KUAIBAO_PROVISION:-$(command -v kuaibao-provision || echo "$repo/build/node/kuaibao-provision")}
[[ -x $tool ]] || die "no kuaibao-provision at '$tool' (build it, or set KUAIBAO_PROVISION)"

umask 022
mkdir -p "$out"
table=$regions
if [[ -n $add ]]; then
  [[ -n $name ]] || die "--add needs --name"
  [[ $add =~ ^[0-9]{12}$ ]] || die "--add: '$add' must be a 12-digit code"
  [[ $name != *,* ]] || die "--name: a name holds no comma"
  if [[ ${add:9:3} == 000 && ${add:6:3} != 000 ]]; then
    level=township parent=${add:0:6}000000
  elif [[ ${add:6:6} == 000000 && ${add:4:2} != 00 ]]; then
    level=county parent=${add:0:4}00000000
  else
    die "--add: $add is neither a township nor a county code"
  fi
  ! grep -q "^$add," "$regions" || die "--add: $add is already in $regions"
  table=$regions.new
  cp "$regions" "$table"
  [[ -z $(tail -c1 "$table") ]] || echo >>"$table"
  echo "$add,$level,$name,$parent" >>"$table"
  only=$add
fi

args=(--regions "$table" --out "$out" --etc_dir "$prefix/etc/kuaibao"
  --data_root "$prefix/var/lib/kuaibao"
  --regions_file "$prefix/usr/share/kuaibao/regions/$(basename "$regions")"
  --metrics "$metrics")
[[ -z $plan ]] || args+=(--plan "$plan")
[[ -z $only ]] || args+=(--only "$only")
if ! "$tool" "${args[@]}"; then
  [[ $table == "$regions" ]] || rm -f "$table"
  exit 2
fi
if [[ $table != "$regions" ]]; then
  mv "$table" "$regions"
  echo "added $add,$level,$name,$parent to $regions"
fi

started=$SECONDS
"$repo/certs/pki.sh" bundles "$pki" "$out/pki.list" $mode
echo "keys$([[ -n $mode ]] || echo ', certificates') for $(wc -l <"$out/pki.list") node(s) in $((SECONDS - started)) s"

# Every bundle carries the region table the node reads.
while read -r spec _; do
  code=${spec#node:}
  install -D -m 0644 "$regions" "$out/nodes/$code$prefix/usr/share/kuaibao/regions/$(basename "$regions")"
done <"$out/pki.list"

if [[ -n $add ]]; then
  echo "Before starting $add: install the new $(basename "$regions") on the nodes above it"
  echo "and restart them (each checks every report's region against its table):"
  code=$parent
  while [[ -n $code ]]; do
    grep "^$code," "$regions" | cut -d, -f1,3
    code=$(grep "^$code," "$regions" | cut -d, -f4)
  done
fi
echo "manifest: $out/manifest.csv ($out/manifest.json)"
