"""The policy options of the guaranteed_encryption role, built from its variables.

The role's task passes only `role_variables: guaranteed_encryption`; the action plugin reads the
`guaranteed_encryption_*` variables of the host and builds the options here, the way the role's
task used to template them. Ansible compiles every templated task argument with Jinja in each
host's worker; a variable read here is templated only when it holds a template, so the usual
literal values (role defaults, group_vars, `-e`) cost no compilation (docs/performance.md).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Final

ROLE: Final = "guaranteed_encryption"
PREFIX: Final = ROLE + "_"

# Scenario options passed through as they are (the variable is PREFIX + name).
_SCENARIO_OPTIONS: Final = (
    "keying_modules",
    "ip_versions",
    "icmp_exemption",
    "exempt_ports",
    "main_mode",
    "quick_mode",
    "extended_mode",
)
# Module options passed through as they are: option -> variable suffix.
_MODULE_OPTIONS: Final = {
    "state": "state",
    "persistent": "persistent",
    "objects": "extra_objects",
    "allow_management_lockout": "allow_management_lockout",
    "management_ports": "management_ports",
    "confirm_timeout": "confirm_timeout",
    "adopt_provider": "adopt_provider",
}
# Every variable the role reads (the role's defaults define all but required_ports).
VARIABLES: Final = tuple(
    PREFIX + name
    for name in (
        *_MODULE_OPTIONS.values(),
        "provider_name",
        "provider_key",
        "sublayer_weight",
        *_SCENARIO_OPTIONS,
        "required_ports",
    )
)


# Option paths that are not named like their variable (the others: PREFIX + the option's name).
_RENAMED_PATHS: Final = {
    "provider.name": "provider_name",
    "provider.key": "provider_key",
    "provider": "provider_name",
    "sublayer.weight": "sublayer_weight",
    "sublayer": "sublayer_weight",
    **_MODULE_OPTIONS,
    **{f"scenario.{ROLE}.{name}": name for name in (*_SCENARIO_OPTIONS, "required_ports")},
}
_OPTION_PATH: Final = re.compile(
    "|".join(re.escape(path) for path in sorted(_RENAMED_PATHS, key=len, reverse=True))
)


def variable_path(option_path: str) -> str:
    """The role variable behind a wfp.ipsec.policy option path, so a problem names what the
    operator set: `scenario.guaranteed_encryption.required_ports[0].protocol` is
    `guaranteed_encryption_required_ports[0].protocol`. Other paths are returned unchanged."""
    match = _OPTION_PATH.match(option_path)
    if match is None or option_path[match.end() : match.end() + 1] not in ("", ".", "["):
        return option_path
    return PREFIX + _RENAMED_PATHS[match.group()] + option_path[match.end() :]


class RoleVariableError(Exception):
    """A role variable that is unset (and has no meaning unset) or cannot be templated."""


class Unset:
    """What `value_of` returns for a variable the host does not define."""


UNSET: Final = Unset()


def required_ports_hint(host: str) -> str:
    return (
        f"{PREFIX}required_ports is not set for {host}: name the ports whose connections must "
        f"be encrypted, for example {PREFIX}required_ports: [{{port: 8443, protocol: tcp}}] in "
        "group_vars, or [] to require encryption on no port. The role has no default port."
    )


def policy_arguments(value_of: Callable[[str], Any], host: str) -> dict[str, Any]:
    """The wfp.ipsec.policy options the role declares for `host`.

    `value_of(name)` returns the templated value of a variable, or UNSET. Values are passed on
    unconverted: the policy's own option check converts `-e` strings and names bad values.
    """

    def required(suffix: str) -> Any:
        value = value_of(PREFIX + suffix)
        if value is UNSET:
            raise RoleVariableError(
                f"{PREFIX}{suffix} is not set for {host}: the role's defaults set it; "
                f"role_variables: {ROLE} reads the variables of the {ROLE} role, so run the "
                f"task in the role (wfp.ipsec.{ROLE}) or set the variable"
            )
        return value

    arguments: dict[str, Any] = {
        option: required(suffix) for option, suffix in _MODULE_OPTIONS.items()
    }
    provider_key = required("provider_key")
    provider: dict[str, Any] = {"name": required("provider_name")}
    if provider_key:
        provider["key"] = provider_key
    arguments["provider"] = provider
    arguments["sublayer"] = {"weight": required("sublayer_weight")}
    scenario: dict[str, Any] = {name: required(name) for name in _SCENARIO_OPTIONS}
    ports = value_of(PREFIX + "required_ports")
    if ports is UNSET:
        if str(arguments["state"]).strip().lower() != "absent":
            raise RoleVariableError(required_ports_hint(host))
        ports = []
    scenario["required_ports"] = ports
    arguments["scenario"] = {ROLE: scenario}
    return arguments
