"""An in-memory WFP engine with the semantics the base filtering engine enforces.

Offline hosts are driven through it, and every plan is pre-flighted on it before it touches a
host. It holds a whole state document (docs/canonical-form.md: our objects and foreign ones),
indexed by key, with a reverse index of references so adds and deletes cost O(1)-ish.

Rules modelled (Microsoft's "Object Management" and WFP error-code pages):

* keys are unique per object type (FWP_E_ALREADY_EXISTS); deleting a missing object fails with
  the type's *_NOT_FOUND code; there is no update;
* an object cannot be deleted while another references it (FWP_E_IN_USE), nor added while a
  reference is missing (*_NOT_FOUND); layers, callouts, conditions and FWPM_SUBLAYER_* are
  built in (catalogue);
* a persistent object may only reference persistent objects of the same provider, or built-in
  ones (FWP_E_LIFETIME_MISMATCH); PERSISTENT and BOOTTIME exclude each other
  (FWP_E_INVALID_FLAGS);
* filter weights: FWP_EMPTY, FWP_UINT8 0-15 (a weight range) or FWP_UINT64
  (FWP_E_INVALID_WEIGHT); a filter's provider-context type must suit its layer
  (FWP_E_CONTEXT_INCOMPATIBLE_WITH_LAYER); extended mode is AuthIP only, an IKE or IKEv2 quick-mode
  context with one is FWP_E_EM_NOT_SUPPORTED;
* one transaction at a time (FWP_E_TXN_IN_PROGRESS); an exception inside rolls everything back;
* a filter's conditions must be fields of its layer (FWP_E_CONDITION_NOT_FOUND), with a value of
  a type the field takes (FWP_E_TYPE_MISMATCH), compared with a match type that fits that value
  type (FWP_E_MATCH_TYPE_MISMATCH), ranges low <= high (FWP_E_INVALID_RANGE); a built-in callout
  only at the layer it applies at (FWP_E_INCOMPATIBLE_LAYER); tables from Microsoft's data
  (catalogue, `_layer_data.py`);
* refused by this collection although BFE would take them: the all-zero GUID as a key (BFE would
  make up a random key: ZERO_KEY), control characters in any string (the host would cut them:
  CONTROL_CHARACTER); refused by the host layer: provider-context types it cannot write
  (E_INVALIDARG, as WfpIpsec.cs answers), and in IKEv2 contexts what Microsoft documents as not
  IKEv2's (non-certificate authentication, AuthIP-only flags and impersonation, a retransmit
  duration under 120 s: E_INVALIDARG; docs/scenario-ikev2-transport.md); policies with an empty
  proposal, authentication-method or transform list (FWP_E_ZERO_LENGTH_ARRAY).

`host_problems(object_type, obj, state)` lists every such problem of one object without raising.

The engine never mutates the dicts it is given (added objects are canonicalised copies), so
`preflight` needs no deep copy of the host state. Objects it returns are its own: treat them as
read-only.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from functools import cache
from itertools import compress, repeat
from operator import eq, itemgetter, methodcaller
from typing import Any, Final

from . import catalogue
from .arbitration import effective_weight
from .catalogue import SUPPORTED_CONTEXT_TYPES
from .model import (
    LIST_NAMES,
    OBJECT_TYPES,
    PERSISTENT_FLAG,
    RUNTIME_KEY,
    TEXT_VALUE_TYPES,
    ControlCharacterError,
    ModelError,
    Obj,
    State,
    UnwritableContextError,
    canonical,
    canonical_condition,
    declared_problems,
    empty_state,
    fingerprint,
    iter_objects,
    owned_state,
    text_problem,
)

Plan = dict[str, Any]
Ref = tuple[str, str]  # (object type, key)

STATE_CHANGED: Final = "STATE_CHANGED"
ZERO_KEY: Final = "ZERO_KEY"
CONTROL_CHARACTER: Final = "CONTROL_CHARACTER"
HOST_LAYER_REFUSED: Final = "E_INVALIDARG"
_KEY_FIELDS: Final = ("key", "provider_key", "sublayer_key", "provider_context_key")
_TEXT_FIELDS: Final = ("name", "description")
_MAX_LISTED: Final = 8
_ZERO_FIX: Final = "the all-zero GUID; give a real key or leave it out (a derived key is used)"

NOT_FOUND: Final = {
    "provider": "FWP_E_PROVIDER_NOT_FOUND",
    "sublayer": "FWP_E_SUBLAYER_NOT_FOUND",
    "provider_context": "FWP_E_PROVIDER_CONTEXT_NOT_FOUND",
    "filter": "FWP_E_FILTER_NOT_FOUND",
}
BOOTTIME_FLAG: Final = "FWPM_FILTER_FLAG_BOOTTIME"
VALID_WEIGHT_TYPES: Final = frozenset({"FWP_EMPTY", "FWP_UINT8", "FWP_UINT64"})
MAX_WEIGHT_RANGE: Final = 15
_BUILTIN_SUBLAYER_PREFIX: Final = "FWPM_SUBLAYER_"
# Quick-mode contexts without extended mode (emPolicy is "the AuthIP extended mode policy").
_NO_EM_QM_CONTEXTS: Final = frozenset(
    {
        "FWPM_IPSEC_IKE_QM_TRANSPORT_CONTEXT",
        "FWPM_IPSEC_IKE_QM_TUNNEL_CONTEXT",
        "FWPM_IPSEC_IKEV2_QM_TRANSPORT_CONTEXT",
        "FWPM_IPSEC_IKEV2_QM_TUNNEL_CONTEXT",
    }
)
_MAX_NAMED_REFERRERS: Final = 3


class WfpError(Exception):
    """An operation the engine refuses. `code` is an FWP_E_* symbol (or STATE_CHANGED)."""

    def __init__(self, code: str, message: str = "", context: dict[str, Any] | None = None):
        self.code = code
        self.detail = message
        self.context: dict[str, Any] = dict(context or {})
        super().__init__(self._text())

    def _text(self) -> str:
        where = _describe_context(self.context)
        return f"{where}: {self.message}" if where else self.message

    @property
    def message(self) -> str:
        """The readable explanation without the operation context."""
        explanation = catalogue.error_message(self.code)
        if not self.detail:
            return explanation
        if self.code not in catalogue.ERROR_CODES:
            return f"{explanation}: {self.detail}"
        return f"{explanation} ({self.detail})"

    def details(self) -> dict[str, Any]:
        """Safe-to-show details (no object bodies, so no secrets) for task results."""
        result: dict[str, Any] = dict(self.context)
        result["code"] = self.code
        hresult = catalogue.error_code(self.code)
        if hresult is not None:
            result["hresult"] = f"0x{hresult:08X}"
        result["message"] = self.message
        return result

    def with_context(self, **context: Any) -> WfpError:
        """A copy of this error with more operation context (same type, code and detail)."""
        return type(self)(self.code, self.detail, {**self.context, **context})


class PlanRefused(WfpError):
    """The plan was computed from another state than the host holds now; nothing was applied."""


def _describe_context(context: dict[str, Any]) -> str:
    if not context.get("op"):
        return ""
    index = context.get("op_index")
    prefix = f"operation {index}: " if index is not None else ""
    name = f" {context['name']!r}" if context.get("name") else ""
    return f"{prefix}{context['op']} {context.get('type')}{name} {{{context.get('key')}}}"


# ---- reading objects -------------------------------------------------------------------------


def is_persistent(object_type: str, obj: Obj) -> bool:
    return PERSISTENT_FLAG[object_type] in (obj.get("flags") or ())


def owner_of(object_type: str, obj: Obj) -> str | None:
    """The provider that owns an object (a provider owns itself)."""
    return str(obj["key"]) if object_type == "provider" else obj.get("provider_key")


def references(object_type: str, obj: Obj) -> list[Ref]:
    """The objects this object points at, as (type, key)."""
    refs: list[Ref] = []
    if object_type != "provider" and obj.get("provider_key"):
        refs.append(("provider", obj["provider_key"]))
    if object_type == "filter":
        if obj.get("sublayer_key"):
            refs.append(("sublayer", obj["sublayer_key"]))
        if obj.get("provider_context_key"):
            refs.append(("provider_context", obj["provider_context_key"]))
    return refs


def is_builtin_sublayer(key: str) -> bool:
    return (catalogue.symbol_of(key) or "").startswith(_BUILTIN_SUBLAYER_PREFIX)


def _is_builtin(object_type: str, key: str) -> bool:
    return object_type == "sublayer" and is_builtin_sublayer(key)


# ---- the engine ------------------------------------------------------------------------------


class Engine:
    """A WFP engine over a state document. Load with `Engine(state)`; export with `state()`."""

    def __init__(self, state: State | None = None) -> None:
        self._objects: dict[str, dict[str, Obj]] = {t: {} for t in OBJECT_TYPES}
        self._referrers: dict[Ref, set[Ref]] = {}
        self._callouts: set[str] = set()
        self._journal: list[tuple[str, str, Obj]] | None = None
        self._saved_ids: tuple[int, int] = (0, 0)
        self._next_filter_id = 1
        self._next_context_id = 1
        if state is not None:
            self._load(state)

    # -- loading and export --------------------------------------------------------------

    def _load(self, state: State) -> None:
        """Index a host's objects as they are (no semantic checks: the host already holds them)."""
        for callout in state.get("callouts") or []:
            self._callouts.add(str(callout["key"] if isinstance(callout, dict) else callout))
        for object_type, obj in iter_objects(state):
            if obj["key"] in self._objects[object_type]:
                raise WfpError(
                    "FWP_E_ALREADY_EXISTS",
                    "the state document holds this key twice",
                    {"op": "load", "type": object_type, "key": obj["key"], "name": obj.get("name")},
                )
            self._insert(object_type, obj)
            runtime = obj.get(RUNTIME_KEY) or {}
            if isinstance(runtime.get("filter_id"), int):
                self._next_filter_id = max(self._next_filter_id, runtime["filter_id"] + 1)
            if isinstance(runtime.get("provider_context_id"), int):
                self._next_context_id = max(
                    self._next_context_id, runtime["provider_context_id"] + 1
                )

    def state(self) -> State:
        """Every object, each list sorted by key (the engine's own dicts: read-only)."""
        result = empty_state()
        for object_type in OBJECT_TYPES:
            objects = self._objects[object_type]
            result[LIST_NAMES[object_type]] = [objects[key] for key in sorted(objects)]
        if self._callouts:
            result["callouts"] = [{"key": key} for key in sorted(self._callouts)]
        return result

    def owned(self, provider_key: str) -> State:
        """The objects `provider_key` owns (model.owned_state of `state()`)."""
        return owned_state(self.state(), provider_key)

    def get(self, object_type: str, key: str) -> Obj | None:
        return self._objects[object_type].get(key)

    def count(self, object_type: str) -> int:
        return len(self._objects[object_type])

    def referrers(self, object_type: str, key: str) -> set[Ref]:
        return set(self._referrers.get((object_type, key), ()))

    # -- index maintenance (no checks) ---------------------------------------------------

    def _insert(self, object_type: str, obj: Obj) -> None:
        key = obj["key"]
        self._objects[object_type][key] = obj
        for ref in references(object_type, obj):
            self._referrers.setdefault(ref, set()).add((object_type, key))

    def _remove(self, object_type: str, key: str) -> Obj:
        obj = self._objects[object_type].pop(key)
        for ref in references(object_type, obj):
            referrers = self._referrers.get(ref)
            if referrers is not None:
                referrers.discard((object_type, key))
                if not referrers:
                    del self._referrers[ref]
        return obj

    # -- operations ----------------------------------------------------------------------

    def add(self, object_type: str, obj: Obj, *, stored_before: bool = False) -> Obj:
        """Add an object (canonicalised copy, runtime ids assigned); returns the stored object.

        `stored_before`: `obj` is an object this engine stored (canonical), re-added with
        canonical changes only (commit confirmed's confirmation: persistent flags); it is
        stored as a shallow copy instead of being canonicalised again. Its checks still run.
        """
        _check_type(object_type)
        try:  # as _operation_context, the context built only on an error
            stored = (
                {k: v for k, v in obj.items() if k != RUNTIME_KEY}
                if stored_before
                else self._canonical(object_type, obj)
            )
            self._check_add(object_type, stored)
        except WfpError as error:
            context = {
                "op": "add",
                "type": object_type,
                "key": obj.get("key"),
                "name": obj.get("name"),
            }
            raise error.with_context(**{**context, **error.context}) from None
        self._assign_runtime(object_type, stored)
        self._insert(object_type, stored)
        if self._journal is not None:
            self._journal.append(("add", object_type, stored))
        return stored

    def delete(self, object_type: str, key: str) -> Obj:
        """Delete an object by key; returns the removed object."""
        _check_type(object_type)
        name = (self._objects[object_type].get(key) or {}).get("name")
        with _operation_context({"op": "delete", "type": object_type, "key": key, "name": name}):
            self._check_delete(object_type, key)
        removed = self._remove(object_type, key)
        if self._journal is not None:
            self._journal.append(("delete", object_type, removed))
        return removed

    def _check_delete(self, object_type: str, key: str) -> None:
        if key not in self._objects[object_type]:
            if _is_builtin(object_type, key):
                raise WfpError("FWP_E_BUILTIN_OBJECT", "built-in objects cannot be deleted")
            raise WfpError(NOT_FOUND[object_type], f"no {object_type} {{{key}}}")
        referrers = self._referrers.get((object_type, key))
        if referrers:
            raise WfpError("FWP_E_IN_USE", self._describe_referrers(referrers))

    def _describe_referrers(self, referrers: set[Ref]) -> str:
        named = []
        for ref_type, ref_key in sorted(referrers)[:_MAX_NAMED_REFERRERS]:
            name = (self._objects[ref_type].get(ref_key) or {}).get("name") or ""
            named.append(f"{ref_type} {name!r} {{{ref_key}}}".replace(" '' ", " "))
        more = len(referrers) - len(named)
        suffix = f" and {more} more" if more > 0 else ""
        return "referenced by " + ", ".join(named) + suffix

    @staticmethod
    def _canonical(object_type: str, obj: Obj) -> Obj:
        try:
            stored = canonical(object_type, obj)
        except ModelError as error:
            raise WfpError("FWP_E_INVALID_PARAMETER", str(error)) from None
        stored.pop(RUNTIME_KEY, None)
        return stored

    def _assign_runtime(self, object_type: str, obj: Obj) -> None:
        if object_type == "filter":
            obj[RUNTIME_KEY] = {
                "filter_id": self._next_filter_id,
                "effective_weight": {"type": "FWP_UINT64", "value": effective_weight(obj)},
            }
            self._next_filter_id += 1
        elif object_type == "provider_context":
            obj[RUNTIME_KEY] = {"provider_context_id": self._next_context_id}
            self._next_context_id += 1

    # -- add checks ----------------------------------------------------------------------

    def _exists(self, object_type: str, key: str) -> bool:
        return key in self._objects[object_type] or _is_builtin(object_type, key)

    def _check_add(self, object_type: str, obj: Obj) -> None:
        problems = object_problems(object_type, obj)
        if problems:
            raise problems[0]
        if self._exists(object_type, obj["key"]):
            raise WfpError("FWP_E_ALREADY_EXISTS", f"{object_type} {{{obj['key']}}} exists")
        provider_key = obj.get("provider_key")
        if provider_key and provider_key not in self._objects["provider"]:
            raise WfpError("FWP_E_PROVIDER_NOT_FOUND", f"provider_key {{{provider_key}}}")
        if object_type == "provider_context":
            _check_extended_mode(obj)
        elif object_type == "filter":
            self._check_filter(obj)
        self._check_lifetimes(object_type, obj)

    def _check_filter(self, obj: Obj) -> None:
        flags = set(obj["flags"])
        if {PERSISTENT_FLAG["filter"], BOOTTIME_FLAG} <= flags:
            raise WfpError(
                "FWP_E_INVALID_FLAGS", "a filter cannot be both persistent and boot-time"
            )
        if not self._exists("sublayer", obj["sublayer_key"]):
            raise WfpError("FWP_E_SUBLAYER_NOT_FOUND", f"sublayer_key {{{obj['sublayer_key']}}}")
        _check_weight(obj["weight"])
        callout = obj["action"].get("callout_key")
        if callout and not (catalogue.is_callout(callout) or callout in self._callouts):
            raise WfpError("FWP_E_CALLOUT_NOT_FOUND", f"action.callout_key {{{callout}}}")
        context_key = obj.get("provider_context_key")
        if context_key:
            context = self._objects["provider_context"].get(context_key)
            if context is None:
                raise WfpError(
                    "FWP_E_PROVIDER_CONTEXT_NOT_FOUND", f"provider_context_key {{{context_key}}}"
                )
            allowed = catalogue.context_types_for_layer(obj["layer_key"])
            if context["type"] not in allowed:
                raise WfpError(
                    "FWP_E_CONTEXT_INCOMPATIBLE_WITH_LAYER",
                    f"{context['type']} at {catalogue.display(obj['layer_key'])}",
                )

    def _check_lifetimes(self, object_type: str, obj: Obj) -> None:
        if not is_persistent(object_type, obj):
            return
        owner = owner_of(object_type, obj)
        for ref_type, ref_key in references(object_type, obj):
            target = self._objects[ref_type].get(ref_key)
            if target is None or _is_builtin(ref_type, ref_key):
                continue  # built in (a missing reference was refused before)
            if not is_persistent(ref_type, target):
                raise WfpError(
                    "FWP_E_LIFETIME_MISMATCH",
                    f"persistent {object_type} references non-persistent {ref_type} {{{ref_key}}}",
                )
            target_owner = owner_of(ref_type, target)
            if target_owner is not None and target_owner != owner:
                raise WfpError(
                    "FWP_E_LIFETIME_MISMATCH",
                    f"persistent {object_type} references {ref_type} {{{ref_key}}} "
                    f"of another provider {{{target_owner}}}",
                )

    # -- transactions ----------------------------------------------------------------------

    @property
    def in_transaction(self) -> bool:
        return self._journal is not None

    def begin(self) -> None:
        if self._journal is not None:
            raise WfpError("FWP_E_TXN_IN_PROGRESS", "a transaction is already open")
        self._journal = []
        self._saved_ids = (self._next_filter_id, self._next_context_id)

    def commit(self) -> None:
        if self._journal is None:
            raise WfpError("FWP_E_NO_TXN_IN_PROGRESS")
        self._journal = None

    def abort(self) -> None:
        """Undo every operation of the open transaction, newest first."""
        if self._journal is None:
            raise WfpError("FWP_E_NO_TXN_IN_PROGRESS")
        journal, self._journal = self._journal, None
        for op, object_type, obj in reversed(journal):
            if op == "add":
                self._remove(object_type, obj["key"])
            else:
                self._insert(object_type, obj)
        self._next_filter_id, self._next_context_id = self._saved_ids

    @contextmanager
    def transaction(self) -> Iterator[Engine]:
        """Commit when the block ends normally; roll back on any exception."""
        self.begin()
        try:
            yield self
        except BaseException:
            self.abort()
            raise
        self.commit()

    # -- plans ---------------------------------------------------------------------------

    def apply_plan(self, plan: Plan, *, result_fingerprint: bool = True) -> dict[str, Any]:
        """Apply a plan atomically, after checking it was computed from the current state."""
        return self._apply_plan(plan, lambda key: fingerprint(self.owned(key)), result_fingerprint)

    def _apply_plan(
        self, plan: Plan, current_base: Callable[[str], str] | None, result_fingerprint: bool
    ) -> dict[str, Any]:
        """apply_plan; `current_base(provider_key)` is the fingerprint the plan must match
        (None: the caller made the plan from this very state, nothing to check)."""
        provider_key = plan.get("provider_key")
        if not isinstance(provider_key, str):
            raise WfpError("FWP_E_INVALID_PARAMETER", "the plan has no provider_key")
        current = (
            plan.get("base_fingerprint") if current_base is None else current_base(provider_key)
        )
        if current != plan.get("base_fingerprint"):
            raise PlanRefused(
                STATE_CHANGED,
                f"the objects of provider {{{provider_key}}} changed since the plan was made "
                f"(plan base {plan.get('base_fingerprint')}, host {current}); "
                "nothing was applied, read the host again and re-plan",
                {"expected_fingerprint": plan.get("base_fingerprint"), "fingerprint": current},
            )
        operations = plan.get("operations") or []
        with self.transaction():
            self._apply_operations(operations)
        # Every operation applied, so each is an add or a delete of a known type.
        counts: dict[str, dict[str, int]] = {"add": {}, "delete": {}}
        for (op, object_type), count in Counter(map(_OP_AND_TYPE, operations)).items():
            counts[op][object_type] = count
        result: dict[str, Any] = {
            "applied": len(operations),
            "added": counts["add"],
            "deleted": counts["delete"],
            "base_fingerprint": current,
        }
        if result_fingerprint:
            result["fingerprint"] = fingerprint(self.owned(provider_key))
        return result

    def _apply_operations(self, operations: list[Any], start: int = 0) -> None:
        """Apply `operations` in order (`start`: the plan index of the first)."""
        for index, operation in enumerate(operations, start):
            self._apply_operation(index, operation)

    def _apply_operation(self, index: int, operation: dict[str, Any]) -> None:
        try:
            if operation.get("op") == "add":
                obj = operation.get("object")
                if not isinstance(obj, dict) or obj.get("key") != operation.get("key"):
                    raise WfpError("FWP_E_INVALID_PARAMETER", "an add needs its object (same key)")
                self.add(str(operation.get("type")), obj)
            elif operation.get("op") == "delete":
                self.delete(str(operation.get("type")), str(operation.get("key")))
            else:
                raise WfpError("FWP_E_INVALID_PARAMETER", f"unknown op {operation.get('op')!r}")
        except WfpError as error:
            # Built only on an error (nothing above changes `operation`).
            context = {
                "op_index": index,
                "op": operation.get("op"),
                "type": operation.get("type"),
                "key": operation.get("key"),
                "name": operation.get("name") or "",
            }
            raise error.with_context(**context) from error

    # -- reboot (commit confirmed, docs/commit-confirmed.md) -------------------------------

    def reboot(self) -> list[Ref]:
        """What a reboot (or a BFE restart) leaves: only persistent objects survive; static and
        boot-time objects vanish, and so does anything that referenced a vanished object.
        Returns the dropped objects as (type, key)."""
        if self._journal is not None:
            raise WfpError("FWP_E_TXN_IN_PROGRESS", "cannot reboot inside a transaction")
        dropped = [
            (object_type, key)
            for object_type in OBJECT_TYPES
            for key, obj in self._objects[object_type].items()
            if not is_persistent(object_type, obj)
        ]
        frontier = list(dropped)
        while frontier:
            referrers = {r for ref in frontier for r in self._referrers.get(ref, ())}
            frontier = sorted(referrers - set(dropped))
            dropped += frontier
        for object_type in reversed(OBJECT_TYPES):
            for dropped_type, key in dropped:
                if dropped_type == object_type:
                    self._remove(object_type, key)
        return dropped


@contextmanager
def _operation_context(context: dict[str, Any]) -> Iterator[None]:
    """Name the operation in any WfpError raised inside (outer context wins)."""
    try:
        yield
    except WfpError as error:
        raise error.with_context(**{**context, **error.context}) from None


# ---- stateless checks ------------------------------------------------------------------------


def _check_type(object_type: str) -> None:
    if object_type not in LIST_NAMES:
        raise WfpError(
            "FWP_E_INVALID_PARAMETER",
            f"unknown object type {object_type!r}; expected one of {list(OBJECT_TYPES)}",
        )


def _check_weight(weight: Obj) -> None:
    weight_type = weight.get("type")
    if weight_type not in VALID_WEIGHT_TYPES:
        raise WfpError(
            "FWP_E_INVALID_WEIGHT", f"{weight_type} weights are not allowed (EMPTY, UINT8, UINT64)"
        )
    if weight_type == "FWP_UINT8" and weight["value"] > MAX_WEIGHT_RANGE:
        raise WfpError(
            "FWP_E_INVALID_WEIGHT", f"weight range {weight['value']} is above {MAX_WEIGHT_RANGE}"
        )


def _check_extended_mode(obj: Obj) -> None:
    policy = obj.get("policy") or {}
    if obj["type"] in _NO_EM_QM_CONTEXTS and policy.get("em_policy") is not None:
        raise WfpError("FWP_E_EM_NOT_SUPPORTED", f"em_policy on a {obj['type']}")


# ---- what BFE (or the host layer) refuses about one object -------------------------------------


def _problem(code: str, field: str, message: str) -> WfpError:
    return WfpError(code, f"{field}: {message}", {"field": field})


def _listed(guids: list[str]) -> str:
    names = [catalogue.display(guid) for guid in guids[:_MAX_LISTED]]
    more = len(guids) - len(names)
    return ", ".join(names) + (f" and {more} more" if more > 0 else "")


def object_problems(object_type: str, obj: Obj) -> list[WfpError]:
    """What the host would refuse about adding `obj` (canonical form) regardless of the state.

    Each WfpError has the offending field (`context["field"]`, e.g. `conditions[0].match_type`,
    indices as in `obj`) and says how to fix it.
    """
    problems: list[WfpError] = []
    for field in _KEY_FIELDS:
        if obj.get(field) == catalogue.NULL_GUID:
            problems.append(_problem(ZERO_KEY, field, _ZERO_FIX))
    if _may_hold_control_text(obj):
        problems += [
            _problem(CONTROL_CHARACTER, field, problem)
            for field, problem in _text_problems(obj, "")
        ]
    if object_type == "provider_context" and obj.get("type") not in SUPPORTED_CONTEXT_TYPES:
        problems.append(
            _problem(
                HOST_LAYER_REFUSED,
                "type",
                f"{obj.get('type')} contexts are read-only in this collection; "
                f"use one of {', '.join(sorted(SUPPORTED_CONTEXT_TYPES))}",
            )
        )
    if object_type == "provider_context":
        problems += _policy_problems(obj)
        problems += _ikev2_problems(obj)
    if object_type == "filter":
        problems += filter_problems(obj)
    return problems


def _policy_problems(obj: Obj) -> list[WfpError]:
    """Arrays an IKE/AuthIP policy must not leave empty (FWP_E_ZERO_LENGTH_ARRAY)."""
    policy = obj.get("policy") or {}
    required: list[tuple[str, Any, str]] = []
    if obj.get("type") in catalogue.MM_CONTEXT_TYPES:
        required += [
            ("policy.proposals", policy.get("proposals"), "a main-mode proposal"),
            (
                "policy.authentication_methods",
                policy.get("authentication_methods"),
                "an authentication method",
            ),
        ]
    elif obj.get("type") in catalogue.QM_TRANSPORT_CONTEXT_TYPES:
        proposals = policy.get("proposals")
        required.append(("policy.proposals", proposals, "a quick-mode proposal"))
        for index, proposal in enumerate(proposals or []):
            path = f"policy.proposals[{index}].transforms"
            required.append((path, proposal.get("transforms"), "a transform"))
    return [
        _problem("FWP_E_ZERO_LENGTH_ARRAY", field, f"is empty; give at least {what}")
        for field, items, what in required
        if not items
    ]


def _ikev2_problems(obj: Obj) -> list[WfpError]:
    """What the host layer refuses in an IKEv2 context before BFE sees it (E_INVALIDARG, as
    WfpIpsecApply.cs answers): what Microsoft documents as not IKEv2's (docs/scenario-ikev2-
    transport.md, "Rules": documented applicability, the refusal itself is the collection's)."""
    if obj.get("type") not in catalogue.IKEV2_CONTEXT_TYPES:
        return []
    policy = obj.get("policy") or {}
    problems: list[WfpError] = []
    for index, method in enumerate(policy.get("authentication_methods") or []):
        if method.get("type") not in catalogue.IKEV2_AUTH_METHOD_TYPES:
            allowed = ", ".join(sorted(catalogue.IKEV2_AUTH_METHOD_TYPES))
            field = f"policy.authentication_methods[{index}].type"
            problems.append(
                _problem(
                    HOST_LAYER_REFUSED,
                    field,
                    f"{method.get('type')} is not for IKEv2; use {allowed}",
                )
            )
    authip_only = catalogue.AUTHIP_ONLY_MM_FLAGS | catalogue.AUTHIP_ONLY_QM_FLAGS
    for flag in policy.get("flags") or []:
        if flag in authip_only:
            problems.append(
                _problem(HOST_LAYER_REFUSED, "policy.flags", f"{flag} applies only to AuthIP")
            )
    if obj["type"] == "FWPM_IPSEC_IKEV2_MM_CONTEXT":
        impersonation = policy.get("initiator_impersonation")
        if impersonation not in (None, "IKEEXT_IMPERSONATION_NONE"):
            problems.append(
                _problem(
                    HOST_LAYER_REFUSED,
                    "policy.initiator_impersonation",
                    f"{impersonation} applies only to AuthIP; use IKEEXT_IMPERSONATION_NONE",
                )
            )
        retransmit = policy.get("retransmit_duration_seconds") or 0
        if retransmit < catalogue.IKEV2_MIN_RETRANSMIT_SECONDS:
            problems.append(
                _problem(
                    HOST_LAYER_REFUSED,
                    "policy.retransmit_duration_seconds",
                    f"{retransmit} is below the {catalogue.IKEV2_MIN_RETRANSMIT_SECONDS} seconds "
                    "IKEv2 needs",
                )
            )
    return problems


# json.dumps(ensure_ascii=False) writes every C0 control as a backslash escape, and DEL, C1
# controls and lone surrogates as they are: a text without a backslash or one of those holds
# nothing _text_problems reports. A backslash may be a false alarm (an escaped quote or
# backslash, a key of a mapping, a runtime field): the exact walk then decides.
_MAYBE_CONTROL: Final = re.compile(r"[\\\x7f-\x9f\ud800-\udfff]")


def _may_hold_control_text(obj: Obj) -> bool:
    """False only when no string in `obj` holds a character _text_problems would report: one
    C-speed serialisation and one regex search instead of a Python walk of every value."""
    try:
        text = json.dumps(obj, ensure_ascii=False, check_circular=False)
    except (TypeError, ValueError, RecursionError):
        return True
    return _MAYBE_CONTROL.search(text) is not None


def _text_problems(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """(field, problem) for every string of a canonical object the host would cut or change."""
    if isinstance(value, str):
        problem = text_problem(value)
        if problem:
            yield path, problem
    elif isinstance(value, dict):
        for name, item in value.items():
            if name != RUNTIME_KEY:
                yield from _text_problems(item, f"{path}.{name}" if path else name)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _text_problems(item, f"{path}[{index}]")


def filter_problems(obj: Obj) -> list[WfpError]:
    """Layer, callout and condition problems of a filter (canonical form)."""
    layer_key = obj["layer_key"]
    if not catalogue.is_layer(layer_key):
        return [_problem("FWP_E_LAYER_NOT_FOUND", "layer_key", f"no layer {{{layer_key}}}")]
    problems = []
    callout = (obj.get("action") or {}).get("callout_key")
    applicable = catalogue.callout_layer(callout) if callout else None
    if callout and applicable is not None and applicable != layer_key:
        fitting = catalogue.callouts_at(layer_key)
        fix = f"use one of {_listed(fitting)}" if fitting else "no built-in callout applies here"
        problems.append(
            _problem(
                "FWP_E_INCOMPATIBLE_LAYER",
                "action.callout_key",
                f"{catalogue.display(callout)} applies at {catalogue.display(applicable)}, "
                f"not at {catalogue.display(layer_key)}; {fix}, or move the filter to "
                f"{catalogue.display(applicable)}",
            )
        )
    return problems + condition_problems(layer_key, obj.get("conditions") or [])


def condition_problems(
    layer_key: str, conditions: list[Obj], prefix: str = "conditions"
) -> list[WfpError]:
    """Problems of canonical conditions at a layer; fields are `{prefix}[i]...` in list order."""
    problems = []
    for index, condition in enumerate(conditions):
        problem = _condition_problem(layer_key, condition, f"{prefix}[{index}]")
        if problem is not None:
            problems.append(problem)
    return problems


def _condition_problem(layer_key: str, condition: Obj, path: str) -> WfpError | None:
    value = condition["value"]
    bound_type = value["low"]["type"] if value["type"] == "FWP_RANGE_TYPE" else None
    found = _type_problem(
        layer_key, condition["field_key"], condition["match_type"], value["type"], bound_type
    )
    if found is not None:
        code, field, message = found
        return _problem(code, f"{path}.{field}", message)
    if bound_type is not None and _bound(value["low"]) > _bound(value["high"]):
        return _problem(
            "FWP_E_INVALID_RANGE",
            f"{path}.value",
            "the low bound is above the high bound; swap them",
        )
    return None


@cache
def _type_problem(
    layer_key: str, field_key: str, match_type: str, value_type: str, bound_type: str | None
) -> tuple[str, str, str] | None:
    """(code, field below the condition, message) for a condition's types at a layer."""
    if not catalogue.is_condition(field_key):
        return "FWP_E_CONDITION_NOT_FOUND", "field_key", f"no condition {{{field_key}}}"
    field = catalogue.layer_field(layer_key, field_key)
    if field is None and catalogue.has_field_table(layer_key):
        return (
            "FWP_E_CONDITION_NOT_FOUND",
            "field_key",
            f"{catalogue.display(field_key)} is not a field of {catalogue.display(layer_key)}; "
            f"its fields are {_listed(catalogue.layer_field_keys(layer_key))}",
        )
    if field is not None:
        if value_type not in field.value_types:
            return (
                "FWP_E_TYPE_MISMATCH",
                "value.type",
                f"{catalogue.display(field_key)} at {catalogue.display(layer_key)} is "
                f"{field.data_type}; a {value_type} value cannot match it, use one of "
                f"{', '.join(sorted(field.value_types))}",
            )
        if bound_type is not None and bound_type != field.data_type:
            return (
                "FWP_E_TYPE_MISMATCH",
                "value.low.type",
                f"the range bounds of {catalogue.display(field_key)} must be {field.data_type}, "
                f"not {bound_type}",
            )
    if not catalogue.match_type_fits(match_type, value_type):
        fitting = catalogue.match_types_for(value_type)
        hint = (
            "; a range needs {type: FWP_RANGE_TYPE, low: ..., high: ...}"
            if match_type == "FWP_MATCH_RANGE"
            else ""
        )
        return (
            "FWP_E_MATCH_TYPE_MISMATCH",
            "match_type",
            f"{match_type} cannot compare a {value_type} value; for {value_type} use one of "
            f"{', '.join(fitting) or 'no match type'}{hint}",
        )
    return None


def _bound(value: Obj) -> tuple[int, str]:
    """A sortable bound as a comparable key (integers, IPv6 addresses, bytes, strings)."""
    raw = value.get("value")
    if isinstance(raw, int):
        return raw, ""
    if value["type"] == "FWP_BYTE_ARRAY16_TYPE":
        return int(ipaddress.IPv6Address(raw)), ""
    return 0, str(raw or "")


def host_problems(object_type: str, obj: Any, state: State | None = None) -> list[WfpError]:
    """Would the host refuse to add `obj` to `state`? Every reason, or [] when it would not.

    `obj` may be in any form `model.canonical` reads (runtime fields are ignored); filters and
    provider contexts are first held to the strict shape of declared objects. Without `state`,
    references are not checked. Never raises: the generated-input suite uses this to tell input
    the collection must refuse.
    """
    try:
        _check_type(object_type)
    except WfpError as error:
        return [error]
    if not isinstance(obj, dict):
        return [WfpError("FWP_E_INVALID_PARAMETER", f"a {object_type} must be a mapping")]
    obj = {name: value for name, value in obj.items() if name != RUNTIME_KEY}
    if object_type in ("filter", "provider_context"):
        # The strict shape of declared objects; the context type is left to object_problems.
        shape = [
            WfpError(
                CONTROL_CHARACTER
                if isinstance(error, ControlCharacterError)
                else "FWP_E_INVALID_PARAMETER",
                f"{error.path.lstrip('.')}: {error.message}",
                {"field": error.path.lstrip(".")},
            )
            for error in declared_problems(object_type, obj, "")
            if not isinstance(error, UnwritableContextError)
        ]
        if shape:
            return shape
    try:
        stored = Engine._canonical(object_type, obj)
    except WfpError as error:
        return [error]
    except (TypeError, AttributeError, ValueError) as error:  # a shape canonical() cannot read
        return [WfpError("FWP_E_INVALID_PARAMETER", f"unreadable {object_type}: {error}")]
    problems = object_problems(object_type, stored)
    if problems or state is None:
        return problems
    engine = Engine(state)
    try:
        engine.add(object_type, stored)
    except WfpError as error:
        return [error]
    return []


# ---- declared objects: the same rules, named by option path -----------------------------------

_PLACEHOLDER_KEY: Final = "ffffffff-ffff-ffff-ffff-ffffffffffff"


def refusal_text(error: WfpError) -> str:
    """An error's explanation without its field, with the code the host would answer."""
    detail = error.detail
    field = error.context.get("field")
    if field and detail.startswith(f"{field}: "):
        detail = detail[len(field) + 2 :]
    if catalogue.error_code(error.code) is None:  # refused by this collection, not by the host
        return f"{detail} ({catalogue.error_message(error.code)})"
    return f"{detail} (the host would refuse it: {catalogue.error_message(error.code)})"


def declaration_problems(arguments: dict[str, Any]) -> list[tuple[str, str]]:
    """(option path, message) for everything in the module options the host would refuse.

    Checks, before anything is expanded: the declared provider and sublayer (control characters;
    their keys, the all-zero GUID included, are ownership.py's) and every raw object: its shape
    (`model.declared_problems`: unknown keys, control characters, context types this collection
    cannot write), then the engine
    rules of `object_problems`, with conditions numbered as declared, and a provider context
    referenced by a filter at a layer that cannot take it. Field errors that canonicalisation
    reports (unknown symbols, out-of-range values) are left to the expansion.
    """
    found: list[tuple[str, str]] = []
    for name in ("provider", "sublayer"):
        section = arguments.get(name)
        if not isinstance(section, dict):
            continue
        for field in _TEXT_FIELDS:
            text = section.get(field)
            problem = text_problem(text) if isinstance(text, str) else None
            if problem:
                found.append((f"{name}.{field}", problem))
    objects = arguments.get("objects")
    if isinstance(objects, dict):
        found += _raw_objects_problems(objects)
    return found


def _raw_objects_problems(objects: dict[str, Any]) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    context_types: dict[str, str] = {}
    for object_type in ("provider_context", "filter"):
        items = objects.get(LIST_NAMES[object_type])
        if not isinstance(items, list):
            continue
        for index, raw in enumerate(items):
            path = f"objects.{LIST_NAMES[object_type]}[{index}]"
            shape = declared_problems(object_type, raw, path)
            if shape:
                found += [(error.path, error.message) for error in shape]
                continue
            checked = _declared_form(object_type, raw, path)
            if checked is None:
                continue  # the expansion names the field
            for error in object_problems(object_type, checked):
                found.append((f"{path}.{error.context['field']}", refusal_text(error)))
            if object_type == "provider_context":
                for name in (raw.get("id"), raw.get("name"), checked["key"]):
                    if isinstance(name, str):
                        context_types[name] = checked["type"]
            else:
                found += _declared_context_problems(raw, checked, context_types, path)
    return found


def _declared_form(object_type: str, raw: Obj, path: str) -> Obj | None:
    """A raw object in canonical form for the checks, conditions in declared order."""
    stand_in = {"key": _PLACEHOLDER_KEY, "sublayer_key": _PLACEHOLDER_KEY}
    obj = {**stand_in, **{k: v for k, v in raw.items() if v is not None}}
    if catalogue.normalise_guid(str(obj.get("provider_context_key") or "")) is None:
        obj.pop("provider_context_key", None)  # an id of a declared context: checked below
    obj.pop("id", None)
    try:
        checked = canonical(object_type, obj, path)
        if object_type == "filter":
            checked["conditions"] = [
                canonical_condition(condition, f"{path}.conditions[{index}]")
                for index, condition in enumerate(raw.get("conditions") or [])
            ]
    except ModelError:
        return None
    return checked


def _declared_context_problems(
    raw: Obj, checked: Obj, context_types: dict[str, str], path: str
) -> list[tuple[str, str]]:
    reference = raw.get("provider_context_key")
    context_type = context_types.get(str(reference)) if reference else None
    if context_type is None:
        return []
    allowed = catalogue.context_types_for_layer(checked["layer_key"])
    if context_type in allowed:
        return []
    error = _problem(
        "FWP_E_CONTEXT_INCOMPATIBLE_WITH_LAYER",
        "provider_context_key",
        f"{reference!r} is a {context_type}, which a filter at "
        f"{catalogue.display(checked['layer_key'])} cannot use; it takes "
        f"{', '.join(sorted(allowed))}",
    )
    return [(f"{path}.provider_context_key", refusal_text(error))]


# ---- module-level helpers ----------------------------------------------------------------------


def apply_plan(state: State, plan: Plan) -> tuple[State, dict[str, Any]]:
    """Apply a plan to a state document; returns the new document and the result."""
    engine = Engine(state)
    result = engine.apply_plan(plan)
    return engine.state(), result


def preflight(
    state: State, plan: Plan, *, base_verified: bool = False, canonical_plan: bool = False
) -> None:
    """Raise the WfpError (or PlanRefused) that applying `plan` to `state` would raise.

    Only what the plan can meet is loaded into the engine: the objects it adds or deletes, the
    objects they reference, and the objects that reference what it deletes (for FWP_E_IN_USE),
    so the cost follows the plan, not the size of the host. The errors are those of a full
    `Engine(state).apply_plan(plan)` (tests/unit/core/test_preflight_scope.py).

    `base_verified`: the caller made the plan from `state` itself, so the fingerprint check
    cannot fail and is skipped; an empty plan then costs nothing. `canonical_plan`: the objects
    the plan adds are canonical already (make_plan of a canonical desired state), so they are
    not canonicalised again. `state` is not changed.
    """
    operations = plan.get("operations") or []
    if base_verified and not operations:
        return
    scoped = _preflight_scope(state, operations, exact_keys=canonical_plan)
    current_base: Callable[[str], str] | None = None
    if not base_verified:

        def current_base(key: str) -> str:
            return fingerprint(owned_state(state, key))

    engine = _CanonicalPlanEngine(scoped) if canonical_plan else _PreflightEngine(scoped)
    engine._apply_plan(plan, current_base, result_fingerprint=False)


class _PreflightEngine(Engine):
    """An engine that is thrown away after one plan: no check reads runtime ids or effective
    weights, so none are assigned; and after the plan's last delete nothing asks what
    references an object (FWP_E_IN_USE), so the adds after it keep no referrers."""

    def __init__(self, state: State) -> None:
        self._keep_referrers = True  # the objects loaded from the state keep theirs
        self._last_delete = -1
        super().__init__(state)

    def _assign_runtime(self, object_type: str, obj: Obj) -> None:
        return None

    def _apply_plan(
        self, plan: Plan, current_base: Callable[[str], str] | None, result_fingerprint: bool
    ) -> dict[str, Any]:
        operations = plan.get("operations") or []
        deletes = [
            index
            for index, op in enumerate(operations)
            if isinstance(op, dict) and op.get("op") == "delete"
        ]
        self._last_delete = deletes[-1] if deletes else -1
        return super()._apply_plan(plan, current_base, result_fingerprint)

    def _apply_operation(self, index: int, operation: dict[str, Any]) -> None:
        self._keep_referrers = index < self._last_delete
        super()._apply_operation(index, operation)

    def _insert(self, object_type: str, obj: Obj) -> None:
        if self._keep_referrers:
            super()._insert(object_type, obj)
        else:
            self._objects[object_type][obj["key"]] = obj


class _CanonicalPlanEngine(_PreflightEngine):
    """A pre-flight engine for plans whose added objects are canonical: stored as they are
    (nothing is canonicalised again, and nothing in a pre-flight engine changes what it
    stores).

    Adding a filter first tries a fast path that can only say "every check of `_check_add`
    passes" (issue 12: 100,000 adds beside 500,000 foreign filters). Of a canonical filter's
    strings only the name, the description and text-typed values can hold a character the host
    would cut or change (model.TEXT_VALUE_TYPES, tests/unit/policy/test_canonical_text.py): those
    are tested, each distinct text once. The layer and condition checks run once per filter
    shape; the reference, lifetime and context checks once per combination of referenced keys,
    layer, callout and flags while no provider, sublayer or provider context changes. When any
    of it is in doubt, `Engine._check_add` runs and raises its exact error. The plan's
    trailing filter adds go through the same checks (`_filters_fine`) all at once.
    """

    def __init__(self, state: State) -> None:
        self._clean_texts: set[str] = set()
        self._shapes: dict[Any, bool] = {}
        self._references_fine: dict[Any, bool] = {}
        super().__init__(state)

    @staticmethod
    def _canonical(object_type: str, obj: Obj) -> Obj:
        return obj

    def _insert(self, object_type: str, obj: Obj) -> None:
        if object_type != "filter":  # what a filter's references resolve to may change
            self._references_fine.clear()
        super()._insert(object_type, obj)

    def _remove(self, object_type: str, key: str) -> Obj:
        if object_type != "filter":
            self._references_fine.clear()
        return super()._remove(object_type, key)

    def add(self, object_type: str, obj: Obj, *, stored_before: bool = False) -> Obj:
        if object_type != "filter" or stored_before or not self._filters_fine([obj]):
            return super().add(object_type, obj, stored_before=stored_before)
        # What Engine.add does once its checks pass (a pre-flight engine assigns no runtime).
        self._insert(object_type, obj)
        if self._journal is not None:
            self._journal.append(("add", object_type, obj))
        return obj

    def _apply_operations(self, operations: list[Any], start: int = 0) -> None:
        """The plan's trailing filter adds (a fresh host's are most of its plan) are checked
        together, after the operations before them, and stored in one update. On any doubt
        they are applied one by one, so that the exact check raises its exact error."""
        first = _filter_adds_start(operations)  # after the last delete: no referrers kept
        super()._apply_operations(operations[:first], start)
        adds = operations[first:]
        objects = self._fine_filter_adds(adds)
        if objects is None:
            super()._apply_operations(adds, start + first)
            return
        # What `add` does once its checks pass, for each (no referrers: after the last delete).
        self._objects["filter"].update(zip(map(_KEY_OF, objects), objects, strict=True))
        if self._journal is not None:
            self._journal.extend(("add", "filter", obj) for obj in objects)

    def _fine_filter_adds(self, operations: list[Any]) -> list[Obj] | None:
        """The filters these adds store, when applying them one by one, in order, would pass
        (each add names its object's key, as `_apply_operation` requires); else None."""
        with suppress(KeyError, TypeError):
            objects = [operation["object"] for operation in operations]
            if list(map(_KEY_OF, objects)) == list(map(_KEY_OF, operations)):
                return objects if self._filters_fine(objects) else None
        return None

    def _filters_fine(self, objects: list[Obj]) -> bool:
        """True only when `Engine._check_add` would pass each of these (canonical) filters,
        added in order: what decides each check is gathered from all of them at C speed and
        each distinct value decided once. An unusual object is a doubt (False): the exact
        checks then decide, and raise what they raise."""
        with suppress(KeyError, TypeError, AttributeError, ValueError):
            keys = list(map(_KEY_OF, objects))
            distinct = set(keys)
            if (
                len(distinct) < len(keys)
                or catalogue.NULL_GUID in distinct
                or not distinct.isdisjoint(self._objects["filter"])
            ):
                return False
            texts = set(map(_NAME_OF, objects))
            texts.update(map(_DESCRIPTION_OF, objects))
            weights = list(map(_WEIGHT_OF, objects))
            shapes = dict(zip(map(_filter_shape, objects), objects, strict=True))
            referenced = dict(zip(_referenced(objects), objects, strict=True))
            return (
                self._texts_clean(texts)
                and {weight.get("type") for weight in weights} <= VALID_WEIGHT_TYPES
                and not any(
                    weight["type"] == "FWP_UINT8" and weight["value"] > MAX_WEIGHT_RANGE
                    for weight in weights
                )
                and all(map(self._shape_fine, shapes.keys(), shapes.values()))
                and all(map(self._references_fine_for, referenced.keys(), referenced.values()))
            )
        return False

    def _shape_fine(self, shape: tuple[Any, ...] | None, obj: Obj) -> bool:
        """`filter_problems` finds nothing in `obj`, a filter of this `_filter_shape` (None:
        a shape that is checked per filter, so not here)."""
        if shape is None:
            return False
        fine = self._shapes.get(shape)
        if fine is None:
            fine = self._shapes[shape] = not filter_problems(obj)
        return fine

    def _references_fine_for(self, referenced: tuple[Any, ...], obj: Obj) -> bool:
        """`_references_pass(obj)`, decided once per `_referenced` value."""
        fine = self._references_fine.get(referenced)
        if fine is None:
            fine = self._references_fine[referenced] = self._references_pass(obj)
        return fine

    def _texts_clean(self, texts: set[Any]) -> bool:
        """No text among `texts` has a character `text_problem` reports (None: no text); those
        not met before are searched as one string (the search is for single characters, so
        joining them finds no character none has)."""
        unseen = texts - self._clean_texts
        unseen.discard(None)
        try:
            joined = "".join(unseen)
        except TypeError:  # not all of them text
            return False
        if text_problem(joined) is not None:
            return False
        self._clean_texts |= unseen
        return True

    def _references_pass(self, obj: Obj) -> bool:
        """`_check_add`'s checks of a filter after the text, the key and the weight: a function
        of the fields `_referenced` gathers and of the providers, sublayers and provider
        contexts."""
        provider_key = obj.get("provider_key")
        if catalogue.NULL_GUID in (
            provider_key,
            obj["sublayer_key"],
            obj.get("provider_context_key"),
        ):
            return False
        if provider_key and provider_key not in self._objects["provider"]:
            return False
        try:
            self._check_filter(obj)
            self._check_lifetimes("filter", obj)
        except WfpError:
            return False
        return True


def _filter_adds_start(operations: list[Any]) -> int:
    """The index of the first of the plan's trailing filter adds (len(operations): none, or an
    operation that is not a mapping with an op and a type)."""
    try:
        kinds = list(map(_OP_AND_TYPE, operations))
    except (KeyError, TypeError):
        return len(operations)
    kinds.reverse()
    with suppress(ValueError):
        return len(operations) - list(map(eq, kinds, repeat(_FILTER_ADD))).index(False)
    return 0


def _referenced(filters: list[Obj]) -> Iterator[tuple[Any, ...]]:
    """What `_references_pass` of each filter depends on (besides the engine's providers,
    sublayers and provider contexts): its references, layer, callout and flags."""
    return zip(
        map(_GET_PROVIDER_KEY, filters),
        map(_SUBLAYER_KEY_OF, filters),
        map(_GET_PROVIDER_CONTEXT_KEY, filters),
        map(_LAYER_KEY_OF, filters),
        [action.get("callout_key") for action in map(_ACTION_OF, filters)],
        map(tuple, map(_FLAGS_OF, filters)),
        strict=True,
    )


def _filter_shape(obj: Obj) -> tuple[Any, ...] | None:
    """What `filter_problems` depends on, hashable; None with a range condition (its bounds
    are checked per filter), a text value with a character the host would not keep, or an
    unusual shape."""
    shape = []
    for condition in obj.get("conditions") or []:
        value = condition["value"]
        value_type = value["type"]
        if value_type == "FWP_RANGE_TYPE" or (
            value_type in TEXT_VALUE_TYPES and text_problem(value["value"]) is not None
        ):
            return None
        shape.append((condition["field_key"], condition["match_type"], value_type))
    callout = (obj.get("action") or {}).get("callout_key")
    return obj["layer_key"], callout, tuple(shape)


def _operation_refs(operation: Any, exact_keys: bool) -> set[Ref]:
    """The (type, key) an operation names, and for an add what its object references.

    Unless `exact_keys`, keys are taken in every form the engine could resolve them to (GUID
    text in any case, catalogue symbols): loading an object the plan does not meet changes no
    result, missing one would.
    """
    if not isinstance(operation, dict):
        return set()
    object_type, key = operation.get("type"), operation.get("key")
    if object_type not in LIST_NAMES:
        return set()
    forms = _exact_form if exact_keys else _key_forms
    refs: set[Ref] = set(forms(str(object_type), key))
    obj = operation.get("object")
    if operation.get("op") == "add" and isinstance(obj, dict):
        for ref_type, ref_key in references(str(object_type), obj):
            refs.update(forms(ref_type, ref_key))
    return refs


def _exact_refs(operations: list[Any], wanted: dict[str, set[str]]) -> None:
    """`wanted[type].add(key)` for every (type, key) of `_operation_refs(op, True)` of every
    operation: a few comprehensions per object type instead of a call per operation (the
    pre-flight of 100,000 adds)."""
    valid = [op for op in operations if isinstance(op, dict)]
    types = list(map(_GET_TYPE, valid))
    for object_type in OBJECT_TYPES:
        of_type = list(compress(valid, map(eq, types, repeat(object_type))))
        wanted[object_type] |= _strings(map(_GET_KEY, of_type))
        adds = compress(of_type, map(eq, map(_GET_OP, of_type), repeat("add")))
        added = [obj for obj in map(_GET_OBJECT, adds) if isinstance(obj, dict)]
        # What `references` reports, read field by field (a superset: "" is loaded too, and
        # loading an object the plan does not meet changes no result).
        for field, ref_type in _REFERENCE_FIELDS[object_type]:
            wanted[ref_type] |= _strings(map(methodcaller("get", field), added))


def _strings(values: Iterable[Any]) -> set[str]:
    """The distinct strings among `values`."""
    listed = list(values)
    try:
        distinct: Iterable[Any] = set(listed)
    except TypeError:  # an unhashable value, so not a string
        distinct = listed
    return {value for value in distinct if isinstance(value, str)}


def _exact_form(object_type: str, key: Any) -> list[Ref]:
    return [(object_type, key)] if isinstance(key, str) else []


def _key_forms(object_type: str, key: Any) -> list[Ref]:
    if not isinstance(key, str):
        return []
    forms = [(object_type, key)]
    with suppress(catalogue.UnknownSymbolError):
        forms.append((object_type, catalogue.guid_of(key)))
    return forms


def _preflight_scope(state: State, operations: list[Any], exact_keys: bool) -> State:
    """The part of `state` a plan's operations can meet (see `preflight`).

    Raises the duplicate-key error `Engine(state)` would raise, and keeps the objects named by
    the operations and those that reference (`references`) an object the plan deletes. Each
    list is indexed by one dict built at C speed; only the referrers of deleted providers,
    sublayers and provider contexts (rare: our own provider or sublayer changed) need a scan.
    """
    wanted: dict[str, set[str]] = {object_type: set() for object_type in OBJECT_TYPES}
    deleted: dict[str, set[str]] = {object_type: set() for object_type in OBJECT_TYPES}
    if exact_keys:
        _exact_refs(operations, wanted)
    else:
        for operation in operations:
            for object_type, key in _operation_refs(operation, exact_keys):
                wanted[object_type].add(key)
    for operation in [op for op in operations if isinstance(op, dict) and op.get("op") == "delete"]:
        deleted.setdefault(str(operation.get("type")), set()).add(str(operation.get("key")))
    scoped = empty_state()
    if state.get("callouts"):
        scoped["callouts"] = state["callouts"]
    for object_type in OBJECT_TYPES:
        objects = state.get(LIST_NAMES[object_type]) or []
        keys = list(map(_KEY_OF, objects))
        present = set(keys)
        if len(present) != len(objects):
            _raise_duplicate(object_type, objects)
        found = wanted[object_type] & present
        kept: dict[str, Obj] = {}
        if found:  # only what the plan meets is indexed (not every object of the type)
            met = {key: obj for key, obj in zip(keys, objects, strict=True) if key in found}
            kept = {key: met[key] for key in sorted(found)}
        for field, target_type in _REFERENCE_FIELDS[object_type]:
            targets = deleted[target_type]
            if targets:
                kept.update((obj["key"], obj) for obj in objects if obj.get(field) in targets)
        scoped[LIST_NAMES[object_type]] = list(kept.values())
    return scoped


_KEY_OF: Final = itemgetter("key")
_OP_AND_TYPE: Final = itemgetter("op", "type")
_FILTER_ADD: Final = ("add", "filter")
_GET_TYPE: Final = methodcaller("get", "type")
_GET_OP: Final = methodcaller("get", "op")
_GET_OBJECT: Final = methodcaller("get", "object")
_NAME_OF: Final = itemgetter("name")
_DESCRIPTION_OF: Final = itemgetter("description")
_WEIGHT_OF: Final = itemgetter("weight")
_SUBLAYER_KEY_OF: Final = itemgetter("sublayer_key")
_LAYER_KEY_OF: Final = itemgetter("layer_key")
_ACTION_OF: Final = itemgetter("action")
_FLAGS_OF: Final = itemgetter("flags")
_GET_PROVIDER_KEY: Final = methodcaller("get", "provider_key")
_GET_PROVIDER_CONTEXT_KEY: Final = methodcaller("get", "provider_context_key")
_GET_KEY: Final = methodcaller("get", "key")
# (field, type of the object it names) of the references `references` reports, per type.
_REFERENCE_FIELDS: Final[dict[str, tuple[tuple[str, str], ...]]] = {
    "provider": (),
    "sublayer": (("provider_key", "provider"),),
    "provider_context": (("provider_key", "provider"),),
    "filter": (
        ("provider_key", "provider"),
        ("sublayer_key", "sublayer"),
        ("provider_context_key", "provider_context"),
    ),
}


def _raise_duplicate(object_type: str, objects: list[Obj]) -> None:
    """The error `Engine(state)` raises for the first key the document holds twice."""
    seen: set[str] = set()
    for obj in objects:
        key = obj["key"]
        if key in seen:
            raise WfpError(
                "FWP_E_ALREADY_EXISTS",
                "the state document holds this key twice",
                {"op": "load", "type": object_type, "key": key, "name": obj.get("name")},
            )
        seen.add(key)
