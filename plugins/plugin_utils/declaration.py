"""Validate a `wfp.ipsec.policy` declaration before anything touches a host.

Two passes: a JSON Schema (draft 2020-12) for shape, types and ranges, then semantic checks that
a schema cannot express (each scenario's own checks live in its module under `scenarios/`;
here: one scenario at most, raw-object references, duplicate keys). The declaration is expanded
once, here: `Validated.desired` is what the runner converges to. Every problem is reported with
the option path and how to fix it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from .catalogue import normalise_guid
from .deps import require
from .model import ModelError, State, empty_state
from .scenarios import REGISTRY, declared_scenarios, expand, raw_object_id
from .scenarios.base import Findings, Problem
from .scenarios.common import EMPTY_OBJECT as _EMPTY_OBJECT
from .scenarios.common import NULL as _NULL
from .scenarios.common import nullable as _nullable
from .scenarios.common import obj as _object

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError

__all__ = ["DECLARATION_SCHEMA", "DeclarationError", "Problem", "Validated", "validate"]

_GUID_PATTERN: Final = (
    r"^\{?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}?$"
)
_RAW_OBJECT: Final = {
    "type": "object",
    "properties": {
        "id": {"type": "string", "minLength": 1},
        "key": {"type": "string", "pattern": _GUID_PATTERN},
    },
    "required": ["name"],
}

DECLARATION_SCHEMA: Final[dict[str, Any]] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "wfp.ipsec.policy options",
    **_object(
        {
            "state": {"enum": ["present", "absent"]},
            "persistent": {"type": "boolean"},
            "provider": _nullable(
                _object(
                    {
                        "key": {"type": "string", "pattern": _GUID_PATTERN},
                        "name": {"type": "string", "minLength": 1},
                        "description": {"type": ["string", "null"]},
                    }
                )
            ),
            "sublayer": _nullable(
                _object(
                    {
                        "key": {"type": "string", "pattern": _GUID_PATTERN},
                        "name": {"type": "string", "minLength": 1},
                        "description": {"type": ["string", "null"]},
                        "weight": {"type": "integer", "minimum": 0, "maximum": 65535},
                    }
                )
            ),
            # One property per registered scenario (scenarios/__init__.py); at most one is set.
            "scenario": _nullable(
                _object({name: _nullable(s.schema) for name, s in REGISTRY.items()})
            ),
            "objects": _nullable(
                _object(
                    {
                        "provider_contexts": {"type": "array", "items": _RAW_OBJECT},
                        "filters": {"type": "array", "items": _RAW_OBJECT},
                    }
                )
            ),
            "allow_management_lockout": {"type": "boolean"},
            "management_ports": {
                "type": "array",
                "items": {"type": "integer", "minimum": 1, "maximum": 65535},
            },
            "shadow_check": {"type": "boolean"},
        }
    ),
}


class DeclarationError(ValueError):
    """The declaration is invalid; `problems` lists every finding."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__(
            "invalid wfp.ipsec.policy options:\n" + "\n".join(f"- {p}" for p in problems)
        )


@dataclass
class Validated:
    """A valid declaration, its expansion (empty for state=absent) and its warnings."""

    declaration: dict[str, Any]
    desired: State = field(default_factory=empty_state)
    warnings: list[str] = field(default_factory=list)


def _path(parts: Iterator[Any] | Any) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _schema_problems(error: ValidationError) -> list[Problem]:
    """Readable problems for one schema error (an optional section reports its inner errors)."""
    if error.validator == "anyOf" and error.context and isinstance(error.schema, dict):
        branches = error.schema["anyOf"]
        trivial = {
            index for index, branch in enumerate(branches) if branch in (_NULL, _EMPTY_OBJECT)
        }
        inner = [e for e in error.context if e.relative_schema_path[0] not in trivial]
        if trivial and inner:
            return [problem for e in inner for problem in _schema_problems(e)]
    return [_schema_problem(error)]


def _schema_problem(error: ValidationError) -> Problem:
    path = _path(error.absolute_path)
    schema = error.schema if isinstance(error.schema, dict) else {}
    if error.validator == "additionalProperties":
        allowed = sorted(schema.get("properties", {}))
        extra = (
            sorted(set(error.instance) - set(allowed)) if isinstance(error.instance, dict) else []
        )
        return Problem(
            path, f"unknown option {', '.join(map(repr, extra))}; valid options are {allowed}"
        )
    if error.validator == "enum":
        return Problem(path, f"{error.instance!r} is not valid; use one of {error.validator_value}")
    if error.validator in ("minimum", "maximum"):
        low, high = schema.get("minimum"), schema.get("maximum")
        return Problem(path, f"{error.instance} is out of range; use a value from {low} to {high}")
    if error.validator == "required":
        return Problem(path, f"{error.message}; add it")
    if error.validator == "pattern":
        return Problem(
            path,
            f"{error.instance!r} is not a GUID; use the form 01234567-89ab-cdef-0123-456789abcdef",
        )
    if error.validator == "uniqueItems":
        return Problem(path, "contains duplicates; list each value once")
    if error.validator == "minItems":
        return Problem(path, "must not be empty; list at least one item")
    if error.validator == "type":
        return Problem(path, f"{error.instance!r} is not of type {error.validator_value}")
    return Problem(path, error.message)


def _scenario_problems(arguments: dict[str, Any]) -> Findings:
    """One scenario at most; each scenario's own checks (in its module) on merged options."""
    findings = Findings()
    declared = declared_scenarios(arguments)
    if len(declared) > 1:
        names = [scenario.name for scenario, _ in declared]
        findings.add(
            "scenario",
            f"declares {', '.join(names)}; only one scenario is active per provider: keep one "
            "(moving a fleet from one to the next is a normal converge)",
        )
        return findings
    for scenario, options in declared:
        scenario.check(scenario.merged(options), f"scenario.{scenario.name}", findings)
    return findings


def _raw_object_problems(declaration: dict[str, Any]) -> list[Problem]:
    """Duplicate ids, foreign owners and dangling context references among raw objects."""
    objects = declaration.get("objects") or {}
    problems: list[Problem] = []
    context_ids = {raw_object_id(c) for c in objects.get("provider_contexts") or []}
    for list_name in ("provider_contexts", "filters"):
        seen: dict[str, int] = {}
        for index, raw in enumerate(objects.get(list_name) or []):
            path = f"objects.{list_name}[{index}]"
            ident = raw_object_id(raw)
            if ident in seen:
                problems.append(
                    Problem(
                        path,
                        f"{ident!r} is already declared at objects.{list_name}[{seen[ident]}]; give it a unique id",
                    )
                )
            seen.setdefault(ident, index)
            if raw.get("provider_key"):
                problems.append(
                    Problem(
                        f"{path}.provider_key",
                        "raw objects always belong to our provider; remove provider_key",
                    )
                )
            reference = raw.get("provider_context_key")
            if (
                list_name == "filters"
                and reference
                and reference not in context_ids
                and not _is_guid(reference)
            ):
                problems.append(
                    Problem(
                        f"{path}.provider_context_key",
                        f"no provider context with id {reference!r} in objects.provider_contexts; declare it or use a GUID",
                    )
                )
    return problems


def _is_guid(text: str) -> bool:
    return normalise_guid(text) is not None


def _expansion_problems(state: State) -> list[Problem]:
    """Keys declared twice in the expansion."""
    problems = []
    for list_name in ("providers", "sublayers", "provider_contexts", "filters"):
        keys = [obj["key"] for obj in state[list_name]]
        for key in sorted({k for k in keys if keys.count(k) > 1}):
            names = [obj["name"] for obj in state[list_name] if obj["key"] == key]
            problems.append(
                Problem(
                    f"objects.{list_name}",
                    f"key {key} is declared twice ({' and '.join(map(repr, names))}); give one of them another key",
                )
            )
    return problems


def validate(arguments: dict[str, Any]) -> Validated:
    """Validate and expand module options once; raise DeclarationError on any problem."""
    validator = require("jsonschema", "jsonschema").Draft202012Validator(DECLARATION_SCHEMA)
    schema_problems = sorted(
        (
            problem
            for error in validator.iter_errors(arguments)
            for problem in _schema_problems(error)
        ),
        key=lambda p: p.path,
    )
    if schema_problems:
        raise DeclarationError(schema_problems)
    if arguments.get("state", "present") != "present":
        return Validated(arguments)
    findings = _scenario_problems(arguments)
    problems = findings.problems + _raw_object_problems(arguments)
    if problems:
        raise DeclarationError(problems)
    try:
        desired = expand(arguments)
    except ModelError as error:
        raise DeclarationError([Problem(error.path, error.message)]) from None
    problems = _expansion_problems(desired)
    if problems:
        raise DeclarationError(problems)
    return Validated(arguments, desired, findings.warnings)
