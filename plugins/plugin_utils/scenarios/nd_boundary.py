"""Negotiation Discovery Transport Mode in Boundary Mode (the "boundary" stage).

Microsoft: https://learn.microsoft.com/windows/win32/fwp/negotiation-discovery-transport-mode-in-boundary-mode
"Secure all unicast data traffic, except ICMP, using IPsec transport mode and enable negotiation
discovery in boundary mode." Requests IPsec in both directions; "if the IKE/AuthIP negotiation
fails, both inbound and outbound connections are allowed to fallback to clear-text". QM contexts
carry IPSEC_POLICY_FLAG_ND_BOUNDARY; transport callouts with the ND raw contexts; and, as the
page notes, no filter at FWPM_LAYER_ALE_AUTH_RECV_ACCEPT_V{4|6}.
"""

from __future__ import annotations

from typing import Final

from .transport import Shape, family_scenario

NAME: Final = "nd_boundary"
SHAPE: Final = Shape(
    qm_flags=("IPSEC_POLICY_FLAG_ND_BOUNDARY",),
    negotiation_discovery=True,
    secure_inbound_connections=False,
)
SCENARIO: Final = family_scenario(
    NAME,
    "boundary (negotiation discovery in boundary mode)",
    "https://learn.microsoft.com/windows/win32/fwp/negotiation-discovery-transport-mode-in-boundary-mode",
    SHAPE,
)
