"""Section builders for numeric predictions: predicted against gold, and the residuals."""
from __future__ import annotations

import numpy as np

from .document import Figure, Section, Table


def scatter_section(gold: list[float], predicted: list[float], split: str) -> Section:
    gold_values, predicted_values = np.asarray(gold, float), np.asarray(predicted, float)
    residuals = predicted_values - gold_values
    low = float(min(gold_values.min(), predicted_values.min())) if len(gold) else 0.0
    high = float(max(gold_values.max(), predicted_values.max())) if len(gold) else 1.0

    def draw_scatter(ax):
        ax.scatter(gold_values, predicted_values, s=14, alpha=0.7)
        ax.plot([low, high], [low, high], color="tab:gray", linestyle="--", label="predicted = gold")
        ax.set_xlabel("gold")
        ax.set_ylabel("predicted")
        ax.legend()

    def draw_residuals(ax):
        ax.scatter(gold_values, residuals, s=14, alpha=0.7, color="tab:orange")
        ax.axhline(0, color="tab:gray", linestyle="--")
        ax.set_xlabel("gold")
        ax.set_ylabel("predicted - gold")

    summary = Table(["residuals", "value"], [
        ["mean", float(residuals.mean()) if len(gold) else None],
        ["standard deviation", float(residuals.std()) if len(gold) else None],
        ["largest |residual|", float(np.abs(residuals).max()) if len(gold) else None],
    ], f"Residuals on the {split} split ({len(gold)} examples)")
    return Section("Predicted against gold", [
        Figure(f"Predicted against gold on the {split} split", draw_scatter, (5.0, 4.2)),
        Figure(f"Residuals on the {split} split", draw_residuals, (5.0, 3.4)),
        summary,
    ])
