"""How much memory a multi-model endpoint's models may use, and how much each one takes.

The budget is ``SAGEMAKER_NLP_MME_MEMORY_MB``, else ``SHARE`` of the container's memory (its
cgroup limit, else the machine's): the rest is for what a model needs while it runs (activations,
tokenized batches), Python and the libraries.

A model's footprint is counted, not sampled: the bytes of the weights its engine holds (every
tensor of the torch module, int8-packed ones included, shared ones once; a CTranslate2 model's
converted weights file) plus its tokenizer's files on disk, a proxy for its vocabulary tables.
The process's resident size would be the other measure, and the wrong one here: the first load
pulls in torch and transformers (hundreds of MB that are no model's), memory freed by an unload
stays with the allocator, and concurrent requests allocate while a model loads. Counted bytes are
the same on every run, so the budget decides the same way each time. Before a model is loaded its
footprint is estimated from its files (weights at their stored size), which is what makes room
for it; after loading the counted figure replaces the estimate.
"""
from __future__ import annotations

import os
from pathlib import Path

SHARE = 0.5  # of the container's memory, when SAGEMAKER_NLP_MME_MEMORY_MB is not set
MB = 1024 * 1024
WEIGHT_SUFFIXES = (".safetensors", ".bin", ".pt", ".pth")
TOKENIZER_NAMES = ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.json",
                   "vocab.txt", "merges.txt", "added_tokens.json")
TOKENIZER_SUFFIXES = (".spm", ".model")  # SentencePiece models (source.spm, spiece.model, ...)
_UNLIMITED = 1 << 60  # cgroup v1 writes a huge number for "no limit"


def budget_bytes(megabytes: float | None) -> int:
    """The budget: ``megabytes`` when set, else ``SHARE`` of the container's memory."""
    if megabytes is not None:
        return int(megabytes * MB)
    return int(SHARE * container_memory())


def container_memory() -> int:
    """Bytes this container may use: the cgroup limit (v2, then v1) when there is one, else the
    machine's memory."""
    total = _meminfo_total()
    for path in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            raw = Path(path).read_text().strip()
        except OSError:
            continue
        if raw.isdigit() and int(raw) < _UNLIMITED:
            return min(int(raw), total)
    return total


def _meminfo_total() -> int:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def estimate(model_dir: Path) -> int:
    """A model's footprint before loading it: its weight files (a converted CTranslate2 model's
    included) and tokenizer files, at their size on disk."""
    model_dir = Path(model_dir)
    weights = _files(model_dir, lambda p: p.suffix in WEIGHT_SUFFIXES)
    converted = _files(model_dir / "ctranslate2", lambda p: p.name == "model.bin")
    return weights + converted + tokenizer_bytes(model_dir)


def footprint(engine, model_dir: Path) -> int:
    """A loaded model's footprint: the bytes of the weights ``engine`` holds, plus its tokenizer
    files."""
    return engine_bytes(engine) + tokenizer_bytes(model_dir)


def engine_bytes(engine) -> int:
    if getattr(engine, "model", None) is not None:
        return tensor_bytes(engine.model.state_dict())
    weights = getattr(engine, "weights_dir", None)  # CTranslate2: the converted model it loaded
    return _files(Path(weights), lambda p: p.name == "model.bin") if weights else 0


def tensor_bytes(state) -> int:
    """Bytes of every tensor in a state dict, counted once each: dynamic int8 modules keep their
    packed weights in tuples, and tied weights share one storage."""
    import torch

    seen: set[int] = set()
    total, pending = 0, list(state.values()) if isinstance(state, dict) else [state]
    while pending:
        item = pending.pop()
        if isinstance(item, (tuple, list)):
            pending.extend(item)
        elif isinstance(item, torch.Tensor):
            key = item.data_ptr()
            if key in seen:
                continue
            seen.add(key)
            total += item.numel() * item.element_size()
    return total


def tokenizer_bytes(model_dir: Path) -> int:
    return _files(Path(model_dir), lambda p: p.name in TOKENIZER_NAMES or p.suffix in TOKENIZER_SUFFIXES)


def _files(folder: Path, wanted) -> int:
    """Total size of the files directly in ``folder`` that ``wanted`` picks (0 if no folder)."""
    try:
        return sum(p.stat().st_size for p in folder.iterdir() if p.is_file() and wanted(p))
    except OSError:
        return 0
