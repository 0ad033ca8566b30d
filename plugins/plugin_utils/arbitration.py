"""A small model of WFP filter arbitration, used to prove which filter decides a packet.

Rules (Microsoft's "Filter Arbitration"): a layer's sublayers are evaluated in order of
sublayer weight, highest first, and every sublayer is evaluated. Inside a sublayer the matching
filters are tried in order of effective weight, highest first, until one returns a terminating
action (permit, block, or a terminating callout); that filter decides for the sublayer.

Effective weights follow FWPM_FILTER0's `weight` rules: FWP_UINT64 is used as is; FWP_UINT8 r
puts r in the top 4 bits and leaves the low 60 bits to BFE's automatic weighting; FWP_EMPTY is
fully automatic. BFE's automatic part grows with the specificity of the conditions; we
approximate it by the number of conditions, which preserves the order BFE documents for the
cases we rely on. A weight reported by the host (`runtime.effective_weight`) always wins.

Packet fields are integers (ports, protocols, IPv4 addresses as integers), address strings
(matched against FWP_V4_ADDR_MASK / FWP_V6_ADDR_MASK / FWP_BYTE_ARRAY16_TYPE values) or, for
security-descriptor conditions (FWPM_CONDITION_ALE_USER_ID, ..._REMOTE_MACHINE_ID, ...), the SID
or SDDL alias of the principal (`SY` for LocalSystem): the condition matches when the first ACE
of the DACL that names the principal allows FWP_ACTRL_MATCH_FILTER (`CC`).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from .catalogue import guid_of, value_of
from .model import Obj, State

AUTO_WEIGHT_BITS: Final = value_of("FWPM_AUTO_WEIGHT_BITS")
TERMINATING: Final = frozenset(
    {
        "FWP_ACTION_PERMIT",
        "FWP_ACTION_BLOCK",
        "FWP_ACTION_CALLOUT_TERMINATING",
        "FWP_ACTION_CALLOUT_UNKNOWN",
    }
)
_AUTO_STEP: Final = 1 << 52  # one condition's worth of automatic weight

_ACE: Final = re.compile(r"\((A|D);[^;]*;([^;]*);[^;]*;[^;]*;([^;)]*)")

Packet = Mapping[str, int | str]


def sddl_grants(sddl: str, principal: str) -> bool:
    """Whether the DACL's first ACE for `principal` allows FWP_ACTRL_MATCH_FILTER (CC)."""
    dacl = sddl.split("D:", 1)[1] if "D:" in sddl else ""
    for match in _ACE.finditer(dacl):
        kind, rights, sid = (str(group) for group in match.groups())
        if sid.upper() == principal.upper() and "CC" in rights.upper():
            return kind == "A"
    return False


def _address_matches(value: Obj, actual: int | str) -> bool:
    network = ipaddress.ip_network(str(value["value"]), strict=False)
    address = ipaddress.ip_address(actual)
    return bool(address.version == network.version and address in network)


def effective_weight(filter_obj: Obj) -> int:
    """The filter's 64-bit effective weight (host-reported when known)."""
    runtime = filter_obj.get("runtime") or {}
    reported = runtime.get("effective_weight")
    if isinstance(reported, dict) and reported.get("type") == "FWP_UINT64":
        return int(reported["value"])
    weight = filter_obj.get("weight") or {"type": "FWP_EMPTY"}
    automatic = min(len(filter_obj.get("conditions") or []), 0xFF) * _AUTO_STEP
    if weight["type"] == "FWP_UINT64":
        return int(weight["value"])
    if weight["type"] == "FWP_UINT8":
        return (int(weight["value"]) << AUTO_WEIGHT_BITS) | automatic
    return automatic


def _condition_matches(condition: Obj, packet: Packet) -> bool:
    field = condition["field_key"]
    if field not in packet:
        return False
    actual = packet[field]
    value = condition["value"]
    match_type = condition["match_type"]
    if value["type"] == "FWP_SECURITY_DESCRIPTOR_TYPE" and isinstance(actual, str):
        granted = sddl_grants(str(value["value"]), actual)
        return granted if match_type == "FWP_MATCH_EQUAL" else not granted
    if value["type"] in ("FWP_V4_ADDR_MASK", "FWP_V6_ADDR_MASK", "FWP_BYTE_ARRAY16_TYPE"):
        inside = _address_matches(value, actual)
        return bool(inside) if match_type == "FWP_MATCH_EQUAL" else not inside
    if not isinstance(actual, int):
        raise ValueError(f"arbitration model needs an integer for {value['type']} conditions")
    if value["type"] == "FWP_RANGE_TYPE":
        inside = value["low"]["value"] <= actual <= value["high"]["value"]
        return inside if match_type == "FWP_MATCH_RANGE" else not inside
    expected = value.get("value")
    if not isinstance(expected, int):
        raise ValueError(f"arbitration model cannot evaluate {value['type']} conditions")
    comparisons = {
        "FWP_MATCH_EQUAL": actual == expected,
        "FWP_MATCH_NOT_EQUAL": actual != expected,
        "FWP_MATCH_GREATER": actual > expected,
        "FWP_MATCH_LESS": actual < expected,
        "FWP_MATCH_GREATER_OR_EQUAL": actual >= expected,
        "FWP_MATCH_LESS_OR_EQUAL": actual <= expected,
        "FWP_MATCH_FLAGS_ALL_SET": actual & expected == expected,
        "FWP_MATCH_FLAGS_ANY_SET": actual & expected != 0,
        "FWP_MATCH_FLAGS_NONE_SET": actual & expected == 0,
    }
    if match_type not in comparisons:
        raise ValueError(f"arbitration model cannot evaluate {match_type}")
    return comparisons[match_type]


def matches(filter_obj: Obj, packet: Packet) -> bool:
    """WFP condition semantics: conditions on the same field are ORed, different fields ANDed."""
    by_field: dict[str, list[Obj]] = {}
    for condition in filter_obj.get("conditions") or []:
        by_field.setdefault(condition["field_key"], []).append(condition)
    return all(any(_condition_matches(c, packet) for c in group) for group in by_field.values())


@dataclass(frozen=True)
class SublayerDecision:
    sublayer_key: str
    sublayer_weight: int
    filter: Obj


def decide(state: State, layer: str, packet: Mapping[str, Any]) -> list[SublayerDecision]:
    """Which filter decides `packet` at `layer` in each sublayer, highest sublayer first.

    `layer` and the packet's field names may be symbols or GUIDs; packet values are integers.
    Built-in sublayers missing from `state` count with weight 0.
    """
    layer_key = guid_of(layer, "FWPM_LAYER_")
    fields = {
        guid_of(name, "FWPM_CONDITION_"): value if isinstance(value, str) else int(value)
        for name, value in packet.items()
    }
    sublayer_weights = {s["key"]: int(s["weight"]) for s in state.get("sublayers") or []}
    candidates: dict[str, list[Obj]] = {}
    for filter_obj in state.get("filters") or []:
        on_layer = (
            filter_obj["layer_key"] == layer_key and filter_obj["action"]["type"] in TERMINATING
        )
        if on_layer and matches(filter_obj, fields):
            candidates.setdefault(filter_obj["sublayer_key"], []).append(filter_obj)
    decisions = [
        SublayerDecision(key, sublayer_weights.get(key, 0), max(filters, key=effective_weight))
        for key, filters in candidates.items()
    ]
    return sorted(decisions, key=lambda d: -d.sublayer_weight)


def deciding_filter(
    state: State, layer: str, packet: Mapping[str, Any], sublayer_key: str
) -> Obj | None:
    """The filter that decides `packet` inside one sublayer, or None when none matches."""
    for decision in decide(state, layer, packet):
        if decision.sublayer_key == sublayer_key:
            return decision.filter
    return None
