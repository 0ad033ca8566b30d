"""Small hand-built canonical WFP objects for engine, backend and plan tests.

Import as `from tests.unit.core.builders import ...`. Every builder returns a canonical object
(model.canonical), persistent unless `persistent=False`; extra keyword arguments override fields.
"""

from __future__ import annotations

import copy
import uuid
from typing import Any

from ansible_collections.wfp.ipsec.plugins.plugin_utils import model
from ansible_collections.wfp.ipsec.plugins.plugin_utils.catalogue import GUIDS

Obj = dict[str, Any]

_NAMESPACE = uuid.UUID("6f1c7b0e-3d7a-4a55-9a43-0d7f1b2c9e10")

LAYER_IKEEXT_V4 = GUIDS["FWPM_LAYER_IKEEXT_V4"]
LAYER_IPSEC_V4 = GUIDS["FWPM_LAYER_IPSEC_V4"]
LAYER_RECV_ACCEPT_V4 = GUIDS["FWPM_LAYER_ALE_AUTH_RECV_ACCEPT_V4"]
LAYER_INBOUND_TRANSPORT_V4 = GUIDS["FWPM_LAYER_INBOUND_TRANSPORT_V4"]
SUBLAYER_UNIVERSAL = GUIDS["FWPM_SUBLAYER_UNIVERSAL"]
CALLOUT_INBOUND_TRANSPORT_V4 = GUIDS["FWPM_CALLOUT_IPSEC_INBOUND_TRANSPORT_V4"]
CONDITION_IP_PROTOCOL = GUIDS["FWPM_CONDITION_IP_PROTOCOL"]
CONDITION_LOCAL_PORT = GUIDS["FWPM_CONDITION_IP_LOCAL_PORT"]


def key(name: str) -> str:
    """A deterministic GUID for a test object name."""
    return str(uuid.uuid5(_NAMESPACE, name))


def _persistent(object_type: str, persistent: bool, flags: list[str] | None = None) -> list[str]:
    result = set(flags or [])
    if persistent:
        result.add(model.PERSISTENT_FLAG[object_type])
    return sorted(result)


def provider(name: str = "ours", persistent: bool = True, **fields: Any) -> Obj:
    obj: Obj = {
        "key": key(f"provider/{name}"),
        "name": name,
        "description": None,
        "flags": _persistent("provider", persistent, fields.pop("flags", None)),
        "service_name": None,
        "provider_data": None,
    }
    obj.update(fields)
    return model.canonical_provider(obj)


def sublayer(name: str, provider_obj: Obj | None, persistent: bool = True, **fields: Any) -> Obj:
    obj: Obj = {
        "key": key(f"sublayer/{name}"),
        "name": name,
        "description": None,
        "flags": _persistent("sublayer", persistent, fields.pop("flags", None)),
        "provider_key": provider_obj["key"] if provider_obj else None,
        "provider_data": None,
        "weight": 0x8001,
    }
    obj.update(fields)
    return model.canonical_sublayer(obj)


def qm_policy(em_policy: Obj | None = None) -> Obj:
    return {
        "proposals": [
            {
                "lifetime": {"seconds": 3600, "kilobytes": 100000, "packets": 2147483647},
                "transforms": [
                    {
                        "type": "IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER",
                        "auth": {
                            "type": "IPSEC_AUTH_SHA_256",
                            "config": "IPSEC_AUTH_CONFIG_HMAC_SHA_256_128",
                        },
                        "cipher": {
                            "type": "IPSEC_CIPHER_TYPE_AES_256",
                            "config": "IPSEC_CIPHER_CONFIG_CBC_AES_256",
                        },
                    }
                ],
                "pfs_group": "IPSEC_PFS_NONE",
            }
        ],
        "flags": ["IPSEC_POLICY_FLAG_ND_SECURE"],
        "nd_allow_clear_timeout_seconds": 10,
        "idle_timeout_seconds": 300,
        "idle_timeout_fail_over_seconds": 60,
        "em_policy": em_policy,
    }


def mm_policy() -> Obj:
    return {
        "soft_expiration_seconds": 0,
        "authentication_methods": [{"type": "IKEEXT_KERBEROS", "flags": []}],
        "initiator_impersonation": "IKEEXT_IMPERSONATION_NONE",
        "proposals": [
            {
                "cipher": "IKEEXT_CIPHER_AES_256",
                "integrity": "IKEEXT_INTEGRITY_SHA_256",
                "dh_group": "IKEEXT_DH_GROUP_14",
                "max_lifetime_seconds": 28800,
                "quick_mode_limit": 0,
            }
        ],
        "flags": [],
        "max_dynamic_filters": 0,
        "retransmit_duration_seconds": 0,
    }


EM_POLICY: Obj = {
    "authentication_methods": [{"type": "IKEEXT_KERBEROS", "flags": []}],
    "initiator_impersonation": "IKEEXT_IMPERSONATION_SOCKET_PRINCIPAL",
}


def context(
    name: str,
    provider_obj: Obj | None,
    context_type: str = "FWPM_IPSEC_IKE_QM_TRANSPORT_CONTEXT",
    persistent: bool = True,
    **fields: Any,
) -> Obj:
    if "policy" not in fields:
        is_mm = context_type.endswith("_MM_CONTEXT")
        fields["policy"] = mm_policy() if is_mm else qm_policy()
    obj: Obj = {
        "key": key(f"provider_context/{name}"),
        "name": name,
        "description": None,
        "flags": _persistent("provider_context", persistent, fields.pop("flags", None)),
        "provider_key": provider_obj["key"] if provider_obj else None,
        "provider_data": None,
        "type": context_type,
    }
    obj.update(fields)
    return model.canonical_provider_context(obj)


def filter_(
    name: str,
    provider_obj: Obj | None,
    sublayer_key: str,
    *,
    layer_key: str = LAYER_RECV_ACCEPT_V4,
    persistent: bool = True,
    port: int | None = None,
    **fields: Any,
) -> Obj:
    """A permit filter (by default at ALE_AUTH_RECV_ACCEPT_V4), optionally matching a TCP port."""
    conditions = []
    if port is not None:
        conditions = [
            {"field_key": CONDITION_IP_PROTOCOL, "value": {"type": "FWP_UINT8", "value": 6}},
            {"field_key": CONDITION_LOCAL_PORT, "value": {"type": "FWP_UINT16", "value": port}},
        ]
    obj: Obj = {
        "key": key(f"filter/{name}"),
        "name": name,
        "description": None,
        "flags": _persistent("filter", persistent, fields.pop("flags", None)),
        "provider_key": provider_obj["key"] if provider_obj else None,
        "provider_data": None,
        "layer_key": layer_key,
        "sublayer_key": sublayer_key,
        "weight": {"type": "FWP_UINT64", "value": 0x100},
        "conditions": conditions,
        "action": {"type": "FWP_ACTION_PERMIT", "callout_key": None},
        "raw_context": None,
        "provider_context_key": None,
    }
    obj.update(fields)
    return model.canonical_filter(obj)


def state(*objects: tuple[str, Obj]) -> dict[str, Any]:
    """A state document of (type, object) pairs, lists sorted by key."""
    result = model.empty_state()
    for object_type, obj in objects:
        result[model.LIST_NAMES[object_type]].append(copy.deepcopy(obj))
    for list_name in model.LIST_NAMES.values():
        result[list_name].sort(key=lambda o: o["key"])
    return result


def basic_objects(name: str = "ours", persistent: bool = True) -> dict[str, Obj]:
    """A provider with a sublayer, a QM context and two filters (one using the context)."""
    prov = provider(name, persistent)
    sub = sublayer(f"{name} sublayer", prov, persistent)
    ctx = context(f"{name} qm", prov, persistent=persistent)
    plain = filter_(f"{name} port 5555", prov, sub["key"], persistent=persistent, port=5555)
    with_context = filter_(
        f"{name} qm policy",
        prov,
        sub["key"],
        layer_key=LAYER_IPSEC_V4,
        persistent=persistent,
        provider_context_key=ctx["key"],
    )
    return {
        "provider": prov,
        "sublayer": sub,
        "context": ctx,
        "filter": plain,
        "context_filter": with_context,
    }


def basic_state(name: str = "ours", persistent: bool = True) -> dict[str, Any]:
    objs = basic_objects(name, persistent)
    return state(
        ("provider", objs["provider"]),
        ("sublayer", objs["sublayer"]),
        ("provider_context", objs["context"]),
        ("filter", objs["filter"]),
        ("filter", objs["context_filter"]),
    )


def add_op(object_type: str, obj: Obj) -> dict[str, Any]:
    return {
        "op": "add",
        "type": object_type,
        "key": obj["key"],
        "name": obj["name"],
        "reason": "missing",
        "object": obj,
    }


def delete_op(object_type: str, obj: Obj) -> dict[str, Any]:
    return {
        "op": "delete",
        "type": object_type,
        "key": obj["key"],
        "name": obj["name"],
        "reason": "unexpected",
    }


def plan_for(
    base: dict[str, Any], provider_key: str, *operations: dict[str, Any]
) -> dict[str, Any]:
    """A hand-made plan over `base` (its base_fingerprint is the owned state's)."""
    return {
        "format": model.PLAN_FORMAT,
        "provider_key": provider_key,
        "base_fingerprint": model.fingerprint(model.owned_state(base, provider_key)),
        "operations": list(operations),
    }
