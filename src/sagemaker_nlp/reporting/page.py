"""``report.html``: one self-contained page (CSS inline, every plot an SVG data URI, no script,
nothing fetched at view time), rendered from sections with matplotlib and Jinja2.

matplotlib is imported here only, with the non-interactive Agg backend, and draws on
``matplotlib.figure.Figure`` objects (no pyplot global state). SVG text is written as glyph
paths, so the plots need no font on the viewer's machine.
"""
from __future__ import annotations

import base64
import io
import logging
from datetime import datetime, timezone

from jinja2 import Environment, PackageLoader, select_autoescape

from . import overview
from .document import Figure, Paragraph, Section, Table, format_cell

logger = logging.getLogger(__name__)


def figure_data_uri(figure: Figure) -> str:
    """The figure as ``data:image/svg+xml;base64,...``."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure as MatplotlibFigure

    # parse_math off: a label such as "$5 off" is text, not (maybe broken) mathtext.
    with matplotlib.rc_context({"svg.fonttype": "path", "font.size": 9, "text.parse_math": False}):
        canvas = MatplotlibFigure(figsize=figure.size, layout="constrained")
        figure.draw(canvas.subplots())
        buffer = io.BytesIO()
        # No date: the same run gives the same bytes.
        canvas.savefig(buffer, format="svg", metadata={"Date": None})
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _block_view(block) -> dict:
    if isinstance(block, Table):
        return {"kind": "table", "caption": block.caption, "columns": block.columns,
                "rows": [[format_cell(cell) for cell in row] for row in block.rows],
                "marked": block.marked_row}
    if isinstance(block, Figure):
        return {"kind": "figure", "caption": block.caption, "src": figure_data_uri(block)}
    if isinstance(block, Paragraph):
        return {"kind": "text", "text": block.text}
    raise TypeError(f"not a report block: {block!r}")


def render(title: str, sections: list[Section]) -> str:
    environment = Environment(loader=PackageLoader("sagemaker_nlp.reporting", "templates"),
                              autoescape=select_autoescape(["html", "j2"]), trim_blocks=True,
                              lstrip_blocks=True)
    views = [{"title": s.title, "anchor": f"section-{i}", "blocks": [_block_view(b) for b in s.blocks]}
             for i, s in enumerate(sections)]
    created = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return environment.get_template("report.html.j2").render(title=title, sections=views,
                                                             created=created)


def write_report(path, summary, task_sections: list[Section]) -> None:
    """The whole page: the run, training and results sections, then the task's own."""
    sections = [overview.run_section(summary), overview.training_section(summary),
                overview.results_section(summary), *task_sections]
    title = f"Training report: {summary.task} ({summary.base_model_id or 'local checkpoint'})"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(title, sections), encoding="utf-8")
