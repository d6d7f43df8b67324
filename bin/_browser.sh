#!/usr/bin/env bash
# Debian's Chromium for the dashboard's browser tests and notify-send for notifications.
# Playwright drives /usr/bin/chromium; it never downloads a browser of its own.
set -euo pipefail
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v notify-send >/dev/null 2>&1 || need+=(libnotify-bin)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null 2>&1; then
    echo "Browser tests need: ${need[*]} (apt-get install ${need[*]}); they will be skipped." >&2
    exit 0
fi
sudo_=""; [ "$(id -u)" -ne 0 ] && sudo_="sudo"
echo "Installing ${need[*]} with apt-get ..." >&2
$sudo_ apt-get update -qq >&2 || true
DEBIAN_FRONTEND=noninteractive $sudo_ apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
