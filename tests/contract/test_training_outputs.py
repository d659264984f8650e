"""What a job leaves for a person to read, for every task (each trained once, by the ``jobs``
fixture): TensorBoard events, ``report.html`` (parsed, and loaded in a real browser), the model
card, and the base checkpoint's figures beside the fine-tuned ones."""
from __future__ import annotations

import base64
import csv
import json
import math
import xml.etree.ElementTree as ElementTree
from html.parser import HTMLParser

import pytest
from huggingface_hub import ModelCard
from markdown_it import MarkdownIt
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

from sagemaker_nlp.reporting.document import format_cell
from sagemaker_nlp.reporting.summary import NOT_METRICS
from sagemaker_nlp.tasks import get_task
from sagemaker_nlp.training import predictions as predictions_file
from tests.contract.conftest import BASE_MODEL_ID
from tests.contract.test_task_contract import TASKS
from tests.support.browser import open_pages
from tests.support.task_specs import SPECS

SVG_URI = "data:image/svg+xml;base64,"


@pytest.fixture(params=TASKS)
def trained(request, jobs):
    paths, _data, client = jobs(request.param)
    return request.param, SPECS[request.param], paths, client


def results(paths, name):
    return json.loads((paths.output_data / f"{name}_results.json").read_text())


def metrics_of(values: dict, prefix: str) -> dict[str, float]:
    start = f"{prefix}_"
    return {key[len(start):]: value for key, value in values.items()
            if key.startswith(start) and key[len(start):] not in NOT_METRICS}


# ----- TensorBoard ----------------------------------------------------------------------------


def test_tensorboard_events_hold_every_logged_scalar(trained):
    name, spec, paths, _ = trained
    files = list(paths.tensorboard.glob("events.out.tfevents.*"))
    assert len(files) == 1, files  # one writer for the whole job
    events = EventAccumulator(str(paths.tensorboard))
    events.Reload()
    tags = set(events.Tags()["scalars"])
    best = get_task(name).best_metric
    expected = {"train/loss", "train/learning_rate", "eval/loss", f"eval/{best}"}
    expected |= {f"{group}/{metric}" for group in ("test", "base_eval", "base_test")
                 for metric in (*spec.metrics, best)}
    assert expected <= tags, sorted(expected - tags)
    # One train loss per logging step (logging_steps=1), at steps 1..max.
    losses = events.Scalars("train/loss")
    state = json.loads(next(paths.checkpoints.glob("checkpoint-*/trainer_state.json")).read_text())
    assert [event.step for event in losses] == list(range(1, state["max_steps"] + 1))
    # The values are the ones in the metrics files (TensorBoard stores float32).
    test = results(paths, "test")
    assert events.Scalars(f"test/{best}")[-1].value == pytest.approx(test[f"test_{best}"], rel=1e-6, abs=1e-6)
    assert events.Scalars(f"base_test/{best}")[0].step == 0  # scored before any training step


# ----- report.html ----------------------------------------------------------------------------


class ReportParser(HTMLParser):
    """Section titles, images, tables (cell texts per row, marked rows) and every URL."""

    def __init__(self):
        super().__init__()
        self.sections, self.images, self.urls, self.tags = [], [], [], set()
        self.tables: list[list[list[str]]] = []
        self.marked_rows = 0
        self._text = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.add(tag)
        self.urls += [value for key, value in attrs if key in ("src", "href", "action") and value]
        if tag == "img":
            self.images.append(attributes)
        elif tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
            self.marked_rows += "marked" in (attributes.get("class") or "").split()
        elif tag in ("td", "th", "h2"):
            self._text = ""

    def handle_data(self, data):
        if self._text is not None:
            self._text += data

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._text is not None:
            self.tables[-1][-1].append(self._text.strip())
        elif tag == "h2" and self._text is not None:
            self.sections.append(self._text.strip())
        if tag in ("td", "th", "h2"):
            self._text = None


def parse_report(paths) -> ReportParser:
    parser = ReportParser()
    parser.feed((paths.output_data / "report.html").read_text(encoding="utf-8"))
    return parser


def test_report_has_the_run_training_results_and_task_sections(trained):
    _, spec, paths, _ = trained
    report = parse_report(paths)
    assert report.sections == ["Run", "Training", "Results", *spec.report_sections]
    assert report.marked_rows == 1  # the chosen checkpoint, in the evaluations table


def test_report_embeds_every_plot_and_fetches_nothing(trained):
    _, _, paths, _ = trained
    report = parse_report(paths)
    assert len(report.images) >= 3  # label/value distribution, loss, best metric, ...
    assert not report.tags & {"script", "link", "iframe", "object", "embed"}
    for url in report.urls:  # only the page's own anchors and data: URIs
        assert url.startswith(("#", "data:")), url
    for image in report.images:
        assert image["src"].startswith(SVG_URI) and image.get("alt"), image.get("alt")
        svg = ElementTree.fromstring(base64.b64decode(image["src"][len(SVG_URI):]))
        assert svg.tag.endswith("svg") and float(svg.get("width").rstrip("pt")) > 0
        for element in svg.iter():  # matplotlib's own links: clip paths and embedded PNGs
            for key, value in element.attrib.items():
                if key.endswith("href") or "url(" in value:
                    assert value.startswith(("#", "data:image/")) or value.startswith("url(#"), value


def test_report_shows_base_and_fine_tuned_results_side_by_side(trained):
    name, _, paths, _ = trained
    best = get_task(name).best_metric
    test = results(paths, "test")
    rows = [row for table in parse_report(paths).tables for row in table]
    assert ["test", best, format_cell(test[f"base_test_{best}"]), format_cell(test[f"test_{best}"]),
            format_cell(test[f"test_{best}"] - test[f"base_test_{best}"])] in rows


def test_every_report_renders_in_a_real_browser(jobs, tmp_path):
    """One headless chromium for all tasks: each page loads without a console error, fetches
    nothing, and shows every plot."""
    reports = [jobs(task)[0].output_data / "report.html" for task in TASKS]
    checks = open_pages(reports, screenshots=tmp_path)
    for task, check in zip(TASKS, checks):
        assert check.errors == [], (task, check.errors)
        assert check.outside_requests == [], (task, check.outside_requests)
        assert check.images >= 3 and check.broken_images == [], (task, check.broken_images)
        assert check.sections == ["Run", "Training", "Results", *SPECS[task].report_sections]
        assert (tmp_path / f"{TASKS.index(task)}.png").stat().st_size > 10_000  # a real picture


# ----- the model card -------------------------------------------------------------------------


def test_model_card_loads_with_hub_metadata_and_the_test_results(trained):
    name, _, paths, _ = trained
    task = get_task(name)()
    card = ModelCard.load(paths.model / "README.md")
    data = card.data
    assert data.library_name == "transformers" and data.pipeline_tag == task.pipeline_tag
    assert data.base_model == BASE_MODEL_ID
    assert {"sagemaker-nlp", name} <= set(data.tags)
    test = metrics_of(results(paths, "test"), "test")
    assert set(data.metrics) == set(test) - {"loss"}
    assert {r.metric_type: r.metric_value for r in data.eval_results} == test  # model-index
    assert all(r.dataset_split == "test" and r.task_type == task.pipeline_tag for r in data.eval_results)
    for heading in ("## Data", "## Training setup", "## Results", "## Limitations",
                    "## Calling the endpoint"):
        assert heading in card.text


def test_model_card_shows_real_requests_and_the_model_s_answers(trained):
    """The card's example requests, in both envelopes, are accepted by the server and answered
    in the shape the card shows; the answer shown is the job's own prediction for that example
    (test_predictions.tsv, whose agreement with the server the contract checks)."""
    _, _, paths, client = trained
    card = ModelCard.load(paths.model / "README.md")
    blocks = [json.loads(token.content) for token in MarkdownIt().parse(card.text)
              if token.type == "fence" and token.info == "json"]
    assert len(blocks) == 4  # native request and answer, Hugging Face request and answer
    for request, answer in zip(blocks[::2], blocks[1::2]):
        response = client.post("/invocations", json=request)
        assert response.status_code == 200, response.get_json()
        assert same_shape(response.get_json(), answer), (response.get_json(), answer)
    native_request, native_answer = blocks[0], blocks[1]
    with open(paths.output_data / "test_predictions.tsv", newline="", encoding="utf-8") as handle:
        first_row = next(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    task = client.application.extensions["predictor"].task
    example = task.parse_example(native_request["data"][0], "card", with_labels=False)
    shown = predictions_file.row(task, example, native_answer["predictions"][0])
    assert all(shown[column] == first_row[column] for column in shown if column in PREDICTED), shown
    assert "inputs" in blocks[2]


# test_predictions.tsv columns that come from the prediction (the rest are the example's).
PREDICTED = {"predicted", "score", "HYP"}


def same_shape(left, right) -> bool:
    """The same JSON structure: keys, list lengths and value types (not the values)."""
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(same_shape(left[k], right[k]) for k in left)
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(same_shape(a, b) for a, b in zip(left, right))
    number = (int, float)
    return type(left) is type(right) or (isinstance(left, number) and isinstance(right, number))


# ----- the base checkpoint --------------------------------------------------------------------


def test_base_checkpoint_figures_sit_beside_the_fine_tuned_ones(trained):
    name, spec, paths, _ = trained
    best = get_task(name).best_metric
    for split in ("eval", "test"):
        values = results(paths, split)
        for metric in (*spec.metrics, best, "loss"):
            for key in (f"base_{split}_{metric}", f"{split}_{metric}"):
                assert isinstance(values.get(key), float) and math.isfinite(values[key]), key
