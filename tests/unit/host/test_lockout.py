"""The management-lockout guard (plugin_utils/lockout.py)."""

from __future__ import annotations

import copy
from typing import Any

from ansible_collections.wfp.ipsec.plugins.plugin_utils.catalogue import GUIDS
from ansible_collections.wfp.ipsec.plugins.plugin_utils.lockout import management_lockout_findings

from . import states

INBOUND_LAYERS = {
    GUIDS["FWPM_LAYER_" + layer]
    for layer in (
        "INBOUND_TRANSPORT_V4",
        "INBOUND_TRANSPORT_V6",
        "ALE_AUTH_RECV_ACCEPT_V4",
        "ALE_AUTH_RECV_ACCEPT_V6",
    )
}


def _filters(state: dict[str, Any], layer: str) -> list[dict[str, Any]]:
    return [f for f in state["filters"] if f["layer_key"] == GUIDS[layer]]


def test_guaranteed_encryption_requires_ipsec_for_winrm() -> None:
    _key, desired = states.guaranteed_encryption()
    findings = management_lockout_findings(desired, [5985])
    assert findings and all(
        "TCP port 5985" in f and "allow_management_lockout: true" in f for f in findings
    )
    # The all-unicast inbound callouts (transport and recv-accept, v4 and v6) catch 5985; the
    # port-5555 filters, the ICMP exemptions and the outbound/connect filters do not.
    inbound = [
        f
        for f in desired["filters"]
        if f["layer_key"] in INBOUND_LAYERS
        and f["action"]["type"] == "FWP_ACTION_CALLOUT_TERMINATING"
        and all(c["field_key"] != GUIDS["FWPM_CONDITION_IP_LOCAL_PORT"] for c in f["conditions"])
    ]
    assert len(inbound) == 4 and len(findings) == 4
    assert all(any(f["key"] in finding for finding in findings) for f in inbound)


def test_the_required_port_itself_is_found_at_recv_accept() -> None:
    _key, desired = states.guaranteed_encryption()
    findings = management_lockout_findings(desired, [5555])
    assert any("FWPM_LAYER_ALE_AUTH_RECV_ACCEPT_V4" in f for f in findings)


def test_no_ports_or_no_inbound_callouts_means_no_findings() -> None:
    _key, desired = states.guaranteed_encryption()
    assert management_lockout_findings(desired, []) == []
    outbound_only = copy.deepcopy(desired)
    outbound_only["filters"] = _filters(desired, "FWPM_LAYER_OUTBOUND_TRANSPORT_V4")
    assert management_lockout_findings(outbound_only, [5985, 22]) == []


def test_a_higher_weight_permit_for_the_port_is_an_exemption() -> None:
    _key, desired = states.guaranteed_encryption()
    exempted = copy.deepcopy(desired)
    for enforcing in [f for f in desired["filters"] if f["layer_key"] in INBOUND_LAYERS]:
        exempted["filters"].append(
            {
                "key": enforcing["key"][:-4] + "beef",
                "name": "WinRM exemption",
                "layer_key": enforcing["layer_key"],
                "sublayer_key": enforcing["sublayer_key"],
                "weight": {"type": "FWP_UINT8", "value": 13},
                "conditions": [
                    {
                        "field_key": GUIDS["FWPM_CONDITION_IP_PROTOCOL"],
                        "match_type": "FWP_MATCH_EQUAL",
                        "value": {"type": "FWP_UINT8", "value": 6},
                    },
                    {
                        "field_key": GUIDS["FWPM_CONDITION_IP_LOCAL_PORT"],
                        "match_type": "FWP_MATCH_RANGE",
                        "value": {
                            "type": "FWP_RANGE_TYPE",
                            "low": {"type": "FWP_UINT16", "value": 5985},
                            "high": {"type": "FWP_UINT16", "value": 5986},
                        },
                    },
                ],
                "action": {"type": "FWP_ACTION_PERMIT", "callout_key": None},
            }
        )
    assert management_lockout_findings(exempted, [5985, 5986]) == []
    assert management_lockout_findings(exempted, [22]) != []  # SSH is still enforced
    # The same exemption in another sublayer does not stop our callout.
    elsewhere = copy.deepcopy(exempted)
    for f in elsewhere["filters"]:
        if f["name"] == "WinRM exemption":
            f["sublayer_key"] = GUIDS["FWPM_SUBLAYER_UNIVERSAL"]
    assert management_lockout_findings(elsewhere, [5985]) != []


def test_conditions_that_exclude_the_port_or_tcp_are_respected() -> None:
    _key, desired = states.guaranteed_encryption()
    narrowed = copy.deepcopy(desired)
    for f in narrowed["filters"]:
        f["conditions"] = [
            *f["conditions"],
            {
                "field_key": GUIDS["FWPM_CONDITION_IP_PROTOCOL"],
                "match_type": "FWP_MATCH_EQUAL",
                "value": {"type": "FWP_UINT8", "value": 17},
            },
        ]
    assert management_lockout_findings(narrowed, [5985]) == []
