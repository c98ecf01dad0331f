"""The ``contract-batch`` command line: one click group, each family of commands in its own module."""

from __future__ import annotations

import click

from core.cli import analysis_commands, engine_commands, report_commands


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="contract-batch-manager")
def main() -> None:
    """Run contract batches on Celery workers and get exactly one report per batch."""


for _module in (engine_commands, analysis_commands, report_commands):
    _module.register(main)
