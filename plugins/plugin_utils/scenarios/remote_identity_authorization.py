"""Remote Identity Authorization (server isolation).

Microsoft: https://learn.microsoft.com/windows/win32/fwp/remote-identity-authorization
"... enable negotiation discovery, and restrict inbound access to remote identities allowed as
per security descriptor SD1 (corresponding to IKE/AuthIP main mode) and security descriptor SD2
(corresponding to AuthIP extended mode), for all unicast traffic corresponding to TCP local
port 5555." Negotiation Discovery Transport Mode (the AuthIP QM context "contains the AuthIP
Extended Mode (EM) negotiation policy"), plus at FWPM_LAYER_ALE_AUTH_RECV_ACCEPT_V{4|6} per
authorised port: a callout filter (INBOUND_INITIATE_SECURE) with FWPM_CONDITION_ALE_REMOTE_MACHINE_ID
= SD1 and FWPM_CONDITION_ALE_REMOTE_USER_ID = SD2, and the block "for any other inbound
connections to TCP port 5555 that did not match the previous filter".
"""

from __future__ import annotations

import copy
from typing import Any, Final

from . import common
from . import conditions as cond
from .base import Expansion, Findings, Scenario
from .keys import Builder
from .transport import KEY_PREFIX, TITLE, Shape, expand_family

NAME: Final = "remote_identity_authorization"
WEIGHT_AUTHORIZED: Final = 0x300  # tried first: authorised identities reach the callout
WEIGHT_BLOCK: Final = 0x200  # then every other connection to the port is blocked
SHAPE: Final = Shape(
    qm_flags=("IPSEC_POLICY_FLAG_ND_SECURE",),
    negotiation_discovery=True,
    secure_inbound_connections=True,
)


def check(merged: dict[str, Any], path: str, findings: Findings) -> None:
    common.check(merged, path, findings, ("authorized_ports", "exempt_ports"))
    for option in ("remote_machine_sddl", "remote_user_sddl"):
        text = merged.get(option)
        if text is not None and "D:" not in text:
            findings.add(
                f"{path}.{option}",
                "is not a security descriptor with a DACL; use SDDL such as "
                "'O:SYG:SYD:(A;;CCRC;;;<group SID>)'",
            )
    if merged.get("remote_user_sddl") and not merged.get("extended_mode"):
        findings.add(
            f"{path}.remote_user_sddl",
            "the user identity (SD2) comes from AuthIP extended mode; declare extended_mode "
            "(and keep authip in keying_modules) or remove remote_user_sddl",
        )
    if "authip" in merged["keying_modules"] and not merged.get("extended_mode"):
        findings.add(
            f"{path}.extended_mode",
            "remote identity authorization puts the AuthIP extended-mode policy in the AuthIP "
            "quick-mode context; declare extended_mode or remove authip from keying_modules",
        )
    if not merged["authorized_ports"]:
        findings.add(f"{path}.authorized_ports", "must not be empty; list the ports to restrict")


def authorization_filters(expansion: Expansion, version: int) -> list[str]:
    options = expansion.options
    for entry in options["authorized_ports"]:
        label, title = cond.port_label(entry), cond.port_title(entry)
        identities = [
            cond.condition(
                "FWPM_CONDITION_ALE_REMOTE_MACHINE_ID",
                "FWP_SECURITY_DESCRIPTOR_TYPE",
                options["remote_machine_sddl"],
            )
        ]
        if options.get("remote_user_sddl"):
            identities.append(
                cond.condition(
                    "FWPM_CONDITION_ALE_REMOTE_USER_ID",
                    "FWP_SECURITY_DESCRIPTOR_TYPE",
                    options["remote_user_sddl"],
                )
            )
        expansion.callout_filter(
            version,
            "recv_accept",
            f"authorize/{label}",
            title=f" {title}: authorised remote identities",
            conditions=cond.port_conditions(entry) + identities,
            weight=WEIGHT_AUTHORIZED,
        )
        expansion.add_filter(
            version,
            f"recv_accept/block/{label}",
            f"inbound connections {title}: block other remote identities",
            layer_key=cond.layer_key("recv_accept", version),
            weight=cond.weight(WEIGHT_BLOCK),
            conditions=cond.port_conditions(entry),
            action={"type": "FWP_ACTION_BLOCK", "callout_key": None},
        )
    return []


def expand(builder: Builder, options: dict[str, Any]) -> None:
    expand_family(Expansion(builder, options, KEY_PREFIX, TITLE), SHAPE, authorization_filters)


SCENARIO: Final = Scenario(
    name=NAME,
    title="server isolation (remote identity authorization)",
    page="https://learn.microsoft.com/windows/win32/fwp/remote-identity-authorization",
    defaults={
        **copy.deepcopy(common.DEFAULTS),
        "recv_accept_raw_context": False,
        "authorized_ports": [{"port": 5555, "protocol": "tcp"}],
        "remote_machine_sddl": None,
        "remote_user_sddl": None,
    },
    check=check,
    expand=expand,
    port_lists=("authorized_ports", "exempt_ports"),
    explicit={
        "remote_machine_sddl": "is required; give the security descriptor (SDDL) of the machines "
        "allowed in (SD1), e.g. 'O:SYG:SYD:(A;;CCRC;;;<Domain Computers SID>)'",
    },
)
