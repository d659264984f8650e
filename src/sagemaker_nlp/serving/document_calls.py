"""Documents through the model: a request's texts cut into prose units, translated, spliced back.

For a task that translates documents (``Task.supports_documents``), every input text is a
document in the request's ``format``: ``text`` (the default: each line its own unit, so line
breaks and blank lines survive) or ``markdown`` (code, links, front matter keys... stay
byte-identical; see ``documents``). The model only ever sees the units, which share the
batcher's forward passes with every other request. A unit whose translation lost or broke its
inline markup is translated again as plain pieces between its markup (a second round), so a
link or a code span is never dropped.
"""
from __future__ import annotations

from collections.abc import Callable
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
               shape: Callable[[list[dict]], Any]) -> Rounds:
    """The rounds that answer ``examples`` (whole documents) through their prose units, shaped
    by ``shape`` as if each document had been predicted whole."""
    docs = [documents.parse_document(example["text"], options.format, options.front_matter_keys)
            for example in examples]
    units = [_unit_example(task, example, number, unit)
             for example, doc in zip(examples, docs) for number, unit in enumerate(doc.units)]

    def then(unit_predictions: list[dict]):
        translations, start = [], 0
        for doc in docs:
            translations.append([p["pred"] for p in unit_predictions[start:start + len(doc.units)]])
            start += len(doc.units)
        broken = [(d, u) for d, doc in enumerate(docs) for u in doc.invalid(translations[d])]
        asks = [(d, u, k) for d, u in broken
                for k, piece in enumerate(docs[d].units[u].plain_pieces()) if _is_prose(piece)]
        retries = [_piece_example(task, examples[d], u, k, docs[d].units[u].plain_pieces()[k])
                   for d, u, k in asks]

        def finish(piece_predictions: list[dict]) -> Any:
            pieces = {(d, u): list(docs[d].units[u].plain_pieces()) for d, u in broken}
            for (d, u, k), prediction in zip(asks, piece_predictions):
                pieces[(d, u)][k] = prediction["pred"]
            answers = []
            for d, doc in enumerate(docs):
                mine = {u: pieces[(d, u)] for dd, u in broken if dd == d}
                answer = {"pred": doc.render(translations[d], pieces=mine)}
                if mine:
                    answer["fallback_units"] = len(mine)
                answers.append(answer)
            return shape(answers)

        return retries, finish

    return Rounds(units, then)


def _is_prose(piece: str) -> bool:
    return any(character.isalpha() for character in piece)


def _unit_example(task, example: dict, number: int, unit) -> dict:
    return task.parse_example({"text": unit.text}, f"{example['where']} unit {number}",
                              with_labels=False)


def _piece_example(task, example: dict, unit: int, piece: int, text: str) -> dict:
    return task.parse_example({"text": text}, f"{example['where']} unit {unit} piece {piece}",
                              with_labels=False)
