"""Validate a `wfp.ipsec.policy` declaration before anything touches a host.

Two passes: a JSON Schema (draft 2020-12) for shape, types and ranges, then semantic checks that
a schema cannot express (keying-module rules, encryption guarantees, duplicates, references).
Every problem is reported with the option path and how to fix it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from . import crypto
from .catalogue import normalise_guid
from .deps import require
from .model import ModelError
from .scenario import expand, merged_scenario, raw_object_id

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError

_GUID_PATTERN: Final = (
    r"^\{?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}?$"
)


def _names(table: dict[str, Any]) -> list[str]:
    return sorted(table)


def _object(
    properties: dict[str, Any], required: tuple[str, ...] = (), **extra: Any
) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": list(required),
        "additionalProperties": False,
        **extra,
    }


_NULL: Final = {"type": "null"}
_EMPTY_OBJECT: Final = {"type": "object", "maxProperties": 0}


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [_NULL, schema]}


_UINT32: Final = {"type": "integer", "minimum": 0, "maximum": 0xFFFFFFFF}
_POSITIVE_UINT32: Final = {"type": "integer", "minimum": 1, "maximum": 0xFFFFFFFF}
_AUTH_METHOD: Final = _object(
    {
        "method": {"enum": _names(crypto.AUTH_METHODS)},
        "key": {"type": "string", "minLength": 1},
        "root_subjects": {"type": "array", "items": {"type": "string", "minLength": 1}},
        "trust": {"enum": _names(crypto.CERT_CONFIGS)},
        "disable_crl_check": {"type": "boolean"},
    },
    ("method",),
    allOf=[
        {
            "if": {"properties": {"method": {"const": "preshared_key"}}},
            "then": {"required": ["key"]},
        },
        {
            "if": {"properties": {"method": {"const": "certificate"}}},
            "then": {"required": ["root_subjects"]},
        },
    ],
)
_PORTS: Final = {
    "type": "array",
    "items": _object(
        {
            "port": {"type": "integer", "minimum": 1, "maximum": 65535},
            "protocol": {"enum": ["tcp", "udp"]},
        },
        ("port",),
    ),
}
_GUARANTEED_ENCRYPTION: Final = _object(
    {
        "keying_modules": {
            "type": "array",
            "items": {"enum": ["ike", "authip"]},
            "minItems": 1,
            "uniqueItems": True,
        },
        "ip_versions": {
            "type": "array",
            "items": {"enum": [4, 6]},
            "minItems": 1,
            "uniqueItems": True,
        },
        "icmp_exemption": {"type": "boolean"},
        "required_ports": _PORTS,
        "exempt_ports": _PORTS,
        "main_mode": _nullable(
            _object(
                {
                    "proposals": {
                        "type": "array",
                        "minItems": 1,
                        "items": _object(
                            {
                                "encryption": {"enum": _names(crypto.MM_CIPHERS)},
                                "integrity": {"enum": _names(crypto.MM_INTEGRITY)},
                                "dh_group": {"enum": _names(crypto.DH_GROUPS)},
                                "quick_mode_limit": _UINT32,
                            },
                            ("encryption", "integrity", "dh_group"),
                        ),
                    },
                    "lifetime_seconds": {"type": "integer", "minimum": 60, "maximum": 0xFFFFFFFF},
                    "authentication": {"type": "array", "minItems": 1, "items": _AUTH_METHOD},
                }
            )
        ),
        "quick_mode": _nullable(
            _object(
                {
                    "proposals": {
                        "type": "array",
                        "minItems": 1,
                        "items": _object(
                            {
                                "protocol": {"enum": ["esp", "ah"]},
                                "encryption": {"enum": _names(crypto.QM_ENCRYPTION)},
                                "integrity": {"enum": _names(crypto.QM_INTEGRITY)},
                            },
                            anyOf=[{"required": ["encryption"]}, {"required": ["integrity"]}],
                        ),
                    },
                    "lifetime": _object(
                        {
                            "seconds": _POSITIVE_UINT32,
                            "kilobytes": _POSITIVE_UINT32,
                            "packets": _POSITIVE_UINT32,
                        }
                    ),
                    "pfs_group": {"enum": _names(crypto.PFS_GROUPS)},
                    "nd_allow_clear_timeout_seconds": _UINT32,
                    "idle_timeout_seconds": _UINT32,
                    "idle_timeout_fail_over_seconds": _UINT32,
                }
            )
        ),
        # An empty dict also means "no extended mode" (what the role passes by default).
        "extended_mode": {
            "anyOf": [
                _NULL,
                _EMPTY_OBJECT,
                _object(
                    {
                        "authentication": {"type": "array", "minItems": 1, "items": _AUTH_METHOD},
                        "impersonation": {"enum": _names(crypto.IMPERSONATION)},
                    },
                    ("authentication",),
                ),
            ]
        },
    }
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
            "scenario": _nullable(
                _object({"guaranteed_encryption": _nullable(_GUARANTEED_ENCRYPTION)})
            ),
            "objects": _nullable(
                _object(
                    {
                        "provider_contexts": {"type": "array", "items": _RAW_OBJECT},
                        "filters": {"type": "array", "items": _RAW_OBJECT},
                    }
                )
            ),
            "adopt_provider": {"type": "boolean"},
            "allow_management_lockout": {"type": "boolean"},
            "management_ports": {
                "type": "array",
                "items": {"type": "integer", "minimum": 1, "maximum": 65535},
            },
            "shadow_check": {"type": "boolean"},
        }
    ),
}

# Authentication methods each keying module (and AuthIP extended mode) accepts.
_ALLOWED_AUTH: Final = {
    "ike": {"kerberos", "certificate", "preshared_key"},
    "authip": {"kerberos", "certificate", "ntlm_v2", "anonymous"},
    "extended_mode": {"kerberos", "certificate", "ntlm_v2", "anonymous"},
}


@dataclass(frozen=True)
class Problem:
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class DeclarationError(ValueError):
    """The declaration is invalid; `problems` lists every finding."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__(
            "invalid wfp.ipsec.policy options:\n" + "\n".join(f"- {p}" for p in problems)
        )


@dataclass
class Validated:
    declaration: dict[str, Any]
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


def _auth_problems(
    methods: list[dict[str, Any]], allowed: set[str], owner: str, path: str
) -> list[Problem]:
    return [
        Problem(
            f"{path}[{index}].method",
            f"{owner} does not support {method['method']}; use one of {sorted(allowed)}",
        )
        for index, method in enumerate(methods)
        if method["method"] not in allowed
    ]


def _scenario_problems(options: dict[str, Any], path: str) -> tuple[list[Problem], list[str]]:
    merged = merged_scenario(options)
    problems: list[Problem] = []
    warnings: list[str] = []
    modules = merged["keying_modules"]
    for module in modules:
        owner = "AuthIP main mode" if module == "authip" else "IKE main mode"
        problems += _auth_problems(
            merged["main_mode"]["authentication"],
            _ALLOWED_AUTH[module],
            owner,
            f"{path}.main_mode.authentication",
        )
    if merged.get("extended_mode"):
        if "authip" not in modules:
            problems.append(
                Problem(
                    f"{path}.extended_mode",
                    "extended mode is an AuthIP feature; add authip to keying_modules or remove extended_mode",
                )
            )
        problems += _auth_problems(
            merged["extended_mode"]["authentication"],
            _ALLOWED_AUTH["extended_mode"],
            "AuthIP extended mode",
            f"{path}.extended_mode.authentication",
        )
    for index, proposal in enumerate(merged["quick_mode"]["proposals"]):
        if proposal.get("protocol", "esp") == "ah" or proposal.get("encryption") is None:
            problems.append(
                Problem(
                    f"{path}.quick_mode.proposals[{index}]",
                    "does not encrypt; guaranteed encryption needs every quick-mode proposal to be ESP "
                    "with encryption (e.g. {protocol: esp, encryption: aes_gcm256})",
                )
            )
        elif proposal.get("integrity") is None and not proposal["encryption"].startswith("aes_gcm"):
            problems.append(
                Problem(
                    f"{path}.quick_mode.proposals[{index}]",
                    "ESP encryption without integrity is not allowed; add integrity (e.g. sha256) or use aes_gcm*",
                )
            )
    problems += _port_problems(merged, path)
    weak = _weak_choices(merged)
    if weak:
        warnings.append(
            f"{path}: weak cryptography declared ({', '.join(sorted(weak))}); prefer aes256/sha256/dh14"
        )
    return problems, warnings


def _port_problems(merged: dict[str, Any], path: str) -> list[Problem]:
    """A port listed twice, or both required to encrypt and exempt from IPsec."""
    problems = []
    seen: dict[tuple[str, int], str] = {}
    for option in ("required_ports", "exempt_ports"):
        for index, port in enumerate(merged[option]):
            ident = (port.get("protocol", "tcp"), port["port"])
            where = f"{option}[{index}]"
            if ident in seen:
                fix = (
                    "remove one"
                    if seen[ident].startswith(option)
                    else "a port cannot be both; remove one"
                )
                problems.append(
                    Problem(
                        f"{path}.{where}",
                        f"{ident[0]}/{ident[1]} is already declared at {seen[ident]}; {fix}",
                    )
                )
            seen.setdefault(ident, where)
    return problems


def _weak_choices(merged: dict[str, Any]) -> set[str]:
    values: set[str] = set()
    for proposal in merged["main_mode"]["proposals"]:
        values |= {proposal["encryption"], proposal["integrity"], proposal["dh_group"]}
    for proposal in merged["quick_mode"]["proposals"]:
        values |= {proposal.get("encryption") or "", proposal.get("integrity") or ""}
    values.add(merged["quick_mode"]["pfs_group"])
    return values & crypto.WEAK


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


def _expansion_problems(declaration: dict[str, Any]) -> list[Problem]:
    """Expand the declaration: field errors of raw objects, and keys declared twice."""
    try:
        state = expand(declaration)
    except ModelError as error:
        return [Problem(error.path, error.message)]
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
    """Validate module options; return them (unchanged) with warnings, or raise DeclarationError."""
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
    problems: list[Problem] = []
    warnings: list[str] = []
    if arguments.get("state", "present") == "present":
        scenario_options = (arguments.get("scenario") or {}).get("guaranteed_encryption")
        if scenario_options is not None:
            found, warned = _scenario_problems(scenario_options, "scenario.guaranteed_encryption")
            problems += found
            warnings += warned
        problems += _raw_object_problems(arguments)
        if not problems:
            problems += _expansion_problems(arguments)
    if problems:
        raise DeclarationError(problems)
    return Validated(arguments, warnings)
