"""Coverage: does a foreign filter affect all of our filter's traffic, or only part of it?"""

from __future__ import annotations

from typing import Any

from ansible_collections.wfp.ipsec.plugins.plugin_utils.catalogue import GUIDS
from ansible_collections.wfp.ipsec.plugins.plugin_utils.shadow import conditions_cover


def condition(
    field: str, value_type: str, value: Any, match: str = "FWP_MATCH_EQUAL"
) -> dict[str, Any]:
    return {
        "field_key": GUIDS[f"FWPM_CONDITION_{field}"],
        "match_type": match,
        "value": {"type": value_type, "value": value},
    }


UNICAST = condition("IP_LOCAL_ADDRESS_TYPE", "FWP_UINT8", 1)
TCP = condition("IP_PROTOCOL", "FWP_UINT8", 6)
PORT_5555 = condition("IP_LOCAL_PORT", "FWP_UINT16", 5555)
OURS = {"conditions": [UNICAST, TCP, PORT_5555]}


def test_a_broader_filter_covers_ours() -> None:
    assert conditions_cover(OURS, {"conditions": []})
    assert conditions_cover(OURS, {"conditions": [TCP]})
    assert conditions_cover(OURS, {"conditions": [TCP, PORT_5555]})


def test_a_range_or_an_or_group_that_contains_our_value_covers_ours() -> None:
    ports = {
        "type": "FWP_RANGE_TYPE",
        "low": {"type": "FWP_UINT16", "value": 5000},
        "high": {"type": "FWP_UINT16", "value": 6000},
    }
    ranged = {
        "field_key": GUIDS["FWPM_CONDITION_IP_LOCAL_PORT"],
        "match_type": "FWP_MATCH_RANGE",
        "value": ports,
    }
    assert conditions_cover(OURS, {"conditions": [ranged]})
    udp_or_tcp = [
        condition("IP_PROTOCOL", "FWP_UINT8", 17),
        condition("IP_PROTOCOL", "FWP_UINT8", 6),
    ]
    assert conditions_cover(OURS, {"conditions": udp_or_tcp})
    assert conditions_cover(
        OURS, {"conditions": [condition("IP_LOCAL_PORT", "FWP_UINT16", 22, "FWP_MATCH_NOT_EQUAL")]}
    )


def test_a_narrower_filter_covers_only_part_of_ours() -> None:
    app = {
        "field_key": GUIDS["FWPM_CONDITION_ALE_APP_ID"],
        "match_type": "FWP_MATCH_EQUAL",
        "value": {"type": "FWP_BYTE_BLOB_TYPE", "value": "00"},
    }
    assert not conditions_cover(OURS, {"conditions": [TCP, app]})
    address = condition("IP_REMOTE_ADDRESS", "FWP_V4_ADDR_MASK", "10.0.0.0/8")
    assert not conditions_cover(OURS, {"conditions": [address]})
    assert not conditions_cover({"conditions": [UNICAST]}, {"conditions": [TCP]})


def test_a_smaller_range_does_not_cover_a_larger_one() -> None:
    def ports(low: int, high: int) -> dict[str, Any]:
        value = {
            "type": "FWP_RANGE_TYPE",
            "low": {"type": "FWP_UINT16", "value": low},
            "high": {"type": "FWP_UINT16", "value": high},
        }
        return {
            "field_key": GUIDS["FWPM_CONDITION_IP_LOCAL_PORT"],
            "match_type": "FWP_MATCH_RANGE",
            "value": value,
        }

    assert not conditions_cover(
        {"conditions": [ports(1000, 2000)]}, {"conditions": [ports(1500, 3000)]}
    )
    assert conditions_cover(
        {"conditions": [ports(1000, 2000)]}, {"conditions": [ports(900, 1499), ports(1500, 2100)]}
    )
