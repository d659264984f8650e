"""``sagemaker-nlp localize`` against the real ``serve`` on 127.0.0.1 (a subprocess, gunicorn and
all) with a tiny NLLB-shaped model, behind a relay that counts every unit the client sends and
can fail on purpose (tests/support/relay.py). The model is random: its translations are garbage,
so the checks are on files, front matter and what was sent.

One server for the module; each test has its own copy of the site and its own relay.
"""
from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import pytest
import yaml

from sagemaker_nlp import cli
from sagemaker_nlp.documents import parse_document
from tests.benchmarks.common import Server
from tests.support.jobs import EXAMPLES
from tests.support.relay import Relay
from tests.support.tiny_seq2seq import save_tiny_nllb
from tests.support.without_ml import run_without_ml

SITE = EXAMPLES / "localize"
# Every relay has its own port, hence URL: one model key keeps the cache across them.
FAST = ["--parameter", "max_new_tokens=6", "--progress-every", "0", "--model-key", "tiny-nllb"]
TRANSLATED = ["content/index.md", "content/blog/first-trip.md", "content/guide/install.md"]
SKIPPED = ["content/blog/winter-plans.md", "content/legal/imprint.md"]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    words = [line for page in SITE.rglob("*.md") for line in page.read_text("utf-8").splitlines() if line]
    words += ["Install the tool and read the guide.", "A short page about trains."]
    model = save_tiny_nllb(tmp_path_factory.mktemp("nllb"), words)
    with Server(model) as running:
        yield running


@pytest.fixture
def relay(server):
    with Relay(server.url) as running:
        yield running


@pytest.fixture
def site(tmp_path) -> Path:
    shutil.copytree(SITE, tmp_path / "site")
    return tmp_path / "site"


def localize(site: Path, relay: Relay, *extra: str) -> int:
    return cli.main(["localize", str(site), "--to", "es,fr", "--src-lang", "en", "--url", relay.url,
                     *FAST, *extra])


def logged_requests(server: Server) -> int:
    return Path(server.log.name).read_text("utf-8").count("POST /invocations:")


def front_matter(text: str) -> dict:
    return yaml.safe_load(text.split("---\n")[1])


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_nuxt_pages_appear_per_language_with_lang_and_source_record(site, relay, capsys):
    sources = {path: (site / path).read_bytes() for path in TRANSLATED + SKIPPED}
    assert localize(site, relay) == 0
    for page in TRANSLATED:
        for lang in ("es", "fr"):
            out = site / "content" / lang / page.removeprefix("content/")
            meta = front_matter(out.read_text("utf-8"))
            assert meta["lang"] == lang
            assert meta["localized_from"] == {"path": page, "sha256": sha256(site / page)}
    # Front matter keys that are not prose stay; the title is translated (the model's garbage).
    trip = front_matter((site / "content/es/blog/first-trip.md").read_text("utf-8"))
    assert trip["date"].isoformat() == "2026-03-14" and trip["tags"] == ["travel", "trains"]
    assert "pip install timetable" in (site / "content/fr/guide/install.md").read_text("utf-8")
    for page in SKIPPED:  # draft: true and translate: false
        assert not (site / "content/es" / page.removeprefix("content/")).exists()
    assert {path: (site / path).read_bytes() for path in sources} == sources  # sources untouched
    assert (site / ".sagemaker-nlp/localize-cache.sqlite").is_file()
    report = capsys.readouterr().out
    assert "winter-plans.md (draft: true)" in report and "imprint.md (translate: false)" in report


def test_a_second_run_sends_nothing_and_editing_one_paragraph_sends_exactly_that_unit(
        site, relay, server, capsys):
    assert localize(site, relay) == 0
    first = len(relay.seen.units())
    assert first > 10
    relay.seen.clear()
    before = logged_requests(server)
    assert localize(site, relay) == 0
    assert relay.seen.requests == [] and logged_requests(server) == before
    assert re.search(r"^total\s+0\s+6\s+0\s+0\s+\d+\s+0$", capsys.readouterr().out, re.MULTILINE)

    page = site / "content/guide/install.md"
    edited = "The app lists every train that leaves within the hour."
    page.write_text(page.read_text("utf-8").replace(
        "The app shows every train leaving in the next hour.", edited), "utf-8")
    assert localize(site, relay) == 0
    # One unit per language; the server logged those requests and no other.
    assert sorted(relay.seen.units()) == [edited, edited]
    assert logged_requests(server) - before == len(relay.seen.requests)
    out = capsys.readouterr().out
    assert re.search(r"^es\s+1\s+2\s+0\s+1\s", out, re.MULTILINE), out
    record = front_matter((site / "content/es/guide/install.md").read_text("utf-8"))["localized_from"]
    assert record["sha256"] == sha256(page)


def test_a_page_the_endpoint_fails_is_reported_and_not_written_while_the_others_are(
        site, server, capsys):
    page = site / "content/blog/first-trip.md"
    page.write_text(page.read_text("utf-8") + "\nThe POISON paragraph.\n", "utf-8")
    with Relay(server.url, fail_marker="POISON") as failing:
        status = localize(site, failing, "--retries", "1")
    assert status == 1
    assert not (site / "content/es/blog/first-trip.md").exists()
    assert not (site / "content/fr/blog/first-trip.md").exists()
    for other in ("index.md", "guide/install.md"):
        assert (site / "content/es" / other).is_file() and (site / "content/fr" / other).is_file()
    assert [r["status"] for r in failing.seen.requests].count(500) >= 2  # retried, then given up
    err = capsys.readouterr().err
    assert "FAILED content/blog/first-trip.md [es]" in err and "HTTP 500" in err
    # Fixed endpoint: only what was never translated is sent again, and the page is written.
    with Relay(server.url) as healthy:
        assert localize(site, healthy) == 0
    assert (site / "content/es/blog/first-trip.md").is_file()
    sent = healthy.seen.units()
    assert "The POISON paragraph." in sent
    assert not any("short guides" in text for text in sent)  # index.md came from the cache


def test_dry_run_prints_the_cost_and_sends_nothing(site, relay, capsys):
    assert localize(site, relay, "--dry-run") == 0
    assert relay.seen.requests == []
    assert not (site / "content/es").exists() and not (site / ".sagemaker-nlp").exists()
    out = capsys.readouterr().out
    texts = [{u.text for u in parse_document((site / p).read_text("utf-8"), "markdown").units}
             for p in TRANSLATED]  # each page's unit texts, each sent once
    units, characters = sum(map(len, texts)), sum(len(text) for page in texts for text in page)
    assert re.search(rf"^es\s+3\s+{units}\s+{characters}$", out, re.MULTILINE), out
    assert re.search(rf"^fr\s+3\s+{units}\s+{characters}$", out, re.MULTILINE), out


def test_skipped_pages_are_translated_when_asked_and_force_resends_everything(site, relay):
    assert localize(site, relay, "--include-drafts", "--include-untranslated") == 0
    assert (site / "content/es/blog/winter-plans.md").is_file()
    assert (site / "content/fr/legal/imprint.md").is_file()
    sent = len(relay.seen.units())
    relay.seen.clear()
    assert localize(site, relay, "--include-drafts", "--include-untranslated", "--force") == 0
    assert len(relay.seen.units()) == sent


def test_update_source_records_translated_to_and_the_record_matches_the_updated_source(site, relay):
    assert localize(site, relay, "--update-source") == 0
    source = site / "content/index.md"
    text = source.read_text("utf-8")
    assert front_matter(text)["translated_to"] == ["es", "fr"]
    assert text.startswith("---\ntitle: Welcome to the travel notes\n")  # the rest as it was
    record = front_matter((site / "content/fr/index.md").read_text("utf-8"))["localized_from"]
    assert record["sha256"] == sha256(source)
    stamp = {p: p.stat().st_mtime_ns for p in site.rglob("*.md")}
    relay.seen.clear()
    assert localize(site, relay, "--update-source") == 0
    assert relay.seen.requests == [] and {p: p.stat().st_mtime_ns for p in site.rglob("*.md")} == stamp


PAGE = "---\ntitle: A short page about trains\n---\n\nInstall the tool and read the guide.\n"
LAYOUTS = {
    "hugo": ({"hugo.toml": "baseURL = '/'\n", "content/about.md": PAGE, "content/docs/setup.md": PAGE},
             ["content/about.es.md", "content/docs/setup.es.md"]),
    "docusaurus": ({"docusaurus.config.js": "module.exports = {};\n", "docs/intro.md": PAGE,
                    "docs/guides/setup.md": PAGE, "blog/2026-01-01-hello.md": PAGE},
                   ["i18n/es/docusaurus-plugin-content-docs/current/intro.md",
                    "i18n/es/docusaurus-plugin-content-docs/current/guides/setup.md",
                    "i18n/es/docusaurus-plugin-content-blog/2026-01-01-hello.md"]),
    "mkdocs": ({"mkdocs.yml": "site_name: x\ndocs_dir: pages\n", "pages/index.md": PAGE,
                "pages/user/setup.md": PAGE}, ["pages/index.es.md", "pages/user/setup.es.md"]),
}


@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_each_layout_is_detected_and_gets_its_translated_paths(tmp_path, relay, name):
    files, expected = LAYOUTS[name]
    for path, text in files.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text, "utf-8")
    assert cli.main(["localize", str(tmp_path), "--to", "es", "--url", relay.url, *FAST]) == 0
    written = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.md")
                     if p.relative_to(tmp_path).as_posix() not in files)
    assert written == sorted(expected)
    assert front_matter((tmp_path / expected[0]).read_text("utf-8"))["lang"] == "es"
    # The translations are not taken for sources on the next run (nothing sent).
    relay.seen.clear()
    assert cli.main(["localize", str(tmp_path), "--to", "es", "--url", relay.url, *FAST]) == 0
    assert relay.seen.requests == []


def test_an_out_pattern_puts_pages_where_it_says(tmp_path, relay):
    (tmp_path / "docs/deep").mkdir(parents=True)
    (tmp_path / "docs/deep/page.md").write_text(PAGE, "utf-8")
    out = str(tmp_path / "build/{lang}/{path}")
    assert cli.main(["localize", str(tmp_path / "docs"), "--to", "de", "--url", relay.url,
                     "--out", out, *FAST]) == 0
    assert front_matter((tmp_path / "build/de/deep/page.md").read_text("utf-8"))["lang"] == "de"


MDX = """---
title: Install on every system
---
import Tabs from '@theme/Tabs';
import TabItem from '@theme/TabItem';

export const versions = ['1.0', '2.0'];

# Install the tool

<Tabs groupId="os">
<TabItem value="mac" label="macOS">

Install the tool and read the guide.

</TabItem>
</Tabs>

<Callout type="info" />
"""


def test_an_mdx_page_keeps_its_imports_exports_and_jsx_blocks(tmp_path, relay):
    (tmp_path / "docusaurus.config.ts").write_text("export default {};\n", "utf-8")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs/install.mdx").write_text(MDX, "utf-8")
    assert cli.main(["localize", str(tmp_path), "--to", "es", "--url", relay.url, *FAST]) == 0
    out = (tmp_path / "i18n/es/docusaurus-plugin-content-docs/current/install.mdx").read_text("utf-8")
    kept = ["import Tabs from '@theme/Tabs';\nimport TabItem from '@theme/TabItem';\n",
            "export const versions = ['1.0', '2.0'];\n", '<Tabs groupId="os">\n<TabItem value="mac" '
            'label="macOS">\n', "</TabItem>\n</Tabs>\n", '<Callout type="info" />\n']
    assert [block for block in kept if block not in out] == []
    sent = relay.seen.units()
    assert "Install the tool and read the guide." in sent and "Install the tool" in sent
    assert not any("import" in text or "export" in text for text in sent)


def test_the_boto3_path_signs_requests_survives_throttling_and_reports_a_model_error(
        site, server, monkeypatch, capsys):
    for name, value in (("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"), ("AWS_SECRET_ACCESS_KEY", "secret"),
                        ("AWS_SESSION_TOKEN", "token")):
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(site / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(site / "no-aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    page = site / "content/blog/first-trip.md"
    page.write_text(page.read_text("utf-8") + "\nThe POISON paragraph.\n", "utf-8")
    with Relay(server.url, fail_marker="POISON", throttle=1) as runtime:
        status = cli.main(["localize", str(site), "--to", "es", "--endpoint", "translator",
                           "--region", "eu-west-1", "--endpoint-url", runtime.url, "--retries", "1", *FAST])
        statuses = [request["status"] for request in runtime.seen.requests]
    assert status == 1
    assert statuses[0] == 400 and 200 in statuses  # throttled once, retried by botocore
    assert (site / "content/es/index.md").is_file() and not (site / "content/es/blog/first-trip.md").exists()
    err = capsys.readouterr().err
    assert "FAILED content/blog/first-trip.md [es]: ModelError" in err
    assert statuses.count(500) == 2  # the container's 500, retried once by our loop


def test_a_run_without_the_model_stack_translates_the_site(site, relay):
    # What a CI job has after `pip install 'sagemaker-nlp[aws]'`: no torch, transformers, numpy.
    argv = ["localize", str(site), "--to", "es", "--url", relay.url, *FAST]
    result = run_without_ml(f"from sagemaker_nlp.cli import main\nassert main({argv!r}) == 0")
    assert result.returncode == 0, result.stderr
    assert "LEAKED []" in result.stdout
    assert (site / "content/es/guide/install.md").is_file() and relay.seen.units()
