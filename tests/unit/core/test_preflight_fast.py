"""The pre-flight's fast paths decide exactly what the reference paths decide.

`_may_hold_control_text` lets `object_problems` skip the exact walk of every string: it may
raise a false alarm (the walk then decides), never miss a character the walk reports.
"""

from __future__ import annotations

from typing import Any

from ansible_collections.wfp.ipsec.plugins.plugin_utils import catalogue, engine
from hypothesis import given, settings
from hypothesis import strategies as st

# Text biased towards the characters the check is about and the escapes json writes.
_TRICKY = st.sampled_from(
    ["\x00", "\x08", "\t", "\n", "\x1f", "\x7f", "\x80", "\x9f", "\ud800", "\udfff", "\\", '"']
)
texts = st.lists(st.one_of(_TRICKY, st.characters()), max_size=6).map("".join)
values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), texts),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(texts, inner, max_size=4)),
    max_leaves=12,
)


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(texts, values, max_size=5))
def test_the_fast_text_check_never_misses_a_problem(obj: dict[str, Any]) -> None:
    if not engine._may_hold_control_text(obj):
        assert list(engine._text_problems(obj, "")) == []


def test_the_fast_text_check_finds_each_refused_character() -> None:
    for character in ["\x00", "\t", "\n", "\x1b", "\x7f", "\x85", "\ud83d"]:
        obj = {"key": "k", "conditions": [{"value": {"value": f"a{character}b"}}]}
        assert engine._may_hold_control_text(obj)
        assert list(engine._text_problems(obj, ""))


def test_clean_canonical_objects_skip_the_walk() -> None:
    obj = {"key": "k", "name": "port 80 (é)", "weight": {"type": "FWP_UINT64", "value": 3}}
    assert not engine._may_hold_control_text(obj)


def test_a_false_alarm_is_decided_by_the_exact_walk() -> None:
    obj = {"key": "k", "name": 'a "quoted" \\ name'}
    assert engine._may_hold_control_text(obj)
    assert engine.object_problems("provider", obj) == []


# Objects with text, and key fields that may hold the all-zero GUID.
_KEYS = st.sampled_from(["k", catalogue.NULL_GUID, catalogue.NULL_GUID.upper(), None])
objects = st.fixed_dictionaries(
    {"key": _KEYS, "provider_key": _KEYS, "sublayer_key": _KEYS, "provider_context_key": _KEYS},
    optional={"name": texts, "conditions": values, "runtime": values},
)


@settings(max_examples=400, deadline=None)
@given(st.lists(objects, max_size=6))
def test_the_bulk_text_and_key_check_never_misses_a_problem(found: list[dict[str, Any]]) -> None:
    operations = [{"op": "add", "type": "provider", "object": obj} for obj in found]
    clean = engine._clean_adds(operations)
    for obj in found:
        if id(obj) in clean:
            codes = {error.code for error in engine.object_problems("provider", obj)}
            assert not codes & {engine.ZERO_KEY, engine.CONTROL_CHARACTER}
            assert list(engine._text_problems(obj, "")) == []


def test_the_bulk_check_tests_a_chunk_with_a_hit_object_by_object() -> None:
    good = [{"key": f"k{index}", "name": "port 80"} for index in range(300)]
    bad = {"key": "b", "name": "bell\x07"}
    zero = {"key": catalogue.NULL_GUID}
    operations = [{"op": "add", "type": "provider", "object": o} for o in [*good, bad, zero]]
    operations.append({"op": "delete", "type": "provider", "key": "x", "object": {"key": "x"}})
    assert engine._clean_adds(operations) == {id(obj) for obj in good}
