"""``localize(site, options, endpoint)``: the whole run, as the console script does it."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from .. import documents
from ..errors import ClientError
from .cache import Context, NoCache, SegmentCache
from .endpoints import Endpoint
from .layouts import make_layout
from .pages import read_page
from .report import Reporter, table
from .run import Outcome, Sending, Work, plan, run_pages

CACHE_FILE = Path(".sagemaker-nlp") / "localize-cache.sqlite"


@dataclass
class Options:
    targets: tuple[str, ...]
    src_lang: str | None = None
    layout: str | None = None  # nuxt, hugo, docusaurus, mkdocs; None: detected
    out: str | None = None  # a pattern with {lang} and {path}, instead of a layout
    model_key: str | None = None  # default: the endpoint's name or URL
    cache_path: Path | None = None  # default: <site>/.sagemaker-nlp/localize-cache.sqlite
    force: bool = False  # ignore the cache (results are still stored)
    dry_run: bool = False
    include_drafts: bool = False
    include_untranslated: bool = False  # translate: false pages too
    update_source: bool = False  # record translated_to in the source pages
    parameters: dict = field(default_factory=dict)  # more request parameters (num_beams, ...)
    concurrency: int = 4
    batch_units: int = 32
    batch_chars: int = 16000
    front_matter_keys: tuple[str, ...] = documents.DEFAULT_FRONT_MATTER_KEYS


@dataclass
class LanguageCounts:
    pages: int = 0  # pages with units to send (dry run) or translated
    written: int = 0
    unchanged: int = 0
    failed: int = 0
    units_sent: int = 0
    units_cached: int = 0
    pieces_sent: int = 0
    characters: int = 0  # of the units to send


@dataclass
class Summary:
    languages: dict[str, LanguageCounts]
    skipped: list[tuple[str, str]]  # (page, reason)
    failures: list[tuple[str, str, str]]  # (page, lang, reason)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.failures

    def report(self) -> str:
        if self.dry_run:
            rows = [[lang, c.pages, c.units_sent, c.characters] for lang, c in self.languages.items()]
            text = "would send (dry run):\n" + table(["lang", "pages", "units", "characters"], rows)
        else:
            header = ["lang", "written", "unchanged", "failed", "units sent", "from cache", "pieces sent"]
            rows = [[lang, c.written, c.unchanged, c.failed, c.units_sent, c.units_cached, c.pieces_sent]
                    for lang, c in self.languages.items()]
            total = [sum(row[column] for row in rows) for column in range(1, len(header))]
            text = table(header, [*rows, ["total", *total]])
        if self.skipped:
            text += f"\nskipped {len(self.skipped)} page(s): " + ", ".join(
                f"{page} ({reason})" for page, reason in self.skipped)
        return text


def localize(site: str | Path, options: Options, endpoint: Endpoint | None,
             reporter: Reporter | None = None) -> Summary:
    """Translate the site's pages into ``options.targets``; see the package docstring."""
    site = Path(site)
    targets = _checked_languages(options.targets)
    if options.src_lang in targets:
        raise ClientError(f"--to names the source language {options.src_lang!r}: its pages are the sources.")
    if endpoint is None and not options.dry_run:
        raise ClientError("give --url or --endpoint (only --dry-run runs without one).")
    model_key = options.model_key or (endpoint.key if endpoint else None)
    if not model_key:
        raise ClientError("--dry-run without --url or --endpoint needs --model-key (the cache key).")
    layout = make_layout(site, targets, options.layout, options.src_lang, options.out)
    cache_path = options.cache_path or site / CACHE_FILE
    cache = NoCache() if options.dry_run and not cache_path.exists() else SegmentCache(cache_path)
    parameters = json.dumps(options.parameters, sort_keys=True, ensure_ascii=False)
    reporter = reporter or Reporter()
    try:
        works, skipped, failures = _plan_site(layout, options, targets, model_key, parameters, cache)
        summary = Summary({lang: LanguageCounts() for lang in targets}, skipped, failures, options.dry_run)
        if options.dry_run:
            _count_plan(summary, works)
            return summary
        sending = Sending(endpoint, options.batch_units, options.batch_chars, options.parameters,
                          options.src_lang)
        reporter.start(sum(len(w.missing) for page in works for w in page), len(works))
        outcomes = run_pages(works, layout, cache, sending, reporter, options.concurrency,
                             options.update_source)
        reporter.close()
        _count_outcomes(summary, outcomes)
        return summary
    finally:
        cache.close()


def _checked_languages(codes) -> tuple[str, ...]:
    """The target codes, each once; a code names folders and files, so it must be a plain word."""
    targets = tuple(dict.fromkeys(codes))
    if not targets:
        raise ClientError("--to: give at least one language code, e.g. --to es,fr.")
    for code in targets:
        if not (isinstance(code, str) and code and all(c.isalnum() or c in "-_" for c in code)):
            raise ClientError(f"--to: {code!r} is not a language code (letters, digits, - and _ only).")
    return targets


def _plan_site(layout, options: Options, targets, model_key: str, parameters: str, cache):
    works: list[list[Work]] = []
    skipped, failures = [], []
    for path in layout.sources():
        try:
            page = read_page(layout.site, path)
        except (OSError, UnicodeError) as error:
            failures += [(str(path), lang, f"cannot read the page: {error}") for lang in targets]
            continue
        reason = page.skip_reason(options.include_drafts, options.include_untranslated)
        if reason:
            skipped.append((str(path), reason))
            continue
        page.parse(options.front_matter_keys)
        works.append([plan(page, lang, Context(model_key, lang, options.src_lang, parameters), cache,
                           options.force) for lang in targets])
    return works, skipped, failures


def _count_plan(summary: Summary, works: list[list[Work]]) -> None:
    for page_works in works:
        for work in page_works:
            counts = summary.languages[work.lang]
            counts.pages += bool(work.missing)
            counts.units_sent += len(work.missing)
            counts.units_cached += len(work.results)
            counts.characters += work.characters


def _count_outcomes(summary: Summary, outcomes: list[Outcome]) -> None:
    for outcome in outcomes:
        for lang, counts in summary.languages.items():
            counts.pages += 1
            counts.units_sent += outcome.sent.get(lang, 0)
            counts.units_cached += outcome.cached.get(lang, 0)
            counts.pieces_sent += outcome.pieces.get(lang, 0)
            if lang in outcome.failed:
                counts.failed += 1
                summary.failures.append((str(outcome.page.path), lang, outcome.failed[lang]))
            elif lang in outcome.written:
                counts.written += outcome.written[lang]
                counts.unchanged += not outcome.written[lang]
