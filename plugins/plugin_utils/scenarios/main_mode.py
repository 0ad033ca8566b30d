"""Main mode: "At FWPM_LAYER_IKEEXT_V{4|6} setup MM negotiation policy" (every scenario page).

One MM policy provider context per keying module, and per IP version one filter at the IKEEXT
layer with no conditions (all traffic matches) that references it, action PERMIT ("Policy
filters should always have an action type of PERMIT", Microsoft's transport-mode sample).
"""

from __future__ import annotations

from typing import Any, Final

from .. import catalogue, crypto
from ..model import Obj
from . import conditions as cond
from .base import PERMIT, Expansion

MODULE_TITLES: Final = {"ike": "IKE", "authip": "AuthIP", "ikev2": "IKEv2"}
CONTEXT_TYPES: Final = {
    "ike": "FWPM_IPSEC_IKE_MM_CONTEXT",
    "authip": "FWPM_IPSEC_AUTHIP_MM_CONTEXT",
    "ikev2": "FWPM_IPSEC_IKEV2_MM_CONTEXT",
}
# Weights of the policy filters in our sublayer (range FWPM_WEIGHT_RANGE_IPSEC = 0): AuthIP is
# "the preferred keying module if both IKE and AuthIP are supported".
POLICY_WEIGHTS: Final = {"authip": 0x200, "ike": 0x100, "ikev2": 0x100}


def policy(options: dict[str, Any], module: str = "ike") -> Obj:
    main_mode = options["main_mode"]
    return {
        "soft_expiration_seconds": 0,
        "authentication_methods": [crypto.auth_method(m) for m in main_mode["authentication"]],
        "initiator_impersonation": "IKEEXT_IMPERSONATION_NONE",
        "proposals": [
            crypto.mm_proposal(p, main_mode["lifetime_seconds"]) for p in main_mode["proposals"]
        ],
        "flags": [],
        "max_dynamic_filters": 0,
        # IKEEXT_POLICY2: IKEv2 retransmits for this long and "the caller must set this to
        # at least 120 seconds"; IKE and AuthIP do not use it (Windows' own AuthIP contexts say 0).
        "retransmit_duration_seconds": (
            catalogue.IKEV2_MIN_RETRANSMIT_SECONDS if module == "ikev2" else 0
        ),
    }


def add_contexts(expansion: Expansion, modules: list[str]) -> dict[str, str]:
    """The MM provider contexts; returns their keys by keying module."""
    return {
        module: expansion.add_context(
            f"mm/{module}",
            f"{MODULE_TITLES[module]} main mode policy",
            CONTEXT_TYPES[module],
            policy(expansion.options, module),
        )
        for module in modules
    }


def add_filters(expansion: Expansion, version: int, context_keys: dict[str, str]) -> None:
    for module, context_key in context_keys.items():
        expansion.add_filter(
            version,
            f"ikeext/{module}",
            f"{MODULE_TITLES[module]} main mode policy",
            layer_key=cond.layer_key("ikeext", version),
            weight=cond.weight(POLICY_WEIGHTS[module]),
            action=dict(PERMIT),
            provider_context_key=context_key,
        )
