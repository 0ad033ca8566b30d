"""The plan between two stages in words, for check mode and the staged rollout.

`describe(plan, desired, actual)` reads like "boundary → isolation: replace 2 quick-mode
contexts (flag ND_BOUNDARY → ND_SECURE) and re-add the 4 quick-mode policy filters that use
them, add 7 receive/accept filters". The stages are recognised from the objects themselves
(`stage_of`), so the words are right whatever converged the host before.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Final

from .catalogue import symbol_of, value_of
from .model import LIST_NAMES, Obj, State, comparable

_REQUIRE_ENCRYPTION: Final = value_of("FWPM_CONTEXT_ALE_SET_CONNECTION_REQUIRE_IPSEC_ENCRYPTION")
_LAYER_WORDS: Final = {
    "IKEEXT": "main-mode policy filter",
    "IPSEC": "quick-mode policy filter",
    "INBOUND_TRANSPORT": "inbound transport filter",
    "OUTBOUND_TRANSPORT": "outbound transport filter",
    "ALE_AUTH_RECV_ACCEPT": "receive/accept filter",
    "ALE_AUTH_CONNECT": "connect filter",
}


def _layer(filter_obj: Obj) -> str:
    symbol = symbol_of(filter_obj["layer_key"]) or ""
    return symbol.removeprefix("FWPM_LAYER_").rsplit("_V", 1)[0]


def _noun(object_type: str, obj: Obj) -> str:
    if object_type == "filter":
        return _LAYER_WORDS.get(_layer(obj), "filter")
    if object_type == "provider_context":
        return "main-mode context" if obj["type"].endswith("_MM_CONTEXT") else "quick-mode context"
    return object_type


def _flags(context: Obj) -> str:
    flags = (context.get("policy") or {}).get("flags") or []
    return "+".join(f.removeprefix("IPSEC_POLICY_FLAG_") for f in flags) or "none"


def stage_of(state: State) -> str:
    """The stage a host's objects of ours are at, in the words of the staged rollout."""
    contexts = state.get("provider_contexts") or []
    filters = state.get("filters") or []
    if not contexts and not filters:
        return "no policy"
    if any("IKEV2" in c["type"] for c in contexts):
        return "IKEv2 transport"
    qm = {_flags(c) for c in contexts if "_QM_" in c["type"]}
    recv_accept = [f for f in filters if _layer(f) == "ALE_AUTH_RECV_ACCEPT"]
    if any(f["action"]["type"] == "FWP_ACTION_BLOCK" for f in recv_accept):
        return "server isolation"
    if any(f.get("raw_context") == _REQUIRE_ENCRYPTION for f in recv_accept):
        return "guaranteed encryption"
    if qm == {"ND_BOUNDARY"}:
        return "boundary"
    if qm == {"ND_SECURE"} and recv_accept:
        return "isolation"
    if qm == {"none"}:
        return "transport mode"
    return "custom policy"


_ORDER: Final = (
    "provider",
    "sublayer",
    "main-mode context",
    "quick-mode context",
    *_LAYER_WORDS.values(),
    "filter",
)


def _count(counter: Counter[str], verb: str) -> list[str]:
    """`add 2 main-mode contexts, 4 main-mode policy filters and 1 sublayer` (or nothing)."""
    items = [
        f"{n} {noun}{'' if n == 1 else 's'}"
        for noun, n in sorted(counter.items(), key=lambda item: _ORDER.index(item[0]))
        if n
    ]
    if not items:
        return []
    listed = items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
    return [f"{verb} {listed}"]


def describe(plan: dict[str, Any], desired: State, actual: State) -> str:
    """The plan from the host's stage to the declared one, in words."""
    header = f"{stage_of(actual)} → {stage_of(desired)}"
    operations = plan.get("operations") or []
    if not operations:
        return f"{header}: nothing to change"
    have = {o["key"]: o for name in LIST_NAMES.values() for o in actual.get(name) or []}
    deleted = {o["key"]: o for o in operations if o["op"] == "delete"}
    added = {o["key"]: o for o in operations if o["op"] == "add"}
    parts: list[str] = []
    replaced_contexts: dict[str, list[str]] = {}
    dragged: Counter[str] = Counter()
    replaced: Counter[str] = Counter()
    adds: Counter[str] = Counter()
    removes: Counter[str] = Counter()
    for key, operation in added.items():
        object_type, new = operation["type"], operation["object"]
        noun = _noun(object_type, new)
        if key not in deleted:
            adds[noun] += 1
            continue
        old = have[key]
        if object_type == "provider_context":
            change = f"flag {_flags(old)} → {_flags(new)}" if _flags(old) != _flags(new) else ""
            replaced_contexts.setdefault(noun, []).append(change)
        elif comparable(object_type, old) == comparable(object_type, new):
            dragged[noun] += 1
        else:
            replaced[noun] += 1
    for key, operation in deleted.items():
        if key not in added:
            removes[_noun(operation["type"], have[key])] += 1
    for noun, changes in sorted(replaced_contexts.items(), key=lambda item: _ORDER.index(item[0])):
        details = sorted({c for c in changes if c})
        n = len(changes)
        parts.append(
            f"replace {n} {noun}{'' if n == 1 else 's'}"
            + (f" ({', '.join(details)})" if details else "")
        )
    if dragged:
        total = sum(dragged.values())
        what = ", ".join(
            f"{n} {noun}{'' if n == 1 else 's'}" for noun, n in sorted(dragged.items())
        )
        parts.append(f"re-add the {what} that use{'s' if total == 1 else ''} them")
    parts += _count(replaced, "replace") + _count(adds, "add") + _count(removes, "remove")
    return f"{header}: {'; '.join(parts)}"
