"""Which Redis to talk to.

``--broker``, else ``CONTRACT_BATCH_BROKER``, else the settings file, else local mode.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import redis

from core.config import load_section

BROKER_ENV = "CONTRACT_BATCH_BROKER"
KEYRING_SERVICE = "contract-batch-manager"


class BrokerUnavailable(RuntimeError):
    """The broker cannot be reached; the message says where and why, never a password."""


class InvalidBrokerUrl(BrokerUnavailable):
    """The URL itself is wrong (a port that is not a number, an unknown option): bad usage."""


_SCHEMES = ("redis", "rediss", "redis+socket", "unix", "socket")
_MAX_URL_CHARS = 2048


def validate_url(url: str) -> str:
    """``url`` if Redis and kombu can use it, else ``InvalidBrokerUrl`` saying why in one line."""
    shown = mask(url[:200]) + ("..." if len(url) > 200 else "")
    if len(url) > _MAX_URL_CHARS or not url.isprintable():
        raise InvalidBrokerUrl(f"not a valid Redis URL: {shown!r} (too long, or control characters)")
    parts = urlsplit(url)
    if parts.scheme not in _SCHEMES:
        raise InvalidBrokerUrl(f"not a Redis URL: {shown!r} (expected redis://host:port/db)")
    try:
        parts.port  # noqa: B018 - raises for a port that is not a number or out of range
        if parts.scheme in ("redis", "rediss"):
            redis.connection.parse_url(url)  # type: ignore[no-untyped-call]  # redis-py reads the options
    except ValueError as exc:
        raise InvalidBrokerUrl(f"not a valid Redis URL: {shown!r}: {scrub(str(exc))}") from None
    return url


@dataclass(frozen=True, slots=True)
class BrokerChoice:
    url: str | None  # None means local mode
    source: str  # "option", "env", "config" or "local"

    @property
    def local(self) -> bool:
        return self.url is None


def resolve_broker(option: str | None) -> BrokerChoice:
    """Where to connect; ``InvalidBrokerUrl`` for a URL that cannot work, whichever source gave it."""
    if option:
        return BrokerChoice(with_keyring_password(validate_url(option)), "option")
    env = os.environ.get(BROKER_ENV, "").strip()
    if env:
        return BrokerChoice(with_keyring_password(validate_url(env)), "env")
    configured = str(load_section("broker").get("url") or "").strip()
    if configured and configured != "local":
        return BrokerChoice(with_keyring_password(validate_url(configured)), "config")
    return BrokerChoice(None, "local")


def redis_password_user(url: str) -> str:
    parts = urlsplit(url)
    return f"redis:{parts.hostname}:{parts.port or 6379}"


def with_keyring_password(url: str) -> str:
    """Add the Redis password from the OS keyring when the settings say it lives there."""
    parts = urlsplit(url)
    if parts.password or parts.scheme not in ("redis", "rediss"):
        return url
    broker_cfg = load_section("broker")
    if not broker_cfg.get("password_in_keyring") or str(broker_cfg.get("url")) != url:
        return url
    try:
        import keyring
        import keyring.errors

        password = keyring.get_password(KEYRING_SERVICE, redis_password_user(url))
    except Exception:
        # No usable keyring: connect without a password and let Redis say NOAUTH, which we report.
        return url
    if not password:
        return url
    user = parts.username or ""
    netloc = f"{user}:{password}@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def mask(url: str) -> str:
    """The URL as it may be shown or logged: the password replaced by ***."""
    parts = urlsplit(url)
    if not parts.password:
        return url
    # host[:port] as written: a port that is not a number must not turn masking into an exception.
    netloc = f"{parts.username or ''}:***@{parts.netloc.rpartition('@')[2]}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


_URL_PASSWORD = re.compile(r"(\b[a-z][a-z0-9+.-]*://[^\s:@/]*:)[^\s@]+@", re.IGNORECASE)


def scrub(text: str) -> str:
    """Any URL's password in free text (an exception's message) replaced by ***."""
    return _URL_PASSWORD.sub(r"\1***@", text)


def redis_client(url: str, timeout: float = 5.0) -> redis.Redis:
    parts = urlsplit(url)
    if parts.scheme in ("redis+socket", "socket", "unix"):
        query = dict(p.split("=", 1) for p in parts.query.split("&") if "=" in p)
        return redis.Redis(
            unix_socket_path=parts.path,
            db=int(query.get("virtual_host", query.get("db", 0))),
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
        )
    return redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)


def check_reachable(url: str, timeout: float = 3.0) -> None:
    client = redis_client(url, timeout)
    try:
        client.ping()
    except redis.AuthenticationError as exc:
        raise BrokerUnavailable(f"Redis at {mask(url)} refused the password: {scrub(str(exc))}") from None
    except redis.ResponseError as exc:
        raise BrokerUnavailable(f"Redis at {mask(url)} answered with an error: {scrub(str(exc))}") from None
    except (redis.ConnectionError, redis.TimeoutError, OSError) as exc:
        raise BrokerUnavailable(f"cannot reach Redis at {mask(url)}: {scrub(str(exc))}") from None
    finally:
        client.close()
