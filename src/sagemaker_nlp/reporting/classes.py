"""Section builders for class predictions: a confusion matrix, per-class precision/recall/F1,
and (multi-label) per-class F1 with the decision threshold and how F1 moves with it."""
from __future__ import annotations

import numpy as np
from sklearn.metrics import confusion_matrix, f1_score, precision_recall_fscore_support

from .document import Figure, Paragraph, Section, Table

THRESHOLDS = np.round(np.arange(0.05, 1.0, 0.05), 2)


def confusion_matrix_section(gold: list[str], predicted: list[str], labels: list[str],
                             split: str) -> Section:
    """Rows: the gold class; columns: the predicted one; counts in the cells."""
    matrix = confusion_matrix(gold, predicted, labels=labels)
    side = min(10.0, 2.5 + 0.45 * len(labels))

    def draw(ax):
        image = ax.imshow(matrix, cmap="Blues")
        ax.figure.colorbar(image, ax=ax, shrink=0.8)
        ax.set_xticks(range(len(labels)), labels, rotation=45, ha="right")
        ax.set_yticks(range(len(labels)), labels)
        ax.set_xlabel("predicted")
        ax.set_ylabel("gold")
        if len(labels) <= 20:  # counts stay legible
            limit = matrix.max() / 2 if matrix.size else 0
            for (row, column), count in np.ndenumerate(matrix):
                ax.text(column, row, str(count), ha="center", va="center",
                        color="white" if count > limit else "black", fontsize=8)

    caption = f"Confusion matrix on the {split} split ({len(gold)} examples)"
    return Section("Confusion matrix", [Figure(caption, draw, (side + 1.2, side))])


def f1_bars(caption: str, names: list[str], f1, axis: str, color: str) -> Figure:
    """One horizontal bar per class (or entity type), F1 from 0 to 1, first name on top."""
    def draw(ax):
        ax.barh(range(len(names)), f1, color=color)
        ax.set_yticks(range(len(names)), names)
        ax.invert_yaxis()
        ax.set_xlim(0, 1)
        ax.set_xlabel(axis)

    return Figure(caption, draw, (6.4, min(8.0, 1.2 + 0.35 * max(1, len(names)))))


def per_class_section(gold, predicted, labels: list[str], split: str,
                      note: str = "") -> Section:
    """Precision, recall, F1 and support per class. ``gold``/``predicted``: one class name per
    example, or (multi-label) one 0/1 row per example over ``labels``."""
    multi_hot = bool(len(gold)) and isinstance(gold[0], (list, np.ndarray))
    options = {} if multi_hot else {"labels": labels}
    precision, recall, f1, support = precision_recall_fscore_support(
        gold, predicted, zero_division=0, **options)
    rows = [[label, float(p), float(r), float(f), int(s)]
            for label, p, r, f, s in zip(labels, precision, recall, f1, support)]
    blocks = [Table(["class", "precision", "recall", "F1", "support"], rows,
                    f"Per-class scores on the {split} split")]

    blocks.append(f1_bars(f"F1 per class on the {split} split", labels, f1, "F1", "tab:blue"))
    if note:
        blocks.insert(0, Paragraph(note))
    return Section("Per-class precision, recall and F1", blocks)


def threshold_section(gold: np.ndarray, scores: np.ndarray, labels: list[str], threshold: float,
                      split: str) -> Section:
    """Micro and macro F1 at each threshold, the job's threshold marked; per class, the
    threshold that would have given it the best F1."""
    micro = [f1_score(gold, scores >= t, average="micro", zero_division=0) for t in THRESHOLDS]
    macro = [f1_score(gold, scores >= t, average="macro", zero_division=0) for t in THRESHOLDS]

    def draw(ax):
        ax.plot(THRESHOLDS, micro, marker="o", label="micro F1")
        ax.plot(THRESHOLDS, macro, marker="s", label="macro F1")
        ax.axvline(threshold, color="tab:red", linestyle="--", label=f"threshold {threshold:g}")
        ax.set_xlabel("threshold")
        ax.set_ylabel("F1")
        ax.set_ylim(0, 1.05)
        ax.legend()

    rows = []
    for index, label in enumerate(labels):
        per_threshold = [f1_score(gold[:, index], scores[:, index] >= t, zero_division=0)
                         for t in THRESHOLDS]
        best = int(np.argmax(per_threshold))
        at_job = f1_score(gold[:, index], scores[:, index] >= threshold, zero_division=0)
        rows.append([label, float(at_job), float(THRESHOLDS[best]), float(per_threshold[best])])
    table = Table(["class", f"F1 at {threshold:g}", "best threshold", "F1 there"], rows,
                  f"Per-class F1 at the job's threshold and at each class's best ({split} split)")
    return Section("Decision threshold",
                   [Figure(f"F1 by threshold on the {split} split", draw), table])
