"""The run's guards that need no server: hostile language codes, missing endpoint or model key,
the source language as a target, pages without prose, and the progress lines."""
from __future__ import annotations

import io

import pytest

from sagemaker_nlp.errors import ClientError
from sagemaker_nlp.localize import HttpEndpoint, Options, Reporter, localize

CODE_ONLY = "---\ndate: 2026-01-01\n---\n\n```bash\nmake\n```\n"
NOWHERE = HttpEndpoint("http://127.0.0.1:9")  # never contacted: nothing needs sending


@pytest.mark.parametrize("codes", [("../etc",), ("es/../../x",), ("",), (), (".hidden",), ("e s",)])
def test_a_language_code_that_is_not_a_plain_word_is_refused(tmp_path, codes):
    with pytest.raises(ClientError, match="--to"):
        localize(tmp_path, Options(targets=codes, dry_run=True, model_key="k"), None)


def test_sending_needs_an_endpoint_and_a_dry_run_needs_a_model_key(tmp_path):
    with pytest.raises(ClientError, match="--url or --endpoint"):
        localize(tmp_path, Options(targets=("es",)), None)
    with pytest.raises(ClientError, match="--model-key"):
        localize(tmp_path, Options(targets=("es",), dry_run=True), None)


def test_a_page_without_prose_is_written_with_its_record_without_a_request(tmp_path):
    (tmp_path / "content").mkdir()
    (tmp_path / "content/build.md").write_text(CODE_ONLY, "utf-8")
    summary = localize(tmp_path, Options(targets=("es",)), NOWHERE, Reporter(io.StringIO()))
    assert summary.ok and summary.languages["es"].written == 1
    out = (tmp_path / "content/es/build.md").read_text("utf-8")
    assert out.startswith("---\ndate: 2026-01-01\nlang: es\nlocalized_from:\n  path: content/build.md\n")
    assert out.endswith("---\n\n```bash\nmake\n```\n")


def test_the_source_language_is_not_a_target(tmp_path):
    with pytest.raises(ClientError, match="source language 'en'"):
        localize(tmp_path, Options(targets=("en", "es"), src_lang="en"), NOWHERE)


def test_progress_lines_say_units_pages_and_eta_and_the_bar_is_tqdm():
    stream = io.StringIO()
    reporter = Reporter(stream, every_s=0, bar=False)
    reporter.start(total_units=10, total_pages=2)
    reporter.advance(5)
    reporter.page_done()
    reporter.close()
    lines = stream.getvalue().splitlines()
    assert lines[0].startswith("localize: 5/10 units sent, 0/2 pages done") and "ETA" in lines[0]
    assert lines[-1].startswith("localize: 5/10 units sent, 1/2 pages done")
    bar = io.StringIO()
    reporter = Reporter(bar, bar=True)
    reporter.start(total_units=4, total_pages=1)
    reporter.advance(4)
    reporter.close()
    assert "4/4" in bar.getvalue() and "unit" in bar.getvalue()
