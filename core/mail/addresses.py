"""Email address validation: every address is checked before any connection is made.

Accepted: ``user@example.com`` and ``Display Name <user@example.com>``. Refused: anything with a control
character (CR/LF would let an address inject headers or SMTP commands), more than one address in one
value, an addr-spec without exactly one ``@``, or a domain that is not a valid host name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.headerregistry import Address
from email.policy import default as default_policy
from email.utils import formataddr

from core.mail.errors import InvalidAddress

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_LOCAL = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+$")
_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")


@dataclass(frozen=True, slots=True)
class Mailbox:
    display_name: str
    addr_spec: str  # what goes into MAIL FROM / RCPT TO

    def header(self) -> str:
        return formataddr((self.display_name, self.addr_spec)) if self.display_name else self.addr_spec

    def __str__(self) -> str:
        return self.header()


def _valid_domain(domain: str) -> bool:
    try:
        ascii_domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        return False
    labels = ascii_domain.rstrip(".").split(".")
    return len(ascii_domain) <= 253 and all(_LABEL.match(label) for label in labels) and bool(labels[0])


MAX_ADDRESS_CHARS = 320  # RFC 5321: 64 for the local part, 255 for the domain, and the "@"


def shown(value: str, limit: int = 60) -> str:
    """A value as an error message quotes it: its start, and how long it was when that is not all."""
    return repr(value) if len(value) <= limit else f"{value[:limit]!r}... ({len(value):,} characters)"


_FIELD_OF = {"sender": "from", "recipient": "to"}  # the setting a bad address was read from


def parse_mailbox(value: str, *, what: str = "address") -> Mailbox:
    """One address, validated; raises ``InvalidAddress`` naming ``what`` ("recipient", "sender")."""
    try:
        return _parse_mailbox(value, what)
    except InvalidAddress as exc:
        exc.field = exc.field or _FIELD_OF.get(what)
        raise


def _parse_mailbox(value: str, what: str) -> Mailbox:
    if not isinstance(value, str) or not value.strip():
        raise InvalidAddress(f"empty {what}")
    if len(value) > MAX_ADDRESS_CHARS + 200:  # room for a display name
        raise InvalidAddress(f"{what} {shown(value)} is too long to be an email address")
    if _CONTROL.search(value):
        # Never echo the raw value: it is exactly the kind of string that breaks terminals and logs.
        raise InvalidAddress(f"{what} {value.splitlines()[0][:60]!r}... contains a control character (CR/LF)")
    # The email package's own RFC 5322 parser: it reports defects instead of guessing what was meant.
    try:
        header = default_policy.header_factory("To", value)
        boxes = header.addresses
    except (ValueError, IndexError, TypeError):
        raise InvalidAddress(f"{what} {shown(value)} is not a valid email address") from None
    if header.defects or len(boxes) != 1 or not boxes[0].addr_spec or boxes[0].addr_spec == "<>":
        raise InvalidAddress(f"{what} {shown(value)} is not a single valid email address")
    name, addr = boxes[0].display_name, boxes[0].addr_spec
    local, at, domain = addr.rpartition("@")
    if not at or not local or "@" in local or not _LOCAL.match(local) or ".." in local:
        raise InvalidAddress(f"{what} {shown(value)} is not a valid email address")
    if local.startswith(".") or local.endswith(".") or len(local) > 64:
        raise InvalidAddress(f"{what} {shown(value)} is not a valid email address")
    if not _valid_domain(domain):
        raise InvalidAddress(f"{what} {shown(value)} has an invalid domain {shown(domain)}")
    try:
        Address(display_name=name, addr_spec=addr)  # the email package's own check, as a last line
    except (ValueError, IndexError) as exc:
        raise InvalidAddress(f"{what} {shown(value)} is not a valid email address ({exc})") from None
    # Non-ASCII domains travel as IDNA ("xn--"): plain SMTP servers without SMTPUTF8 accept them.
    return Mailbox(display_name=name.strip(), addr_spec=f"{local}@{domain.encode('idna').decode('ascii')}")


def parse_recipients(values: list[str] | tuple[str, ...]) -> tuple[Mailbox, ...]:
    """Recipients in order, duplicates (same addr-spec, case-insensitive) dropped."""
    seen: set[str] = set()
    out: list[Mailbox] = []
    for value in values:
        box = parse_mailbox(value, what="recipient")
        key = box.addr_spec.casefold()
        if key not in seen:
            seen.add(key)
            out.append(box)
    return tuple(out)
