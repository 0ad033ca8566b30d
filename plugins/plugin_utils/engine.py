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
  (FWP_E_CONTEXT_INCOMPATIBLE_WITH_LAYER); extended mode is AuthIP only (FWP_E_EM_NOT_SUPPORTED);
* one transaction at a time (FWP_E_TXN_IN_PROGRESS); an exception inside rolls everything back.

The engine never mutates the dicts it is given (added objects are canonicalised copies), so
`preflight` needs no deep copy of the host state. Objects it returns are its own: treat them as
read-only.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Final

from . import catalogue
from .arbitration import effective_weight
from .model import (
    LIST_NAMES,
    OBJECT_TYPES,
    PERSISTENT_FLAG,
    RUNTIME_KEY,
    ModelError,
    Obj,
    State,
    canonical,
    empty_state,
    fingerprint,
    iter_objects,
    owned_state,
)

Plan = dict[str, Any]
Ref = tuple[str, str]  # (object type, key)

STATE_CHANGED: Final = "STATE_CHANGED"

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
_IKE_QM_CONTEXTS: Final = frozenset(
    {"FWPM_IPSEC_IKE_QM_TRANSPORT_CONTEXT", "FWPM_IPSEC_IKE_QM_TUNNEL_CONTEXT"}
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
        if self.code in catalogue.ERROR_CODES:
            result["hresult"] = f"0x{catalogue.ERROR_CODES[self.code]:08X}"
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

    def add(self, object_type: str, obj: Obj) -> Obj:
        """Add an object (canonicalised copy, runtime ids assigned); returns the stored object."""
        _check_type(object_type)
        context = {"op": "add", "type": object_type, "key": obj.get("key"), "name": obj.get("name")}
        with _operation_context(context):
            stored = self._canonical(object_type, obj)
            self._check_add(object_type, stored)
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
        if not catalogue.is_layer(obj["layer_key"]):
            raise WfpError("FWP_E_LAYER_NOT_FOUND", f"layer_key {{{obj['layer_key']}}}")
        if not self._exists("sublayer", obj["sublayer_key"]):
            raise WfpError("FWP_E_SUBLAYER_NOT_FOUND", f"sublayer_key {{{obj['sublayer_key']}}}")
        _check_weight(obj["weight"])
        callout = obj["action"].get("callout_key")
        if callout and not (catalogue.is_callout(callout) or callout in self._callouts):
            raise WfpError("FWP_E_CALLOUT_NOT_FOUND", f"action.callout_key {{{callout}}}")
        for index, condition in enumerate(obj["conditions"]):
            if not catalogue.is_condition(condition["field_key"]):
                raise WfpError(
                    "FWP_E_CONDITION_NOT_FOUND",
                    f"conditions[{index}].field_key {{{condition['field_key']}}}",
                )
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
        provider_key = plan.get("provider_key")
        if not isinstance(provider_key, str):
            raise WfpError("FWP_E_INVALID_PARAMETER", "the plan has no provider_key")
        current = fingerprint(self.owned(provider_key))
        if current != plan.get("base_fingerprint"):
            raise PlanRefused(
                STATE_CHANGED,
                f"the objects of provider {{{provider_key}}} changed since the plan was made "
                f"(plan base {plan.get('base_fingerprint')}, host {current}); "
                "nothing was applied, read the host again and re-plan",
                {"expected_fingerprint": plan.get("base_fingerprint"), "fingerprint": current},
            )
        operations = plan.get("operations") or []
        counts: dict[str, dict[str, int]] = {"add": {}, "delete": {}}
        with self.transaction():
            for index, operation in enumerate(operations):
                self._apply_operation(index, operation)
                per_type = counts[operation["op"]]
                per_type[operation["type"]] = per_type.get(operation["type"], 0) + 1
        result: dict[str, Any] = {
            "applied": len(operations),
            "added": counts["add"],
            "deleted": counts["delete"],
            "base_fingerprint": current,
        }
        if result_fingerprint:
            result["fingerprint"] = fingerprint(self.owned(provider_key))
        return result

    def _apply_operation(self, index: int, operation: dict[str, Any]) -> None:
        context = {
            "op_index": index,
            "op": operation.get("op"),
            "type": operation.get("type"),
            "key": operation.get("key"),
            "name": operation.get("name") or "",
        }
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
    if obj["type"] in _IKE_QM_CONTEXTS and policy.get("em_policy") is not None:
        raise WfpError("FWP_E_EM_NOT_SUPPORTED", f"em_policy on a {obj['type']}")


# ---- module-level helpers ----------------------------------------------------------------------


def apply_plan(state: State, plan: Plan) -> tuple[State, dict[str, Any]]:
    """Apply a plan to a state document; returns the new document and the result."""
    engine = Engine(state)
    result = engine.apply_plan(plan)
    return engine.state(), result


def preflight(state: State, plan: Plan) -> None:
    """Raise the WfpError (or PlanRefused) that applying `plan` to `state` would raise.

    `state` is not changed: the engine never mutates the objects it loads.
    """
    Engine(state).apply_plan(plan, result_fingerprint=False)
