"""The report's generic pieces: length buckets, cell formats, Markdown escaping, a rendered page,
and serving never loading the plotting library."""
from __future__ import annotations

import subprocess
import sys

from huggingface_hub import ModelCard
from markdown_it import MarkdownIt

from sagemaker_nlp.reporting import classes, generation, model_card, page
from sagemaker_nlp.reporting.document import Paragraph, Section, format_cell
from sagemaker_nlp.reporting.summary import RunSummary


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


HOSTILE = ["$5 off", "a|b", "<script>x</script>", "__init__", "c`d"]


def hostile_summary() -> RunSummary:
    """A run whose label names are everything that breaks Markdown, HTML or matplotlib text."""
    history = [{"loss": 1.0, "step": 1, "epoch": 0.5},
               {"eval_loss": 0.9, "eval_f1_macro": 0.5, "step": 2, "epoch": 1.0}]
    return RunSummary(
        task="classification", pipeline_tag="text-classification", generates=False,
        base_model="/models/x", base_model_id=None, languages=[],
        split_sizes={"train": 5, "validation": 5, "test": 5},
        split_files={"train": "train.tsv", "validation": "dev.tsv", "test": "test.tsv"},
        labels=HOSTILE, label_counts={"train": dict.fromkeys(HOSTILE, 1)}, label_values={},
        changed_settings=[("source_prefix", "a|b", "not set")], hardware="CPU", precision="float32",
        processes=1, duration_seconds=12.0, train_metrics={"train_runtime": 3.0}, history=history,
        best_step=2, best_metric="f1_macro", greater_is_better=True,
        results={"eval": {"eval_f1_macro": 0.5}, "test": {"test_f1_macro": 0.25, "test_runtime": 1.0}},
        example_requests={"native": {"request": {"data": [{"text": "```"}]},
                                     "response": {"predictions": [{"pred": "a|b"}]}}})


def test_hostile_label_names_stay_text_in_the_page_and_the_card(tmp_path):
    summary = hostile_summary()
    gold = predicted = HOSTILE
    sections = [classes.confusion_matrix_section(gold, predicted, HOSTILE, "test")]
    page.write_report(tmp_path / "report.html", summary, sections)  # "$5 off" is no mathtext
    html = (tmp_path / "report.html").read_text()
    assert "<script>x" not in html and "&lt;script&gt;x&lt;/script&gt;" in html
    model_card.write(summary, tmp_path / "README.md")
    card = ModelCard.load(tmp_path / "README.md")
    assert card.data.base_model is None  # a local folder is no Hub id
    assert [r.metric_type for r in card.data.eval_results] == ["f1_macro"]  # no runtime
    rendered = MarkdownIt().enable("table").render(card.text)
    # A pipe stays inside its cell; the label list is plain text, without markup.
    assert "<tr><td>source_prefix</td><td>a|b</td><td>not set</td></tr>" in rendered.replace("\n", "")
    labels = next(line for line in rendered.splitlines() if line.startswith("<p>Labels (5):"))
    assert labels == "<p>Labels (5): $5 off, a|b, &lt;script&gt;x&lt;/script&gt;, __init__, c`d</p>"
    fences = [token.content for token in MarkdownIt().parse(card.text) if token.type == "fence"]
    assert any('"```"' in fence for fence in fences)  # the backticks stayed inside the block
