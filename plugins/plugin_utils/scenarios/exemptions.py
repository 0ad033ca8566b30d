"""Exemptions: traffic that never reaches our IPsec callouts, as documented filter sets.

Every exemption is a PERMIT filter in the scenario's sublayer, weight range
`FWPM_WEIGHT_RANGE_IKE_EXEMPTIONS` (0xC, Microsoft's "Filter Weight Identifiers": above every
explicit weight we give a callout filter), on the layers where the scenario places a callout.
Inside one sublayer the heaviest matching terminating filter decides ("Filter Arbitration"), so
the exempted traffic is permitted in clear text and our callouts never see it.

* ICMP: the scenario pages' own ICMP exemption (unicast, IPPROTO_ICMP / IPPROTO_ICMPV6).
* IKE/AuthIP: UDP 500 and 4500 (IPv4), UDP 500 (IPv6), as BFE's own exemptions ("IKE/AuthIP
  Exemptions"); at the ALE layers restricted to local system (FWPM_CONDITION_ALE_USER_ID with
  the LocalSystem security descriptor), like BFE's. BFE's filters live in their own sublayer and
  weights only arbitrate inside one sublayer, so ours are what keep IKE away from our callouts.
* DHCP: UDP local port 68 (IPv4 client) / 546 (DHCPv6 client); Windows Firewall's
  FW_GLOBAL_CONFIG_IPSEC_EXEMPT_DHCP ("Exempt both IPv4 and IPv6 DHCP traffic from IPsec").
* DNS: UDP and TCP remote port 53 (queries to DNS servers and their answers).
* Addresses and subnets (domain controllers, ...): FWPM_CONDITION_IP_REMOTE_ADDRESS with an
  FWP_V4_ADDR_MASK / FWP_V6_ADDR_MASK value.
* Chosen ports: unicast, protocol, local port (or FWP_MATCH_RANGE over a port range).
"""

from __future__ import annotations

from typing import Any, Final

from .._catalogue_data import GUIDS
from ..catalogue import value_of
from ..model import Obj
from . import conditions as cond
from .base import PERMIT, Expansion

EXEMPTION_RANGE: Final = value_of("FWPM_WEIGHT_RANGE_IKE_EXEMPTIONS")
IKE_PORTS: Final = {4: (500, 4500), 6: (500,)}
DHCP_CLIENT_PORTS: Final = {4: 68, 6: 546}
DNS_PORT: Final = 53

# Option names of the exemption sets (shared by every scenario) and their defaults.
DEFAULTS: Final[dict[str, Any]] = {
    "icmp_exemption": True,
    "ike_exemption": True,
    "dhcp_exemption": False,
    "dns_exemption": False,
    "exempt_addresses": [],
    "exempt_ports": [],
}


def _permit(
    expansion: Expansion,
    version: int,
    layer: str,
    *,
    logical: str,
    what: str,
    conditions: list[Obj],
) -> None:
    expansion.add_filter(
        version,
        f"{layer}/{logical}",
        f"{cond.LAYER_TITLES[layer]}: exempt {what}",
        layer_key=cond.layer_key(layer, version),
        weight=cond.weight(EXEMPTION_RANGE, ranged=True),
        conditions=conditions,
        action=dict(PERMIT),
    )


def ike(expansion: Expansion, version: int, layers: list[str]) -> None:
    for layer in layers:
        for port in IKE_PORTS[version]:
            conditions = [cond.protocol("udp"), cond.port({"port": port})]
            if layer in cond.ALE_LAYERS:
                conditions.append(cond.local_system())
            _permit(
                expansion,
                version,
                layer,
                logical=f"ike_exemption/udp_{port}",
                what=f"IKE/AuthIP UDP/{port}",
                conditions=conditions,
            )


def add(expansion: Expansion, version: int, layers: list[str], ike_layers: list[str]) -> None:
    """Every exemption set the options ask for, on `layers` (IKE on `ike_layers`)."""
    options = expansion.options
    if options["icmp_exemption"]:
        for layer in layers:
            _permit(
                expansion,
                version,
                layer,
                logical="icmp_exemption",
                what="ICMP",
                conditions=[cond.unicast(), cond.icmp(version)],
            )
    if options["ike_exemption"]:
        ike(expansion, version, ike_layers)
    if options["dhcp_exemption"]:
        dhcp = [cond.protocol("udp"), cond.port({"port": DHCP_CLIENT_PORTS[version]})]
        for layer in layers:
            _permit(
                expansion,
                version,
                layer,
                logical="dhcp_exemption",
                what="DHCP",
                conditions=list(dhcp),
            )
    if options["dns_exemption"]:
        dns = [cond.protocol("udp"), cond.protocol("tcp"), cond.port({"port": DNS_PORT}, "REMOTE")]
        for layer in layers:
            _permit(
                expansion, version, layer, logical="dns_exemption", what="DNS", conditions=list(dns)
            )
    for text in options["exempt_addresses"]:
        address_version, address = cond.remote_network(text)
        if address_version != version:
            continue
        for layer in layers:
            network = address["value"]["value"]
            _permit(
                expansion,
                version,
                layer,
                logical=f"address_exemption/{network}",
                what=network,
                conditions=[address],
            )
    for entry in options["exempt_ports"]:
        for layer in layers:
            _permit(
                expansion,
                version,
                layer,
                logical=f"exemption/{cond.port_label(entry)}",
                what=cond.port_title(entry),
                conditions=cond.port_conditions(entry),
            )


def is_exemption(filter_obj: Obj) -> bool:
    """Whether a filter is an exemption: a PERMIT in the IKE-exemption weight range."""
    weight = filter_obj.get("weight") or {}
    return (
        filter_obj["action"]["type"] == "FWP_ACTION_PERMIT"
        and weight.get("type") == "FWP_UINT8"
        and weight.get("value") == EXEMPTION_RANGE
        and filter_obj["layer_key"] not in _POLICY_LAYERS
    )


_POLICY_LAYERS: Final = frozenset(
    GUIDS[f"FWPM_LAYER_{name}_V{v}"] for name in ("IKEEXT", "IPSEC") for v in (4, 6)
)
