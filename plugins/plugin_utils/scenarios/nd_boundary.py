"""Negotiation Discovery Transport Mode in Boundary Mode (the "boundary" stage).

Microsoft: https://learn.microsoft.com/windows/win32/fwp/negotiation-discovery-transport-mode-in-boundary-mode
"Secure all unicast data traffic, except ICMP, using IPsec transport mode and enable negotiation
discovery in boundary mode." Requests IPsec in both directions; "if the IKE/AuthIP negotiation
fails, both inbound and outbound connections are allowed to fallback to clear-text". QM contexts
carry IPSEC_POLICY_FLAG_ND_BOUNDARY; transport callouts with the ND raw contexts; and, as the
page notes, no filter at FWPM_LAYER_ALE_AUTH_RECV_ACCEPT_V{4|6}.
"""

from __future__ import annotations

import copy
from typing import Any, Final

from . import common
from .base import Expansion, Findings, Scenario
from .keys import Builder
from .transport import Shape, expand_family

NAME: Final = "nd_boundary"
KEY_PREFIX: Final = "transport"  # shared by the staged family: a stage change keeps what stays
TITLE: Final = "transport policy"
SHAPE: Final = Shape(
    qm_flags=("IPSEC_POLICY_FLAG_ND_BOUNDARY",),
    negotiation_discovery=True,
    secure_inbound_connections=False,
)


def check(merged: dict[str, Any], path: str, findings: Findings) -> None:
    common.check(merged, path, findings)


def expand(builder: Builder, options: dict[str, Any]) -> None:
    expand_family(Expansion(builder, options, KEY_PREFIX, TITLE), SHAPE)


SCENARIO: Final = Scenario(
    name=NAME,
    title="boundary (negotiation discovery in boundary mode)",
    page="https://learn.microsoft.com/windows/win32/fwp/negotiation-discovery-transport-mode-in-boundary-mode",
    defaults=copy.deepcopy(common.DEFAULTS),
    check=check,
    expand=expand,
)
