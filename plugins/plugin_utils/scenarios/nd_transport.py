"""Negotiation Discovery Transport Mode (the "isolation" stage: domain isolation).

Microsoft: https://learn.microsoft.com/windows/win32/fwp/negotiation-discovery-transport-mode
"Secure all unicast data traffic, except ICMP, using IPsec transport mode, and enable
negotiation discovery." Requires IPsec inbound, requests it outbound ("outbound connections are
allowed to fallback to clear-text while inbound connections are not"). QM contexts carry
IPSEC_POLICY_FLAG_ND_SECURE; transport callouts with the ND raw contexts; an ALE receive/accept
filter calling FWPM_CALLOUT_IPSEC_INBOUND_INITIATE_SECURE_V{4|6} (no rawContext on the page;
`recv_accept_raw_context` adds the sample's) with its ICMP exemption.
"""

from __future__ import annotations

import copy
from typing import Any, Final

from . import common
from .base import Expansion, Findings, Scenario
from .keys import Builder
from .nd_boundary import KEY_PREFIX, TITLE
from .transport import Shape, expand_family

NAME: Final = "nd_transport"
SHAPE: Final = Shape(
    qm_flags=("IPSEC_POLICY_FLAG_ND_SECURE",),
    negotiation_discovery=True,
    secure_inbound_connections=True,
)


def check(merged: dict[str, Any], path: str, findings: Findings) -> None:
    common.check(merged, path, findings)


def expand(builder: Builder, options: dict[str, Any]) -> None:
    expand_family(Expansion(builder, options, KEY_PREFIX, TITLE), SHAPE)


SCENARIO: Final = Scenario(
    name=NAME,
    title="isolation (negotiation discovery transport mode)",
    page="https://learn.microsoft.com/windows/win32/fwp/negotiation-discovery-transport-mode",
    defaults={**copy.deepcopy(common.DEFAULTS), "recv_accept_raw_context": False},
    check=check,
    expand=expand,
)
