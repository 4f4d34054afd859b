#!/usr/bin/env bash
# Browser tests drive Debian's Chromium through chromedriver. Install both when missing
# (as root, from Debian's packages); otherwise say what to install.
set -euo pipefail
if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "Installing chromium and chromium-driver for the browser tests..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium chromium-driver fonts-dejavu-core >/dev/null
else
  echo "The browser tests need Chromium and its driver: sudo apt-get install chromium chromium-driver" >&2
  exit 1
fi
