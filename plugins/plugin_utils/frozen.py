"""Shared, immutable parts of canonical objects: one instance for every equal value.

A host's filters repeat the same parts over and over: on the real hosts of the test data, about
4 conditions per filter but one distinct condition in 15, a dozen distinct weights and flag
sets per host, one distinct conditions list in two. Canonicalised one by one, each filter held
its own copies (about 4 kB per filter, 1.3 GB for 600,000 objects). `canonical_filter` now
takes these parts from a table of the parts met before (docs/performance.md).

A shared part is a `FrozenDict` or `FrozenList`: a dict or list (so `==`, `json.dumps`,
`isinstance` and every reader treat it as one) that refuses every change, so a change meant
for one object can never reach another. Derive a new value instead: `dict(part, value=1)`,
`list(part)` and `copied(part)` (datacopy) return plain, changeable values. Like a tuple, a
shared part is its own `copy.copy` and `copy.deepcopy`: a deep copy of a state keeps its parts
shared, and a change through the copy raises instead of reaching every object that shares it.

Sharing is only ever a saving: forgetting the table (`forget`, or at `LIMIT` entries) never
changes a value, only which later parts are shared with which earlier ones.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import Any, Final, NoReturn

#: Entries kept before the table is forgotten (a bound on what it holds beyond its objects).
LIMIT: Final = 1 << 20

_TABLE: dict[Hashable, Any] = {}


def _refuse(self: object, *_args: Any, **_kwargs: Any) -> NoReturn:
    raise TypeError(
        f"a shared part of a canonical object cannot be changed ({type(self).__name__}); "
        "derive a new value, for example dict(part, ...) or list(part)"
    )


class FrozenDict(dict[str, Any]):
    """A dict that refuses every change (see the module docstring)."""

    __slots__ = ()

    __setitem__ = __delitem__ = __ior__ = _refuse
    clear = pop = popitem = setdefault = update = _refuse

    # Like a tuple, an unchangeable value is its own copy.
    def __copy__(self) -> FrozenDict:
        return self

    def __deepcopy__(self, _memo: dict[int, Any]) -> FrozenDict:
        return self

    def __reduce__(self) -> tuple[type[FrozenDict], tuple[dict[str, Any]]]:
        return FrozenDict, (dict(self),)


class FrozenList(list[Any]):
    """A list that refuses every change (see the module docstring)."""

    __slots__ = ()

    __setitem__ = __delitem__ = __iadd__ = __imul__ = _refuse
    append = extend = insert = remove = pop = clear = sort = reverse = _refuse

    def __copy__(self) -> FrozenList:
        return self

    def __deepcopy__(self, _memo: dict[int, Any]) -> FrozenList:
        return self

    def __reduce__(self) -> tuple[type[FrozenList], tuple[list[Any]]]:
        return FrozenList, (list(self),)


def shared_dict(key: Hashable, items: dict[str, Any]) -> FrozenDict:
    """The shared FrozenDict for `key`, made from `items` the first time.

    `key` must determine `items`: equal keys, equal dicts. A key may name a part by the `id` of
    another shared part that the made dict holds: while the entry exists that part lives, so
    no other object has its id.
    """
    found: FrozenDict | None = _TABLE.get(key)
    if found is None:
        found = _store(key, FrozenDict(items))
    return found


def shared_list(key: Hashable, items: Iterable[Any]) -> FrozenList:
    """The shared FrozenList for `key`, made from `items` the first time (see shared_dict)."""
    found: FrozenList | None = _TABLE.get(key)
    if found is None:
        found = _store(key, FrozenList(items))
    return found


def shared_text(text: str) -> str:
    """One string object for every equal `text` met (names and descriptions repeat)."""
    found: str | None = _TABLE.get(text)
    if found is None:
        found = _store(text, text)
    return found


def forget() -> None:
    """Drop the table: parts made from now on are shared only with each other."""
    _TABLE.clear()


def _store(key: Hashable, value: Any) -> Any:
    if len(_TABLE) >= LIMIT:
        _TABLE.clear()
    _TABLE[key] = value
    return value
