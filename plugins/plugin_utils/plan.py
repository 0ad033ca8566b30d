"""Diff desired against actual owned objects and order the result into a plan.

WFP has no update call: a changed object is deleted and added again under the same key. Deleting
an object that others reference fails (FWP_E_IN_USE), so a re-added provider, sublayer or
provider context drags every owned object that references it along ("dependency" operations).
Deletes run filters -> provider contexts -> sublayers -> provider; adds run the other way.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any, Final

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
    iter_objects,
    owned_state,
)

Plan = dict[str, Any]
Operation = dict[str, Any]

MISSING: Final = "missing"
UNEXPECTED: Final = "unexpected"
CHANGED: Final = "changed"
DEPENDENCY: Final = "dependency"


def _references(object_type: str, obj: Obj) -> list[str]:
    """Keys of the owned-or-foreign objects this object points at."""
    refs = [] if object_type == "provider" else [obj.get("provider_key")]
    if object_type == "filter":
        refs += [obj.get("sublayer_key"), obj.get("provider_context_key")]
    return [ref for ref in refs if ref]


def _dependants(actual: State, keys: set[str]) -> set[str]:
    """Every owned object that (transitively) references one of `keys`."""
    result: set[str] = set()
    frontier = set(keys)
    while frontier:
        found = {
            obj["key"]
            for object_type, obj in iter_objects(actual)
            if obj["key"] not in result and frontier.intersection(_references(object_type, obj))
        }
        found -= keys
        result |= found
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
    return {k: v for k, v in obj.items() if k != RUNTIME_KEY} if RUNTIME_KEY in obj else obj


def classify(desired: State, actual: State) -> dict[str, dict[str, set[str]]]:
    """Per object type, the keys that are missing, unexpected or changed."""
    result: dict[str, dict[str, set[str]]] = {}
    for object_type in OBJECT_TYPES:
        list_name = LIST_NAMES[object_type]
        want = index_by_key(desired.get(list_name, []))
        have = index_by_key(actual.get(list_name, []))
        result[object_type] = {
            MISSING: set(want) - set(have),
            UNEXPECTED: set(have) - set(want),
            CHANGED: {
                key
                for key in set(want) & set(have)
                if not same_object(object_type, want[key], have[key])
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
    drift = classify(desired, actual)
    replaced = {key for kinds in drift.values() for key in kinds[CHANGED] | kinds[UNEXPECTED]}
    dragged = _dependants(actual, replaced)
    reasons: dict[str, str] = {}
    for kinds in drift.values():
        for reason in (MISSING, UNEXPECTED, CHANGED):
            reasons.update(dict.fromkeys(kinds[reason], reason))
    for key in dragged:
        reasons.setdefault(key, DEPENDENCY)

    have = {key: (t, o) for t, o in iter_objects(actual) for key in [o["key"]]}
    want = {key: (t, o) for t, o in iter_objects(desired) for key in [o["key"]]}
    deletes = [key for key in reasons if key in have and reasons[key] != MISSING]
    adds = [key for key in reasons if key in want and reasons[key] != UNEXPECTED]

    operations = [
        _operation("delete", *have[key], reasons[key])
        for key in _ordered(deletes, have, reverse=True)
    ]
    operations += [
        _operation("add", *want[key], reasons[key]) for key in _ordered(adds, want, reverse=False)
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


def _ordered(keys: Iterable[str], index: dict[str, tuple[str, Obj]], reverse: bool) -> list[str]:
    def rank(key: str) -> tuple[int, str, str]:
        object_type, obj = index[key]
        position = OBJECT_TYPES.index(object_type)
        return (-position if reverse else position, str(obj.get("name") or ""), key)

    return sorted(keys, key=rank)


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
