"""The scenario's weights make the seed work, proven with the arbitration model (not by eye)."""

from __future__ import annotations

from typing import Any

import pytest
from ansible_collections.wfp.ipsec.plugins.plugin_utils import arbitration, catalogue
from ansible_collections.wfp.ipsec.plugins.plugin_utils.scenario import expand, sublayer_key_of

REQUIRE_ENCRYPTION = catalogue.CONSTANTS["FWPM_CONTEXT_ALE_SET_CONNECTION_REQUIRE_IPSEC_ENCRYPTION"]
UNICAST = {"FWPM_CONDITION_IP_LOCAL_ADDRESS_TYPE": 1}


@pytest.fixture(scope="module")
def state() -> dict[str, Any]:
    return expand(
        {
            "scenario": {
                "guaranteed_encryption": {
                    "required_ports": [{"port": 5555}, {"port": 53, "protocol": "udp"}]
                }
            }
        }
    )


def _decide(state: dict[str, Any], layer: str, **fields: int) -> dict[str, Any] | None:
    packet = dict(UNICAST)
    packet.update({f"FWPM_CONDITION_{name.upper()}": value for name, value in fields.items()})
    return arbitration.deciding_filter(state, layer, packet, sublayer_key_of({}))


@pytest.mark.parametrize("version", [4, 6])
@pytest.mark.parametrize("layer", ["ALE_AUTH_RECV_ACCEPT", "ALE_AUTH_CONNECT"])
def test_tcp_5555_hits_the_require_encryption_filter(
    state: dict[str, Any], version: int, layer: str
) -> None:
    decided = _decide(state, f"FWPM_LAYER_{layer}_V{version}", ip_protocol=6, ip_local_port=5555)
    assert decided is not None
    assert decided["raw_context"] == REQUIRE_ENCRYPTION
    assert "TCP/5555" in decided["name"]


@pytest.mark.parametrize("version", [4, 6])
def test_udp_53_hits_its_own_require_encryption_filter(state: dict[str, Any], version: int) -> None:
    decided = _decide(
        state, f"FWPM_LAYER_ALE_AUTH_RECV_ACCEPT_V{version}", ip_protocol=17, ip_local_port=53
    )
    assert decided is not None and "UDP/53" in decided["name"]


@pytest.mark.parametrize(("version", "icmp"), [(4, 1), (6, 58)])
@pytest.mark.parametrize(
    "layer", ["INBOUND_TRANSPORT", "OUTBOUND_TRANSPORT", "ALE_AUTH_RECV_ACCEPT"]
)
def test_icmp_hits_the_exemption(
    state: dict[str, Any], version: int, icmp: int, layer: str
) -> None:
    decided = _decide(state, f"FWPM_LAYER_{layer}_V{version}", ip_protocol=icmp, ip_local_port=0)
    assert decided is not None
    assert decided["action"]["type"] == "FWP_ACTION_PERMIT"
    assert "exempt ICMP" in decided["name"]


@pytest.mark.parametrize("version", [4, 6])
@pytest.mark.parametrize(
    ("layer", "callout"),
    [
        ("INBOUND_TRANSPORT", "INBOUND_TRANSPORT"),
        ("OUTBOUND_TRANSPORT", "OUTBOUND_TRANSPORT"),
        ("ALE_AUTH_RECV_ACCEPT", "INBOUND_INITIATE_SECURE"),
    ],
)
def test_other_unicast_hits_the_general_callout(
    state: dict[str, Any], version: int, layer: str, callout: str
) -> None:
    decided = _decide(state, f"FWPM_LAYER_{layer}_V{version}", ip_protocol=6, ip_local_port=443)
    assert decided is not None
    assert (
        decided["action"]["callout_key"]
        == catalogue.GUIDS[f"FWPM_CALLOUT_IPSEC_{callout}_V{version}"]
    )
    assert decided["raw_context"] != REQUIRE_ENCRYPTION


def test_outbound_connections_to_other_ports_are_not_forced(state: dict[str, Any]) -> None:
    assert (
        _decide(state, "FWPM_LAYER_ALE_AUTH_CONNECT_V4", ip_protocol=6, ip_local_port=443) is None
    )


def test_non_unicast_traffic_is_untouched(state: dict[str, Any]) -> None:
    multicast = {"FWPM_CONDITION_IP_LOCAL_ADDRESS_TYPE": 3, "FWPM_CONDITION_IP_PROTOCOL": 17}
    assert (
        arbitration.deciding_filter(
            state, "FWPM_LAYER_INBOUND_TRANSPORT_V4", multicast, sublayer_key_of({})
        )
        is None
    )


def test_effective_weight_forms() -> None:
    base: dict[str, Any] = {"conditions": [{}, {}]}
    assert arbitration.effective_weight({**base, "weight": {"type": "FWP_UINT64", "value": 7}}) == 7
    ranged = arbitration.effective_weight({**base, "weight": {"type": "FWP_UINT8", "value": 12}})
    assert ranged >> 60 == 12
    assert arbitration.effective_weight({**base, "weight": {"type": "FWP_EMPTY"}}) < 1 << 60
    assert arbitration.effective_weight(
        {**base, "weight": {"type": "FWP_EMPTY"}}
    ) > arbitration.effective_weight({"conditions": [], "weight": {"type": "FWP_EMPTY"}})
    reported = {
        **base,
        "weight": {"type": "FWP_EMPTY"},
        "runtime": {"effective_weight": {"type": "FWP_UINT64", "value": 99}},
    }
    assert arbitration.effective_weight(reported) == 99


def test_sublayers_are_ordered_by_weight_and_all_evaluated() -> None:
    layer = catalogue.GUIDS["FWPM_LAYER_ALE_AUTH_CONNECT_V4"]

    def block(key: str, sublayer: str) -> dict[str, Any]:
        return {
            "key": key,
            "layer_key": layer,
            "sublayer_key": sublayer,
            "weight": {"type": "FWP_EMPTY"},
            "conditions": [],
            "action": {"type": "FWP_ACTION_BLOCK", "callout_key": None},
        }

    state = {
        "sublayers": [{"key": "low", "weight": 1}, {"key": "high", "weight": 9}],
        "filters": [block("a", "low"), block("b", "high")],
    }
    decisions = arbitration.decide(state, "FWPM_LAYER_ALE_AUTH_CONNECT_V4", {})
    assert [(d.sublayer_key, d.filter["key"]) for d in decisions] == [("high", "b"), ("low", "a")]


def test_or_within_a_field_and_across_fields() -> None:
    protocol = catalogue.GUIDS["FWPM_CONDITION_IP_PROTOCOL"]
    port = catalogue.GUIDS["FWPM_CONDITION_IP_LOCAL_PORT"]
    filter_obj = {
        "conditions": [
            {
                "field_key": protocol,
                "match_type": "FWP_MATCH_EQUAL",
                "value": {"type": "FWP_UINT8", "value": 6},
            },
            {
                "field_key": protocol,
                "match_type": "FWP_MATCH_EQUAL",
                "value": {"type": "FWP_UINT8", "value": 17},
            },
            {
                "field_key": port,
                "match_type": "FWP_MATCH_RANGE",
                "value": {
                    "type": "FWP_RANGE_TYPE",
                    "low": {"type": "FWP_UINT16", "value": 1000},
                    "high": {"type": "FWP_UINT16", "value": 2000},
                },
            },
        ]
    }
    assert arbitration.matches(filter_obj, {protocol: 17, port: 1500})
    assert not arbitration.matches(filter_obj, {protocol: 1, port: 1500})
    assert not arbitration.matches(filter_obj, {protocol: 6, port: 2500})


@pytest.mark.parametrize("version", [4, 6])
@pytest.mark.parametrize(
    "layer", ["INBOUND_TRANSPORT", "OUTBOUND_TRANSPORT", "ALE_AUTH_RECV_ACCEPT"]
)
def test_an_exempt_port_never_reaches_the_ipsec_callouts(version: int, layer: str) -> None:
    state = expand({"scenario": {"guaranteed_encryption": {"exempt_ports": [{"port": 5986}]}}})
    decided = _decide(state, f"FWPM_LAYER_{layer}_V{version}", ip_protocol=6, ip_local_port=5986)
    assert decided is not None
    assert decided["action"]["type"] == "FWP_ACTION_PERMIT"
    assert "exempt TCP/5986" in decided["name"]
    other = _decide(state, f"FWPM_LAYER_{layer}_V{version}", ip_protocol=6, ip_local_port=5985)
    assert other is not None and other["action"]["type"] == "FWP_ACTION_CALLOUT_TERMINATING"
