"""Settings resolution (config file < env < options) and address validation."""

from __future__ import annotations

from pathlib import Path

import pytest

from core import config
from core.mail.addresses import parse_mailbox, parse_recipients
from core.mail.errors import InvalidAddress, SettingsError
from core.mail.settings import resolve_settings, save_settings


def test_defaults_and_ports_follow_security() -> None:
    s = resolve_settings(stored={}, environ={})
    assert (s.host, s.port, s.security) == (None, 587, "starttls")
    assert resolve_settings(stored={"security": "ssl"}, environ={}).port == 465
    assert resolve_settings(stored={"port": 465}, environ={}).security == "ssl"
    assert resolve_settings(stored={"security": "none"}, environ={}).port == 25
    assert resolve_settings(stored={"security": "starttls", "port": 2525}, environ={}).port == 2525


def test_env_overrides_config_and_options_override_env(tmp_path: Path) -> None:
    ca = tmp_path / "ca.pem"
    ca.write_text("x")
    save_settings(
        {"host": "file.example.com", "port": 587, "user": "u1", "from": "a@example.com", "to": ["x@e.com"]}
    )
    env = {
        "CONTRACT_BATCH_SMTP_HOST": "env.example.com",
        "CONTRACT_BATCH_SMTP_PORT": "2525",
        "CONTRACT_BATCH_SMTP_SECURITY": "ssl",
        "CONTRACT_BATCH_SMTP_USER": "u2",
        "CONTRACT_BATCH_SMTP_FROM": "b@example.com",
        "CONTRACT_BATCH_SMTP_TO": "one@example.com, two@example.com",
        "CONTRACT_BATCH_SMTP_CA_FILE": str(ca),
        "CONTRACT_BATCH_SMTP_PASSWORD": "never read",
    }
    s = resolve_settings(environ=env)
    assert (s.host, s.port, s.security, s.user, s.sender) == (
        "env.example.com",
        2525,
        "ssl",
        "u2",
        "b@example.com",
    )
    assert s.recipients == ("one@example.com", "two@example.com")
    assert s.ca_file == str(ca)
    assert s.sources["host"] == "env" and "password" not in s.public_dict()
    s = resolve_settings({"to": ["opt@example.com"]}, environ=env)
    assert s.recipients == ("opt@example.com",) and s.sources["to"] == "option"


def test_invalid_settings_are_refused(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="security"):
        resolve_settings(stored={"security": "tls"}, environ={})
    with pytest.raises(SettingsError, match="port"):
        resolve_settings(stored={"port": "99999"}, environ={})
    with pytest.raises(SettingsError, match="CA file"):
        resolve_settings(stored={"ca_file": str(tmp_path / "missing.pem")}, environ={})
    with pytest.raises(SettingsError, match="host"):
        resolve_settings(stored={"host": "smtp.example.com\r\nX: y"}, environ={})


def test_password_never_reaches_the_config_file() -> None:
    with pytest.raises(ValueError, match="secrets"):
        save_settings({"host": "h", "password": "pw"})
    save_settings({"host": "smtp.example.com", "user": "u"})
    assert "pw" not in config.config_path().read_text()


@pytest.mark.parametrize(
    "bad",
    [
        "a@example.com\r\nBcc: victim@example.com",
        "a@example.com\nRCPT TO:<x@y.com>",
        "a@example.com\x00",
        "a@example.com, b@example.com",
        "not-an-address",
        "a@@example.com",
        "a@exa mple.com",
        "a@-example.com",
        "",
        ".a@example.com",
    ],
)
def test_malformed_addresses_refused(bad: str) -> None:
    with pytest.raises(InvalidAddress):
        parse_mailbox(bad)


def test_addresses_accepted_and_normalised() -> None:
    box = parse_mailbox('"Doe, Jane" <jane@example.com>')
    assert box.addr_spec == "jane@example.com" and box.display_name == "Doe, Jane"
    assert parse_mailbox("a@bücher.de").addr_spec == "a@xn--bcher-kva.de"
    boxes = parse_recipients(["a@example.com", "A@Example.com", "b@example.com"])
    assert [b.addr_spec for b in boxes] == ["a@example.com", "b@example.com"]


def test_a_user_name_with_cr_lf_is_refused() -> None:
    with pytest.raises(SettingsError, match="control characters"):
        resolve_settings(options={"host": "smtp.example.com", "user": "me\r\nBcc: evil@example.com"},
                         stored={}, environ={})


def test_an_error_quotes_a_huge_address_briefly() -> None:
    huge = "a" * 100_000 + "@example.com"
    with pytest.raises(InvalidAddress) as info:
        parse_mailbox(huge, what="sender")
    assert len(str(info.value)) < 200 and "100,012 characters" in str(info.value)
