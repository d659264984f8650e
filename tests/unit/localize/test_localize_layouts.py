"""Each layout finds the source pages (never the translations) and names the translated paths."""
from __future__ import annotations

from pathlib import Path, PurePosixPath

import pytest

from sagemaker_nlp.errors import ClientError
from sagemaker_nlp.localize.layouts import detect, make_layout


def make_site(root: Path, files: list[str]) -> Path:
    for name in files:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("# x\n", "utf-8")
    return root


def test_nuxt_takes_content_minus_the_target_folders(tmp_path):
    site = make_site(tmp_path, ["content/index.md", "content/blog/a.mdx", "content/es/index.md",
                                "content/notes.txt", "content/.hidden/x.md", "node_modules/p/README.md"])
    layout = make_layout(site, ("es", "fr"), "nuxt")
    assert layout.sources() == [PurePosixPath("content/blog/a.mdx"), PurePosixPath("content/index.md")]
    assert layout.output(PurePosixPath("content/blog/a.mdx"), "fr") == PurePosixPath("content/fr/blog/a.mdx")


def test_nuxt_with_a_source_language_folder_mirrors_it(tmp_path):
    site = make_site(tmp_path, ["content/en/index.md", "content/en/guide/a.md", "content/de/index.md"])
    layout = make_layout(site, ("de",), "nuxt", src_lang="en")
    assert layout.sources() == [PurePosixPath("content/en/guide/a.md"), PurePosixPath("content/en/index.md")]
    assert layout.output(PurePosixPath("content/en/guide/a.md"), "de") == PurePosixPath(
        "content/de/guide/a.md")


def test_hugo_and_mkdocs_use_a_language_suffix_and_skip_suffixed_pages(tmp_path):
    site = make_site(tmp_path, ["content/post.md", "content/post.es.md", "content/about.en.md",
                                "content/v1.2.md"])
    layout = make_layout(site, ("es",), "hugo", src_lang="en")
    assert layout.sources() == [PurePosixPath(p) for p in
                                ("content/about.en.md", "content/post.md", "content/v1.2.md")]
    assert layout.output(PurePosixPath("content/about.en.md"), "es") == PurePosixPath("content/about.es.md")
    assert layout.output(PurePosixPath("content/v1.2.md"), "es") == PurePosixPath("content/v1.2.es.md")


def test_mkdocs_reads_docs_dir_even_with_python_tags(tmp_path):
    (tmp_path / "mkdocs.yml").write_text("docs_dir: site-docs\nx: !!python/name:os.system\n", "utf-8")
    make_site(tmp_path, ["site-docs/index.md", "docs/ignored.md"])
    assert detect(tmp_path) == "mkdocs"
    assert make_layout(tmp_path, ("fr",)).sources() == [PurePosixPath("site-docs/index.md")]


def test_docusaurus_puts_docs_and_blog_under_i18n(tmp_path):
    site = make_site(tmp_path, ["docs/intro.md", "blog/hello.md", "i18n/fr/x.md", "src/pages/a.md"])
    (site / "docusaurus.config.ts").write_text("export default {};\n", "utf-8")
    layout = make_layout(site, ("fr",))
    assert layout.name == "docusaurus"
    assert layout.sources() == [PurePosixPath("blog/hello.md"), PurePosixPath("docs/intro.md")]
    assert layout.output(PurePosixPath("docs/intro.md"), "fr") == PurePosixPath(
        "i18n/fr/docusaurus-plugin-content-docs/current/intro.md")
    assert layout.output(PurePosixPath("blog/hello.md"), "fr") == PurePosixPath(
        "i18n/fr/docusaurus-plugin-content-blog/hello.md")


def test_detection_falls_back_to_nuxt(tmp_path):
    assert detect(tmp_path) == "nuxt"
    (tmp_path / "hugo.toml").write_text("", "utf-8")
    assert detect(tmp_path) == "hugo"


def test_an_out_pattern_inside_the_site_excludes_its_own_output(tmp_path):
    site = make_site(tmp_path, ["a.md", "sub/b.md", "out/es/a.md"])
    layout = make_layout(site, ("es",), out=str(site / "out/{lang}/{path}"))
    assert layout.sources() == [PurePosixPath("a.md"), PurePosixPath("sub/b.md")]
    assert layout.output(PurePosixPath("sub/b.md"), "es") == PurePosixPath("out/es/sub/b.md")


@pytest.mark.parametrize("pattern", ["out/{path}", "out/{lang}", "{path}.{lang}.md"])
def test_an_out_pattern_needs_lang_then_path(tmp_path, pattern):
    with pytest.raises(ClientError, match=r"\{lang\} and then \{path\}"):
        make_layout(tmp_path, ("es",), out=pattern)


def test_unknown_layout_and_missing_site_are_user_errors(tmp_path):
    with pytest.raises(ClientError, match="--layout"):
        make_layout(tmp_path, ("es",), "jekyll")
    with pytest.raises(ClientError, match="not a folder"):
        make_layout(tmp_path / "nope", ("es",))
