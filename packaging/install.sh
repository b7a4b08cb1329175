#!/bin/sh
# Installs the Netral companion for one user on Linux or macOS: program, per-device token, rules,
# browser policy with the same token, autostart; records every file it adds for uninstall.sh.
set -eu

usage() {
  cat <<'EOF'
Usage: install.sh        (run from the dist/ folder built by `python build.py all`)

Installs the Netral companion for the current user (as root: for NETRAL_USER or the sudo user),
writes this device's token into the companion and into the browser policy, enables autostart
and starts the companion. Running it again upgrades and keeps the token.

Environment (all optional):
  NETRAL_PORT            port of the companion (47613)
  NETRAL_TOKEN           the device token to use (default: kept from a previous install, else random)
  NETRAL_RULES_URL       https URL the companion polls for new signed bundles
  NETRAL_USER            the user to install for when running as root (default: $SUDO_USER)
  NETRAL_PREFIX          program folder (/opt/netral as root, else ~/.local/share/netral-companion;
                         macOS: /Library/Netral or ~/Library/Netral)
  NETRAL_DATA_DIR        companion data folder (the companion's per-user default)
  NETRAL_LOG_DIR         log folder when there is no journal
  NETRAL_POLICY_DIRS     Linux managed-policy folders, separated by ':' (Chrome, Chromium, Edge)
  NETRAL_SYSTEMD_USER_DIR, NETRAL_AUTOSTART_DIR, NETRAL_LAUNCH_AGENTS_DIR   autostart folders
  NETRAL_START_TIMEOUT   seconds to wait for the companion to answer (15)
EOF
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
companion_src="$here/netral-companion"
[ -x "$companion_src/netral-companion" ] ||
  fail "no frozen companion in $companion_src; run 'python build.py all' and install from its dist/ folder."
[ -f "$here/extension/extension-id.txt" ] ||
  fail "no extension/extension-id.txt next to install.sh; run 'python build.py all' first."
ext_id=$(cat "$here/extension/extension-id.txt")

os=$(uname -s)
case "$os" in
  Linux | Darwin) ;;
  *) fail "unsupported system $os; use install.ps1 on Windows." ;;
esac

# The user the companion runs for: root installs on behalf of NETRAL_USER or the sudo user.
user=${NETRAL_USER:-}
if [ -z "$user" ]; then
  if [ "$(id -u)" -eq 0 ] && [ -n "${SUDO_USER:-}" ]; then user=$SUDO_USER; else user=$(id -un); fi
fi
uid=$(id -u "$user" 2>/dev/null) || fail "no such user '$user'; set NETRAL_USER to an existing account."
if [ "$user" = "$(id -un)" ]; then
  home=$HOME
else
  home=$(eval echo "~$user")
fi

port=${NETRAL_PORT:-47613}
case "$port" in
  '' | *[!0-9]*) fail "NETRAL_PORT must be a port number, not '$port'." ;;
esac
url="http://127.0.0.1:$port"

if [ "$os" = Darwin ]; then
  if [ "$(id -u)" -eq 0 ]; then default_prefix=/Library/Netral; else default_prefix="$home/Library/Netral"; fi
  default_data="$home/Library/Application Support/netral"
  default_logs="$home/Library/Logs/Netral"
else
  if [ "$(id -u)" -eq 0 ]; then default_prefix=/opt/netral; else default_prefix="$home/.local/share/netral-companion"; fi
  # The companion's own default (platformdirs), so `netral-companion pair` finds it without options.
  default_data="${XDG_DATA_HOME:-$home/.local/share}/netral"
  default_logs="${XDG_STATE_HOME:-$home/.local/state}/netral"
fi
prefix=${NETRAL_PREFIX:-$default_prefix}
data_dir=${NETRAL_DATA_DIR:-$default_data}
log_dir=${NETRAL_LOG_DIR:-$default_logs}
policy_dirs=${NETRAL_POLICY_DIRS:-/etc/opt/chrome/policies/managed:/etc/chromium/policies/managed:/etc/opt/edge/policies/managed}
systemd_dir=${NETRAL_SYSTEMD_USER_DIR:-${XDG_CONFIG_HOME:-$home/.config}/systemd/user}
autostart_dir=${NETRAL_AUTOSTART_DIR:-${XDG_CONFIG_HOME:-$home/.config}/autostart}
agents_dir=${NETRAL_LAUNCH_AGENTS_DIR:-$home/Library/LaunchAgents}
start_timeout=${NETRAL_START_TIMEOUT:-15}

exe="$prefix/companion/netral-companion"
launcher="$prefix/bin/netral-companion-serve"
env_file="$prefix/companion.env"
manifest="$prefix/install-manifest.txt"

# Runs a command as the target user (only differs when root installs for someone else).
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

# Upgrade: remove the previous installation first, keeping its token and the acknowledgement log.
old_token=$(cat "$data_dir/token" 2>/dev/null || true)
if [ -f "$manifest" ]; then
  echo "Removing the previous installation in $prefix first."
  sh "$here/uninstall.sh" --manifest "$manifest" --quiet
fi

token=${NETRAL_TOKEN:-$old_token}
if [ -z "$token" ]; then
  token=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
fi
case "$token" in
  *[!A-Za-z0-9._~-]*) fail "NETRAL_TOKEN may contain only letters, digits and . _ ~ -" ;;
esac
[ "${#token}" -ge 32 ] || fail "NETRAL_TOKEN must be at least 32 characters long."

# Every file and folder this script adds is recorded here; uninstall.sh removes exactly those.
records=$(mktemp)
record() { printf '%s %s\n' "$1" "$2" >>"$records"; }
record user "$user"

finish() {
  status=$?
  if [ "$status" -ne 0 ]; then
    echo "install.sh: installation failed; undoing what was done so far." >&2
    sh "$here/uninstall.sh" --manifest "$records" --quiet || true
  fi
  rm -f "$records"
  exit "$status"
}
trap finish EXIT
trap 'exit 1' INT TERM

ensure_dir() {  # creates $1 and its missing parents, recording each one it made
  [ -d "$1" ] && return 0
  ensure_dir "$(dirname "$1")"
  mkdir "$1"
  record dir "$1"
}

put() {  # put SOURCE DEST [MODE]: copies one file and records it
  ensure_dir "$(dirname "$2")"
  cp -P "$1" "$2"
  [ -z "${3:-}" ] || chmod "$3" "$2"
  record file "$2"
}

esc() { printf '%s' "$1" | sed -e 's/[\\&|]/\\&/g'; }

fill() {  # fill TEMPLATE DEST: a template with this device's values, recorded
  ensure_dir "$(dirname "$2")"
  sed -e "s|@NETRAL_TOKEN@|$(esc "$token")|g" \
    -e "s|@COMPANION_URL@|$(esc "$url")|g" \
    -e "s|@LAUNCHER@|$(esc "$launcher")|g" \
    -e "s|@LOG_DIR@|$(esc "$log_dir")|g" "$1" >"$2"
  record file "$2"
}

quote() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; }

# 1. The program: the frozen companion, this uninstaller, the trusted keys.
ensure_dir "$prefix"
(cd "$companion_src" && find . -type d) | while IFS= read -r dir; do
  ensure_dir "$prefix/companion${dir#.}"
done
(cd "$companion_src" && find . ! -type d) | while IFS= read -r file; do
  put "$companion_src${file#.}" "$prefix/companion${file#.}"
done
put "$here/uninstall.sh" "$prefix/uninstall.sh" 755
[ ! -f "$here/ADMIN.md" ] || put "$here/ADMIN.md" "$prefix/ADMIN.md"
put "$here/rules/trusted_keys.json" "$prefix/rules/trusted_keys.json" 644

# 2. The data dir: the token (mode 0600, kept if the companion already made one) and the rules.
ensure_dir "$data_dir"
chmod 700 "$data_dir"
if [ ! -f "$data_dir/token" ] || [ "$(cat "$data_dir/token")" != "$token" ]; then
  [ ! -f "$data_dir/token" ] || echo "Replacing the companion's token with this device's token."
  (umask 077 && printf '%s\n' "$token" >"$data_dir/token")
  chmod 600 "$data_dir/token"
  record file "$data_dir/token"
fi
for bundle in "$here"/rules/*.bundle.json; do
  put "$bundle" "$data_dir/rules/$(basename "$bundle")" 644
  put "$bundle.sig" "$data_dir/rules/$(basename "$bundle").sig" 644
done
record data "$data_dir"

# 3. How the companion starts: one environment file and one launcher for every autostart kind.
ensure_dir "$prefix/bin"
{
  echo "# Netral companion settings for this device (written by install.sh; restart after a change)."
  echo "NETRAL_PORT=$port"
  echo "NETRAL_DATA_DIR=$(quote "$data_dir")"
  echo "NETRAL_TRUSTED_KEYS=$(quote "$prefix/rules/trusted_keys.json")"
  echo "NETRAL_ALLOWED_ORIGINS=chrome-extension://$ext_id"
  [ -z "${NETRAL_RULES_URL:-}" ] || echo "NETRAL_RULES_URL=$(quote "$NETRAL_RULES_URL")"
} >"$env_file"
record file "$env_file"
cat >"$launcher" <<EOF
#!/bin/sh
# Starts the Netral companion with this device's settings from $(quote "$env_file").
set -a
. $(quote "$env_file")
set +a
exec $(quote "$exe") serve "\$@"
EOF
chmod 755 "$launcher"
record file "$launcher"

# 4. The browser policy: force-install the extension and hand it the same token.
if [ "$os" = Linux ]; then
  old_ifs=$IFS
  IFS=:
  for dir in $policy_dirs; do
    IFS=$old_ifs
    if ! ensure_dir "$dir" 2>/dev/null || ! touch "$dir/netral.json" 2>/dev/null; then
      fail "cannot write the browser policy into $dir; run install.sh as root (sudo) or set NETRAL_POLICY_DIRS."
    fi
    fill "$here/policies/linux/netral.json" "$dir/netral.json"
    chmod 644 "$dir/netral.json"
  done
  IFS=$old_ifs
else
  profile="$prefix/policy/netral.mobileconfig"
  fill "$here/policies/macos/netral.mobileconfig" "$profile"
  chmod 600 "$profile"
fi

# 5. Autostart, then start it now. Without systemd the output goes to a log file.
logs_to_file() {
  ensure_dir "$log_dir"
  record logs "$log_dir"
  record file "$log_dir/companion.log"
}
started_by=""
if [ "$os" = Darwin ]; then
  logs_to_file
  plist="$agents_dir/id.go.netral.companion.plist"
  fill "$here/autostart/macos/id.go.netral.companion.plist" "$plist"
  record launchd id.go.netral.companion
  as_user launchctl bootstrap "gui/$uid" "$plist" 2>/dev/null || as_user launchctl load -w "$plist"
  started_by="launchd (LaunchAgent id.go.netral.companion)"
elif command -v systemctl >/dev/null 2>&1 && as_user systemctl --user show-environment >/dev/null 2>&1; then
  [ -d "$systemd_dir/default.target.wants" ] || wants_missing=1
  fill "$here/autostart/linux/netral-companion.service" "$systemd_dir/netral-companion.service"
  record systemd netral-companion.service
  [ -z "${wants_missing:-}" ] || record dir "$systemd_dir/default.target.wants"
  as_user systemctl --user daemon-reload
  as_user systemctl --user enable --now netral-companion.service
  started_by="systemd --user (netral-companion.service)"
else
  logs_to_file
  echo "NETRAL_LOG_FILE=$(quote "$log_dir/companion.log")" >>"$env_file"
  fill "$here/autostart/linux/netral-companion.desktop" "$autostart_dir/netral-companion.desktop"
  record exe "$exe"
  # exec first: a redirection on a function call would keep copies of this script's output open.
  (exec </dev/null >/dev/null 2>&1 && as_user nohup "$launcher") &
  started_by="XDG autostart at login (no systemd --user here); started now in the background"
fi

# Every per-user file belongs to the user, also when root installed it.
if [ "$user" != "$(id -un)" ]; then
  sed -n -e 's/^file //p' -e 's/^dir //p' "$records" | while IFS= read -r path; do
    case "$path" in "$home"/*) chown -h "$user" "$path" 2>/dev/null || true ;; esac
  done
fi

cp "$records" "$manifest"
echo "file $manifest" >>"$manifest"

answered=""
if command -v curl >/dev/null 2>&1; then
  waited=0
  while [ "$waited" -lt "$start_timeout" ]; do
    if curl -fsS "$url/v1/health" >/dev/null 2>&1; then answered=1; break; fi
    sleep 1
    waited=$((waited + 1))
  done
fi

cat <<EOF
Netral companion installed for $user.
  program:     $prefix
  data:        $data_dir (token file mode 0600, rules/)
  extension:   $ext_id, force-installed by the browser policy
  autostart:   $started_by
Check it:      curl $url/v1/health        (answers {"status":"ok"})
Uninstall:     sh $(quote "$prefix/uninstall.sh")
EOF
if [ "$os" = Darwin ]; then
  echo "Browser policy: deliver $profile through your MDM, or open it and approve it in System Settings."
fi
if [ -z "$answered" ] && command -v curl >/dev/null 2>&1; then
  echo "Note: the companion did not answer within ${start_timeout}s; see the logs in $log_dir or the journal."
fi
