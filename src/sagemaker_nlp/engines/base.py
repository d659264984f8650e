"""The engine interface and its PyTorch implementation (the reference every other engine
must match, and the fallback when another cannot load)."""
from __future__ import annotations

import numpy as np
import torch


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

    def generate(self, sources: list[list[int]], *, max_length: int, num_beams: int | None = None,
                 first_token: int | None = None) -> list[list[int]]:
        """Token ids generated for each unpadded source, greedy or beam search.

        ``max_length`` counts as in ``transformers``: the decoder start token, a forced first
        token and a forced end token included. ``first_token`` is forced as the first generated
        token (a target language code). Other decoding settings come from the model's
        ``generation_config``."""
        raise NotImplementedError(f"{self.name} cannot generate")


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

    def generate(self, sources, *, max_length, num_beams=None, first_token=None):
        pad = self.config.pad_token_id if self.config.pad_token_id is not None else 0
        width = max(len(ids) for ids in sources)
        input_ids = torch.full((len(sources), width), pad, dtype=torch.long)
        attention_mask = torch.zeros((len(sources), width), dtype=torch.long)
        for row, ids in enumerate(sources):  # right padding, as seq2seq tokenizers pad
            input_ids[row, :len(ids)] = torch.tensor(ids)
            attention_mask[row, :len(ids)] = 1
        kwargs = {"max_length": max_length}
        if num_beams:
            kwargs["num_beams"] = num_beams
        if first_token is not None:
            kwargs["forced_bos_token_id"] = first_token
        with torch.inference_mode(), self._running():
            output = self.model.generate(input_ids=input_ids.to(self.device),
                                         attention_mask=attention_mask.to(self.device), **kwargs)
        return output.cpu().tolist()


def as_engine(model_or_engine) -> Engine:
    """Engines pass through; a plain ``transformers`` model (training's evaluation) is wrapped."""
    if isinstance(model_or_engine, Engine):
        return model_or_engine
    return TorchEngine(model_or_engine)
