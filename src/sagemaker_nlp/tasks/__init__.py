"""Task registry: every supported task is one module here, registered by name."""
# Importing the task modules registers them. For plain checkpoints (no manifest) the first task
# whose ``serves`` claims the config.json wins, so the more specific claims come first:
# summarization before translation, which takes any other seq2seq generator.
from . import (
    classification,  # noqa: F401
    layoutlm,  # noqa: F401
    multilabel,  # noqa: F401
    ner,  # noqa: F401
    regression,  # noqa: F401
    summarization,  # noqa: F401
    translation,  # noqa: F401
)
from .registry import available_tasks, get_task, register_task, task_for_model

__all__ = ["available_tasks", "get_task", "register_task", "task_for_model"]
