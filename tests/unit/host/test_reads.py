"""Rung 4 (reads): owned-only enumeration, transaction modes, unsupported objects, the 32-bit
refusal and a failure after commit, against the stand-in engine (issue 9, section 2)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from ansible_collections.wfp.ipsec.plugins.plugin_utils import catalogue, model, plan
from ansible_collections.wfp.ipsec.plugins.plugin_utils.backend import BackendError
from ansible_collections.wfp.ipsec.plugins.plugin_utils.live import ModuleBackend, state_problems

from . import states
from .conftest import Build, Host, HostError
from .test_live import live_backend

pytestmark = pytest.mark.slow
FOREIGN = "4b153735-1049-4480-aab4-d1b9bdc03710"
ALE_RECV_ACCEPT_V4 = catalogue.GUIDS["FWPM_LAYER_ALE_AUTH_RECV_ACCEPT_V4"]
ODD_FILTERS = {
    "0dd00001-0000-4000-8000-000000000001": "0x00000077 values cannot be read",
    "0dd00001-0000-4000-8000-000000000002": "ArgumentOutOfRangeException",
    "0dd00001-0000-4000-8000-000000000003": "FWP_UINT64 is a null pointer",
    "0dd00001-0000-4000-8000-000000000004": "action type 0x00001077 is not a known FWP_ACTION_TYPE",
}
ODD_CONTEXT = "0dd00002-0000-4000-8000-000000000001"
NEW_LAYER_FILTER = "0dd00001-0000-4000-8000-000000000005"


def applied(host: Host) -> tuple[str, dict[str, Any]]:
    """The guaranteed-encryption policy applied to the engine: (provider key, desired state)."""
    provider_key, desired = states.guaranteed_encryption()
    actual = host.call("read", provider_key=provider_key)
    host.call("apply", plan=plan.make_plan(desired, actual, provider_key))
    return provider_key, desired


def enumerations(host: Host, cmd: str, **kwargs: Any) -> tuple[Any, list[dict[str, Any]]]:
    """The result of one command and the enumerations it made."""
    host.call("enum_log_reset")
    result = host.call(cmd, **kwargs)
    return result, host.call("enum_log")


def module_backend(host: Host) -> ModuleBackend:
    return live_backend(host)


# ---- owned-only reads and transaction modes ------------------------------------------------


def test_owned_read_asks_bfe_for_the_providers_objects_only_in_a_read_only_transaction(
    host: Host,
) -> None:
    provider_key, desired = applied(host)
    host.call("oddities")  # foreign objects that would break a conversion
    state, log = enumerations(host, "read", provider_key=provider_key)
    assert {entry["txn"] for entry in log} == {"read_only"}
    by_kind = {kind: [e for e in log if e["kind"] == kind] for kind in model.OBJECT_TYPES}
    # Providers have no template (FWPM_PROVIDER_ENUM_TEMPLATE0 is reserved); the others do.
    assert all(not e["provider_template"] for e in by_kind["provider"])
    for kind in ("sublayer", "provider_context", "filter"):
        assert by_kind[kind] and all(e["provider_template"] for e in by_kind[kind])
    # One context template per type we write; BFE returned our objects and nothing else.
    assert len(by_kind["provider_context"]) == len(catalogue.SUPPORTED_CONTEXT_TYPES) == 6
    assert sum(e["returned"] for e in by_kind["filter"]) == len(desired["filters"]) == 36
    assert sum(e["returned"] for e in by_kind["provider_context"]) == 4
    assert sum(e["returned"] for e in by_kind["sublayer"]) == 1
    assert "unsupported" not in state  # foreign oddities were never even converted
    assert [p["key"] for p in state["providers"]] == [provider_key]


def test_read_all_is_its_own_read_only_transaction_over_everything(host: Host) -> None:
    provider_key, _desired = applied(host)
    state, log = enumerations(host, "read_all")
    assert {entry["txn"] for entry in log} == {"read_only"}
    assert not any(e["provider_template"] or e["layer_template"] for e in log)
    assert {f["provider_key"] for f in state["filters"]} == {provider_key, FOREIGN}


def test_apply_rereads_only_owned_objects_inside_its_write_transaction(host: Host) -> None:
    provider_key, desired = states.guaranteed_encryption()
    the_plan = plan.make_plan(desired, host.call("read", provider_key=provider_key), provider_key)
    host.call("oddities")
    result, log = enumerations(host, "apply", plan=the_plan)
    assert result["applied"] == len(the_plan["operations"]) == 42
    inside = [e for e in log if e["txn"] == "read_write"]
    after = [e for e in log if e["txn"] == "read_only"]
    assert len(inside) + len(after) == len(log) and log.index(after[0]) == len(inside)
    for phase in (inside, after):
        # the sublayer, one template per writable context type, the filters
        templates = 1 + len(catalogue.SUPPORTED_CONTEXT_TYPES) + 1
        assert [e["provider_template"] for e in phase if e["kind"] != "provider"] == [
            True
        ] * templates
    assert sum(e["returned"] for e in inside if e["kind"] == "filter") == 0  # empty before
    assert sum(e["returned"] for e in after if e["kind"] == "filter") == len(desired["filters"])


def test_shadow_read_returns_only_the_layers_asked_for_and_every_owned_filter(host: Host) -> None:
    provider_key, desired = applied(host)
    host.call("oddities")
    layers = [catalogue.GUIDS["FWPM_LAYER_ALE_AUTH_CONNECT_V4"]]
    state, log = enumerations(host, "read_all", layers=layers, provider_key=provider_key)
    filters = {f["key"]: f for f in state["filters"]}
    assert set(filters) == {f["key"] for f in desired["filters"]}  # the foreign ones are elsewhere
    assert {e["txn"] for e in log} == {"read_only"}
    filter_enums = [e for e in log if e["kind"] == "filter"]
    assert [(e["layer_template"], e["provider_template"]) for e in filter_enums] == [
        (True, False),
        (False, True),
    ]
    # Providers, sublayers and contexts are all there (the pre-flight may need foreign ones).
    assert FOREIGN in {p["key"] for p in state["providers"]}
    everything = host.call("read_all", layers=[ALE_RECV_ACCEPT_V4], provider_key=provider_key)
    assert FOREIGN in {f["provider_key"] for f in everything["filters"]}
    assert set(ODD_FILTERS) <= {u["key"] for u in everything["unsupported"]}


@pytest.mark.parametrize("refusal", ["FWPSIM_REJECT_FILTER_TEMPLATE", "FWPSIM_REJECT_ENUM_FLAGS"])
def test_a_bfe_that_rejects_the_filter_template_is_read_without_one(
    build: Build, refusal: str
) -> None:
    host = Host(build, {refusal: "1"})
    try:
        provider_key, desired = applied(host)
        state, log = enumerations(host, "read", provider_key=provider_key)
        assert model.fingerprint(state) == model.fingerprint(desired)
        assert {f["provider_key"] for f in state["filters"]} == {provider_key}
        filter_enums = [e for e in log if e["kind"] == "filter"]
        assert [e["provider_template"] for e in filter_enums] == [False]  # the fallback
        # ours and the foreign one, not converted
        assert filter_enums[0]["returned"] == len(desired["filters"]) + 1
    finally:
        host.close()


# ---- objects the host cannot convert -------------------------------------------------------


def test_foreign_objects_that_cannot_be_converted_come_back_marked_unsupported(
    host: Host,
) -> None:
    host.call("oddities")
    state = host.call("read_all")
    assert state_problems(state) == []
    records = {record["key"]: record for record in state["unsupported"]}
    assert set(records) == {*ODD_FILTERS, ODD_CONTEXT}
    for key, reason in ODD_FILTERS.items():
        record = records[key]
        assert reason in record["reason"] and "\n" not in record["reason"]
        assert record["type"] == "filter" and record["layer_key"] == ALE_RECV_ACCEPT_V4
        assert record["provider_key"] == FOREIGN and record["name"] == "Foreign oddity"
    assert records[ODD_CONTEXT]["type"] == "provider_context"
    assert records[ODD_CONTEXT]["layer_key"] is None
    assert "0x00000042" in records[ODD_CONTEXT]["reason"]
    # A filter on a layer the catalogue does not know is still an ordinary, readable object.
    new_layer = next(f for f in state["filters"] if f["key"] == NEW_LAYER_FILTER)
    assert model.canonical_filter(new_layer)["layer_key"] == new_layer["layer_key"]
    # The policy_info view keeps the records of the layers it shows.
    view = host.call("query", provider_key=None, layers=["FWPM_LAYER_ALE_AUTH_RECV_ACCEPT_V4"])
    assert {r["key"] for r in view["unsupported"]} == set(ODD_FILTERS)


def test_an_unreadable_object_of_our_own_refuses_the_read_and_the_apply(host: Host) -> None:
    provider_key, desired = applied(host)
    before = host.call("read_all")
    host.call("oddities", provider_key=provider_key)
    state = host.call("read", provider_key=provider_key)
    assert len(state["unsupported"]) == 4
    backend = module_backend(host)
    # The owned read sees the four filters; the shadow read also the context of an unknown type
    # (the owned read enumerates only the context types the collection writes).
    for read, count in (
        (lambda: backend.read(provider_key), 4),
        (lambda: backend.read_all_on_layers(provider_key, [ALE_RECV_ACCEPT_V4]), 5),
    ):
        with pytest.raises(BackendError, match="owns objects the host cannot read") as raised:
            read()
        assert len(raised.value.details["unsupported"]) == count
    stale = plan.make_plan(desired, model.empty_state(), provider_key)
    stale["base_fingerprint"] = model.fingerprint(state)
    with pytest.raises(HostError) as refused:
        host.call("apply", plan=stale)
    assert refused.value.details["error"] == "WFP_IPSEC_UNSUPPORTED_OBJECT"
    assert "nothing was written" in str(refused.value)
    # Nothing was written: only the harness's one readable oddity (new layer) is new.
    after = {f["key"] for f in host.call("read_all")["filters"]}
    assert after == {f["key"] for f in before["filters"]} | {"0dd10001-0000-4000-8000-000000000005"}


# ---- 32-bit processes and failures after commit --------------------------------------------


def test_a_32_bit_process_is_refused_with_a_clear_message(host: Host) -> None:
    host.call("pointer_size", value=4)
    try:
        with pytest.raises(HostError) as raised:
            host.call("read_all")
    finally:
        host.call("pointer_size", value=8)
    assert raised.value.details["error"] == "WFP_IPSEC_NOT_64BIT"
    assert "64-bit PowerShell" in str(raised.value) and "SysWOW64" in str(raised.value)
    assert host.call("read_all")["providers"]  # and a 64-bit process reads as before


def test_a_failure_after_commit_is_reported_as_applied_with_a_warning(build: Build) -> None:
    host = Host(build, {"FWPSIM_FAIL_READ_AFTER_COMMIT": "1"})
    try:
        provider_key, desired = states.guaranteed_encryption()
        backend = module_backend(host)
        the_plan = plan.make_plan(desired, backend.read(provider_key), provider_key)
        result = backend.apply(the_plan)
        assert result["changed"] is True and result["applied"] == len(the_plan["operations"])
        assert result["state"] is None and result["fingerprint"] is None
        assert len(result["warnings"]) == 1
        warning = result["warnings"][0]
        assert f"applied and committed ({len(the_plan['operations'])} operations)" in warning
        assert "0x800706BA" in warning and "re-run" in warning
        # It really was committed.
        assert model.fingerprint(backend.read(provider_key)) == model.fingerprint(desired)
    finally:
        host.close()


def test_the_module_dispatch_passes_the_after_commit_warning_on(build: Build) -> None:
    host = Host(build, {"FWPSIM_FAIL_READ_AFTER_COMMIT": "1"})
    try:
        provider_key, desired = states.guaranteed_encryption()
        the_plan = plan.make_plan(desired, model.empty_state(), provider_key)
        reply = host.call("module", args={"_operation": "apply", "plan": json.dumps(the_plan)})
        assert reply["changed"] is True and len(reply["warnings"]) == 1
    finally:
        host.close()
