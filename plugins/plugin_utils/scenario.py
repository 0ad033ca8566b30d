"""Expand a declaration into the exact set of WFP objects it stands for.

`expand(declaration)` returns the desired state document (canonical form) for our provider:
the provider, our sublayer, the guaranteed-encryption scenario's provider contexts and filters
(Microsoft's "Guaranteed Encryption" page, docs/scenario-guaranteed-encryption.md), and the raw
objects the declaration lists. Keys are deterministic (UUIDv5), so re-runs are idempotent.
"""

from __future__ import annotations

import copy
import uuid
from typing import Any, Final

from . import crypto
from ._catalogue_data import GUIDS
from .catalogue import value_of
from .model import LIST_NAMES, PERSISTENT_FLAG, Obj, State, canonical, canonical_state, empty_state

# Namespace of every key the collection derives (UUIDv5 of the collection's name).
COLLECTION_NAMESPACE: Final = uuid.uuid5(uuid.NAMESPACE_URL, "ansible-collection:wfp.ipsec")

DEFAULT_PROVIDER_NAME: Final = "wfp.ipsec"
DEFAULT_SUBLAYER_WEIGHT: Final = 0x8001  # just above FWPM_SUBLAYER_UNIVERSAL (0x8000)

# Filter weights inside our own sublayer (FWPM_WEIGHT_RANGE_IPSEC = 0 in the top 4 bits).
WEIGHT_POLICY_IKE: Final = 0x100  # MM/QM policy filters; AuthIP is preferred
WEIGHT_POLICY_AUTHIP: Final = 0x200
WEIGHT_GENERAL_CALLOUT: Final = 0x100  # all other unicast traffic
WEIGHT_REQUIRED_PORT: Final = 0x200  # beats the general callout for its port
ICMP_EXEMPTION_RANGE: Final = value_of("FWPM_WEIGHT_RANGE_IKE_EXEMPTIONS")

IP_PROTOCOLS: Final = {"tcp": value_of("IPPROTO_TCP"), "udp": value_of("IPPROTO_UDP")}
ICMP_PROTOCOL: Final = {4: value_of("IPPROTO_ICMP"), 6: value_of("IPPROTO_ICMPV6")}
NLAT_UNICAST: Final = value_of("NlatUnicast")

GUARANTEED_ENCRYPTION_DEFAULTS: Final[dict[str, Any]] = {
    "keying_modules": ["authip", "ike"],
    "ip_versions": [4, 6],
    "icmp_exemption": True,
    "required_ports": [{"port": 5555, "protocol": "tcp"}],
    "exempt_ports": [],
    "main_mode": {
        "proposals": [
            {"encryption": "aes256", "integrity": "sha256", "dh_group": "dh14"},
            {"encryption": "aes128", "integrity": "sha256", "dh_group": "ecp256"},
        ],
        "lifetime_seconds": 28800,
        "authentication": [{"method": "kerberos"}],
    },
    "quick_mode": {
        "proposals": [
            {"protocol": "esp", "encryption": "aes_gcm256"},
            {"protocol": "esp", "encryption": "aes256", "integrity": "sha256"},
            {"protocol": "esp", "encryption": "aes128", "integrity": "sha256"},
        ],
        "lifetime": {"seconds": 3600, "kilobytes": 100000, "packets": 2147483647},
        "pfs_group": "none",
        "nd_allow_clear_timeout_seconds": 10,
        "idle_timeout_seconds": 300,
        "idle_timeout_fail_over_seconds": 60,
    },
    "extended_mode": None,
}

_LAYERS: Final = {
    "ikeext": "FWPM_LAYER_IKEEXT_V{v}",
    "ipsec": "FWPM_LAYER_IPSEC_V{v}",
    "inbound_transport": "FWPM_LAYER_INBOUND_TRANSPORT_V{v}",
    "outbound_transport": "FWPM_LAYER_OUTBOUND_TRANSPORT_V{v}",
    "recv_accept": "FWPM_LAYER_ALE_AUTH_RECV_ACCEPT_V{v}",
    "connect": "FWPM_LAYER_ALE_AUTH_CONNECT_V{v}",
}
_CALLOUTS: Final = {
    "inbound_transport": "FWPM_CALLOUT_IPSEC_INBOUND_TRANSPORT_V{v}",
    "outbound_transport": "FWPM_CALLOUT_IPSEC_OUTBOUND_TRANSPORT_V{v}",
    "recv_accept": "FWPM_CALLOUT_IPSEC_INBOUND_INITIATE_SECURE_V{v}",
    "connect": "FWPM_CALLOUT_IPSEC_ALE_CONNECT_V{v}",
}
_RAW_CONTEXTS: Final = {
    "inbound_transport": value_of("FWPM_CONTEXT_IPSEC_INBOUND_PERSIST_CONNECTION_SECURITY"),
    "outbound_transport": value_of("FWPM_CONTEXT_IPSEC_OUTBOUND_NEGOTIATE_DISCOVER"),
    "recv_accept": value_of("FWPM_CONTEXT_IPSEC_INBOUND_PERSIST_CONNECTION_SECURITY"),
}
REQUIRE_ENCRYPTION: Final = value_of("FWPM_CONTEXT_ALE_SET_CONNECTION_REQUIRE_IPSEC_ENCRYPTION")
_MODULE_TITLES: Final = {"ike": "IKE", "authip": "AuthIP"}
_CONTEXT_TYPES: Final = {
    ("mm", "ike"): "FWPM_IPSEC_IKE_MM_CONTEXT",
    ("mm", "authip"): "FWPM_IPSEC_AUTHIP_MM_CONTEXT",
    ("qm", "ike"): "FWPM_IPSEC_IKE_QM_TRANSPORT_CONTEXT",
    ("qm", "authip"): "FWPM_IPSEC_AUTHIP_QM_TRANSPORT_CONTEXT",
}


def derived_key(namespace: str | uuid.UUID, logical_name: str) -> str:
    """UUIDv5 of a namespace (collection or provider key) and a logical object name."""
    base = namespace if isinstance(namespace, uuid.UUID) else uuid.UUID(namespace)
    return str(uuid.uuid5(base, logical_name))


def provider_key_of(declaration: dict[str, Any]) -> str:
    provider = declaration.get("provider") or {}
    if provider.get("key"):
        return str(uuid.UUID(provider["key"]))
    return derived_key(
        COLLECTION_NAMESPACE, "provider/" + (provider.get("name") or DEFAULT_PROVIDER_NAME)
    )


def sublayer_key_of(declaration: dict[str, Any]) -> str:
    sublayer = declaration.get("sublayer") or {}
    if sublayer.get("key"):
        return str(uuid.UUID(sublayer["key"]))
    return derived_key(provider_key_of(declaration), "sublayer")


def merged_scenario(options: dict[str, Any] | None) -> dict[str, Any]:
    """Scenario options with defaults filled in (one level deep for the nested sections)."""
    result = copy.deepcopy(GUARANTEED_ENCRYPTION_DEFAULTS)
    for name, value in (options or {}).items():
        if value is None:
            continue
        if isinstance(value, dict) and isinstance(result.get(name), dict):
            result[name].update({k: v for k, v in value.items() if v is not None})
        else:
            result[name] = copy.deepcopy(value)
    return result


class _Builder:
    """Collects the scenario's objects with the shared fields filled in."""

    def __init__(self, declaration: dict[str, Any]) -> None:
        self.provider_key = provider_key_of(declaration)
        self.sublayer_key = sublayer_key_of(declaration)
        self.persistent = bool(declaration.get("persistent", True))
        self.prefix = (
            (declaration.get("provider") or {}).get("name") or DEFAULT_PROVIDER_NAME
        ) + " "
        self.state: State = empty_state()

    def flags(self, object_type: str, *extra: str) -> list[str]:
        flags = list(extra)
        if self.persistent:
            flags.append(PERSISTENT_FLAG[object_type])
        return flags

    def add(self, object_type: str, obj: Obj) -> Obj:
        obj.setdefault("description", None)
        obj.setdefault("provider_data", None)
        obj.setdefault("flags", self.flags(object_type))
        if object_type != "provider":
            obj.setdefault("provider_key", self.provider_key)
        self.state[LIST_NAMES[object_type]].append(obj)
        return obj

    def key(self, logical_name: str) -> str:
        return derived_key(self.provider_key, logical_name)


def _condition(field: str, value_type: str, value: int) -> Obj:
    return {
        "field_key": GUIDS[field],
        "match_type": "FWP_MATCH_EQUAL",
        "value": {"type": value_type, "value": value},
    }


def _unicast() -> Obj:
    return _condition("FWPM_CONDITION_IP_LOCAL_ADDRESS_TYPE", "FWP_UINT8", NLAT_UNICAST)


def _port_conditions(protocol: str, port: int, port_end: int | None = None) -> list[Obj]:
    """Unicast traffic of one transport protocol on one local port or port range."""
    local_port = _condition("FWPM_CONDITION_IP_LOCAL_PORT", "FWP_UINT16", port)
    if port_end is not None:
        local_port["match_type"] = "FWP_MATCH_RANGE"
        local_port["value"] = {
            "type": "FWP_RANGE_TYPE",
            "low": {"type": "FWP_UINT16", "value": port},
            "high": {"type": "FWP_UINT16", "value": port_end},
        }
    return [
        _unicast(),
        _condition("FWPM_CONDITION_IP_PROTOCOL", "FWP_UINT8", IP_PROTOCOLS[protocol]),
        local_port,
    ]


def _port_label(port: dict[str, Any]) -> str:
    """`5555` or `5000-5010`."""
    end = port.get("port_end")
    return f"{port['port']}-{end}" if end is not None else str(port["port"])


def _weight(value: int, ranged: bool = False) -> Obj:
    return {"type": "FWP_UINT8" if ranged else "FWP_UINT64", "value": value}


def _mm_policy(options: dict[str, Any]) -> Obj:
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
        "retransmit_duration_seconds": 0,
    }


def _qm_policy(options: dict[str, Any], module: str) -> Obj:
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
        "flags": ["IPSEC_POLICY_FLAG_ND_SECURE"],
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


def _expand_guaranteed_encryption(builder: _Builder, options: dict[str, Any]) -> None:
    prefix = builder.prefix + "guaranteed encryption: "
    modules = [m for m in ("authip", "ike") if m in options["keying_modules"]]
    context_keys: dict[tuple[str, str], str] = {}
    for mode, title in (("mm", "main mode"), ("qm", "quick mode transport")):
        for module in modules:
            key = builder.key(f"guaranteed_encryption/{mode}/{module}")
            context_keys[(mode, module)] = key
            policy = _mm_policy(options) if mode == "mm" else _qm_policy(options, module)
            builder.add(
                "provider_context",
                {
                    "key": key,
                    "name": f"{prefix}{_MODULE_TITLES[module]} {title} policy",
                    "type": _CONTEXT_TYPES[(mode, module)],
                    "policy": policy,
                },
            )
    for version in options["ip_versions"]:
        _expand_ip_version(
            builder,
            options=options,
            version=version,
            modules=modules,
            context_keys=context_keys,
            prefix=f"{prefix}IPv{version} ",
        )


def _expand_ip_version(
    builder: _Builder,
    *,
    options: dict[str, Any],
    version: int,
    modules: list[str],
    context_keys: dict[tuple[str, str], str],
    prefix: str,
) -> None:
    def layer(name: str) -> str:
        return GUIDS[_LAYERS[name].format(v=version)]

    def callout(name: str) -> str:
        return GUIDS[_CALLOUTS[name].format(v=version)]

    def add_filter(logical: str, title: str, **fields: Any) -> None:
        has_context = fields.get("provider_context_key") is not None
        extra = ["FWPM_FILTER_FLAG_HAS_PROVIDER_CONTEXT"] if has_context else []
        fields.setdefault("raw_context", None)
        fields.setdefault("provider_context_key", None)
        fields.setdefault("conditions", [])
        builder.add(
            "filter",
            {
                "key": builder.key(f"guaranteed_encryption/v{version}/{logical}"),
                "name": prefix + title,
                "flags": builder.flags("filter", *extra),
                "sublayer_key": builder.sublayer_key,
                **fields,
            },
        )

    permit = {"type": "FWP_ACTION_PERMIT", "callout_key": None}
    for mode, layer_name, title in (("mm", "ikeext", "main mode"), ("qm", "ipsec", "quick mode")):
        for module in modules:
            add_filter(
                f"{layer_name}/{module}",
                f"{_MODULE_TITLES[module]} {title} policy",
                layer_key=layer(layer_name),
                weight=_weight(WEIGHT_POLICY_AUTHIP if module == "authip" else WEIGHT_POLICY_IKE),
                action=permit,
                provider_context_key=context_keys[(mode, module)],
            )
    titles = {
        "inbound_transport": "inbound transport",
        "outbound_transport": "outbound transport",
        "recv_accept": "inbound connections",
    }
    for name, title in titles.items():
        add_filter(
            f"{name}/unicast",
            f"{title}: secure unicast",
            layer_key=layer(name),
            weight=_weight(WEIGHT_GENERAL_CALLOUT),
            conditions=[_unicast()],
            action={"type": "FWP_ACTION_CALLOUT_TERMINATING", "callout_key": callout(name)},
            raw_context=_RAW_CONTEXTS[name],
        )
        if options["icmp_exemption"]:
            add_filter(
                f"{name}/icmp_exemption",
                f"{title}: exempt ICMP",
                layer_key=layer(name),
                weight=_weight(ICMP_EXEMPTION_RANGE, ranged=True),
                conditions=[
                    _unicast(),
                    _condition("FWPM_CONDITION_IP_PROTOCOL", "FWP_UINT8", ICMP_PROTOCOL[version]),
                ],
                action=permit,
            )
    for port in options["exempt_ports"]:
        protocol = port.get("protocol", "tcp")
        for name, title in titles.items():
            add_filter(
                f"{name}/exemption/{protocol}_{_port_label(port)}",
                f"{title}: exempt {protocol.upper()}/{_port_label(port)}",
                layer_key=layer(name),
                weight=_weight(ICMP_EXEMPTION_RANGE, ranged=True),
                conditions=_port_conditions(protocol, port["port"], port.get("port_end")),
                action=permit,
            )
    for port in options["required_ports"]:
        protocol = port.get("protocol", "tcp")
        label = f"{protocol}_{_port_label(port)}"
        conditions = _port_conditions(protocol, port["port"], port.get("port_end"))
        for name, title in (("recv_accept", "inbound"), ("connect", "outbound")):
            add_filter(
                f"{name}/require_encryption/{label}",
                f"{title} {protocol.upper()}/{_port_label(port)}: require encryption",
                layer_key=layer(name),
                weight=_weight(WEIGHT_REQUIRED_PORT),
                conditions=copy.deepcopy(conditions),
                action={"type": "FWP_ACTION_CALLOUT_TERMINATING", "callout_key": callout(name)},
                raw_context=REQUIRE_ENCRYPTION,
            )


def _raw_objects(builder: _Builder, objects: dict[str, Any]) -> None:
    """Raw provider contexts and filters: stamped with our provider, persistence and sublayer.

    A raw object's key derives from its `id` (or name) unless given; a filter may name a raw
    provider context by that id instead of a GUID.
    """
    for object_type in ("provider_context", "filter"):
        list_name = LIST_NAMES[object_type]
        for index, raw in enumerate(objects.get(list_name) or []):
            obj = copy.deepcopy(raw)
            obj["key"] = obj.get("key") or builder.key(
                f"objects/{object_type}/{raw_object_id(raw)}"
            )
            obj.pop("id", None)
            obj["provider_key"] = builder.provider_key
            flags = set(obj.get("flags") or [])
            if builder.persistent:
                flags.add(PERSISTENT_FLAG[object_type])
            obj["flags"] = sorted(flags)
            if object_type == "filter":
                obj.setdefault("sublayer_key", builder.sublayer_key)
                context_ref = obj.get("provider_context_key")
                if context_ref and not _looks_like_guid(context_ref):
                    obj["provider_context_key"] = builder.key(
                        f"objects/provider_context/{context_ref}"
                    )
            builder.add(object_type, canonical(object_type, obj, f"objects.{list_name}[{index}]"))


def raw_object_id(raw: dict[str, Any]) -> str:
    """The logical id of a raw object: `id`, else its name."""
    return str(raw.get("id") or raw.get("name"))


def _looks_like_guid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def expand(declaration: dict[str, Any]) -> State:
    """The desired state (canonical form) of a validated declaration with state=present."""
    builder = _Builder(declaration)
    provider = declaration.get("provider") or {}
    sublayer = declaration.get("sublayer") or {}
    builder.add(
        "provider",
        {
            "key": builder.provider_key,
            "name": provider.get("name") or DEFAULT_PROVIDER_NAME,
            "description": provider.get("description")
            or "Managed by the wfp.ipsec Ansible collection",
            "service_name": None,
        },
    )
    builder.add(
        "sublayer",
        {
            "key": builder.sublayer_key,
            "name": sublayer.get("name") or builder.prefix + "sublayer",
            "description": sublayer.get("description"),
            "weight": sublayer.get("weight", DEFAULT_SUBLAYER_WEIGHT),
        },
    )
    scenario = declaration.get("scenario") or {}
    if scenario.get("guaranteed_encryption") is not None:
        _expand_guaranteed_encryption(builder, merged_scenario(scenario["guaranteed_encryption"]))
    _raw_objects(builder, declaration.get("objects") or {})
    return canonical_state(builder.state)
