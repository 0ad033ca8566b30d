"""Validate a `wfp.ipsec.policy` declaration before anything touches a host.

Two passes. First the options are converted and checked like any Ansible module's, by
ansible-core's argument-spec validator, from the spec in plugins/modules/policy.py's
DOCUMENTATION (options.py): strings from `-e`, surveys and templates become ints, bools and
lists; choices accept any case; ranges, GUIDs and ports (`5000-5010` ranges too) are checked and
normalised. Then semantic checks that a spec cannot express (keying-module rules, encryption
guarantees, overlapping ports, references, a declaration that declares nothing). Every problem
names the option path and the fix.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Final

from . import crypto
from .catalogue import normalise_guid
from .model import ModelError, State
from .options import Constraint, OptionChecker, Problem, argument_spec, module_options, sanitise
from .scenario import GUARANTEED_ENCRYPTION_DEFAULTS, expand, merged_scenario, raw_object_id

__all__ = ["DeclarationError", "Problem", "Validated", "option_names", "validate"]

_UINT32: Final = 0xFFFFFFFF
_GE: Final = "scenario.guaranteed_encryption"
_PORT_TEXT: Final = re.compile(r"\s*(\d{1,5})\s*(?:-\s*(\d{1,5})\s*)?")
_PORT_LISTS: Final = ("required_ports", "exempt_ports")


def parse_port(value: Any) -> tuple[int, int | None]:
    """A port (`5555`) or a port range (`5000-5010`) as (port, port_end or None)."""
    match = _PORT_TEXT.fullmatch(str(value))
    low = int(match.group(1)) if match else 0
    high = int(match.group(2)) if match and match.group(2) else low
    if not match or not 1 <= low <= high <= 65535:
        raise ValueError(
            f"{str(value)[:40]!r} is not a port; use a number from 1 to 65535 or a range such "
            "as 5000-5010 (low-high)"
        )
    return low, (high if high != low else None)


def parse_guid(value: str) -> str:
    """A GUID in canonical form; ValueError with the fix otherwise."""
    guid = normalise_guid(value) if "\n" not in value else None
    if guid is None:
        raise ValueError(
            f"{value[:60]!r} is not a GUID; use the form 01234567-89ab-cdef-0123-456789abcdef"
        )
    return guid


def _text(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty; give a name")
    return value


def _auth_constraints(path: str) -> dict[str, Constraint]:
    return {
        path: Constraint(non_empty=True),
        f"{path}[].key": Constraint(parse=_text, no_log=True),
        f"{path}[].root_subjects[]": Constraint(parse=_text),
    }


CONSTRAINTS: Final[dict[str, Constraint]] = {
    "provider.key": Constraint(parse=parse_guid),
    "provider.name": Constraint(parse=_text),
    "sublayer.key": Constraint(parse=parse_guid),
    "sublayer.name": Constraint(parse=_text),
    "sublayer.weight": Constraint(low=0, high=65535),
    f"{_GE}.keying_modules": Constraint(non_empty=True, unique=True),
    f"{_GE}.ip_versions": Constraint(non_empty=True, unique=True),
    f"{_GE}.required_ports[].port": Constraint(parse=parse_port),
    f"{_GE}.exempt_ports[].port": Constraint(parse=parse_port),
    f"{_GE}.main_mode.proposals": Constraint(non_empty=True),
    f"{_GE}.main_mode.proposals[].quick_mode_limit": Constraint(low=0, high=_UINT32),
    f"{_GE}.main_mode.lifetime_seconds": Constraint(low=60, high=_UINT32),
    **_auth_constraints(f"{_GE}.main_mode.authentication"),
    f"{_GE}.quick_mode.proposals": Constraint(non_empty=True),
    f"{_GE}.quick_mode.lifetime.seconds": Constraint(low=1, high=_UINT32),
    f"{_GE}.quick_mode.lifetime.kilobytes": Constraint(low=1, high=_UINT32),
    f"{_GE}.quick_mode.lifetime.packets": Constraint(low=1, high=_UINT32),
    f"{_GE}.quick_mode.nd_allow_clear_timeout_seconds": Constraint(low=0, high=_UINT32),
    f"{_GE}.quick_mode.idle_timeout_seconds": Constraint(low=0, high=_UINT32),
    f"{_GE}.quick_mode.idle_timeout_fail_over_seconds": Constraint(low=0, high=_UINT32),
    **_auth_constraints(f"{_GE}.extended_mode.authentication"),
    "management_ports[]": Constraint(parse=parse_port),
    "confirm_timeout": Constraint(low=0, high=86400),  # commit confirmed; 0: no confirmation
}


@cache
def _checker() -> OptionChecker:
    """The checker of wfp.ipsec.policy options, from its DOCUMENTATION (once per process)."""
    return OptionChecker(argument_spec(module_options("policy")), CONSTRAINTS)


def option_names() -> frozenset[str]:
    """The top-level options of wfp.ipsec.policy."""
    return frozenset(module_options("policy"))


# Authentication methods each keying module (and AuthIP extended mode) accepts.
_ALLOWED_AUTH: Final = {
    "ike": {"kerberos", "certificate", "preshared_key"},
    "authip": {"kerberos", "certificate", "ntlm_v2", "anonymous"},
    "extended_mode": {"kerberos", "certificate", "ntlm_v2", "anonymous"},
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
    declaration: dict[str, Any]
    warnings: list[str] = field(default_factory=list)
    #: the expanded desired state (state=present), so a run expands the declaration once
    desired: State | None = None


def _auth_problems(
    methods: list[dict[str, Any]], allowed: set[str], owner: str, path: str
) -> list[Problem]:
    problems = []
    for index, method in enumerate(methods):
        name = method["method"]
        if name not in allowed:
            problems.append(
                Problem(
                    f"{path}[{index}].method",
                    f"{owner} does not support {name}; use one of {sorted(allowed)}",
                )
            )
        needed = {"preshared_key": "key", "certificate": "root_subjects"}.get(name)
        if needed and not method.get(needed):
            problems.append(
                Problem(
                    f"{path}[{index}].{needed}", f"is required with method {name}; set {needed}"
                )
            )
    return problems


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
    """A port listed twice (a range overlapping a port counts), or both required and exempt."""
    problems = []
    seen: list[tuple[str, int, int, str]] = []
    for option in _PORT_LISTS:
        for index, port in enumerate(merged[option]):
            protocol = port.get("protocol", "tcp")
            low = port["port"]
            high = port.get("port_end") or low
            where = f"{option}[{index}]"
            for other_protocol, other_low, other_high, other_where in seen:
                if other_protocol == protocol and low <= other_high and other_low <= high:
                    fix = (
                        "remove one"
                        if other_where.startswith(option)
                        else "a port cannot be both; remove one"
                    )
                    problems.append(
                        Problem(
                            f"{path}.{where}",
                            f"{protocol}/{_port_text(port)} is already declared at {other_where}; {fix}",
                        )
                    )
                    break
            seen.append((protocol, low, high, where))
    return problems


def _port_text(port: dict[str, Any]) -> str:
    return f"{port['port']}-{port['port_end']}" if port.get("port_end") else str(port["port"])


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


def _expansion_problems(declaration: dict[str, Any]) -> tuple[list[Problem], State | None]:
    """Expand the declaration: field errors of raw objects, and keys declared twice."""
    try:
        state = expand(declaration)
    except ModelError as error:
        return [Problem(error.path, error.message)], None
    problems = []
    for list_name in ("providers", "sublayers", "provider_contexts", "filters"):
        counts = Counter(obj["key"] for obj in state[list_name])
        for key in sorted(k for k, n in counts.items() if n > 1):
            names = [obj["name"] for obj in state[list_name] if obj["key"] == key]
            problems.append(
                Problem(
                    f"objects.{list_name}",
                    f"key {key} is declared twice ({' and '.join(map(repr, names))}); give one of them another key",
                )
            )
    return problems, state


def _normalise(declaration: dict[str, Any]) -> dict[str, Any]:
    """Port entries as {port, port_end (ranges only), protocol}; management ports as ints;
    an empty extended_mode as none."""
    scenario = (declaration.get("scenario") or {}).get("guaranteed_encryption")
    if scenario:
        for option in _PORT_LISTS:
            if scenario.get(option) is not None:
                scenario[option] = [_port_entry(entry) for entry in scenario[option]]
        if scenario.get("extended_mode") == {}:
            scenario["extended_mode"] = None
        lifetime = (scenario.get("quick_mode") or {}).get("lifetime")
        if lifetime is not None:  # a partial lifetime keeps the other defaults
            defaults = GUARANTEED_ENCRYPTION_DEFAULTS["quick_mode"]["lifetime"]
            scenario["quick_mode"]["lifetime"] = {
                name: default if lifetime.get(name) is None else lifetime[name]
                for name, default in defaults.items()
            }
    if declaration.get("management_ports") is not None:
        declaration["management_ports"] = [
            number
            for low, high in declaration["management_ports"]
            for number in range(low, (high or low) + 1)
        ]
    return declaration


def _port_entry(entry: dict[str, Any]) -> dict[str, Any]:
    low, high = entry["port"]
    port = {"port": low, "protocol": entry.get("protocol") or "tcp"}
    if high is not None:
        port["port_end"] = high
    return port


def _nothing_declared(declaration: dict[str, Any]) -> Problem | None:
    scenario = (declaration.get("scenario") or {}).get("guaranteed_encryption")
    objects = declaration.get("objects") or {}
    if scenario is not None or objects.get("provider_contexts") or objects.get("filters"):
        return None
    return Problem(
        "",
        "nothing is declared: no scenario and no objects, which would remove every filter of the "
        "policy. Declare scenario.guaranteed_encryption (check its indentation under scenario) "
        "or objects; to remove the policy on purpose, set state: absent",
    )


def _section_problems(options: dict[str, Any], path: str) -> list[Problem]:
    """Options required with state=present, and extended mode's methods."""
    problems = []
    if options.get("required_ports") is None:
        problems.append(
            Problem(
                f"{path}.required_ports",
                "is required; name the ports that must be encrypted (for example "
                "[{port: 8443}]), or [] to require encryption on no port",
            )
        )
    extended = options.get("extended_mode")
    if extended and not extended.get("authentication"):
        problems.append(
            Problem(
                f"{path}.extended_mode.authentication",
                "is required when extended_mode is set; list methods or remove extended_mode",
            )
        )
    return problems


def _raw_shape_problems(declaration: dict[str, Any]) -> list[Problem]:
    """Every raw object needs a name; an explicit key must be a GUID."""
    objects = declaration.get("objects") or {}
    problems = []
    for list_name in ("provider_contexts", "filters"):
        for index, raw in enumerate(objects.get(list_name) or []):
            path = f"objects.{list_name}[{index}]"
            if not isinstance(raw.get("name"), str) or not raw["name"].strip():
                problems.append(Problem(f"{path}.name", "is required; give the object a name"))
            for name in ("id", "key"):
                if name in raw and not isinstance(raw[name], str):
                    problems.append(Problem(f"{path}.{name}", "must be text"))
            key = raw.get("key")
            if isinstance(key, str):
                try:
                    raw["key"] = parse_guid(key)
                except ValueError as error:
                    problems.append(Problem(f"{path}.key", str(error)))
    return problems


def validate(arguments: Any) -> Validated:
    """Check and convert module options; return the converted declaration with warnings, or
    raise DeclarationError listing every problem."""
    checked = _checker().check(arguments)
    if checked.values is None:
        raise DeclarationError(sanitise(checked.problems, checked.secrets))
    declaration = _normalise(checked.values)
    problems: list[Problem] = []
    warnings: list[str] = []
    desired: State | None = None
    if declaration.get("state") is None:
        declaration.pop("state", None)
    if declaration.get("state", "present") == "present":
        nothing = _nothing_declared(declaration)
        if nothing:
            raise DeclarationError([nothing])
        scenario_options = (declaration.get("scenario") or {}).get("guaranteed_encryption")
        if scenario_options is not None:
            problems += _section_problems(scenario_options, _GE)
            if not problems:
                found, warned = _scenario_problems(scenario_options, _GE)
                problems += found
                warnings += warned
        problems += _raw_shape_problems(declaration)
        if not problems:
            problems += _raw_object_problems(declaration)
        if not problems:
            found, desired = _expansion_problems(declaration)
            problems += found
    if problems:
        raise DeclarationError(sanitise(problems, checked.secrets))
    return Validated(declaration, warnings, desired)
