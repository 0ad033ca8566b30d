"""Copies of JSON data (state documents, plans, declarations) without `copy.deepcopy`.

`copy.deepcopy` dispatches on every value's type and keeps a memo of every object it meets; on
the collection's data, dicts and lists of strings, numbers, booleans and None, a plain walk
makes the same copy in a fraction of the time (a converge copies the owned state several times:
commit-confirmed snapshots, pending records, runtime fields).
"""

from __future__ import annotations

from typing import Any, TypeVar

# A TypeVar, not PEP 695 syntax: ansible-core 2.16 (requires_ansible) runs on Python 3.10.
T = TypeVar("T")


def copied(value: T) -> T:  # noqa: UP047 (see T)
    """A copy of `value` whose dicts and lists are new (of the plain types); every other value
    (strings, numbers, booleans, None: immutable) is shared. Walked without recursion, so no
    depth raises RecursionError."""
    if not isinstance(value, dict | list):
        return value
    root: Any = {} if isinstance(value, dict) else []
    stack: list[tuple[Any, Any]] = [(value, root)]
    while stack:
        source, target = stack.pop()
        if isinstance(source, dict):
            for name, item in source.items():
                target[name] = _copy_of(item, stack)
        else:
            target.extend(_copy_of(item, stack) for item in source)
    result: T = root
    return result


def _copy_of(item: Any, stack: list[tuple[Any, Any]]) -> Any:
    """`item` itself, or for a dict or list an empty one queued to be filled from it."""
    if not isinstance(item, dict | list):
        return item
    child: Any = {} if isinstance(item, dict) else []
    stack.append((item, child))
    return child
