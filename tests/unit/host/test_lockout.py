"""The management-lockout guard (plugin_utils/lockout.py)."""

from __future__ import annotations

import copy
from typing import Any

from ansible_collections.wfp.ipsec.plugins.plugin_utils.catalogue import GUIDS
from ansible_collections.wfp.ipsec.plugins.plugin_utils.lockout import (
    MAX_DETAIL_FINDINGS,
    MAX_SHOWN_FINDINGS,
    lockout_check,
    management_lockout_findings,
)

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


GUARDED_LAYERS = INBOUND_LAYERS | {
    GUIDS["FWPM_LAYER_" + layer] for layer in ("OUTBOUND_TRANSPORT_V4", "OUTBOUND_TRANSPORT_V6")
}


def _message(desired: dict[str, Any], ports: list[int]) -> str | None:
    checked = lockout_check(desired, ports)
    return checked[0] if checked else None


def test_guaranteed_encryption_requires_ipsec_for_winrm() -> None:
    _key, desired = states.guaranteed_encryption()
    findings = management_lockout_findings(desired, [5985])
    assert findings and all(f.startswith("TCP port 5985: filter ") for f in findings)
    refusal = _message(desired, [5985, 5986])
    assert refusal is not None and "exempt_ports: [{port: 5985}, {port: 5986}]" in refusal
    assert refusal.count("allow_management_lockout: true") == 1
    assert lockout_check(desired, []) is None
    # The all-unicast callouts (inbound transport, recv-accept and outbound transport, v4 and
    # v6) catch 5985; the port-5555 filters and the ICMP exemptions do not.
    catching = [
        f
        for f in desired["filters"]
        if f["layer_key"] in GUARDED_LAYERS
        and f["action"]["type"] == "FWP_ACTION_CALLOUT_TERMINATING"
        and all(c["field_key"] != GUIDS["FWPM_CONDITION_IP_LOCAL_PORT"] for c in f["conditions"])
    ]
    assert len(catching) == 6 and len(findings) == 6
    assert all(any(f["key"] in finding for finding in findings) for f in catching)
    assert sum("outbound (replies)" in f for f in findings) == 2


def test_the_required_port_itself_is_found_at_recv_accept() -> None:
    _key, desired = states.guaranteed_encryption()
    findings = management_lockout_findings(desired, [5555])
    assert any("FWPM_LAYER_ALE_AUTH_RECV_ACCEPT_V4" in f for f in findings)


def test_no_ports_or_no_guarded_layers_means_no_findings() -> None:
    _key, desired = states.guaranteed_encryption()
    assert management_lockout_findings(desired, []) == []
    policy_only = copy.deepcopy(desired)
    policy_only["filters"] = _filters(desired, "FWPM_LAYER_IKEEXT_V4")
    assert management_lockout_findings(policy_only, [5985, 22]) == []


def test_an_outbound_transport_callout_holds_the_management_replies() -> None:
    """WinRM replies leave the host from local port 5985: a callout there cuts them too."""
    _key, desired = states.guaranteed_encryption()
    outbound_only = copy.deepcopy(desired)
    outbound_only["filters"] = _filters(desired, "FWPM_LAYER_OUTBOUND_TRANSPORT_V4")
    findings = management_lockout_findings(outbound_only, [5985])
    assert len(findings) == 1 and "OUTBOUND_TRANSPORT_V4" in findings[0]
    assert "outbound (replies)" in findings[0]


def test_ale_connect_callouts_with_the_management_local_port_are_found() -> None:
    _key, desired = states.guaranteed_encryption(
        scenario={"guaranteed_encryption": {"required_ports": [{"port": 5986}]}}
    )
    connect = _filters(desired, "FWPM_LAYER_ALE_AUTH_CONNECT_V4")
    assert connect
    findings = management_lockout_findings({"filters": connect}, [5986])
    assert len(findings) == 1 and "ALE_AUTH_CONNECT_V4" in findings[0]


def test_a_higher_weight_permit_for_the_port_is_an_exemption() -> None:
    _key, desired = states.guaranteed_encryption()
    exempted = copy.deepcopy(desired)
    for enforcing in [f for f in desired["filters"] if f["layer_key"] in GUARDED_LAYERS]:
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


def _exempted_state(**changes: Any) -> dict[str, Any]:
    """The scenario with 5985 exempted by the scenario itself, then each exemption changed."""
    _key, desired = states.guaranteed_encryption(
        scenario={"guaranteed_encryption": {"exempt_ports": [{"port": 5985}]}}
    )
    for f in desired["filters"]:
        if "exempt TCP/5985" in f["name"]:
            f.update(copy.deepcopy(changes))
    return desired


REMOTE_ADDRESS = {
    "field_key": GUIDS["FWPM_CONDITION_IP_REMOTE_ADDRESS"],
    "match_type": "FWP_MATCH_EQUAL",
    "value": {"type": "FWP_UINT32", "value": 0x0A000001},
}


def test_the_scenario_exemption_covers_both_directions() -> None:
    assert management_lockout_findings(_exempted_state(), [5985]) == []
    assert management_lockout_findings(_exempted_state(), [5986]) != []


def test_a_permit_narrowed_to_one_remote_address_is_no_exemption() -> None:
    desired = _exempted_state()
    for f in desired["filters"]:
        if "exempt TCP/5985" in f["name"]:
            f["conditions"] = [*f["conditions"], REMOTE_ADDRESS]
    assert len(management_lockout_findings(desired, [5985])) == 6


def _with_port_condition(obj: dict[str, Any], **changes: Any) -> list[dict[str, Any]]:
    """The filter's conditions with its local-port condition changed (conditions are shared
    parts of canonical objects: derived, not changed in place)."""
    return [
        dict(condition, **changes)
        if condition["field_key"] == GUIDS["FWPM_CONDITION_IP_LOCAL_PORT"]
        else condition
        for condition in obj["conditions"]
    ]


def test_a_flags_match_is_no_exemption() -> None:
    desired = _exempted_state()
    for f in desired["filters"]:
        if "exempt TCP/5985" in f["name"]:
            f["conditions"] = _with_port_condition(f, match_type="FWP_MATCH_FLAGS_ALL_SET")
    assert len(management_lockout_findings(desired, [5985])) == 6


def test_a_disabled_permit_is_no_exemption() -> None:
    desired = _exempted_state()
    for f in desired["filters"]:
        if "exempt TCP/5985" in f["name"]:
            f["flags"] = [*f["flags"], "FWPM_FILTER_FLAG_DISABLED"]
    assert len(management_lockout_findings(desired, [5985])) == 6


def test_an_unevaluable_port_condition_is_no_exemption() -> None:
    desired = _exempted_state()
    for f in desired["filters"]:
        if "exempt TCP/5985" in f["name"]:
            f["conditions"] = _with_port_condition(
                f, value={"type": "FWP_BYTE_BLOB_TYPE", "value": "00"}
            )
    assert len(management_lockout_findings(desired, [5985])) == 6


def test_a_block_and_an_unknown_terminating_callout_count_against_the_policy() -> None:
    layer = GUIDS["FWPM_LAYER_ALE_AUTH_RECV_ACCEPT_V4"]
    block = {
        "key": "00000000-0000-0000-0000-00000000000b",
        "name": "block all inbound",
        "layer_key": layer,
        "sublayer_key": GUIDS["FWPM_SUBLAYER_UNIVERSAL"],
        "weight": {"type": "FWP_EMPTY"},
        "flags": [],
        "conditions": [],
        "action": {"type": "FWP_ACTION_BLOCK", "callout_key": None},
    }
    unknown = {
        **block,
        "key": "00000000-0000-0000-0000-00000000000c",
        "name": "third-party callout",
        "action": {
            "type": "FWP_ACTION_CALLOUT_TERMINATING",
            "callout_key": "11111111-2222-3333-4444-555555555555",
        },
    }
    inspection = {
        **unknown,
        "key": "00000000-0000-0000-0000-00000000000d",
        "action": {**unknown["action"], "type": "FWP_ACTION_CALLOUT_INSPECTION"},
    }
    findings = management_lockout_findings({"filters": [block, unknown, inspection]}, [22])
    assert len(findings) == 2
    assert "blocks" in findings[0] and "cannot evaluate" in findings[1]
    disabled = {**block, "flags": ["FWPM_FILTER_FLAG_DISABLED"]}
    assert management_lockout_findings({"filters": [disabled]}, [22]) == []


def test_enforcing_filters_with_unknown_conditions_are_assumed_to_match() -> None:
    _key, desired = states.guaranteed_encryption()
    narrowed = copy.deepcopy(desired)
    for f in narrowed["filters"]:
        f["conditions"] = [*f["conditions"], REMOTE_ADDRESS]
    assert len(management_lockout_findings(narrowed, [5985])) == 6


def test_a_refusal_for_every_port_stays_readable() -> None:
    """`management_ports: [1-65535]` meets every filter on every port (here 1-4000): the
    message shows the first findings, counts the rest, and suggests the exemption as one range;
    the result's details keep a bounded list and the count."""
    _key, desired = states.guaranteed_encryption()
    ports = list(range(1, 4001))
    checked = lockout_check(desired, ports)
    assert checked is not None
    refusal, details = checked
    assert len(refusal) < 20_000
    assert refusal.count("TCP port ") == MAX_SHOWN_FINDINGS
    total = len(management_lockout_findings(desired, ports))
    assert f"and {total - MAX_SHOWN_FINDINGS} more findings on 4000 ports" in refusal
    assert "exempt_ports: [{port: 1-4000}]" in refusal
    assert details["lockout_findings"] == total
    assert details["lockout"] == management_lockout_findings(desired, ports)[:MAX_DETAIL_FINDINGS]


def test_runs_of_ports_are_suggested_as_ranges() -> None:
    _key, desired = states.guaranteed_encryption()
    refusal = _message(desired, [22, 5985, 5986, 7000, 7001, 7002])
    assert refusal is not None
    assert "exempt_ports: [{port: 22}, {port: 5985}, {port: 5986}, {port: 7000-7002}]" in refusal
