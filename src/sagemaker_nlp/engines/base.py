"""The engine interface and its PyTorch implementation (the reference every other engine
must match, and the fallback when another cannot load)."""
from __future__ import annotations

import numpy as np
import torch

from ..generation import GenerationSettings

Hypotheses = list[list[int]]  # the token ids of each hypothesis generated for one source


class Engine:
    """What tasks call. ``config``/``generation_config`` are the Hugging Face objects of the
    model served, so tasks read label names and limits the same way whatever runs it."""

    name = "engine"
    model = None  # the torch module, when the engine runs one

    def __init__(self, config, generation_config=None, device: str = "cpu"):
        self.config = config
        self.generation_config = generation_config
        self.device = torch.device(device)

    def logits(self, batch: dict[str, torch.Tensor]) -> np.ndarray:
        """Float logits (numpy) for one padded batch of encoder inputs."""
        raise NotImplementedError(f"{self.name} cannot run encoder heads")

    def generate(self, sources: list[list[int]], settings: GenerationSettings) -> list[Hypotheses]:
        """The hypotheses generated for each unpadded source (``num_return_sequences`` of them,
        best first), as token ids that may hold special tokens (decoding skips them).

        ``settings.max_new_tokens`` is always set and counts a forced first token (the target
        language, ``settings.first_token``); what ``settings`` leaves unset comes from the model's
        ``generation_config``."""
        raise NotImplementedError(f"{self.name} cannot generate")

    def cannot_honour(self, settings: GenerationSettings) -> list[str]:
        """What in ``settings`` this engine cannot do as asked (the runner then hands the request
        to PyTorch); empty when it can do all of it."""
        return []


class TorchEngine(Engine):
    """The model as ``transformers`` runs it (float32 on CPU, the loaded dtype on GPU)."""

    def __init__(self, model, name: str | None = None, autocast: torch.dtype | None = None):
        super().__init__(model.config, getattr(model, "generation_config", None), str(model.device))
        self.model = model
        self.autocast = autocast  # run under torch.autocast to this dtype (None: as loaded)
        dtype = str(next(model.parameters()).dtype).replace("torch.", "")
        self.name = name or f"transformers-{dtype}"

    def _running(self):
        return torch.autocast(self.device.type, dtype=self.autocast, enabled=self.autocast is not None)

    def logits(self, batch):
        with torch.inference_mode(), self._running():
            batch = {key: value.to(self.device) for key, value in batch.items()}
            return self.model(**batch).logits.float().cpu().numpy()

    def generate(self, sources, settings):
        pad = self.config.pad_token_id if self.config.pad_token_id is not None else 0
        width = max(len(ids) for ids in sources)
        input_ids = torch.full((len(sources), width), pad, dtype=torch.long)
        attention_mask = torch.zeros((len(sources), width), dtype=torch.long)
        for row, ids in enumerate(sources):  # right padding, as seq2seq tokenizers pad
            input_ids[row, :len(ids)] = torch.tensor(ids)
            attention_mask[row, :len(ids)] = 1
        # max_length=None: the checkpoint's own would make transformers warn that two limits are
        # set (max_new_tokens wins either way, over the checkpoint's max_new_tokens too).
        kwargs = {**settings.given(), "max_length": None, **self._target(settings)}
        with torch.inference_mode(), self._running():
            output = self.model.generate(input_ids=input_ids.to(self.device),
                                         attention_mask=attention_mask.to(self.device), **kwargs)
        rows = output.cpu().tolist()
        per_source = len(rows) // len(sources)  # transformers returns each source's n in a row
        return [rows[i * per_source:(i + 1) * per_source] for i in range(len(sources))]

    def _target(self, settings: GenerationSettings) -> dict:
        """How the first token is forced: ``forced_bos_token_id``, or for SeamlessM4T, whose
        ``generate`` takes the language by name and starts the decoder with it, ``tgt_lang`` (the
        same sequence; the language token is then not counted as new, hence the budget - 1)."""
        if settings.first_token is None:
            return {}
        table = getattr(self.generation_config, "text_decoder_lang_to_code_id", None) or {}
        code = next((code for code, token in table.items() if token == settings.first_token), None)
        if code is None:
            return {"forced_bos_token_id": settings.first_token}
        fewer = {"max_new_tokens": max(1, settings.max_new_tokens - 1)}
        if settings.min_new_tokens:
            fewer["min_new_tokens"] = settings.min_new_tokens - 1
        return {"tgt_lang": code, **fewer}


def as_engine(model_or_engine) -> Engine:
    """Engines pass through; a plain ``transformers`` model (training's evaluation) is wrapped."""
    if isinstance(model_or_engine, Engine):
        return model_or_engine
    return TorchEngine(model_or_engine)
