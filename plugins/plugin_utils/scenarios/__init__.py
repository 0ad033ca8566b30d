"""The IPsec scenario family: a declaration -> the exact set of WFP objects it stands for.

`expand(declaration)` returns the desired state (canonical form) for our provider: the provider,
our sublayer, the one declared scenario's provider contexts and filters, and the raw objects.
Keys are deterministic (UUIDv5), so re-runs are idempotent.

Adding a scenario: write `scenarios/<name>.py` defining `SCENARIO` (options, checks, expansion,
from Microsoft's page) and add it to `REGISTRY` below. Nothing else changes.
"""

from __future__ import annotations

from typing import Any, Final

from ..model import State, canonical_state
from . import (
    guaranteed_encryption,
    ikev2_transport,
    nd_boundary,
    nd_transport,
    remote_identity_authorization,
    transport_mode,
)
from .base import Scenario
from .keys import (
    COLLECTION_NAMESPACE,
    DEFAULT_PROVIDER_NAME,
    DEFAULT_SUBLAYER_WEIGHT,
    Builder,
    derived_key,
    provider_key_of,
    sublayer_key_of,
)
from .raw import add_raw_objects, raw_object_id

REGISTRY: Final[dict[str, Scenario]] = {
    scenario.name: scenario
    for scenario in (
        nd_boundary.SCENARIO,
        nd_transport.SCENARIO,
        transport_mode.SCENARIO,
        remote_identity_authorization.SCENARIO,
        guaranteed_encryption.SCENARIO,
        ikev2_transport.SCENARIO,
    )
}
GUARANTEED_ENCRYPTION_DEFAULTS: Final = guaranteed_encryption.DEFAULTS

__all__ = [
    "COLLECTION_NAMESPACE",
    "DEFAULT_PROVIDER_NAME",
    "DEFAULT_SUBLAYER_WEIGHT",
    "GUARANTEED_ENCRYPTION_DEFAULTS",
    "REGISTRY",
    "declared_scenarios",
    "derived_key",
    "expand",
    "provider_key_of",
    "raw_object_id",
    "sublayer_key_of",
]


def declared_scenarios(declaration: dict[str, Any]) -> list[tuple[Scenario, dict[str, Any]]]:
    """The scenarios the declaration sets (validation refuses more than one), with options."""
    section = declaration.get("scenario") or {}
    return [
        (REGISTRY[name], options or {})
        for name, options in section.items()
        if name in REGISTRY and options is not None
    ]


def expand(declaration: dict[str, Any]) -> State:
    """The desired state (canonical form) of a validated declaration with state=present."""
    builder = Builder(declaration)
    provider = declaration.get("provider") or {}
    sublayer = declaration.get("sublayer") or {}
    builder.add(
        "provider",
        {
            "key": builder.provider_key,
            "name": provider.get("name") or DEFAULT_PROVIDER_NAME,
            "description": provider.get("description")
            or "Managed by the wfp.ipsec Ansible collection",
            "service_name": None,
        },
    )
    builder.add(
        "sublayer",
        {
            "key": builder.sublayer_key,
            "name": sublayer.get("name") or builder.prefix + "sublayer",
            "description": sublayer.get("description"),
            "weight": sublayer.get("weight", DEFAULT_SUBLAYER_WEIGHT),
        },
    )
    for scenario, options in declared_scenarios(declaration):
        scenario.expand(builder, scenario.merged(options))
    add_raw_objects(builder, declaration.get("objects") or {})
    return canonical_state(builder.state)
