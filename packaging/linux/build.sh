#!/usr/bin/env bash
# Build the Linux packages of Contract Batch Manager, from the repository root, on Debian/Ubuntu as root:
#
#   packaging/linux/build.sh            # dist/contract-batch-manager_<version>_amd64.deb (xz)
#   COMP=zstd packaging/linux/build.sh  # the same with zstd (CI: seconds instead of minutes)
#                                       # and dist/contract-batch-manager-<version>-linux-x86_64.tar.gz
#
# It installs its own build tools (apt: dpkg-dev, binutils, the libraries Qt links against so that
# dpkg-shlibdeps can name their packages; pip, in a virtual environment of its own: the project from this
# tree, not editable, and PyInstaller). Work files go to build/linux (BUILD_DIR), packages to dist/.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
COMP=${COMP:-xz}
BUILD=${BUILD_DIR:-$ROOT/build/linux}
PYTHON=${PYTHON:-python3}
APP=contract-batch-manager
export DEBIAN_FRONTEND=noninteractive PIP_DISABLE_PIP_VERSION_CHECK=1
step() { printf '[build %4ds] %s\n' "$SECONDS" "$*"; }

case "$COMP" in xz|zstd|gzip) ;; *) echo "COMP must be xz, zstd or gzip" >&2; exit 2 ;; esac

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    step "apt: build tools"
    apt-get update -qq || true
    # shellcheck disable=SC2046
    apt-get install -y -qq --no-install-recommends \
        dpkg-dev binutils file xz-utils zstd desktop-file-utils appstream \
        $(cat packaging/linux/qt-runtime-packages.txt) >/dev/null
fi

step "virtual environment: the project (not editable) and PyInstaller"
rm -rf "$BUILD"
mkdir -p "$BUILD" dist
"$PYTHON" -m venv "$BUILD/venv"
VPY="$BUILD/venv/bin/python"
"$VPY" -m pip install -q --upgrade pip
# A copy of the tree, so the build leaves no build/ or egg-info behind in the checkout.
mkdir -p "$BUILD/src"
cp -r pyproject.toml README.md LICENSE core gui resources "$BUILD/src/"
"$VPY" -m pip install -q "$BUILD/src" 'pyinstaller>=6.22,<7'
VERSION=$("$VPY" -c 'from core.version import version; print(version())')
# PEP 440 pre-releases sort before the release in Debian only with a tilde: 1.0rc1 -> 1.0~rc1.
DEBVERSION=$("$VPY" -c 'import re,sys; print(re.sub(r"(\.?)(dev|a|b|rc)", r"~\2", sys.argv[1]))' "$VERSION")
step "version $VERSION (package $DEBVERSION)"

step "PyInstaller"
# From a folder of its own: from the checkout, a developer's editable install (its egg-info, its
# modules) would be found before the installed distribution.
(cd "$BUILD" && "$VPY" -m PyInstaller --noconfirm --log-level WARN --distpath "$BUILD/dist" \
    --workpath "$BUILD/work" "$ROOT/packaging/contract-batch-manager.spec")
BUNDLE="$BUILD/dist/$APP"

step "strip debug information (not from the wheels' grafted libraries, which strip would break)"
find "$BUNDLE" -type f \( -name '*.so*' -o -name "$APP" -o -name 'valkey-server' \) -not -path '*.libs/*' \
    -print0 | while IFS= read -r -d '' f; do
        if readelf -S "$f" 2>/dev/null | grep -q '\.debug_info'; then strip --strip-unneeded "$f"; fi
    done

step "notices, licence and the two names of the program"
"$VPY" packaging/notices.py "$BUNDLE" "$BUNDLE/THIRD-PARTY-NOTICES.txt"
cp LICENSE "$BUNDLE/LICENSE"
ln -sf "$APP" "$BUNDLE/contract-batch-gui"
ln -sf "$APP" "$BUNDLE/contract-batch"

# -- the .deb -------------------------------------------------------------------------------------------
step "stage the .deb"
STAGE="$BUILD/deb"
rm -rf "$STAGE"
mkdir -p "$STAGE/opt" "$STAGE/usr/bin" "$STAGE/usr/share/applications" "$STAGE/usr/share/metainfo" \
    "$STAGE/usr/share/doc/$APP" "$STAGE/DEBIAN"
cp -a "$BUNDLE" "$STAGE/opt/$APP"
ln -s "/opt/$APP/$APP" "$STAGE/usr/bin/contract-batch-gui"
ln -s "/opt/$APP/$APP" "$STAGE/usr/bin/contract-batch"
install -m 0644 resources/contract-batch-manager.desktop "$STAGE/usr/share/applications/"
install -m 0644 resources/io.github.contractbatch.Manager.metainfo.xml "$STAGE/usr/share/metainfo/"
for size in 16 32 48 64 128 256; do
    install -D -m 0644 "resources/icons/$APP-$size.png" \
        "$STAGE/usr/share/icons/hicolor/${size}x${size}/apps/$APP.png"
done
install -D -m 0644 "resources/icons/$APP.svg" "$STAGE/usr/share/icons/hicolor/scalable/apps/$APP.svg"
install -m 0644 packaging/linux/copyright "$STAGE/usr/share/doc/$APP/copyright"
desktop-file-validate "$STAGE/usr/share/applications/$APP.desktop"
appstreamcli validate --no-net --explain "$STAGE/usr/share/metainfo/io.github.contractbatch.Manager.metainfo.xml"

step "Depends: dpkg-shlibdeps over every ELF file of the bundle"
mkdir -p "$BUILD/shlibs/debian"
printf 'Source: %s\n\nPackage: %s\nArchitecture: any\n' "$APP" "$APP" > "$BUILD/shlibs/debian/control"
mapfile -t ELFS < <(find "$STAGE/opt/$APP" -type f -exec sh -c 'file -b "$1" | grep -q "^ELF" && echo "$1"' _ {} \;)
mapfile -t LIBDIRS < <(find "$STAGE/opt/$APP" -type d -printf '-l%p\n')
SHLIBS=$(cd "$BUILD/shlibs" && dpkg-shlibdeps -O --ignore-missing-info "${LIBDIRS[@]}" "${ELFS[@]}" 2>/dev/null \
    | sed -n 's/^shlibs:Depends=//p')
# Not visible to dpkg-shlibdeps: fonts (Qt draws boxes without any) and libraries Qt opens at run time.
DEPENDS=$SHLIBS
while read -r extra; do
    case ", $DEPENDS," in *", $extra "*|*", $extra,"*) ;; *) DEPENDS="$DEPENDS, $extra" ;; esac
done < packaging/linux/depends-extra.txt

INSTALLED_KB=$(du -sk --exclude=DEBIAN "$STAGE" | cut -f1)
cat > "$STAGE/DEBIAN/control" <<EOF
Package: $APP
Version: $DEBVERSION
Architecture: amd64
Maintainer: Contract Batch Manager developers <contract-batch-manager@users.noreply.github.com>
Installed-Size: $INSTALLED_KB
Depends: $DEPENDS
Section: office
Priority: optional
Homepage: https://github.com/contractbatch/contract-batch-manager
Description: run a folder of contracts as one batch and send the report
 Drop contract files on a window, run one task per contract on local or shared
 workers, watch every task live, and send the report with its charts by email.
 .
 The package carries its own Python, Qt, Celery and Redis-compatible server
 (Valkey): it needs neither Python nor Redis on the machine.
EOF

step "dpkg-deb ($COMP)"
DEB="dist/${APP}_${DEBVERSION}_amd64.deb"
dpkg-deb --root-owner-group -Z"$COMP" --build "$STAGE" "$DEB" >/dev/null

# -- the portable archive -------------------------------------------------------------------------------
step "portable .tar.gz"
PORTABLE="$BUILD/portable/$APP-$VERSION"
rm -rf "$BUILD/portable"
mkdir -p "$PORTABLE"
cp -a "$BUNDLE/." "$PORTABLE/"
mkdir -p "$PORTABLE/share"
cp -a "$STAGE/usr/share/applications" "$STAGE/usr/share/icons" "$STAGE/usr/share/metainfo" "$PORTABLE/share/"
install -m 0644 packaging/linux/README-portable.txt "$PORTABLE/README.txt"
TARBALL="dist/$APP-$VERSION-linux-x86_64.tar.gz"
tar -C "$BUILD/portable" --owner=0 --group=0 -czf "$TARBALL" "$APP-$VERSION"

step "done"
printf '%s\n' "$DEB" "$TARBALL" > "$BUILD/outputs.txt"
du -h "$DEB" "$TARBALL"
printf 'installed size: %s KiB\n' "$INSTALLED_KB"
