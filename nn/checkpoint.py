"""Checkpoints as JSON: the architecture and the parameters, written atomically, loaded all or nothing.

JSON, never pickle, so loading someone else's file runs no code.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, Dict, Tuple, Union

from .files import write_atomic

FORMAT = "chainrule-checkpoint"
VERSION = 1
PathLike = Union[str, Path]


class CheckpointError(ValueError):
    """A checkpoint file that cannot be loaded: truncated, corrupted, another version, or another model."""


def state_dict(model: Any) -> Dict[str, float]:
    """``{parameter name: value}`` for every parameter, in order."""
    return {name: p.data for name, p in model.named_parameters()}


def load_state_dict(model: Any, state: Dict[str, Any], source: str = "state") -> None:
    """Set every parameter from ``state``; checks everything first, so a bad state changes nothing."""
    if not isinstance(state, dict):
        raise CheckpointError(f"{source}: parameters must be a JSON object of name -> number")
    names = [name for name, _ in model.named_parameters()]
    missing = [n for n in names if n not in state]
    extra = [n for n in state if n not in set(names)]
    if missing or extra:
        raise CheckpointError(f"{source}: parameters do not match the model: "
                              f"{len(missing)} missing (e.g. {missing[:3]}), {len(extra)} unexpected (e.g. {extra[:3]})")
    for name in names:
        v = state[name]
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            raise CheckpointError(f"{source}: parameter {name} must be a finite number, got {v!r}")
    for name, p in model.named_parameters():
        p.data = float(state[name])


def save(model: Any, path: PathLike) -> Path:
    """Write ``model`` to ``path`` as JSON: format, version, architecture, parameters.

    The file is written to a temporary file beside it and renamed into place, so a
    crash mid-save leaves any previous checkpoint intact.

    >>> import random, tempfile, os; random.seed(0)
    >>> from nn import MLP
    >>> model = MLP(2, [3, 1]); path = os.path.join(tempfile.mkdtemp(), "m.json")
    >>> _ = save(model, path); MLP.load(path).parameters()[0].data == model.parameters()[0].data
    True
    """
    if not isinstance(getattr(model, "config", None), dict) or not hasattr(model, "named_parameters"):
        raise TypeError(f"save writes MLP models, got {type(model).__name__}")
    path = Path(path)
    document = {"format": FORMAT, "version": VERSION, "architecture": {"type": "MLP", **model.config},
                "parameters": state_dict(model)}
    return write_atomic(path, json.dumps(document, indent=1))


def _read(path: PathLike) -> Dict[str, Any]:
    path = Path(path)
    if path.is_dir():
        raise CheckpointError(f"{path}: not a file but a directory")
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise FileNotFoundError(f"no checkpoint at {path}") from None
    except OSError as e:
        raise CheckpointError(f"{path}: cannot be read ({e.strerror})") from None
    try:
        document = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise CheckpointError(f"{path}: not text, so not a checkpoint: the file is corrupted or binary") from None
    except (json.JSONDecodeError, RecursionError) as e:
        why = e if isinstance(e, json.JSONDecodeError) else "nested too deeply"
        raise CheckpointError(f"{path}: not valid JSON, the file is truncated or corrupted ({why})") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise CheckpointError(f"{path}: not a chainrule checkpoint (no \"format\": \"{FORMAT}\")")
    if document.get("version") != VERSION:
        raise CheckpointError(f"{path}: checkpoint version {document.get('version')!r}; "
                              f"this chainrule reads version {VERSION}")
    return document


def read(path: PathLike) -> Tuple[Dict[str, Any], Any]:
    """The checkpoint's architecture (the model's keyword arguments) and parameters, checked for an MLP."""
    document = _read(path)
    arch = document.get("architecture")
    if not isinstance(arch, dict) or arch.get("type") != "MLP":
        raise CheckpointError(f"{path}: architecture must describe an MLP, got {arch!r}")
    return {k: v for k, v in arch.items() if k != "type"}, document.get("parameters")


def load_into(model: Any, path: PathLike) -> None:
    """Load the checkpoint's parameters into an existing ``model`` of the same architecture."""
    document = _read(path)
    arch = {k: v for k, v in (document.get("architecture") or {}).items() if k != "type"}
    if arch != model.config:
        raise CheckpointError(f"{path}: the checkpoint is for {arch}, but the model is {model.config}")
    load_state_dict(model, document.get("parameters"), str(path))
