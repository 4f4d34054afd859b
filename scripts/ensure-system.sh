#!/usr/bin/env bash
# The system programs the dashboard uses, from Debian's packages, installed when missing.
#
#   scripts/ensure-system.sh serve   what serving needs: Chromium (chart images and PDF
#                                    reports are drawn by it) and a font for its text
#   scripts/ensure-system.sh test    that, and what the tests drive: ChromeDriver (browser
#                                    tests), LibreOffice Impress and Calc (the exported deck
#                                    and workbook must open in an office suite), poppler-utils
#                                    (PDF pages as PNG), redis-server (the shared cache) and
#                                    nginx-light with openssl (the deployment behind nginx)
#
# It says what it installs and why. Installing needs root and apt-get; without them it says
# what to install and exits 1 (`make run` then serves anyway, without chart images or PDFs).
set -euo pipefail
need="${1:-test}"
serve=()
command -v chromium >/dev/null || serve+=(chromium)
fc-list 2>/dev/null | grep -qi "DejaVuSans" || serve+=(fonts-dejavu-core)
tests=()
if [ "$need" = "test" ]; then
  command -v chromedriver >/dev/null || tests+=(chromium-driver)
  command -v soffice >/dev/null || tests+=(libreoffice-impress libreoffice-calc)
  command -v pdftoppm >/dev/null || tests+=(poppler-utils)
  command -v redis-server >/dev/null || tests+=(redis-server)
  # (nginx in front of gunicorn, with the repository's deploy/nginx.conf and a test certificate)
  [ -x /usr/sbin/nginx ] || command -v nginx >/dev/null || tests+=(nginx-light)
  command -v openssl >/dev/null || tests+=(openssl)
fi
if [ ${#serve[@]} -eq 0 ] && [ ${#tests[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  echo "Installing with apt-get: ${serve[*]} ${tests[*]}" >&2
  if [ ${#serve[@]} -gt 0 ]; then
    echo "  ${serve[*]}: the dashboard draws chart images and PDF reports with Chromium" >&2
  fi
  if [ ${#tests[@]} -gt 0 ]; then
    echo "  ${tests[*]}: the tests drive a browser, open the exported files in LibreOffice" \
      "and run a Redis cache and nginx" >&2
  fi
  apt-get update -qq
  if [ ${#serve[@]} -gt 0 ]; then
    apt-get install -y -qq "${serve[@]}" >/dev/null
  fi
  if [ ${#tests[@]} -gt 0 ]; then  # the office suite without its many recommendations
    apt-get install -y -qq --no-install-recommends "${tests[@]}" >/dev/null
  fi
else
  echo "Missing system packages: ${serve[*]} ${tests[*]}" >&2
  echo "Install them with: sudo apt-get install ${serve[*]} ${tests[*]}" >&2
  exit 1
fi
