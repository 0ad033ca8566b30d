"""Quick mode: "At FWPM_LAYER_IPSEC_V{4|6} setup QM and EM negotiation policy".

One QM transport-mode policy provider context per keying module, with the scenario's
negotiation-discovery flag (`IPSEC_POLICY_FLAG_ND_SECURE`, `IPSEC_POLICY_FLAG_ND_BOUNDARY`, or
none for plain Transport Mode); the AuthIP one may carry the extended-mode (EM) policy. Per IP
version one filter at the IPSEC layer with no conditions that references it.
"""

from __future__ import annotations

from typing import Any, Final

from .. import crypto
from ..model import Obj
from . import conditions as cond
from .base import PERMIT, Expansion
from .main_mode import MODULE_TITLES, POLICY_WEIGHTS

CONTEXT_TYPES: Final = {
    "ike": "FWPM_IPSEC_IKE_QM_TRANSPORT_CONTEXT",
    "authip": "FWPM_IPSEC_AUTHIP_QM_TRANSPORT_CONTEXT",
    "ikev2": "FWPM_IPSEC_IKEV2_QM_TRANSPORT_CONTEXT",
}


def policy(options: dict[str, Any], module: str, flags: list[str]) -> Obj:
    quick_mode = options["quick_mode"]
    lifetime = quick_mode["lifetime"]
    extended = options.get("extended_mode")
    return {
        "proposals": [
            {
                "lifetime": {
                    "seconds": lifetime["seconds"],
                    "kilobytes": lifetime["kilobytes"],
                    "packets": lifetime["packets"],
                },
                "transforms": [crypto.qm_transform(proposal)],
                "pfs_group": crypto.PFS_GROUPS[quick_mode["pfs_group"]],
            }
            for proposal in quick_mode["proposals"]
        ],
        "flags": list(flags),
        "nd_allow_clear_timeout_seconds": quick_mode["nd_allow_clear_timeout_seconds"],
        "idle_timeout_seconds": quick_mode["idle_timeout_seconds"],
        "idle_timeout_fail_over_seconds": quick_mode["idle_timeout_fail_over_seconds"],
        "em_policy": None
        if module != "authip" or not extended
        else {
            "authentication_methods": [crypto.auth_method(m) for m in extended["authentication"]],
            "initiator_impersonation": crypto.IMPERSONATION[
                extended.get("impersonation", "socket_principal")
            ],
        },
    }


def add_contexts(expansion: Expansion, modules: list[str], flags: list[str]) -> dict[str, str]:
    """The QM provider contexts; returns their keys by keying module."""
    return {
        module: expansion.add_context(
            f"qm/{module}",
            f"{MODULE_TITLES[module]} quick mode transport policy",
            CONTEXT_TYPES[module],
            policy(expansion.options, module, flags),
        )
        for module in modules
    }


def add_filters(expansion: Expansion, version: int, context_keys: dict[str, str]) -> None:
    for module, context_key in context_keys.items():
        expansion.add_filter(
            version,
            f"ipsec/{module}",
            f"{MODULE_TITLES[module]} quick mode policy",
            layer_key=cond.layer_key("ipsec", version),
            weight=cond.weight(POLICY_WEIGHTS[module]),
            action=dict(PERMIT),
            provider_context_key=context_key,
        )
