"""The scoped pre-flight raises exactly what a pre-flight on the whole engine raises.

`engine.preflight` loads only what a plan can meet (its objects, what they reference, what
references what it deletes). Over random hosts (drifted desired objects plus foreign providers,
sublayers, contexts and filters) and random plans (make_plan's plan, then operations dropped,
repeated, reordered, foreign objects deleted, keys in other forms), its outcome must equal that
of `Engine(state).apply_plan(plan)`: the same exception type, code, message and details, or none.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from ansible_collections.wfp.ipsec.plugins.plugin_utils import model
from ansible_collections.wfp.ipsec.plugins.plugin_utils.engine import (
    Engine,
    PlanRefused,
    WfpError,
    preflight,
)
from ansible_collections.wfp.ipsec.plugins.plugin_utils.plan import make_plan
from ansible_collections.wfp.ipsec.plugins.plugin_utils.scenario import provider_key_of
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
        obj = copy.deepcopy(operations[index]["object"])
        for field in ("key", "provider_key", "sublayer_key", "provider_context_key"):
            if isinstance(obj.get(field), str):
                obj[field] = obj[field].upper()
        operations[index] = dict(operations[index], key=obj["key"], object=obj)
        canonical = False
    return actual, dict(plan, operations=operations), canonical


@SETTINGS
@given(plans())
def test_scoped_preflight_raises_what_the_full_engine_raises(
    case: tuple[State, dict[str, Any], bool],
) -> None:
    state, plan, canonical = case
    before = copy.deepcopy(state)
    expected = full_preflight(state, plan)
    assert outcome(lambda: preflight(state, plan)) == expected
    # The runner's call: plan made from this state, objects canonical.
    if canonical:
        assert outcome(lambda: preflight(state, plan, base_verified=True, canonical_plan=True)) == (
            expected
        )
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
    actual["filters"].append(copy.deepcopy(actual["filters"][0]))
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
