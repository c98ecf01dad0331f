"""The SMTP password in the OS keyring, and nowhere else (``core.keyring_store`` says which keyrings are
safe to use).

Entry: service ``contract-batch-manager``, user name ``smtp:<user>@<host>`` (one entry per account and
server, so changing servers never sends one server's password to another). Inspect it with e.g.
``keyring get contract-batch-manager smtp:alice@smtp.example.com`` or the desktop's password manager.
"""

from __future__ import annotations

import keyring.errors
from keyring.backend import KeyringBackend

from core import keyring_store
from core.keyring_store import SERVICE, backend_name
from core.mail.errors import KeyringUnavailable, NoPasswordStored

_WHAT = "the SMTP password"


def account(user: str, host: str) -> str:
    return f"smtp:{user}@{host}"


def usable_backend() -> KeyringBackend:
    """The keyring backend the password goes to; raises ``KeyringUnavailable`` when there is no safe one."""
    try:
        return keyring_store.usable_backend(_WHAT)
    except keyring_store.KeyringUnavailable as exc:
        raise KeyringUnavailable(str(exc)) from None


def _failed(action: str, backend: KeyringBackend, exc: BaseException) -> KeyringUnavailable:
    return KeyringUnavailable(keyring_store.failed(action, backend, exc, _WHAT))


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
