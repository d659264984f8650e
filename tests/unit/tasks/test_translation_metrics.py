"""BLEU, chrF and chrF++ figures agree with sacreBLEU's own command-line tool on fixed files."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from sagemaker_nlp.tasks.translation import translation_metrics

REFERENCES = [
    "El gato está en la mesa.",
    "Me gusta leer libros por la noche.",
    "La reunión empieza a las diez.",
    "¿Dónde está la estación de tren más cercana?",
    "Mi maleta no llegó con el vuelo.",
]
HYPOTHESES = [
    "El gato está sobre la mesa.",
    "Me gusta leer por la noche.",
    "La reunión comienza a las diez.",
    "¿Dónde está la estación de tren?",
    "Mi equipaje no llegó con el vuelo.",
]


def _sacrebleu_cli(tmp_path: Path, *metric_args: str) -> list[float]:
    ref, hyp = tmp_path / "ref.es", tmp_path / "hyp.es"
    ref.write_text("\n".join(REFERENCES) + "\n", encoding="utf-8")
    hyp.write_text("\n".join(HYPOTHESES) + "\n", encoding="utf-8")
    executable = shutil.which("sacrebleu") or str(Path(sys.executable).with_name("sacrebleu"))
    if not Path(executable).exists():
        pytest.skip("the sacrebleu command is not installed")
    output = subprocess.run(
        [executable, str(ref), "-i", str(hyp), "-b", "-w", "4", *metric_args],
        check=True, capture_output=True, text=True,
    ).stdout
    value = json.loads(output)  # one metric: a number; several: a JSON list
    return value if isinstance(value, list) else [value]


def test_bleu_and_chrf_match_the_sacrebleu_cli(tmp_path):
    bleu, chrf = _sacrebleu_cli(tmp_path, "-m", "bleu", "chrf")
    ours = translation_metrics(HYPOTHESES, REFERENCES)
    assert ours["bleu"] == pytest.approx(bleu, abs=1e-4)
    assert ours["chrf"] == pytest.approx(chrf, abs=1e-4)
    assert 0 < ours["bleu"] < 100 and 0 < ours["chrf"] < 100


def test_chrf_plus_plus_matches_the_cli_with_word_order_2(tmp_path):
    (chrf_pp,) = _sacrebleu_cli(tmp_path, "-m", "chrf", "--chrf-word-order", "2")
    assert translation_metrics(HYPOTHESES, REFERENCES)["chrf_plus_plus"] == pytest.approx(chrf_pp, abs=1e-4)


def test_identical_output_scores_100():
    metrics = translation_metrics(REFERENCES, REFERENCES)
    assert metrics == pytest.approx({"bleu": 100.0, "chrf": 100.0, "chrf_plus_plus": 100.0})


def test_compute_metrics_decodes_trainer_arrays(tmp_path):
    """-100 padding (from the Trainer) and language tokens never reach the metric."""
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer
    from transformers.trainer_utils import EvalPrediction

    from sagemaker_nlp.tasks.translation import TranslationOptions, TranslationTask
    from tests.support.tiny_seq2seq import save_tiny_m2m100

    directory = save_tiny_m2m100(tmp_path / "m2m", REFERENCES + HYPOTHESES)
    tokenizer = AutoTokenizer.from_pretrained(directory)
    task = TranslationTask(TranslationOptions(target_lang="es"))
    task.prepare(AutoModelForSeq2SeqLM.from_pretrained(directory), tokenizer)
    rows = tokenizer(text_target=REFERENCES)["input_ids"]
    width = max(map(len, rows)) + 2
    padded = np.array([row + [-100] * (width - len(row)) for row in rows])
    metrics = task.compute_metrics(EvalPrediction(predictions=padded, label_ids=padded))
    assert metrics["bleu"] == pytest.approx(100.0) and metrics["chrf_plus_plus"] == pytest.approx(100.0)
    assert metrics["gen_len"] == pytest.approx(np.mean([len(row) for row in rows]))
