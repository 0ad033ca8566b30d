"""Validate a `wfp.ipsec.policy` declaration before anything touches a host.

Two passes. First the options are converted and checked like any Ansible module's, by
ansible-core's argument-spec validator, from the spec in plugins/modules/policy.py's
DOCUMENTATION (options.py): strings from `-e`, surveys and templates become ints, bools and
lists; choices accept any case; ranges, GUIDs and ports (`5000-5010` ranges too) are checked and
normalised. Then semantic checks that a spec cannot express: one scenario at most, each
scenario's own checks (in its module under `scenarios/`: keying-module rules, encryption
guarantees, overlapping ports, ...), raw-object references, a declaration that declares nothing.
The declaration is expanded once, here: `Validated.desired` is what the runner converges to.
Every problem names the option path and the fix.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Final

from .catalogue import normalise_guid
from .engine import declaration_problems
from .model import ZONE_REFUSED, ModelError, State
from .options import (
    Constraint,
    OptionChecker,
    Problem,
    ShortFormError,
    argument_spec,
    module_options,
    sanitise,
)
from .scenarios import REGISTRY, declared_scenarios, expand, raw_object_id
from .scenarios.base import Findings

__all__ = ["DeclarationError", "Problem", "Validated", "option_names", "validate"]

_UINT32: Final = 0xFFFFFFFF
_PORT_TEXT: Final = re.compile(r"\s*(\d{1,5})\s*(?:-\s*(\d{1,5})\s*)?")


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


def port_entries(value: Any) -> Any:
    """A port list written short, as `-e key=value`, survey text fields and templates give it,
    in its documented form (a list of {port, protocol} mappings): `8443`, `"8443/udp"`,
    `"8443, 5000-5010/udp"`, a list mixing such entries with mappings, or JSON list text.
    Anything else is left to the option's type check."""
    if isinstance(value, str):
        if value.lstrip().startswith("["):
            return _json_list(value)
        if not value.replace(",", "").strip():
            raise ShortFormError(
                "is empty; list ports such as 8443, 5000-5010/udp, or give [] for none"
            )
        value = value.split(",")
    elif isinstance(value, int) and not isinstance(value, bool):
        value = [value]
    if not isinstance(value, list):
        return value
    entries: list[Any] = []
    for item in value:
        entries.extend(item.split(",") if isinstance(item, str) else [item])
    return [_short_port_entry(entry, index) for index, entry in enumerate(entries)]


def _json_list(text: str) -> Any:
    try:
        return port_entries(json.loads(text))
    except (ValueError, RecursionError) as error:
        if isinstance(error, ShortFormError):
            raise
        raise ShortFormError(
            f"looks like JSON but is not ({str(error)[:60]}); write it as JSON, "
            'e.g. [{"port": 8443}], or as text such as 8443, 5000-5010/udp'
        ) from None


def _short_port_entry(entry: Any, index: int) -> Any:
    """One list item: text `PORT[-PORT][/PROTOCOL]` or a number as a mapping; others unchanged."""
    if isinstance(entry, int) and not isinstance(entry, bool):
        return {"port": entry}
    if not isinstance(entry, str):
        return entry
    if not entry.strip():
        raise ShortFormError(
            "is an empty list item; give a port or remove the comma (with -e name=value, a space "
            "ends the value: write 8443,9443 or quote it, -e 'name=\"8443, 9443\"')",
            index,
        )
    port, slash, protocol = (part.strip() for part in entry.partition("/"))
    if "/" in protocol:
        raise ShortFormError(
            f"{entry.strip()[:40]!r} is not PORT or PORT/PROTOCOL; write e.g. 8443/tcp", index
        )
    if not port:
        raise ShortFormError(
            f"{entry.strip()[:40]!r} names no port; write PORT or PORT/PROTOCOL such as 8443/tcp",
            index,
        )
    return {"port": port, "protocol": protocol} if slash else {"port": port}


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


def _scenario_constraints(name: str) -> dict[str, Constraint]:
    """The constraints of one scenario's options (its port lists from the registry)."""
    path = f"scenario.{name}"
    return {
        f"{path}.keying_modules": Constraint(non_empty=True, unique=True),
        f"{path}.ip_versions": Constraint(non_empty=True, unique=True),
        **{
            f"{path}.{ports}[].port": Constraint(parse=parse_port)
            for ports in REGISTRY[name].port_lists
        },
        **{
            f"{path}.{ports}": Constraint(shorthand=port_entries)
            for ports in REGISTRY[name].port_lists
        },
        f"{path}.exempt_addresses[]": Constraint(parse=_network),
        f"{path}.main_mode.proposals": Constraint(non_empty=True),
        f"{path}.main_mode.proposals[].quick_mode_limit": Constraint(low=0, high=_UINT32),
        f"{path}.main_mode.lifetime_seconds": Constraint(low=60, high=_UINT32),
        **_auth_constraints(f"{path}.main_mode.authentication"),
        f"{path}.quick_mode.proposals": Constraint(non_empty=True),
        f"{path}.quick_mode.lifetime.seconds": Constraint(low=1, high=_UINT32),
        f"{path}.quick_mode.lifetime.kilobytes": Constraint(low=1, high=_UINT32),
        f"{path}.quick_mode.lifetime.packets": Constraint(low=1, high=_UINT32),
        f"{path}.quick_mode.nd_allow_clear_timeout_seconds": Constraint(low=0, high=_UINT32),
        f"{path}.quick_mode.idle_timeout_seconds": Constraint(low=0, high=_UINT32),
        f"{path}.quick_mode.idle_timeout_fail_over_seconds": Constraint(low=0, high=_UINT32),
        **(
            _auth_constraints(f"{path}.extended_mode.authentication")
            if "extended_mode" in REGISTRY[name].defaults
            else {}
        ),
    }


def _network(value: Any) -> str:
    """An IP address or prefix (`10.0.0.10`, `10.1.0.0/16`, `fd00::/64`), normalised."""
    if "%" in str(value):
        raise ValueError(ZONE_REFUSED)
    try:
        return str(ipaddress.ip_network(str(value).strip(), strict=False))
    except ValueError:
        raise ValueError(
            f"{str(value)[:60]!r} is not an IP address or prefix; use e.g. 10.0.0.10, "
            "10.1.0.0/16 or fd00::/64"
        ) from None


CONSTRAINTS: Final[dict[str, Constraint]] = {
    "provider.key": Constraint(parse=parse_guid),
    "provider.name": Constraint(parse=_text),
    "sublayer.key": Constraint(parse=parse_guid),
    "sublayer.name": Constraint(parse=_text),
    "sublayer.weight": Constraint(low=0, high=65535),
    **{path: c for name in REGISTRY for path, c in _scenario_constraints(name).items()},
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


class DeclarationError(ValueError):
    """The declaration is invalid; `problems` lists every finding."""

    def __init__(self, problems: list[Problem], subject: str = "wfp.ipsec.policy options") -> None:
        self.problems = problems
        super().__init__(f"invalid {subject}:\n" + "\n".join(f"- {p}" for p in problems))

    def renamed(self, rename: Callable[[str], str], subject: str) -> DeclarationError:
        """The same problems with their paths renamed (a role's variables for its options)."""
        problems = [Problem(rename(p.path), p.message) for p in self.problems]
        return DeclarationError(problems, subject)


@dataclass
class Validated:
    """The converted declaration, its expansion (empty for state=absent) and its warnings."""

    declaration: dict[str, Any]
    warnings: list[str] = field(default_factory=list)
    #: the expanded desired state (state=present), so a run expands the declaration once
    desired: State | None = None


def _scenario_problems(declaration: dict[str, Any]) -> Findings:
    """One scenario at most; then each scenario's own checks (in its module)."""
    findings = Findings()
    declared = declared_scenarios(declaration)
    if len(declared) > 1:
        names = ", ".join(scenario.name for scenario, _options in declared)
        findings.add(
            "scenario",
            f"declares {names}; only one scenario is active per provider: keep one (moving a "
            "fleet from one scenario to the next is a normal converge)",
        )
        return findings
    for scenario, options in declared:
        path = f"scenario.{scenario.name}"
        for option, fix in scenario.explicit.items():
            if options.get(option) is None:
                findings.add(f"{path}.{option}", fix)
        extended = options.get("extended_mode")
        if extended and not extended.get("authentication"):
            findings.add(
                f"{path}.extended_mode.authentication",
                "is required when extended_mode is set; list methods or remove extended_mode",
            )
        if not findings.problems:
            scenario.check(scenario.merged(options), path, findings)
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
        counts = Counter(obj["key"] for obj in state[list_name])
        for key in sorted(k for k, n in counts.items() if n > 1):
            names = [obj["name"] for obj in state[list_name] if obj["key"] == key]
            problems.append(
                Problem(
                    f"objects.{list_name}",
                    f"key {key} is declared twice ({' and '.join(map(repr, names))}); give one of them another key",
                )
            )
    return problems


def _normalise(declaration: dict[str, Any]) -> dict[str, Any]:
    """Port entries as {port, port_end (ranges only), protocol}; management ports as ints;
    an empty extended_mode as none."""
    for name, scenario in (declaration.get("scenario") or {}).items():
        if not scenario or name not in REGISTRY:
            continue
        for option in REGISTRY[name].port_lists:
            if scenario.get(option) is not None:
                scenario[option] = [_port_entry(entry) for entry in scenario[option]]
        if scenario.get("extended_mode") == {}:
            scenario["extended_mode"] = None
        lifetime = (scenario.get("quick_mode") or {}).get("lifetime")
        if lifetime is not None:  # a partial lifetime keeps the other defaults
            defaults = REGISTRY[name].defaults["quick_mode"]["lifetime"]
            scenario["quick_mode"]["lifetime"] = {
                part: default if lifetime.get(part) is None else lifetime[part]
                for part, default in defaults.items()
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
    objects = declaration.get("objects") or {}
    if (
        declared_scenarios(declaration)
        or objects.get("provider_contexts")
        or objects.get("filters")
    ):
        return None
    return Problem(
        "",
        "nothing is declared: no scenario and no objects, which would remove every filter of the "
        f"policy. Declare one of scenario.{{{', '.join(REGISTRY)}}} (check its indentation "
        "under scenario) or objects; to remove the policy on purpose, set state: absent",
    )


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
    """Check, convert and expand module options once; return the converted declaration, its
    desired state and warnings, or raise DeclarationError listing every problem."""
    checked = _checker().check(arguments)
    if checked.values is None:
        raise DeclarationError(sanitise(checked.problems, checked.secrets))
    declaration = _normalise(checked.values)
    if declaration.get("state") is None:
        declaration.pop("state", None)
    if declaration.get("state", "present") != "present":
        return Validated(declaration)
    nothing = _nothing_declared(declaration)
    if nothing:
        raise DeclarationError([nothing])
    findings = _scenario_problems(declaration)
    problems = findings.problems + _raw_shape_problems(declaration)
    if not problems:
        problems += _raw_object_problems(declaration)
        # What the host would refuse (engine model), named by option path.
        problems += [Problem(path, text) for path, text in declaration_problems(declaration)]
    desired: State | None = None
    if not problems:
        try:
            desired = expand(declaration)
        except ModelError as error:
            problems.append(Problem(error.path, error.message))
        else:
            problems += _expansion_problems(desired)
    if problems:
        raise DeclarationError(sanitise(problems, checked.secrets))
    return Validated(declaration, findings.warnings, desired)
