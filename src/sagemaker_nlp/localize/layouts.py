"""Where a site keeps its source pages and where each language's translation goes.

A layout names the source files of a site (``.md`` and ``.mdx``, relative to the site root) and
maps each one to its translated path for a language:

- ``nuxt`` (Nuxt Content i18n): ``content/path.md`` (or ``content/<src>/path.md`` when that
  folder exists) -> ``content/<lang>/path.md``
- ``hugo``: ``content/path.md`` (or ``path.<src>.md``) -> ``content/path.<lang>.md``
- ``docusaurus``: ``docs/path.md`` -> ``i18n/<lang>/docusaurus-plugin-content-docs/current/path.md``
  and ``blog/path.md`` -> ``i18n/<lang>/docusaurus-plugin-content-blog/path.md``
- ``mkdocs`` (mkdocs-static-i18n, suffix structure): ``docs/path.md`` -> ``docs/path.<lang>.md``
- ``--out PATTERN``: every page under the site -> the pattern with ``{lang}`` and ``{path}``

Files we wrote ourselves are also recognised by their front matter (see ``pages``), so a page in
a language not listed this run is never taken for a source.
"""
from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ..errors import ClientError

EXTENSIONS = (".md", ".mdx")
NAMES = ("nuxt", "hugo", "docusaurus", "mkdocs")
_SKIPPED_FOLDERS = {"node_modules", "__pycache__"}  # and every hidden folder (.git, .sagemaker-nlp)


@dataclass(frozen=True)
class Layout:
    """Sources and translated paths of one site, for the languages of this run."""

    name: str
    site: Path
    targets: tuple[str, ...]
    src_lang: str | None = None
    pattern: str | None = None  # --out

    def sources(self) -> list[PurePosixPath]:
        """Every source page, relative to the site root, sorted."""
        found = (path for root in self._source_roots() for path in _pages(self.site, root))
        return sorted({path for path in found if not self._is_translation(path)})

    def output(self, source: PurePosixPath, lang: str) -> PurePosixPath:
        """The translated page's path, relative to the site root."""
        if self.name == "pattern":
            return self._from_pattern(source, lang)
        if self.name == "nuxt":
            rest = source.relative_to(self._nuxt_source_root())
            return PurePosixPath("content", lang, rest)
        if self.name in ("hugo", "mkdocs"):
            return source.with_name(f"{_without_language(source, self.src_lang)}.{lang}{source.suffix}")
        plugin = {"docs": "docusaurus-plugin-content-docs/current", "blog": "docusaurus-plugin-content-blog"}
        top, *rest = source.parts
        return PurePosixPath("i18n", lang, plugin[top], *rest)

    # -- which files are sources ---------------------------------------------------------------
    def _source_roots(self) -> list[PurePosixPath]:
        if self.name == "nuxt":
            return [self._nuxt_source_root()]
        if self.name == "hugo":
            return [PurePosixPath("content")]
        if self.name == "mkdocs":
            return [PurePosixPath(_mkdocs_docs_dir(self.site))]
        if self.name == "docusaurus":
            return [PurePosixPath("docs"), PurePosixPath("blog")]
        return [PurePosixPath(".")]

    def _nuxt_source_root(self) -> PurePosixPath:
        if self.src_lang and (self.site / "content" / self.src_lang).is_dir():
            return PurePosixPath("content", self.src_lang)
        return PurePosixPath("content")

    def _is_translation(self, path: PurePosixPath) -> bool:
        if self.name == "nuxt":
            inside = path.relative_to("content").parts
            return len(inside) > 1 and inside[0] in self.targets
        if self.name in ("hugo", "mkdocs"):
            return _language_suffix(path) in self.targets
        if self.name == "pattern":
            absolute = (self.site / path).resolve()
            return any(absolute.is_relative_to(prefix) for prefix in self._pattern_prefixes())
        return False  # docusaurus: translations live under i18n/, which is not a source root

    # -- --out PATTERN -------------------------------------------------------------------------
    def _from_pattern(self, source: PurePosixPath, lang: str) -> PurePosixPath:
        filled = Path(self.pattern.replace("{lang}", lang).replace("{path}", str(source)))
        absolute = filled if filled.is_absolute() else Path.cwd() / filled
        return PurePosixPath(os.path.relpath(absolute, self.site.resolve()))

    def _pattern_prefixes(self) -> list[Path]:
        """The folder each language's pages go to (the pattern before ``{path}``)."""
        head = self.pattern.split("{path}", 1)[0]
        prefixes = []
        for lang in self.targets:
            folder = Path(head.replace("{lang}", lang) or ".")
            prefixes.append((folder if folder.is_absolute() else Path.cwd() / folder).resolve())
        return prefixes


def make_layout(site: Path, targets: tuple[str, ...], name: str | None = None,
                src_lang: str | None = None, out: str | None = None) -> Layout:
    """The layout asked for (``name``, or ``out`` for a pattern), else the one detected."""
    if not site.is_dir():
        raise ClientError(f"{site}: not a folder (give the site's root folder).")
    if out is not None:
        if "{lang}" not in out or "{path}" not in out or "{path}" in out.split("{lang}", 1)[0]:
            raise ClientError(f"--out {out!r}: the pattern needs {{lang}} and then {{path}}, "
                              "e.g. 'i18n/{lang}/{path}'.")
        return Layout("pattern", site, targets, src_lang, out)
    name = name or detect(site)
    if name not in NAMES:
        raise ClientError(f"--layout {name!r}: expected one of {', '.join(NAMES)}.")
    return Layout(name, site, targets, src_lang)


def detect(site: Path) -> str:
    """The site generator whose configuration file the site root holds; ``nuxt`` otherwise."""
    markers = {
        "docusaurus": ("docusaurus.config.js", "docusaurus.config.ts", "docusaurus.config.mjs"),
        "mkdocs": ("mkdocs.yml", "mkdocs.yaml"),
        "hugo": ("hugo.toml", "hugo.yaml", "hugo.json"),
    }
    for name, files in markers.items():
        if any((site / file).is_file() for file in files):
            return name
    # Older Hugo sites name their configuration config.toml; Nuxt has no such file.
    if (site / "config.toml").is_file() and (site / "archetypes").is_dir():
        return "hugo"
    return "nuxt"


def _pages(site: Path, root: PurePosixPath) -> Iterator[PurePosixPath]:
    base = site / root
    # os.walk does not follow symbolic links to folders: a link loop cannot hang the run.
    for folder, subfolders, files in os.walk(base):
        subfolders[:] = sorted(d for d in subfolders if not d.startswith(".") and d not in _SKIPPED_FOLDERS)
        for file in sorted(files):
            path = Path(folder) / file
            if path.suffix in EXTENSIONS and path.is_file():
                yield PurePosixPath(path.relative_to(site).as_posix())


def _language_suffix(path: PurePosixPath) -> str | None:
    """``es`` for ``post.es.md``; None for ``post.md``."""
    stem_suffix = PurePosixPath(path.stem).suffix
    return stem_suffix[1:] if stem_suffix else None


def _without_language(path: PurePosixPath, src_lang: str | None) -> str:
    """The stem without the source language's suffix (``post.en.md`` -> ``post``)."""
    if src_lang and _language_suffix(path) == src_lang:
        return PurePosixPath(path.stem).stem
    return path.stem


def _mkdocs_docs_dir(site: Path) -> str:
    """mkdocs.yml's ``docs_dir`` (default ``docs``); its ``!!python/...`` tags are not ours to run."""
    import yaml

    class _Permissive(yaml.SafeLoader):
        pass

    _Permissive.add_multi_constructor("", lambda loader, suffix, node: None)
    for name in ("mkdocs.yml", "mkdocs.yaml"):
        try:
            config = yaml.load((site / name).read_text(encoding="utf-8"), Loader=_Permissive)
        except (OSError, yaml.YAMLError):
            continue
        if isinstance(config, dict) and isinstance(config.get("docs_dir"), str):
            return PurePosixPath(config["docs_dir"]).as_posix()
    return "docs"
