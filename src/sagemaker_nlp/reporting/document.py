"""The report's building blocks, as data: sections made of tables, figures and paragraphs.

A ``Figure`` is a caption and a function that draws on one matplotlib ``Axes``: building it
imports no plotting library (task modules build sections and are imported at serving time too);
only ``page`` renders it. ``Evidence`` is what a task's ``reports`` hook reads.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Cell = Any  # str, int, float or None (shown as an empty cell)


@dataclass(frozen=True)
class Table:
    columns: list[str]
    rows: list[list[Cell]]
    caption: str = ""
    marked_row: int | None = None  # shown highlighted (the chosen checkpoint)


@dataclass(frozen=True)
class Figure:
    caption: str
    draw: Callable[[Any], None]  # draws on a matplotlib Axes
    size: tuple[float, float] = (6.4, 3.4)  # inches


@dataclass(frozen=True)
class Paragraph:
    text: str


Block = Table | Figure | Paragraph


@dataclass
class Section:
    title: str
    blocks: list[Block]
    # Files saved next to report.html (name -> text), e.g. seqeval's text report.
    files: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Evidence:
    """What a task's report sections are built from: its predictions on one split, and the
    metrics of every evaluation during training (and of the base checkpoint, if scored)."""

    split: str  # "test", or "validation" when the job has no test split
    examples: list[dict]
    predictions: list[dict]
    # One dict per evaluation during training: "step", "epoch" and metrics without a prefix.
    evaluations: list[dict]
    # The base checkpoint's metrics before fine-tuning, without prefix: "eval" (the validation
    # split) and "test" -> name -> value; empty when it was not scored.
    baseline: dict[str, dict[str, float]] = field(default_factory=dict)


def format_cell(value: Cell) -> str:
    """A cell as text: floats to 4 significant digits, None empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)
