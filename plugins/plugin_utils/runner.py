"""One converge of one host: declaration -> desired objects -> host state -> plan -> apply.

Pure orchestration over a HostBackend; the action plugin only chooses the backend and turns
exceptions into task failures. Nothing is written unless the declaration is valid, the plan
pre-flights cleanly on the engine model, and the run is not in check mode.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .backend import BackendError, HostBackend
from .catalogue import symbol_of
from .declaration import validate
from .engine import WfpError, preflight
from .lockout import management_lockout_findings
from .model import LIST_NAMES, State, all_objects, empty_state, iter_objects, owned_state
from .ownership import ADOPT_OPTION, host_problems, key_problems, stamp
from .plan import drift_counts, make_plan, summary
from .render import change_summary, plan_diff, shadowing_summary
from .scenario import expand, provider_key_of, sublayer_key_of


class PolicyError(Exception):
    """The run cannot go on; `details` go into the task result (no secrets)."""

    def __init__(self, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.details = details or {}


@dataclass
class RunOptions:
    check_mode: bool = False
    diff: bool = False
    management_ports: list[int] = field(default_factory=list)


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
    findings = management_lockout_findings(desired, sorted(set(ports + declared_ports)))
    if findings:
        raise PolicyError(
            "refusing a policy that would require IPsec on the management connection: "
            + "; ".join(findings)
            + " (set allow_management_lockout: true if the controller can negotiate IPsec)",
            {"lockout": findings},
        )


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
    return [finding.to_dict() for finding in find_shadowing(overlay, provider_key)]


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
    validated = validate(arguments)
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
    everything = (
        backend.read_all()
        if wants_shadowing or declared_sublayer or references_foreign_objects(desired)
        else None
    )
    actual = (
        backend.read(provider_key) if everything is None else owned_state(everything, provider_key)
    )
    adopt = bool(arguments.get(ADOPT_OPTION))
    _ownership_guard(host_problems(actual, provider_key, sublayer_key, everything, adopt))
    plan = make_plan(desired, actual, provider_key)
    engine_view = actual if everything is None else everything
    try:
        preflight(engine_view, plan)
    except WfpError as error:
        raise PolicyError(
            f"the plan would fail on the host: {error}", {"preflight": error.details()}
        ) from error

    result: dict[str, Any] = {
        "changed": bool(plan["operations"]),
        "provider_key": provider_key,
        "sublayer_key": sublayer_key,
        "backend": backend.kind,
        "plan": summary(plan),
        "drift": drift_counts(desired, actual, provider_key),
        "warnings": list(validated.warnings),
    }
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
        try:
            result["apply"] = backend.apply(plan)
        except BackendError as error:
            raise PolicyError(
                f"apply failed, the host keeps its previous policy: {error}", error.details
            ) from error
    return result
