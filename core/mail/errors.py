"""One exception type per thing the user has to fix, each with a message that says what to do.

Messages never contain the SMTP password: it is never formatted into any string, and server replies
(which may be quoted) never echo it.
"""

from __future__ import annotations


class MailError(Exception):
    """Base class: ``str(error)`` is a complete, one-line explanation for the user."""


class SettingsError(MailError):
    """Email settings missing or invalid (bad usage: exit code 2).

    ``str(error)`` says what is wrong in words every surface can show; ``field`` names the setting (the
    desktop dialog marks that field), ``cli_hint`` how to fix it from the command line (the CLI adds it).
    """

    def __init__(self, message: str, *, field: str | None = None, cli_hint: str | None = None) -> None:
        super().__init__(message)
        self.field = field
        self.cli_hint = cli_hint

    def for_cli(self) -> str:
        return f"{self}: {self.cli_hint}" if self.cli_hint else str(self)


class InvalidAddress(SettingsError):
    pass


class KeyringUnavailable(MailError):
    pass


class NoPasswordStored(MailError):
    pass


class ConnectError(MailError):
    pass


class TLSError(MailError):
    pass


class AuthError(MailError):
    pass


class RecipientRefused(MailError):
    def __init__(self, message: str, refused: dict[str, tuple[int, str]]) -> None:
        super().__init__(message)
        self.refused = refused


class MessageTooLarge(MailError):
    pass


class SendFailed(MailError):
    """Any other SMTP failure (the server's reply is in the message)."""


class AlreadySent(MailError):
    """The report of this batch was sent before and ``--resend`` was not given (exit code 4)."""


class SendInProgress(MailError):
    """Another process is sending this batch's report right now."""


class SentButNotRecorded(MailError):
    """The server accepted the message, but the send record could not be written."""

    def __init__(self, message: str, record: object) -> None:
        super().__init__(message)
        self.record = record
