"""Secrets in the OS keyring, and nowhere else: the SMTP password, a shared Redis's password, and the
generated password of local mode's server where it listens on loopback TCP (no unix sockets).

Every entry lives under the service ``contract-batch-manager``. Backends that are not a real secret store
are refused with a message that says what to install or set: ``keyring.backends.fail.Keyring`` (nothing
found), ``keyring.backends.null.Keyring`` (disabled) and ``keyrings.alt.file.PlaintextKeyring`` (a
clear-text file: it silently becomes the default on headless Linux when ``keyrings.alt`` is installed,
which is exactly what must not happen behind the user's back). When keyring chains several backends, the
unsafe ones are skipped and the best real one is used directly.
"""

from __future__ import annotations

import sys

import keyring
import keyring.errors
from keyring.backend import KeyringBackend
from keyring.backends.chainer import ChainerBackend

SERVICE = "contract-batch-manager"

# Full class paths; compared as strings so keyrings.alt need not be importable.
UNSAFE_BACKENDS = frozenset(
    {
        "keyring.backends.fail.Keyring",
        "keyring.backends.null.Keyring",
        "keyrings.alt.file.PlaintextKeyring",
    }
)


class KeyringUnavailable(RuntimeError):
    """No safe keyring, or it refused: the message says what to do (never the secret)."""


def backend_name(backend: KeyringBackend) -> str:
    cls = type(backend)
    return f"{cls.__module__}.{cls.__qualname__}"


def advice(what: str = "passwords") -> str:
    if sys.platform.startswith("linux"):
        where = (
            "install and unlock a Secret Service provider (GNOME Keyring: `apt install gnome-keyring`, or "
            "KWallet), or on a headless machine run under `dbus-run-session` with an unlocked "
            "`gnome-keyring-daemon --unlock` (see docs/reports-and-email.md)"
        )
    elif sys.platform == "darwin":
        where = "the macOS Keychain should be found automatically; check that `keyring` can reach it"
    elif sys.platform == "win32":
        where = "Windows Credential Manager should be found automatically; check that `keyring` can reach it"
    else:
        where = "install a keyring backend supported by the `keyring` package"
    return (
        f"To store {what}, {where}; or choose a backend explicitly with "
        "PYTHON_KEYRING_BACKEND (e.g. keyring.backends.SecretService.Keyring). "
        "Passwords are never stored in a plain-text file."
    )


def usable_backend(what: str = "passwords") -> KeyringBackend:
    """The backend secrets go to; raises ``KeyringUnavailable`` when there is no safe one."""
    try:
        current: KeyringBackend = keyring.get_keyring()
    except Exception as exc:  # a broken PYTHON_KEYRING_BACKEND raises anything at all
        raise KeyringUnavailable(
            f"the OS keyring could not be loaded ({type(exc).__name__}). {advice(what)}"
        ) from None
    if isinstance(current, ChainerBackend):
        safe = [b for b in current.backends if backend_name(b) not in UNSAFE_BACKENDS]
        if not safe:
            found = ", ".join(backend_name(b) for b in current.backends) or "none"
            raise KeyringUnavailable(f"no usable OS keyring (found: {found}). {advice(what)}")
        chosen: KeyringBackend = safe[0]
        return chosen
    name = backend_name(current)
    if name in UNSAFE_BACKENDS:
        raise KeyringUnavailable(f"no usable OS keyring (backend: {name}). {advice(what)}")
    return current


def failed(action: str, backend: KeyringBackend, exc: BaseException, what: str = "passwords") -> str:
    """The sentence for a backend that raised; the exception's own text is left out on purpose (backends
    are free to put anything in it)."""
    if isinstance(exc, keyring.errors.KeyringLocked):
        return f"the keyring ({backend_name(backend)}) is locked: unlock it and retry"
    return f"could not {action} the keyring ({backend_name(backend)}: {type(exc).__name__}). {advice(what)}"


def get_secret(account: str, what: str = "passwords") -> str | None:
    backend = usable_backend(what)
    try:
        return backend.get_password(SERVICE, account) or None
    except Exception as exc:
        raise KeyringUnavailable(failed("read from", backend, exc, what)) from None


def set_secret(account: str, secret: str, what: str = "passwords") -> str:
    """Store ``secret``; returns the backend's name (to tell the user where it went)."""
    if not secret:
        raise ValueError("empty secret")
    backend = usable_backend(what)
    try:
        backend.set_password(SERVICE, account, secret)
    except Exception as exc:
        raise KeyringUnavailable(failed("write to", backend, exc, what)) from None
    return backend_name(backend)
