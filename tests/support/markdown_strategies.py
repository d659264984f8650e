"""Hypothesis strategies: Markdown documents built from a grammar of blocks and inlines, and
hostile model outputs."""

from __future__ import annotations

from hypothesis import strategies as st

_LETTERS = st.sampled_from(list("abcdefghijklmnopqrstuvwxyzÄéßжя中文"))
word = st.text(_LETTERS, min_size=1, max_size=8)
words = st.lists(word, min_size=1, max_size=5).map(" ".join)
_ODD = st.sampled_from(
    [
        "\t",
        "\x00",
        "\u2028",
        "\u0085",
        "\u00a0",
        "&amp;",
        "&#35;",
        "\\*",
        "\\\\",
        "\\<g1>",
        "<x1/>",
        "</g2>",
        "*",
        "_",
        "~",
        "`",
        "|",
        "\\|",
        "$5",
        "#",
        "!",
        "[",
        "]",
        "(",
        ")",
        ":",
    ]
)
url = st.sampled_from(["https://example.com/a?b=1", "http://x.org/p_q", "www.example.net", "setup.py"])


def _code(content):
    return f"`{content}`" if "`" not in content else f"`` {content} ``"


inline_atom = st.one_of(
    words,
    words,
    words,
    st.builds(_code, st.text(st.sampled_from(list("ab |*_<>[]")), min_size=1, max_size=6).filter(str.strip)),
    words.map(lambda w: f"*{w}*"),
    words.map(lambda w: f"**{w}**"),
    words.map(lambda w: f"~~{w}~~"),
    st.builds(lambda t, u: f"[{t}]({u})", words, url),
    st.builds(lambda t, u, ti: f'[{t}]({u} "{ti}")', words, url, words),
    words.map(lambda w: f"[{w}][ref]"),
    st.just("[ref]"),
    st.just("[ref][]"),
    st.builds(lambda a, u: f"![{a}]({u})", words, url),
    st.builds(lambda a, t: f'![{a}](img.png "{t}")', words, words),
    url,
    url.map(lambda u: f"<{u if '://' in u else 'http://' + u}>"),
    words.map(lambda w: f"<span>{w}</span>"),
    st.just("$x^2$"),
    st.just("[^1]"),
    _ODD,
)
_BREAK = st.sampled_from([" ", " ", " ", "\n", "  \n", "\\\n", " \t"])


@st.composite
def inline(draw, max_atoms=8):
    atoms = draw(st.lists(inline_atom, min_size=1, max_size=max_atoms))
    out = atoms[0]
    for atom in atoms[1:]:
        out += draw(_BREAK) + atom
    return out.strip(" \t\n\\") or "word"


def _indent(block: str, prefix: str, first: str) -> str:
    lines = block.split("\n")
    return "\n".join([first + lines[0]] + [(prefix + line) if line else line for line in lines[1:]])


def _cell(text: str) -> str:
    return text.replace("\n", " ").replace("\\|", "|").replace("|", "\\|").strip() or "x"


leaf = st.one_of(
    inline(),
    inline(),
    st.builds(lambda n, t: "#" * n + " " + t.replace("\n", " "), st.integers(1, 6), inline(4)),
    st.builds(lambda t, u: t.replace("\n", " ") + "\n" + u, inline(4), st.sampled_from(["===", "---"])),
    st.builds(lambda info, body: f"```{info}\n{body}\n```", st.sampled_from(["", "python", "sh"]), inline()),
    inline(3).map(lambda body: "    " + body.replace("\n", "\n    ")),
    st.builds(
        lambda h1, h2, c1, c2: f"| {_cell(h1)} | {_cell(h2)} |\n| --- | :-: |\n| {_cell(c1)} | {_cell(c2)} |",
        inline(3),
        inline(3),
        inline(3),
        inline(3),
    ),
    words.map(lambda w: f"<div>\n{w}\n</div>"),
    st.just("***"),
    st.just('[ref]: https://ref.example/x "Ref title"'),
    inline(3).map(lambda t: "[^1]: " + t.replace("\n", " ")),
    st.just("$$\na^2 + b^2\n$$"),
)


def blocks(depth=2):
    if depth == 0:
        return leaf
    inner = st.lists(blocks(depth - 1), min_size=1, max_size=3).map("\n\n".join)
    return st.one_of(
        leaf,
        leaf,
        leaf,
        inner.map(lambda b: _indent(b, "> ", "> ")),
        st.lists(inner, min_size=1, max_size=3).map(
            lambda items: "\n".join(_indent(i, "  ", "- ") for i in items)
        ),
        st.lists(inner, min_size=1, max_size=3).map(
            lambda items: "\n".join(_indent(i, "   ", f"{n + 1}. ") for n, i in enumerate(items))
        ),
        inline(3).map(lambda t: "- [ ] " + t.replace("\n", " ")),
    )


front_matter = st.one_of(
    st.just(""),
    st.builds(lambda t, d: f'---\ntitle: {t}\ndescription: "{d}"\ndate: 2024-01-01\n---\n', words, words),
    st.builds(lambda t: f'+++\ntitle = "{t}"\nweight = 3\n+++\n', words),
)


@st.composite
def markdown_document(draw):
    body = "\n\n".join(draw(st.lists(blocks(), min_size=1, max_size=6)))
    text = draw(front_matter) + body + draw(st.sampled_from(["", "\n"]))
    return text.replace("\n", "\r\n") if draw(st.booleans()) else text


_HOSTILE = st.sampled_from(
    [
        "\n",
        "\r\n",
        "|",
        "# ",
        "- ",
        "1. ",
        "> ",
        "---",
        "===",
        "```",
        "`",
        "<x1/>",
        "<x2/>",
        "<g1>",
        "</g1>",
        "<g2>",
        "</g2>",
        "<x1>",
        "*",
        "[",
        "]",
        "](",
        "\\",
        "$$",
        "<div>",
        "&",
        "  \n",
        "+++",
        "[^1]: ",
        "    ",
        "~~~",
        "<!--",
        "'",
        '"',
        "#",
    ]
)
hostile_translation = st.lists(st.one_of(_HOSTILE, words, st.text(max_size=5)), max_size=8).map("".join)
