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
               shape: Callable[[list[dict]], Any], answers: int = 1) -> Rounds:
    """The rounds that answer ``examples`` (whole documents) through their prose units, shaped
    by ``shape`` as if each document had been predicted whole. With several ``answers`` per
    input (``num_return_sequences``), each prediction holds that many texts, and the k-th
    answer is the document rendered from every unit's k-th text."""
    docs = [documents.parse_document(example["text"], options.format, options.front_matter_keys)
            for example in examples]
    units = [_unit_example(task, example, number, unit)
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
        retries = [_piece_example(task, examples[d], u, p, docs[d].units[u].plain_pieces()[p])
                   for d, u, p in asks]

        def finish(piece_predictions: list[dict]) -> Any:
            pieces = {(d, u, k): list(docs[d].units[u].plain_pieces())
                      for (d, k), units in broken.items() for u in units}
            for (d, u, p), prediction in zip(asks, piece_predictions):
                for k, text in enumerate(_texts(prediction, answers)):
                    if (d, u, k) in pieces:
                        pieces[(d, u, k)][p] = text
            return shape([_rendered(doc, translations[d], broken, pieces, d)
                          for d, doc in enumerate(docs)])

        return retries, finish

    return Rounds(units, then)


def _texts(prediction: dict, answers: int) -> list[str]:
    """A prediction's texts: its one ``pred``, or its list of them (several answers)."""
    texts = prediction["pred"] if answers > 1 else [prediction["pred"]]
    return list(texts)


def _rendered(doc, translations: list[list[str]], broken: dict, pieces: dict, d: int) -> dict:
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


def _is_prose(piece: str) -> bool:
    return any(character.isalpha() for character in piece)


def _unit_example(task, example: dict, number: int, unit) -> dict:
    return task.parse_example({"text": unit.text}, f"{example['where']} unit {number}",
                              with_labels=False)


def _piece_example(task, example: dict, unit: int, piece: int, text: str) -> dict:
    return task.parse_example({"text": text}, f"{example['where']} unit {unit} piece {piece}",
                              with_labels=False)
