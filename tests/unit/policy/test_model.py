"""Canonical form: one spelling per value, so host and declaration compare equal."""

from __future__ import annotations

from typing import Any

import pytest
from ansible_collections.wfp.ipsec.plugins.plugin_utils import model
from ansible_collections.wfp.ipsec.plugins.plugin_utils.catalogue import GUIDS

BASE: dict[str, Any] = {
    "key": "{AAAAAAAA-0000-0000-0000-000000000001}",
    "name": "f",
    "layer_key": "FWPM_LAYER_ALE_AUTH_CONNECT_V4",
    "sublayer_key": "FWPM_SUBLAYER_UNIVERSAL",
    "action": {"type": "FWP_ACTION_PERMIT"},
}


def value(value_type: str, raw: Any) -> dict[str, Any]:
    return model.canonical_value({"type": value_type, "value": raw}, "v")


@pytest.mark.parametrize(
    ("value_type", "raw", "canonical"),
    [
        ("FWP_UINT32", "10.1.2.3", 167838211),
        ("FWP_BYTE_ARRAY16_TYPE", "FE80:0:0:0::1", "fe80::1"),
        ("FWP_V4_ADDR_MASK", "10.1.2.3/8", "10.0.0.0/8"),
        ("FWP_V6_ADDR_MASK", "FD00:0::/8", "fd00::/8"),
        ("FWP_BYTE_BLOB_TYPE", "DE AD-BE EF", "deadbeef"),
        ("FWP_BYTE_ARRAY6_TYPE", "00:11:22:AA:BB:CC".replace(":", ""), "00-11-22-aa-bb-cc"),
        ("FWP_SID", "s-1-5-18", "S-1-5-18"),
    ],
)
def test_values_have_one_spelling(value_type: str, raw: Any, canonical: Any) -> None:
    assert value(value_type, raw) == {"type": value_type, "value": canonical}


@pytest.mark.parametrize(
    ("value_type", "raw"),
    [("FWP_UINT8", 256), ("FWP_UINT16", -1), ("FWP_INT8", 128), ("FWP_UINT8", True)],
)
def test_integer_ranges(value_type: str, raw: Any) -> None:
    with pytest.raises(model.ModelError, match=r"^v\.value: "):
        value(value_type, raw)


def test_range_needs_matching_types() -> None:
    ranged = {
        "type": "FWP_RANGE_TYPE",
        "low": {"type": "FWP_UINT16", "value": 1},
        "high": {"type": "FWP_UINT32", "value": 2},
    }
    with pytest.raises(model.ModelError, match="same type"):
        model.canonical_value(ranged, "v")


def test_filter_is_normalised() -> None:
    condition_a = {
        "field_key": "FWPM_CONDITION_IP_PROTOCOL",
        "value": {"type": "FWP_UINT8", "value": 6},
    }
    condition_b = {
        "field_key": "FWPM_CONDITION_IP_LOCAL_ADDRESS_TYPE",
        "value": {"type": "FWP_UINT8", "value": 1},
    }
    first = model.canonical_filter(
        {**BASE, "conditions": [condition_a, condition_b], "flags": ["FWPM_FILTER_FLAG_PERSISTENT"]}
    )
    second = model.canonical_filter(
        {
            **BASE,
            "conditions": [condition_b, condition_a],
            "flags": ["FWPM_FILTER_FLAG_PERSISTENT"] * 2,
        }
    )
    assert first == second
    assert first["key"] == "aaaaaaaa-0000-0000-0000-000000000001"
    assert first["layer_key"] == GUIDS["FWPM_LAYER_ALE_AUTH_CONNECT_V4"]
    assert first["weight"] == {"type": "FWP_EMPTY"}
    assert first["action"] == {"type": "FWP_ACTION_PERMIT", "callout_key": None}


def test_provider_context_flag_follows_the_key() -> None:
    with_context = model.canonical_filter(
        {**BASE, "provider_context_key": "bbbbbbbb-0000-0000-0000-000000000001"}
    )
    assert with_context["flags"] == ["FWPM_FILTER_FLAG_HAS_PROVIDER_CONTEXT"]
    without = model.canonical_filter({**BASE, "flags": ["FWPM_FILTER_FLAG_HAS_PROVIDER_CONTEXT"]})
    assert without["flags"] == []


def test_empty_raw_context_and_provider_data_read_as_null() -> None:
    filter_obj = model.canonical_filter({**BASE, "raw_context": 0, "provider_data": ""})
    assert filter_obj["raw_context"] is None and filter_obj["provider_data"] is None


def test_errors_name_the_field() -> None:
    with pytest.raises(model.ModelError) as caught:
        model.canonical_filter(
            {
                **BASE,
                "action": {
                    "type": "FWP_ACTION_PERMIT",
                    "callout_key": "FWPM_CALLOUT_IPSEC_ALE_CONNECT_V4",
                },
            },
            "objects.filters[2]",
        )
    assert caught.value.path == "objects.filters[2].action.callout_key"
    with pytest.raises(model.ModelError) as caught:
        model.canonical_filter({**BASE, "flags": ["FWPM_FILTER_FLAG_SHINY"]}, "f")
    assert caught.value.path == "f.flags[0]"


def test_fingerprint_ignores_runtime_and_order() -> None:
    first = model.canonical_filter(BASE)
    second = model.canonical_filter({**BASE, "key": "aaaaaaaa-0000-0000-0000-000000000002"})
    state_a = {**model.empty_state(), "filters": [first, second]}
    state_b = {**model.empty_state(), "filters": [{**second, "runtime": {"filter_id": 9}}, first]}
    assert model.fingerprint(state_a) == model.fingerprint(state_b)
    changed = {**model.empty_state(), "filters": [first, {**second, "name": "g"}]}
    assert model.fingerprint(changed) != model.fingerprint(state_a)
