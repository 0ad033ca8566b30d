"""The scoped pre-flight raises exactly what a pre-flight on the whole engine raises.

`engine.preflight` loads only what a plan can meet (its objects, what they reference, what
references what it deletes). Over random hosts (drifted desired objects plus foreign providers,
sublayers, contexts and filters) and random plans (make_plan's plan, then operations dropped,
repeated, reordered, foreign objects deleted, keys in other forms), its outcome must equal that
of `Engine(state).apply_plan(plan)`: the same exception type, code, message and details, or none.
"""

from __future__ import annotations

from typing import Any

import pytest
from ansible_collections.wfp.ipsec.plugins.plugin_utils import catalogue, model
from ansible_collections.wfp.ipsec.plugins.plugin_utils.datacopy import copied
from ansible_collections.wfp.ipsec.plugins.plugin_utils.engine import (
    Engine,
    PlanRefused,
    WfpError,
    preflight,
)
from ansible_collections.wfp.ipsec.plugins.plugin_utils.plan import make_plan
from ansible_collections.wfp.ipsec.plugins.plugin_utils.scenario import expand, provider_key_of
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.unit.core.test_properties import hosts

State = dict[str, Any]
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def outcome(action: Any) -> tuple[str, str, str, dict[str, Any]] | None:
    try:
        action()
    except WfpError as error:
        return type(error).__name__, error.code, str(error), error.details()
    return None


def full_preflight(state: State, plan: dict[str, Any]) -> Any:
    return outcome(lambda: Engine(state).apply_plan(plan, result_fingerprint=False))


def canonical_preflight(state: State, plan: dict[str, Any]) -> Any:
    """The runner's pre-flight: plan made from `state`, its objects canonical."""
    return outcome(lambda: preflight(state, plan, base_verified=True, canonical_plan=True))


def _delete(object_type: str, obj: dict[str, Any]) -> dict[str, Any]:
    return {"op": "delete", "type": object_type, "key": obj["key"], "name": obj.get("name") or ""}


@st.composite
def plans(draw: st.DrawFn) -> tuple[State, dict[str, Any], bool]:
    """(host state, plan, whether every added object is still canonical)."""
    declaration, desired, actual = draw(hosts())
    plan = make_plan(desired, actual, provider_key_of(declaration))
    operations = list(plan["operations"])
    canonical = True
    if operations and draw(st.booleans()):  # drop some (missing references, IN_USE, ...)
        dropped = draw(st.sets(st.integers(0, len(operations) - 1), max_size=3))
        operations = [op for index, op in enumerate(operations) if index not in dropped]
    if operations and draw(st.booleans()):  # repeat one (ALREADY_EXISTS, NOT_FOUND)
        operations.insert(draw(st.integers(0, len(operations))), draw(st.sampled_from(operations)))
    if len(operations) > 1 and draw(st.booleans()):  # reorder
        operations = draw(st.permutations(operations))
    everything = list(model.iter_objects(actual))
    if everything and draw(st.booleans()):  # delete any object, foreign ones included
        object_type, obj = draw(st.sampled_from(everything))
        operations.insert(draw(st.integers(0, len(operations))), _delete(object_type, obj))
    adds = [index for index, op in enumerate(operations) if op["op"] == "add"]
    if adds and draw(st.booleans()):  # an add in another key form (upper-case GUID text)
        index = draw(st.sampled_from(adds))
        obj = copied(operations[index]["object"])
        for field in ("key", "provider_key", "sublayer_key", "provider_context_key"):
            if isinstance(obj.get(field), str):
                obj[field] = obj[field].upper()
        operations[index] = dict(operations[index], key=obj["key"], object=obj)
        canonical = False
    if adds and draw(st.booleans()):  # bad filters: every check of an add, fast path or not
        filters = [i for i in adds if operations[i]["type"] == "filter"]
        for index in draw(st.sets(st.sampled_from(filters), max_size=4)) if filters else ():
            obj = copied(operations[index]["object"])
            draw(BAD_FILTERS)(obj)
            operations[index] = dict(operations[index], key=obj["key"], object=obj)
            canonical = canonical and _is_canonical(obj)
    others = [i for i in adds if operations[i]["type"] in ("sublayer", "provider_context")]
    if others and draw(st.booleans()):  # a non-persistent target: FWP_E_LIFETIME_MISMATCH
        index = draw(st.sampled_from(others))
        obj = dict(operations[index]["object"], flags=[])
        operations[index] = dict(operations[index], object=obj)
    return actual, dict(plan, operations=operations), canonical


def _is_canonical(obj: dict[str, Any]) -> bool:
    """Whether canonicalising `obj` changes nothing (a canonical plan's object)."""
    try:
        return model.canonical("filter", obj) == obj
    except (model.ModelError, KeyError, TypeError, ValueError, AttributeError):
        return False


def _condition(obj: dict[str, Any], **changes: Any) -> None:
    if obj["conditions"]:
        obj["conditions"][0].update(changes)


def _port_range(obj: dict[str, Any], low: int, high: int) -> None:
    """A local-port range condition from `low` to `high` (low > high is malformed)."""
    _condition(
        obj,
        field_key=G["FWPM_CONDITION_IP_LOCAL_PORT"],
        match_type="FWP_MATCH_RANGE",
        value={
            "type": "FWP_RANGE_TYPE",
            "low": {"type": "FWP_UINT16", "value": low},
            "high": {"type": "FWP_UINT16", "value": high},
        },
    )


G = catalogue.GUIDS
FOREIGN_KEY = "5eaf0000-0000-4000-8000-000000000001"
# What object_problems and Engine._check_add refuse in a filter, and text they do not.
BAD_FILTERS = st.sampled_from(
    [
        lambda o: o.update(name="port\x07 bell"),
        lambda o: o.update(name='caf\u00e9 "quoted" \\ name'),  # clean: a false alarm
        lambda o: o.update(description="\x85next line"),
        lambda o: o.update(provider_context_key=catalogue.NULL_GUID),
        lambda o: o.update(key=catalogue.NULL_GUID),
        lambda o: o.update(sublayer_key=catalogue.NULL_GUID),
        lambda o: o.update(provider_key=catalogue.NULL_GUID),
        lambda o: o.update(weight={"type": "FWP_UINT8", "value": 99}),
        lambda o: o.update(weight={"type": "FWP_UINT8", "value": 15}),
        lambda o: o.update(layer_key=FOREIGN_KEY),
        lambda o: o.update(layer_key=G["FWPM_LAYER_IKEEXT_V4"]),
        lambda o: o.update(sublayer_key=FOREIGN_KEY),
        lambda o: o.update(provider_context_key=FOREIGN_KEY),
        lambda o: o.update(provider_key=FOREIGN_KEY),
        lambda o: o.update(flags=sorted({*o["flags"], "FWPM_FILTER_FLAG_BOOTTIME"})),
        lambda o: o.update(flags=[f for f in o["flags"] if f != "FWPM_FILTER_FLAG_PERSISTENT"]),
        lambda o: o["action"].update(
            type="FWP_ACTION_CALLOUT_TERMINATING", callout_key=FOREIGN_KEY
        ),
        lambda o: _condition(o, match_type="FWP_MATCH_PREFIX"),
        lambda o: _condition(o, field_key=FOREIGN_KEY),
        lambda o: _condition(o, field_key=G["FWPM_CONDITION_ALE_APP_ID"]),
        lambda o: _condition(
            o,
            field_key=G["FWPM_CONDITION_IP_LOCAL_PORT"],
            match_type="FWP_MATCH_EQUAL",
            value={"type": "FWP_UINT32", "value": 80},
        ),
        lambda o: _port_range(o, 9, 8),
        lambda o: _port_range(o, 8, 9),
    ]
)


@SETTINGS
@given(plans())
def test_scoped_preflight_raises_what_the_full_engine_raises(
    case: tuple[State, dict[str, Any], bool],
) -> None:
    state, plan, canonical = case
    before = copied(state)
    expected = full_preflight(state, plan)
    assert outcome(lambda: preflight(state, plan)) == expected
    # The runner's call: plan made from this state, objects canonical.
    if canonical:
        assert canonical_preflight(state, plan) == expected
    assert state == before


@SETTINGS
@given(plans())
def test_a_stale_plan_is_refused_like_the_full_engine(
    case: tuple[State, dict[str, Any], bool],
) -> None:
    state, plan, _canonical = case
    stale = dict(plan, base_fingerprint="sha256:" + "0" * 64)
    expected = full_preflight(state, stale)
    assert expected is not None and expected[0] == PlanRefused.__name__
    assert outcome(lambda: preflight(state, stale)) == expected


@settings(max_examples=10, deadline=None)
@given(hosts())
def test_duplicate_keys_fail_like_loading_the_whole_state(
    host: tuple[dict[str, Any], State, State],
) -> None:
    _declaration, desired, actual = host
    actual["filters"].append(copied(actual["filters"][0]))
    provider_key = desired["providers"][0]["key"]
    plan = make_plan(desired, model.empty_state(), provider_key)
    plan["base_fingerprint"] = make_plan(desired, actual, provider_key)["base_fingerprint"]
    expected = full_preflight(actual, plan)
    assert expected is not None and expected[1] == "FWP_E_ALREADY_EXISTS"
    assert outcome(lambda: preflight(actual, plan)) == expected


def test_an_empty_verified_plan_reads_nothing_of_the_state() -> None:
    class Untouchable(dict):  # type: ignore[type-arg]
        def get(self, *args: Any) -> Any:
            raise AssertionError("the pre-flight of an empty plan looked at the state")

        __getitem__ = get

    plan = {"provider_key": "p", "base_fingerprint": "x", "operations": []}
    preflight(Untouchable(), plan, base_verified=True)
    with pytest.raises(AssertionError):
        preflight(Untouchable(), plan)


@pytest.mark.parametrize("mutation", range(len(BAD_FILTERS.elements)))
def test_each_bad_filter_among_many_fails_like_the_full_engine(mutation: int) -> None:
    """A fresh host's plan with every third filter made bad the same way (shapes repeat: the
    fast path's caches meet good and bad filters of one shape)."""
    declaration = {"scenario": {"guaranteed_encryption": {"required_ports": [{"port": 5555}]}}}
    desired = model.canonical_state(expand(declaration))
    plan = make_plan(desired, model.empty_state(), provider_key_of(declaration))
    operations = []
    filters = 0
    for operation in plan["operations"]:
        filters += operation["type"] == "filter"
        if operation["type"] == "filter" and filters % 3 == 0:
            obj = copied(operation["object"])
            BAD_FILTERS.elements[mutation](obj)
            operations.append(dict(operation, key=obj["key"], object=obj))
        else:
            operations.append(operation)
    bad = dict(plan, operations=operations)
    state = model.empty_state()
    expected = full_preflight(state, bad)
    assert outcome(lambda: preflight(state, bad)) == expected
    if all(_is_canonical(op["object"]) for op in operations if op["type"] == "filter"):
        assert canonical_preflight(state, bad) == expected
