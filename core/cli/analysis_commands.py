"""Analysis commands of the CLI: ``analyze`` (the default processor, locally, no Celery) and ``demo``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from core.contracts.contract import Contract, ContractRejected, LoadRejection
from core.contracts.loader import DEFAULT_MAX_BYTES, load_paths
from core.outcome import Outcome

EXIT_USAGE = 2


def analyze_items(paths: list[str], *, max_bytes: int = DEFAULT_MAX_BYTES) -> list[dict[str, Any]]:
    """Load and analyze, one record per contract or load rejection, in load order."""
    from core.engine.processors import analyze

    records: list[dict[str, Any]] = []
    for item in load_paths(paths, max_bytes=max_bytes).items:
        if isinstance(item, LoadRejection):
            records.append(
                {"name": item.name, "outcome": Outcome.REJECTED.value, "error": item.reason, "result": None}
            )
            continue
        assert isinstance(item, Contract)
        try:
            result = analyze(item)
        except ContractRejected as exc:
            records.append(
                {"name": item.name, "outcome": Outcome.REJECTED.value, "error": exc.reason, "result": None}
            )
        except Exception as exc:  # a bug must not hide the other contracts' results
            records.append(
                {
                    "name": item.name,
                    "outcome": Outcome.FAILED.value,
                    "error": f"{type(exc).__name__}: {exc}",
                    "result": None,
                }
            )
        else:
            records.append(
                {"name": item.name, "outcome": Outcome.SUCCEEDED.value, "error": None, "result": result}
            )
    return records


def _human(record: dict[str, Any]) -> str:
    lines = [f"{record['name']}: {record['outcome']}"]
    if record["error"]:
        lines[0] += f" ({record['error']})"
    result = record["result"]
    if result:
        for key, value in result.items():
            if key == "evidence":
                continue
            shown = value
            if isinstance(value, list):
                shown = ", ".join(str(v) for v in value) or "-"
            elif isinstance(value, dict):
                shown = " ".join(str(v) for v in value.values())
            lines.append(f"  {key:<19} {'-' if shown is None else shown}")
        for key, sentence in result.get("evidence", {}).items():
            short = sentence if len(sentence) <= 160 else sentence[:157] + "..."
            lines.append(f"  evidence {key}: {short}")
    return "\n".join(lines)


def register(group: click.Group) -> None:
    """Add this module's commands to the main group."""

    @group.command("analyze")
    @click.argument("files", nargs=-1, type=click.Path(path_type=str))
    @click.option(
        "--json", "as_json", is_flag=True, help="Print a JSON list of {name, outcome, error, result}."
    )
    @click.option(
        "--max-mb",
        type=float,
        default=None,
        help=f"Reject files larger than this (default {DEFAULT_MAX_BYTES / 1024 / 1024:.0f} MB).",
    )
    def analyze_command(files: tuple[str, ...], as_json: bool, max_mb: float | None) -> None:
        """Run the default processor on FILE... (files or folders) locally, without Celery.

        Shows what the app understands in each contract: dates, parties, term, renewal, governing law,
        value, risk flags and the sentence each came from. Exits 0 when it ran, even if files were
        rejected (a missing path among existing ones is reported as rejected); 2 when no file was given
        or none of the paths exists.
        """
        if not files:
            click.echo("error: give at least one FILE or folder", err=True)
            sys.exit(EXIT_USAGE)
        if not any(Path(f).exists() or Path(f).is_symlink() for f in files):
            click.echo(f"error: no such file or folder: {', '.join(files)}", err=True)
            sys.exit(EXIT_USAGE)
        max_bytes = int(max_mb * 1024 * 1024) if max_mb else DEFAULT_MAX_BYTES
        records = analyze_items(list(files), max_bytes=max_bytes)
        if not records:
            click.echo("error: no files found", err=True)
            sys.exit(EXIT_USAGE)
        if as_json:
            click.echo(json.dumps(records, indent=2, ensure_ascii=False))
        else:
            click.echo("\n\n".join(_human(r) for r in records))

    @group.command("demo")
    @click.option(
        "--count",
        type=click.IntRange(1, 10000),
        default=12,
        show_default=True,
        help="How many synthetic contracts (spread over every format).",
    )
    @click.option(
        "--out",
        "out_dir",
        type=click.Path(file_okay=False, path_type=Path),
        required=True,
        help="Folder to write into (created if missing).",
    )
    @click.option("--seed", type=int, default=0, show_default=True, help="Same seed, same files.")
    @click.option("--no-broken", is_flag=True, help="Leave out the deliberately broken files.")
    def demo_command(count: int, out_dir: Path, seed: int, no_broken: bool) -> None:
        """Write realistic synthetic contracts in every supported format, plus a few broken files.

        Each contract's known fields are listed in .answers.json beside them, so a first run shows every
        outcome (succeeded, rejected) and what the analyzer found against what was written.
        """
        from core.contracts.demo import write_demo

        written = write_demo(out_dir, count=count, seed=seed, broken=not no_broken)
        click.echo(f"wrote {len(written)} files to {out_dir}")
