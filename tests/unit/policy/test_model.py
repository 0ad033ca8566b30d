"""Canonical form: one spelling per value, so host and declaration compare equal."""

from __future__ import annotations

import json
from typing import Any

import pytest
from ansible_collections.wfp.ipsec.plugins.plugin_utils import model
from ansible_collections.wfp.ipsec.plugins.plugin_utils.catalogue import GUIDS
from hypothesis import given, settings
from hypothesis import strategies as st

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


# ---- no silent coercion (issue 8) ------------------------------------------------------------


def test_weight_zero_is_not_empty() -> None:
    with pytest.raises(model.ModelError) as caught:
        model.canonical_filter({**BASE, "weight": 0}, "objects.filters[0]")
    assert caught.value.path == "objects.filters[0].weight"
    zero = {"type": "FWP_UINT64", "value": 0}
    assert model.canonical_filter({**BASE, "weight": zero})["weight"] == zero
    assert model.canonical_filter(BASE)["weight"] == {"type": "FWP_EMPTY"}


def _certificate(root_subjects: Any) -> dict[str, Any]:
    context = {
        "key": "cccccccc-0000-0000-0000-000000000001",
        "name": "mm",
        "type": "FWPM_IPSEC_IKE_MM_CONTEXT",
        "policy": {
            "authentication_methods": [
                {"type": "IKEEXT_CERTIFICATE", "root_subjects": root_subjects}
            ]
        },
    }
    return model.canonical_provider_context(context)


def test_a_single_root_subject_is_one_subject() -> None:
    single = _certificate("CN=Corp Root, O=Corp")
    listed = _certificate(["CN=Corp Root, O=Corp"])
    assert single == listed
    assert single["policy"]["authentication_methods"][0]["root_subjects"] == [
        "CN=Corp Root, O=Corp"
    ]


def test_host_state_stays_tolerant() -> None:
    """Host replies and state files may carry fields this version does not know."""
    assert model.canonical_filter({**BASE, "future_field": 1}) == model.canonical_filter(BASE)


RAW_FILTER = {
    "name": "block smb",
    "layer_key": "FWPM_LAYER_ALE_AUTH_RECV_ACCEPT_V4",
    "action": {"type": "FWP_ACTION_BLOCK"},
}
PORT_445 = {
    "field_key": "FWPM_CONDITION_IP_LOCAL_PORT",
    "value": {"type": "FWP_UINT16", "value": 445},
}


@pytest.mark.parametrize(
    ("raw", "path", "text"),
    [
        (
            {**RAW_FILTER, "conditons": [PORT_445]},
            "f.conditons",
            "did you mean 'conditions'?",
        ),
        (
            {**RAW_FILTER, "conditions": [{**PORT_445, "matchtype": "FWP_MATCH_EQUAL"}]},
            "f.conditions[0].matchtype",
            "did you mean 'match_type'?",
        ),
        (
            {
                **RAW_FILTER,
                "conditions": [{"field_key": "x", "value": {"type": "FWP_UINT16", "valeu": 1}}],
            },
            "f.conditions[0].value.valeu",
            "did you mean 'value'?",
        ),
        ({**RAW_FILTER, "action": {"typ": "FWP_ACTION_BLOCK"}}, "f.action.typ", "'type'"),
        ({**RAW_FILTER, "conditions": PORT_445}, "f.conditions", "expected a list"),
        ({**RAW_FILTER, "weight": 0}, "f.weight", "{type: FWP_UINT64, value: 0}"),
        ({**RAW_FILTER, "name": "smb\x00"}, "f.name", "U+0000"),
        ({**RAW_FILTER, "runtime": {"filter_id": 1}}, "f.runtime", "unknown key"),
    ],
)
def test_declared_filter_shape(raw: dict[str, Any], path: str, text: str) -> None:
    [problem] = model.declared_problems("filter", raw, "f")
    assert problem.path == path
    assert text in problem.message


MM_CONTEXT = {
    "name": "mm",
    "type": "FWPM_IPSEC_IKE_MM_CONTEXT",
    "policy": {
        "authentication_methods": [{"type": "IKEEXT_CERTIFICATE", "root_subjects": "CN=Corp Root"}],
        "proposals": [
            {
                "cipher": "IKEEXT_CIPHER_AES_256",
                "integrity": "IKEEXT_INTEGRITY_SHA_256",
                "max_lifetime_seconds": 28800,
            }
        ],
    },
}


def _with_policy(**changes: Any) -> dict[str, Any]:
    return {**MM_CONTEXT, "policy": {**MM_CONTEXT["policy"], **changes}}


@pytest.mark.parametrize(
    ("raw", "path", "text"),
    [
        (
            _with_policy(proposals=[{"ciphr": "IKEEXT_CIPHER_AES_256"}]),
            "c.policy.proposals[0].ciphr",
            "did you mean 'cipher'?",
        ),
        (
            _with_policy(
                authentication_methods=[{"type": "IKEEXT_KERBEROS", "root_subjects": ["x"]}]
            ),
            "c.policy.authentication_methods[0].root_subjects",
            "valid keys: flags, type",
        ),
        (
            _with_policy(
                authentication_methods=[{"type": "IKEEXT_CERTIFICATE", "root_subjects": [1]}]
            ),
            "c.policy.authentication_methods[0].root_subjects",
            "a string or a list of strings",
        ),
        (
            _with_policy(
                authentication_methods=[{"type": "IKEEXT_CERTIFICATE", "root_subjects": "CN=\x07"}]
            ),
            "c.policy.authentication_methods[0].root_subjects",
            "U+0007",
        ),
        (
            {**MM_CONTEXT, "type": "FWPM_IPSEC_IKEV2_QM_TUNNEL_CONTEXT"},
            "c.type",
            "this collection writes only",
        ),
    ],
)
def test_declared_context_shape(raw: dict[str, Any], path: str, text: str) -> None:
    [problem] = model.declared_problems("provider_context", raw, "c")
    assert problem.path == path
    assert text in problem.message


def test_well_formed_declared_objects_have_no_problems() -> None:
    assert model.declared_problems("filter", {**RAW_FILTER, "conditions": [PORT_445]}, "f") == []
    assert model.declared_problems("provider_context", MM_CONTEXT, "c") == []


@pytest.mark.parametrize("key", [["s3cret-psk"], {"k": "s3cret-psk"}, "s3cret-psk\x00"])
def test_shape_errors_never_show_a_pre_shared_key(key: Any) -> None:
    psk = [{"type": "IKEEXT_PRESHARED_KEY", "key": key}]
    [problem] = model.declared_problems(
        "provider_context", _with_policy(authentication_methods=psk), "c"
    )
    assert problem.path == "c.policy.authentication_methods[0].key"
    assert "s3cret" not in str(problem)


@pytest.mark.parametrize(
    ("field", "value", "text"),
    [
        ("name", 0, "expected a string, got an integer"),
        ("name", None, "expected a string, got null"),
        ("description", ["a"], "expected a string or null, got a list"),
        ("provider_data", 1234, "expected a string or null, got an integer"),
    ],
)
def test_declared_text_fields_are_not_coerced(field: str, value: Any, text: str) -> None:
    problems = model.declared_problems("filter", {**RAW_FILTER, field: value}, "f")
    assert any(p.path == f"f.{field}" and text in p.message for p in problems), problems


# Conditions of random fields, match types and values, with repeats (two ranges of one port
# field, say): the canonical order is (field, match type, value), whatever the input order.
_CONDITION = st.fixed_dictionaries(
    {
        "field_key": st.sampled_from(
            ["FWPM_CONDITION_IP_LOCAL_PORT", "FWPM_CONDITION_IP_PROTOCOL", "FWPM_CONDITION_FLAGS"]
        ),
        "match_type": st.sampled_from(["FWP_MATCH_EQUAL", "FWP_MATCH_NOT_EQUAL"]),
        "value": st.builds(lambda value: {"type": "FWP_UINT16", "value": value}, st.integers(0, 3)),
    }
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_CONDITION, max_size=5))
def test_conditions_are_in_one_order_whatever_the_input(conditions: list[dict[str, Any]]) -> None:
    raw = {
        "key": "11111111-2222-3333-4444-555555555555",
        "layer_key": "FWPM_LAYER_ALE_AUTH_RECV_ACCEPT_V4",
        "sublayer_key": "FWPM_SUBLAYER_UNIVERSAL",
        "action": {"type": "FWP_ACTION_PERMIT"},
        "conditions": conditions,
    }
    made = model.canonical("filter", raw)["conditions"]
    expected = sorted(
        (model.canonical_condition(c, "c") for c in conditions),
        key=lambda c: (c["field_key"], c["match_type"], json.dumps(c["value"], sort_keys=True)),
    )
    assert made == expected
    assert model.canonical("filter", dict(raw, conditions=conditions[::-1]))["conditions"] == made
