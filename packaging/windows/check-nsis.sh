#!/usr/bin/env bash
# Compile the Windows installer script with makensis on Linux, from a placeholder payload: proves the
# script is valid NSIS and names only files a real bundle has. (The payload itself, PyInstaller's
# Windows bundle, can only be built on Windows: packaging/windows/build.ps1.)
set -euo pipefail
cd "$(dirname "$0")/../.."
if ! command -v makensis >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nsis >/dev/null
    else
        echo "makensis not found (apt-get install nsis)" >&2; exit 1
    fi
fi
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
PAYLOAD="$WORK/contract-batch-manager"
mkdir -p "$PAYLOAD/_internal"
echo "placeholder" > "$PAYLOAD/contract-batch-manager.exe"
echo "placeholder" > "$PAYLOAD/_internal/python311.dll"
cp LICENSE "$PAYLOAD/LICENSE"
echo "placeholder" > "$PAYLOAD/THIRD-PARTY-NOTICES.txt"
python3 packaging/make_icons.py ico "$WORK/contract-batch-manager.ico"
makensis -V2 -DVERSION=0.0.0 -DPAYLOAD="$PAYLOAD" -DICON="$WORK/contract-batch-manager.ico" \
    -DOUTFILE="$WORK/contract-batch-manager-0.0.0-windows-x64.exe" packaging/windows/installer.nsi
test -s "$WORK/contract-batch-manager-0.0.0-windows-x64.exe"
echo "NSIS script compiled: $(du -h "$WORK/contract-batch-manager-0.0.0-windows-x64.exe" | cut -f1) placeholder installer"
