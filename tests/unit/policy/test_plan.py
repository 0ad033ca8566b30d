"""Diff -> ordered plan: delete+add for changes, dependency order, only our objects."""

from __future__ import annotations

import copy
from typing import Any

import yaml
from ansible_collections.wfp.ipsec.plugins.plugin_utils import model
from ansible_collections.wfp.ipsec.plugins.plugin_utils.plan import (
    drift_counts,
    make_plan,
    plan_and_drift,
    summary,
)
from ansible_collections.wfp.ipsec.plugins.plugin_utils.render import change_summary, plan_diff
from ansible_collections.wfp.ipsec.plugins.plugin_utils.scenario import expand, provider_key_of

PROVIDER = provider_key_of({})
ORDER = {"provider": 0, "sublayer": 1, "provider_context": 2, "filter": 3}


def desired(**options: Any) -> dict[str, Any]:
    return expand({"scenario": {"guaranteed_encryption": options}})


def ops(plan: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(o["op"], o["type"], o["key"]) for o in plan["operations"]]


def assert_well_ordered(plan: dict[str, Any]) -> None:
    operations = plan["operations"]
    deletes = [o for o in operations if o["op"] == "delete"]
    adds = [o for o in operations if o["op"] == "add"]
    assert operations == deletes + adds
    assert [ORDER[o["type"]] for o in deletes] == sorted(
        (ORDER[o["type"]] for o in deletes), reverse=True
    )
    assert [ORDER[o["type"]] for o in adds] == sorted(ORDER[o["type"]] for o in adds)


def test_fresh_host_adds_everything_in_dependency_order() -> None:
    plan = make_plan(desired(), model.empty_state(), PROVIDER)
    assert len(plan["operations"]) == 42
    assert {o["op"] for o in plan["operations"]} == {"add"}
    assert {o["reason"] for o in plan["operations"]} == {"missing"}
    assert_well_ordered(plan)
    assert plan["base_fingerprint"] == model.fingerprint(model.empty_state())


def test_a_reported_base_fingerprint_is_used_only_when_well_formed() -> None:
    actual = model.empty_state()
    computed = model.fingerprint(actual)
    reported = "sha256:" + "0" * 64  # the plan cannot tell it from the real one: the host can
    for known, base in [
        (reported, reported),
        (None, computed),
        ("sha256:" + "0" * 63, computed),
        ("sha256:" + "A" * 64, computed),
        (" sha256:" + "0" * 64, computed),
        ("md5:" + "0" * 32, computed),
    ]:
        plan, _drift = plan_and_drift(desired(), actual, PROVIDER, base_fingerprint=known)
        assert plan["base_fingerprint"] == base
    plan, _drift = plan_and_drift(
        desired(), actual, PROVIDER, for_apply=False, base_fingerprint=reported
    )
    assert plan["base_fingerprint"] is None


def test_converged_host_has_an_empty_plan_even_with_runtime_fields() -> None:
    actual = copy.deepcopy(desired())
    for number, filter_obj in enumerate(actual["filters"]):
        filter_obj["runtime"] = {
            "filter_id": 1000 + number,
            "effective_weight": {"type": "FWP_UINT64", "value": number},
        }
    assert make_plan(desired(), actual, PROVIDER)["operations"] == []
    assert drift_counts(desired(), actual, PROVIDER) == {
        "missing": 0,
        "unexpected": 0,
        "changed": 0,
    }


def test_changed_filter_is_deleted_and_added_again() -> None:
    actual = copy.deepcopy(desired())
    target = actual["filters"][0]
    target["weight"] = {"type": "FWP_UINT64", "value": 1}
    plan = make_plan(desired(), actual, PROVIDER)
    assert ops(plan) == [("delete", "filter", target["key"]), ("add", "filter", target["key"])]
    assert [o["reason"] for o in plan["operations"]] == ["changed", "changed"]
    assert drift_counts(desired(), actual, PROVIDER) == {
        "missing": 0,
        "unexpected": 0,
        "changed": 1,
    }


def test_changed_context_drags_its_filters_along() -> None:
    want = desired()
    actual = copy.deepcopy(want)
    context = next(
        c for c in actual["provider_contexts"] if c["type"] == "FWPM_IPSEC_IKE_QM_TRANSPORT_CONTEXT"
    )
    context["policy"]["proposals"][0]["lifetime"]["seconds"] = 60
    users = {f["key"] for f in actual["filters"] if f["provider_context_key"] == context["key"]}
    plan = make_plan(want, actual, PROVIDER)
    assert len(users) == 2
    assert ops(plan) == (
        [
            ("delete", "filter", key)
            for key in sorted(
                users,
                key=lambda k: (next(f["name"] for f in actual["filters"] if f["key"] == k), k),
            )
        ]
        + [
            ("delete", "provider_context", context["key"]),
            ("add", "provider_context", context["key"]),
        ]
        + [
            ("add", "filter", key)
            for key in sorted(
                users, key=lambda k: (next(f["name"] for f in want["filters"] if f["key"] == k), k)
            )
        ]
    )
    assert {o["reason"] for o in plan["operations"] if o["type"] == "filter"} == {"dependency"}
    assert drift_counts(want, actual, PROVIDER)["changed"] == 1


def test_changed_sublayer_drags_every_filter() -> None:
    want = desired()
    actual = copy.deepcopy(want)
    actual["sublayers"][0]["weight"] = 1
    plan = make_plan(want, actual, PROVIDER)
    assert sum(1 for o in plan["operations"] if o["type"] == "filter" and o["op"] == "delete") == 36
    assert_well_ordered(plan)


def test_foreign_objects_are_never_touched() -> None:
    actual = copy.deepcopy(desired())
    foreign_provider = {
        "key": "99999999-0000-0000-0000-000000000001",
        "name": "other",
        "description": None,
        "flags": [],
        "provider_data": None,
        "service_name": None,
    }
    foreign_filter = copy.deepcopy(actual["filters"][0])
    foreign_filter.update(
        key="99999999-0000-0000-0000-000000000002", provider_key=foreign_provider["key"]
    )
    actual["providers"].append(foreign_provider)
    actual["filters"].append(foreign_filter)
    assert make_plan(desired(), actual, PROVIDER)["operations"] == []
    absent = make_plan(model.empty_state(), actual, PROVIDER)
    touched = {o["key"] for o in absent["operations"]}
    assert foreign_provider["key"] not in touched and foreign_filter["key"] not in touched
    assert len(touched) == 42 and {o["op"] for o in absent["operations"]} == {"delete"}
    assert_well_ordered(absent)


def test_stray_owned_objects_are_removed() -> None:
    actual = copy.deepcopy(desired())
    stray = copy.deepcopy(actual["filters"][0])
    stray["key"] = "99999999-0000-0000-0000-000000000003"
    actual["filters"].append(stray)
    plan = make_plan(desired(), actual, PROVIDER)
    assert ops(plan) == [("delete", "filter", stray["key"])]
    assert plan["operations"][0]["reason"] == "unexpected"


def test_psk_compared_through_its_digest() -> None:
    psk = {
        "keying_modules": ["ike"],
        "main_mode": {"authentication": [{"method": "preshared_key", "key": "s3cret"}]},
    }
    want = desired(**psk)
    on_host = copy.deepcopy(want)
    for context in on_host["provider_contexts"]:
        for method in context["policy"].get("authentication_methods", []):
            if "key" in method:
                method["key_digest"] = model.psk_digest(context["key"], method.pop("key"))
    assert make_plan(want, on_host, PROVIDER)["operations"] == []
    rotated = desired(
        **{**psk, "main_mode": {"authentication": [{"method": "preshared_key", "key": "new"}]}}
    )
    assert {o["type"] for o in make_plan(rotated, on_host, PROVIDER)["operations"]} == {
        "provider_context",
        "filter",
    }


def test_plan_summary_and_diff_carry_no_secret() -> None:
    want = desired(
        keying_modules=["ike"],
        main_mode={"authentication": [{"method": "preshared_key", "key": "s3cret"}]},
    )
    plan = make_plan(want, model.empty_state(), PROVIDER)
    assert "s3cret" not in repr(summary(plan))
    diff = plan_diff(plan, want, model.empty_state())
    assert "s3cret" not in repr(diff)
    rotated = desired(
        keying_modules=["ike"],
        main_mode={"authentication": [{"method": "preshared_key", "key": "n3w-s3cret"}]},
    )
    field_diff = plan_diff(make_plan(rotated, want, PROVIDER), rotated, want)
    assert "s3cret" not in repr(field_diff)
    assert "********" in repr(field_diff)  # the changed context's field diff masks both keys


def test_diff_is_readable() -> None:
    want = desired(ip_versions=[4])
    actual = copy.deepcopy(want)
    changed = next(f for f in actual["filters"] if "inbound TCP/5555" in f["name"])
    changed["weight"] = {"type": "FWP_UINT64", "value": 1}
    diff = plan_diff(make_plan(want, actual, PROVIDER), want, actual)
    assert len(diff) == 1  # no adds or removes: one field-level diff for the changed filter
    (field_diff,) = diff
    assert field_diff["before_header"] == f"host: filter {changed['name']!r}"
    before, after = yaml.safe_load(field_diff["before"]), yaml.safe_load(field_diff["after"])
    assert before["weight"] == "1"
    assert after["weight"] == "512"
    assert after["layer_key"] == "FWPM_LAYER_ALE_AUTH_RECV_ACCEPT_V4"
    assert after["action"] == "CALLOUT_TERMINATING -> FWPM_CALLOUT_IPSEC_INBOUND_INITIATE_SECURE_V4"
    assert after["raw_context"] == "FWPM_CONTEXT_ALE_SET_CONNECTION_REQUIRE_IPSEC_ENCRYPTION"
    assert after["sublayer_key"] == "wfp.ipsec sublayer"
    assert "IP_LOCAL_PORT = 5555" in after["conditions"]
    assert "IP_PROTOCOL = TCP" in after["conditions"]
    assert "FWPM_FILTER_FLAG_PERSISTENT" in after["flags"]


def test_diff_of_an_empty_host_is_one_line_per_object() -> None:
    want = desired(ip_versions=[4], required_ports=[{"port": 5000, "port_end": 5010}])
    diff = plan_diff(make_plan(want, model.empty_state(), PROVIDER), want, model.empty_state())
    assert len(diff) == 1
    lines = diff[0]["prepared"].splitlines()
    assert lines[0] == "objects to add (26):"
    assert len(lines) == 27
    ranged = next(line for line in lines if "inbound TCP/5000-5010" in line)
    assert ranged == (
        "  + filter 'wfp.ipsec guaranteed encryption: IPv4 inbound TCP/5000-5010: require "
        "encryption': FWPM_LAYER_ALE_AUTH_RECV_ACCEPT_V4, CALLOUT_TERMINATING -> "
        "FWPM_CALLOUT_IPSEC_INBOUND_INITIATE_SECURE_V4 "
        "(FWPM_CONTEXT_ALE_SET_CONNECTION_REQUIRE_IPSEC_ENCRYPTION), when IP_LOCAL_PORT in "
        "5000-5010 and IP_PROTOCOL = TCP and IP_LOCAL_ADDRESS_TYPE = NlatUnicast, weight 512"
    )
    icmp = next(line for line in lines if "inbound transport: exempt ICMP" in line)
    assert "weight FWPM_WEIGHT_RANGE_IKE_EXEMPTIONS (range 12)" in icmp


def test_change_summary_in_words() -> None:
    want = desired()
    assert (
        change_summary(make_plan(want, model.empty_state(), PROVIDER))
        == "add 36 filters, 4 provider contexts, 1 sublayer, 1 provider"
    )
    assert change_summary(make_plan(want, want, PROVIDER)) == "in sync: nothing to change"
    assert (
        change_summary(make_plan(model.empty_state(), want, PROVIDER), absent=True)
        == "remove 42 objects (36 filters, 4 provider contexts, 1 sublayer, 1 provider)"
    )
    actual = copy.deepcopy(want)
    context = next(c for c in actual["provider_contexts"] if "IKE quick mode" in c["name"])
    context["policy"]["idle_timeout_seconds"] = 1
    words = change_summary(make_plan(want, actual, PROVIDER))
    assert words == (
        "replace (delete and add again) 1 provider context; re-add 2 filters unchanged, because "
        "they depend on a replaced object (WFP cannot update an object in place) "
        "(6 operations for 1 drifted objects)"
    )
