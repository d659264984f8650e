"""Task registry: every supported task is one module here, registered by name."""
from .registry import available_tasks, get_task, register_task, task_for_model

# Importing the task modules registers them. For plain checkpoints (no manifest) the first task
# whose ``serves`` claims the config.json wins, so the more specific claims come first:
# summarization before translation, which takes any other seq2seq generator.
from . import classification  # noqa: F401,E402
from . import multilabel  # noqa: F401,E402
from . import regression  # noqa: F401,E402
from . import ner  # noqa: F401,E402
from . import layoutlm  # noqa: F401,E402
from . import summarization  # noqa: F401,E402
from . import translation  # noqa: F401,E402

__all__ = ["available_tasks", "get_task", "register_task", "task_for_model"]
