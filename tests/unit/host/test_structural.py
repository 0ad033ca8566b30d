"""The compiled structural check of host replies rejects exactly what the state schema rejects.

live.py checks every state document a host returns with a checker compiled from
schemas/state.schema.json (structural.py) instead of jsonschema, which took seconds on a real
host's reply. Over hypothesis-mutated replies (a value of another type, a bad GUID, a missing or
unexpected property, an out-of-range number, a repeated flag, ...) at every depth of a rich
state document and of a real netsh dump, it must agree with jsonschema on valid/invalid.
"""

from __future__ import annotations

import copy
import gzip
from functools import cache
from typing import Any

import pytest
from ansible_collections.wfp.ipsec.plugins.plugin_utils import live
from ansible_collections.wfp.ipsec.plugins.plugin_utils.netsh import import_dump
from ansible_collections.wfp.ipsec.plugins.plugin_utils.structural import (
    UnsupportedSchemaError,
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
    document = copy.deepcopy(draw(st.sampled_from(documents())))
    for _mutation in range(draw(st.integers(1, 2))):
        all_paths = paths(document)
        path = draw(st.sampled_from(all_paths))
        kind = draw(st.sampled_from(["replace", "delete", "add", "duplicate"]))
        if not path:
            document = draw(REPLACEMENTS) if kind == "replace" else document
            continue
        parent = at(document, path[:-1])
        last = path[-1]
        if kind == "replace":
            parent[last] = draw(REPLACEMENTS)
        elif kind == "delete":
            del parent[last]
        elif kind == "add" and isinstance(parent, dict):
            parent[draw(st.sampled_from(["extra", "key", "value", "type", "flags"]))] = draw(
                REPLACEMENTS
            )
        elif isinstance(parent, list):
            parent.append(copy.deepcopy(parent[last]))
    return document


def schema_valid(document: Any) -> bool:
    return not live.state_problems(document)


@settings(max_examples=250, deadline=None, suppress_health_check=list(HealthCheck))
@given(mutated())
def test_the_compiled_check_agrees_with_the_schema(document: Any) -> None:
    valid = schema_valid(document)
    assert (live._state_check()(document) is None) == valid
    if not valid:
        assert live.check_state_document(document)


def test_valid_documents_pass_and_problems_name_the_path() -> None:
    for document in documents():
        assert schema_valid(document)
        assert live.check_state_document(document) == []
    _provider, document = states.rich()
    document["filters"][1]["weight"] = {"type": "FWP_UINT8", "value": "7"}
    (problem,) = live.check_state_document(document)
    assert problem.startswith("state.filters[1].weight")


def test_a_key_twice_is_refused_although_the_schema_allows_it() -> None:
    _provider, document = states.rich()
    document["filters"].append(copy.deepcopy(document["filters"][0]))
    assert schema_valid(document)
    (problem,) = live.check_state_document(document)
    assert "appears twice" in problem and problem.startswith("state.filters[")


@pytest.mark.parametrize("keyword", ["format", "propertyNames", "minItems", "dependentRequired"])
def test_a_schema_keyword_it_does_not_implement_is_refused(keyword: str) -> None:
    with pytest.raises(UnsupportedSchemaError):
        compile_schema({"type": "object", keyword: {}})
