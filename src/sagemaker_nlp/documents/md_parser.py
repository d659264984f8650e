"""The Markdown parser: markdown-it-py (CommonMark + GFM tables and strikethrough) with the
mdit-py-plugins for front matter, footnotes, dollar math and task lists.

markdown-it gives line maps for blocks but no offsets inside a paragraph. To locate inline
elements exactly, the inline rules whose syntax is not just raw text (code spans, links, images,
autolinks, inline HTML, footnote references, math) are wrapped: after a successful run the token
the rule pushed gets ``meta["span"] = (start, end)`` in the inline content. ``text_join`` is off so
that escapes and entities stay separate tokens whose ``markup`` is their raw source.
"""

from __future__ import annotations

import functools

from markdown_it import MarkdownIt
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.front_matter import front_matter_plugin
from mdit_py_plugins.tasklists import tasklists_plugin

SPAN = "span"

# rule name -> the token type that rule pushes and that gets the span
_LOCATED_RULES = {
    "backticks": ("code_inline",),
    "html_inline": ("html_inline",),
    "autolink": ("link_open",),
    "link": ("link_open",),
    "image": ("image",),
    "footnote_ref": ("footnote_ref",),
    "math_inline": ("math_inline", "math_inline_double"),
}


@functools.cache
def markdown_parser() -> MarkdownIt:
    md = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    md.use(front_matter_plugin).use(footnote_plugin).use(tasklists_plugin)
    # Pandoc's rule for $…$: no space inside the dollars, no digit after the closing one, so
    # prices ("$5 and $10") stay prose.
    md.use(dollarmath_plugin, allow_space=False, allow_digits=False, double_inline=True)
    md.disable(["text_join", "footnote_inline"])
    active = set(md.get_active_rules()["inline"])
    for name, token_types in _LOCATED_RULES.items():
        if name in active:
            md.inline.ruler.at(name, _located(md.inline.ruler, name, token_types))
    return md


def _located(ruler, name: str, token_types: tuple[str, ...]):
    rule = next(r.fn for r in ruler.__rules__ if r.name == name)

    def located_rule(state, silent: bool) -> bool:
        start, count = state.pos, len(state.tokens)
        matched = rule(state, silent)
        if matched and not silent:
            for token in state.tokens[count:]:
                if token.type in token_types and SPAN not in token.meta:
                    token.meta[SPAN] = (start, state.pos)
                    break
        return matched

    return located_rule
