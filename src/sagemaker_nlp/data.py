"""Tab-separated channel files -> validated examples for the train, validation and test splits.

Layouts accepted (design.md section 3): channels ``train``, ``validation`` (or ``dev``) and
``test`` each holding one ``.tsv``/``.csv`` file, or the older single ``train`` channel holding
``train.csv``, ``dev.csv`` and ``test.csv``. Every cell is read as a string: quotes are text and
``NA``/``null`` are words. Errors name the file, line and column.
"""
from __future__ import annotations

import csv
import logging
import random
import sys
from pathlib import Path

from .errors import ClientError

logger = logging.getLogger(__name__)

DATA_SUFFIXES = (".tsv", ".csv", ".txt")
SPLIT_CHANNELS = {"train": ("train",), "validation": ("validation", "dev"), "test": ("test",)}
LEGACY_FILE_STEMS = {"train": "train", "validation": "dev", "test": "test"}

# Long texts (documents, LayoutLM pages) exceed csv's default 128 KiB field limit.
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


def find_split_files(data_dir: Path) -> dict[str, Path]:
    """Map split name -> file, from the channel layout under ``data_dir``."""
    files: dict[str, Path] = {}
    for split, channels in SPLIT_CHANNELS.items():
        for channel in channels:
            channel_dir = data_dir / channel
            if channel_dir.is_dir():
                files[split] = _single_data_file(channel_dir, split)
                break
    train_dir = data_dir / "train"
    if train_dir.is_dir():
        # The older layout: train.csv, dev.csv, test.csv side by side in the train channel.
        legacy = {split: _stem_file(train_dir, stem) for split, stem in LEGACY_FILE_STEMS.items()}
        if legacy["train"] is not None:
            files["train"] = legacy["train"]
            for split in ("validation", "test"):
                if split not in files and legacy[split] is not None:
                    files[split] = legacy[split]
    if "train" not in files:
        raise ClientError(
            f"No training data: expected a 'train' channel with one .tsv/.csv file under {data_dir}."
        )
    return files


def _stem_file(directory: Path, stem: str) -> Path | None:
    for suffix in DATA_SUFFIXES:
        candidate = directory / f"{stem}{suffix}"
        if candidate.is_file():
            return candidate
    return None


def _single_data_file(channel_dir: Path, split: str) -> Path:
    candidates = sorted(
        p for p in channel_dir.iterdir() if p.is_file() and p.suffix.lower() in DATA_SUFFIXES
    )
    if split == "train" and len(candidates) > 1:
        legacy = _stem_file(channel_dir, "train")
        if legacy is not None:
            return legacy
    if len(candidates) != 1:
        found = ", ".join(p.name for p in candidates) or "nothing"
        raise ClientError(
            f"Channel '{channel_dir.name}' must hold exactly one .tsv/.csv file; found {found}."
        )
    return candidates[0]


def read_rows(path: Path, columns: dict[str, str], required: tuple[str, ...]):
    """Yield ``(cells, where)`` per data row; ``columns`` maps canonical name -> header name."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        try:
            header = next(reader)
        except StopIteration:
            raise ClientError(f"{path.name}: the file is empty; expected a header row.") from None
        except UnicodeDecodeError as error:
            raise ClientError(f"{path.name}: not UTF-8 text ({error}).") from None
        header = [name.strip() for name in header]
        positions = {}
        for canonical, name in columns.items():
            if name in header:
                positions[canonical] = header.index(name)
            elif canonical in required:
                raise ClientError(
                    f"{path.name}:1: missing column '{name}'. The header has: "
                    f"{', '.join(header)}. Files are tab-separated with a header row."
                )
        try:
            for cells in reader:
                where = f"{path.name}:{reader.line_num}"
                if not any(cell.strip() for cell in cells):
                    continue  # blank line
                if len(cells) != len(header):
                    raise ClientError(
                        f"{where}: expected {len(header)} tab-separated columns "
                        f"({', '.join(header)}), found {len(cells)}."
                    )
                yield {canonical: cells[i] for canonical, i in positions.items()}, where
        except UnicodeDecodeError as error:
            raise ClientError(f"{path.name}: not UTF-8 text ({error}).") from None


def load_split(path: Path, task, columns: dict[str, str], with_labels: bool = True) -> list[dict]:
    required = ("text", *task.extra_columns) + (("labels",) if with_labels else ())
    examples = [
        task.parse_example(cells, where, with_labels=with_labels)
        for cells, where in read_rows(path, columns, required)
    ]
    if not examples:
        raise ClientError(f"{path.name}: no data rows after the header.")
    return examples


def load_splits(data_dir: Path, task, columns: dict[str, str], validation_fraction: float,
                seed: int) -> dict[str, list[dict]]:
    """Examples for train, validation and (if given) test; carves validation from train if absent."""
    files = find_split_files(data_dir)
    splits = {split: load_split(path, task, columns) for split, path in files.items()}
    for split, path in files.items():
        logger.info("Read %d %s examples from %s", len(splits[split]), split, path)
    if "validation" not in splits:
        splits["train"], splits["validation"] = carve_validation(
            splits["train"], validation_fraction, seed
        )
    return splits


def carve_validation(train: list[dict], fraction: float, seed: int):
    """Split a reproducible validation set off the training examples (seeded shuffle)."""
    if len(train) < 2:
        raise ClientError("Need at least 2 training rows to carve a validation split; add a dev file.")
    count = min(len(train) - 1, max(1, round(len(train) * fraction)))
    order = list(range(len(train)))
    random.Random(seed).shuffle(order)
    held_out = set(order[:count])
    logger.warning(
        "No validation channel: holding out %d of %d training rows (%.0f%%, seed %d) for evaluation.",
        count, len(train), 100 * fraction, seed,
    )
    return ([ex for i, ex in enumerate(train) if i not in held_out],
            [ex for i, ex in enumerate(train) if i in held_out])
