"""The model card: ``README.md`` in the model folder, so ``push_to_hub`` shows a real page.

Hugging Face front matter (``library_name``, ``pipeline_tag``, ``base_model``, ``language``,
``tags``, ``metrics`` and a ``model-index`` holding the test results exactly as
``test_results.json`` has them) is written by ``huggingface_hub``'s ``ModelCardData``; the body
(data, training setup, results before/after, limitations, how to call the endpoint in both
envelopes) is rendered from a Jinja2 template. It loads back with ``ModelCard.load``.
"""
from __future__ import annotations

import json
import math
import re

from huggingface_hub import EvalResult, ModelCard, ModelCardData
from jinja2 import Environment, PackageLoader

from .document import format_cell
from .overview import results_rows
from .summary import RunSummary, unprefixed

TEMPLATE = "model_card.md.j2"


def card_data(summary: RunSummary) -> ModelCardData:
    test = unprefixed(summary.results.get("test", {}), "test")
    dataset = f"{summary.split_files.get('test', 'test')} ({summary.split_sizes.get('test', 0)} rows)"
    results = [EvalResult(task_type=summary.pipeline_tag, dataset_type="custom",
                          dataset_name=dataset, dataset_split="test", metric_type=name,
                          metric_name=f"test {name}", metric_value=value)
               for name, value in test.items() if math.isfinite(value)]
    return ModelCardData(
        library_name="transformers",
        pipeline_tag=summary.pipeline_tag,
        base_model=summary.base_model_id,
        language=summary.languages or None,
        tags=["sagemaker", "sagemaker-nlp", summary.task, summary.pipeline_tag],
        metrics=sorted({name for name in test if name != "loss"}) or None,
        model_name=f"{summary.task} model fine-tuned with sagemaker-nlp",
        eval_results=results or None,
    )


def markdown_table(columns: list[str], rows: list[list]) -> str:
    lines = ["| " + " | ".join(_plain(c) for c in columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(_plain(format_cell(v)) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def _plain(text: str) -> str:
    """Text that stays plain text on one line, in a table cell or a sentence: Markdown's
    punctuation backslash-escaped (a pipe would end the cell), HTML's ``<`` as an entity."""
    text = re.sub(r"([\\`*_\[\]|#])", r"\\\1", str(text)).replace("<", "&lt;")
    return " ".join(text.split())


def code_block(text: str, language: str = "json") -> str:
    """A fenced block whose fence is longer than any backtick run inside ``text``."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{language}\n{text}\n{fence}"


def build(summary: RunSummary) -> ModelCard:
    # Markdown, not HTML: no autoescape (table cells and code blocks are escaped above).
    environment = Environment(loader=PackageLoader("sagemaker_nlp.reporting", "templates"),
                              autoescape=False, trim_blocks=True, lstrip_blocks=True)
    data_rows = [[split, summary.split_files.get(split, ""), count]
                 for split, count in summary.split_sizes.items()]
    examples = {name: {part: code_block(json.dumps(value, indent=2, ensure_ascii=False))
                       for part, value in pair.items()}
                for name, pair in summary.example_requests.items()}
    body = environment.get_template(TEMPLATE).render(
        summary=summary,
        data_table=markdown_table(["split", "file", "examples"], data_rows),
        label_list=", ".join(_plain(label) for label in summary.labels[:100]),
        settings_table=markdown_table(["hyperparameter", "value", "default"],
                                      [list(s) for s in summary.changed_settings]),
        results_table=markdown_table(["split", "metric", "base checkpoint", "fine-tuned", "change"],
                                     results_rows(summary)),
        examples=examples,
    )
    return ModelCard(f"---\n{card_data(summary).to_yaml()}\n---\n\n{body}")


def write(summary: RunSummary, path) -> None:
    build(summary).save(path)
