"""A function's arguments as the transforms and the compiler see them: numbers, or lists of numbers, laid out
flat and cut back.

>>> flatten([1.0, [2.0, 3.0]]), sizes_of([1.0, [2.0, 3.0]])
([1.0, 2.0, 3.0], [None, 2])
>>> regroup([1.0, 2.0, 3.0], [None, 2])
[1.0, [2.0, 3.0]]
"""

from __future__ import annotations

from typing import Any, Callable, List, Optional, Sequence


def flatten(groups: Sequence[Any]) -> List[Any]:
    """Arguments' items in one list: a list argument contributes each of its items."""
    return [x for group in groups for x in (group if isinstance(group, list) else [group])]


def regroup(flat: Sequence[Any], sizes: Sequence[Optional[int]], join: Callable = list) -> List[Any]:
    """``flat`` cut back into arguments: None takes one item, n takes n items joined by ``join``."""
    grouped, k = [], 0
    for size in sizes:
        if size is None:
            grouped.append(flat[k])
            k += 1
        else:
            grouped.append(join(flat[k:k + size]))
            k += size
    return grouped


def sizes_of(groups: Sequence[Any]) -> List[Optional[int]]:
    """Each argument's length if it is a list, None if it is one item."""
    return [len(g) if isinstance(g, list) else None for g in groups]
