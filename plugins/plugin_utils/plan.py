"""Diff desired against actual owned objects and order the result into a plan.

WFP has no update call: a changed object is deleted and added again under the same key. Deleting
an object that others reference fails (FWP_E_IN_USE), so a re-added provider, sublayer or
provider context drags every owned object that references it along ("dependency" operations).
Deletes run filters -> provider contexts -> sublayers -> provider; adds run the other way.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Final

from .engine import references
from .model import (
    LIST_NAMES,
    OBJECT_TYPES,
    PLAN_FORMAT,
    RUNTIME_KEY,
    Obj,
    State,
    comparable,
    fingerprint,
    index_by_key,
    is_fingerprint,
    owned_state,
)

Plan = dict[str, Any]
Operation = dict[str, Any]

MISSING: Final = "missing"
UNEXPECTED: Final = "unexpected"
CHANGED: Final = "changed"
DEPENDENCY: Final = "dependency"


Indexes = dict[str, dict[str, Obj]]  # object type -> key -> object

# Only these can be referenced (by provider_key, sublayer_key, provider_context_key).
_REFERENCED_TYPES: Final = ("provider", "sublayer", "provider_context")


def _indexes(state: State) -> Indexes:
    return {t: index_by_key(state.get(LIST_NAMES[t], [])) for t in OBJECT_TYPES}


def _dependants(have: Indexes, replaced: dict[str, set[str]]) -> dict[str, set[str]]:
    """Per type, every owned object that (transitively) references a replaced provider,
    sublayer or provider context. Nothing references a filter, so a plan that replaces only
    filters (the common drift) scans nothing."""
    result: dict[str, set[str]] = {object_type: set() for object_type in OBJECT_TYPES}
    frontier = {(t, key) for t in _REFERENCED_TYPES for key in replaced[t]}
    while frontier:
        found: set[tuple[str, str]] = set()
        for object_type, objects in have.items():
            skip = replaced[object_type] | result[object_type]
            keys = {
                key
                for key, obj in objects.items()
                if key not in skip and frontier.intersection(references(object_type, obj))
            }
            result[object_type] |= keys
            if object_type in _REFERENCED_TYPES:  # a dragged filter drags nothing
                found.update((object_type, key) for key in keys)
        frontier = found
    return result


def same_object(object_type: str, first: Obj, second: Obj) -> bool:
    """Field-by-field equality in comparable form (runtime fields ignored, PSKs by digest)."""
    if _without_runtime(first) == _without_runtime(second):
        return True  # equal as they are, so equal in comparable form too
    if object_type == "provider_context":  # a PSK on one side, its digest on the other
        return comparable(object_type, first) == comparable(object_type, second)
    return False


def _without_runtime(obj: Obj) -> Obj:
    if RUNTIME_KEY not in obj:
        return obj
    copied = dict(obj)  # a copy at C speed, then one deletion
    del copied[RUNTIME_KEY]
    return copied


def classify(desired: State, actual: State) -> dict[str, dict[str, set[str]]]:
    """Per object type, the keys that are missing, unexpected or changed."""
    return _classify(_indexes(desired), _indexes(actual))


def _classify(want: Indexes, have: Indexes) -> dict[str, dict[str, set[str]]]:
    result: dict[str, dict[str, set[str]]] = {}
    for object_type in OBJECT_TYPES:
        wanted, held = want[object_type], have[object_type]
        result[object_type] = {
            MISSING: wanted.keys() - held.keys(),
            UNEXPECTED: held.keys() - wanted.keys(),
            # Equal dicts (most, on a converged host) are settled by == at C speed.
            CHANGED: {
                key
                for key in wanted.keys() & held.keys()
                if wanted[key] != held[key] and not same_object(object_type, wanted[key], held[key])
            },
        }
    return result


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for a block (plan + pre-flight), then restore it.

    Planning allocates hundreds of thousands of short-lived objects beside a host state of
    millions; a full collection that lands in it traverses the whole state (about a second at
    500,000 foreign filters) and frees nothing reference counting does not. Nothing else
    changes: collection resumes after the block as it was.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def make_plan(desired: State, actual: State, provider_key: str) -> Plan:
    """The ordered operations that turn `actual` into `desired` for one provider.

    `desired` holds only objects owned by `provider_key`; objects of `actual` owned by anyone else
    are ignored (never deleted, never compared).
    """
    return plan_and_drift(desired, actual, provider_key)[0]


def plan_and_drift(
    desired: State,
    actual: State,
    provider_key: str,
    *,
    fingerprint_empty: bool = True,
    for_apply: bool = True,
    base_fingerprint: str | None = None,
) -> tuple[Plan, dict[str, int]]:
    """`make_plan` and `drift_counts` from one classification (the runner needs both).

    Without `fingerprint_empty`, an empty plan (nothing will be sent to the host) gets no
    base_fingerprint, the one cost of planning a converged host beyond the diff. Without
    `for_apply` (check mode: the plan is reported, never applied) no plan gets one: the
    fingerprint serialises every owned object, the largest cost of planning a drifted host.
    `base_fingerprint`: the fingerprint of `actual`'s owned objects as the host computed it
    with its read (live backend, docs/host-layer.md); used as the plan's base when it has the
    fingerprint's form, else the fingerprint is computed here.
    """
    actual = owned_state(actual, provider_key)
    want, have = _indexes(desired), _indexes(actual)
    drift = _classify(want, have)
    replaced = {t: kinds[CHANGED] | kinds[UNEXPECTED] for t, kinds in drift.items()}
    dragged = _dependants(have, replaced)
    deletes: dict[str, dict[str, str]] = {}  # per type: key -> reason
    adds: dict[str, dict[str, str]] = {}
    for object_type, kinds in drift.items():
        reasons = dict.fromkeys(dragged[object_type], DEPENDENCY)
        reasons.update(dict.fromkeys(kinds[MISSING], MISSING))
        reasons.update(dict.fromkeys(kinds[UNEXPECTED], UNEXPECTED))
        reasons.update(dict.fromkeys(kinds[CHANGED], CHANGED))
        held, wanted = have[object_type], want[object_type]
        deletes[object_type] = {k: r for k, r in reasons.items() if r != MISSING and k in held}
        adds[object_type] = {k: r for k, r in reasons.items() if r != UNEXPECTED and k in wanted}

    # Deletes run filters first, adds providers first; by name, then key, within a type.
    operations = [
        _operation("delete", object_type, have[object_type][key], reason)
        for object_type in reversed(OBJECT_TYPES)
        for key, reason in _ordered(deletes[object_type], have[object_type])
    ]
    operations += [
        _operation("add", object_type, want[object_type][key], reason)
        for object_type in OBJECT_TYPES
        for key, reason in _ordered(adds[object_type], want[object_type])
    ]
    plan = {
        "format": PLAN_FORMAT,
        "provider_key": provider_key,
        "base_fingerprint": (
            _base(actual, base_fingerprint)
            if for_apply and (operations or fingerprint_empty)
            else None
        ),
        "operations": operations,
    }
    return plan, _counts(drift)


def _base(actual: State, known: str | None) -> str:
    """The plan's base: the host's fingerprint when it has the right form, else computed."""
    if is_fingerprint(known):
        return known
    return fingerprint(actual)


def _ordered(reasons: dict[str, str], index: dict[str, Obj]) -> list[tuple[str, str]]:
    """(key, reason) sorted by the object's name, then key: sorted by key, then stably by
    name, so that each sort compares plain strings (Python's fast path; tuples of two strings
    cost more, and 100,000 adds of a fresh host are sorted here)."""
    keys = sorted(reasons)
    names = [str(index[key].get("name") or "") for key in keys]
    return [(keys[i], reasons[keys[i]]) for i in sorted(range(len(keys)), key=names.__getitem__)]


def _operation(op: str, object_type: str, obj: Obj, reason: str) -> Operation:
    operation: Operation = {
        "op": op,
        "type": object_type,
        "key": obj["key"],
        "name": obj.get("name") or "",
        "reason": reason,
    }
    if op == "add":
        operation["object"] = obj
    return operation


def drift_counts(desired: State, actual: State, provider_key: str) -> dict[str, int]:
    """How many owned objects are missing, unexpected and changed."""
    return _counts(classify(desired, owned_state(actual, provider_key)))


def _counts(drift: dict[str, dict[str, set[str]]]) -> dict[str, int]:
    return {
        kind: sum(len(kinds[kind]) for kinds in drift.values())
        for kind in (MISSING, UNEXPECTED, CHANGED)
    }


def summary(plan: Plan) -> list[dict[str, str]]:
    """The plan as the task result shows it (no object bodies, so no secrets)."""
    return [
        {
            "op": op["op"],
            "type": op["type"],
            "name": op["name"],
            "key": op["key"],
            "reason": op["reason"],
        }
        for op in plan["operations"]
    ]
