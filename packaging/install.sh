#!/bin/sh
# Installs Netral on Linux or macOS from the dist/ folder: copies the program, then the frozen
# companion's own `setup machine` (as root) and `setup user` (for the user) do the rest.
set -eu

usage() {
  cat <<'EOF_USAGE'
Usage: install.sh        (run from the dist/ folder built by `python build.py all`)

Copies the Netral companion to PREFIX, then runs `netral-companion setup machine` (as root: the
native host for every user, browser policy without any token) and `netral-companion setup user`
for the user (data dir, token, native host, autostart, a `netral-companion` on ~/.local/bin).
Running it again upgrades and keeps the token and the acknowledgement log.

Environment (all optional):
  NETRAL_USER        the user to install for when running as root (default: $SUDO_USER)
  NETRAL_PREFIX      program folder (/opt/netral as root, else ~/.local/share/netral-companion;
                     macOS: /Library/Netral or ~/Library/Netral)
  NETRAL_PORT        port of this user's companion (default: its own choice, written to DATA_DIR/port)
  NETRAL_DATA_DIR    companion data folder (the companion's per-user default)
  NETRAL_RULES_URL   https URL the companion polls for new signed bundles
  NETRAL_ROOT        write machine-wide files under this folder instead of / (an image; tests)
EOF_USAGE
}

fail() {
  echo "install.sh: $*" >&2
  exit 1
}

case "${1:-}" in
  "") ;;
  -h | --help) usage; exit 0 ;;
  *) fail "unknown argument '$1'; run install.sh --help for the options (all set by environment)." ;;
esac

here=$(cd "$(dirname "$0")" && pwd)
[ -x "$here/netral-companion/netral-companion" ] ||
  fail "no frozen companion in $here/netral-companion; run 'python build.py all' and install from its dist/ folder."
[ -f "$here/netral-install.json" ] ||
  fail "no netral-install.json next to install.sh; run 'python build.py all' first."
case "$(uname -s)" in
  Linux | Darwin) ;;
  *) fail "unsupported system $(uname -s); on Windows install netral-VERSION.msi (ADMIN.md)." ;;
esac

# The user the companion runs for: root installs on behalf of NETRAL_USER or the sudo user.
user=${NETRAL_USER:-}
if [ -z "$user" ]; then
  if [ "$(id -u)" -eq 0 ] && [ -n "${SUDO_USER:-}" ]; then user=$SUDO_USER; else user=$(id -un); fi
fi
id -u "$user" >/dev/null 2>&1 || fail "no such user '$user'; set NETRAL_USER to an existing account."
if [ "$(id -u)" -eq 0 ]; then
  [ "$(uname -s)" = Darwin ] && default_prefix=/Library/Netral || default_prefix=/opt/netral
else
  [ "$(uname -s)" = Darwin ] && default_prefix="$HOME/Library/Netral" || default_prefix="$HOME/.local/share/netral-companion"
fi
prefix=${NETRAL_PREFIX:-$default_prefix}
exe="$prefix/companion/netral-companion"

# Runs a command as the target user (only differs when root installs for someone else).
as_user() {
  if [ "$user" = "$(id -un)" ]; then
    "$@"
  else
    uid=$(id -u "$user")
    runuser -u "$user" -- env HOME="$(eval echo "~$user")" XDG_RUNTIME_DIR="/run/user/$uid" \
      DBUS_SESSION_BUS_ADDRESS="unix:path=/run/user/$uid/bus" "$@"
  fi
}

# 1. The program and the kit (install config, policies, rules), replacing a previous copy.
made="" dir=$prefix
while [ ! -d "$dir" ]; do  # the folders made here, listed in the marker for uninstall.sh
  made="$dir
$made"
  dir=$(dirname "$dir")
done
mkdir -p "$prefix"
[ -f "$prefix/.netral-prefix" ] || [ -z "$(ls -A "$prefix")" ] ||
  fail "$prefix is not empty and not a Netral folder; set NETRAL_PREFIX to a new or Netral folder."
[ -f "$prefix/.netral-prefix" ] || printf '%s' "$made" >"$prefix/.netral-prefix"
replace() {  # replace FROM TO: a fresh copy of the kit's folder FROM at PREFIX/TO
  rm -rf "$prefix/$2.new"
  cp -R "$here/$1" "$prefix/$2.new"
  rm -rf "${prefix:?}/$2"
  mv "$prefix/$2.new" "$prefix/$2"
}
replace netral-companion companion
replace policies policies
replace rules rules
cp "$here/netral-install.json" "$here/uninstall.sh" "$prefix/"
[ ! -f "$here/ADMIN.md" ] || cp "$here/ADMIN.md" "$prefix/"
chmod -R go-w "$prefix"
echo "user $user" >"$prefix/installed-for"

# 2. Machine-wide pieces (root only): the native host for every user and the browser policy.
if [ "$(id -u)" -eq 0 ]; then
  "$exe" setup machine --kit "$prefix" ${NETRAL_ROOT:+--root "$NETRAL_ROOT"} \
    ${NETRAL_DATA_DIR:+--data-dir "$NETRAL_DATA_DIR"}
else
  echo "Not root: no browser policy and no machine-wide native host; the user's own are set up."
fi

# 3. This user's pieces: data dir, token, native host, autostart, the companion started now.
as_user "$exe" setup user --kit "$prefix" ${NETRAL_PORT:+--port "$NETRAL_PORT"} \
  ${NETRAL_DATA_DIR:+--data-dir "$NETRAL_DATA_DIR"} ${NETRAL_RULES_URL:+--rules-url "$NETRAL_RULES_URL"}
as_user "$exe" setup status --kit "$prefix" ${NETRAL_DATA_DIR:+--data-dir "$NETRAL_DATA_DIR"} || true
echo "Netral installed in $prefix for $user. Uninstall: sh $prefix/uninstall.sh"
