"""Run Python code in a subprocess where the model stack cannot be imported, as after a plain
``pip install sagemaker-nlp`` (no ``ml`` extra): importing torch, transformers, numpy... raises
ModuleNotFoundError. The code prints which of them got imported anyway (``LEAKED [...]``)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import sagemaker_nlp

BLOCKED = ("torch", "transformers", "numpy", "scipy", "sklearn", "tokenizers", "accelerate",
           "safetensors", "sentencepiece", "huggingface_hub", "ctranslate2", "flask", "gunicorn",
           "werkzeug", "sacrebleu", "seqeval", "rouge_score")

PRELUDE = f"""
import sys
BLOCKED = {BLOCKED!r}

class NoModelStack:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
        return None

sys.meta_path.insert(0, NoModelStack())
"""
EPILOGUE = """
print("LEAKED", sorted({name.split(".")[0] for name in sys.modules} & set(BLOCKED)), flush=True)
"""


def run_without_ml(code: str, cwd: Path | None = None, env: dict | None = None,
                   timeout: float = 120) -> subprocess.CompletedProcess:
    source_root = str(Path(sagemaker_nlp.__file__).resolve().parents[1])  # this checkout's src/
    environ = {**os.environ, **(env or {})}
    environ["PYTHONPATH"] = os.pathsep.join([source_root, environ.get("PYTHONPATH", "")])
    script = PRELUDE + "try:\n" + "".join(f"    {line}\n" for line in code.splitlines()) + \
        "finally:\n" + "".join(f"    {line}\n" for line in EPILOGUE.strip().splitlines())
    return subprocess.run([sys.executable, "-c", script], cwd=cwd, env=environ, capture_output=True,
                          text=True, timeout=timeout)
