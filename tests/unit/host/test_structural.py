"""The compiled structural check of host replies rejects exactly what the state schema rejects.

live.py checks every state document a host returns with a checker compiled from
schemas/state.schema.json (structural.py) instead of jsonschema, which took seconds on a real
host's reply. Over hypothesis-mutated replies (a value of another type, a bad GUID, a missing or
unexpected property, an out-of-range number, a repeated flag, ...) at every depth of a rich
state document and of a real netsh dump, it must agree with jsonschema on valid/invalid.
"""

from __future__ import annotations

import gzip
import json
from functools import cache
from typing import Any

import pytest
from ansible_collections.wfp.ipsec.plugins.plugin_utils import live
from ansible_collections.wfp.ipsec.plugins.plugin_utils.datacopy import copied
from ansible_collections.wfp.ipsec.plugins.plugin_utils.netsh import import_dump
from ansible_collections.wfp.ipsec.plugins.plugin_utils.structural import (
    UnsupportedSchemaError,
    colons,
    compile_accept,
    compile_accept_counting,
    compile_schema,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.unit.conftest import shared_path

from . import states

Path = tuple[str | int, ...]
REPLACEMENTS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**65), 2**65),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(
        [
            "",
            "x",
            "0x1f",
            "FWPM_LAYER_IPSEC_V4",
            "not a symbol!",
            "0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0",  # upper-case GUID
            "{0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0}",  # braces
            "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0",
            "hmac-sha256:" + "ab" * 32,
            "abcd",
            "abc",
        ]
    ),
    st.just([]),
    st.just({}),
    st.just({"type": "FWP_UINT8", "value": 300}),
    st.just({"type": "FWP_EMPTY", "value": 1}),
    st.just({"type": "FWP_RANGE_TYPE", "low": {"type": "FWP_UINT8", "value": 1}}),
)


@cache
def documents() -> list[dict[str, Any]]:
    _provider, rich = states.rich()
    dump = shared_path() / "wfp_realdata" / "le_voile__filters.xml"
    real = import_dump(gzip.compress(dump.read_bytes()), dump.name).state
    for list_name in ("provider_contexts", "filters"):  # a sample keeps jsonschema affordable
        real[list_name] = real[list_name][:: max(1, len(real[list_name]) // 25)]
    return [rich, real]


def paths(value: Any, prefix: Path = ()) -> list[Path]:
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += paths(item, (*prefix, index))
    return found


def at(document: Any, path: Path) -> Any:
    for part in path:
        document = document[part]
    return document


@st.composite
def mutated(draw: st.DrawFn) -> Any:
    # Replacements are copied: st.just hands out one shared object, which a later mutation
    # would otherwise change in place (or insert into itself) across examples.
    document = copied(draw(st.sampled_from(documents())))
    for _mutation in range(draw(st.integers(1, 2))):
        all_paths = paths(document)
        path = draw(st.sampled_from(all_paths))
        kind = draw(st.sampled_from(["replace", "delete", "add", "duplicate"]))
        if not path:
            document = copied(draw(REPLACEMENTS)) if kind == "replace" else document
            continue
        parent = at(document, path[:-1])
        last = path[-1]
        if kind == "replace":
            parent[last] = copied(draw(REPLACEMENTS))
        elif kind == "delete":
            del parent[last]
        elif kind == "add" and isinstance(parent, dict):
            member = draw(st.sampled_from(["extra", "key", "value", "type", "flags"]))
            parent[member] = copied(draw(REPLACEMENTS))
        elif isinstance(parent, list):
            parent.append(copied(parent[last]))
    return document


def schema_valid(document: Any) -> bool:
    return not live.state_problems(document)


@settings(max_examples=250, deadline=None, suppress_health_check=list(HealthCheck))
@given(mutated())
def test_the_compiled_check_agrees_with_the_schema(document: Any) -> None:
    valid = schema_valid(document)
    assert (live._state_check()(document) is None) == valid
    assert live._state_accept()(document) == valid  # the generated accepting path
    counted = live._state_accept_counting()(document)  # the same, counting ':' on the way
    assert (counted >= 0) == valid
    if valid:
        assert counted == colons(document)  # the state schema fixes every shape
    if not valid:
        assert live.check_state_document(document)


def test_valid_documents_pass_and_problems_name_the_path() -> None:
    for document in documents():
        assert schema_valid(document)
        assert live.check_state_document(document) == []
        assert live._state_accept_counting()(document) == colons(document) > 0
    _provider, document = states.rich()
    document["filters"][1]["weight"] = {"type": "FWP_UINT8", "value": "7"}
    (problem,) = live.check_state_document(document)
    assert problem.startswith("state.filters[1].weight")


def test_a_key_twice_is_refused_although_the_schema_allows_it() -> None:
    _provider, document = states.rich()
    document["filters"].append(copied(document["filters"][0]))
    assert schema_valid(document)
    (problem,) = live.check_state_document(document)
    assert "appears twice" in problem and problem.startswith("state.filters[")


@pytest.mark.parametrize("keyword", ["format", "propertyNames", "minItems", "dependentRequired"])
def test_a_schema_keyword_it_does_not_implement_is_refused(keyword: str) -> None:
    with pytest.raises(UnsupportedSchemaError):
        compile_schema({"type": "object", keyword: {}})


# Every keyword the checker implements, for the generated accepting path (compile_accept):
# inlined ones (type, enum/const of strings, properties/required/additionalProperties, items,
# pattern, minLength, minimum/maximum, maxProperties, allOf, anyOf, if/then/else, $ref) and
# the ones it hands to the closures (non-string enum, oneOf, not, uniqueItems, a schema for
# additionalProperties, a non-discriminator if).
KEYWORD_SCHEMA: dict[str, Any] = {
    "$defs": {
        "leaf": {"type": "string", "pattern": "^[a-c]+$", "minLength": 2},
        "tree": {
            "type": "object",
            "properties": {"kid": {"$ref": "#/$defs/tree"}, "tag": {"$ref": "#/$defs/leaf"}},
            "additionalProperties": False,
        },
    },
    "type": "object",
    "properties": {
        "kind": {"enum": ["a", "b", 1, None]},  # first: KEYWORD_DOCUMENTS always has it
        "word": {"$ref": "#/$defs/leaf"},
        "tree": {"$ref": "#/$defs/tree"},
        "n": {"type": ["integer", "null"], "minimum": -3, "maximum": 7},
        "x": {"type": "number", "maximum": 2.5},
        "tags": {"type": "array", "items": {"enum": ["a", "b", "c"]}, "uniqueItems": True},
        "one": {"oneOf": [{"type": "integer"}, {"minimum": 0}]},
        "no": {"not": {"type": "string"}},
        "any": {"anyOf": [{"type": "null"}, {"$ref": "#/$defs/leaf"}, {"const": True}]},
        "open": {"additionalProperties": {"type": "integer"}, "maxProperties": 2},
        "all": {"allOf": [{"minLength": 1}, {"pattern": "^a"}]},
        "cond": {
            "if": {"properties": {"t": {"const": "a"}}},
            "then": {"required": ["v"], "properties": {"v": {"type": "integer"}}},
            "else": {"maxProperties": 1},
        },
        "cond2": {"if": {"type": "string"}, "then": {"minLength": 2}, "else": {"type": "array"}},
        # Discriminator ifs on one member, hoisted into one lookup (with an else, a member that
        # is not a string, or absent).
        "disc": {
            "allOf": [
                {"if": {"properties": {"t": {"const": "a"}}}, "then": {"required": ["v"]}},
                {
                    "if": {"properties": {"t": {"enum": ["b", "ab"]}}},
                    "then": {"maxProperties": 1},
                    "else": {"required": ["t"]},
                },
                {"if": {"properties": {"v": {"const": "a"}}}, "then": {"minLength": 9}},
            ]
        },
        # Disjoint ifs without an else: one chain (every then when `t` is absent).
        "disc2": {
            "allOf": [
                {"if": {"properties": {"t": {"const": "a"}}}, "then": {"maxProperties": 1}},
                {
                    "if": {"properties": {"t": {"enum": ["b", "ab"]}}},
                    "then": {"required": ["v"], "properties": {"v": {"type": "integer"}}},
                },
                {"if": {"properties": {"t": {"const": "v"}}}, "then": {"minLength": 2}},
            ]
        },
        # Overlapping ifs: tested one by one.
        "disc3": {
            "allOf": [
                {"if": {"properties": {"t": {"const": "a"}}}, "then": {"required": ["z"]}},
                {"if": {"properties": {"t": {"enum": ["a", "b"]}}}, "then": {"maxProperties": 2}},
            ]
        },
        # Every property required: one comparison of the member names.
        "closed": {
            "type": "object",
            "properties": {"t": {"type": "string"}, "v": {"type": ["integer", "string"]}},
            "required": ["t", "v"],
            "additionalProperties": False,
        },
        "flag": {"const": True},
        "nul": {"enum": [None, False, "a"]},
        "range": {"type": "integer", "minimum": 0, "maximum": 5},
        "num": {"type": "number", "minimum": -1.5},
        "u": {"type": "array", "uniqueItems": True},
        "not2": {"not": {"properties": {"t": {"type": "integer"}}, "required": ["t"]}},
        "guid": {"anyOf": [{"$ref": "#/$defs/leaf"}, {"type": "null"}, {"type": "integer"}]},
        # A type established inside one branch (an anyOf alternative, a then) says nothing after
        # it or in the else.
        "leak1": {
            "anyOf": [{"type": "object"}, {"type": "string", "minLength": 1}],
            "minLength": 3,
        },
        "leak2": {
            "if": {"type": "string"},
            "then": {"type": "object"},
            "else": {"maxProperties": 1},
        },
        "leak3": {"anyOf": [{"type": "array"}, {"type": "object"}], "maxProperties": 1},
    },
    "required": ["kind"],
    "additionalProperties": False,
}
JSON_VALUES = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-5, 9),
        st.floats(-4, 4, allow_nan=False),
        st.sampled_from(
            ["", "a", "ab", "abc", "b", "cab", "ad", "t", "v", "abcabcabca", "a:", ":"]
        ),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(["t", "v", "kid", "tag", "z", "z:"]), inner, max_size=3),
    ),
    max_leaves=8,
)
KEYWORD_DOCUMENTS = st.fixed_dictionaries(
    {"kind": st.sampled_from(["a", 1, None, "c"])},
    optional=dict.fromkeys([*KEYWORD_SCHEMA["properties"], "extra"][1:], JSON_VALUES),
)


@settings(max_examples=500, deadline=None)
@given(st.one_of(KEYWORD_DOCUMENTS, JSON_VALUES))
def test_the_generated_accepting_path_agrees_with_the_closures(document: Any) -> None:
    from jsonschema import Draft202012Validator

    accept = _keyword_accept()
    valid = Draft202012Validator(KEYWORD_SCHEMA).is_valid(document)
    assert (compile_schema(KEYWORD_SCHEMA)(document) is None) == valid
    assert accept(document) == valid
    counted = _keyword_counting()(document)  # never more than the text holds: see strict_json
    assert (counted >= 0) == valid
    if valid:
        assert counted <= colons(document)


@cache
def _keyword_accept() -> Any:
    return compile_accept(KEYWORD_SCHEMA)


@cache
def _keyword_counting() -> Any:
    return compile_accept_counting(KEYWORD_SCHEMA)


@settings(max_examples=300, deadline=None)
@given(JSON_VALUES)
def test_colons_counts_those_of_the_json_text(document: Any) -> None:
    assert colons(document) == json.dumps(document).count(":")


# A type test inside one branch must not be taken for granted after it (regressions: the
# generated code once treated a dict as a string after an anyOf alternative tested for one).
BRANCH_CASES: list[tuple[dict[str, Any], Any]] = [
    ({"anyOf": [{"type": "object"}, {"type": "string", "minLength": 1}], "minLength": 3}, {"a": 1}),
    ({"if": {"type": "string"}, "then": {"type": "object"}, "else": {"maxProperties": 1}}, [1, 2]),
    ({"anyOf": [{"type": "array"}, {"type": "object"}], "maxProperties": 1}, [1, 2]),
    ({"anyOf": [{"type": "string", "minLength": 5}, {"type": "integer"}], "maxProperties": 1}, 7),
    ({"oneOf": [{"type": "object"}, {"type": "string"}], "minLength": 2}, {"a": 1}),
    ({"not": {"type": "string"}, "minLength": 2}, {"a": 1}),
]


@pytest.mark.parametrize(("schema", "document"), BRANCH_CASES, ids=range(len(BRANCH_CASES)))
def test_a_branch_type_does_not_leak(schema: dict[str, Any], document: Any) -> None:
    from jsonschema import Draft202012Validator

    valid = Draft202012Validator(schema).is_valid(document)
    assert (compile_schema(schema)(document) is None) == valid
    assert compile_accept(schema)(document) == valid
    counted = compile_accept_counting(schema)(document)
    assert (counted >= 0) == valid and counted <= colons(document)


def test_a_whole_real_host_reply_is_accepted() -> None:
    dump = shared_path() / "wfp_realdata" / "python_pi_burner__wfpstate.xml.gz"
    state = import_dump(dump).state
    assert len(state["filters"]) > 1000
    assert live._state_accept()(state)
    assert live.check_state_document(state) == []
    text = json.dumps(state, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert live._state_accept_counting()(state) == colons(state) == text.count(":")
