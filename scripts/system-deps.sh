#!/usr/bin/env bash
# Install the Debian packages StraitLink needs, only those missing: CJK fonts for charts and PDFs, Pango for
# WeasyPrint, poppler-utils (pdftoppm) for the PDF rendering test, the PostgreSQL client tools, and Debian's
# chromium, which the browser tests drive through Playwright (Playwright's own browser download never works here).
set -euo pipefail
packages=(fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 poppler-utils postgresql-client chromium)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "StraitLink needs these Debian packages; install them as root: apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "installing: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
