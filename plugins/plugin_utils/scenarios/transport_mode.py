"""Transport Mode (require IPsec in both directions).

Microsoft: https://learn.microsoft.com/windows/win32/fwp/regular-transport-mode
"Secure all unicast data traffic, except ICMP, using IPsec transport mode." "Any matching clear
text traffic is dropped until the IKE or AuthIP negotiation has completed successfully." QM
contexts without negotiation-discovery flags; transport callouts without rawContext; ICMP
exemptions; no ALE filters. (Microsoft's "Using Transport Mode" sample adds ND_SECURE, the ND
raw contexts and a receive/accept filter: that is the nd_transport scenario.)
"""

from __future__ import annotations

from typing import Final

from .transport import Shape, family_scenario

NAME: Final = "transport_mode"
SHAPE: Final = Shape(qm_flags=(), negotiation_discovery=False, secure_inbound_connections=False)
SCENARIO: Final = family_scenario(
    NAME,
    "transport mode (require both directions)",
    "https://learn.microsoft.com/windows/win32/fwp/regular-transport-mode",
    SHAPE,
)
