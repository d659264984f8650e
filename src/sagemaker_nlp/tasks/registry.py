"""Name -> Task class registry; ``@register_task`` adds a class, ``get_task`` finds it.

The only place where task names are compared: everything else asks the task object.
"""
from __future__ import annotations

import difflib

from ..errors import ClientError

_TASKS: dict[str, type] = {}
_CANONICAL: dict[str, str] = {}


def register_task(name: str, aliases: tuple[str, ...] = ()):
    """Class decorator: make a Task subclass reachable as ``name`` and each alias."""

    def decorate(cls):
        cls.name = name
        for key in (name, *aliases):
            normalized = _normalize(key)
            if normalized in _TASKS:
                raise ValueError(f"task name {key!r} is registered twice")
            _TASKS[normalized] = cls
            _CANONICAL[normalized] = name
        return cls

    return decorate


def _normalize(name: str) -> str:
    return name.strip().lower().replace("_", "-")


def available_tasks() -> list[str]:
    """Every accepted task name, aliases included, sorted."""
    return sorted(_TASKS)


def get_task(name: str) -> type:
    """The Task class registered as ``name``; a ClientError lists the known names otherwise."""
    cls = _TASKS.get(_normalize(str(name)))
    if cls is None:
        close = difflib.get_close_matches(_normalize(str(name)), _TASKS, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise ClientError(
            f"Unknown task_name {name!r}.{hint} Known tasks: {', '.join(available_tasks())}."
        )
    return cls


def task_for_hf_task(name: str):
    """A task object for ``HF_TASK``: a registered name or alias, else a class that claims the
    Hugging Face pipeline name (``translation_en_to_fr``); a ClientError lists known names."""
    try:
        return get_task(name)()
    except ClientError:
        for cls in dict.fromkeys(_TASKS.values()):
            task = cls.from_hf_task(name)
            if task is not None:
                return task
        raise


def task_for_model(config) -> type | None:
    """The task whose ``serves_config`` claims a plain Hugging Face ``config.json`` (no manifest)."""
    for cls in dict.fromkeys(_TASKS.values()):
        if cls.serves_config(config):
            return cls
    return None
