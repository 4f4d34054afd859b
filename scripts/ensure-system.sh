#!/usr/bin/env bash
# System programs the tests drive, from Debian's packages: Chromium and its driver (browser
# tests, Kaleido images, PDF reports), LibreOffice Impress and Calc (the exported deck and
# workbook must open in an office suite), poppler-utils (PDF pages as PNG) and redis-server
# (the shared cache's tests run against a real one). Installs what
# is missing (as root); otherwise says what to install.
set -euo pipefail
browser=()
command -v chromium >/dev/null || browser+=(chromium)
command -v chromedriver >/dev/null || browser+=(chromium-driver)
fc-list 2>/dev/null | grep -qi "DejaVuSans" || browser+=(fonts-dejavu-core)
office=()
command -v soffice >/dev/null || office+=(libreoffice-impress libreoffice-calc)
command -v pdftoppm >/dev/null || office+=(poppler-utils)
command -v redis-server >/dev/null || office+=(redis-server)
if [ ${#browser[@]} -eq 0 ] && [ ${#office[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "Installing ${browser[*]} ${office[*]} ..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  if [ ${#browser[@]} -gt 0 ]; then
    apt-get install -y -qq "${browser[@]}" >/dev/null
  fi
  if [ ${#office[@]} -gt 0 ]; then  # the office suite without its many recommendations
    apt-get install -y -qq --no-install-recommends "${office[@]}" >/dev/null
  fi
else
  echo "The tests need: sudo apt-get install ${browser[*]} ${office[*]}" >&2
  exit 1
fi
