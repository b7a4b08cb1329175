#!/bin/sh
# Removes the Netral companion from Linux or macOS: stops it, then deletes exactly the files, launchers
# and policies install.sh recorded. The acknowledgement log stays unless --purge is given.
set -eu

usage() {
  cat <<'EOF'
Usage: uninstall.sh [--purge] [--manifest FILE] [--quiet]

Stops the Netral companion and removes every file, autostart entry and browser policy that
install.sh added (listed in PREFIX/install-manifest.txt).
  --purge          also delete the companion's data dir (acknowledgement log, database) and logs
  --manifest FILE  the install manifest to undo (default: next to this script, else in NETRAL_PREFIX)
  --quiet          print nothing on success
EOF
}

fail() {
  echo "uninstall.sh: $*" >&2
  exit 1
}

purge="" manifest="" quiet=""
while [ $# -gt 0 ]; do
  case "$1" in
    --purge) purge=1 ;;
    --quiet) quiet=1 ;;
    --manifest)
      [ $# -ge 2 ] || fail "--manifest needs a file name."
      manifest=$2
      shift
      ;;
    -h | --help) usage; exit 0 ;;
    *) fail "unknown argument '$1'; run uninstall.sh --help." ;;
  esac
  shift
done

here=$(cd "$(dirname "$0")" && pwd)
if [ -z "$manifest" ]; then
  for candidate in "${NETRAL_PREFIX:+$NETRAL_PREFIX/install-manifest.txt}" "$here/install-manifest.txt" \
    /opt/netral/install-manifest.txt /Library/Netral/install-manifest.txt \
    "$HOME/.local/share/netral-companion/install-manifest.txt" "$HOME/Library/Netral/install-manifest.txt"; do
    if [ -n "$candidate" ] && [ -f "$candidate" ]; then manifest=$candidate; break; fi
  done
fi
[ -n "$manifest" ] && [ -f "$manifest" ] ||
  fail "no install manifest found; set NETRAL_PREFIX to the folder Netral was installed into."

# Read from a copy: the manifest itself is one of the files to remove.
recorded=$(mktemp)
trap 'rm -f "$recorded"' EXIT
cp "$manifest" "$recorded"
entries() { sed -n "s/^$1 //p" "$recorded"; }

user=$(entries user | head -n 1)
[ -n "$user" ] || user=$(id -un)
uid=$(id -u "$user" 2>/dev/null || id -u)
as_user() {
  if [ "$user" = "$(id -un)" ]; then
    "$@"
  elif command -v runuser >/dev/null 2>&1; then
    runuser -u "$user" -- env XDG_RUNTIME_DIR="/run/user/$uid" \
      DBUS_SESSION_BUS_ADDRESS="unix:path=/run/user/$uid/bus" "$@"
  else
    sudo -u "$user" -H "$@"
  fi
}

# 1. Stop the companion: its autostart first, so nothing restarts it.
for unit in $(entries systemd); do
  if command -v systemctl >/dev/null 2>&1; then
    as_user systemctl --user disable --now "$unit" >/dev/null 2>&1 || true
  fi
done
for label in $(entries launchd); do
  as_user launchctl bootout "gui/$uid/$label" >/dev/null 2>&1 || true
done
entries exe | while IFS= read -r exe; do
  for proc in /proc/[0-9]*; do
    [ "$(readlink "$proc/exe" 2>/dev/null)" = "$exe" ] || continue
    pid=${proc#/proc/}
    kill "$pid" 2>/dev/null || continue
    tries=0
    while kill -0 "$pid" 2>/dev/null && [ "$tries" -lt 50 ]; do
      sleep 0.1
      tries=$((tries + 1))
    done
    kill -9 "$pid" 2>/dev/null || true
  done
done

# 2. Remove what install.sh added: files, then the folders it created, deepest first, if empty.
if [ -n "$purge" ]; then
  entries data | while IFS= read -r dir; do rm -rf "$dir"; done
  entries logs | while IFS= read -r dir; do rm -rf "$dir"; done
fi
entries file | while IFS= read -r file; do rm -f "$file"; done
entries dir | sort -r | while IFS= read -r dir; do rmdir "$dir" 2>/dev/null || true; done
if [ -n "$(entries systemd)" ] && command -v systemctl >/dev/null 2>&1; then
  as_user systemctl --user daemon-reload >/dev/null 2>&1 || true
fi

if [ -z "$quiet" ]; then
  echo "Netral companion removed."
  if [ -z "$purge" ]; then
    entries data | while IFS= read -r dir; do
      [ ! -d "$dir" ] || echo "Kept the acknowledgement log in $dir (remove it with uninstall.sh --purge)."
    done
  fi
fi
