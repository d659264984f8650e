"""Section builder for tagged entities: precision, recall and F1 per entity type (seqeval's
entity-level scores, the ones the metrics use), plus seqeval's text report as a file."""
from __future__ import annotations

from seqeval.metrics import classification_report

from .document import Figure, Section, Table

_AVERAGES = ("micro avg", "macro avg", "weighted avg")


def entity_section(gold: list[list[str]], predicted: list[list[str]], split: str) -> Section:
    scores = classification_report(gold, predicted, output_dict=True, zero_division=0)
    types = sorted(name for name in scores if name not in _AVERAGES)
    rows = [[name, float(scores[name]["precision"]), float(scores[name]["recall"]),
             float(scores[name]["f1-score"]), int(scores[name]["support"])]
            for name in (*types, *(a for a in _AVERAGES if a in scores))]
    f1 = [scores[name]["f1-score"] for name in types]

    def draw(ax):
        ax.barh(range(len(types)), f1, color="tab:green")
        ax.set_yticks(range(len(types)), types)
        ax.invert_yaxis()
        ax.set_xlim(0, 1)
        ax.set_xlabel("entity F1")

    text = classification_report(gold, predicted, digits=4, zero_division=0)
    return Section(
        "Entities by type",
        [Table(["entity type", "precision", "recall", "F1", "support"], rows,
               f"Entity-level scores on the {split} split (an entity counts when its type and "
               f"every word match)"),
         Figure(f"F1 per entity type on the {split} split", draw,
                (6.4, min(8.0, 1.2 + 0.35 * max(1, len(types)))))],
        files={f"{split}_classification_report.txt": text})
