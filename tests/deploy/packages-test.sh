#!/usr/bin/env bash
# The Debian packages, end to end on this machine: CPack makes kuaibao-node
# and kuaibao from the finished build (no rebuild), lintian finds nothing
# that is not overridden with a reason, `dpkg -i` installs them (binaries,
# man pages, units, region table, the kuaibao system user and its folders),
# the installed unit passes `systemd-analyze verify`, the installed programs
# answer --help, and `dpkg -r` then `dpkg --purge` remove every file again.
#
#   tests/deploy/packages-test.sh BUILD_DIR
#
# Installs for real: run as root on a machine where Kuaibao is not installed
# (CI's throwaway machine). Skipped (77) otherwise, saying why.
set -euo pipefail

build=$(cd "$1" && pwd)
skip() {
  echo "SKIP: $*"
  exit 77
}
fail() {
  echo "FAIL: $*" >&2
  exit 1
}
((EUID == 0)) || skip "installing packages needs root"
for tool in cpack dpkg-deb dpkg-shlibdeps; do
  command -v "$tool" >/dev/null || skip "no $tool (deploy/install-deps.sh dpkg-dev)"
done
# One run at a time on a machine (several checkouts may run their tests).
exec 9>/tmp/kuaibao-packages-test.lock
flock -w 900 9 || skip "another packages test holds /tmp/kuaibao-packages-test.lock"
for package in kuaibao-node kuaibao; do
  if dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q installed; then
    skip "$package is installed on this machine; not replacing it"
  fi
done

work=$(mktemp -d /tmp/kuaibao-packages-test.XXXXXX)
had_user=0
getent passwd kuaibao >/dev/null && had_user=1
cleanup() {
  dpkg --purge kuaibao kuaibao-node >/dev/null 2>&1 || true
  if ((!had_user)) && getent passwd kuaibao >/dev/null; then
    deluser --quiet --system kuaibao >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# dpkg with its arguments, waiting out another dpkg or apt holding its lock.
dpkg_waiting() {
  local log=$1 tries=0
  shift
  until dpkg "$@" >"$log" 2>&1; do
    grep -q 'lock' "$log" && ((++tries < 60)) || return 1
    sleep 5
  done
}

started=$SECONDS
cpack --config "$build/CPackConfig.cmake" -B "$work" >"$work/cpack.log" 2>&1 ||
  fail "cpack: $(tail -20 "$work/cpack.log")"
node_deb=$(ls "$work"/kuaibao-node_*.deb)
cli_deb=$(ls "$work"/kuaibao_*.deb)
echo "ok: $(basename "$node_deb") ($(du -k "$node_deb" | cut -f1) KiB), $(basename "$cli_deb") ($(du -k "$cli_deb" | cut -f1) KiB) in $((SECONDS - started)) s"
dpkg-deb -f "$node_deb" Depends | grep -q 'libgrpc++1.51' || fail "Depends: $(dpkg-deb -f "$node_deb" Depends)"
dpkg-deb -f "$node_deb" Depends | grep -q 'adduser' || fail "kuaibao-node does not depend on adduser"

if command -v lintian >/dev/null; then
  started=$SECONDS
  lintian --fail-on error,warning "$node_deb" "$cli_deb" >"$work/lintian.log" 2>&1 || fail "lintian: $(cat "$work/lintian.log")"
  echo "ok: lintian: no error or warning (its notes: deploy/packaging/README.md) in $((SECONDS - started)) s"
else
  echo "note: no lintian here; not checked"
fi

dpkg_waiting "$work/install.log" -i "$node_deb" "$cli_deb" || fail "dpkg -i: $(cat "$work/install.log")"
for file in /usr/bin/kuaibao-node /usr/bin/kuaibao-provision /usr/bin/kuaibao \
  /lib/systemd/system/kuaibao-node@.service /lib/systemd/system/kuaibao-backup@.service \
  /lib/systemd/system/kuaibao-backup@.timer /usr/share/kuaibao/regions/shanxi-2022.csv \
  /usr/share/kuaibao/monitoring/kuaibao-alerts.yml /usr/share/doc/kuaibao-node/copyright \
  /usr/share/doc/kuaibao/copyright; do
  [[ -e $file ]] || fail "$file not installed"
done
if command -v help2man >/dev/null; then
  for page in /usr/share/man/man8/kuaibao-node.8.gz /usr/share/man/man1/kuaibao.1.gz; do
    [[ -e $page ]] || fail "$page not installed"
  done
  zcat /usr/share/man/man8/kuaibao-node.8.gz | grep -q -- 'probe_timeout' ||
    fail "the man page of kuaibao-node lacks its flags"
fi
# The system user and its folders.
IFS=: read -r _ _ uid _ _ home shell < <(getent passwd kuaibao) || fail "no kuaibao user"
((uid < 1000)) || fail "kuaibao is not a system user (uid $uid)"
[[ $home == /var/lib/kuaibao && $shell == /usr/sbin/nologin ]] || fail "kuaibao: home $home, shell $shell"
for dir in /var/lib/kuaibao /var/backups/kuaibao; do
  [[ $(stat -c '%U %a' "$dir") == 'kuaibao 700' ]] || fail "$dir: $(stat -c '%U %a' "$dir")"
done
[[ -d /etc/kuaibao ]] || fail "no /etc/kuaibao"
echo "ok: files, the kuaibao system user (uid $uid) and its folders"

/usr/bin/kuaibao-node --help | grep -q -- '--config' || fail "installed kuaibao-node --help"
/usr/bin/kuaibao --help >/dev/null || fail "installed kuaibao --help"
# The unit as installed, for one node (verify needs an instance name).
if command -v systemd-analyze >/dev/null; then
  out=$(systemd-analyze verify kuaibao-node@140105000000.service \
    kuaibao-backup@140105000000.service kuaibao-backup@140105000000.timer 2>&1) ||
    fail "systemd-analyze verify: $out"
  [[ -z $out ]] || fail "systemd-analyze verify: $out"
  echo "ok: systemd-analyze verify of the installed units"
else
  echo "note: no systemd-analyze here; the installed units not verified"
fi

dpkg_waiting "$work/remove.log" -r kuaibao kuaibao-node || fail "dpkg -r: $(cat "$work/remove.log")"
for file in /usr/bin/kuaibao-node /usr/bin/kuaibao /lib/systemd/system/kuaibao-node@.service; do
  [[ ! -e $file ]] || fail "$file left after dpkg -r"
done
dpkg_waiting "$work/purge.log" --purge kuaibao kuaibao-node || fail "dpkg --purge: $(cat "$work/purge.log")"
for package in kuaibao-node kuaibao; do
  ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q installed ||
    fail "$package still installed"
done
for dir in /usr/share/kuaibao /var/lib/kuaibao /var/backups/kuaibao /etc/kuaibao; do
  [[ ! -e $dir ]] || fail "$dir left after purge (it was empty)"
done
echo "ok: dpkg -r and dpkg --purge removed everything (the kuaibao user stays, as Debian does)"
echo "1 passed, 0 failed"
