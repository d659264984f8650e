"""``sagemaker-nlp localize`` and the documents package run without the model stack (what a CI
job has after ``pip install 'sagemaker-nlp[aws]'``), and ``train``/``serve`` say what to install."""
from __future__ import annotations

import shutil

from tests.support.jobs import EXAMPLES
from tests.support.without_ml import run_without_ml


def test_the_blocker_really_blocks_the_model_stack():
    # The guarantee below must be able to fail: importing torch under the blocker is an error.
    result = run_without_ml("import torch")
    assert result.returncode != 0 and "No module named 'torch'" in result.stderr


def test_localize_help_and_a_dry_run_import_no_torch_transformers_or_numpy(tmp_path):
    site = tmp_path / "site"
    shutil.copytree(EXAMPLES / "localize", site)
    result = run_without_ml(
        "from sagemaker_nlp.cli import main\n"
        "try:\n    main(['localize', '--help'])\nexcept SystemExit as done:\n    assert done.code == 0\n"
        f"status = main(['localize', {str(site)!r}, '--to', 'es,fr', '--dry-run', '--model-key', 'k'])\n"
        "assert status == 0, status\n"
        "import sagemaker_nlp.documents, sagemaker_nlp.localize\n"
        "sagemaker_nlp.documents.parse_document('# Title\\n\\nText with `code`.', 'markdown')")
    assert result.returncode == 0, result.stderr
    assert "--endpoint" in result.stdout and "would send (dry run)" in result.stdout
    assert "LEAKED []" in result.stdout


def test_train_and_serve_name_the_missing_extra_instead_of_a_traceback():
    for command in ("train", "serve"):
        result = run_without_ml(f"from sagemaker_nlp import ml_stack\nml_stack.{command}()")
        assert result.returncode == 1, result.stderr
        assert "pip install 'sagemaker-nlp[ml]'" in result.stderr and "Traceback" not in result.stderr
        assert "missing: torch" in result.stderr
