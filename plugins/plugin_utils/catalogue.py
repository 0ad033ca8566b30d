"""The WFP catalogue: symbols <-> GUIDs and integer values, grouped into the families we use.

All values come from `_catalogue_data.py`, generated from the Windows SDK tables (see
tools/gen_catalogue.py). Tests check every value against Microsoft's win32metadata. Each layer's
fields and each built-in callout's layer come from `_layer_data.py`, generated from real netsh
dumps (tools/gen_layer_data.py) and checked against Microsoft's documentation.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache

from ._catalogue_data import CONSTANTS, GUIDS
from ._layer_data import CALLOUT_LAYERS, LAYER_FIELDS


class UnknownSymbolError(KeyError):
    """A symbol that is not in the catalogue (or not in the family asked for)."""

    def __init__(self, symbol: str, family: str = "") -> None:
        where = f" in {family}" if family else ""
        super().__init__(f"unknown symbol {symbol!r}{where}")
        self.symbol = symbol
        self.family = family

    def __str__(self) -> str:
        return str(self.args[0])


_GUID_RE = re.compile(
    r"^\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?$"
)
NULL_GUID = "00000000-0000-0000-0000-000000000000"


def normalise_guid(text: str) -> str | None:
    """Return the canonical GUID text (lower case, no braces), or None if `text` is no GUID."""
    match = _GUID_RE.match(text.strip())
    return match.group(1).lower() if match else None


# GUID -> preferred symbol: the first name in header order (aliases such as
# FWPM_CONDITION_ICMP_TYPE come after their target).
_SYMBOL_BY_GUID: dict[str, str] = {}
for _name, _guid in GUIDS.items():
    _SYMBOL_BY_GUID.setdefault(_guid, _name)


@lru_cache(maxsize=4096)  # host states repeat layer, field, provider and sublayer keys
def guid_of(symbol_or_guid: str, family: str = "") -> str:
    """Resolve a symbol (optionally restricted to a family prefix) or GUID text to a GUID."""
    as_guid = normalise_guid(symbol_or_guid)
    if as_guid is not None:
        return as_guid
    symbol = _SYMBOL_BY_FOLDED.get(symbol_or_guid.casefold(), symbol_or_guid)  # any case
    if symbol in GUIDS and symbol.startswith(family):
        return GUIDS[symbol]
    raise UnknownSymbolError(symbol_or_guid, family)


_SYMBOL_BY_FOLDED: dict[str, str] = {name.casefold(): name for name in GUIDS}


def symbol_of(guid: str) -> str | None:
    """The well-known symbol of a GUID, or None."""
    return _SYMBOL_BY_GUID.get(guid.lower())


def display(guid: str | None) -> str:
    """A GUID as people read it: its symbol when well known, else the GUID."""
    if guid is None:
        return "-"
    return symbol_of(guid) or guid


def value_of(symbol: str) -> int:
    try:
        return CONSTANTS[symbol]
    except KeyError:
        raise UnknownSymbolError(symbol) from None


@dataclass(frozen=True)
class Enumeration:
    """A family of mutually exclusive symbols (one value each), e.g. FWP_MATCH_*."""

    name: str
    members: Mapping[str, int]

    def value(self, symbol: str) -> int:
        try:
            return self.members[symbol]
        except KeyError:
            raise UnknownSymbolError(symbol, self.name) from None

    def symbol(self, value: int) -> str:
        for name, member in self.members.items():
            if member == value:
                return name
        raise UnknownSymbolError(str(value), self.name)

    def __contains__(self, symbol: object) -> bool:
        return symbol in self.members


@dataclass(frozen=True)
class FlagSet:
    """A family of bit flags, e.g. FWPM_FILTER_FLAG_*."""

    name: str
    members: Mapping[str, int]

    def to_int(self, symbols: Iterable[str]) -> int:
        total = 0
        for symbol in symbols:
            if symbol not in self.members:
                raise UnknownSymbolError(symbol, self.name)
            total |= self.members[symbol]
        return total

    def to_symbols(self, value: int) -> list[str]:
        names = [name for name, bit in self.members.items() if bit and value & bit == bit]
        leftover = value & ~self.to_int(names)
        if leftover:
            raise UnknownSymbolError(hex(leftover), self.name)
        return sorted(names)

    def __contains__(self, symbol: object) -> bool:
        return symbol in self.members


def _family(prefixes: Iterable[str], exclude: Iterable[str] = ()) -> dict[str, int]:
    excluded = set(exclude)
    return {
        name: value
        for name, value in CONSTANTS.items()
        if any(name.startswith(prefix) for prefix in prefixes)
        and not name.endswith("_MAX")
        and name not in excluded
    }


def _enum(name: str, symbols: Iterable[str]) -> Enumeration:
    return Enumeration(name, {symbol: CONSTANTS[symbol] for symbol in symbols})


DATA_TYPES = _enum(
    "FWP_DATA_TYPE",
    [name for name in CONSTANTS if re.fullmatch(r"FWP_(U?INT\d+|EMPTY|FLOAT|DOUBLE|SID)", name)]
    + [
        name
        for name in CONSTANTS
        if name.startswith("FWP_") and not name.startswith("FWP_E_") and name.endswith("_TYPE")
    ]
    + ["FWP_V4_ADDR_MASK", "FWP_V6_ADDR_MASK"],
)
MATCH_TYPES = Enumeration("FWP_MATCH_TYPE", _family(["FWP_MATCH_"]))
ACTION_TYPES = _enum(
    "FWP_ACTION_TYPE",
    [
        "FWP_ACTION_BLOCK",
        "FWP_ACTION_PERMIT",
        "FWP_ACTION_CALLOUT_TERMINATING",
        "FWP_ACTION_CALLOUT_INSPECTION",
        "FWP_ACTION_CALLOUT_UNKNOWN",
    ],
)
CALLOUT_ACTIONS = frozenset(
    {
        "FWP_ACTION_CALLOUT_TERMINATING",
        "FWP_ACTION_CALLOUT_INSPECTION",
        "FWP_ACTION_CALLOUT_UNKNOWN",
    }
)
CONTEXT_TYPES = _enum(
    "FWPM_PROVIDER_CONTEXT_TYPE",
    sorted(
        _family(["FWPM_IPSEC_", "FWPM_CLASSIFY_OPTIONS_CONTEXT", "FWPM_GENERAL_CONTEXT"]),
        key=CONSTANTS.__getitem__,
    ),
)
PROVIDER_FLAGS = FlagSet("FWPM_PROVIDER_FLAG", _family(["FWPM_PROVIDER_FLAG_"]))
SUBLAYER_FLAGS = FlagSet("FWPM_SUBLAYER_FLAG", _family(["FWPM_SUBLAYER_FLAG_"]))
CONTEXT_FLAGS = FlagSet("FWPM_PROVIDER_CONTEXT_FLAG", _family(["FWPM_PROVIDER_CONTEXT_FLAG_"]))
FILTER_FLAGS = FlagSet(
    "FWPM_FILTER_FLAG", _family(["FWPM_FILTER_FLAG_"], exclude=["FWPM_FILTER_FLAG_NONE"])
)
IPSEC_POLICY_FLAGS = FlagSet("IPSEC_POLICY_FLAG", _family(["IPSEC_POLICY_FLAG_"]))
IKEEXT_POLICY_FLAGS = FlagSet("IKEEXT_POLICY_FLAG", _family(["IKEEXT_POLICY_FLAG_"]))
CERT_AUTH_FLAGS = FlagSet(
    "IKEEXT_CERT_AUTH_FLAG",
    _family(["IKEEXT_CERT_AUTH_"]),
)
KERBEROS_FLAGS = FlagSet("IKEEXT_KERB_AUTH", _family(["IKEEXT_KERB_AUTH_"]))
NTLM_FLAGS = FlagSet("IKEEXT_NTLM_V2_AUTH", _family(["IKEEXT_NTLM_V2_AUTH_"]))

AUTH_METHOD_TYPES = Enumeration(
    "IKEEXT_AUTHENTICATION_METHOD_TYPE",
    {
        name: value
        for name, value in CONSTANTS.items()
        if name
        in {
            "IKEEXT_PRESHARED_KEY",
            "IKEEXT_CERTIFICATE",
            "IKEEXT_KERBEROS",
            "IKEEXT_ANONYMOUS",
            "IKEEXT_SSL",
            "IKEEXT_NTLM_V2",
            "IKEEXT_IPV6_CGA",
            "IKEEXT_CERTIFICATE_ECDSA_P256",
            "IKEEXT_CERTIFICATE_ECDSA_P384",
            "IKEEXT_SSL_ECDSA_P256",
            "IKEEXT_SSL_ECDSA_P384",
            "IKEEXT_EAP",
            "IKEEXT_RESERVED",
        }
    },
)
IMPERSONATION_TYPES = Enumeration("IKEEXT_IMPERSONATION", _family(["IKEEXT_IMPERSONATION_"]))
# Methods held in the certificateAuthentication / sslAuthentication arm
# (IKEEXT_CERTIFICATE_AUTHENTICATION2) of IKEEXT_AUTHENTICATION_METHOD2.
CERTIFICATE_METHOD_TYPES = (
    "IKEEXT_CERTIFICATE",
    "IKEEXT_CERTIFICATE_ECDSA_P256",
    "IKEEXT_CERTIFICATE_ECDSA_P384",
    "IKEEXT_SSL",
)
# What IKEv2 accepts (docs/scenario-ikev2-transport.md, "Rules"): the certificate methods are
# "available only for IKE and IKEv2" (IKEEXT_AUTHENTICATION_METHOD_TYPE); IKEEXT_EAP's structure
# "is only applicable to IKEv2" but this collection does not write EAP; a pre-shared key is
# "available only for IKE"; anonymous, SSL and NTLMv2 only for AuthIP.
IKEV2_AUTH_METHOD_TYPES = frozenset(
    {"IKEEXT_CERTIFICATE", "IKEEXT_CERTIFICATE_ECDSA_P256", "IKEEXT_CERTIFICATE_ECDSA_P384"}
)
# Flags IKEEXT_POLICY2 documents as "Applies only to AuthIP" and the IPsec policy flag documented
# as "Applicable only for AuthIP policy": not meaningful in an IKEv2 context.
AUTHIP_ONLY_MM_FLAGS = frozenset(
    {"IKEEXT_POLICY_FLAG_NO_IMPERSONATION_LUID_VERIFY", "IKEEXT_POLICY_FLAG_ENABLE_OPTIONAL_DH"}
)
AUTHIP_ONLY_QM_FLAGS = frozenset({"IPSEC_POLICY_FLAG_KEY_MANAGER_ALLOW_DICTATE_KEY"})
# "retransmitDurationSecs: ... IKEv2 SA negotiation packets ... The caller must set this to at
# least 120 seconds" (IKEEXT_POLICY2).
IKEV2_MIN_RETRANSMIT_SECONDS = 120
CERT_CONFIG_TYPES = Enumeration("IKEEXT_CERT_CONFIG", _family(["IKEEXT_CERT_CONFIG_"]))
IKE_CIPHERS = Enumeration("IKEEXT_CIPHER", _family(["IKEEXT_CIPHER_"]))
IKE_INTEGRITY = Enumeration("IKEEXT_INTEGRITY", _family(["IKEEXT_INTEGRITY_"]))
# IKEEXT_DH_GROUP_2048 is an alias of IKEEXT_DH_GROUP_14; keep the well-known name.
DH_GROUPS = Enumeration(
    "IKEEXT_DH_GROUP", _family(["IKEEXT_DH_"], exclude=["IKEEXT_DH_GROUP_2048"])
)
IPSEC_TRANSFORMS = Enumeration("IPSEC_TRANSFORM_TYPE", _family(["IPSEC_TRANSFORM_"]))
IPSEC_AUTH_TYPES = Enumeration(
    "IPSEC_AUTH_TYPE",
    _family(["IPSEC_AUTH_"], exclude=[n for n in CONSTANTS if n.startswith("IPSEC_AUTH_CONFIG_")]),
)
IPSEC_AUTH_CONFIGS = Enumeration("IPSEC_AUTH_CONFIG", _family(["IPSEC_AUTH_CONFIG_"]))
IPSEC_CIPHER_TYPES = Enumeration("IPSEC_CIPHER_TYPE", _family(["IPSEC_CIPHER_TYPE_"]))
IPSEC_CIPHER_CONFIGS = Enumeration("IPSEC_CIPHER_CONFIG", _family(["IPSEC_CIPHER_CONFIG_"]))
# IPSEC_PFS_2048 is an alias of IPSEC_PFS_14.
PFS_GROUPS = Enumeration("IPSEC_PFS_GROUP", _family(["IPSEC_PFS_"], exclude=["IPSEC_PFS_2048"]))

# The IKEv2 types carry the same IKEEXT_POLICY2 / IPSEC_TRANSPORT_POLICY2 as IKE and AuthIP, in
# the ikeV2MmPolicy / ikeV2QmTransportPolicy arms of FWPM_PROVIDER_CONTEXT2.
IKEV2_CONTEXT_TYPES = frozenset(
    {"FWPM_IPSEC_IKEV2_MM_CONTEXT", "FWPM_IPSEC_IKEV2_QM_TRANSPORT_CONTEXT"}
)
MM_CONTEXT_TYPES = frozenset(
    {"FWPM_IPSEC_IKE_MM_CONTEXT", "FWPM_IPSEC_AUTHIP_MM_CONTEXT", "FWPM_IPSEC_IKEV2_MM_CONTEXT"}
)
QM_TRANSPORT_CONTEXT_TYPES = frozenset(
    {
        "FWPM_IPSEC_IKE_QM_TRANSPORT_CONTEXT",
        "FWPM_IPSEC_AUTHIP_QM_TRANSPORT_CONTEXT",
        "FWPM_IPSEC_IKEV2_QM_TRANSPORT_CONTEXT",
    }
)
AUTHIP_CONTEXT_TYPES = frozenset(
    {"FWPM_IPSEC_AUTHIP_MM_CONTEXT", "FWPM_IPSEC_AUTHIP_QM_TRANSPORT_CONTEXT"}
)
SUPPORTED_CONTEXT_TYPES = MM_CONTEXT_TYPES | QM_TRANSPORT_CONTEXT_TYPES

# Which provider-context types a filter at a layer may reference (FWP_E_CONTEXT_INCOMPATIBLE_WITH_LAYER).
_IKEEXT_LAYERS = ("FWPM_LAYER_IKEEXT_V4", "FWPM_LAYER_IKEEXT_V6")
_IPSEC_LAYERS = ("FWPM_LAYER_IPSEC_V4", "FWPM_LAYER_IPSEC_V6")


@cache
def context_types_for_layer(layer_key: str) -> frozenset[str]:
    """Provider-context types a filter at this layer may carry (empty: none of ours)."""
    symbol = symbol_of(layer_key)
    if symbol in _IKEEXT_LAYERS:
        return MM_CONTEXT_TYPES
    if symbol in _IPSEC_LAYERS:
        return QM_TRANSPORT_CONTEXT_TYPES | {
            "FWPM_IPSEC_IKE_QM_TUNNEL_CONTEXT",
            "FWPM_IPSEC_AUTHIP_QM_TUNNEL_CONTEXT",
            "FWPM_IPSEC_IKEV2_QM_TUNNEL_CONTEXT",
            "FWPM_IPSEC_KEYING_CONTEXT",
        }
    # Other layers accept general/classify-options contexts (callout data, filter origin).
    return frozenset({"FWPM_GENERAL_CONTEXT", "FWPM_CLASSIFY_OPTIONS_CONTEXT"})


def is_layer(guid: str) -> bool:
    return (symbol_of(guid) or "").startswith("FWPM_LAYER_")


def is_callout(guid: str) -> bool:
    return (symbol_of(guid) or "").startswith("FWPM_CALLOUT_")


def is_condition(guid: str) -> bool:
    return (symbol_of(guid) or "").startswith("FWPM_CONDITION_")


# ---- what each layer, field and value type accepts (BFE's rules) ------------------------------
#
# Fields and callout layers come from `_layer_data.py`, generated from real `netsh wfp show state`
# dumps (tools/gen_layer_data.py). Match types per value type follow Microsoft's FWP_MATCH_TYPE
# page; which value types a field takes follows FWP_CONDITION_VALUE0 and "Filtering Condition
# Identifiers" (docs/raw-objects.md, "What the engine model refuses").

UNSIGNED_TYPES = frozenset({"FWP_UINT8", "FWP_UINT16", "FWP_UINT32", "FWP_UINT64"})
INTEGER_TYPES = UNSIGNED_TYPES | {"FWP_INT8", "FWP_INT16", "FWP_INT32", "FWP_INT64"}
# "Sortable data types consist of all integer types, FWP_BYTE_ARRAY16_TYPE, FWP_BYTE_BLOB_TYPE,
# and FWP_UNICODE_STRING_TYPE." (FWP_MATCH_TYPE)
SORTABLE_TYPES = INTEGER_TYPES | {
    "FWP_BYTE_ARRAY16_TYPE",
    "FWP_BYTE_BLOB_TYPE",
    "FWP_UNICODE_STRING_TYPE",
}
_CONDITION_ONLY_TYPES = frozenset(
    {"FWP_V4_ADDR_MASK", "FWP_V6_ADDR_MASK", "FWP_RANGE_TYPE", "FWP_SECURITY_DESCRIPTOR_TYPE"}
)
# Field data types a filter cannot hold as such: BFE matches them against a security descriptor.
_TOKEN_TYPES = frozenset({"FWP_TOKEN_ACCESS_INFORMATION_TYPE", "FWP_TOKEN_INFORMATION_TYPE"})
_ADDRESS_MASKS = {"FWP_UINT32": "FWP_V4_ADDR_MASK", "FWP_BYTE_ARRAY16_TYPE": "FWP_V6_ADDR_MASK"}

# Match type -> the condition value types it fits (FWP_MATCH_TYPE: "All data types support
# FWP_MATCH_EQUAL", "Only sortable data types support ...", "Only unsigned integer data types
# support FWP_MATCH_FLAGS_...", "Only the FWP_UNICODE_STRING_TYPE data type supports
# FWP_MATCH_EQUAL_CASE_INSENSITIVE", PREFIX/NOT_PREFIX: byte blobs holding a string and
# FWP_UNICODE_STRING_TYPE). A range is matched with FWP_MATCH_RANGE only.
MATCH_VALUE_TYPES: Mapping[str, frozenset[str]] = {
    "FWP_MATCH_EQUAL": frozenset(DATA_TYPES.members) - {"FWP_RANGE_TYPE"},
    "FWP_MATCH_GREATER": SORTABLE_TYPES,
    "FWP_MATCH_LESS": SORTABLE_TYPES,
    "FWP_MATCH_GREATER_OR_EQUAL": SORTABLE_TYPES,
    "FWP_MATCH_LESS_OR_EQUAL": SORTABLE_TYPES,
    "FWP_MATCH_NOT_EQUAL": SORTABLE_TYPES,
    "FWP_MATCH_RANGE": frozenset({"FWP_RANGE_TYPE"}),
    "FWP_MATCH_FLAGS_ALL_SET": UNSIGNED_TYPES,
    "FWP_MATCH_FLAGS_ANY_SET": UNSIGNED_TYPES,
    "FWP_MATCH_FLAGS_NONE_SET": UNSIGNED_TYPES,
    "FWP_MATCH_EQUAL_CASE_INSENSITIVE": frozenset({"FWP_UNICODE_STRING_TYPE"}),
    "FWP_MATCH_PREFIX": frozenset({"FWP_BYTE_BLOB_TYPE", "FWP_UNICODE_STRING_TYPE"}),
    "FWP_MATCH_NOT_PREFIX": frozenset({"FWP_BYTE_BLOB_TYPE", "FWP_UNICODE_STRING_TYPE"}),
}


@dataclass(frozen=True)
class Field:
    """One field of a filtering layer: FWPM_FIELD_* type and FWP_* data type."""

    key: str
    field_type: str
    data_type: str

    @property
    def value_types(self) -> frozenset[str]:
        """The condition value types a filter may compare this field with."""
        return condition_value_types(self.field_type, self.data_type)


@cache
def condition_value_types(field_type: str, data_type: str) -> frozenset[str]:
    """Condition value types for a field: its own type (a security descriptor for token fields),
    an address mask for IP address fields, a range of its type when sortable, and FWP_EMPTY."""
    own = "FWP_SECURITY_DESCRIPTOR_TYPE" if data_type in _TOKEN_TYPES else data_type
    types = {own, "FWP_EMPTY"}
    if field_type == "FWPM_FIELD_IP_ADDRESS" and data_type in _ADDRESS_MASKS:
        types.add(_ADDRESS_MASKS[data_type])
    if data_type in SORTABLE_TYPES:
        types.add("FWP_RANGE_TYPE")
    return frozenset(types)


def match_type_fits(match_type: str, value_type: str) -> bool:
    """Whether FWP_MATCH_TYPE `match_type` can compare a condition value of `value_type`."""
    return value_type in MATCH_VALUE_TYPES.get(match_type, frozenset())


def match_types_for(value_type: str) -> list[str]:
    """Every match type that fits a value type, in enumeration order."""
    return [name for name in MATCH_TYPES.members if match_type_fits(name, value_type)]


def has_field_table(layer_key: str) -> bool:
    """Whether the layer's fields are known (every layer of the real dumps)."""
    return layer_key.lower() in LAYER_FIELDS


def layer_field(layer_key: str, field_key: str) -> Field | None:
    """The field `field_key` of a layer, or None when the layer has no such field."""
    entry = LAYER_FIELDS.get(layer_key.lower(), {}).get(field_key.lower())
    return None if entry is None else Field(field_key.lower(), *entry)


def layer_field_keys(layer_key: str) -> list[str]:
    """The condition GUIDs a layer has, sorted by symbol (for messages)."""
    return sorted(LAYER_FIELDS.get(layer_key.lower(), {}), key=display)


def callout_layer(callout_key: str) -> str | None:
    """The layer a built-in callout applies at, or None when not known."""
    return CALLOUT_LAYERS.get(callout_key.lower())


def callouts_at(layer_key: str) -> list[str]:
    """The catalogue's built-in callouts that apply at a layer, sorted by symbol (for messages)."""
    known = [
        callout
        for callout, layer in CALLOUT_LAYERS.items()
        if layer == layer_key.lower() and symbol_of(callout) is not None
    ]
    return sorted(known, key=display)


# ---- FWP_E_* error codes -------------------------------------------------------------------

ERROR_CODES: Mapping[str, int] = {
    name: value for name, value in CONSTANTS.items() if name.startswith("FWP_E_")
}

_ERROR_HINTS: Mapping[str, str] = {
    "FWP_E_ALREADY_EXISTS": "an object with this key already exists",
    "FWP_E_IN_USE": "the object is still referenced by another object (delete the referrers first)",
    "FWP_E_PROVIDER_NOT_FOUND": "the provider does not exist",
    "FWP_E_SUBLAYER_NOT_FOUND": "the sublayer does not exist",
    "FWP_E_PROVIDER_CONTEXT_NOT_FOUND": "the provider context does not exist",
    "FWP_E_FILTER_NOT_FOUND": "the filter does not exist",
    "FWP_E_LAYER_NOT_FOUND": "the layer does not exist",
    "FWP_E_CALLOUT_NOT_FOUND": "the callout does not exist",
    "FWP_E_CONDITION_NOT_FOUND": "the filter condition does not exist (at this layer)",
    "FWP_E_LIFETIME_MISMATCH": (
        "a persistent object may only reference persistent objects of the same provider"
    ),
    "FWP_E_INVALID_WEIGHT": "the weight is out of range (weight ranges are 0-15)",
    "FWP_E_CONTEXT_INCOMPATIBLE_WITH_LAYER": "this provider-context type cannot be used at this layer",
    "FWP_E_CONTEXT_INCOMPATIBLE_WITH_CALLOUT": "this provider-context type cannot be used with this callout",
    "FWP_E_EM_NOT_SUPPORTED": "extended mode is only supported by AuthIP",
    "FWP_E_TIMEOUT": "another transaction held the WFP lock too long",
    "FWP_E_TXN_ABORTED": "the transaction was aborted",
    "FWP_E_INCOMPATIBLE_AUTH_METHOD": "the authentication method is not valid for this keying module",
    "FWP_E_INCOMPATIBLE_DH_GROUP": "the Diffie-Hellman group is not valid for this keying module",
    "FWP_E_INVALID_PARAMETER": "a parameter is invalid",
    "FWP_E_TYPE_MISMATCH": "the condition value is of the wrong type for this field",
    "FWP_E_MATCH_TYPE_MISMATCH": (
        "the filter condition's match type is not compatible with its value type"
    ),
    "FWP_E_INVALID_RANGE": "the range is not valid (its low bound is above its high bound)",
    "FWP_E_INCOMPATIBLE_LAYER": "the operation is not supported at this layer",
    "FWP_E_ZERO_LENGTH_ARRAY": "an array that must hold at least one element is empty",
    "E_INVALIDARG": "the host layer of this collection cannot write this object",
    "ZERO_KEY": (
        "the all-zero GUID is no key: BFE would generate a random one, so every run would "
        "add the object again"
    ),
}
# Codes of the host layer (not FWP_E_*) with their HRESULT.
_OTHER_CODES: Mapping[str, int] = {"E_INVALIDARG": 0x80070057}


def error_name(code: int) -> str:
    """The FWP_E_* symbol of an HRESULT (signed or unsigned), or its hex text."""
    unsigned = code & 0xFFFFFFFF
    for name, value in ERROR_CODES.items():
        if value == unsigned:
            return name
    return f"0x{unsigned:08X}"


def error_code(name: str) -> int | None:
    """The HRESULT of an FWP_E_* symbol or of a host-layer code such as E_INVALIDARG."""
    return ERROR_CODES.get(name, _OTHER_CODES.get(name))


def error_message(name: str) -> str:
    """A readable explanation of an FWP_E_* symbol."""
    hint = _ERROR_HINTS.get(name)
    code = error_code(name)
    text = f"{name} (0x{code:08X})" if code is not None else name
    return f"{text}: {hint}" if hint else text
