"""IKEv2 transport mode with certificates.

The Transport Mode page's objects (https://learn.microsoft.com/windows/win32/fwp/regular-transport-mode)
with IKEv2 as the keying module: the MM context is FWPM_IPSEC_IKEV2_MM_CONTEXT and the QM
context FWPM_IPSEC_IKEV2_QM_TRANSPORT_CONTEXT (FWPM_PROVIDER_CONTEXT_TYPE; union members
ikeV2MmPolicy / ikeV2QmTransportPolicy of FWPM_PROVIDER_CONTEXT2, added with
FwpmProviderContextAdd2). IKEv2 authenticates with certificates here
(IKEEXT_AUTHENTICATION_METHOD_TYPE: IKEEXT_CERTIFICATE is "available only for IKE and IKEv2";
Kerberos, NTLM and anonymous are AuthIP's). No negotiation discovery, no ALE filters.

BFE adds its own IKE/AuthIP exemptions only for IKE or AuthIP MM policy filters ("IKE/AuthIP
Exemptions"); an IKEv2-only policy relies on ours (ike_exemption, on by default).
"""

from __future__ import annotations

import copy
from typing import Any, Final

from . import common
from .base import Expansion, Findings, Scenario
from .keys import Builder
from .transport import Shape, expand_family

NAME: Final = "ikev2_transport"
SHAPE: Final = Shape(qm_flags=(), negotiation_discovery=False, secure_inbound_connections=False)
DEFAULTS: Final[dict[str, Any]] = copy.deepcopy(common.DEFAULTS)
DEFAULTS.update(keying_modules=["ikev2"])
DEFAULTS["main_mode"]["authentication"] = []
del DEFAULTS["extended_mode"]  # an AuthIP feature


def check(merged: dict[str, Any], path: str, findings: Findings) -> None:
    if not merged["main_mode"]["authentication"]:
        findings.add(
            f"{path}.main_mode.authentication",
            "IKEv2 transport authenticates with certificates; add "
            "{method: certificate, root_subjects: ['CN=<your root CA>']}",
        )
    common.check(merged, path, findings)


def expand(builder: Builder, options: dict[str, Any]) -> None:
    expand_family(Expansion(builder, options, "ikev2_transport", "IKEv2 transport"), SHAPE)


SCENARIO: Final = Scenario(
    name=NAME,
    title="IKEv2 transport mode (certificates)",
    page="https://learn.microsoft.com/windows/win32/fwp/regular-transport-mode",
    defaults=DEFAULTS,
    check=check,
    expand=expand,
)
