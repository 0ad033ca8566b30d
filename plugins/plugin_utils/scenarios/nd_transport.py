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

from typing import Final

from .transport import Shape, family_scenario

NAME: Final = "nd_transport"
SHAPE: Final = Shape(
    qm_flags=("IPSEC_POLICY_FLAG_ND_SECURE",),
    negotiation_discovery=True,
    secure_inbound_connections=True,
)
SCENARIO: Final = family_scenario(
    NAME,
    "isolation (negotiation discovery transport mode)",
    "https://learn.microsoft.com/windows/win32/fwp/negotiation-discovery-transport-mode",
    SHAPE,
    recv_accept_raw_context=False,
)
