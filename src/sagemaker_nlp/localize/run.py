"""The localize run: plan every (page, language) against the cache, send only the missing prose
units, put the translated pages where the layout says, and count what happened.

Per page and language: the page's units are looked up in the cache; the missing ones (each text
once) go to the endpoint in batches bounded by a unit count and a character count; a translation
that lost its unit's inline tags is replaced by the unit's plain pieces, translated in a second
request (``documents.Unit.plain_pieces``); every final result is cached as soon as it is known, so
a failed run keeps what it paid for. A page is written only when all its units came back; the
other pages are written regardless. Pages run in a bounded thread pool (one request in flight per
page at a time, so ``concurrency`` bounds the requests too).
"""
from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from .cache import Context, Result
from .endpoints import Endpoint, EndpointError
from .front_matter import REMOVE, FrontMatterError, with_fields
from .layouts import Layout
from .pages import MARKER, Page
from .report import Reporter

TRANSLATED_TO = "translated_to"  # --update-source: the languages a source page has been translated to


@dataclass
class Work:
    """One page in one language: what the cache has and which unit texts are missing."""

    page: Page
    lang: str
    context: Context
    results: dict[str, Result]
    missing: list[str]  # unit texts to send, each once, in document order

    @property
    def characters(self) -> int:
        return sum(len(text) for text in self.missing)


@dataclass
class Outcome:
    """What happened to one page (all its languages)."""

    page: Page
    written: dict[str, bool] = field(default_factory=dict)  # lang -> written (False: unchanged)
    failed: dict[str, str] = field(default_factory=dict)  # lang -> reason
    sent: dict[str, int] = field(default_factory=dict)  # lang -> units sent
    pieces: dict[str, int] = field(default_factory=dict)  # lang -> plain pieces sent
    cached: dict[str, int] = field(default_factory=dict)  # lang -> units found in the cache


@dataclass(frozen=True)
class Sending:
    endpoint: Endpoint | None
    batch_units: int
    batch_chars: int
    parameters: dict
    src_lang: str | None


def plan(page: Page, lang: str, context: Context, cache, force: bool) -> Work:
    units = page.document.units
    texts = list(dict.fromkeys(units[n].text for n in page.sent_units()))
    results = {} if force else {text: hit for text in texts if (hit := cache.get(context, text))}
    return Work(page, lang, context, results, [text for text in texts if text not in results])


def run_pages(works: list[list[Work]], layout: Layout, cache, sending: Sending, reporter: Reporter,
              concurrency: int, update_source: bool) -> list[Outcome]:
    """Translate and write each page (a list of its languages' Work); one Outcome per page."""
    def one(page_works: list[Work]) -> Outcome:
        outcome = Outcome(page_works[0].page)
        try:
            _translate_page(page_works, layout, cache, sending, reporter, outcome, update_source)
        except Exception as error:  # noqa: BLE001 - one page's failure must not stop the others
            for work in page_works:
                outcome.failed.setdefault(work.lang, f"internal error: {type(error).__name__}: {error}")
        reporter.page_done()
        return outcome

    with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
        return list(pool.map(one, works))


def _translate_page(works: list[Work], layout: Layout, cache, sending: Sending, reporter: Reporter,
                    outcome: Outcome, update_source: bool) -> None:
    rendered: dict[str, str] = {}
    for work in works:
        outcome.cached[work.lang] = len(work.results)
        try:
            sent, pieces = _complete(work, cache, sending, reporter)
            outcome.sent[work.lang], outcome.pieces[work.lang] = sent, pieces
            rendered[work.lang] = _render(work)
        except EndpointError as error:
            outcome.failed[work.lang] = str(error)
    _write_page(works[0].page, rendered, layout, outcome, update_source)


def _write_page(page: Page, rendered: dict[str, str], layout: Layout, outcome: Outcome,
                update_source: bool) -> None:
    """Each translation with its front matter record, and the source's ``translated_to``."""
    targets = {lang: layout.output(page.path, lang) for lang in rendered}
    try:
        source = _with_translated_to(page, targets) if update_source and targets else page.text
        # translated_to describes the source page, not its translations (they would change with it).
        record = {MARKER: {"path": str(page.path), "sha256": Page(page.path, source).sha256},
                  TRANSLATED_TO: REMOVE}
        texts = {lang: with_fields(rendered[lang], {"lang": lang, **record}) for lang in targets}
    except FrontMatterError as error:  # the same front matter in every language: all fail
        outcome.failed.update({lang: str(error) for lang in targets})
        return
    for lang, text in texts.items():
        outcome.written[lang] = write_if_changed(layout.site / targets[lang], text)
    if source != page.text:
        write_if_changed(layout.site / page.path, source)


def _with_translated_to(page: Page, languages) -> str:
    before = page.flags.get(TRANSLATED_TO)
    before = [str(lang) for lang in before] if isinstance(before, list) else []
    done = sorted(set(before) | set(languages))
    return page.text if done == before else with_fields(page.text, {TRANSLATED_TO: done})


def _complete(work: Work, cache, sending: Sending, reporter: Reporter) -> tuple[int, int]:
    """Fill ``work.results`` for every missing text; returns (units sent, pieces sent)."""
    by_text = {unit.text: unit for unit in work.page.document.units}
    broken: list[str] = []
    for batch in _batches(work.missing, sending.batch_units, sending.batch_chars):
        translations = _send(sending, batch, work.lang)
        fresh = {}
        for text, translation in zip(batch, translations):
            if by_text[text].is_valid(translation):
                fresh[text] = Result(translation)
            else:
                broken.append(text)
        work.results.update(fresh)
        cache.put(work.context, fresh)
        reporter.advance(len(batch))
    if not broken:
        return len(work.missing), 0
    pieces = {text: by_text[text].plain_pieces() for text in broken}
    prose = list(dict.fromkeys(piece for text in broken for piece in pieces[text] if _is_prose(piece)))
    translated = {}
    for batch in _batches(prose, sending.batch_units, sending.batch_chars):
        translated.update(zip(batch, _send(sending, batch, work.lang)))
    fresh = {text: Result("", tuple(translated.get(piece, piece) for piece in pieces[text]))
             for text in broken}
    work.results.update(fresh)
    cache.put(work.context, fresh)
    return len(work.missing), len(prose)


def _send(sending: Sending, texts: list[str], lang: str) -> list[str]:
    return sending.endpoint.translate(texts, lang, sending.src_lang, sending.parameters)


def _render(work: Work) -> str:
    document = work.page.document
    translations, pieces = [], {}
    for number, unit in enumerate(document.units):
        result = work.results.get(unit.text) if number not in work.page.kept else None
        if result is None:
            translations.append(unit.text)  # its own text: the unit renders as it stands
        elif result.pieces is not None:
            translations.append("")
            pieces[number] = list(result.pieces)
        else:
            translations.append(result.translation)
    return document.render(translations, pieces=pieces)


def _batches(texts: list[str], max_units: int, max_chars: int) -> Iterator[list[str]]:
    batch, size = [], 0
    for text in texts:
        if batch and (len(batch) >= max_units or size + len(text) > max_chars):
            yield batch
            batch, size = [], 0
        batch.append(text)
        size += len(text)
    if batch:
        yield batch


def _is_prose(piece: str) -> bool:
    """As the server decides for its own plain pieces: only pieces with letters are translated."""
    return any(character.isalpha() for character in piece)


def write_if_changed(path: Path, text: str) -> bool:
    """Write ``text`` (atomically) unless the file already holds it; True when written."""
    data = text.encode("utf-8")
    try:
        if path.read_bytes() == data:
            return False
    except OSError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return True
