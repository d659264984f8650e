"""A trained job's outputs, written by rank 0: the metrics files, the test predictions, the
model folder (published atomically, with its model card) and ``report.html``.

The final evaluations are collective under torchrun (every rank runs them); everything after
them happens on rank 0 alone. The report and the model card only describe the job: a failure
there is logged with its traceback and never costs the trained model.
"""
from __future__ import annotations

import json
import logging
import time
from pathlib import Path

from .. import artifacts
from ..engines import InferenceRunner, export_for_serving
from ..reporting import model_card, page
from ..reporting.document import Evidence
from . import predictions
from .summary import collect

logger = logging.getLogger(__name__)


def save(run, result, baseline: dict[str, dict]) -> None:
    trainer, splits, paths = run.trainer, run.splits, run.paths
    history = list(trainer.state.log_history)  # the evaluations during training, not the final ones
    results = {"train": dict(result.metrics)}
    results["eval"] = evaluate(trainer, run.features, run.metrics, "validation", "eval")
    if "test" in splits:
        results["test"] = evaluate(trainer, run.features, run.metrics, "test", "test")
    if not trainer.is_world_process_zero():
        return
    paths.output_data.mkdir(parents=True, exist_ok=True)
    for name, metrics in results.items():  # already logged as METRIC lines by the callback
        # The base checkpoint's figures (base_eval_*, base_test_*) side by side with the new ones.
        _write_json(paths.output_data / f"{name}_results.json", {**metrics, **baseline.get(name, {})})

    predicted = _predict(run)
    if "test" in predicted:
        examples, answers = predicted["test"]
        predictions.write_tsv(paths.output_data / "test_predictions.tsv", run.config.task,
                              examples, answers)
        logger.info("Wrote %d test predictions (from %s)", len(answers), run.split_files["test"].name)
    summary = collect(run.config, paths, trainer=trainer, source=run.source, splits=splits,
                      split_files=run.split_files, results=results, baseline=baseline,
                      history=history, duration=time.monotonic() - run.started, predicted=predicted)
    _publish_model(run, summary)
    _describe("report.html", lambda: _write_report(run, summary, predicted))


def evaluate(trainer, features, metrics, split: str, prefix: str) -> dict:
    """``trainer.evaluate`` on one split with that split's compute_metrics (chunked evaluation
    maps each split's windows back to its own rows); collective under torchrun."""
    trainer.compute_metrics = metrics[split]
    return trainer.evaluate(features[split], metric_key_prefix=prefix)


def _describe(what: str, write) -> None:
    try:
        write()
    except Exception:  # a bug of ours, logged with its traceback; the job's results stay
        logger.exception("Could not write %s (the model and metrics are saved)", what)


def _predict(run) -> dict[str, tuple[list[dict], list[dict]]]:
    """The saved model's answers on the test split (else the validation split), as served."""
    split = "test" if "test" in run.splits else "validation"
    trainer, task = run.trainer, run.config.task
    # Without accelerate's mixed-precision wrapper: the file must say what the saved model
    # answers in float32, as served, not what bf16/fp16 autocast computed during training.
    model = trainer.accelerator.unwrap_model(trainer.model, keep_fp32_wrapper=False).eval()
    runner = InferenceRunner(task, model, trainer.processing_class, trainer.args.per_device_eval_batch_size)
    examples = run.splits[split]
    return {split: (examples, runner.predict(examples, task.parse_parameters({})))}


def _publish_model(run, summary) -> None:
    trainer, task, paths = run.trainer, run.config.task, run.paths
    paths.model.mkdir(parents=True, exist_ok=True)
    staging = artifacts.staging_dir(paths.model)
    try:
        trainer.save_model(str(staging))
        # The Trainer also pickles its arguments there; a model dir holds no pickles.
        (staging / "training_args.bin").unlink(missing_ok=True)
        artifacts.write_manifest(staging, artifacts.build_manifest(task, run.columns))
        artifacts.write_calibration(staging, [artifacts.request_record(task, ex)
                                              for ex in run.splits["validation"]])
        _describe("the model card", lambda: model_card.write(summary, staging / "README.md"))
        # Converted before publishing, so the model dir never shows a model without it.
        export_for_serving(staging, trainer.model.config, task.generates)
        artifacts.publish(staging, paths.model)
    except BaseException:
        artifacts.discard(paths.model)
        raise
    logger.info("Saved model to %s", paths.model)


def _write_report(run, summary, predicted) -> None:
    task, paths = run.config.task, run.paths
    sections = []
    for split, (examples, answers) in predicted.items():
        evidence = Evidence(split, examples, answers, summary.evaluations(), summary.baseline)
        sections += task.reports(evidence)
    for section in sections:
        for name, text in section.files.items():
            (paths.output_data / name).write_text(text, encoding="utf-8")
    page.write_report(paths.report, summary, sections)
    logger.info("Wrote %s", paths.report)


def _write_json(path: Path, data: dict) -> None:
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
