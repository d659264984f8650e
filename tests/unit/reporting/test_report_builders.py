"""The report's generic pieces: length buckets, cell formats, Markdown escaping, a rendered page,
and serving never loading the plotting library."""
from __future__ import annotations

import subprocess
import sys

from sagemaker_nlp.reporting import classes, generation, model_card, page
from sagemaker_nlp.reporting.document import Paragraph, Section, format_cell


def test_length_buckets_cover_every_length_once():
    lengths = [3, 5, 5, 8, 12, 13, 20, 40, 41]
    buckets = generation.length_buckets(lengths)
    assert 1 < len(buckets) <= generation.MAX_BUCKETS
    for length in lengths:
        assert sum(low <= length <= high for low, high in buckets) == 1, (length, buckets)
    assert generation.length_buckets([7, 7, 7]) == [(7, 7)]
    assert generation.length_buckets([]) == []


def test_cells_are_short_and_none_is_empty():
    assert [format_cell(v) for v in (0.123456, 12.3456, 3, None, True, "x")] == \
        ["0.1235", "12.35", "3", "", "yes", "x"]


def test_markdown_cells_and_code_blocks_cannot_break_out():
    table = model_card.markdown_table(["a|b"], [["x | y\nz <b>"]])
    assert table.splitlines()[2] == "| x \\| y z &lt;b> |"
    block = model_card.code_block('{"text": "```"}')
    assert block.startswith("````json\n") and block.endswith("\n````")


def test_a_page_embeds_its_figures_and_escapes_text():
    gold, predicted = ["a", "b", "b"], ["a", "b", "a"]
    sections = [classes.confusion_matrix_section(gold, predicted, ["a", "b"], "test"),
                Section("Notes", [Paragraph("<script>alert(1)</script>")])]
    html = page.render("t", sections)
    assert html.count('<img src="data:image/svg+xml;base64,') == 1
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_serving_imports_no_plotting_library():
    # Task modules build report sections; serving imports them and must stay light.
    code = ("import sys, sagemaker_nlp.serving.app, sagemaker_nlp.tasks; "
            "print('matplotlib' in sys.modules)")
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert output.stdout.strip() == "False"
