"""The object model: canonical JSON form of WFP objects (docs/canonical-form.md).

Every object is a dict. `canonical_*` functions return a new dict in canonical form (sorted
flags and conditions, normalised GUIDs, addresses and hex, every key present); its flags and
a filter's parts (values, conditions, action) are shared and unchangeable (frozen.py), so
derive new objects (`dict(obj, weight=...)`) rather than change these parts in place;
`comparable` strips what must never cause drift; `fingerprint` hashes an owned state.
"""

from __future__ import annotations

import difflib
import hashlib
import hmac
import ipaddress
import json
import re
from collections.abc import Callable, Iterable, Iterator
from operator import itemgetter
from typing import Any, Final, TypeGuard

from . import catalogue
from .catalogue import CALLOUT_ACTIONS, DATA_TYPES, MATCH_TYPES, SUPPORTED_CONTEXT_TYPES
from .datacopy import copied
from .frozen import FrozenDict, FrozenList, shared_dict, shared_list, shared_text

Obj = dict[str, Any]
State = dict[str, Any]

STATE_FORMAT: Final = "wfp.ipsec.state/1"
PLAN_FORMAT: Final = "wfp.ipsec.plan/1"

# Object types in dependency order (a later type may reference an earlier one).
OBJECT_TYPES: Final = ("provider", "sublayer", "provider_context", "filter")
LIST_NAMES: Final = {
    "provider": "providers",
    "sublayer": "sublayers",
    "provider_context": "provider_contexts",
    "filter": "filters",
}
PERSISTENT_FLAG: Final = {
    "provider": "FWPM_PROVIDER_FLAG_PERSISTENT",
    "sublayer": "FWPM_SUBLAYER_FLAG_PERSISTENT",
    "provider_context": "FWPM_PROVIDER_CONTEXT_FLAG_PERSISTENT",
    "filter": "FWPM_FILTER_FLAG_PERSISTENT",
}
HAS_PROVIDER_CONTEXT: Final = "FWPM_FILTER_FLAG_HAS_PROVIDER_CONTEXT"
RUNTIME_KEY: Final = "runtime"
PSK_DIGEST_PREFIX: Final = "hmac-sha256:"

# FWP integer types: (signed, bits).
# The value types that hold text as declared; every other string of a canonical object is
# written by canonicalisation (a GUID, a symbol, hex, an address), so it holds no character the
# host would cut or change (tests/unit/policy/test_canonical_text.py).
TEXT_VALUE_TYPES: Final = frozenset(
    ("FWP_SID", "FWP_SECURITY_DESCRIPTOR_TYPE", "FWP_UNICODE_STRING_TYPE")
)
# A WFP address is its 16 bytes: a zone (`fe80::1%eth0`) would be dropped on the host (or, in a
# prefix, by ipaddress), and the filter would match on every interface.
ZONE_REFUSED: Final = (
    "the address names a zone (the part after %), which a WFP address cannot hold: remove the zone"
)
INTEGER_TYPES: Final = {
    "FWP_UINT8": (False, 8),
    "FWP_UINT16": (False, 16),
    "FWP_UINT32": (False, 32),
    "FWP_UINT64": (False, 64),
    "FWP_INT8": (True, 8),
    "FWP_INT16": (True, 16),
    "FWP_INT32": (True, 32),
    "FWP_INT64": (True, 64),
}


class ModelError(ValueError):
    """An object that cannot be put in canonical form. `path` names the offending field."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


class ControlCharacterError(ModelError):
    """A string of a declared object holds a character the host would cut or change."""


class UnwritableContextError(ModelError):
    """A declared provider context of a type this collection cannot write."""


def bit_domain(signed: bool, bits: int) -> tuple[int, int]:
    """The lowest and highest value of a signed or unsigned number of `bits` bits."""
    if signed:
        return -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    return 0, (1 << bits) - 1


def integer_domain(value_type: str) -> tuple[int, int]:
    """The lowest and highest value of an FWP integer type."""
    return bit_domain(*INTEGER_TYPES[value_type])


def empty_state() -> State:
    return {
        "format": STATE_FORMAT,
        "providers": [],
        "sublayers": [],
        "provider_contexts": [],
        "filters": [],
    }


def iter_objects(state: State) -> Iterator[tuple[str, Obj]]:
    """Yield (type, object) for every object of a state document, in dependency order."""
    for object_type in OBJECT_TYPES:
        for obj in state.get(LIST_NAMES[object_type], []):
            yield object_type, obj


def all_objects(state: State) -> Iterator[Obj]:
    """Every object of a state document, in dependency order."""
    for _object_type, obj in iter_objects(state):
        yield obj


def guid(value: Any, path: str, family: str = "") -> str:
    """A GUID field: GUID text or (for well-known objects) a catalogue symbol."""
    if not isinstance(value, str):
        raise ModelError(path, f"expected a GUID, got {value!r}")
    try:
        return catalogue.guid_of(value, family)
    except catalogue.UnknownSymbolError as error:
        raise ModelError(path, f"{error}; use a GUID or a {family or 'known'} symbol") from None


def _optional_guid(value: Any, path: str) -> str | None:
    return None if value is None else guid(value, path)


def _flags(values: Any, flag_set: catalogue.FlagSet, path: str) -> list[str]:
    if values is None:
        return _shared_flags(())
    if isinstance(values, int):
        return _shared_flags(flag_set.to_symbols(values))
    result = set()
    for index, symbol in enumerate(values):
        if symbol not in flag_set:
            raise ModelError(
                f"{path}[{index}]",
                f"unknown flag {symbol!r}; expected one of {sorted(flag_set.members)}",
            )
        result.add(symbol)
    return _shared_flags(sorted(result))


def _shared_flags(symbols: Iterable[str]) -> FrozenList:
    """The shared list of these flag symbols, in the order given (sorted by the callers)."""
    ordered = tuple(symbols)
    return shared_list(("flags", *ordered), ordered)


def _hex(value: Any, path: str) -> str | None:
    if value is None or value in ("", b""):
        return None  # WFP stores no bytes as a null blob
    if isinstance(value, bytes):
        return value.hex()
    # Separators and line breaks between bytes are spelling only (a hex dump pasted over lines).
    text = "".join(str(value).split()).replace("-", "").replace(":", "").lower()
    try:
        bytes.fromhex(text)
    except ValueError:
        raise ModelError(path, f"expected hex bytes, got {str(value)[:60]!r}") from None
    return text or None


def _int(value: Any, path: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ModelError(path, f"expected an integer, got {value!r}")
    if not low <= value <= high:
        raise ModelError(path, f"{value} is outside {low}..{high}")
    return value


def _uint32(source: Obj, name: str, path: str, default: int | None = 0, minimum: int = 0) -> int:
    """An unsigned 32-bit field `name` of `source` (missing: `default`; None makes it required)."""
    return _int(source.get(name, default), f"{path}.{name}", minimum, 0xFFFFFFFF)


def _enum(value: Any, enumeration: catalogue.Enumeration, path: str) -> str:
    if value in enumeration:
        return str(value)
    if isinstance(value, str):  # symbols in any case
        value = next((m for m in enumeration.members if m.casefold() == value.casefold()), value)
    if value not in enumeration:
        raise ModelError(
            path,
            f"unknown {enumeration.name} {value!r}; expected one of {sorted(enumeration.members)}",
        )
    return str(value)


def _common(obj: Obj, path: str, flag_set: catalogue.FlagSet, with_provider: bool = True) -> Obj:
    description = obj.get("description")
    result: Obj = {
        "key": guid(obj.get("key"), f"{path}.key"),
        "name": shared_text(str(obj.get("name") or "")),
        "description": shared_text(description) if isinstance(description, str) else description,
        "flags": _flags(obj.get("flags"), flag_set, f"{path}.flags"),
        "provider_data": _hex(obj.get("provider_data"), f"{path}.provider_data"),
    }
    if with_provider:
        result["provider_key"] = _optional_guid(obj.get("provider_key"), f"{path}.provider_key")
    if obj.get(RUNTIME_KEY):
        result[RUNTIME_KEY] = _runtime(obj[RUNTIME_KEY])
    return result


def _runtime(runtime: Any) -> Any:
    """A copy of host-assigned runtime fields; a filter's effective weight is a shared value."""
    result = copied(runtime)
    if isinstance(result, dict):
        weight = result.get("effective_weight")
        if isinstance(weight, dict) and weight.keys() == {"type", "value"}:
            value_type, value = weight["type"], weight["value"]
            # Not a bool: True would find the part of 1 (equal keys), and change the value.
            sharable = isinstance(value, int | str) and not isinstance(value, bool)
            if isinstance(value_type, str) and sharable:
                result["effective_weight"] = _typed(value_type, value)
    return result


# ---- values --------------------------------------------------------------------------------


def canonical_value(value: Any, path: str) -> Obj:
    """An FWP_VALUE0 / FWP_CONDITION_VALUE0 in canonical form: a shared FrozenDict."""
    if not isinstance(value, dict):
        raise ModelError(path, f"expected a typed value {{type, value}}, got {value!r}")
    value_type = _enum(value.get("type"), DATA_TYPES, f"{path}.type")
    raw = value.get("value")
    vpath = f"{path}.value"
    if value_type == "FWP_EMPTY":
        return shared_dict((value_type,), {"type": value_type})
    if value_type in INTEGER_TYPES:
        if value_type == "FWP_UINT32" and isinstance(raw, str):
            raw = _ipv4_to_int(raw, vpath)
        return _typed(value_type, _int(raw, vpath, *integer_domain(value_type)))
    if value_type == "FWP_RANGE_TYPE":
        low_value = canonical_value(value.get("low"), f"{path}.low")
        high_value = canonical_value(value.get("high"), f"{path}.high")
        if low_value["type"] != high_value["type"]:
            raise ModelError(path, "low and high of a range must have the same type")
        return shared_dict(
            (value_type, id(low_value), id(high_value)),
            {"type": value_type, "low": low_value, "high": high_value},
        )
    if value_type == "FWP_BYTE_ARRAY16_TYPE":
        return _typed(value_type, _address(raw, vpath, ipaddress.IPv6Address))
    if value_type in ("FWP_V4_ADDR_MASK", "FWP_V6_ADDR_MASK"):
        network_type = (
            ipaddress.IPv4Network if value_type == "FWP_V4_ADDR_MASK" else ipaddress.IPv6Network
        )
        if "%" in str(raw):  # ipaddress drops a network's zone without a word
            raise ModelError(vpath, ZONE_REFUSED)
        try:
            network = str(network_type(str(raw), strict=False))
        except ValueError as error:
            raise ModelError(vpath, f"expected an address/prefix, {error}") from None
        return _typed(value_type, network)
    if value_type == "FWP_BYTE_BLOB_TYPE":
        return _typed(value_type, _hex(raw, vpath))
    if value_type == "FWP_BYTE_ARRAY6_TYPE":
        text = _hex(raw, vpath) or ""
        if len(text) != 12:
            raise ModelError(vpath, "expected 6 bytes (a MAC address)")
        return _typed(value_type, "-".join(text[i : i + 2] for i in range(0, 12, 2)))
    if value_type in TEXT_VALUE_TYPES:
        if not isinstance(raw, str) or not raw:
            raise ModelError(vpath, f"expected a non-empty string for {value_type}")
        return _typed(value_type, raw.upper() if value_type == "FWP_SID" else str(raw))
    raise ModelError(f"{path}.type", f"{value_type} values are not supported")


def _typed(value_type: str, value: int | str | None) -> FrozenDict:
    """The shared {type, value} dict (the type and the value determine it)."""
    return shared_dict((value_type, value), {"type": value_type, "value": value})


def _ipv4_to_int(text: str, path: str) -> int:
    try:
        return int(ipaddress.IPv4Address(text))
    except ValueError:
        raise ModelError(path, f"expected an integer or an IPv4 address, got {text!r}") from None


def _address(raw: Any, path: str, kind: type[ipaddress.IPv6Address]) -> str:
    if "%" in str(raw):  # no spelling of an address without a zone holds a %
        raise ModelError(path, ZONE_REFUSED)
    try:
        return str(kind(str(raw)))
    except ValueError:
        raise ModelError(path, f"expected an IPv6 address, got {str(raw)[:60]!r}") from None


def _value_sort_key(value: Obj) -> str:
    return json.dumps(value, sort_keys=True)


_FIELD_AND_MATCH: Final = itemgetter("field_key", "match_type")


def _sorted_conditions(conditions: list[Obj]) -> list[Obj]:
    """Conditions by field, match type, then value; the value is serialised for the order only
    when two conditions share a field and match type (ranges of one field, say)."""
    primary = list(map(_FIELD_AND_MATCH, conditions))
    if len(set(primary)) == len(primary):
        return sorted(conditions, key=_FIELD_AND_MATCH)
    return sorted(
        conditions, key=lambda c: (c["field_key"], c["match_type"], _value_sort_key(c["value"]))
    )


# ---- providers, sublayers --------------------------------------------------------------------


def canonical_provider(obj: Obj, path: str = "provider") -> Obj:
    result = _common(obj, path, catalogue.PROVIDER_FLAGS, with_provider=False)
    result["service_name"] = obj.get("service_name") or None
    return result


def canonical_sublayer(obj: Obj, path: str = "sublayer") -> Obj:
    result = _common(obj, path, catalogue.SUBLAYER_FLAGS)
    result["weight"] = _int(obj.get("weight"), f"{path}.weight", 0, 0xFFFF)
    return result


# ---- provider contexts -----------------------------------------------------------------------


def psk_digest(context_key: str, psk: str) -> str:
    """The comparable digest of a pre-shared key (docs/canonical-form.md)."""
    mac = hmac.new(context_key.encode("utf-8"), psk.encode("utf-16-le"), hashlib.sha256)
    return PSK_DIGEST_PREFIX + mac.hexdigest()


def _auth_method(method: Any, path: str) -> Obj:
    if not isinstance(method, dict):
        raise ModelError(path, "expected an authentication method {type, ...}")
    method_type = _enum(method.get("type"), catalogue.AUTH_METHOD_TYPES, f"{path}.type")
    result: Obj = {"type": method_type}
    if method_type == "IKEEXT_KERBEROS":
        result["flags"] = _flags(method.get("flags"), catalogue.KERBEROS_FLAGS, f"{path}.flags")
    elif method_type == "IKEEXT_NTLM_V2":
        result["flags"] = _flags(method.get("flags"), catalogue.NTLM_FLAGS, f"{path}.flags")
    elif method_type == "IKEEXT_PRESHARED_KEY":
        if method.get("key") is not None:
            result["key"] = str(method["key"])
        elif method.get("key_digest") is not None:
            result["key_digest"] = str(method["key_digest"])
        else:
            raise ModelError(path, "a pre-shared key method needs `key`")
    elif method_type in catalogue.CERTIFICATE_METHOD_TYPES:
        for direction in ("inbound_config", "outbound_config"):
            result[direction] = _enum(
                method.get(direction, "IKEEXT_CERT_CONFIG_EXPLICIT_TRUST_LIST"),
                catalogue.CERT_CONFIG_TYPES,
                f"{path}.{direction}",
            )
        result["root_subjects"] = _string_list(method.get("root_subjects"), f"{path}.root_subjects")
        result["flags"] = _flags(method.get("flags"), catalogue.CERT_AUTH_FLAGS, f"{path}.flags")
    elif method_type != "IKEEXT_ANONYMOUS":
        raise ModelError(f"{path}.type", f"{method_type} is not supported by this collection")
    return result


def _string_list(value: Any, path: str) -> list[str]:
    """A list of strings; a single string is a one-item list (as Ansible treats list options)."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list):
        raise ModelError(path, "expected a string or a list of strings")
    return [str(item) for item in value]


def _auth_methods(methods: Any, path: str) -> list[Obj]:
    return [_auth_method(method, f"{path}[{index}]") for index, method in enumerate(methods or [])]


def _mm_policy(policy: Obj, path: str) -> Obj:
    proposals = []
    for index, proposal in enumerate(policy.get("proposals") or []):
        ppath = f"{path}.proposals[{index}]"
        proposals.append(
            {
                "cipher": _enum(proposal.get("cipher"), catalogue.IKE_CIPHERS, f"{ppath}.cipher"),
                "integrity": _enum(
                    proposal.get("integrity"), catalogue.IKE_INTEGRITY, f"{ppath}.integrity"
                ),
                "dh_group": _enum(
                    proposal.get("dh_group", "IKEEXT_DH_GROUP_NONE"),
                    catalogue.DH_GROUPS,
                    f"{ppath}.dh_group",
                ),
                "max_lifetime_seconds": _uint32(
                    proposal, "max_lifetime_seconds", ppath, None, minimum=1
                ),
                "quick_mode_limit": _uint32(proposal, "quick_mode_limit", ppath),
            }
        )
    return {
        "soft_expiration_seconds": _uint32(policy, "soft_expiration_seconds", path),
        "authentication_methods": _auth_methods(
            policy.get("authentication_methods"), f"{path}.authentication_methods"
        ),
        "initiator_impersonation": _enum(
            policy.get("initiator_impersonation", "IKEEXT_IMPERSONATION_NONE"),
            catalogue.IMPERSONATION_TYPES,
            f"{path}.initiator_impersonation",
        ),
        "proposals": proposals,
        "flags": _flags(policy.get("flags"), catalogue.IKEEXT_POLICY_FLAGS, f"{path}.flags"),
        "max_dynamic_filters": _uint32(policy, "max_dynamic_filters", path),
        "retransmit_duration_seconds": _uint32(policy, "retransmit_duration_seconds", path),
    }


def _transform(transform: Any, path: str) -> Obj:
    transform_type = _enum(transform.get("type"), catalogue.IPSEC_TRANSFORMS, f"{path}.type")
    result: Obj = {"type": transform_type}
    if transform_type in (
        "IPSEC_TRANSFORM_AH",
        "IPSEC_TRANSFORM_ESP_AUTH",
        "IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER",
    ):
        auth = transform.get("auth") or {}
        result["auth"] = {
            "type": _enum(auth.get("type"), catalogue.IPSEC_AUTH_TYPES, f"{path}.auth.type"),
            "config": _enum(
                auth.get("config"), catalogue.IPSEC_AUTH_CONFIGS, f"{path}.auth.config"
            ),
        }
    if transform_type in ("IPSEC_TRANSFORM_ESP_CIPHER", "IPSEC_TRANSFORM_ESP_AUTH_AND_CIPHER"):
        cipher = transform.get("cipher") or {}
        result["cipher"] = {
            "type": _enum(cipher.get("type"), catalogue.IPSEC_CIPHER_TYPES, f"{path}.cipher.type"),
            "config": _enum(
                cipher.get("config"), catalogue.IPSEC_CIPHER_CONFIGS, f"{path}.cipher.config"
            ),
        }
    if transform_type == "IPSEC_TRANSFORM_ESP_AUTH_FW":
        raise ModelError(f"{path}.type", "IPSEC_TRANSFORM_ESP_AUTH_FW is not supported")
    return result


def _qm_policy(policy: Obj, path: str) -> Obj:
    proposals = []
    for index, proposal in enumerate(policy.get("proposals") or []):
        ppath = f"{path}.proposals[{index}]"
        lifetime = proposal.get("lifetime") or {}
        proposals.append(
            {
                "lifetime": {
                    "seconds": _uint32(lifetime, "seconds", f"{ppath}.lifetime", None, minimum=1),
                    "kilobytes": _uint32(
                        lifetime, "kilobytes", f"{ppath}.lifetime", None, minimum=1
                    ),
                    "packets": _uint32(lifetime, "packets", f"{ppath}.lifetime", None, minimum=1),
                },
                "transforms": [
                    _transform(transform, f"{ppath}.transforms[{tindex}]")
                    for tindex, transform in enumerate(proposal.get("transforms") or [])
                ],
                "pfs_group": _enum(
                    proposal.get("pfs_group", "IPSEC_PFS_NONE"),
                    catalogue.PFS_GROUPS,
                    f"{ppath}.pfs_group",
                ),
            }
        )
    em_policy = policy.get("em_policy")
    return {
        "proposals": proposals,
        "flags": _flags(policy.get("flags"), catalogue.IPSEC_POLICY_FLAGS, f"{path}.flags"),
        "nd_allow_clear_timeout_seconds": _uint32(policy, "nd_allow_clear_timeout_seconds", path),
        "idle_timeout_seconds": _uint32(policy, "idle_timeout_seconds", path),
        "idle_timeout_fail_over_seconds": _uint32(policy, "idle_timeout_fail_over_seconds", path),
        "em_policy": None
        if em_policy is None
        else {
            "authentication_methods": _auth_methods(
                em_policy.get("authentication_methods"), f"{path}.em_policy.authentication_methods"
            ),
            "initiator_impersonation": _enum(
                em_policy.get("initiator_impersonation", "IKEEXT_IMPERSONATION_NONE"),
                catalogue.IMPERSONATION_TYPES,
                f"{path}.em_policy.initiator_impersonation",
            ),
        },
    }


def canonical_provider_context(obj: Obj, path: str = "provider_context") -> Obj:
    result = _common(obj, path, catalogue.CONTEXT_FLAGS)
    context_type = _enum(obj.get("type"), catalogue.CONTEXT_TYPES, f"{path}.type")
    result["type"] = context_type
    policy = obj.get("policy") or {}
    if context_type in catalogue.MM_CONTEXT_TYPES:
        result["policy"] = _mm_policy(policy, f"{path}.policy")
    elif context_type in catalogue.QM_TRANSPORT_CONTEXT_TYPES:
        result["policy"] = _qm_policy(policy, f"{path}.policy")
    else:
        result["policy"] = copied(policy) or {"unsupported": True}
    return result


# ---- filters -------------------------------------------------------------------------------


def canonical_condition(condition: Any, path: str) -> Obj:
    """One FWPM_FILTER_CONDITION0 in canonical form (match type defaults to FWP_MATCH_EQUAL)."""
    if not isinstance(condition, dict):
        raise ModelError(
            path, f"expected a condition {{field_key, match_type, value}}, got {condition!r}"
        )
    field_key = guid(condition.get("field_key"), f"{path}.field_key", "FWPM_CONDITION_")
    match_type = _enum(
        condition.get("match_type", "FWP_MATCH_EQUAL"), MATCH_TYPES, f"{path}.match_type"
    )
    value = canonical_value(condition.get("value"), f"{path}.value")
    return shared_dict(
        ("condition", field_key, match_type, id(value)),
        {"field_key": field_key, "match_type": match_type, "value": value},
    )


def canonical_filter(obj: Obj, path: str = "filter") -> Obj:
    result = _common(obj, path, catalogue.FILTER_FLAGS)
    result["layer_key"] = guid(obj.get("layer_key"), f"{path}.layer_key", "FWPM_LAYER_")
    result["sublayer_key"] = guid(obj.get("sublayer_key"), f"{path}.sublayer_key", "FWPM_SUBLAYER_")
    # A missing weight is FWP_EMPTY (automatic weighting); anything else must be a typed value.
    weight = obj.get("weight")
    result["weight"] = canonical_value(
        {"type": "FWP_EMPTY"} if weight is None else weight, f"{path}.weight"
    )
    conditions = [
        canonical_condition(condition, f"{path}.conditions[{index}]")
        for index, condition in enumerate(obj.get("conditions") or [])
    ]
    ordered = _sorted_conditions(conditions)
    result["conditions"] = shared_list(("conditions", *map(id, ordered)), ordered)
    action = obj.get("action") or {}
    action_type = _enum(action.get("type"), catalogue.ACTION_TYPES, f"{path}.action.type")
    callout = action.get("callout_key")
    if action_type in CALLOUT_ACTIONS:
        callout_key: str | None = guid(callout, f"{path}.action.callout_key", "FWPM_CALLOUT_")
    elif callout is not None:
        raise ModelError(
            f"{path}.action.callout_key", f"{action_type} takes no callout; remove callout_key"
        )
    else:
        callout_key = None
    result["action"] = shared_dict(
        ("action", action_type, callout_key), {"type": action_type, "callout_key": callout_key}
    )
    raw_context = obj.get("raw_context")
    context_key = _optional_guid(obj.get("provider_context_key"), f"{path}.provider_context_key")
    if raw_context is not None and context_key is not None:
        raise ModelError(path, "raw_context and provider_context_key share a union: set only one")
    # rawContext 0 means "no context": the host reads it back as null.
    if raw_context is not None:
        raw_context = _int(raw_context, f"{path}.raw_context", 0, (1 << 64) - 1) or None
    result["raw_context"] = raw_context
    result["provider_context_key"] = context_key
    flags = set(result["flags"]) - {HAS_PROVIDER_CONTEXT}
    if context_key is not None:
        flags.add(HAS_PROVIDER_CONTEXT)
    result["flags"] = _shared_flags(sorted(flags))
    return result


CANONICALISERS: Final[dict[str, Callable[[Obj, str], Obj]]] = {
    "provider": canonical_provider,
    "sublayer": canonical_sublayer,
    "provider_context": canonical_provider_context,
    "filter": canonical_filter,
}


def canonical(object_type: str, obj: Obj, path: str | None = None) -> Obj:
    return CANONICALISERS[object_type](obj, path or object_type)


def canonical_state(state: State, path: str = "state") -> State:
    """A whole state document in canonical form, each list sorted by key."""
    result = empty_state()
    for object_type in OBJECT_TYPES:
        list_name = LIST_NAMES[object_type]
        objects = [
            canonical(object_type, obj, f"{path}.{list_name}[{index}]")
            for index, obj in enumerate(state.get(list_name) or [])
        ]
        result[list_name] = sorted(objects, key=lambda o: o["key"])
    return result


# ---- comparison ------------------------------------------------------------------------------


def _redact_psk(methods: list[Obj], context_key: str) -> None:
    for method in methods:
        if method.get("type") == "IKEEXT_PRESHARED_KEY" and "key" in method:
            method["key_digest"] = psk_digest(context_key, method.pop("key"))


def _has_psk(context: Obj) -> bool:
    """Whether a provider context carries a pre-shared key or its digest (comparable and
    redacted forms rewrite those, on a deep copy)."""
    policy = context.get("policy") or {}
    methods = list(policy.get("authentication_methods") or [])
    methods += (policy.get("em_policy") or {}).get("authentication_methods") or []
    return any(
        isinstance(method, dict) and ("key" in method or "key_digest" in method)
        for method in methods
    )


def comparable(object_type: str, obj: Obj) -> Obj:
    """The object as it is compared: no runtime fields, PSKs replaced by their digest.

    Nested values are shared with `obj` except in provider contexts with a PSK; do not mutate
    them.
    """
    if object_type != "provider_context" or not _has_psk(obj):
        return {key: value for key, value in obj.items() if key != RUNTIME_KEY}
    result = copied(obj)
    result.pop(RUNTIME_KEY, None)
    if object_type == "provider_context":
        policy = result.get("policy") or {}
        _redact_psk(policy.get("authentication_methods") or [], result["key"])
        em_policy = policy.get("em_policy")
        if em_policy:
            _redact_psk(em_policy.get("authentication_methods") or [], result["key"])
    return result


def redacted(object_type: str, obj: Obj) -> Obj:
    """The object as shown to people and logs: comparable, with PSK digests masked too."""
    result = comparable(object_type, obj)
    if object_type == "provider_context":
        policy = result.get("policy") or {}
        methods = list(policy.get("authentication_methods") or [])
        methods += (policy.get("em_policy") or {}).get("authentication_methods") or []
        for method in methods:
            if "key_digest" in method:
                method["key_digest"] = "********"
    return result


def owned_state(state: State, provider_key: str) -> State:
    """The part of a state document owned by `provider_key`."""
    result = empty_state()
    result["providers"] = [o for o in state.get("providers", []) if o["key"] == provider_key]
    for list_name in ("sublayers", "provider_contexts", "filters"):
        objects = state.get(list_name, [])
        result[list_name] = [o for o in objects if o.get("provider_key") == provider_key]
    return result


def fingerprint(state: State) -> str:
    """sha256 of a state document's comparable form (docs/canonical-form.md, Plan)."""
    document: dict[str, list[Obj]] = {}
    for object_type in OBJECT_TYPES:
        list_name = LIST_NAMES[object_type]
        objects = [comparable(object_type, obj) for obj in state.get(list_name) or []]
        document[list_name] = sorted(objects, key=lambda o: str(o["key"]))
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


_FINGERPRINT_FORM: Final = re.compile(r"sha256:[0-9a-f]{64}")


def is_fingerprint(value: Any) -> TypeGuard[str]:
    """Whether `value` has the form fingerprint() gives (a host-reported one must)."""
    return isinstance(value, str) and _FINGERPRINT_FORM.fullmatch(value) is not None


def index_by_key(objects: Iterable[Obj]) -> dict[str, Obj]:
    return {obj["key"]: obj for obj in objects}


# ---- declared objects: strict shape ----------------------------------------------------------
#
# Canonicalisation is tolerant, as it must be for host state: it reads the fields it knows and
# ignores the rest. Objects that come from a declaration (raw objects) are first checked here,
# so that a misspelt key is an error instead of a silently dropped field (a filter whose
# `conditons` vanish would block everything), and so that no string holds a character the host
# would cut or refuse.

DECLARED_ONLY_KEYS: Final = frozenset({"id"})
# Unicode categories Cc (C0 and C1 controls, NUL included) and Cs (lone surrogates).
_CONTROL_CHARACTERS: Final = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


class _ListOf:
    """A list of items of one shape (None allowed: no items)."""

    def __init__(self, item: Any) -> None:
        self.item = item


class _Strings:
    """A list of strings; a single string counts as a one-item list."""


_SCALAR: Final = None
_ANY: Final = object()  # not checked here (refused as a whole elsewhere)
# Hex: whitespace between the bytes is spelling; its type is checked by _text_field_problems
# (provider_data) or canonicalisation (values), which drops the whitespace and checks the rest.
_HEX: Final = object()
_HEX_TYPES: Final = frozenset(("FWP_BYTE_BLOB_TYPE", "FWP_BYTE_ARRAY6_TYPE"))
_VALUE_SPEC: dict[str, Any] = {"type": _SCALAR, "value": _SCALAR}
_HEX_VALUE_SPEC: Final[dict[str, Any]] = {"type": _SCALAR, "value": _HEX}


def _value_spec(value: Any) -> dict[str, Any]:
    if (
        isinstance(value, dict)
        and isinstance(value.get("type"), str)
        and value["type"] in _HEX_TYPES
    ):
        return _HEX_VALUE_SPEC
    return _VALUE_SPEC


_VALUE_SPEC["low"] = _value_spec
_VALUE_SPEC["high"] = _value_spec
_COMMON_SPEC: Final[dict[str, Any]] = {
    "key": _SCALAR,
    "name": _SCALAR,
    "description": _SCALAR,
    "flags": _ListOf(_SCALAR),
    "provider_data": _HEX,
    "provider_key": _SCALAR,
    **dict.fromkeys(DECLARED_ONLY_KEYS, _SCALAR),
}
_FILTER_SPEC: Final[dict[str, Any]] = {
    **_COMMON_SPEC,
    "layer_key": _SCALAR,
    "sublayer_key": _SCALAR,
    "weight": _value_spec,
    "conditions": _ListOf({"field_key": _SCALAR, "match_type": _SCALAR, "value": _value_spec}),
    "action": {"type": _SCALAR, "callout_key": _SCALAR},
    "raw_context": _SCALAR,
    "provider_context_key": _SCALAR,
}
_AUTH_KEYS: Final[dict[str, dict[str, Any]]] = {
    "IKEEXT_KERBEROS": {"flags": _ListOf(_SCALAR)},
    "IKEEXT_NTLM_V2": {"flags": _ListOf(_SCALAR)},
    "IKEEXT_PRESHARED_KEY": {"key": _SCALAR, "key_digest": _SCALAR},
    "IKEEXT_CERTIFICATE": {
        "inbound_config": _SCALAR,
        "outbound_config": _SCALAR,
        "root_subjects": _Strings(),
        "flags": _ListOf(_SCALAR),
    },
    "IKEEXT_ANONYMOUS": {},
}
for _certificate_type in catalogue.CERTIFICATE_METHOD_TYPES:
    _AUTH_KEYS[_certificate_type] = _AUTH_KEYS["IKEEXT_CERTIFICATE"]


def _auth_spec(method: Any) -> dict[str, Any]:
    method_type = method.get("type") if isinstance(method, dict) else None
    return {"type": _SCALAR, **_AUTH_KEYS.get(str(method_type), {})}


_AUTH_METHODS: Final = _ListOf(_auth_spec)
_MM_POLICY_SPEC: Final[dict[str, Any]] = {
    "soft_expiration_seconds": _SCALAR,
    "authentication_methods": _AUTH_METHODS,
    "initiator_impersonation": _SCALAR,
    "proposals": _ListOf(
        {
            "cipher": _SCALAR,
            "integrity": _SCALAR,
            "dh_group": _SCALAR,
            "max_lifetime_seconds": _SCALAR,
            "quick_mode_limit": _SCALAR,
        }
    ),
    "flags": _ListOf(_SCALAR),
    "max_dynamic_filters": _SCALAR,
    "retransmit_duration_seconds": _SCALAR,
}
_PAIR: Final[dict[str, Any]] = {"type": _SCALAR, "config": _SCALAR}
_QM_POLICY_SPEC: Final[dict[str, Any]] = {
    "proposals": _ListOf(
        {
            "lifetime": {"seconds": _SCALAR, "kilobytes": _SCALAR, "packets": _SCALAR},
            "transforms": _ListOf({"type": _SCALAR, "auth": _PAIR, "cipher": _PAIR}),
            "pfs_group": _SCALAR,
        }
    ),
    "flags": _ListOf(_SCALAR),
    "nd_allow_clear_timeout_seconds": _SCALAR,
    "idle_timeout_seconds": _SCALAR,
    "idle_timeout_fail_over_seconds": _SCALAR,
    "em_policy": {"authentication_methods": _AUTH_METHODS, "initiator_impersonation": _SCALAR},
}


def _context_spec(obj: Any) -> dict[str, Any]:
    context_type = obj.get("type") if isinstance(obj, dict) else None
    if context_type in catalogue.MM_CONTEXT_TYPES:
        policy: Any = _MM_POLICY_SPEC
    elif context_type in catalogue.QM_TRANSPORT_CONTEXT_TYPES:
        policy = _QM_POLICY_SPEC
    else:
        policy = _ANY  # the type is refused below: this collection writes no other context
    return {**_COMMON_SPEC, "type": _SCALAR, "policy": policy}


_DECLARED_SPECS: Final[dict[str, Any]] = {
    "filter": _FILTER_SPEC,
    "provider_context": _context_spec,
}


def text_problem(text: str) -> str | None:
    """Why a string cannot go to the host unchanged (a control character or lone surrogate)."""
    found = _CONTROL_CHARACTERS.search(text)
    if found is None:
        return None
    return (
        f"contains the control character U+{ord(found.group()):04X} at position {found.start()}; "
        "the host would cut or change the text, so every run would plan the object again: "
        "remove it"
    )


def _unknown_key(key: Any, allowed: Iterable[str], path: str) -> ModelError:
    names = sorted(allowed)
    close = difflib.get_close_matches(str(key), names, n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return ModelError(
        f"{path}.{key}" if isinstance(key, str) else path,
        f"unknown key {key!r}; {hint}valid keys: {', '.join(names)}",
    )


def _kind(value: Any) -> str:
    """What a value is, without showing it (it may be a pre-shared key)."""
    names = {
        dict: "a mapping",
        list: "a list",
        str: "a string",
        bool: "a boolean",
        int: "an integer",
        float: "a number",
        type(None): "null",
    }
    return names.get(type(value), f"a {type(value).__name__}")


def _walk(value: Any, spec: Any, path: str, problems: list[ModelError]) -> None:
    if callable(spec) and not isinstance(spec, dict):
        spec = spec(value)
    if value is None or spec is _ANY or spec is _HEX:
        return
    if isinstance(spec, dict):
        if not isinstance(value, dict):
            shape = (
                "a typed value such as {type: FWP_UINT64, value: 0}"
                if spec is _VALUE_SPEC
                else f"a mapping with the keys {', '.join(sorted(spec))}"
            )
            problems.append(ModelError(path, f"expected {shape}, got {_kind(value)}"))
            return
        for key, item in value.items():
            if key not in spec:
                problems.append(_unknown_key(key, spec, path))
            else:
                _walk(item, spec[key], f"{path}.{key}", problems)
    elif isinstance(spec, _ListOf):
        if not isinstance(value, list):
            problems.append(ModelError(path, f"expected a list, got {_kind(value)}"))
            return
        for index, item in enumerate(value):
            _walk(item, spec.item, f"{path}[{index}]", problems)
    elif isinstance(spec, _Strings):
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            problems.append(
                ModelError(path, f"expected a string or a list of strings, got {_kind(value)}")
            )
            return
        for index, item in enumerate(items):
            _walk(item, _SCALAR, f"{path}[{index}]" if isinstance(value, list) else path, problems)
    elif isinstance(value, (dict, list)):
        problems.append(ModelError(path, f"expected a single value, got {_kind(value)}"))
    elif isinstance(value, str):
        problem = text_problem(value)
        if problem:
            problems.append(ControlCharacterError(path, problem))


def _text_field_problems(obj: Obj, path: str) -> list[ModelError]:
    """Text fields canonicalisation would otherwise coerce (`name: 0` -> "", `provider_data: 12`)."""
    problems = []
    for name, nullable in (("name", False), ("description", True), ("provider_data", True)):
        value = obj.get(name)
        if (value is None and nullable) or isinstance(value, str):
            continue
        wanted = "a string" + (" or null" if nullable else "")
        problems.append(ModelError(f"{path}.{name}", f"expected {wanted}, got {_kind(value)}"))
    return problems


def declared_problems(object_type: str, obj: Any, path: str) -> list[ModelError]:
    """What is wrong with the shape of a declared (raw) object, each naming its field.

    Unknown keys at any depth (with the valid names and the closest match), values of the wrong
    shape, control characters in strings, and provider-context types this collection cannot
    write. Host state is never checked this way (canonicalisation stays tolerant).
    """
    spec = _DECLARED_SPECS.get(object_type)
    if spec is None:
        return [ModelError(path, f"{object_type} objects cannot be declared")]
    problems: list[ModelError] = []
    _walk(obj, spec, path, problems)
    if isinstance(obj, dict):
        problems += _text_field_problems(obj, path)
    if object_type == "provider_context" and isinstance(obj, dict):
        context_type = obj.get("type")
        if context_type in catalogue.CONTEXT_TYPES and context_type not in SUPPORTED_CONTEXT_TYPES:
            problems.append(
                UnwritableContextError(
                    f"{path}.type",
                    f"this collection writes only {', '.join(sorted(SUPPORTED_CONTEXT_TYPES))} "
                    f"provider contexts, not {context_type}",
                )
            )
    return problems
