#!/usr/bin/env bash
# Debian's Chromium for the dashboard's browser tests, notify-send for notifications, zbarimg for QR codes,
# nft and ip for the firewall test.
# Playwright drives /usr/bin/chromium; it never downloads a browser of its own.
set -euo pipefail
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v notify-send >/dev/null 2>&1 || need+=(libnotify-bin)
command -v zbarimg >/dev/null 2>&1 || need+=(zbar-tools)  # decodes the phones' QR codes in tests
command -v nft >/dev/null 2>&1 || need+=(nftables)  # the firewall test (children's accounts only through Guardian)
command -v ip >/dev/null 2>&1 || need+=(iproute2)   # its network namespace
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null 2>&1; then
    echo "Browser tests need: ${need[*]} (apt-get install ${need[*]}); they will be skipped." >&2
    exit 0
fi
sudo_=""; [ "$(id -u)" -ne 0 ] && sudo_="sudo"
echo "Installing ${need[*]} with apt-get ..." >&2
$sudo_ apt-get update -qq >&2 || true
DEBIAN_FRONTEND=noninteractive $sudo_ apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
