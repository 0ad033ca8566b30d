"""The transport-mode family: what every scenario page shares, parameterised by the page.

Per keying module one MM and one QM context; per IP version the MM/QM policy filters, the
"secure all unicast" callout filters at the inbound and outbound transport layers (and, where
the page has one, at the ALE receive/accept layer), and the exemptions on those layers.
Scenario modules call `expand_family` and add what is particular to them through `extra`.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from ..catalogue import value_of
from . import common, exemptions, main_mode, quick_mode
from . import conditions as cond
from .base import Expansion, Findings, Scenario
from .keys import Builder

KEY_PREFIX: Final = "transport"  # shared by the staged family: a stage change keeps what stays
TITLE: Final = "transport policy"

WEIGHT_GENERAL_CALLOUT: Final = 0x100  # "secure all unicast" on a layer
PERSIST_CONNECTION_SECURITY: Final = value_of(
    "FWPM_CONTEXT_IPSEC_INBOUND_PERSIST_CONNECTION_SECURITY"
)
NEGOTIATE_DISCOVER: Final = value_of("FWPM_CONTEXT_IPSEC_OUTBOUND_NEGOTIATE_DISCOVER")


@dataclass(frozen=True)
class Shape:
    """What a scenario page prescribes for the shared part."""

    qm_flags: tuple[str, ...]  # IPSEC_POLICY_FLAG_ND_SECURE / _ND_BOUNDARY / none
    negotiation_discovery: bool  # transport callouts carry the ND raw contexts
    secure_inbound_connections: bool  # ALE receive/accept "secure all unicast" filter


# Called per IP version after the shared filters: (expansion, version, modules) -> extra layers
# on which the scenario placed callouts (they get the IKE exemptions too).
Extra = Callable[[Expansion, int], list[str]]


def keying_modules(options: dict[str, Any]) -> list[str]:
    """Declared keying modules in a fixed order (the order never changes keys)."""
    return [m for m in ("authip", "ike", "ikev2") if m in options["keying_modules"]]


def expand_family(expansion: Expansion, shape: Shape, extra: Extra | None = None) -> None:
    options = expansion.options
    modules = keying_modules(options)
    mm_keys = main_mode.add_contexts(expansion, modules)
    qm_keys = quick_mode.add_contexts(expansion, modules, list(shape.qm_flags))
    for version in options["ip_versions"]:
        main_mode.add_filters(expansion, version, mm_keys)
        quick_mode.add_filters(expansion, version, qm_keys)
        layers = ["inbound_transport", "outbound_transport"]
        raw: dict[str, int | None] = {
            "inbound_transport": PERSIST_CONNECTION_SECURITY,
            "outbound_transport": NEGOTIATE_DISCOVER,
        }
        if shape.secure_inbound_connections:
            layers.append("recv_accept")
            # The scenario pages give this filter no rawContext; Microsoft's sample sets
            # PERSIST_CONNECTION_SECURITY on it. Opt-in only.
            raw["recv_accept"] = (
                PERSIST_CONNECTION_SECURITY if options.get("recv_accept_raw_context") else None
            )
        for layer in layers:
            expansion.callout_filter(
                version,
                layer,
                "unicast",
                title=": secure unicast",
                conditions=[cond.unicast()],
                weight=WEIGHT_GENERAL_CALLOUT,
                raw_context=raw[layer] if shape.negotiation_discovery else None,
            )
        extra_layers = extra(expansion, version) if extra else []
        ike_layers = layers + [layer for layer in extra_layers if layer not in layers]
        exemptions.add(expansion, version, layers, ike_layers)


def family_scenario(name: str, title: str, page: str, shape: Shape, **defaults: Any) -> Scenario:
    """A scenario that is the family's shape and nothing more (boundary, isolation, transport
    mode): the common checks, the shared expansion, the common defaults (with `defaults` on top)."""

    def check(merged: dict[str, Any], path: str, findings: Findings) -> None:
        common.check(merged, path, findings)

    def expand(builder: Builder, options: dict[str, Any]) -> None:
        expand_family(Expansion(builder, options, KEY_PREFIX, TITLE), shape)

    return Scenario(
        name=name,
        title=title,
        page=page,
        defaults={**copy.deepcopy(common.DEFAULTS), **defaults},
        check=check,
        expand=expand,
    )
