#!/usr/bin/env bash
# Repack a built .deb as a later version, for the upgrade check: the package's version and the app's own
# (its distribution metadata, which `--version` and the workers' identity read) both become NEW_VERSION.
#   packaging/linux/next-version.sh IN.deb NEW_VERSION OUT.deb
set -euo pipefail
IN=$1 NEW=$2 OUT=$3
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
dpkg-deb -R "$IN" "$TMP/pkg"
sed -i "s/^Version: .*/Version: $NEW/" "$TMP/pkg/DEBIAN/control"
meta=$(find "$TMP/pkg/opt" -path '*contract_batch_manager-*.dist-info/METADATA')
sed -i "s/^Version: .*/Version: $NEW/" "$meta"
dpkg-deb --root-owner-group -Zzstd --build "$TMP/pkg" "$OUT" >/dev/null
