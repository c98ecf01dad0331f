#!/usr/bin/env bash
# Check the Linux packages as a user would meet them, on Debian/Ubuntu as root (CI runs it after build.sh):
#
#   packaging/linux/check.sh [DEB [TARBALL]]     (default: what build.sh wrote last)
#
# 1. install the .deb with apt (its Depends resolved), validate the installed menu entry and metadata,
#    and find no library missing for any file of the bundle (ldd);
# 2. as a freshly created unprivileged user whose PATH has no redis-server: --version, --self-test, a
#    `run --wait` of the sample contracts (on the bundled server), a processor from the plugin folder;
#    then that user has no process left;
# 3. the portable archive, unpacked elsewhere, runs its self-test too;
# 4. upgrade: local mode started by version N, the package N+1 installed over it, a batch run: every
#    contract ran on a worker of N+1;
# 5. a system redis-server that the app starts gets the system's libraries, not the bundle's;
# 6. dpkg --purge leaves nothing under /opt, in the menus or the icons.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
APP=contract-batch-manager
if [ $# -ge 1 ]; then DEB=$1; else DEB=$(sed -n 1p build/linux/outputs.txt); fi
if [ $# -ge 2 ]; then TARBALL=$2; else TARBALL=$(sed -n 2p build/linux/outputs.txt); fi
DEB=$(realpath "$DEB"); TARBALL=$(realpath "$TARBALL")
export DEBIAN_FRONTEND=noninteractive
WORK=$(mktemp -d /tmp/cbm-check.XXXXXX)
chmod 755 "$WORK"
CHECK_USER="cbmcheck$$"
step() { printf '[check %4ds] %s\n' "$SECONDS" "$*"; }
fail() { echo "CHECK FAILED: $*" >&2; exit 1; }

cleanup() {
    pkill -KILL -u "$CHECK_USER" 2>/dev/null || true
    userdel -r "$CHECK_USER" >/dev/null 2>&1 || true
    dpkg --purge "$APP" >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT

# Commands run as the new user: a login-less shell with a PATH of our own, without /usr/bin, so that the
# machine's redis-server (CI machines have one) cannot be found, only the product's own commands.
BIN="$WORK/bin"
mkdir -p "$BIN"
ln -s /usr/bin/contract-batch "$BIN/contract-batch"
ln -s /usr/bin/contract-batch-gui "$BIN/contract-batch-gui"
as_user() {
    runuser -u "$CHECK_USER" -- /usr/bin/env -i HOME="/home/$CHECK_USER" USER="$CHECK_USER" \
        PATH="$BIN" LANG=C.UTF-8 "$@"
}
no_process_left() {
    local i
    for i in $(seq 1 100); do
        pgrep -u "$CHECK_USER" >/dev/null || return 0
        sleep 0.2
    done
    ps -u "$CHECK_USER" -o pid,args >&2 || true
    fail "$1: processes of $CHECK_USER are left"
}

step "install $(basename "$DEB") with apt"
apt-get install -y -qq "$DEB" >/dev/null
[ -x /opt/$APP/$APP ] || fail "no /opt/$APP/$APP"
desktop-file-validate /usr/share/applications/$APP.desktop
appstreamcli validate --no-net /usr/share/metainfo/io.github.contractbatch.Manager.metainfo.xml >/dev/null
for size in 16x16 32x32 48x48 64x64 128x128 256x256; do
    [ -f "/usr/share/icons/hicolor/$size/apps/$APP.png" ] || fail "no $size icon"
done
[ -f /usr/share/icons/hicolor/scalable/apps/$APP.svg ] || fail "no scalable icon"
step "every library of the bundle resolves (ldd)"
missing=$(find /opt/$APP -type f \( -name '*.so*' -o -name "$APP" -o -name valkey-server \) -print0 \
    | xargs -0 ldd 2>/dev/null | grep 'not found' | sort -u || true)
[ -z "$missing" ] || fail "libraries not found: $missing"
[ -f /opt/$APP/THIRD-PARTY-NOTICES.txt ] && grep -q "LGPL-3.0" /opt/$APP/THIRD-PARTY-NOTICES.txt \
    || fail "no third-party notices"

step "a fresh unprivileged user, no redis-server on PATH"
useradd --create-home --shell /usr/sbin/nologin "$CHECK_USER"
if as_user /bin/sh -c 'command -v redis-server valkey-server' >/dev/null; then
    fail "a redis-server is on the check user's PATH"
fi
version=$(as_user contract-batch --version)
gui_version=$(as_user contract-batch-gui --version)
deb_version=$(dpkg-query -W -f '${Version}' $APP)
echo "$version / $gui_version / package $deb_version"
[ "${version##* }" = "${gui_version##* }" ] || fail "the CLI and the GUI disagree on the version"

step "self-test of the installed app"
start=$SECONDS
as_user contract-batch-gui --self-test --timeout 180 || fail "self-test"
echo "self-test: $((SECONDS - start)) s"
no_process_left "after the self-test"

step "run --wait of the sample contracts"
SAMPLES=/opt/$APP/_internal/resources/samples
as_user contract-batch run "$SAMPLES" --wait --json > "$WORK/report.json" 2>"$WORK/run.err" \
    || { cat "$WORK/run.err"; fail "run --wait"; }
python3 - "$WORK/report.json" <<'EOF'
import json, sys
report = json.load(open(sys.argv[1]))
counts = report["counts"]
print("report:", counts)
assert counts["succeeded"] >= 7 and counts["failed"] == 0 and counts["lost"] == 0, counts
EOF
server=$(as_user /bin/cat "/home/$CHECK_USER/.local/share/$APP/local/redis/server.json")
echo "server: $server"
case "$server" in *"/opt/$APP/_internal/server/valkey-server"*) ;; *) fail "not the bundled server" ;; esac
no_process_left "after run --wait"

step "a processor from the plugin folder"
PLUGINS="/home/$CHECK_USER/.local/share/$APP/plugins"
install -d -o "$CHECK_USER" "$PLUGINS"
cat > "$PLUGINS/check_plugin.py" <<'EOF'
def process(contract):
    return {"plugin": "check_plugin", "bytes": len(contract.data)}
EOF
chown "$CHECK_USER" "$PLUGINS/check_plugin.py"
as_user CONTRACT_BATCH_PROCESSOR=check_plugin:process contract-batch run "$SAMPLES/contract-003.txt" \
    --wait --json > "$WORK/plugin.json" 2>"$WORK/plugin.err" || { cat "$WORK/plugin.err"; fail "plugin run"; }
grep -q '"plugin": "check_plugin"' "$WORK/plugin.json" || fail "the plugin processor did not run"
no_process_left "after the plugin run"

step "the portable archive, unpacked elsewhere"
PORTABLE="$WORK/portable"
install -d -o "$CHECK_USER" "$PORTABLE"
as_user /bin/tar -C "$PORTABLE" --use-compress-program=/bin/gzip -xf "$TARBALL"
TOP=$(ls "$PORTABLE")
as_user "$PORTABLE/$TOP/contract-batch" --version
as_user XDG_DATA_HOME="$PORTABLE/data" "$PORTABLE/$TOP/contract-batch-gui" --self-test --timeout 180 \
    || fail "portable self-test"
no_process_left "after the portable self-test"

step "upgrade: version N's local mode, N+1 installed over it, a batch"
as_user contract-batch local start
old_workers=$(as_user /bin/cat "/home/$CHECK_USER/.local/share/$APP/local/workers.pids")
echo "version N workers: $old_workers"
NEXT="$deb_version+check1"
"$ROOT/packaging/linux/next-version.sh" "$DEB" "$NEXT" "$WORK/next.deb"
dpkg -i "$WORK/next.deb" >/dev/null
as_user contract-batch --version | grep -q "$NEXT" || fail "N+1 is not the installed version"
as_user contract-batch run "$SAMPLES" --wait --json > "$WORK/upgrade.json" 2>"$WORK/upgrade.err" \
    || { cat "$WORK/upgrade.err"; fail "run after the upgrade"; }
LOG="/home/$CHECK_USER/.local/share/$APP/local/logs/worker.log"
python3 - "$WORK/upgrade.json" "$old_workers" "$NEXT" "$LOG" <<'EOF'
import json, os, re, sys
report, old, nxt = json.load(open(sys.argv[1])), json.loads(sys.argv[2]), sys.argv[3]
builds = {int(pid): build for build, pid in
          re.findall(r"Contract Batch Manager (\S+): worker pid (\d+)", open(sys.argv[4], errors="replace").read())}
old_pids = {w["pid"] for w in old}
ran = [c for c in report["contracts"] if c["outcome"] == "succeeded"]
assert ran and report["counts"]["failed"] == 0, report["counts"]
pids = {int(c["worker"].split("@")[0].removeprefix("cb")) for c in ran}
assert not pids & old_pids, (pids, old_pids)
for pid in old_pids:  # version N's worker was stopped, not left running beside the new one
    assert not os.path.exists(f"/proc/{pid}"), f"worker {pid} of version N still runs"
assert all(builds.get(pid, "").startswith(nxt + "+") for pid in pids), (pids, builds)
print(f"{len(ran)} contracts succeeded on worker(s) {sorted(pids)} of {nxt}; version N's {sorted(old_pids)} stopped")
EOF
as_user contract-batch local stop
no_process_left "after local stop"

step "a system redis-server started by the app does not get the bundle's libraries"
[ -x /usr/bin/redis-server ] || fail "this check needs Debian's redis-server (apt-get install redis-server)"
SYSDATA="/home/$CHECK_USER/system-server-data"
as_user CONTRACT_BATCH_REDIS_SERVER=/usr/bin/redis-server XDG_DATA_HOME="$SYSDATA" contract-batch local start
pid=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[0]["pid"])' \
    "$SYSDATA/$APP/local/redis.pids")
if tr '\0' '\n' < "/proc/$pid/environ" | grep -q "^LD_LIBRARY_PATH=.*/opt/$APP"; then
    fail "the system redis-server inherited the bundle's LD_LIBRARY_PATH"
fi
if grep -q "/opt/$APP" "/proc/$pid/maps"; then fail "the system redis-server loaded a library of the bundle"; fi
echo "system redis-server (pid $pid) runs on the system's libraries"
as_user XDG_DATA_HOME="$SYSDATA" contract-batch local stop
no_process_left "after the system server"

step "purge"
dpkg --purge "$APP" >/dev/null
for path in /opt/$APP /usr/bin/contract-batch /usr/bin/contract-batch-gui /usr/share/applications/$APP.desktop \
    /usr/share/metainfo/io.github.contractbatch.Manager.metainfo.xml /usr/share/doc/$APP; do
    [ ! -e "$path" ] && [ ! -L "$path" ] || fail "$path is left after purge"
done
left=$(find /usr/share/icons -name "$APP.*" | head -1)
[ -z "$left" ] || fail "icons left after purge: $left"
step "all checks passed"
