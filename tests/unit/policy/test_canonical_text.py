"""Which strings of a canonical filter can hold text the host would cut or change.

Canonicalisation writes every string of a filter itself (a GUID, a catalogue symbol, hex, an
address, a MAC address) except the name, the description and the values of the text-typed
conditions (`model.TEXT_VALUE_TYPES`: SIDs, security descriptors, strings). The pre-flight of a
canonical plan checks only those for control characters (engine._CanonicalPlanEngine), so this
must hold for whatever a declaration or a host read holds, separators and whitespace included.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from ansible_collections.wfp.ipsec.plugins.plugin_utils import catalogue, engine, model
from ansible_collections.wfp.ipsec.plugins.plugin_utils.scenario import expand
from ansible_collections.wfp.ipsec.plugins.plugin_utils.scenarios import REGISTRY
from hypothesis import event, given, settings
from hypothesis import strategies as st

from tests.unit.policy.test_scenarios_behaviour import BASE as SCENARIO_BASE

# What the host would refuse, what json and ipaddress treat specially, and separators.
_CONTROL_LIKE = [
    "\x00",
    "\t",
    "\n",
    "\x0b",
    "\x0c",
    "\r",
    "\x1f",
    "\x7f",
    "\x85",
    "\u2028",
    "\ud800",
]
_TRICKY = st.sampled_from([*_CONTROL_LIKE, " ", "\u00a0", "%", ":", "-", "{", "}", "\\", '"'])
characters = st.one_of(_TRICKY, st.characters())
texts = st.lists(characters, max_size=6).map("".join)


@st.composite
def spliced(draw: st.DrawFn, spelling: st.SearchStrategy[str]) -> str:
    """Mostly a valid spelling; now and then one with a tricky character put anywhere in it, or
    any text at all (most of those are refused, and a refused filter tests nothing)."""
    text, choice = draw(spelling), draw(st.integers(0, 19))
    if choice == 18:
        at = draw(st.integers(0, len(text)))
        return text[:at] + draw(_TRICKY) + text[at:]
    return draw(texts) if choice == 19 else text


_SEPARATORS = st.sampled_from(["", "", " ", "-", ":", "\t", "\n", "\r\n", "\x0b", "\x0c"])


@st.composite
def hex_spellings(draw: st.DrawFn, size: int | None = None) -> str:
    """Hex bytes as people write them: in any case, with separators or a line break between."""
    data = draw(st.binary(min_size=size or 0, max_size=size or 6))
    text = ""
    for byte in data:
        digits = f"{byte:02x}"
        text += (digits.upper() if draw(st.booleans()) else digits) + draw(_SEPARATORS)
    return text


guid_texts = st.one_of(
    st.uuids().map(str),
    st.uuids().map(lambda u: "{" + str(u).upper() + "}"),
    st.sampled_from(sorted(catalogue.GUIDS)),
)
layers = st.sampled_from(sorted(s for s in catalogue.GUIDS if s.startswith("FWPM_LAYER_")))
fields = st.sampled_from(sorted(s for s in catalogue.GUIDS if s.startswith("FWPM_CONDITION_")))
addresses6 = st.ip_addresses(v=6).map(str)
zoned = st.tuples(addresses6, st.lists(characters, min_size=1, max_size=6).map("".join)).map(
    "%".join
)  # fe80::1%eth0
networks = st.one_of(
    st.tuples(st.ip_addresses(v=4).map(str), st.integers(0, 32)),
    st.tuples(st.one_of(addresses6, zoned), st.integers(0, 128)),
).map(lambda pair: f"{pair[0]}/{pair[1]}")

RAW_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "FWP_UINT8": st.integers(0, 255),
    "FWP_UINT16": st.integers(0, 65535),
    "FWP_UINT32": st.one_of(st.integers(0, 2**32 - 1), spliced(st.ip_addresses(v=4).map(str))),
    "FWP_UINT64": st.integers(0, 2**64 - 1),
    "FWP_BYTE_ARRAY16_TYPE": spliced(st.one_of(addresses6, zoned)),
    "FWP_V4_ADDR_MASK": spliced(networks),
    "FWP_V6_ADDR_MASK": spliced(networks),
    "FWP_BYTE_BLOB_TYPE": spliced(hex_spellings()),
    "FWP_BYTE_ARRAY6_TYPE": spliced(hex_spellings(6)),
    "FWP_SID": texts,
    "FWP_SECURITY_DESCRIPTOR_TYPE": texts,
    "FWP_UNICODE_STRING_TYPE": texts,
}


@st.composite
def typed_values(draw: st.DrawFn) -> dict[str, Any]:
    value_type = draw(st.sampled_from(sorted(RAW_VALUES)))
    if draw(st.integers(0, 4)) == 0:
        low, high = sorted([draw(RAW_VALUES[value_type]), draw(RAW_VALUES[value_type])], key=str)
        return {
            "type": "FWP_RANGE_TYPE",
            "low": {"type": value_type, "value": low},
            "high": {"type": value_type, "value": high},
        }
    return {"type": value_type, "value": draw(RAW_VALUES[value_type])}


raw_filters = st.fixed_dictionaries(
    {
        "key": spliced(guid_texts),
        "name": texts,
        "layer_key": spliced(layers),
        "sublayer_key": spliced(guid_texts),
        "action": st.fixed_dictionaries(
            {"type": st.sampled_from(["FWP_ACTION_PERMIT", "FWP_ACTION_BLOCK"])}
        ),
        "conditions": st.lists(
            st.fixed_dictionaries(
                {"field_key": spliced(fields), "value": typed_values()},
                optional={"match_type": st.sampled_from(sorted(model.MATCH_TYPES.members))},
            ),
            max_size=3,
        ),
    },
    optional={
        "description": texts,
        "provider_key": spliced(guid_texts),
        "provider_context_key": spliced(guid_texts),
        "provider_data": spliced(hex_spellings()),
        "flags": st.lists(
            spliced(st.sampled_from(sorted(catalogue.FILTER_FLAGS.members))), max_size=2
        ),
        "weight": typed_values(),
    },
)


def free_text_fields(obj: dict[str, Any]) -> set[str]:
    """The fields of a canonical filter that hold text as it was declared or read."""
    found = {"name", "description"}
    typed = [("weight", obj["weight"])]
    typed += [(f"conditions[{i}].value", c["value"]) for i, c in enumerate(obj["conditions"])]
    for path, value in typed:
        for part, bound in (
            (path, value),
            (f"{path}.low", value.get("low")),
            (f"{path}.high", value.get("high")),
        ):
            if bound and bound["type"] in model.TEXT_VALUE_TYPES:
                found.add(f"{part}.value")
    return found


@settings(max_examples=600, deadline=None)
@given(raw_filters)
def test_only_free_text_fields_can_hold_refused_characters(raw: dict[str, Any]) -> None:
    try:
        obj = model.canonical("filter", raw)
    except model.ModelError:
        event("refused")
        return
    problems = {field for field, _problem in engine._text_problems(obj, "")}
    assert problems <= free_text_fields(obj)


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_scenario_filters_hold_text_only_where_declared(name: str) -> None:
    desired = model.canonical_state(expand({"scenario": {name: SCENARIO_BASE[name]}}))
    for obj in desired["filters"]:
        for field, value in _strings(obj, ""):
            if field not in free_text_fields(obj) and field != "key":
                assert re.fullmatch(r"[0-9A-Za-z_.:/\-]*", value), (field, value)


def _strings(value: Any, path: str) -> list[tuple[str, str]]:
    if isinstance(value, str):
        return [(path, value)]
    if isinstance(value, dict):
        return [
            found
            for name, item in value.items()
            for found in _strings(item, f"{path}.{name}" if path else name)
        ]
    if isinstance(value, list):
        return [found for i, item in enumerate(value) for found in _strings(item, f"{path}[{i}]")]
    return []


# ---- the spellings that used to keep a character the host would not store ------------------


@pytest.mark.parametrize(
    ("value_type", "raw", "canonical"),
    [
        ("FWP_BYTE_BLOB_TYPE", "de ad\tbe\nef", "deadbeef"),  # a hex dump over lines (YAML |)
        ("FWP_BYTE_BLOB_TYPE", "de:ad:be:ef", "deadbeef"),
        ("FWP_BYTE_ARRAY6_TYPE", "00:11:22:AA:BB:CC", "00-11-22-aa-bb-cc"),
        ("FWP_BYTE_ARRAY6_TYPE", "00-11-22\r\naa-bb-cc", "00-11-22-aa-bb-cc"),
    ],
)
def test_hex_ignores_whitespace_and_separators(value_type: str, raw: str, canonical: str) -> None:
    value = model.canonical_value({"type": value_type, "value": raw}, "v")
    assert value == {"type": value_type, "value": canonical}


def test_provider_data_over_lines_is_plain_hex() -> None:
    raw = {
        "key": str(uuid.uuid4()),
        "layer_key": "FWPM_LAYER_ALE_AUTH_CONNECT_V4",
        "sublayer_key": "FWPM_SUBLAYER_UNIVERSAL",
        "action": {"type": "FWP_ACTION_PERMIT"},
        "provider_data": "0102\n0304\n",
    }
    assert model.canonical("filter", raw)["provider_data"] == "01020304"


@pytest.mark.parametrize(
    ("value_type", "raw"),
    [
        ("FWP_BYTE_ARRAY16_TYPE", "fe80::1%eth0"),
        ("FWP_BYTE_ARRAY16_TYPE", "fe80::1%\n"),
        ("FWP_V6_ADDR_MASK", "fe80::1%12/64"),
    ],
)
def test_an_ipv6_zone_is_refused(value_type: str, raw: str) -> None:
    """A WFP address is 16 bytes: the zone (`%eth0`) would be lost, and the read-back would
    differ from the declaration on every run."""
    with pytest.raises(model.ModelError, match=r"^v\.value: .*zone.*remove") as caught:
        model.canonical_value({"type": value_type, "value": raw}, "v")
    assert "\n" not in str(caught.value)


def test_a_declared_hex_dump_over_lines_is_not_a_control_character() -> None:
    """The declared-shape check refuses control characters in text; in hex, line breaks are
    spelling, and canonicalisation checks the rest."""
    declared = {
        "name": "block one MAC",
        "layer_key": "FWPM_LAYER_ALE_AUTH_CONNECT_V4",
        "action": {"type": "FWP_ACTION_BLOCK"},
        "provider_data": "de ad be ef\n01 02 03 04\n",
        "conditions": [
            {
                "field_key": "FWPM_CONDITION_ALE_APP_ID",
                "value": {"type": "FWP_BYTE_BLOB_TYPE", "value": "00 41\n00 42\n"},
            }
        ],
    }
    assert model.declared_problems("filter", declared, "objects.filters[0]") == []
    named = dict(declared, name="block\none")
    problems = model.declared_problems("filter", named, "objects.filters[0]")
    assert [p.path for p in problems] == ["objects.filters[0].name"]
    listed = dict(declared, provider_data=["de", "ad"])
    problems = model.declared_problems("filter", listed, "objects.filters[0]")
    assert [str(p) for p in problems] == [
        "objects.filters[0].provider_data: expected a string or null, got a list"
    ]


def test_a_typed_value_of_any_shape_gets_a_message() -> None:
    """The hex check reads the value's type: an unhashable one is a shape problem, not a
    traceback (found by tests/unit/fuzz)."""
    declared = {"name": "f", "weight": {"type": [], "value": 4096}}
    problems = model.declared_problems("filter", declared, "objects.filters[0]")
    assert "objects.filters[0].weight.type" in [p.path for p in problems]
