"""The ``contract-batch`` command line: one click group, each family of commands in its own module."""

from __future__ import annotations

import click

from core.cli import (
    analysis_commands,
    batch_commands,
    list_command,
    local_commands,
    report_commands,
    run_command,
    worker_command,
)
from core.version import version


class PlainErrorsGroup(click.Group):
    """Losing Redis in the middle of a command is one plain line and exit 1, never a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        import redis
        from kombu.exceptions import OperationalError

        from core.engine.broker import InvalidBrokerUrl, scrub

        try:
            return super().invoke(ctx)
        except InvalidBrokerUrl as exc:
            click.echo(f"error: {exc}", err=True)
            ctx.exit(2)
        except (redis.ConnectionError, redis.TimeoutError, OperationalError) as exc:
            click.echo(f"error: lost the connection to Redis: {scrub(str(exc))}", err=True)
            ctx.exit(1)


@click.group(cls=PlainErrorsGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(version=version(), prog_name="contract-batch")
def main() -> None:
    """Run contract batches on Celery workers and get exactly one report per batch."""


main.add_command(worker_command.worker_command)
main.add_command(run_command.run_command)
for _command in (batch_commands.status_command, batch_commands.report_command, batch_commands.cancel_command,
                 batch_commands.quarantine_command, list_command.list_command, local_commands.local_group):
    main.add_command(_command)
for _module in (analysis_commands, report_commands):
    _module.register(main)
