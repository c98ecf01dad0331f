"""Charts: content (titles, bar counts, totals), the edge cases of the issue, and the files themselves."""

from __future__ import annotations

import copy
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from PIL import Image

from core.reporting import style
from core.reporting.charts import CHARTS, build_charts, save_png
from core.reporting.sample import synthetic_report
from core.reporting.summary import summarize

AS_OF = date(2026, 11, 23)
NAMES = [spec.name for spec in CHARTS]


def bars(fig: Figure) -> list[Rectangle]:
    [ax] = fig.axes
    return [p for p in ax.patches if isinstance(p, Rectangle)]


def title(fig: Figure) -> str:
    return fig.axes[0].get_title(loc="left")  # the style puts titles on the left


def is_no_data(fig: Figure) -> bool:
    [ax] = fig.axes
    return not ax.axison and any(t.get_text().startswith("No data") for t in ax.texts)


@pytest.fixture(scope="module")
def big() -> dict[str, Any]:
    return synthetic_report(10_000, seed=3, today=AS_OF)


def test_every_chart_at_10000_contracts(big: dict[str, Any], tmp_path: Path) -> None:
    s = summarize(big, as_of=AS_OF)
    charts = build_charts(s)
    assert list(charts) == NAMES

    outcome = charts["outcomes"]
    assert title(outcome) == "Outcomes (10,000 contracts)"
    heights = [b.get_width() for b in bars(outcome)]  # horizontal bars: the width is the count
    # One bar per outcome some contract had (the synthetic report has no revoked or lost ones).
    had = [o for o in ("succeeded", "rejected", "failed", "timed_out", "revoked", "lost") if s.counts[o]]
    assert len(heights) == len(had) == 4 and sum(heights) == 10_000
    assert [t.get_text() for t in outcome.axes[0].get_yticklabels()] == [
        style.OUTCOME_LABELS[o] for o in had]
    assert bars(outcome)[0].get_facecolor()[:3] == pytest.approx(
        tuple(int(style.BLUISH_GREEN[i : i + 2], 16) / 255 for i in (1, 3, 5))
    )

    value = charts["value-by-counterparty"]
    assert title(value) == "Value by counterparty (USD)"
    assert len(bars(value)) == 11  # top 10 + "other"
    assert sum(b.get_width() for b in bars(value)) == pytest.approx(s.value_by_currency["USD"])
    assert value.axes[0].get_yticklabels()[-1].get_text() == "other"

    expiry = charts["expirations"]
    assert title(expiry) == "Expirations per month (next 24 months)"
    assert len(bars(expiry)) == 24
    assert sum(b.get_height() for b in bars(expiry)) == sum(n for _, n in s.expirations_by_month)

    law = charts["governing-law"]
    assert sum(b.get_width() for b in bars(law)) == s.succeeded

    times = charts["processing-times"]
    assert sum(b.get_height() for b in bars(times)) == 10_000
    assert len(bars(times)) <= 30

    for name, fig in charts.items():
        path = save_png(fig, tmp_path / f"{name}.png")
        with Image.open(path) as img:
            assert img.size == (800, 500)  # the size the issue asks charts to be readable at


def test_one_contract() -> None:
    s = summarize(synthetic_report(1, seed=5, failure_rate=0, today=AS_OF), as_of=AS_OF)
    charts = build_charts(s)
    assert title(charts["outcomes"]) == "Outcomes (1 contract)"
    assert [b.get_width() for b in bars(charts["outcomes"])] == [1]
    assert sum(b.get_height() for b in bars(charts["processing-times"])) == 1
    lo, _hi = charts["processing-times"].axes[0].get_xlim()
    assert lo >= -0.05  # a single runtime does not produce a negative-seconds axis


def test_all_failed(big: dict[str, Any]) -> None:
    failed = copy.deepcopy(big)
    for c in failed["contracts"]:
        c.update(outcome="failed", result=None, error=c["error"] or "RuntimeError: boom")
    charts = build_charts(summarize(failed, as_of=AS_OF))
    # Succeeded stays, at zero: the reader sees that none did.
    assert [b.get_width() for b in bars(charts["outcomes"])] == [0, 10_000]
    for name in ("value-by-counterparty", "expirations", "governing-law", "risk-flags"):
        assert is_no_data(charts[name]), name
    assert not is_no_data(charts["processing-times"])


@pytest.mark.parametrize(
    "report",
    [
        {"batch_id": "empty", "contracts": []},
        {"batch_id": "bare", "contracts": [{"name": "a", "outcome": "succeeded", "result": {}}]},
    ],
    ids=["no contracts", "no values or dates"],
)
def test_no_data_is_said_not_crashed(report: dict[str, Any], tmp_path: Path) -> None:
    charts = build_charts(summarize(report, as_of=AS_OF))
    for name in ("value-by-counterparty", "expirations", "governing-law", "processing-times", "risk-flags"):
        assert is_no_data(charts[name]), name
        assert title(charts[name])  # still titled: the reader knows what is missing
        save_png(charts[name], tmp_path / f"{name}.png")
    assert is_no_data(charts["outcomes"]) == (report["batch_id"] == "empty")


def test_dark_theme_recolours_the_frame_not_the_data(tmp_path: Path) -> None:
    from matplotlib.colors import to_hex
    from matplotlib.text import Text

    from core.reporting.charts import Theme, apply_theme

    figures = build_charts(summarize(synthetic_report(300)))
    theme = Theme(background="#202020", text="#eeeeee", muted="#aaaaaa", grid="#404040")
    for name, fig in figures.items():
        bars_before = [to_hex(p.get_facecolor()) for p in fig.findobj(Rectangle) if p.axes is not None]
        apply_theme(fig, theme)
        assert to_hex(fig.get_facecolor()) == theme.background, name
        colours = {to_hex(t.get_color()) for t in fig.findobj(Text) if t.get_text().strip()}
        # No text is left in the light theme's dark greys (unreadable on a dark background).
        assert not colours & {to_hex(style.TEXT), to_hex(style.MUTED), to_hex(style.BLACK)}, name
        bars_after = [to_hex(p.get_facecolor()) for p in fig.findobj(Rectangle) if p.axes is not None]
        assert [c for c in bars_after if c != theme.background] == [
            c for c in bars_before if c != to_hex("white")
        ], name
    path = save_png(figures["outcomes"], tmp_path / "dark.png")
    with Image.open(path) as image:
        corner = image.convert("L").crop((0, 0, 40, 40))
        assert corner.getextrema()[1] < 60  # the background really is dark in the PNG


def test_dollar_signs_in_contract_data_print_as_written(tmp_path: Path) -> None:
    # Two "$" in a party name once started matplotlib's mathtext, whose parse error failed the chart,
    # and with it the export and the email.
    report = synthetic_report(5, seed=11, failure_rate=0, today=AS_OF)
    odd = "Acme $x^{ Holdings $ Co"
    for c in report["contracts"]:
        c["result"]["parties"] = ["Our Company", odd]
        c["result"]["governing_law"] = "$ State $"
    charts = build_charts(summarize(report, as_of=AS_OF))
    for name, fig in charts.items():
        save_png(fig, tmp_path / f"{name}.png")
    labels = [t.get_text() for t in charts["value-by-counterparty"].axes[0].get_yticklabels()]
    assert any("$x^{" in label for label in labels), labels


def test_risks_are_named_in_words_decisions_first(big: dict[str, Any]) -> None:
    from core.contracts.analysis.risk import DECISION_FLAGS, RISK_LABELS

    s = summarize(big, as_of=AS_OF)
    labels = [t.get_text() for t in build_charts(s)["risk-flags"].axes[0].get_yticklabels()]
    assert labels and all(label in RISK_LABELS.values() for label in labels), labels
    assert not any("_" in label for label in labels)
    decisions = [RISK_LABELS[f] for f in DECISION_FLAGS]
    kinds = [label in decisions for label in labels]
    assert kinds == sorted(kinds, reverse=True)  # every decision before every check
