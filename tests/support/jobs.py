"""Run the real training entry point on a temporary SageMaker base dir, and serve its output.

``train_job`` lays out ``input/config/hyperparameters.json`` and the channels exactly as SageMaker
does, then calls the ``train`` console script's ``main`` in process; ``client_for`` loads a model
dir with the real ``Predictor`` (synchronously) and returns the Flask test client.
"""
from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from sagemaker_nlp.paths import SageMakerPaths

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
Table = tuple[list[str], list[list[str]]]  # header, rows


def read_example_tsv(path: Path) -> Table:
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    return rows[0], rows[1:]


def example_splits(task: str) -> dict[str, Table]:
    """``examples/<task>/data``: split (train, dev, test) -> its table."""
    base = EXAMPLES / task / "data"
    return {split: read_example_tsv(base / split / f"{split}.tsv") for split in ("train", "dev", "test")}


def example_texts(data: dict[str, Table]) -> list[str]:
    """Every text of the splits (for building a tiny vocabulary), plus the warm-up text."""
    return [row[0] for _, rows in data.values() for row in rows] + ["warm up"]


@dataclass
class JobResult:
    paths: SageMakerPaths
    exit_code: int
    output: str

    @property
    def failure(self) -> str:
        file = self.paths.failure_file
        return file.read_text() if file.exists() else ""

    def results(self, name: str) -> dict:
        return json.loads((self.paths.output_data / f"{name}_results.json").read_text())


def write_tsv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["\t".join(header)] + ["\t".join(row) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def lay_out_job(base: Path, hyperparameters: dict, channels: dict[str, tuple[list[str], list[list[str]]]],
                model_dir: Path | None = None) -> SageMakerPaths:
    """``channels``: name -> (header, rows), written as ``<name>/<name>.tsv``."""
    paths = SageMakerPaths(Path(base))
    paths.input_config.mkdir(parents=True, exist_ok=True)
    paths.hyperparameters_file.write_text(
        json.dumps({k: v if isinstance(v, str) else json.dumps(v) for k, v in hyperparameters.items()})
    )
    for name, (header, rows) in channels.items():
        write_tsv(paths.channel(name) / f"{name}.tsv", header, rows)
    if model_dir is not None:
        import shutil

        shutil.copytree(model_dir, paths.channel("model"))
    return paths


def run_train(paths: SageMakerPaths, monkeypatch, capsys=None) -> JobResult:
    """Call the real entry point; SystemExit codes are captured like a process's exit status."""
    from sagemaker_nlp.training import cli

    monkeypatch.setenv("SAGEMAKER_BASE_DIR", str(paths.base))
    code = 0
    try:
        cli.main([])
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    output = capsys.readouterr().out if capsys is not None else ""
    return JobResult(paths, code, output)


def train_ok(base: Path, hyperparameters: dict, channels: dict,
             model_dir: Path | None = None) -> SageMakerPaths:
    """Lay out a job, run the real entry point, and insist that it succeeded."""
    paths = lay_out_job(base, hyperparameters, channels, model_dir)
    monkeypatch = pytest.MonkeyPatch()
    try:
        result = run_train(paths, monkeypatch)
    finally:
        monkeypatch.undo()
    assert result.exit_code == 0, result.failure
    return paths


def client_for(model_dir: Path, batch_size: int = 8, engine_options=None):
    """Flask test client over a synchronously loaded Predictor for ``model_dir`` (engine: auto,
    unless ``engine_options`` says otherwise)."""
    from sagemaker_nlp.serving.app import create_app
    from sagemaker_nlp.serving.predictor import Predictor
    from sagemaker_nlp.serving.settings import ServerSettings

    predictor = Predictor(Path(model_dir), batch_size=batch_size, engine_options=engine_options)
    predictor.load()
    assert predictor.ready.is_set(), predictor.error
    settings = ServerSettings.from_env()
    app = create_app(settings, predictor)
    app.config["TESTING"] = True
    return app.test_client()
