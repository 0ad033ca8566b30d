"""Commit confirmed on the engine model (docs/commit-confirmed.md).

The protocol, as every backend runs it (the offline state file here; the Windows host in
plugins/module_utils/WfpIpsecConfirm.cs):

1. `apply_tentative`: one transaction applies the plan with every added object that should be
   persistent added *non-persistent* instead (a reboot drops it), and returns a *pending* record:
   the previous owned objects (the snapshot), the deadline and the fingerprints.
2. `confirm` (over a new connection, before the deadline): one transaction deletes the tentative
   objects, and whatever references them, and adds them again as declared (persistent). The
   caller then discards the pending record.
3. `restore` (the host's own scheduled task, at the deadline or at startup): one transaction
   deletes every owned object and adds the snapshot back. The caller discards the record.

Lifetimes stay valid throughout: a persistent object may only reference persistent objects, and
the plan already re-adds every dependant of a re-added object, so no unchanged persistent object
references a tentative one.
"""

from __future__ import annotations

import datetime
from typing import Any, Final

from .datacopy import copied
from .engine import Engine, Ref, WfpError
from .model import LIST_NAMES, OBJECT_TYPES, PERSISTENT_FLAG, RUNTIME_KEY, State, fingerprint

Pending = dict[str, Any]

PENDING_FORMAT: Final = "wfp.ipsec.pending/1"
NOT_PENDING: Final = "WFP_IPSEC_NOT_PENDING"
#: What a pending record may show to people (no snapshot, no object bodies, so no secrets).
SUMMARY_KEYS: Final = (
    "format",
    "provider_key",
    "deadline",
    "deadline_utc",
    "base_fingerprint",
    "tentative_fingerprint",
    "tentative",
)


def deadline_utc(deadline: float) -> str:
    """The deadline as people read it: UTC, ISO 8601, seconds."""
    moment = datetime.datetime.fromtimestamp(deadline, tz=datetime.UTC)
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def summary(pending: Pending) -> Pending:
    """The part of a pending record that may leave the host."""
    return {key: copied(pending[key]) for key in SUMMARY_KEYS if key in pending}


def _tentative_plan(plan: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """The plan with the persistent flag taken off every add, and the objects it was taken off."""
    operations = []
    tentative = []
    for original in plan.get("operations") or []:
        obj = original.get("object")
        flag = PERSISTENT_FLAG.get(str(original.get("type")))
        if (
            original.get("op") == "add"
            and isinstance(obj, dict)
            and flag in (obj.get("flags") or ())
        ):
            obj = {**obj, "flags": [f for f in obj["flags"] if f != flag]}
            operations.append({**original, "object": obj})
            tentative.append(
                {"type": original["type"], "key": original["key"], "name": original.get("name")}
            )
        else:
            operations.append(original)
    return {**plan, "operations": operations}, tentative


def apply_tentative(
    engine: Engine, plan: dict[str, Any], timeout: int, now: float
) -> tuple[dict[str, Any], Pending]:
    """Phase 1: apply `plan` with tentative (non-persistent) adds; return (result, pending)."""
    provider_key = str(plan.get("provider_key"))
    snapshot = copied(engine.owned(provider_key))
    modified, tentative = _tentative_plan(plan)
    result = engine.apply_plan(modified)
    deadline = now + timeout
    pending: Pending = {
        "format": PENDING_FORMAT,
        "provider_key": provider_key,
        "deadline": deadline,
        "deadline_utc": deadline_utc(deadline),
        "base_fingerprint": result["base_fingerprint"],
        "tentative_fingerprint": result["fingerprint"],
        "tentative": tentative,
        "snapshot": {name: snapshot[name] for name in LIST_NAMES.values()},
    }
    return result, pending


def confirmed_view(state: State, pending: Pending) -> State:
    """`state` as it will be once `pending` is confirmed (tentative objects persistent)."""
    keys = {item["key"] for item in pending.get("tentative") or []}
    result = copied(state)
    for object_type in OBJECT_TYPES:
        flag = PERSISTENT_FLAG[object_type]
        for obj in result.get(LIST_NAMES[object_type]) or []:
            if obj.get("key") in keys and flag not in obj["flags"]:
                obj["flags"] = sorted([*obj["flags"], flag])
    return result


def _closure(engine: Engine, refs: list[Ref]) -> list[Ref]:
    """`refs` and every object that (transitively) references one of them."""
    found = list(dict.fromkeys(refs))
    frontier = list(found)
    while frontier:
        frontier = sorted({r for ref in frontier for r in engine.referrers(*ref)} - set(found))
        found += frontier
    return found


def confirm(engine: Engine, pending: Pending, now: float) -> dict[str, Any]:
    """Phase 2: make the tentative objects persistent in one transaction.

    Refuses (WfpError NOT_PENDING, nothing changed) after the deadline, or when the owned
    objects are no longer the tentative state (rolled back, rebooted or changed since)."""
    provider_key = pending["provider_key"]
    if now > pending["deadline"]:
        raise WfpError(
            NOT_PENDING,
            f"the confirmation came after the deadline {pending['deadline_utc']}; the host "
            "restores its previous policy",
        )
    current = fingerprint(engine.owned(provider_key))
    if current != pending["tentative_fingerprint"]:
        raise WfpError(
            NOT_PENDING,
            "the provider's objects are no longer the unconfirmed apply (a reboot or a restore "
            f"ran, or something changed them: {current}, expected "
            f"{pending['tentative_fingerprint']}); nothing was confirmed",
        )
    tentative = {(item["type"], item["key"]) for item in pending["tentative"]}
    affected = _closure(engine, sorted(tentative))
    with engine.transaction():
        removed = {ref: engine.delete(*ref) for ref in _ordered(affected, reverse=True)}
        for ref in _ordered(affected, reverse=False):
            obj = {k: v for k, v in removed[ref].items() if k != RUNTIME_KEY}
            if ref in tentative:
                obj["flags"] = sorted([*obj["flags"], PERSISTENT_FLAG[ref[0]]])
            engine.add(ref[0], obj, stored_before=True)  # canonical: the engine stored it
    return {
        "confirmed": len(tentative),
        "re_added": len(affected),
        "fingerprint": fingerprint(engine.owned(provider_key)),
    }


def restore(engine: Engine, pending: Pending) -> bool:
    """The host's rollback: the owned objects become the snapshot again, in one transaction.
    Returns whether anything changed."""
    provider_key = pending["provider_key"]
    if fingerprint(engine.owned(provider_key)) == pending["base_fingerprint"]:
        return False
    owned = engine.owned(provider_key)
    current = [
        (object_type, obj["key"])
        for object_type in OBJECT_TYPES
        for obj in owned[LIST_NAMES[object_type]]
    ]
    snapshot = pending["snapshot"]
    with engine.transaction():
        for ref in _ordered(current, reverse=True):
            engine.delete(*ref)
        for object_type in OBJECT_TYPES:
            for obj in snapshot.get(LIST_NAMES[object_type]) or []:
                engine.add(object_type, obj)
    return True


def _ordered(refs: list[Ref], reverse: bool) -> list[Ref]:
    """Adds in dependency order (provider first), deletes the other way."""
    rank = {object_type: index for index, object_type in enumerate(OBJECT_TYPES)}
    return sorted(refs, key=lambda ref: (rank[ref[0]], ref[1]), reverse=reverse)


__all__ = [
    "NOT_PENDING",
    "PENDING_FORMAT",
    "apply_tentative",
    "confirm",
    "confirmed_view",
    "deadline_utc",
    "restore",
    "summary",
]
