"""Transport Mode (require IPsec in both directions).

Microsoft: https://learn.microsoft.com/windows/win32/fwp/regular-transport-mode
"Secure all unicast data traffic, except ICMP, using IPsec transport mode." "Any matching clear
text traffic is dropped until the IKE or AuthIP negotiation has completed successfully." QM
contexts without negotiation-discovery flags; transport callouts without rawContext; ICMP
exemptions; no ALE filters. (Microsoft's "Using Transport Mode" sample adds ND_SECURE, the ND
raw contexts and a receive/accept filter: that is the nd_transport scenario.)
"""

from __future__ import annotations

import copy
from typing import Any, Final

from . import common
from .base import Expansion, Findings, Scenario
from .keys import Builder
from .nd_boundary import KEY_PREFIX, TITLE
from .transport import Shape, expand_family

NAME: Final = "transport_mode"
SHAPE: Final = Shape(qm_flags=(), negotiation_discovery=False, secure_inbound_connections=False)


def check(merged: dict[str, Any], path: str, findings: Findings) -> None:
    common.check(merged, path, findings)


def expand(builder: Builder, options: dict[str, Any]) -> None:
    expand_family(Expansion(builder, options, KEY_PREFIX, TITLE), SHAPE)


SCENARIO: Final = Scenario(
    name=NAME,
    title="transport mode (require both directions)",
    page="https://learn.microsoft.com/windows/win32/fwp/regular-transport-mode",
    defaults=copy.deepcopy(common.DEFAULTS),
    check=check,
    expand=expand,
)
