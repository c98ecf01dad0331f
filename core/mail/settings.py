"""Email settings: the user config file's ``email`` section, overridden by ``CONTRACT_BATCH_SMTP_*``
environment variables, overridden by command-line options. Never a password: that lives in the OS keyring
(``core.mail.secrets``); ``CONTRACT_BATCH_SMTP_PASSWORD`` is deliberately not read.

Config file keys (``core.config.load_section("email")``): ``host``, ``port``, ``security``
(``ssl`` | ``starttls`` | ``none``), ``user``, ``from``, ``to`` (list), ``ca_file``, ``timeout``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core import config
from core.mail.addresses import Mailbox, parse_mailbox, parse_recipients, shown
from core.mail.errors import SettingsError

SECTION = "email"
ENV_PREFIX = "CONTRACT_BATCH_SMTP_"
SECURITY_CHOICES: tuple[str, ...] = ("ssl", "starttls", "none")
DEFAULT_PORTS: dict[str, int] = {"ssl": 465, "starttls": 587, "none": 25}
DEFAULT_SECURITY = "starttls"
DEFAULT_TIMEOUT_S = 30.0
# Env var suffix -> settings key.
ENV_KEYS: dict[str, str] = {
    "HOST": "host",
    "PORT": "port",
    "SECURITY": "security",
    "USER": "user",
    "FROM": "from",
    "TO": "to",
    "CA_FILE": "ca_file",
}


@dataclass(frozen=True, slots=True)
class EmailSettings:
    host: str | None = None
    port: int = DEFAULT_PORTS[DEFAULT_SECURITY]
    security: str = DEFAULT_SECURITY
    user: str | None = None
    sender: str | None = None
    recipients: tuple[str, ...] = ()
    ca_file: str | None = None
    timeout_s: float = DEFAULT_TIMEOUT_S
    sources: Mapping[str, str] = field(default_factory=dict)  # key -> "config" | "env" | "option" | "default"

    @property
    def encrypted(self) -> bool:
        return self.security != "none"

    def sender_mailbox(self) -> Mailbox:
        if not self.sender:
            raise SettingsError("no sender (From) address", field="from",
                                cli_hint="set one with `contract-batch email-setup --from ADDR`")
        return parse_mailbox(self.sender, what="sender")

    def recipient_mailboxes(self) -> tuple[Mailbox, ...]:
        if not self.recipients:
            raise SettingsError(
                "no recipients (To)", field="to",
                cli_hint="pass --to ADDR or store some with `contract-batch email-setup --to`",
            )
        return parse_recipients(self.recipients)

    def require_server(self) -> None:
        if not self.host:
            raise SettingsError(
                "no SMTP server (host) is set", field="host",
                cli_hint=f"run `contract-batch email-setup --host HOST ...` or set {ENV_PREFIX}HOST",
            )

    def public_dict(self) -> dict[str, Any]:
        """What ``email-setup`` shows and stores (the file's key names)."""
        return {
            "host": self.host,
            "port": self.port,
            "security": self.security,
            "user": self.user,
            "from": self.sender,
            "to": list(self.recipients),
            "ca_file": self.ca_file,
            "timeout": self.timeout_s,
        }


def _split_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    if isinstance(value, Sequence):
        return [str(v).strip() for v in value if str(v).strip()]
    raise SettingsError(f"recipients must be a list of addresses, not {type(value).__name__}", field="to")


def _port(value: Any) -> int:
    try:
        port = int(value)
    except (TypeError, ValueError):
        raise SettingsError(f"SMTP port {value!r} is not a number", field="port") from None
    if not 0 < port < 65536:
        raise SettingsError(f"SMTP port {port} is out of range (1-65535)", field="port")
    return port


def env_overrides(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    env = os.environ if environ is None else environ
    out: dict[str, Any] = {}
    for suffix, key in ENV_KEYS.items():
        value = env.get(ENV_PREFIX + suffix)
        if value is not None and value.strip():
            out[key] = value.strip()
    return out


def resolve_settings(
    options: Mapping[str, Any] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    stored: Mapping[str, Any] | None = None,
) -> EmailSettings:
    """The effective settings: ``options`` (non-None values) > env > config file > defaults."""
    layers: list[tuple[str, Mapping[str, Any]]] = [
        ("config", config.load_section(SECTION) if stored is None else stored),
        ("env", env_overrides(environ)),
        ("option", {k: v for k, v in (options or {}).items() if v is not None and v not in ((), [])}),
    ]
    merged: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for source, layer in layers:
        for key, value in layer.items():
            if value is None or value == "":
                continue
            merged[key] = value
            sources[key] = source

    default_security = DEFAULT_SECURITY
    if "security" not in merged and "port" in merged and str(merged["port"]).strip() == "465":
        default_security = "ssl"  # 465 is the implicit-TLS port (RFC 8314); STARTTLS there never works
    security = str(merged.get("security") or default_security).strip().lower()
    if security not in SECURITY_CHOICES:
        raise SettingsError(f"SMTP security {security!r} is not one of {', '.join(SECURITY_CHOICES)}",
                            field="security")
    # The port follows the security mode unless it was set: --security ssl alone means port 465.
    port = _port(merged["port"]) if "port" in merged else DEFAULT_PORTS[security]
    ca_file = str(merged["ca_file"]) if merged.get("ca_file") else None
    if ca_file is not None and not Path(ca_file).expanduser().is_file():
        raise SettingsError(f"CA file {ca_file} does not exist or is not a file", field="ca_file")
    try:
        timeout = float(merged.get("timeout", DEFAULT_TIMEOUT_S))
    except (TypeError, ValueError):
        raise SettingsError(f"timeout {merged.get('timeout')!r} is not a number of seconds") from None
    host = str(merged["host"]).strip() if merged.get("host") else None
    if host and (len(host) > 253 or any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in host)):
        raise SettingsError(f"SMTP host {shown(host)} is too long or has whitespace or control characters",
                            field="host")
    user = str(merged["user"]).strip() if merged.get("user") else None
    # A user name travels in the SMTP AUTH exchange: a CR/LF there would end the command early.
    if user and (len(user) > 256 or any(ord(c) < 32 or ord(c) == 127 for c in user)):
        raise SettingsError(f"SMTP user {shown(user)} is too long or contains control characters (CR/LF)",
                            field="user")
    return EmailSettings(
        host=host,
        port=port,
        security=security,
        user=user,
        sender=str(merged["from"]).strip() if merged.get("from") else None,
        recipients=tuple(_split_list(merged.get("to"))),
        ca_file=str(Path(ca_file).expanduser()) if ca_file else None,
        timeout_s=timeout if timeout > 0 else DEFAULT_TIMEOUT_S,
        sources={
            k: sources.get(k, "default")
            for k in ("host", "port", "security", "user", "from", "to", "ca_file")
        },
    )


def save_settings(values: Mapping[str, Any]) -> None:
    """Store the ``email`` section (validated first; ``core.config`` refuses secret keys itself)."""
    clean = {k: v for k, v in values.items() if v not in (None, "", [])}
    resolve_settings(stored=clean, environ={})  # raises SettingsError on anything invalid
    if "to" in clean:
        parse_recipients(_split_list(clean["to"]))
    if "from" in clean:
        parse_mailbox(str(clean["from"]), what="sender")
    config.save_section(SECTION, clean)


def stored_settings() -> dict[str, Any]:
    return config.load_section(SECTION)
