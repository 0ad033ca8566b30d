"""Shared parts of canonical objects (plugin_utils/frozen.py).

* a shared part refuses every change, and reads, compares, serialises and copies as its value;
* on real hosts' filters, equal parts are one object, and every part below a filter's own
  dict (but its runtime fields) is shared;
* sharing never changes a value: canonical objects made with the table forgotten at every
  entry are equal to those made with it, and random values and conditions canonicalised
  through a table that is forgotten and refilled over and over (so addresses of freed parts
  are reused) are exactly what they describe.
"""

from __future__ import annotations

import copy
import json
import pickle
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from ansible_collections.wfp.ipsec.plugins.plugin_utils import frozen, model
from ansible_collections.wfp.ipsec.plugins.plugin_utils.catalogue import GUIDS
from ansible_collections.wfp.ipsec.plugins.plugin_utils.datacopy import copied
from ansible_collections.wfp.ipsec.plugins.plugin_utils.frozen import FrozenDict, FrozenList
from ansible_collections.wfp.ipsec.plugins.plugin_utils.plan import make_plan
from ansible_collections.wfp.ipsec.plugins.plugin_utils.render import plan_diff
from ansible_collections.wfp.ipsec.plugins.plugin_utils.scenario import expand, provider_key_of
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.unit.netsh.dumps import FILTER_DUMPS, STATE_DUMPS, load

DUMPS = STATE_DUMPS + FILTER_DUMPS
WEIGHT = {"type": "FWP_UINT64", "value": 12345}

DICT_CHANGES: list[Callable[[dict[str, Any]], object]] = [
    lambda d: d.__setitem__("value", 2),
    lambda d: d.__delitem__("value"),
    lambda d: d.update(value=2),
    lambda d: d.setdefault("other", 1),
    lambda d: d.pop("value"),
    lambda d: d.popitem(),
    lambda d: d.clear(),
    lambda d: d.__ior__({"value": 2}),
]
LIST_CHANGES: list[Callable[[list[Any]], object]] = [
    lambda items: items.__setitem__(0, "x"),
    lambda items: items.__setitem__(slice(0, 1), ["x"]),
    lambda items: items.__delitem__(0),
    lambda items: items.append("x"),
    lambda items: items.extend(["x"]),
    lambda items: items.insert(0, "x"),
    lambda items: items.remove("a"),
    lambda items: items.pop(),
    lambda items: items.clear(),
    lambda items: items.sort(),
    lambda items: items.reverse(),
    lambda items: items.__iadd__(["x"]),
    lambda items: items.__imul__(2),
]


@pytest.mark.parametrize("change", DICT_CHANGES)
def test_a_shared_dict_refuses_every_change(change: Callable[[dict[str, Any]], object]) -> None:
    part = frozen.shared_dict(("test", "dict"), {"type": "FWP_UINT8", "value": 1})
    with pytest.raises(TypeError, match="cannot be changed"):
        change(part)
    assert part == {"type": "FWP_UINT8", "value": 1}


@pytest.mark.parametrize("change", LIST_CHANGES)
def test_a_shared_list_refuses_every_change(change: Callable[[list[Any]], object]) -> None:
    part = frozen.shared_list(("test", "list"), ["b", "a"])
    with pytest.raises(TypeError, match="cannot be changed"):
        change(part)
    assert part == ["b", "a"]


def test_a_shared_part_reads_serialises_and_copies_as_its_value() -> None:
    value = frozen.shared_dict(("test", "value"), {"type": "FWP_UINT16", "value": 5985})
    flags = frozen.shared_list(("test", "flags"), ["FWPM_FILTER_FLAG_PERSISTENT"])
    plain = {
        "weight": {"type": "FWP_UINT16", "value": 5985},
        "flags": ["FWPM_FILTER_FLAG_PERSISTENT"],
    }
    document = {"weight": value, "flags": flags}
    assert document == plain and isinstance(value, dict) and isinstance(flags, list)
    assert json.dumps(document, sort_keys=True) == json.dumps(plain, sort_keys=True)
    assert repr(document) == repr(plain)
    # Like a tuple: its own copy, so a change through a deep copy raises too.
    assert copy.copy(value) is value and copy.deepcopy(document)["weight"] is value
    assert pickle.loads(pickle.dumps(document)) == plain
    # Derived values are plain and free to change.
    for derived in (dict(value), copied(value), {**value}, value.copy()):
        assert not isinstance(derived, FrozenDict)
        derived["value"] = 1
    for items in (copied(document)["flags"], list(flags)):
        assert not isinstance(items, FrozenList)
        items.append("x")
    assert value == {"type": "FWP_UINT16", "value": 5985}


def _filters() -> Iterator[dict[str, Any]]:
    for name in DUMPS:
        yield from model.canonical_state(load(name).state)["filters"]


def _parts(obj: Any, path: str = "$") -> Iterator[tuple[str, Any]]:
    """Every dict and list below `obj` (not `obj` itself), with its path."""
    members = obj.items() if isinstance(obj, dict) else enumerate(obj)
    for name, member in members:
        if isinstance(member, dict | list):
            yield f"{path}.{name}", member
            yield from _parts(member, f"{path}.{name}")


def test_every_part_of_a_real_hosts_canonical_filter_is_shared() -> None:
    count = 0
    for obj in _filters():
        for path, part in _parts({k: v for k, v in obj.items() if k != model.RUNTIME_KEY}):
            assert isinstance(part, FrozenDict | FrozenList), (obj["key"], path)
            count += 1
        runtime = obj.get(model.RUNTIME_KEY)
        if runtime and "effective_weight" in runtime:
            assert not isinstance(runtime, FrozenDict)  # the filter's own, free to change
            assert isinstance(runtime["effective_weight"], FrozenDict)
    assert count > 10_000


def test_equal_parts_of_real_hosts_filters_are_one_object() -> None:
    by_value: dict[str, set[int]] = {}
    parts = 0
    for obj in _filters():
        for _path, part in _parts({k: v for k, v in obj.items() if k != model.RUNTIME_KEY}):
            if part:  # no flags and no conditions: two empty lists, of their own kinds
                by_value.setdefault(json.dumps(part, sort_keys=True), set()).add(id(part))
                parts += 1
    assert all(len(ids) == 1 for ids in by_value.values())
    # What sharing saves on these hosts: about one part object in ten is distinct.
    assert len(by_value) * 5 < parts


def test_forgetting_the_table_changes_no_value() -> None:
    for name in DUMPS:
        state = load(name).state
        shared = model.canonical_state(state)
        alone = model.empty_state()
        for object_type, list_name in model.LIST_NAMES.items():
            for obj in state.get(list_name) or []:
                frozen.forget()
                alone[list_name].append(model.canonical(object_type, obj))
            alone[list_name].sort(key=lambda o: o["key"])
        assert json.dumps(alone, sort_keys=True) == json.dumps(shared, sort_keys=True)


def test_a_plan_diff_of_shared_parts_is_written() -> None:
    declaration = {"scenario": {"guaranteed_encryption": {}}}
    desired = model.canonical_state(expand(declaration))
    target = next(f for f in desired["filters"] if f["weight"]["type"] == "FWP_UINT64")
    actual = dict(
        desired, filters=[dict(f, weight=WEIGHT) if f is target else f for f in desired["filters"]]
    )
    the_plan = make_plan(desired, actual, provider_key_of(declaration))
    assert [(o["op"], o["key"]) for o in the_plan["operations"]] == [
        ("delete", target["key"]),
        ("add", target["key"]),
    ]
    text = json.dumps(plan_diff(the_plan, desired, actual))
    assert "12345" in text and target["name"] in text


INTEGER_VALUES = st.sampled_from(sorted(model.INTEGER_TYPES)).flatmap(
    lambda value_type: st.tuples(
        st.just(value_type),
        st.integers(*model.integer_domain(value_type)),
    )
)
CONDITION_FIELDS = sorted(v for k, v in GUIDS.items() if k.startswith("FWPM_CONDITION_"))[:40]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(CONDITION_FIELDS),
            st.sampled_from(["FWP_MATCH_EQUAL", "FWP_MATCH_GREATER", "FWP_MATCH_NOT_EQUAL"]),
            INTEGER_VALUES,
            st.booleans(),
        ),
        min_size=1,
        max_size=30,
    ),
    st.integers(1, 6),
)
def test_sharing_never_changes_a_value(
    conditions: list[tuple[str, str, tuple[str, int], bool]], limit: int
) -> None:
    saved = frozen.LIMIT
    # Forgotten every few entries: what only the table held is freed at once (no cycles), and
    # the next parts are made at the same addresses.
    frozen.LIMIT = limit  # type: ignore[misc]
    try:
        for field_key, match_type, (value_type, value), as_range in conditions:
            typed = {"type": value_type, "value": value}
            raw = {"type": "FWP_RANGE_TYPE", "low": typed, "high": typed} if as_range else typed
            made = model.canonical_condition(
                {"field_key": field_key, "match_type": match_type, "value": raw}, "condition"
            )
            assert json.dumps(made) == json.dumps(
                {"field_key": field_key, "match_type": match_type, "value": raw}
            )
    finally:
        frozen.LIMIT = saved  # type: ignore[misc]
        frozen.forget()


def test_a_runtime_weight_of_true_is_not_the_part_of_one() -> None:
    one = model.canonical_value({"type": "FWP_UINT64", "value": 1}, "weight")
    obj = model.canonical_provider(
        {
            "key": "11111111-2222-3333-4444-555555555555",
            "runtime": {"effective_weight": {"type": "FWP_UINT64", "value": True}},
        }
    )
    assert obj["runtime"]["effective_weight"]["value"] is True
    assert obj["runtime"]["effective_weight"] is not one
