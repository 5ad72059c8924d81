"""Saving and loading models: checkpoint files in JSON, the architecture and the parameters, written
atomically and loaded all or nothing (``engine.checkpoint`` is another thing: recomputing in backward).

JSON, never pickle, so loading someone else's file runs no code.
"""

from __future__ import annotations

import json
import math
import random
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple, Union

from engine.files import write_atomic

FORMAT = "chainrule-checkpoint"
VERSION = 1
PathLike = Union[str, Path]


_BUILDERS: Dict[str, Callable[..., Any]] = {}  # architecture type -> how to build it from the rest of its spec
_OWN_PARAMETERS: Dict[str, Callable[..., int]] = {}  # architecture type -> its own parameters' count, from its spec
_ALONE: List[str] = []  # the types save writes as a whole model (a Layer or a Neuron is saved inside one)
MAX_DEPTH = 64  # modules nested in modules: a file may describe no deeper a model (a Residual in a Residual ...)
# A file describing more parameters than it holds is refused before building when the difference passes this:
# building then costs at most what the file holds plus this many Values, and a smaller mismatch is built and
# reported by name (which parameters are missing or unexpected).
MAX_MISSING = 10_000


def register(kind: str, builder: Callable[..., Any], parameters: Optional[Callable[..., int]] = None,
             alone: bool = False) -> None:
    """Let checkpoints build modules of this ``kind`` (what their ``spec()`` says under "type"): each module
    file registers its own, so this file needs none of them. ``parameters(**spec)`` counts the module's own
    parameters (not its children's), so a file is checked against its description before anything is built.
    ``alone``: ``save`` writes such a module as a whole model, not only inside a Sequential."""
    _BUILDERS[kind] = builder
    if alone and kind not in _ALONE:
        _ALONE.append(kind)
    if parameters is not None:
        _OWN_PARAMETERS[kind] = parameters


def described_parameters(spec: Any) -> int:
    """How many parameters an architecture describes, counted from the description alone (no Value made),
    walking nested modules without recursion; a CheckpointError past MAX_DEPTH levels of nesting.

    >>> described_parameters({"type": "Sequential", "layers": [{"type": "Layer", "nin": 2, "nout": 3,
    ...     "activation": "relu", "init": "uniform"}, {"type": "BatchNorm", "features": 3}]})
    15
    """
    total, todo = 0, [(spec, 1)]
    while todo:
        node, depth = todo.pop()
        if depth > MAX_DEPTH:
            raise CheckpointError(f"the architecture nests modules more than {MAX_DEPTH} deep")
        if not isinstance(node, dict):
            continue
        count = _OWN_PARAMETERS.get(node.get("type"))
        if count is not None:
            total += count(**{k: v for k, v in node.items() if k != "type"})
        for value in node.values():
            for child in value if isinstance(value, list) else [value]:
                if isinstance(child, dict):
                    todo.append((child, depth + 1))
    return total


def build(spec: Any) -> Any:
    """A module from its ``spec()``: what a checkpoint file's architecture holds. Initial weights are drawn
    from ``random`` (``load`` keeps the caller's stream)."""
    if not isinstance(spec, dict) or spec.get("type") not in _BUILDERS:
        raise ValueError(f"an architecture must be a dict with a type of {', '.join(_BUILDERS)}, got {spec!r}")
    return _BUILDERS[spec["type"]](**{k: v for k, v in spec.items() if k != "type"})


class CheckpointError(ValueError):
    """A checkpoint file that cannot be loaded (truncated, corrupted, another version, or another model), or a
    model that cannot be saved (two parameters share a name, or one is nan or infinite)."""


def state_dict(model: Any) -> Dict[str, float]:
    """``{parameter name: value}`` for every parameter, in order; a CheckpointError if two share a name (they
    would be saved as one)."""
    named = model.named_parameters()
    _distinct([name for name, _ in named], "parameters")
    return {name: p.data for name, p in named}


def _distinct(names: Any, what: str) -> None:
    seen: set = set()
    twice = [n for n in names if n in seen or seen.add(n)]
    if twice:
        raise CheckpointError(f"two {what} share the name {twice[0]!r} ({len(twice)} such names), so a checkpoint "
                              f"cannot tell them apart; give each module its own scope (set_scope)")


def _buffers(model: Any) -> list:
    """The model's named buffers; none for an object that has no ``named_buffers``."""
    return model.named_buffers() if hasattr(model, "named_buffers") else []


def buffers_dict(model: Any) -> Dict[str, float]:
    """``{buffer name: value}`` for the state that is saved but not trained (a batch norm's running averages)."""
    held = _buffers(model)
    _distinct([name for name, _ in held], "buffers")
    return {name: v.data for name, v in held}


def _checked(named: Any, state: Any, source: str, what: str) -> Dict[str, float]:
    """``state`` as {name: float} for exactly the names in ``named``, or a CheckpointError saying what is wrong."""
    if not isinstance(state, dict):
        raise CheckpointError(f"{source}: {what} must be a JSON object of name -> number")
    names = [name for name, _ in named]
    _distinct(names, what)
    missing = [n for n in names if n not in state]
    extra = [n for n in state if n not in set(names)]
    if missing or extra:
        raise CheckpointError(f"{source}: {what} do not match the model: "
                              f"{len(missing)} missing (e.g. {missing[:3]}), {len(extra)} unexpected (e.g. {extra[:3]})")
    for name in names:
        v = state[name]
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not _is_finite(v):
            huge = isinstance(v, int) and not isinstance(v, bool)  # only an int's digits overflow a float
            shown = f"an integer of {len(str(abs(v)))} digits" if huge else repr(v)
            raise CheckpointError(f"{source}: {what[:-1]} {name} must be a finite number, got {shown}")
        if what == "buffers" and name.rsplit(".", 1)[-1].startswith("running_var") and v < 0:
            raise CheckpointError(f"{source}: buffer {name} is a variance, which cannot be negative: got {v!r}")
    return {name: float(state[name]) for name in names}


def _is_finite(v: Any) -> bool:
    try:
        return math.isfinite(v)
    except OverflowError:  # an int beyond float's range (JSON allows any number of digits)
        return False


def load_state_dict(model: Any, state: Dict[str, Any], source: str = "state", buffers: Any = None) -> None:
    """Set every parameter from ``state`` (and every buffer from ``buffers``, for a model that has some);
    checks everything first, so a bad state changes nothing."""
    named = model.named_parameters()
    values = _checked(named, state, source, "parameters")
    held = _buffers(model)
    kept = _checked(held, buffers, source, "buffers") if held else {}
    for name, p in named + held:
        p.data = values[name] if name in values else kept[name]


def architecture(model: Any) -> Dict[str, Any]:
    """What a checkpoint file says the model is: ``model.spec()``, from a model registered ``alone`` (MLP,
    Sequential, the recurrent modules) and its layers."""
    if not callable(getattr(model, "spec", None)) or not hasattr(model, "named_parameters") \
            or type(model).__name__ not in _ALONE:
        alone = sorted(_ALONE)  # in a fixed order, whichever module was imported first
        kinds = ", ".join(alone[:-1]) + " and " + alone[-1]
        raise TypeError(f"save writes {kinds} models, got {type(model).__name__}")
    return model.spec()


def save(model: Any, path: PathLike) -> Path:
    """Write ``model`` to ``path`` as JSON: format, version, architecture, parameters (and buffers).

    The file is written to a temporary file beside it and renamed into place, so a
    crash mid-save leaves any previous checkpoint intact (see ``engine.files.write_atomic``:
    a symbolic link is written through, a file's mode is kept, a device or directory refused).
    A model with a nan or infinite parameter or buffer, which ``load`` would refuse, raises
    CheckpointError and writes nothing.

    >>> import random, tempfile, os; random.seed(0)
    >>> from nn import MLP
    >>> model = MLP(2, [3, 1]); path = os.path.join(tempfile.mkdtemp(), "m.json")
    >>> _ = save(model, path); MLP.load(path).parameters()[0].data == model.parameters()[0].data
    True
    """
    path = Path(path)
    document = {"format": FORMAT, "version": VERSION, "architecture": architecture(model),
                "parameters": state_dict(model)}
    buffers = buffers_dict(model)
    if buffers:
        document["buffers"] = buffers
    _refuse_non_finite(document["parameters"], path, "parameter")
    _refuse_non_finite(buffers, path, "buffer")
    return write_atomic(path, json.dumps(document, indent=1))


def _refuse_non_finite(state: Dict[str, float], path: Path, what: str) -> None:
    """A CheckpointError naming the first nan or infinite value in ``state``, before anything is written.

    JSON has no nan or infinity and ``load`` refuses them, so saving one would replace a good
    checkpoint by a file that cannot be loaded: a diverged model (too large a learning rate) is not saved.
    """
    for name, v in state.items():
        if not math.isfinite(v):
            raise CheckpointError(f"{path}: not saved: {what} {name} must be a finite number, got {v!r} (the model "
                                  f"has diverged; a smaller learning rate may help); any file there is unchanged")


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
    arch = _architecture_of(document, path, "MLP")
    return {k: v for k, v in arch.items() if k != "type"}, document.get("parameters")


def _architecture_of(document: Dict[str, Any], path: PathLike, expect: str) -> Any:
    """The document's architecture, which must describe an ``expect`` (any kind when empty)."""
    arch = document.get("architecture")
    if expect and (not isinstance(arch, dict) or arch.get("type") != expect):
        raise CheckpointError(f"{path}: architecture must describe an {expect}, got {arch!r}")
    return arch


def load(path: PathLike, expect: str = "") -> Any:
    """A new model (an MLP, a Sequential, an RNN ...; ``expect`` names which one it must be) from a checkpoint written
    by ``save``; a clear CheckpointError if anything is wrong. Building the model draws no numbers from the
    caller's ``random`` stream."""
    document = _read(path)
    arch = _architecture_of(document, path, expect)
    _check_size(arch, document.get("parameters"), path)
    state = random.getstate()  # building draws initial weights; keep the caller's random stream
    try:
        model = build(arch)
    except (TypeError, ValueError) as e:
        shown = {k: v for k, v in arch.items() if k != "type"} if isinstance(arch, dict) else arch
        raise CheckpointError(f"{path}: bad architecture {shown}: {e}") from None
    finally:
        random.setstate(state)
    load_state_dict(model, document.get("parameters"), str(path), document.get("buffers"))
    return model


def _check_size(arch: Any, parameters: Any, path: PathLike) -> None:
    """Before building anything: a file describing many more parameters than it holds is refused (a 204-byte
    file describing a million weights would otherwise make them all before being refused)."""
    try:
        described = described_parameters(arch)
    except CheckpointError as e:
        raise CheckpointError(f"{path}: {e}") from None
    except (TypeError, ValueError, ArithmeticError):
        return  # a malformed description: building it says what is wrong
    held = len(parameters) if isinstance(parameters, dict) else 0
    if described > held + MAX_MISSING:
        raise CheckpointError(f"{path}: the architecture describes {described} parameters but the file holds "
                              f"{held}: it is truncated, corrupted or not the one saved")


def load_into(model: Any, path: PathLike) -> None:
    """Load the checkpoint's parameters (and buffers) into an existing ``model`` of the same architecture."""
    document = _read(path)
    arch = document.get("architecture") or {}
    mine = architecture(model)
    if arch != mine:
        if mine.get("type") == "MLP":  # say it as the constructor's arguments, as an MLP is made
            arch = {k: v for k, v in arch.items() if k != "type"} if isinstance(arch, dict) else arch
            mine = model.config
        raise CheckpointError(f"{path}: the checkpoint is for {arch}, but the model is {mine}")
    load_state_dict(model, document.get("parameters"), str(path), document.get("buffers"))
