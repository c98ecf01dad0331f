"""The SMTP password in the OS keyring, and nowhere else.

Entry: service ``contract-batch-manager``, user name ``smtp:<user>@<host>`` (one entry per account and
server, so changing servers never sends one server's password to another). Inspect it with e.g.
``keyring get contract-batch-manager smtp:alice@smtp.example.com`` or the desktop's password manager.

Backends that are not a real secret store are refused with a message that says what to install or set:
``keyring.backends.fail.Keyring`` (nothing found), ``keyring.backends.null.Keyring`` (disabled) and
``keyrings.alt.file.PlaintextKeyring`` (a clear-text file: it silently becomes the default on headless
Linux when ``keyrings.alt`` is installed, which is exactly what must not happen behind the user's back).
When keyring chains several backends, the unsafe ones are skipped and the best real one is used directly.
"""

from __future__ import annotations

import sys

import keyring
import keyring.errors
from keyring.backend import KeyringBackend
from keyring.backends.chainer import ChainerBackend

from core.mail.errors import KeyringUnavailable, NoPasswordStored

SERVICE = "contract-batch-manager"

# Full class paths; compared as strings so keyrings.alt need not be importable.
UNSAFE_BACKENDS = frozenset(
    {
        "keyring.backends.fail.Keyring",
        "keyring.backends.null.Keyring",
        "keyrings.alt.file.PlaintextKeyring",
    }
)


def account(user: str, host: str) -> str:
    return f"smtp:{user}@{host}"


def backend_name(backend: KeyringBackend) -> str:
    cls = type(backend)
    return f"{cls.__module__}.{cls.__qualname__}"


def _advice() -> str:
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
        f"To store the SMTP password, {where}; or choose a backend explicitly with "
        "PYTHON_KEYRING_BACKEND (e.g. keyring.backends.SecretService.Keyring). "
        "The password is never stored in a plain-text file."
    )


def usable_backend() -> KeyringBackend:
    """The keyring backend the password goes to; raises ``KeyringUnavailable`` when there is no safe one."""
    try:
        current = keyring.get_keyring()
    except Exception as exc:  # a broken PYTHON_KEYRING_BACKEND raises anything at all
        raise KeyringUnavailable(
            f"the OS keyring could not be loaded ({type(exc).__name__}). {_advice()}"
        ) from None
    if isinstance(current, ChainerBackend):
        safe = [b for b in current.backends if backend_name(b) not in UNSAFE_BACKENDS]
        if not safe:
            found = ", ".join(backend_name(b) for b in current.backends) or "none"
            raise KeyringUnavailable(f"no usable OS keyring (found: {found}). {_advice()}")
        return safe[0]
    name = backend_name(current)
    if name in UNSAFE_BACKENDS:
        raise KeyringUnavailable(f"no usable OS keyring (backend: {name}). {_advice()}")
    return current


def _failed(action: str, backend: KeyringBackend, exc: BaseException) -> KeyringUnavailable:
    # The exception's own text is left out on purpose: backends are free to put anything in it.
    kind = type(exc).__name__
    if isinstance(exc, keyring.errors.KeyringLocked):
        return KeyringUnavailable(f"the keyring ({backend_name(backend)}) is locked: unlock it and retry")
    return KeyringUnavailable(
        f"could not {action} the keyring ({backend_name(backend)}: {kind}). {_advice()}"
    )


def store_password(user: str, host: str, password: str) -> str:
    """Store the password; returns the backend's name (to tell the user where it went)."""
    if not password:
        raise ValueError("empty password")
    backend = usable_backend()
    try:
        backend.set_password(SERVICE, account(user, host), password)
    except Exception as exc:
        raise _failed("write to", backend, exc) from None
    return backend_name(backend)


def get_password(user: str, host: str) -> str:
    backend = usable_backend()
    try:
        password = backend.get_password(SERVICE, account(user, host))
    except Exception as exc:
        raise _failed("read from", backend, exc) from None
    if not password:
        raise NoPasswordStored(
            f"no SMTP password stored for {user} on {host} (keyring entry {SERVICE!r} / "
            f"{account(user, host)!r} in {backend_name(backend)}): run "
            "`contract-batch email-setup --password-stdin` or `contract-batch email-setup` on a terminal"
        )
    return password


def has_password(user: str, host: str) -> bool:
    try:
        get_password(user, host)
    except NoPasswordStored:
        return False
    return True


def delete_password(user: str, host: str) -> bool:
    backend = usable_backend()
    try:
        backend.delete_password(SERVICE, account(user, host))
    except keyring.errors.PasswordDeleteError:
        return False
    except Exception as exc:
        raise _failed("delete from", backend, exc) from None
    return True
