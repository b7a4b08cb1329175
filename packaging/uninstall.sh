#!/bin/sh
# Removes Netral from Linux or macOS: the user's pieces (`setup uninstall`), the machine's
# (`setup machine --remove`), then the program folder. The acknowledgement log stays unless --purge.
set -eu

usage() {
  cat <<'EOF_USAGE'
Usage: uninstall.sh [--purge]

Stops the Netral companion and removes its autostart entry, native hosts, token, rules, cache and
browser policy, then the program folder this script is in.
  --purge    also delete the acknowledgement log (the data dir goes completely)
Environment: NETRAL_DATA_DIR and NETRAL_ROOT as given to install.sh.
EOF_USAGE
}

fail() {
  echo "uninstall.sh: $*" >&2
  exit 1
}

purge=""
for argument in "$@"; do
  case "$argument" in
    --purge) purge=--purge ;;
    -h | --help) usage; exit 0 ;;
    *) fail "unknown argument '$argument'; run uninstall.sh --help." ;;
  esac
done

prefix=$(cd "$(dirname "$0")" && pwd)
[ -f "$prefix/.netral-prefix" ] || fail "$prefix is not a Netral program folder; run the uninstall.sh inside it."
exe="$prefix/companion/netral-companion"
user=$(sed -n 's/^user //p' "$prefix/installed-for" 2>/dev/null || true)
[ -n "$user" ] || user=$(id -un)
as_user() {
  if [ "$user" = "$(id -un)" ]; then
    "$@"
  else
    uid=$(id -u "$user")
    runuser -u "$user" -- env HOME="$(eval echo "~$user")" XDG_RUNTIME_DIR="/run/user/$uid" \
      DBUS_SESSION_BUS_ADDRESS="unix:path=/run/user/$uid/bus" "$@"
  fi
}

as_user "$exe" setup uninstall $purge ${NETRAL_DATA_DIR:+--data-dir "$NETRAL_DATA_DIR"}
if [ "$(id -u)" -eq 0 ]; then
  "$exe" setup machine --remove ${NETRAL_ROOT:+--root "$NETRAL_ROOT"}
fi
made=$(sort -r "$prefix/.netral-prefix")
for part in companion policies rules netral-install.json uninstall.sh ADMIN.md installed-for .netral-prefix; do
  rm -rf "${prefix:?}/$part"
done
# The folders install.sh made, deepest first, each only if nothing else is in it.
printf '%s\n' "$made" | while IFS= read -r dir; do
  [ -z "$dir" ] || rmdir "$dir" 2>/dev/null || true
done
echo "Netral removed from $prefix."
