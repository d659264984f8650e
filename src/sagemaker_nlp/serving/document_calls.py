"""Documents through the model: a request's texts cut into prose units, translated, spliced back.

For a task that translates documents (``Task.supports_documents``), every input text is a
document in the request's ``format``: ``text`` (the default: each line its own unit, so line
breaks and blank lines survive) or ``markdown`` (code, links, front matter keys... stay
byte-identical; see ``documents``). The model only ever sees the units, which share the
batcher's forward passes with every other request. A unit whose translation lost or broke its
inline markup is translated again as plain pieces between its markup (a second round), so a
link or a code span is never dropped. A response stream translates one document a window of
units at a time instead (``in_parts``) and sends the rendered document part by part.
"""
from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any

from .. import documents
from ..errors import ClientError

FORMAT, KEYS = "format", "front_matter_keys"


@dataclass(frozen=True)
class DocumentOptions:
    format: str = "text"
    front_matter_keys: tuple[str, ...] = documents.DEFAULT_FRONT_MATTER_KEYS


NONE = "none"  # each string is one unit, translated as it is (a client that cuts documents itself)


def pop_options(parameters: dict) -> DocumentOptions | None:
    """The document parameters, taken out of a request's parameters (the task sees the rest);
    None for ``format=none``."""
    fmt = parameters.pop(FORMAT, "text")
    if fmt not in (*documents.FORMATS, NONE):
        raise ClientError(f"parameter 'format' must be one of {', '.join(documents.FORMATS)} or "
                          f"{NONE}, got {fmt!r}.")
    keys = parameters.pop(KEYS, documents.DEFAULT_FRONT_MATTER_KEYS)
    if not isinstance(keys, (list, tuple)) or not all(isinstance(k, str) and k for k in keys):
        raise ClientError("parameter 'front_matter_keys' must be a list of front matter keys.")
    return None if fmt == NONE else DocumentOptions(fmt, tuple(keys))


@dataclass
class Rounds:
    """What a call needs run, in up to two rounds: ``examples`` first; ``then`` maps their
    predictions to more examples and a function that turns those predictions into the answer."""

    examples: list[dict]
    then: Callable[[list[dict]], tuple[list[dict], Callable[[list[dict]], Any]]]


def over_units(task, examples: list[dict], options: DocumentOptions,
               shape: Callable[[list[dict]], Any], answers: int = 1) -> Rounds:
    """The rounds that answer ``examples`` (whole documents) through their prose units, shaped
    by ``shape`` as if each document had been predicted whole. With several ``answers`` per
    input (``num_return_sequences``), each prediction holds that many texts, and the k-th
    answer is the document rendered from every unit's k-th text."""
    docs = [parse(example, options) for example in examples]
    units = [unit_example(task, example, number, unit)
             for example, doc in zip(examples, docs) for number, unit in enumerate(doc.units)]

    def then(unit_predictions: list[dict]):
        # translations[d][k]: the unit texts of document d in answer k
        translations, start = [], 0
        for doc in docs:
            mine = [_texts(p, answers) for p in unit_predictions[start:start + len(doc.units)]]
            translations.append([[texts[k] for texts in mine] for k in range(answers)])
            start += len(doc.units)
        broken = {(d, k): list(doc.invalid(translations[d][k]))
                  for d, doc in enumerate(docs) for k in range(answers)}
        retried = sorted({(d, u) for (d, _), units in broken.items() for u in units})
        asks = [(d, u, p) for d, u in retried
                for p, piece in enumerate(docs[d].units[u].plain_pieces()) if _is_prose(piece)]
        retries = [piece_example(task, examples[d], u, p, docs[d].units[u].plain_pieces()[p])
                   for d, u, p in asks]

        def finish(piece_predictions: list[dict]) -> Any:
            pieces = {(d, u, k): list(docs[d].units[u].plain_pieces())
                      for (d, k), units in broken.items() for u in units}
            for (d, u, p), prediction in zip(asks, piece_predictions):
                for k, text in enumerate(_texts(prediction, answers)):
                    if (d, u, k) in pieces:
                        pieces[(d, u, k)][p] = text
            return shape([_answers_rendered(doc, translations[d], broken, pieces, d)
                          for d, doc in enumerate(docs)])

        return retries, finish

    return Rounds(units, then)


def _texts(prediction: dict, answers: int) -> list[str]:
    """A prediction's texts: its one ``pred``, or its list of them (several answers)."""
    texts = prediction["pred"] if answers > 1 else [prediction["pred"]]
    return list(texts)


def _answers_rendered(doc, translations: list[list[str]], broken: dict, pieces: dict, d: int) -> dict:
    """Document ``d``'s answer: rendered once per answer, a unit that broke its markup put
    together from its plain pieces; ``fallback_units`` counts the units that had to."""
    rendered, fallen = [], set()
    for k, texts in enumerate(translations):
        mine = {u: pieces[(d, u, k)] for u in broken[(d, k)]}
        rendered.append(doc.render(texts, pieces=mine))
        fallen |= set(mine)
    answer = {"pred": rendered[0] if len(rendered) == 1 else rendered}
    if fallen:
        answer["fallback_units"] = len(fallen)
    return answer


@dataclass(frozen=True)
class Part:
    """A stretch of a document's translation, ready while the rest is still being translated."""

    input: int  # which of the call's documents
    text: str  # the next part of its rendered document: the parts joined are the whole answer
    units_done: int
    units: int


class _Progress:
    """One document being translated in windows: what is known, and what was already sent."""

    def __init__(self, doc):
        self.doc, self.needs = doc, doc.parts()
        self.translations: list[str | None] = [None] * len(doc.units)
        self.pieces: dict[int, list[str]] = {}
        self.done = 0  # units translated (and repaired), in document order
        self.part = 0  # parts sent

    def ready(self, complete: bool) -> str:
        """The parts not yet sent whose units are all translated (every part once complete)."""
        text, last = "", len(self.needs) if complete else len(self.needs) - 1
        while self.part < last and (complete or self.needs[self.part] <= self.done):
            text += self.doc.render_part(self.part, self.translations, self.pieces)
            self.part += 1
        return text


def in_parts(task, examples: list[dict], options: DocumentOptions,
             predict: Callable[[list[dict]], list[dict]], window: int) -> Generator[Part, None, list[dict]]:
    """Translate documents ``window`` units at a time, in order across documents (each window's
    broken units repaired before moving on), yielding each part of a rendered document once
    every unit it holds is translated; returns each document's answer, as ``over_units`` gives.
    One answer per input: a request for several (``num_return_sequences``) is not streamed in
    parts (``streaming.events`` sends its whole answer)."""
    progress = [_Progress(parse(example, options)) for example in examples]
    units = [(d, u) for d, p in enumerate(progress) for u in range(len(p.doc.units))]
    sent = 0  # documents before this one are wholly sent
    for start in range(0, len(units), window):
        chunk = units[start:start + window]
        found = predict([unit_example(task, examples[d], u, progress[d].doc.units[u]) for d, u in chunk])
        for (d, u), prediction in zip(chunk, found):
            progress[d].translations[u] = prediction["pred"]
        _repair(task, examples, progress, chunk, predict)
        current = chunk[-1][0]
        for d in range(sent, current + 1):
            p = progress[d]
            text = p.ready(d < current or p.done == len(p.doc.units))
            if text:
                yield Part(d, text, p.done, len(p.doc.units))
        sent = current
    for d in range(sent, len(progress)):
        p = progress[d]
        if text := p.ready(True):
            yield Part(d, text, p.done, len(p.doc.units))
    return [rendered(p.doc, p.translations, p.pieces) for p in progress]


def _repair(task, examples, progress: list[_Progress], chunk: list[tuple[int, int]], predict) -> None:
    """The second round for a window's broken units (all its documents' in one call)."""
    mine = {d: [u for dd, u in chunk if dd == d] for d, _ in chunk}  # in document order
    repairs = {d: repair_asks(progress[d].doc, progress[d].translations, numbers)
               for d, numbers in mine.items()}
    retries = [piece_example(task, examples[d], u, k, piece)
               for d, (_, asks) in repairs.items() for u, k, piece in asks]
    found = predict(retries) if retries else []
    for d, (broken, asks) in repairs.items():
        progress[d].pieces.update(repaired(progress[d].doc, broken, asks, found[:len(asks)]))
        found = found[len(asks):]
        progress[d].done = mine[d][-1] + 1


def parse(example: dict, options: DocumentOptions) -> documents.Document:
    return documents.parse_document(example["text"], options.format, options.front_matter_keys)


def repair_asks(doc, translations: list, among=None) -> tuple[list[int], list[tuple[int, int, str]]]:
    """The units (of ``among``) whose translation broke their markup, and (unit, piece, text)
    for each of their prose pieces: translated again alone, a second round."""
    broken = doc.invalid(translations, among)
    return broken, [(u, k, piece) for u in broken
                    for k, piece in enumerate(doc.units[u].plain_pieces()) if _is_prose(piece)]


def repaired(doc, broken: list[int], asks: list[tuple[int, int, str]],
             predictions: list[dict]) -> dict[int, list[str]]:
    """Each broken unit's pieces, the prose ones replaced by their translations."""
    pieces = {u: list(doc.units[u].plain_pieces()) for u in broken}
    for (u, k, _), prediction in zip(asks, predictions):
        pieces[u][k] = prediction["pred"]
    return pieces


def rendered(doc, translations: list, pieces: dict[int, list[str]]) -> dict:
    answer = {"pred": doc.render(translations, pieces=pieces)}
    if pieces:
        answer["fallback_units"] = len(pieces)
    return answer


def _is_prose(piece: str) -> bool:
    return any(character.isalpha() for character in piece)


def unit_example(task, example: dict, number: int, unit) -> dict:
    return task.parse_example({"text": unit.text}, f"{example['where']} unit {number}",
                              with_labels=False)


def piece_example(task, example: dict, unit: int, piece: int, text: str) -> dict:
    return task.parse_example({"text": text}, f"{example['where']} unit {unit} piece {piece}",
                              with_labels=False)
