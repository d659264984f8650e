"""Every SageMaker path, built from one overridable base directory.

SageMaker mounts everything under ``/opt/ml``; tests and local runs point ``SAGEMAKER_BASE_DIR``
at a temporary directory instead. No other module spells out ``/opt/ml``.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_BASE_DIR = "/opt/ml"


@dataclass(frozen=True)
class SageMakerPaths:
    """The directory layout of a SageMaker training or serving container."""

    base: Path

    @classmethod
    def from_env(cls) -> SageMakerPaths:
        return cls(Path(os.environ.get("SAGEMAKER_BASE_DIR", DEFAULT_BASE_DIR)))

    @property
    def input_config(self) -> Path:
        return self.base / "input" / "config"

    @property
    def hyperparameters_file(self) -> Path:
        return self.input_config / "hyperparameters.json"

    @property
    def input_data_config_file(self) -> Path:
        return self.input_config / "inputdataconfig.json"

    @property
    def resource_config_file(self) -> Path:
        return self.input_config / "resourceconfig.json"

    @property
    def input_data(self) -> Path:
        return self.base / "input" / "data"

    def channel(self, name: str) -> Path:
        return self.input_data / name

    @property
    def model(self) -> Path:
        return self.base / "model"

    @property
    def models(self) -> Path:
        """Multi-model endpoints: SageMaker extracts each model under ``models/<name>/model``."""
        return self.base / "models"

    @property
    def output(self) -> Path:
        return self.base / "output"

    @property
    def output_data(self) -> Path:
        return self.output / "data"

    @property
    def tensorboard(self) -> Path:
        """Where SageMaker collects TensorBoard event files (``TensorBoardOutputConfig``'s
        default ``LocalPath``); it creates the folder when the job asks for TensorBoard."""
        return self.output / "tensorboard"

    @property
    def report(self) -> Path:
        return self.output_data / "report.html"

    @property
    def failure_file(self) -> Path:
        return self.output / "failure"

    @property
    def success_file(self) -> Path:
        return self.output / "success"

    @property
    def checkpoints(self) -> Path:
        return self.base / "checkpoints"
