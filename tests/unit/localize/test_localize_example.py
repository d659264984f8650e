"""examples/localize: the Nuxt site has what the README promises, and its workflow is valid YAML
that installs the light package, assumes a role through OIDC and commits pages and cache."""
from __future__ import annotations

import yaml

from sagemaker_nlp.localize.front_matter import read
from tests.support.jobs import EXAMPLES

SITE = EXAMPLES / "localize"


def test_the_workflow_runs_localize_on_push_and_commits_the_result():
    workflow = yaml.safe_load((SITE / ".github/workflows/localize.yml").read_text("utf-8"))
    assert workflow[True]["push"]["branches"] == ["main"]  # YAML 1.1 reads the key `on` as True
    assert workflow["permissions"] == {"contents": "write", "id-token": "write"}
    steps = workflow["jobs"]["localize"]["steps"]
    uses = [step.get("uses", "").split("@")[0] for step in steps]
    assert {"actions/checkout", "actions/setup-python", "aws-actions/configure-aws-credentials"} <= set(uses)
    runs = "\n".join(step.get("run", "") for step in steps)
    assert 'pip install "sagemaker-nlp[aws]"' in runs and "torch" not in runs
    assert "sagemaker-nlp localize . --to" in runs and "--endpoint ${{ vars.ENDPOINT }}" in runs
    assert ".sagemaker-nlp/localize-cache.sqlite" in runs and "git push" in runs


def test_the_example_site_has_nested_draft_and_untranslated_pages():
    pages = {path.relative_to(SITE / "content").as_posix(): read(path.read_text("utf-8"))
             for path in (SITE / "content").rglob("*.md")}
    assert any("/" in name for name, meta in pages.items() if not meta.get("draft"))
    assert [meta.get("draft") for meta in pages.values()].count(True) == 1
    assert [meta.get("translate") for meta in pages.values()].count(False) == 1
    assert (SITE / "nuxt.config.ts").is_file()
