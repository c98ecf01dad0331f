"""The password lives in the keyring only; unusable backends are refused with advice, never worked around."""

from __future__ import annotations

import os
import shutil
import uuid

import keyring
import pytest
from keyring.backends import fail, null

from core.mail import secrets
from core.mail.errors import KeyringUnavailable, NoPasswordStored
from tests.mail.memory_keyring import MemoryKeyring


def test_store_and_read(memory_keyring: MemoryKeyring) -> None:
    backend = secrets.store_password("alice", "smtp.example.com", "s3cret")
    assert backend.endswith("MemoryKeyring")
    assert memory_keyring.entries == {("contract-batch-manager", "smtp:alice@smtp.example.com"): "s3cret"}
    assert secrets.get_password("alice", "smtp.example.com") == "s3cret"
    assert secrets.delete_password("alice", "smtp.example.com")
    with pytest.raises(NoPasswordStored, match="email-setup") as info:
        secrets.get_password("alice", "smtp.example.com")
    assert "s3cret" not in str(info.value)


@pytest.mark.parametrize("backend", [fail.Keyring(), null.Keyring()], ids=["fail", "null"])
def test_no_real_keyring_is_refused_with_advice(backend: object) -> None:
    keyring.set_keyring(backend)  # the autouse fixture restores the previous one
    with pytest.raises(KeyringUnavailable) as info:
        secrets.store_password("alice", "h", "pw")
    message = str(info.value)
    assert "PYTHON_KEYRING_BACKEND" in message
    assert "gnome-keyring" in message or "Keychain" in message or "Credential Manager" in message
    with pytest.raises(KeyringUnavailable):
        secrets.get_password("alice", "h")


class PlaintextKeyring(MemoryKeyring):
    """Stands in for keyrings.alt's PlaintextKeyring (refused by its class path, not its behaviour)."""


PlaintextKeyring.__module__ = "keyrings.alt.file"


def test_plaintext_backend_is_refused() -> None:
    keyring.set_keyring(PlaintextKeyring())
    with pytest.raises(KeyringUnavailable, match=r"keyrings\.alt\.file\.PlaintextKeyring"):
        secrets.store_password("alice", "h", "pw")


def test_chainer_skips_unsafe_backends(monkeypatch: pytest.MonkeyPatch) -> None:
    from keyring.backends.chainer import ChainerBackend

    plain, real = PlaintextKeyring(), MemoryKeyring()
    monkeypatch.setattr(ChainerBackend, "backends", [plain, real])
    keyring.set_keyring(ChainerBackend())
    secrets.store_password("alice", "h", "pw")
    assert plain.entries == {} and real.entries  # never written to the clear-text one

    monkeypatch.setattr(ChainerBackend, "backends", [plain])
    with pytest.raises(KeyringUnavailable, match="PlaintextKeyring"):
        secrets.store_password("alice", "h", "pw")


def _secret_service_available() -> str | None:
    """None when a real, unlocked Secret Service answers; else why not (the skip reason)."""
    if not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        return "no D-Bus session (run under dbus-run-session with gnome-keyring-daemon --unlock)"
    if shutil.which("gnome-keyring-daemon") is None:
        return "gnome-keyring is not installed"
    try:
        from keyring.backends import SecretService

        backend = SecretService.Keyring()
        if backend.priority <= 0:
            return "the Secret Service backend is not usable here"
        backend.set_password("contract-batch-manager-probe", "probe", "x")
        backend.delete_password("contract-batch-manager-probe", "probe")
    except Exception as exc:
        return f"Secret Service not usable ({type(exc).__name__}: locked, or no daemon)"
    return None


def test_real_secret_service_round_trip(secret_service: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Against gnome-keyring over a private D-Bus session that the test suite starts itself."""
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", secret_service)
    # The fixture skips (with its reason) where the daemons are missing; where they exist, this must work.
    assert _secret_service_available() is None
    from keyring.backends import SecretService

    previous = keyring.get_keyring()
    keyring.set_keyring(SecretService.Keyring())
    user, host = f"test-{uuid.uuid4().hex[:8]}", "smtp.example.com"
    try:
        backend = secrets.store_password(user, host, "from the real keyring")
        assert backend == "keyring.backends.SecretService.Keyring"
        assert secrets.get_password(user, host) == "from the real keyring"
        secrets.delete_password(user, host)
        with pytest.raises(NoPasswordStored):
            secrets.get_password(user, host)
    finally:
        keyring.set_keyring(previous)
