"""One look for every chart, shared by the desktop preview, the PDF, the PNG exports and the email.

Colours are Okabe & Ito's palette ("Color Universal Design", 2008): distinguishable with every common
form of colour-vision deficiency and still distinct when printed in greyscale thanks to their different
lightness. Each outcome has a fixed colour so "failed" looks the same in every chart, every batch.
"""

from __future__ import annotations

from typing import Any

from core.outcome import Outcome
from core.reporting.wording import outcome_label

# Okabe-Ito.
BLACK = "#000000"
ORANGE = "#E69F00"
SKY_BLUE = "#56B4E9"
BLUISH_GREEN = "#009E73"
YELLOW = "#F0E442"
BLUE = "#0072B2"
VERMILLION = "#D55E00"
REDDISH_PURPLE = "#CC79A7"
GREY = "#8C8C8C"

OUTCOME_COLOURS: dict[str, str] = {
    Outcome.SUCCEEDED: BLUISH_GREEN,
    Outcome.REJECTED: ORANGE,
    Outcome.FAILED: VERMILLION,
    Outcome.TIMED_OUT: REDDISH_PURPLE,
    Outcome.REVOKED: SKY_BLUE,
    Outcome.LOST: GREY,
}
OUTCOME_LABELS: dict[str, str] = {o.value: outcome_label(o.value) for o in Outcome}

# The one colour of single-series charts (value, laws, runtimes): blue is the darkest hue of the palette,
# so bars keep their contrast on paper.
SERIES = BLUE
OTHER_COLOUR = GREY
TEXT = "#222222"
MUTED = "#666666"
GRID = "#DDDDDD"

# 800 x 500 px at 100 dpi: the size the issue asks charts to be readable at (emails, the desktop preview).
FIGSIZE_IN: tuple[float, float] = (8.0, 5.0)
SCREEN_DPI = 100
# For the PDF: the same figure rasterised at 2x so it stays sharp in print.
PRINT_DPI = 200

FONT_FAMILY = "DejaVu Sans"  # ships with matplotlib: same glyphs (and non-Latin names) on every machine
TITLE_SIZE = 14
LABEL_SIZE = 11
TICK_SIZE = 10
ANNOTATION_SIZE = 9

RC: dict[str, Any] = {
    # Labels are contract data: "$" in a party name must print as "$", never start TeX-like mathtext
    # (two of them made the chart, and so the export and the email, fail with a parse error).
    "text.parse_math": False,
    "font.family": FONT_FAMILY,
    "font.size": LABEL_SIZE,
    "axes.titlesize": TITLE_SIZE,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": LABEL_SIZE,
    "axes.labelcolor": TEXT,
    "axes.edgecolor": MUTED,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": False,
    "xtick.labelsize": TICK_SIZE,
    "ytick.labelsize": TICK_SIZE,
    "xtick.color": TEXT,
    "ytick.color": TEXT,
    "text.color": TEXT,
    "figure.facecolor": "white",
    "axes.facecolor": "white",
    "savefig.facecolor": "white",
    # Embed text as glyph paths only where needed; keeps the PNGs identical across machines.
    "svg.fonttype": "path",
}
