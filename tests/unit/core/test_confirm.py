"""Commit confirmed on the engine model: reboot, tentative apply, confirm, rollback
(plugin_utils/confirm.py, Engine.reboot; docs/commit-confirmed.md)."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from ansible_collections.wfp.ipsec.plugins.plugin_utils import confirm as cc
from ansible_collections.wfp.ipsec.plugins.plugin_utils.engine import Engine, WfpError
from ansible_collections.wfp.ipsec.plugins.plugin_utils.model import (
    PERSISTENT_FLAG,
    RUNTIME_KEY,
    canonical,
    fingerprint,
    iter_objects,
    owned_state,
)
from ansible_collections.wfp.ipsec.plugins.plugin_utils.plan import make_plan
from ansible_collections.wfp.ipsec.plugins.plugin_utils.runner import desired_state
from ansible_collections.wfp.ipsec.plugins.plugin_utils.scenario import provider_key_of
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.unit.core.builders import basic_objects, basic_state, filter_

POLICY = {"scenario": {"guaranteed_encryption": {"required_ports": [{"port": 5555}]}}}
CHANGED = {"scenario": {"guaranteed_encryption": {"required_ports": [{"port": 6000}]}}}
PK = provider_key_of(POLICY)
NOW = 1_000_000.0


def persistent_objects(state: dict[str, Any]) -> set[str]:
    return {
        obj["key"]
        for list_name, object_type in (
            ("providers", "provider"),
            ("sublayers", "sublayer"),
            ("provider_contexts", "provider_context"),
            ("filters", "filter"),
        )
        for obj in state[list_name]
        if PERSISTENT_FLAG[object_type] in obj["flags"]
    }


def without_runtime(obj: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in obj.items() if key != RUNTIME_KEY}


def converge(engine: Engine, declaration: dict[str, Any]) -> dict[str, Any]:
    """Plan `declaration` against the engine and apply it tentatively; returns the record."""
    plan = make_plan(desired_state(declaration), engine.owned(PK), PK)
    _result, pending = cc.apply_tentative(engine, plan, 120, NOW)
    return pending


# ---- reboot ---------------------------------------------------------------------------------


def test_reboot_keeps_persistent_objects_and_drops_the_rest() -> None:
    doc = basic_state()
    static = basic_objects("static", persistent=False)
    for name, obj in static.items():
        doc[
            {"provider": "providers", "sublayer": "sublayers", "context": "provider_contexts"}.get(
                name, "filters"
            )
        ].append(obj)
    engine = Engine(doc)
    dropped = engine.reboot()
    assert {key for _type, key in dropped} == {obj["key"] for obj in static.values()}
    assert fingerprint(engine.owned(basic_objects()["provider"]["key"])) == fingerprint(
        owned_state(basic_state(), basic_objects()["provider"]["key"])
    )


def test_reboot_drops_what_references_a_dropped_object() -> None:
    ours = basic_objects()
    doc = basic_state()
    static_sublayer = {**copy.deepcopy(ours["sublayer"]), "key": ours["sublayer"]["key"][:-1] + "0"}
    static_sublayer["flags"] = []
    # A static filter in a static sublayer: both vanish; the persistent ones stay.
    doc["sublayers"].append(static_sublayer)
    doc["filters"].append(
        filter_("static filter", ours["provider"], static_sublayer["key"], persistent=False)
    )
    engine = Engine(doc)
    assert len(engine.reboot()) == 2
    assert engine.count("filter") == 2 and engine.count("sublayer") == 1


def test_reboot_inside_a_transaction_is_refused() -> None:
    engine = Engine(basic_state())
    engine.begin()
    with pytest.raises(WfpError, match="TXN_IN_PROGRESS"):
        engine.reboot()


# ---- the protocol ---------------------------------------------------------------------------


def test_a_tentative_apply_adds_nothing_persistent_and_records_the_previous_state() -> None:
    engine = Engine()
    pending = converge(engine, POLICY)
    owned = engine.owned(PK)
    assert persistent_objects(owned) == set()
    assert len(pending["tentative"]) == sum(len(owned[n]) for n in cc.LIST_NAMES.values())
    assert pending["tentative_fingerprint"] == fingerprint(owned)
    assert pending["deadline"] == NOW + 120 and pending["deadline_utc"].endswith("Z")
    assert all(not pending["snapshot"][n] for n in cc.LIST_NAMES.values())  # empty engine
    assert set(cc.summary(pending)) == set(cc.SUMMARY_KEYS)  # no snapshot in the summary


def test_confirm_makes_the_declared_objects_persistent_and_a_rerun_changes_nothing() -> None:
    engine = Engine()
    pending = converge(engine, POLICY)
    result = cc.confirm(engine, pending, NOW + 5)
    assert result["confirmed"] == len(pending["tentative"])
    desired = desired_state(POLICY)
    assert fingerprint(engine.owned(PK)) == fingerprint(desired)
    assert make_plan(desired, engine.owned(PK), PK)["operations"] == []
    # The view check mode uses for a pending apply is exactly the confirmed state.
    assert fingerprint(cc.confirmed_view(owned_state(desired, PK), pending)) == fingerprint(desired)


def test_confirm_of_a_change_only_touches_the_tentative_objects() -> None:
    engine = Engine()
    cc.confirm(engine, converge(engine, POLICY), NOW)
    before = {obj["key"]: obj for obj in engine.owned(PK)["filters"]}
    pending = converge(engine, CHANGED)
    tentative = {item["key"] for item in pending["tentative"]}
    assert 0 < len(tentative) < len(before)
    # Unchanged objects stay persistent, the re-added ones are not (yet).
    owned = engine.owned(PK)
    unchanged = {key for key in before if key not in tentative} & {
        f["key"] for f in owned["filters"]
    }
    assert unchanged and unchanged <= persistent_objects(owned)
    assert not tentative & persistent_objects(owned)
    cc.confirm(engine, pending, NOW)
    assert fingerprint(engine.owned(PK)) == fingerprint(desired_state(CHANGED))


def test_restore_brings_the_previous_policy_back() -> None:
    engine = Engine()
    cc.confirm(engine, converge(engine, POLICY), NOW)
    previous = fingerprint(engine.owned(PK))
    pending = converge(engine, CHANGED)
    assert cc.restore(engine, pending) is True
    assert fingerprint(engine.owned(PK)) == previous == pending["base_fingerprint"]
    assert cc.restore(engine, pending) is False  # already the previous state


def test_a_reboot_before_the_confirmation_leaves_a_partial_policy_the_startup_restore_heals() -> (
    None
):
    engine = Engine()
    cc.confirm(engine, converge(engine, POLICY), NOW)
    previous = fingerprint(engine.owned(PK))
    pending = converge(engine, CHANGED)
    engine.reboot()
    after_reboot = fingerprint(engine.owned(PK))
    assert after_reboot not in (previous, pending["tentative_fingerprint"])
    with pytest.raises(WfpError, match="no longer the unconfirmed apply"):
        cc.confirm(engine, pending, NOW)
    assert cc.restore(engine, pending) is True
    assert fingerprint(engine.owned(PK)) == previous


def test_a_reboot_of_a_first_apply_leaves_nothing() -> None:
    engine = Engine()
    pending = converge(engine, POLICY)
    engine.reboot()
    assert all(not objs for objs in engine.owned(PK).values() if isinstance(objs, list))
    cc.restore(engine, pending)
    assert fingerprint(engine.owned(PK)) == pending["base_fingerprint"]


def test_confirm_after_the_deadline_is_refused_and_changes_nothing() -> None:
    engine = Engine()
    pending = converge(engine, POLICY)
    before = fingerprint(engine.owned(PK))
    with pytest.raises(WfpError, match="after the deadline") as caught:
        cc.confirm(engine, pending, NOW + 121)
    assert caught.value.code == cc.NOT_PENDING
    assert fingerprint(engine.owned(PK)) == before


def test_absent_is_commit_confirmed_too() -> None:
    engine = Engine()
    cc.confirm(engine, converge(engine, POLICY), NOW)
    previous = fingerprint(engine.owned(PK))
    engine_plan = make_plan(desired_state({"state": "absent"}), engine.owned(PK), PK)
    _result, pending = cc.apply_tentative(engine, engine_plan, 120, NOW)
    plan_objects = engine.owned(PK)
    assert all(not plan_objects[n] for n in cc.LIST_NAMES.values())
    assert pending["tentative"] == []
    assert cc.restore(engine, pending) is True
    assert fingerprint(engine.owned(PK)) == previous


def test_non_persistent_declarations_have_nothing_to_flip() -> None:
    engine = Engine()
    declaration = {**POLICY, "persistent": False}
    pending = converge(engine, declaration)
    assert pending["tentative"] == []
    assert cc.confirm(engine, pending, NOW)["confirmed"] == 0
    assert fingerprint(engine.owned(PK)) == fingerprint(desired_state(declaration))


def test_a_failing_confirm_rolls_its_transaction_back(monkeypatch: pytest.MonkeyPatch) -> None:
    engine = Engine()
    pending = converge(engine, POLICY)
    before = fingerprint(engine.owned(PK))
    calls = {"n": 0}
    original = Engine.add

    def flaky(self: Engine, object_type: str, obj: dict[str, Any], **options: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 5:
            raise WfpError("FWP_E_INVALID_PARAMETER", "injected")
        return original(self, object_type, obj, **options)

    monkeypatch.setattr(Engine, "add", flaky)
    with pytest.raises(WfpError, match="injected"):
        cc.confirm(engine, pending, NOW)
    assert fingerprint(engine.owned(PK)) == before


# ---- properties -------------------------------------------------------------------------------


DECLARATIONS = st.fixed_dictionaries(
    {
        "persistent": st.booleans(),
        "scenario": st.fixed_dictionaries(
            {
                "guaranteed_encryption": st.fixed_dictionaries(
                    {
                        "ip_versions": st.sampled_from([[4], [6], [4, 6]]),
                        "keying_modules": st.sampled_from([["ike"], ["authip"], ["authip", "ike"]]),
                        "icmp_exemption": st.booleans(),
                        "required_ports": st.lists(
                            st.builds(lambda p: {"port": p}, st.integers(5000, 5010)),
                            max_size=2,
                            unique_by=lambda p: p["port"],
                        ),
                    }
                )
            }
        ),
    }
)


@settings(deadline=None, max_examples=40)
@given(first=DECLARATIONS, second=DECLARATIONS, rollback=st.booleans(), reboot=st.booleans())
def test_confirmed_equals_a_direct_apply_and_rollback_equals_the_previous_state(
    first: dict[str, Any], second: dict[str, Any], rollback: bool, reboot: bool
) -> None:
    engine = Engine()
    cc.confirm(engine, converge(engine, first), NOW)
    previous = fingerprint(engine.owned(PK))
    pending = converge(engine, second)
    if reboot:
        engine.reboot()
    if rollback or reboot:
        cc.restore(engine, pending)
        assert fingerprint(engine.owned(PK)) == previous
    else:
        cc.confirm(engine, pending, NOW)
        assert fingerprint(engine.owned(PK)) == fingerprint(desired_state(second))
        assert make_plan(desired_state(second), engine.owned(PK), PK)["operations"] == []
    # The confirmation re-adds the engine's own objects without canonicalising them again:
    # what it stores is canonical all the same.
    for object_type, obj in iter_objects(engine.state()):
        assert without_runtime(obj) == without_runtime(canonical(object_type, obj))


def test_pre_shared_keys_survive_confirm_and_restore() -> None:
    psk = {
        "scenario": {
            "guaranteed_encryption": {
                "keying_modules": ["ike"],
                "main_mode": {"authentication": [{"method": "preshared_key", "key": "k-1"}]},
            }
        }
    }
    other = copy.deepcopy(psk)
    other["scenario"]["guaranteed_encryption"]["main_mode"]["authentication"][0]["key"] = "k-2"
    engine = Engine()
    cc.confirm(engine, converge(engine, psk), NOW)
    previous = fingerprint(engine.owned(PK))
    assert previous == fingerprint(desired_state(psk))
    pending = converge(engine, other)
    assert "k-1" not in str(cc.summary(pending))
    cc.restore(engine, pending)
    assert fingerprint(engine.owned(PK)) == previous
    cc.confirm(engine, converge(engine, other), NOW)
    assert fingerprint(engine.owned(PK)) == fingerprint(desired_state(other))
