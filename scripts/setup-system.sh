#!/usr/bin/env bash
# Installs the system packages the test suite needs, on a fresh Debian/Ubuntu machine:
#   xmlsec1   the independent XML-signature verifier of the interoperability tests
#   softhsm2  the software PKCS#11 token of the token-signing tests
#   fonts-noto-core, poppler-utils, zbar-tools, chromium
#             the soft-copy tests: the embedded font, pdftoppm/pdftotext/pdffonts, zbarimg
#             (QR), headless Chromium (HTML screenshot); WeasyPrint's Pango comes with it
# Both `make test` and `.ci/run` call this one script; `make demo` calls it as
# `setup-system.sh demo`, which needs only what the demo's soft copies use (the font and
# WeasyPrint's Pango). It is idempotent: when everything is present it only looks and exits 0
# (a few milliseconds). Otherwise it runs `apt-get update` once and
# installs what is missing, non-interactively, as root or through password-less sudo. When it
# cannot (not root, no usable sudo, no apt-get) it prints in one line the command to run, and
# fails.
set -euo pipefail
mode="${1:-test}"

softhsm_lib="${HOCBASO_SOFTHSM_LIB:-/usr/lib/softhsm/libsofthsm2.so}"
need=()
if [ "$mode" != demo ]; then
  command -v xmlsec1 >/dev/null 2>&1 || need+=(xmlsec1)
  if ! command -v softhsm2-util >/dev/null 2>&1 || [ ! -e "$softhsm_lib" ]; then
    need+=(softhsm2)
  fi
fi
font="${HOCBASO_RENDER_FONT:-/usr/share/fonts/truetype/noto/NotoSerif-Regular.ttf}"
[ -e "$font" ] || need+=(fonts-noto-core)
if [ "$mode" != demo ]; then
  command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
  command -v zbarimg >/dev/null 2>&1 || need+=(zbar-tools)
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
fi
ldconfig -p 2>/dev/null | grep -q libpango-1.0 || need+=(libpango-1.0-0 libpangoft2-1.0-0)
[ ${#need[@]} -eq 0 ] && exit 0

install="apt-get update && apt-get install -y ${need[*]}"
if ! command -v apt-get >/dev/null 2>&1; then
  echo "hocbaso: the ${mode} needs ${need[*]}; install them with your system's package manager, then run make test again" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
if [ "$(id -u)" -eq 0 ]; then
  as_root() { "$@"; }
elif command -v sudo >/dev/null 2>&1 && sudo -n true >/dev/null 2>&1; then
  as_root() { sudo -n env DEBIAN_FRONTEND=noninteractive "$@"; }
else
  if command -v sudo >/dev/null 2>&1; then
    echo "hocbaso: the ${mode} needs ${need[*]}; run: sudo sh -c '$install'" >&2
  else
    echo "hocbaso: the ${mode} needs ${need[*]}; run as root: $install" >&2
  fi
  exit 1
fi
echo "hocbaso: installing ${need[*]} (needed by the ${mode})" >&2
as_root apt-get update -qq
as_root apt-get install -y -qq --no-install-recommends "${need[@]}"
