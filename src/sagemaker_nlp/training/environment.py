"""SageMaker's config files -> the ``SM_*`` environment a Hugging Face DLC script would see.

The platform sets none of these; the SageMaker training toolkit derives them from
``resourceconfig.json``, ``inputdataconfig.json`` and the hyperparameters. We compute the same
values so user code and familiar tooling keep working, without depending on that toolkit.
"""
from __future__ import annotations

import json
import logging
import os
import socket
from pathlib import Path
from typing import Any

import torch

from ..errors import ClientError

logger = logging.getLogger(__name__)


def _read_json(path: Path) -> dict:
    if not path.is_file():
        return {}
    try:
        return json.loads(path.read_text(encoding="utf-8") or "{}")
    except ValueError as error:
        raise ClientError(f"{path.name} is not valid JSON: {error}") from None


def resource_config(paths) -> dict[str, Any]:
    """``resourceconfig.json``, or a single-host stand-in when it is absent (local runs)."""
    config = _read_json(paths.resource_config_file)
    if not config:
        host = socket.gethostname()
        config = {"current_host": host, "hosts": [host], "network_interface_name": "eth0"}
    config["hosts"] = sorted(config.get("hosts") or [config["current_host"]])
    return config


def input_data_config(paths) -> dict[str, Any]:
    """``inputdataconfig.json``; Pipe mode is refused since TSV files must be read as files."""
    config = _read_json(paths.input_data_config_file)
    for channel, settings in config.items():
        if str(settings.get("TrainingInputMode", "File")).lower() == "pipe":
            raise ClientError(
                f"Channel '{channel}' uses Pipe input mode, which this container does not support; "
                f"use File or FastFile."
            )
    return config


def channel_names(paths, data_config: dict[str, Any]) -> list[str]:
    names = set(data_config)
    if paths.input_data.is_dir():
        names |= {p.name for p in paths.input_data.iterdir() if p.is_dir()}
    return sorted(names)


def sm_environment(paths, hyperparameters: dict[str, Any]) -> dict[str, str]:
    """The ``SM_*`` variables, as strings (JSON for lists and dicts, like the toolkit)."""
    resources = resource_config(paths)
    data_config = input_data_config(paths)
    channels = channel_names(paths, data_config)
    num_gpus = torch.cuda.device_count() if torch.cuda.is_available() else 0
    env: dict[str, Any] = {
        "SM_MODEL_DIR": str(paths.model),
        "SM_CHANNELS": channels,
        "SM_HPS": hyperparameters,
        "SM_CURRENT_HOST": resources["current_host"],
        "SM_HOSTS": resources["hosts"],
        "SM_NETWORK_INTERFACE_NAME": resources.get("network_interface_name", "eth0"),
        "SM_NUM_GPUS": num_gpus,
        "SM_NUM_CPUS": os.cpu_count() or 1,
        "SM_INPUT_DIR": str(paths.base / "input"),
        "SM_INPUT_CONFIG_DIR": str(paths.input_config),
        "SM_OUTPUT_DIR": str(paths.output),
        # Our metrics and predictions go straight into output/data (one writer: rank 0).
        "SM_OUTPUT_DATA_DIR": str(paths.output_data),
        "SM_OUTPUT_INTERMEDIATE_DIR": str(paths.output / "intermediate"),
        "SM_CHECKPOINT_DIR": str(paths.checkpoints),
        "SM_RESOURCE_CONFIG": resources,
        "SM_INPUT_DATA_CONFIG": data_config,
        "SM_USER_ARGS": [word for key in sorted(hyperparameters)
                         for word in (f"--{key}", _as_text(hyperparameters[key]))],
    }
    for channel in channels:
        env[f"SM_CHANNEL_{channel.upper()}"] = str(paths.channel(channel))
    for key, value in hyperparameters.items():
        env[f"SM_HP_{key.upper()}"] = value
    return {key: _as_text(value) for key, value in env.items()}


def _as_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def export_sm_environment(paths, hyperparameters: dict[str, Any]) -> dict[str, str]:
    env = sm_environment(paths, hyperparameters)
    for key, value in env.items():
        os.environ.setdefault(key, value)
    return env
