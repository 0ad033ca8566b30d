"""Guaranteed Encryption (Microsoft: https://learn.microsoft.com/windows/win32/fwp/guaranteed-encryption).

"Secure all unicast data traffic, except ICMP, using IPsec transport mode, enable negotiation
discovery, and require guaranteed encryption for all unicast traffic corresponding to TCP local
port 5555." Negotiation Discovery Transport Mode (`IPSEC_POLICY_FLAG_ND_SECURE`, ALE
receive/accept "secure all unicast") plus, per required port, a receive/accept and a connect
filter with rawContext FWPM_CONTEXT_ALE_SET_CONNECTION_REQUIRE_IPSEC_ENCRYPTION.
docs/scenario-guaranteed-encryption.md lists every object. Keys are those of the first release.
"""

from __future__ import annotations

import copy
from typing import Any, Final

from ..catalogue import value_of
from . import common
from . import conditions as cond
from .base import Expansion, Findings, Scenario
from .keys import Builder
from .transport import Shape, expand_family

NAME: Final = "guaranteed_encryption"
REQUIRE_ENCRYPTION: Final = value_of("FWPM_CONTEXT_ALE_SET_CONNECTION_REQUIRE_IPSEC_ENCRYPTION")
WEIGHT_REQUIRED_PORT: Final = 0x200  # beats the general callout (0x100) for its port
SHAPE: Final = Shape(
    qm_flags=("IPSEC_POLICY_FLAG_ND_SECURE",),
    negotiation_discovery=True,
    secure_inbound_connections=True,
)
DEFAULTS: Final[dict[str, Any]] = {
    **copy.deepcopy(common.DEFAULTS),
    "required_ports": [{"port": 5555, "protocol": "tcp"}],
    "recv_accept_raw_context": False,
}


def check(merged: dict[str, Any], path: str, findings: Findings) -> None:
    common.check(merged, path, findings, ("required_ports", "exempt_ports"))
    common.check_encrypts(merged, path, findings, "guaranteed encryption")


def required_port_filters(expansion: Expansion, version: int) -> list[str]:
    """Per required port: inbound (receive/accept) and outbound (connect) require encryption."""
    for entry in expansion.options["required_ports"]:
        for layer, title in (("recv_accept", "inbound"), ("connect", "outbound")):
            expansion.add_filter(
                version,
                f"{layer}/require_encryption/{cond.port_label(entry)}",
                f"{title} {cond.port_title(entry)}: require encryption",
                layer_key=cond.layer_key(layer, version),
                weight=cond.weight(WEIGHT_REQUIRED_PORT),
                conditions=cond.port_conditions(entry),
                action={
                    "type": "FWP_ACTION_CALLOUT_TERMINATING",
                    "callout_key": cond.callout_key(layer, version),
                },
                raw_context=REQUIRE_ENCRYPTION,
            )
    return ["connect"] if expansion.options["required_ports"] else []


def expand(builder: Builder, options: dict[str, Any]) -> None:
    expansion = Expansion(builder, options, NAME, "guaranteed encryption")
    expand_family(expansion, SHAPE, required_port_filters)


SCENARIO: Final = Scenario(
    name=NAME,
    title="guaranteed encryption",
    page="https://learn.microsoft.com/windows/win32/fwp/guaranteed-encryption",
    defaults=DEFAULTS,
    check=check,
    expand=expand,
    port_lists=("required_ports", "exempt_ports"),
    explicit={
        "required_ports": "is required; name the ports that must be encrypted (for example "
        "[{port: 8443}]), or [] to require encryption on no port",
    },
)
