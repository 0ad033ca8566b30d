"""One converge of one host: declaration -> desired objects -> host state -> plan -> apply.

Pure orchestration over a HostBackend; the action plugin only chooses the backend and turns
exceptions into task failures. Nothing is written unless the declaration is valid, the plan
pre-flights cleanly on the engine model, and the run is not in check mode.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from .backend import BackendError, HostBackend, HostUnreachableError
from .catalogue import symbol_of
from .confirm import confirmed_view, deadline_utc
from .declaration import validate
from .engine import WfpError, preflight
from .lockout import lockout_check
from .model import LIST_NAMES, State, all_objects, empty_state, iter_objects, owned_state
from .ownership import ADOPT_OPTION, host_problems, key_problems, stamp
from .plan import cyclic_gc_paused, plan_and_drift, summary
from .render import change_summary, plan_diff, shadowing_summary
from .scenarios import expand, provider_key_of, sublayer_key_of
from .transition import describe, stage_of


class PolicyError(Exception):
    """The run cannot go on; `details` go into the task result (no secrets). `unreachable`:
    the host could not be reached (Ansible marks it unreachable, not failed)."""

    def __init__(
        self, message: str, details: dict[str, Any] | None = None, unreachable: bool = False
    ) -> None:
        super().__init__(message)
        self.details = details or {}
        self.unreachable = unreachable


@dataclass
class RunOptions:
    check_mode: bool = False
    diff: bool = False
    management_ports: list[int] = field(default_factory=list)
    #: Commit confirmed when above 0 and the backend supports it (the module option
    #: `confirm_timeout` overrides it); docs/commit-confirmed.md.
    confirm_timeout: int = 0


def desired_state(arguments: dict[str, Any], expanded: State | None = None) -> State:
    """The objects our provider should own (provider stamped with our mark); none for absent.
    `expanded` is the declaration's expansion when validation already made it."""
    if arguments.get("state", "present") == "absent":
        return empty_state()
    return stamp(expanded if expanded is not None else expand(arguments))


def _lockout_guard(arguments: dict[str, Any], desired: State, ports: list[int]) -> None:
    if arguments.get("allow_management_lockout"):
        return
    declared_ports = list(arguments.get("management_ports") or [])
    ports = sorted(set(ports + declared_ports))
    refusal = lockout_check(desired, ports)
    if refusal:
        raise PolicyError(*refusal)


def _ownership_guard(problems: list[str]) -> None:
    if problems:
        raise PolicyError("; ".join(problems), {"ownership": problems})


def _shadowing(everything: State, desired: State, provider_key: str) -> list[dict[str, Any]]:
    """Foreign filters that would stop our desired filters from deciding (shadow analysis).

    Runs on the host's foreign objects with our desired objects in place of the current ones.
    """
    from .shadow import find_shadowing

    owned_keys = {obj["key"] for obj in all_objects(owned_state(everything, provider_key))}
    overlay = empty_state()
    for object_type, obj in iter_objects(everything):
        if obj["key"] not in owned_keys:
            overlay[LIST_NAMES[object_type]].append(obj)
    for object_type, obj in iter_objects(desired):
        overlay[LIST_NAMES[object_type]].append(obj)
    # Foreign objects the host could not read: the analysis treats them conservatively.
    overlay["unsupported"] = everything.get("unsupported") or []
    return [finding.to_dict() for finding in find_shadowing(overlay, provider_key)]


def _read_everything(backend: HostBackend, provider_key: str, desired: State) -> State:
    """The foreign objects the run needs: a live host is asked only for the filters on the
    layers of our desired filters (plus all of ours); other backends return everything."""
    read_on_layers = getattr(backend, "read_all_on_layers", None)
    if read_on_layers is None:
        return backend.read_all()
    layers = sorted({f["layer_key"] for f in desired["filters"]})
    everything: State = read_on_layers(provider_key, layers)
    return everything


def _plan_and_preflight(
    desired: State,
    actual: State,
    everything: State | None,
    provider_key: str,
    *,
    for_apply: bool,
    reported: str | None,
) -> tuple[dict[str, Any], dict[str, int]]:
    """The plan and drift counts, pre-flighted on the engine model (PolicyError if it fails)."""
    plan, drift = plan_and_drift(
        desired,
        actual,
        provider_key,
        fingerprint_empty=False,
        for_apply=for_apply,
        base_fingerprint=reported,
    )
    engine_view = actual if everything is None else everything
    try:
        # The plan was just made from this state (no fingerprint to re-check) and its objects
        # come from the canonical desired state (nothing to canonicalise again).
        preflight(engine_view, plan, base_verified=True, canonical_plan=True)
    except WfpError as error:
        raise PolicyError(
            f"the plan would fail on the host: {error}", {"preflight": error.details()}
        ) from error
    return plan, drift


def _reported_fingerprint(backend: HostBackend, provider_key: str) -> str | None:
    """The fingerprint the host reported with its last read of our objects (live backend);
    None for backends that do not report one (offline, state files): the plan computes it."""
    reported = getattr(backend, "reported_fingerprint", None)
    value = reported(provider_key) if callable(reported) else None
    return value if isinstance(value, str) else None


def references_foreign_objects(desired: State) -> bool:
    """Whether a desired object references an object that is neither declared nor built in."""
    declared = {obj["key"] for obj in all_objects(desired)}
    for obj in all_objects(desired):
        refs = [obj.get("provider_key"), obj.get("sublayer_key"), obj.get("provider_context_key")]
        if any(ref and ref not in declared and symbol_of(ref) is None for ref in refs):
            return True
    return False


def converge(
    arguments: dict[str, Any], backend: HostBackend, options: RunOptions
) -> dict[str, Any]:
    """Converge one host to `arguments`; return the task result."""
    validated = validate(arguments)  # converts, validates and expands, once per run
    arguments = validated.declaration  # converted: ints, bools, lists, normalised ports
    provider_key = provider_key_of(arguments)
    sublayer_key = sublayer_key_of(arguments)
    _ownership_guard(key_problems(provider_key, sublayer_key))
    desired = desired_state(arguments, validated.desired)
    present = arguments.get("state", "present") == "present"
    if present:
        _lockout_guard(arguments, desired, options.management_ports)

    wants_shadowing = options.check_mode and present and arguments.get("shadow_check", True)
    # One read per run: everything when the shadow analysis or the pre-flight needs foreign
    # objects (a raw filter in another provider's sublayer, say), else only what we own.
    # A declared sublayer key may be another provider's sublayer: reading everything shows it.
    declared_sublayer = bool((arguments.get("sublayer") or {}).get("key"))
    reads_everything = wants_shadowing or declared_sublayer or references_foreign_objects(desired)

    def read_host() -> tuple[State | None, State]:
        if reads_everything:
            everything = _read_everything(backend, provider_key, desired)
            return everything, owned_state(everything, provider_key)
        return None, backend.read(provider_key)

    everything, actual = read_host()
    adopt = bool(arguments.get(ADOPT_OPTION))
    _ownership_guard(host_problems(actual, provider_key, sublayer_key, everything, adopt))
    confirmation = None
    pending = _pending(backend, provider_key)
    if pending is not None:
        confirmation, everything, actual = _settle_pending(
            backend, pending, options.check_mode, read_host, (everything, actual)
        )
    # The host's fingerprint of what it just read (the last read: after _settle_pending's
    # re-read too); check mode needs none (its view may be a confirmed_view, not a read).
    reported = None if options.check_mode else _reported_fingerprint(backend, provider_key)
    with cyclic_gc_paused():
        plan, drift = _plan_and_preflight(
            desired,
            actual,
            everything,
            provider_key,
            for_apply=not options.check_mode,
            reported=reported,
        )

    result: dict[str, Any] = {
        "changed": bool(plan["operations"]),
        "provider_key": provider_key,
        "sublayer_key": sublayer_key,
        "backend": backend.kind,
        "plan": summary(plan),
        "drift": drift,
        "transition": describe(plan, desired, actual),  # e.g. "boundary → isolation: ..."
        "stage": {"host": stage_of(actual), "declared": stage_of(desired)},
        "warnings": list(validated.warnings),
    }
    if confirmation is not None:
        result["confirmation"] = confirmation
        result["warnings"] = [*result["warnings"], _pending_warning(confirmation)]
    words = change_summary(plan, absent=not present)
    if options.diff:
        result["diff"] = plan_diff(plan, desired, actual)
    if options.check_mode:
        # What a person reads in the normal output (the action plugin prints these as warnings).
        result["msg"] = f"check mode: would {words}" if plan["operations"] else words
        result["notices"] = [result["msg"]] if plan["operations"] else []
        if wants_shadowing and everything is not None:
            result["shadowing"] = _shadowing(everything, desired, provider_key)
            result["notices"].extend(shadowing_summary(result["shadowing"]))
        return result
    result["msg"] = f"applied in one transaction: {words}" if plan["operations"] else words
    if plan["operations"]:
        timeout = int(arguments.get("confirm_timeout", options.confirm_timeout) or 0)
        if timeout > 0 and _confirms(backend):
            result["apply"], result["confirmation"] = apply_confirmed(backend, plan, timeout)
            return result
        try:
            result["apply"] = backend.apply(plan)
        except HostUnreachableError as error:
            raise PolicyError(
                f"the connection was lost during the apply ({error}); the host may or may not "
                "have applied the plan, and without commit confirmed (confirm_timeout: 0) it "
                "does not roll back by itself",
                {"error": error.details},
                unreachable=True,
            ) from error
        except BackendError as error:
            raise PolicyError(
                f"apply failed, the host keeps its previous policy: {error}", error.details
            ) from error
        # Committed but not read back: still applied (changed), with the host's warning.
        result["warnings"] = [*result["warnings"], *result["apply"].pop("warnings", [])]
    return result


# ---- commit confirmed (docs/commit-confirmed.md) ----------------------------------------------


def _confirms(backend: HostBackend) -> bool:
    return all(
        callable(getattr(backend, name, None))
        for name in ("apply_tentative", "reconnect", "confirm")
    )


def _pending(backend: HostBackend, provider_key: str) -> dict[str, Any] | None:
    """The unconfirmed apply the last read saw on the host, if the backend knows of any."""
    pending = getattr(backend, "pending", None)
    return pending(provider_key) if callable(pending) else None


def apply_confirmed(
    backend: Any, plan: dict[str, Any], timeout: int
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Phase 1 (tentative apply, host-side rollback armed), a new connection, phase 2
    (confirm). Returns (apply report, confirmation). If phase 2 cannot confirm, the host rolls
    back by itself: PolicyError says when (unreachable=True when it could not be reached)."""
    started = time.time()
    try:
        report = backend.apply_tentative(plan, timeout)
    except HostUnreachableError as error:
        # The reply was lost: the apply may have committed (a policy that cuts the connection
        # also cuts the reply). The host armed its rollback before applying.
        about = deadline_utc(started + timeout)
        raise PolicyError(
            f"the connection was lost during the apply ({error}); if the host applied it, the "
            f"host restores its previous policy at about {about} (controller clock) by itself",
            {"confirmation": {"status": "unknown", "deadline_utc": about}, "error": error.details},
            unreachable=True,
        ) from error
    except BackendError as error:
        raise PolicyError(
            f"apply failed, the host keeps its previous policy: {error}", error.details
        ) from error
    pending = report.pop("pending")
    when = pending.get("deadline_utc", "the deadline")
    sent = False
    try:
        backend.reconnect()
        sent = True
        confirmed = backend.confirm(plan["provider_key"], pending)
    except BackendError as error:
        lost = isinstance(error, HostUnreachableError)
        maybe = "unless the confirmation reached it, " if lost and sent else ""
        after = "" if lost else " (unless it rebooted or restored already)"
        raise PolicyError(
            f"applied, but the confirmation over a new connection failed ({error}); "
            f"{maybe}the host restores its previous policy at {when}{after}",
            {"confirmation": {"status": "unconfirmed", **pending}, "error": error.details},
            unreachable=lost,
        ) from error
    return report, {"status": "confirmed", **pending, "confirmed": confirmed.get("confirmed")}


def _settle_pending(
    backend: Any,
    pending: dict[str, Any],
    check_mode: bool,
    read_host: Any,
    seen: tuple[State | None, State],
) -> tuple[dict[str, Any], State | None, State]:
    """An unconfirmed apply found by this run. This run reached the host over a new connection,
    so (like a plain `commit` during a Junos commit confirmed) it confirms it, then reads again;
    check mode only reports it and plans as if it were confirmed."""
    everything, actual = seen
    if check_mode:
        view = confirmed_view(everything, pending) if everything is not None else None
        return {"status": "pending", **pending}, view, confirmed_view(actual, pending)
    try:
        backend.confirm(pending["provider_key"], pending)
    except BackendError as error:
        raise PolicyError(
            f"found an unconfirmed apply (deadline {pending.get('deadline_utc')}) and could not "
            f"confirm it: {error}; re-run once the host has restored its previous policy",
            {"confirmation": {"status": "unconfirmed", **pending}, "error": error.details},
            unreachable=isinstance(error, HostUnreachableError),
        ) from error
    everything, actual = read_host()
    return {"status": "confirmed_earlier_apply", **pending}, everything, actual


def _pending_warning(confirmation: dict[str, Any]) -> str:
    if confirmation["status"] == "pending":
        return (
            "an earlier apply is not confirmed yet; the host restores its previous policy at "
            f"{confirmation.get('deadline_utc')} unless a run confirms it (the next apply does)"
        )
    return (
        "an earlier apply was not confirmed (its confirmation was lost); this run reached the "
        "host over a new connection and confirmed it before converging"
    )
