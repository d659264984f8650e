"""Name -> Task class registry: ``@register_task`` declares a task, ``get_task`` finds it.

Everything a task declares about how it is *found* lives here, not on the class: its names,
which plain Hugging Face checkpoints it serves (``serves``), which ``HF_TASK`` pipeline names it
parses (``hf_task``), and variants (``layoutlm`` is ``ner`` with boxes, chosen by ``use_bbox``).
The only place where task names are compared: everything else asks the task object.
"""
from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass

from ..errors import ClientError


@dataclass(frozen=True)
class Registration:
    cls: type
    serves: Callable | None  # config -> bool: a plain checkpoint with this config.json fits
    hf_task: Callable | None  # HF_TASK name -> options, or None when the name is not this task's
    variant_of: str | None  # the base task's name
    chosen_by: str | None  # the boolean option of the base task that selects this variant


_TASKS: dict[str, type] = {}
_REGISTRATIONS: dict[str, Registration] = {}  # canonical name -> declaration, in import order


def register_task(name: str, aliases: tuple[str, ...] = (), *, serves: Callable | None = None,
                  hf_task: Callable | None = None, variant_of: str | None = None,
                  chosen_by: str | None = None):
    """Class decorator: make a Task subclass reachable as ``name`` and each alias.

    ``variant_of``/``chosen_by``: this task is the base task with ``options.<chosen_by>`` set
    (a job naming the base task with that option runs this class; naming this task with the
    option off is a contradiction the user hears about)."""
    if (variant_of is None) != (chosen_by is None):
        raise ValueError("variant_of and chosen_by go together")

    def decorate(cls):
        cls.name = name
        for key in (name, *aliases):
            normalized = _normalize(key)
            if normalized in _TASKS:
                raise ValueError(f"task name {key!r} is registered twice")
            _TASKS[normalized] = cls
        _REGISTRATIONS[name] = Registration(cls, serves, hf_task, variant_of, chosen_by)
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


def resolve_variant(cls: type, options) -> type:
    """The class that runs a job of task ``cls`` with these options: a variant when the base
    task's option selects it; a ClientError when a variant is named with its option off."""
    own = _REGISTRATIONS[cls.name]
    if own.chosen_by is not None:
        if not getattr(options, own.chosen_by, True):
            raise ClientError(
                f"task_name={cls.name!r} always sets {own.chosen_by}; '{own.chosen_by}=false' "
                f"contradicts it. Use task_name={own.variant_of!r} without it instead.")
        return cls
    for registration in _REGISTRATIONS.values():
        if registration.variant_of == cls.name and getattr(options, registration.chosen_by, False):
            return registration.cls
    return cls


def task_for_hf_task(name: str):
    """A task object for ``HF_TASK``: a registered name or alias, else a task whose ``hf_task``
    parser claims the pipeline name (``translation_en_to_fr``); a ClientError lists known names."""
    try:
        return get_task(name)()
    except ClientError:
        for registration in _REGISTRATIONS.values():
            options = registration.hf_task(name) if registration.hf_task else None
            if options is not None:
                return registration.cls(options)
        raise


def task_for_model(config) -> type | None:
    """The first task (in import order: the more specific claims first) whose ``serves``
    predicate claims a plain Hugging Face ``config.json`` (no manifest)."""
    for registration in _REGISTRATIONS.values():
        if registration.serves is not None and registration.serves(config):
            return registration.cls
    return None
