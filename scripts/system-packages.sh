#!/usr/bin/env bash
# The system programs the tests need beside the Python packages: the PostgreSQL server
# (tests/storage start a throwaway one) and Chromium (tests/browser drive it). Installed
# with apt-get when this runs as root (or with password-less sudo); otherwise the exact
# command to run is printed and the tests do not start.
set -euo pipefail

missing=()
if ! compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null && ! command -v initdb >/dev/null; then
    missing+=(postgresql)
fi
if [ ! -x /usr/bin/chromium ]; then
    missing+=(chromium)
fi
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
    sudo=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    sudo=(sudo -n)
else
    echo "The tests need the Debian packages: ${missing[*]}" >&2
    echo "Install them, then run make test again:" >&2
    echo "    sudo apt-get install --no-install-recommends ${missing[*]}" >&2
    exit 1
fi
if ! command -v apt-get >/dev/null; then
    echo "The tests need: ${missing[*]} (PostgreSQL server programs, Chromium at /usr/bin/chromium);" >&2
    echo "this machine has no apt-get: install them with its package manager." >&2
    exit 1
fi
echo "installing the Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
