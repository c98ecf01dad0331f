"""Sending a batch's report by email: settings, the password in the OS keyring, composing, SMTP, and the
per-batch record of what was sent. No Qt: the CLI and the desktop app share all of it."""
