"""Section builder for tagged entities: precision, recall and F1 per entity type (seqeval's
entity-level scores, the ones the metrics use), plus seqeval's text report as a file."""
from __future__ import annotations

from seqeval.metrics import classification_report

from .classes import f1_bars
from .document import Section, Table

_AVERAGES = ("micro avg", "macro avg", "weighted avg")


def entity_section(gold: list[list[str]], predicted: list[list[str]], split: str) -> Section:
    scores = classification_report(gold, predicted, output_dict=True, zero_division=0)
    types = sorted(name for name in scores if name not in _AVERAGES)
    rows = [[name, float(scores[name]["precision"]), float(scores[name]["recall"]),
             float(scores[name]["f1-score"]), int(scores[name]["support"])]
            for name in (*types, *(a for a in _AVERAGES if a in scores))]
    f1 = [scores[name]["f1-score"] for name in types]

    text = classification_report(gold, predicted, digits=4, zero_division=0)
    return Section(
        "Entities by type",
        [Table(["entity type", "precision", "recall", "F1", "support"], rows,
               f"Entity-level scores on the {split} split (an entity counts when its type and "
               f"every word match)"),
         f1_bars(f"F1 per entity type on the {split} split", types, f1, "entity F1", "tab:green")],
        files={f"{split}_classification_report.txt": text})
