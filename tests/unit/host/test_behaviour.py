"""Rung 4: behaviour of the C# host layer under Mono against the fwpuclnt stand-in.

Plans are computed by the real controller code (scenario.expand, plan.make_plan) and applied
through the same PolicyHost methods policy.ps1 calls."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from ansible_collections.wfp.ipsec.plugins.plugin_utils import model, plan, query
from ansible_collections.wfp.ipsec.plugins.plugin_utils.live import state_problems

from . import states
from .conftest import Build, Host, HostError

pytestmark = pytest.mark.slow
TYPES = {
    "providers": "provider",
    "sublayers": "sublayer",
    "provider_contexts": "provider_context",
    "filters": "filter",
}


def comparable(state: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    return {
        name: sorted((model.comparable(kind, obj) for obj in state[name]), key=lambda o: o["key"])
        for name, kind in TYPES.items()
    }


def converge(
    host: Host, desired: dict[str, Any], provider_key: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    actual = host.call("read", provider_key=provider_key)
    the_plan = plan.make_plan(desired, actual, provider_key)
    return the_plan, host.call("apply", plan=the_plan)


def test_guaranteed_encryption_on_empty_engine_reads_back_as_declared(host: Host) -> None:
    provider_key, desired = states.guaranteed_encryption()
    assert len(desired["filters"]) == 36 and len(desired["provider_contexts"]) == 4
    before = host.call("read", provider_key=provider_key)
    assert all(before[name] == [] for name in TYPES)
    the_plan, result = converge(host, desired, provider_key)
    assert result["applied"] == len(the_plan["operations"]) == 42
    assert [op["op"] for op in the_plan["operations"]] == ["add"] * 42
    after = host.call("read", provider_key=provider_key)
    assert state_problems(after) == []
    assert comparable(after) == comparable(desired)
    assert result["fingerprint"] == model.fingerprint(after)
    assert result["base_fingerprint"] == the_plan["base_fingerprint"] == model.fingerprint(before)
    # Both arms of the FWPM_FILTER0 union and both FWP_UINT8/FWP_UINT64 weights went through.
    assert {f["raw_context"] is not None for f in after["filters"]} == {True, False}
    assert {f["weight"]["type"] for f in after["filters"]} >= {"FWP_UINT8", "FWP_UINT64"}
    assert all(f["runtime"]["filter_id"] > 0 for f in after["filters"])


def test_reapply_needs_no_operations_and_changes_nothing(host: Host) -> None:
    provider_key, desired = states.guaranteed_encryption()
    converge(host, desired, provider_key)
    first = host.call("read", provider_key=provider_key)
    again = plan.make_plan(desired, first, provider_key)
    assert again["operations"] == []
    result = host.call("apply", plan=again)
    assert result["applied"] == 0
    second = host.call("read", provider_key=provider_key)
    assert second == first  # same filter ids: nothing was deleted and re-added


def test_changed_declaration_deletes_and_adds_only_what_changed(host: Host) -> None:
    provider_key, desired = states.guaranteed_encryption()
    converge(host, desired, provider_key)
    first = {f["key"]: f for f in host.call("read", provider_key=provider_key)["filters"]}
    changed = copy.deepcopy(desired)
    target = next(f for f in changed["filters"] if f["weight"]["type"] == "FWP_UINT64")
    # A canonical object's parts are shared: derive the changed weight.
    target["weight"] = dict(target["weight"], value=target["weight"]["value"] + 1)
    the_plan, result = converge(host, changed, provider_key)
    assert [(op["op"], op["key"]) for op in the_plan["operations"]] == [
        ("delete", target["key"]),
        ("add", target["key"]),
    ]
    assert result["applied"] == 2
    after = host.call("read", provider_key=provider_key)
    assert comparable(after) == comparable(changed)
    ids = {f["key"]: f["runtime"]["filter_id"] for f in after["filters"]}
    assert ids[target["key"]] != first[target["key"]]["runtime"]["filter_id"]
    assert all(
        ids[key] == obj["runtime"]["filter_id"]
        for key, obj in first.items()
        if key != target["key"]
    )


def test_changed_context_replaces_its_filters_in_dependency_order(host: Host) -> None:
    provider_key, desired = states.guaranteed_encryption()
    converge(host, desired, provider_key)
    changed = copy.deepcopy(desired)
    context = next(
        c for c in changed["provider_contexts"] if c["type"] == "FWPM_IPSEC_IKE_MM_CONTEXT"
    )
    context["policy"]["proposals"][0]["max_lifetime_seconds"] = 7200
    the_plan, _result = converge(host, changed, provider_key)
    kinds = [(op["op"], op["type"]) for op in the_plan["operations"]]
    assert ("delete", "provider_context") in kinds and ("add", "provider_context") in kinds
    assert kinds.index(("delete", "provider_context")) > kinds.index(("delete", "filter"))
    assert comparable(host.call("read", provider_key=provider_key)) == comparable(changed)


@pytest.mark.parametrize("fail_at", [0, 7, 29])
def test_failure_at_operation_k_aborts_and_leaves_state_unchanged(
    build: Build, fail_at: int
) -> None:
    host = Host(build)
    try:
        provider_key, desired = states.guaranteed_encryption()
        before = host.call("read_all")
        the_plan = plan.make_plan(
            desired, host.call("read", provider_key=provider_key), provider_key
        )
        host.call("setenv", name="FWPSIM_FAIL_AT", value=str(fail_at))
        with pytest.raises(HostError) as raised:
            host.call("apply", plan=the_plan)
        host.call("setenv", name="FWPSIM_FAIL_AT", value="")
        details = raised.value.details
        failed_op = the_plan["operations"][fail_at]
        assert details["operation_index"] == fail_at
        assert (details["op"], details["type"], details["key"], details["name"]) == (
            failed_op["op"],
            failed_op["type"],
            failed_op["key"],
            failed_op["name"],
        )
        assert details["error"] == "FWP_E_INVALID_PARAMETER" and details["code"] == "0x80320035"
        assert (
            f"operation {fail_at} (add {failed_op['type']} {failed_op['key']})"
            in raised.value.error["message"]
        )
        assert host.call("read_all") == before
        assert host.call("stats")["in_transaction"] is False
    finally:
        host.close()


def test_failure_midway_through_a_replacement_restores_the_old_objects(build: Build) -> None:
    host = Host(build)
    try:
        provider_key, desired = states.guaranteed_encryption()
        converge(host, desired, provider_key)
        before = host.call("read_all")
        changed = copy.deepcopy(desired)
        for context in changed["provider_contexts"]:
            context["name"] += " v2"
        the_plan = plan.make_plan(
            changed, host.call("read", provider_key=provider_key), provider_key
        )
        last_delete = max(i for i, op in enumerate(the_plan["operations"]) if op["op"] == "delete")
        host.call("setenv", name="FWPSIM_FAIL_AT", value=str(last_delete + 3))
        with pytest.raises(HostError):
            host.call("apply", plan=the_plan)
        host.call("setenv", name="FWPSIM_FAIL_AT", value="")
        assert host.call("read_all") == before
    finally:
        host.close()


def test_failing_commit_is_reported_and_rolled_back(build: Build) -> None:
    host = Host(build, env={"FWPSIM_FAIL_COMMIT": "1"})
    try:
        provider_key, desired = states.guaranteed_encryption()
        with pytest.raises(HostError) as raised:
            converge(host, desired, provider_key)
        assert raised.value.details["error"] == "FWP_E_TXN_ABORTED"
        assert host.call("read", provider_key=provider_key)["filters"] == []
    finally:
        host.close()


def test_concurrent_change_is_refused_by_the_fingerprint(host: Host) -> None:
    provider_key, desired = states.guaranteed_encryption()
    snapshot = host.call("read", provider_key=provider_key)
    the_plan = plan.make_plan(desired, snapshot, provider_key)
    # Someone else changes the provider's objects between plan and apply.
    partial = copy.deepcopy(desired)
    for name in ("sublayers", "provider_contexts", "filters"):
        partial[name] = []
    host.call("apply", plan=plan.make_plan(partial, snapshot, provider_key))
    changed = host.call("read_all")
    with pytest.raises(HostError) as raised:
        host.call("apply", plan=the_plan)
    details = raised.value.details
    assert details["error"] == "WFP_IPSEC_STALE_PLAN"
    assert details["base_fingerprint"] == the_plan["base_fingerprint"]
    assert details["actual_fingerprint"] == model.fingerprint(
        host.call("read", provider_key=provider_key)
    )
    assert host.call("read_all") == changed  # nothing of the stale plan was written


def test_pre_shared_key_is_never_returned_only_its_digest(host: Host) -> None:
    provider_key, desired = states.rich()
    converge(host, desired, provider_key)
    raw = host.reply("read", provider_key=provider_key)
    text = json.dumps(raw, ensure_ascii=False)
    assert states.PSK not in text and states.PSK.encode("utf-16-le").hex() not in text
    context = next(
        c for c in raw["result"]["provider_contexts"] if c["type"] == "FWPM_IPSEC_IKE_MM_CONTEXT"
    )
    method = context["policy"]["authentication_methods"][0]
    assert method == {
        "type": "IKEEXT_PRESHARED_KEY",
        "key_digest": model.psk_digest(context["key"], states.PSK),
    }
    assert (
        host.call("psk_digest", context_key=context["key"], key=states.PSK) == method["key_digest"]
    )
    assert plan.make_plan(desired, raw["result"], provider_key)["operations"] == []


def test_every_value_type_and_auth_method_round_trips(host: Host) -> None:
    provider_key, desired = states.rich()
    _plan, result = converge(host, desired, provider_key)
    after = host.call("read", provider_key=provider_key)
    assert state_problems(after) == []
    assert (
        comparable(after)
        == comparable(model.canonical_state(desired))
        == comparable(
            {name: [model.comparable(TYPES[name], o) for o in desired[name]] for name in TYPES}
        )
    )
    zoo = next(f for f in after["filters"] if f["name"] == "value zoo — 値")
    assert zoo["weight"] == {"type": "FWP_UINT64", "value": (1 << 64) - 1}
    assert zoo["raw_context"] == (1 << 63) + 5
    assert result["fingerprint"] == model.fingerprint(after)


def test_persistence_follows_the_declared_flags(build: Build) -> None:
    host = Host(build)
    try:
        persistent_key, persistent = states.guaranteed_encryption()
        static_key, static = states.guaranteed_encryption(
            persistent=False, provider={"name": "static"}
        )
        converge(host, persistent, persistent_key)
        converge(host, static, static_key)
        assert len(host.call("read", provider_key=static_key)["filters"]) == 36
        host.call("restart")  # a BFE restart / reboot
        assert comparable(host.call("read", provider_key=persistent_key)) == comparable(persistent)
        assert all(host.call("read", provider_key=static_key)[name] == [] for name in TYPES)
    finally:
        host.close()


def test_lifetime_mismatch_names_the_operation(host: Host) -> None:
    provider_key, desired = states.guaranteed_encryption()
    broken = copy.deepcopy(desired)
    broken["sublayers"][0]["flags"] = []  # persistent filters in a static sublayer
    with pytest.raises(HostError) as raised:
        converge(host, broken, provider_key)
    details = raised.value.details
    assert details["error"] == "FWP_E_LIFETIME_MISMATCH" and details["type"] == "filter"
    assert "same provider" in raised.value.error["message"]
    assert host.call("read", provider_key=provider_key)["providers"] == []


def test_extended_mode_on_an_ike_context_is_rejected_by_the_engine(host: Host) -> None:
    provider_key, desired = states.rich()
    broken = copy.deepcopy(desired)
    ike_qm = next(
        c for c in broken["provider_contexts"] if c["type"] == "FWPM_IPSEC_IKE_QM_TRANSPORT_CONTEXT"
    )
    ike_qm["policy"]["em_policy"] = {
        "authentication_methods": [],
        "initiator_impersonation": "IKEEXT_IMPERSONATION_NONE",
    }
    with pytest.raises(HostError) as raised:
        converge(host, broken, provider_key)
    assert raised.value.details["error"] == "FWP_E_EM_NOT_SUPPORTED"
    assert raised.value.details["key"] == ike_qm["key"]


def test_plans_may_not_touch_objects_of_other_providers(host: Host) -> None:
    provider_key, desired = states.guaranteed_encryption()
    snapshot = host.call("read", provider_key=provider_key)
    foreign = next(f for f in host.call("read_all")["filters"] if f["provider_key"] != provider_key)
    delete_foreign = {
        "format": model.PLAN_FORMAT,
        "provider_key": provider_key,
        "base_fingerprint": model.fingerprint(snapshot),
        "operations": [
            {"op": "delete", "type": "filter", "key": foreign["key"], "name": foreign["name"]}
        ],
    }
    with pytest.raises(HostError) as raised:
        host.call("apply", plan=delete_foreign)
    assert "does not own" in raised.value.error["message"]
    smuggled = copy.deepcopy(delete_foreign)
    obj = copy.deepcopy(desired["filters"][0])
    obj["provider_key"] = foreign["provider_key"]
    smuggled["operations"] = [
        {"op": "add", "type": "filter", "key": obj["key"], "name": obj["name"], "object": obj}
    ]
    with pytest.raises(HostError) as raised:
        host.call("apply", plan=smuggled)
    assert "not owned by the plan's provider" in raised.value.error["message"]
    assert foreign in host.call("read_all")["filters"]


def test_layer_query_matches_the_controller_query(host: Host) -> None:
    provider_key, desired = states.guaranteed_encryption()
    converge(host, desired, provider_key)
    everything = host.call("read_all")
    layers = ["FWPM_LAYER_ALE_AUTH_RECV_ACCEPT_V4", "fe1cd9fe7-f4b5-4273-96c0-592e487b8650"[1:]]
    by_layer = host.call("read_layers", layers=layers[:1])
    assert by_layer == host.call("query", provider_key=None, layers=layers[1:])
    expected = query.select(everything, None, layers[:1])
    assert {n: sorted(o["key"] for o in by_layer[n]) for n in TYPES} == {
        n: sorted(o["key"] for o in expected[n]) for n in TYPES
    }
    owners = {f["provider_key"] for f in by_layer["filters"]}
    assert provider_key in owners and len(owners) == 2  # ours and the foreign RDP permit
    mine = host.call("query", provider_key=provider_key, layers=layers[:1])
    assert mine == query.select(everything, provider_key, layers[:1]) | {
        "format": model.STATE_FORMAT
    }
    assert host.call("query", provider_key=None, layers=[]) == everything


def test_unknown_layer_symbol_is_a_clear_error(host: Host) -> None:
    with pytest.raises(HostError) as raised:
        host.call("read_layers", layers=["FWPM_LAYER_NOPE"])
    assert "unknown layer 'FWPM_LAYER_NOPE'" in raised.value.error["message"]
