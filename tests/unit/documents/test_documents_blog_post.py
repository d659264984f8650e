"""The example blog post: which units come out, and a marked translation changes prose lines only
while every code block, inline code span, URL and front-matter key stays byte-identical."""

from __future__ import annotations

import difflib
from collections import Counter
from pathlib import Path
from unittest import mock

import pytest
import yaml

from sagemaker_nlp.documents import parse_document
from sagemaker_nlp.documents.inline import InlineUnit
from sagemaker_nlp.documents.lines import SourceLines
from sagemaker_nlp.documents.tags import split
from tests.support.markdown_structure import keeps, structure

POST = Path(__file__).resolve().parents[3] / "examples" / "translation" / "documents" / "blog-post.md"


@pytest.fixture(scope="module")
def source() -> str:
    return POST.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def doc(source):
    return parse_document(source, "markdown")


def marked(text: str) -> str:
    """Every prose piece wrapped in «…», the tags left exactly where they are."""
    out = []
    for part in split(text):
        if not isinstance(part, str):
            out.append(part.raw)
        elif part.strip():
            core = part.strip()
            out.append(part[: part.index(core)] + f"«{core}»" + part[part.index(core) + len(core) :])
        else:
            out.append(part)
    return "".join(out)


def test_the_fixture_has_what_the_issue_describes(source):
    front_matter = yaml.safe_load(source.split("---\n")[1])
    assert len(front_matter) == 10
    fences = [b for b in structure(source).blocks if b[0] == "fence"]
    assert len(fences) == 9 and {info for _, info, _ in fences} == {
        "shell",
        "bash",
        "sh",
        "python",
        "typescript",
    }


def test_units_are_the_prose_and_only_the_prose(doc):
    kinds = Counter(unit.kind for unit in doc.units)
    assert kinds == {
        "paragraph": 14,
        "heading": 9,
        "list_item": 10,
        "table_cell": 7,
        "front_matter": 3,
        "link_title": 3,
        "footnote": 2,
        "blockquote": 1,
        "alt": 1,
    }
    texts = [(unit.kind, unit.text) for unit in doc.units]
    assert texts[:8] == [
        ("front_matter", "Shipping a translation endpoint in an afternoon"),
        ("front_matter", "Serve a fine-tuned Marian model on SageMaker and keep your Markdown intact."),
        (
            "front_matter",
            "We deploy a translation model, send it whole blog posts, and check that every code "
            "block and link comes back untouched.",
        ),
        ("heading", "Shipping a translation endpoint in an afternoon"),
        (
            "paragraph",
            "Localizing documentation is mostly <g1>plumbing</g1>: the model is the easy part. This "
            "post walks through training, deploying and calling an endpoint, and shows how the <x1/> "
            "parameter keeps headings, lists and code exactly where you put them.",
        ),
        ("alt", "Architecture of the endpoint"),
        ("link_title", "Request flow"),
        ("heading", "Before you start"),
    ]
    assert (
        "blockquote",
        "<g1>Note:</g1> the endpoint bills by the hour, so delete it when you are done. "
        "The last section shows how.",
    ) in texts
    assert ("list_item", "pick an instance type (<x1/> is plenty);") in texts
    assert ("paragraph", "Questions? Open an issue on <g1>our tracker</g1> or write to <x1/>.") in texts
    assert ("footnote", "Training on one <x1/> for an hour costs about <g1>one dollar</g1>.") in texts
    # cells with nothing but code or a number are not units; the others are
    assert [t for k, t in texts if k == "table_cell"] == [
        "Setting",
        "Default",
        "What it does",
        "How the input is cut into units",
        "Requests batched per model call",
        "Front matter keys",
        "Which fields are translated",
    ]
    assert not any("import" in unit.text or "aws s3" in unit.text for unit in doc.units)


def test_identity_round_trip_is_byte_identical_also_through_the_general_path(doc, source):
    assert doc.render([unit.text for unit in doc.units]) == source

    def general(self, source, translation, pieces, child):
        return self.render_translation(translation, child)

    with mock.patch.object(InlineUnit, "render", general):
        assert doc.render([unit.text for unit in doc.units]) == source


def test_marked_translation_changes_exactly_the_prose_lines(doc, source):
    rendered = doc.render([marked(unit.text) for unit in doc.units])
    source_lines, rendered_lines = source.splitlines(), rendered.splitlines()
    assert len(rendered_lines) == len(source_lines)  # the wrapped paragraphs keep their line count
    prose_lines = _lines_of_units(doc, source)
    matcher = difflib.SequenceMatcher(a=source_lines, b=rendered_lines, autojunk=False)
    changed = {n for tag, a0, a1, _, _ in matcher.get_opcodes() if tag != "equal" for n in range(a0, a1)}
    assert changed and changed <= prose_lines
    assert changed == prose_lines  # and every line with prose did change


def test_marked_translation_keeps_code_urls_and_front_matter_keys(doc, source):
    rendered = doc.render([marked(unit.text) for unit in doc.units])
    assert keeps(structure(rendered), structure(source)) == []
    before, after = (yaml.safe_load(text.split("---\n")[1]) for text in (source, rendered))
    assert list(after) == list(before)
    assert {k: v for k, v in after.items() if k not in ("title", "description", "summary")} == {
        k: v for k, v in before.items() if k not in ("title", "description", "summary")
    }
    assert after["title"] == "«Shipping a translation endpoint in an afternoon»"
    for line in source.splitlines():
        if line.startswith(("[format]:", "[issues]:", "canonical_url:")):
            assert line in rendered.splitlines()  # reference definitions and URL values, titles included
    assert "Visit https://example.com/demo to try it" not in rendered
    assert "prose. Visit» https://example.com/demo «to try it, or read the» *«full»* «guide at»\n" in rendered


def _lines_of_units(doc, source: str) -> set[int]:
    lines = SourceLines(source)
    covered = set()
    for unit in doc.units:
        for number, (start, end) in enumerate(zip(lines.starts, lines.ends)):
            inside = source[max(start, unit.start) : min(end, unit.end)]
            if any(char.isalpha() for char in inside):  # (a block scalar's `>-` header is not prose)
                covered.add(number)
    return covered
