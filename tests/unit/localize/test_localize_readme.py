"""README "Localizing a site" names only options the command has, and its commands parse."""
from __future__ import annotations

import shlex

import pytest
from markdown_it import MarkdownIt

from sagemaker_nlp.cli import build_parser
from tests.support.pins import REPO_ROOT


def section_tokens(title: str):
    tokens = MarkdownIt("commonmark").enable("table").parse((REPO_ROOT / "README.md").read_text("utf-8"))
    starts = [i for i, t in enumerate(tokens) if t.type == "inline" and t.content == title
              and tokens[i - 1].tag == "h2"]
    assert starts, f"README has no '## {title}'"
    end = next((i for i in range(starts[0] + 1, len(tokens))
                if tokens[i].type == "heading_open" and tokens[i].tag == "h2"), len(tokens))
    return tokens[starts[0]:end]


def localize_options() -> set[str]:
    subparsers = next(a for a in build_parser()._actions if a.dest == "command")
    return {option for action in subparsers.choices["localize"]._actions for option in action.option_strings}


def test_every_option_the_section_names_exists():
    spans = {child.content.split()[0].split("=")[0] for token in section_tokens("Localizing a site")
             if token.type == "inline" for child in token.children or []
             if child.type == "code_inline" and child.content.startswith("--")}
    assert spans and spans - localize_options() == set()


@pytest.mark.parametrize("line", [
    line for token in section_tokens("Localizing a site") if token.type == "fence" and token.info == "bash"
    for line in token.content.splitlines() if line.startswith("sagemaker-nlp localize")])
def test_the_section_commands_parse(line):
    words = shlex.split(line, comments=True)
    args = build_parser().parse_args(words[1:])
    assert args.command == "localize" and args.to
