"""Layers, built-in callouts and filter conditions the scenarios are written in.

Values come from the SDK tables (`catalogue`); the vocabulary follows Microsoft's scenario
pages ("FWPM_CONDITION_IP_LOCAL_ADDRESS_TYPE filtering condition NlatUnicast", ...).
"""

from __future__ import annotations

import ipaddress
from typing import Any, Final

from .._catalogue_data import GUIDS
from ..catalogue import value_of
from ..model import Obj

LAYERS: Final = {
    "ikeext": "FWPM_LAYER_IKEEXT_V{v}",
    "ipsec": "FWPM_LAYER_IPSEC_V{v}",
    "inbound_transport": "FWPM_LAYER_INBOUND_TRANSPORT_V{v}",
    "outbound_transport": "FWPM_LAYER_OUTBOUND_TRANSPORT_V{v}",
    "recv_accept": "FWPM_LAYER_ALE_AUTH_RECV_ACCEPT_V{v}",
    "connect": "FWPM_LAYER_ALE_AUTH_CONNECT_V{v}",
}
# Microsoft's "Built-in Callout Identifiers" for transport-mode IPsec, per layer.
CALLOUTS: Final = {
    "inbound_transport": "FWPM_CALLOUT_IPSEC_INBOUND_TRANSPORT_V{v}",
    "outbound_transport": "FWPM_CALLOUT_IPSEC_OUTBOUND_TRANSPORT_V{v}",
    "recv_accept": "FWPM_CALLOUT_IPSEC_INBOUND_INITIATE_SECURE_V{v}",
    "connect": "FWPM_CALLOUT_IPSEC_ALE_CONNECT_V{v}",
}
LAYER_TITLES: Final = {
    "inbound_transport": "inbound transport",
    "outbound_transport": "outbound transport",
    "recv_accept": "inbound connections",
    "connect": "outbound connections",
}
ALE_LAYERS: Final = frozenset({"recv_accept", "connect"})

IP_PROTOCOLS: Final = {
    "tcp": value_of("IPPROTO_TCP"),
    "udp": value_of("IPPROTO_UDP"),
}
ICMP_PROTOCOL: Final = {4: value_of("IPPROTO_ICMP"), 6: value_of("IPPROTO_ICMPV6")}
NLAT_UNICAST: Final = value_of("NlatUnicast")

# Only the LocalSystem account (SID S-1-5-18, alias SY) matches: the ACE grants
# FWP_ACTRL_MATCH_FILTER (CC) and READ_CONTROL (RC), in the owner/group form Windows' own
# service-restricted filters use (FWPM_CONDITION_ALE_USER_ID "O:SYG:SYD:(A;;CCRC;;;<SID>)" in the
# `netsh wfp show state` dumps under ../shared/wfp_realdata/).
LOCAL_SYSTEM_SDDL: Final = "O:SYG:SYD:(A;;CCRC;;;SY)"


def layer_key(name: str, version: int) -> str:
    return GUIDS[LAYERS[name].format(v=version)]


def callout_key(name: str, version: int) -> str:
    return GUIDS[CALLOUTS[name].format(v=version)]


def condition(field: str, value_type: str, value: Any, match: str = "FWP_MATCH_EQUAL") -> Obj:
    return {
        "field_key": GUIDS[field],
        "match_type": match,
        "value": {"type": value_type, "value": value},
    }


def unicast() -> Obj:
    return condition("FWPM_CONDITION_IP_LOCAL_ADDRESS_TYPE", "FWP_UINT8", NLAT_UNICAST)


def protocol(name: str) -> Obj:
    return condition("FWPM_CONDITION_IP_PROTOCOL", "FWP_UINT8", IP_PROTOCOLS[name])


def icmp(version: int) -> Obj:
    return condition("FWPM_CONDITION_IP_PROTOCOL", "FWP_UINT8", ICMP_PROTOCOL[version])


def port(entry: dict[str, Any], side: str = "LOCAL") -> Obj:
    """A port condition: FWP_MATCH_EQUAL for one port, FWP_MATCH_RANGE for port..port_end."""
    field = f"FWPM_CONDITION_IP_{side}_PORT"
    end = entry.get("port_end")
    if end is None or end == entry["port"]:
        return condition(field, "FWP_UINT16", entry["port"])
    return {
        "field_key": GUIDS[field],
        "match_type": "FWP_MATCH_RANGE",
        "value": {
            "type": "FWP_RANGE_TYPE",
            "low": {"type": "FWP_UINT16", "value": entry["port"]},
            "high": {"type": "FWP_UINT16", "value": end},
        },
    }


def port_label(entry: dict[str, Any]) -> str:
    """`tcp_5555` / `tcp_5000-5100`: the port's part of a logical key."""
    end = entry.get("port_end")
    span = str(entry["port"]) if end is None or end == entry["port"] else f"{entry['port']}-{end}"
    return f"{entry.get('protocol', 'tcp')}_{span}"


def port_title(entry: dict[str, Any]) -> str:
    """`TCP/5555` / `TCP/5000-5100`: the port's part of a filter name."""
    protocol_name, span = port_label(entry).split("_", 1)
    return f"{protocol_name.upper()}/{span}"


def port_conditions(entry: dict[str, Any]) -> list[Obj]:
    """Unicast traffic of one transport protocol on one local port (or port range)."""
    return [unicast(), protocol(entry.get("protocol", "tcp")), port(entry)]


def remote_network(text: str) -> tuple[int, Obj]:
    """(IP version, FWPM_CONDITION_IP_REMOTE_ADDRESS condition) for an address or prefix."""
    network = ipaddress.ip_network(text, strict=False)
    value_type = "FWP_V4_ADDR_MASK" if network.version == 4 else "FWP_V6_ADDR_MASK"
    return network.version, condition("FWPM_CONDITION_IP_REMOTE_ADDRESS", value_type, str(network))


def local_system() -> Obj:
    """Traffic of sockets owned by LocalSystem (the IKEEXT service), for ALE layers."""
    return condition(
        "FWPM_CONDITION_ALE_USER_ID", "FWP_SECURITY_DESCRIPTOR_TYPE", LOCAL_SYSTEM_SDDL
    )


def weight(value: int, ranged: bool = False) -> Obj:
    return {"type": "FWP_UINT8" if ranged else "FWP_UINT64", "value": value}
