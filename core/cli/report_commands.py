"""report commands of the CLI."""

import click


def register(group: click.Group) -> None:
    """Add this module's commands to the main group."""
