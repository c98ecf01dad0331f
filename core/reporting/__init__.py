"""Report content, charts and exports built from a batch's final report (no Qt: the desktop app, the CLI
and the email all use these same functions, so what the app previews is what gets exported and sent)."""
