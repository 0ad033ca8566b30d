"""The engine model: WFP semantics, FWP_E_* codes, transactions, plans and pre-flight."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from ansible_collections.wfp.ipsec.plugins.plugin_utils import model
from ansible_collections.wfp.ipsec.plugins.plugin_utils.catalogue import GUIDS
from ansible_collections.wfp.ipsec.plugins.plugin_utils.engine import (
    Engine,
    PlanRefused,
    WfpError,
    apply_plan,
    preflight,
)

from tests.unit.core.builders import (
    CALLOUT_INBOUND_TRANSPORT_V4,
    EM_POLICY,
    LAYER_IKEEXT_V4,
    LAYER_INBOUND_TRANSPORT_V4,
    LAYER_IPSEC_V4,
    SUBLAYER_UNIVERSAL,
    add_op,
    basic_objects,
    basic_state,
    context,
    delete_op,
    filter_,
    key,
    plan_for,
    provider,
    qm_policy,
    state,
    sublayer,
)

OURS = basic_objects()
PK = OURS["provider"]["key"]


def engine() -> Engine:
    return Engine(basic_state())


def raises(code: str, action: Callable[[], Any]) -> WfpError:
    with pytest.raises(WfpError) as caught:
        action()
    assert caught.value.code == code, str(caught.value)
    assert code in str(caught.value)
    return caught.value


def snapshot(eng: Engine) -> dict[str, Any]:
    return copy.deepcopy(eng.state())


# ---- keys ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("object_type", "name"),
    [
        ("provider", "provider"),
        ("sublayer", "sublayer"),
        ("provider_context", "context"),
        ("filter", "filter"),
    ],
)
def test_adding_an_existing_key_fails_with_already_exists(object_type: str, name: str) -> None:
    eng = engine()
    before = snapshot(eng)
    raises("FWP_E_ALREADY_EXISTS", lambda: eng.add(object_type, OURS[name]))
    assert eng.state() == before


@pytest.mark.parametrize(
    ("object_type", "code"),
    [
        ("provider", "FWP_E_PROVIDER_NOT_FOUND"),
        ("sublayer", "FWP_E_SUBLAYER_NOT_FOUND"),
        ("provider_context", "FWP_E_PROVIDER_CONTEXT_NOT_FOUND"),
        ("filter", "FWP_E_FILTER_NOT_FOUND"),
    ],
)
def test_deleting_a_missing_object_fails_with_its_not_found_code(
    object_type: str, code: str
) -> None:
    error = raises(code, lambda: engine().delete(object_type, key("nothing")))
    assert error.context == {
        "op": "delete",
        "type": object_type,
        "key": key("nothing"),
        "name": None,
    }


def test_a_built_in_sublayer_cannot_be_added_or_deleted() -> None:
    eng = Engine(model.empty_state())
    builtin = sublayer("universal", None, persistent=False, key=SUBLAYER_UNIVERSAL)
    raises("FWP_E_ALREADY_EXISTS", lambda: eng.add("sublayer", builtin))
    raises("FWP_E_BUILTIN_OBJECT", lambda: eng.delete("sublayer", SUBLAYER_UNIVERSAL))


def test_the_same_key_may_be_used_by_objects_of_different_types() -> None:
    eng = engine()
    other = filter_("same key", OURS["provider"], OURS["sublayer"]["key"], key=PK)
    assert eng.add("filter", other)["key"] == PK


def test_loading_a_state_with_a_duplicate_key_fails() -> None:
    doc = basic_state()
    doc["filters"].append(copy.deepcopy(doc["filters"][0]))
    error = raises("FWP_E_ALREADY_EXISTS", lambda: Engine(doc))
    assert error.context["op"] == "load"


def test_unknown_object_types_are_invalid_parameters() -> None:
    raises("FWP_E_INVALID_PARAMETER", lambda: engine().delete("callout", key("x")))


# ---- references ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("object_type", "name", "referrer_type", "referrer"),
    [
        ("provider", "provider", "sublayer", "sublayer"),
        ("sublayer", "sublayer", "filter", "filter"),
        ("provider_context", "context", "filter", "context_filter"),
    ],
)
def test_deleting_a_referenced_object_fails_with_in_use(
    object_type: str, name: str, referrer_type: str, referrer: str
) -> None:
    eng = engine()
    before = snapshot(eng)
    error = raises("FWP_E_IN_USE", lambda: eng.delete(object_type, OURS[name]["key"]))
    assert "referenced by" in error.message
    assert (referrer_type, OURS[referrer]["key"]) in eng.referrers(object_type, OURS[name]["key"])
    assert eng.state() == before


def test_an_object_can_be_deleted_once_its_referrers_are_gone() -> None:
    eng = engine()
    for object_type, name in [
        ("filter", "filter"),
        ("filter", "context_filter"),
        ("provider_context", "context"),
        ("sublayer", "sublayer"),
        ("provider", "provider"),
    ]:
        assert eng.delete(object_type, OURS[name]["key"])["key"] == OURS[name]["key"]
    assert eng.state() == model.empty_state()


def test_a_provider_is_in_use_while_a_filter_names_it() -> None:
    eng = Engine(state(("provider", OURS["provider"])))
    eng.add("filter", filter_("alone", OURS["provider"], SUBLAYER_UNIVERSAL))
    raises("FWP_E_IN_USE", lambda: eng.delete("provider", PK))


def _bare_engine() -> Engine:
    return Engine(state(("provider", OURS["provider"]), ("sublayer", OURS["sublayer"])))


@pytest.mark.parametrize(
    ("code", "fields"),
    [
        ("FWP_E_PROVIDER_NOT_FOUND", {"provider_key": key("provider/missing")}),
        ("FWP_E_SUBLAYER_NOT_FOUND", {"sublayer_key": key("sublayer/missing")}),
        ("FWP_E_LAYER_NOT_FOUND", {"layer_key": key("layer/missing")}),
        ("FWP_E_LAYER_NOT_FOUND", {"layer_key": GUIDS["FWPM_SUBLAYER_UNIVERSAL"]}),
        (
            "FWP_E_CALLOUT_NOT_FOUND",
            {"action": {"type": "FWP_ACTION_CALLOUT_TERMINATING", "callout_key": key("co")}},
        ),
        (
            "FWP_E_CONDITION_NOT_FOUND",
            {
                "conditions": [
                    {"field_key": key("field"), "value": {"type": "FWP_UINT8", "value": 6}}
                ]
            },
        ),
        ("FWP_E_PROVIDER_CONTEXT_NOT_FOUND", {"provider_context_key": key("ctx/missing")}),
    ],
)
def test_a_missing_reference_on_add_fails_with_the_matching_not_found(
    code: str, fields: dict[str, Any]
) -> None:
    eng = _bare_engine()
    before = snapshot(eng)
    candidate = {**filter_("broken", OURS["provider"], OURS["sublayer"]["key"]), **fields}
    error = raises(code, lambda: eng.add("filter", candidate))
    assert error.context["op"] == "add"
    assert error.context["key"] == candidate["key"]
    assert eng.state() == before


@pytest.mark.parametrize("object_type", ["sublayer", "provider_context"])
def test_sublayers_and_contexts_need_their_provider(object_type: str) -> None:
    eng = Engine(model.empty_state())
    obj = OURS["sublayer"] if object_type == "sublayer" else OURS["context"]
    raises("FWP_E_PROVIDER_NOT_FOUND", lambda: eng.add(object_type, obj))


def test_built_in_sublayers_layers_callouts_and_conditions_need_no_object() -> None:
    eng = _bare_engine()
    stored = eng.add(
        "filter",
        filter_(
            "callout in universal",
            OURS["provider"],
            SUBLAYER_UNIVERSAL,
            layer_key=LAYER_INBOUND_TRANSPORT_V4,
            port=445,
            action={
                "type": "FWP_ACTION_CALLOUT_TERMINATING",
                "callout_key": CALLOUT_INBOUND_TRANSPORT_V4,
            },
        ),
    )
    assert eng.get("filter", stored["key"]) is stored


def test_a_callout_registered_in_the_state_may_be_referenced() -> None:
    doc = state(("provider", OURS["provider"]), ("sublayer", OURS["sublayer"]))
    doc["callouts"] = [{"key": key("callout/third party")}]
    eng = Engine(doc)
    action = {"type": "FWP_ACTION_CALLOUT_INSPECTION", "callout_key": key("callout/third party")}
    eng.add("filter", filter_("inspect", OURS["provider"], OURS["sublayer"]["key"], action=action))
    assert eng.state()["callouts"] == [{"key": key("callout/third party")}]


# ---- lifetimes and flags ---------------------------------------------------------------------


def test_persistent_object_referencing_a_non_persistent_one_is_a_lifetime_mismatch() -> None:
    static = provider("static", persistent=False)
    eng = Engine(state(("provider", static)))
    persistent_sub = sublayer("persistent", static)
    error = raises("FWP_E_LIFETIME_MISMATCH", lambda: eng.add("sublayer", persistent_sub))
    assert "non-persistent provider" in error.message
    static_sub = sublayer("static", static, persistent=False)
    eng.add("sublayer", static_sub)
    raises(
        "FWP_E_LIFETIME_MISMATCH",
        lambda: eng.add("filter", filter_("p", static, static_sub["key"])),
    )
    eng.add("filter", filter_("s", static, static_sub["key"], persistent=False))


def test_persistent_filter_referencing_a_non_persistent_context_is_a_lifetime_mismatch() -> None:
    eng = _bare_engine()
    static_ctx = context("static ctx", OURS["provider"], persistent=False)
    eng.add("provider_context", static_ctx)
    candidate = filter_(
        "qm",
        OURS["provider"],
        OURS["sublayer"]["key"],
        layer_key=LAYER_IPSEC_V4,
        provider_context_key=static_ctx["key"],
    )
    raises("FWP_E_LIFETIME_MISMATCH", lambda: eng.add("filter", candidate))


def test_persistent_object_referencing_another_providers_persistent_object_is_refused() -> None:
    foreign = basic_objects("foreign")
    doc = basic_state("foreign")
    doc["providers"].append(OURS["provider"])
    eng = Engine(doc)
    in_foreign_sublayer = filter_("ours in theirs", OURS["provider"], foreign["sublayer"]["key"])
    error = raises("FWP_E_LIFETIME_MISMATCH", lambda: eng.add("filter", in_foreign_sublayer))
    assert "another provider" in error.message
    using_foreign_context = filter_(
        "ours with their context",
        OURS["provider"],
        SUBLAYER_UNIVERSAL,
        layer_key=LAYER_IPSEC_V4,
        provider_context_key=foreign["context"]["key"],
    )
    raises("FWP_E_LIFETIME_MISMATCH", lambda: eng.add("filter", using_foreign_context))
    static_filter = filter_(
        "static in theirs", OURS["provider"], foreign["sublayer"]["key"], persistent=False
    )
    eng.add("filter", static_filter)


def test_persistent_filter_in_a_built_in_sublayer_is_fine() -> None:
    eng = _bare_engine()
    eng.add("filter", filter_("in universal", OURS["provider"], SUBLAYER_UNIVERSAL))


def test_persistent_and_boottime_together_are_invalid_flags() -> None:
    eng = _bare_engine()
    both = filter_(
        "both",
        OURS["provider"],
        OURS["sublayer"]["key"],
        flags=["FWPM_FILTER_FLAG_BOOTTIME", "FWPM_FILTER_FLAG_PERSISTENT"],
    )
    raises("FWP_E_INVALID_FLAGS", lambda: eng.add("filter", both))
    boottime = filter_(
        "boot",
        None,
        SUBLAYER_UNIVERSAL,
        persistent=False,
        flags=["FWPM_FILTER_FLAG_BOOTTIME"],
    )
    eng.add("filter", boottime)


# ---- weights and contexts --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("weight", "ok"),
    [
        ({"type": "FWP_EMPTY"}, True),
        ({"type": "FWP_UINT8", "value": 0}, True),
        ({"type": "FWP_UINT8", "value": 15}, True),
        ({"type": "FWP_UINT8", "value": 16}, False),
        ({"type": "FWP_UINT8", "value": 255}, False),
        ({"type": "FWP_UINT64", "value": 2**64 - 1}, True),
        ({"type": "FWP_UINT32", "value": 1}, False),
        ({"type": "FWP_UINT16", "value": 1}, False),
        ({"type": "FWP_INT64", "value": 1}, False),
    ],
)
def test_filter_weights(weight: dict[str, Any], ok: bool) -> None:
    eng = _bare_engine()
    candidate = filter_("weighted", OURS["provider"], OURS["sublayer"]["key"], weight=weight)
    if ok:
        eng.add("filter", candidate)
    else:
        raises("FWP_E_INVALID_WEIGHT", lambda: eng.add("filter", candidate))


@pytest.mark.parametrize(
    ("context_type", "layer_key", "ok"),
    [
        ("FWPM_IPSEC_IKE_QM_TRANSPORT_CONTEXT", LAYER_IPSEC_V4, True),
        ("FWPM_IPSEC_AUTHIP_QM_TRANSPORT_CONTEXT", LAYER_IPSEC_V4, True),
        ("FWPM_IPSEC_IKE_MM_CONTEXT", LAYER_IKEEXT_V4, True),
        ("FWPM_IPSEC_IKE_QM_TRANSPORT_CONTEXT", LAYER_IKEEXT_V4, False),
        ("FWPM_IPSEC_IKE_MM_CONTEXT", LAYER_IPSEC_V4, False),
        ("FWPM_IPSEC_AUTHIP_MM_CONTEXT", LAYER_INBOUND_TRANSPORT_V4, False),
    ],
)
def test_context_type_must_suit_the_filter_layer(
    context_type: str, layer_key: str, ok: bool
) -> None:
    eng = _bare_engine()
    ctx = eng.add("provider_context", context("ctx", OURS["provider"], context_type))
    candidate = filter_(
        "f",
        OURS["provider"],
        OURS["sublayer"]["key"],
        layer_key=layer_key,
        provider_context_key=ctx["key"],
    )
    if ok:
        eng.add("filter", candidate)
    else:
        raises("FWP_E_CONTEXT_INCOMPATIBLE_WITH_LAYER", lambda: eng.add("filter", candidate))


@pytest.mark.parametrize(
    ("context_type", "refused"),
    [
        ("FWPM_IPSEC_IKE_QM_TRANSPORT_CONTEXT", True),
        ("FWPM_IPSEC_AUTHIP_QM_TRANSPORT_CONTEXT", False),
        ("FWPM_IPSEC_IKEV2_QM_TRANSPORT_CONTEXT", True),
    ],
)
def test_extended_mode_is_authip_only(context_type: str, refused: bool) -> None:
    eng = _bare_engine()
    candidate = context("em", OURS["provider"], context_type, policy=qm_policy(EM_POLICY))
    if refused:
        raises("FWP_E_EM_NOT_SUPPORTED", lambda: eng.add("provider_context", candidate))
    else:
        eng.add("provider_context", candidate)


def test_malformed_objects_are_invalid_parameters_naming_the_field() -> None:
    eng = _bare_engine()
    broken = dict(OURS["filter"], key=key("filter/broken"), action={"type": "FWP_ACTION_NOPE"})
    error = raises("FWP_E_INVALID_PARAMETER", lambda: eng.add("filter", broken))
    assert "filter.action.type" in error.message


# ---- runtime ---------------------------------------------------------------------------------


def test_adds_assign_increasing_runtime_ids_that_never_affect_comparison() -> None:
    eng = Engine(model.empty_state())
    for object_type in ("provider", "sublayer"):
        eng.add(object_type, OURS[object_type])
    first_ctx = eng.add("provider_context", OURS["context"])
    second_ctx = eng.add("provider_context", context("second", OURS["provider"]))
    first = eng.add("filter", OURS["filter"])
    second = eng.add("filter", OURS["context_filter"])
    ranged = eng.add(
        "filter",
        filter_(
            "ranged",
            OURS["provider"],
            OURS["sublayer"]["key"],
            weight={"type": "FWP_UINT8", "value": 3},
        ),
    )
    assert first["runtime"]["filter_id"] < second["runtime"]["filter_id"]
    assert second["runtime"]["filter_id"] < ranged["runtime"]["filter_id"]
    ctx_ids = [c["runtime"]["provider_context_id"] for c in (first_ctx, second_ctx)]
    assert ctx_ids[0] < ctx_ids[1]
    assert first["runtime"]["effective_weight"] == {"type": "FWP_UINT64", "value": 0x100}
    assert ranged["runtime"]["effective_weight"]["value"] >> 60 == 3  # range in the top 4 bits
    assert "runtime" not in OURS["filter"]  # the given object is not touched

    expected = model.fingerprint(basic_state())
    eng.delete("filter", ranged["key"])
    eng.delete("provider_context", second_ctx["key"])
    assert model.fingerprint(eng.owned(PK)) == expected
    assert model.comparable("filter", first) == OURS["filter"]


def test_runtime_ids_continue_after_the_highest_loaded_id() -> None:
    doc = basic_state()
    doc["filters"][0]["runtime"] = {"filter_id": 500, "effective_weight": {"type": "FWP_EMPTY"}}
    eng = Engine(doc)
    added = eng.add("filter", filter_("next", OURS["provider"], OURS["sublayer"]["key"]))
    assert added["runtime"]["filter_id"] == 501


# ---- transactions ----------------------------------------------------------------------------


def test_an_exception_inside_a_transaction_restores_the_exact_prior_state() -> None:
    eng = engine()
    before = snapshot(eng)
    extra = filter_("extra", OURS["provider"], OURS["sublayer"]["key"])
    with pytest.raises(RuntimeError), eng.transaction():
        eng.delete("filter", OURS["filter"]["key"])
        eng.delete("filter", OURS["context_filter"]["key"])
        eng.delete("provider_context", OURS["context"]["key"])
        eng.add("filter", extra)
        eng.add("provider_context", context("new ctx", OURS["provider"]))
        raise RuntimeError("boom")
    assert eng.state() == before
    assert not eng.in_transaction
    # indexes are restored too: the context is in use again, the extra filter is gone
    raises("FWP_E_IN_USE", lambda: eng.delete("provider_context", OURS["context"]["key"]))
    raises("FWP_E_FILTER_NOT_FOUND", lambda: eng.delete("filter", extra["key"]))
    # and runtime ids restart where they were
    assert eng.add("filter", extra)["runtime"]["filter_id"] == 1


def test_a_failing_operation_inside_a_transaction_rolls_back_earlier_ones() -> None:
    eng = engine()
    before = snapshot(eng)
    with pytest.raises(WfpError), eng.transaction():
        eng.delete("filter", OURS["filter"]["key"])
        eng.delete("sublayer", OURS["sublayer"]["key"])  # still used by context_filter
    assert eng.state() == before


def test_a_committed_transaction_keeps_its_changes() -> None:
    eng = engine()
    with eng.transaction():
        eng.delete("filter", OURS["filter"]["key"])
    assert eng.get("filter", OURS["filter"]["key"]) is None
    assert eng.count("filter") == 1


def test_nested_transactions_fail_with_txn_in_progress() -> None:
    eng = engine()
    before = snapshot(eng)
    with pytest.raises(WfpError) as caught, eng.transaction():
        eng.delete("filter", OURS["filter"]["key"])
        with eng.transaction():
            pass  # pragma: no cover - never entered
    assert caught.value.code == "FWP_E_TXN_IN_PROGRESS"
    assert eng.state() == before
    raises("FWP_E_NO_TXN_IN_PROGRESS", eng.commit)
    raises("FWP_E_NO_TXN_IN_PROGRESS", eng.abort)


# ---- plans -----------------------------------------------------------------------------------


def test_apply_plan_applies_every_operation_and_counts_them() -> None:
    base = basic_state()
    replacement = dict(OURS["filter"], weight={"type": "FWP_UINT64", "value": 7})
    plan = plan_for(
        base,
        PK,
        delete_op("filter", OURS["filter"]),
        add_op("filter", replacement),
        add_op("provider_context", context("mm", OURS["provider"], "FWPM_IPSEC_IKE_MM_CONTEXT")),
    )
    new_state, result = apply_plan(base, plan)
    assert result["applied"] == 3
    assert result["added"] == {"filter": 1, "provider_context": 1}
    assert result["deleted"] == {"filter": 1}
    assert result["base_fingerprint"] == plan["base_fingerprint"]
    assert result["fingerprint"] == model.fingerprint(model.owned_state(new_state, PK))
    stored = next(f for f in new_state["filters"] if f["key"] == OURS["filter"]["key"])
    assert stored["weight"] == {"type": "FWP_UINT64", "value": 7}
    assert len(new_state["provider_contexts"]) == 2


def test_a_plan_made_from_another_state_is_refused_and_nothing_changes() -> None:
    eng = engine()
    before = snapshot(eng)
    stale = basic_state()
    stale["filters"] = stale["filters"][:1]
    plan = plan_for(stale, PK, delete_op("filter", stale["filters"][0]))
    with pytest.raises(PlanRefused) as caught:
        eng.apply_plan(plan)
    assert caught.value.code == "STATE_CHANGED"
    assert "changed since the plan was made" in str(caught.value)
    assert caught.value.details()["expected_fingerprint"] == plan["base_fingerprint"]
    assert eng.state() == before


def test_foreign_objects_do_not_change_the_base_fingerprint() -> None:
    base = basic_state()
    plan = plan_for(base, PK, delete_op("filter", OURS["filter"]))
    with_foreign = basic_state()
    foreign = basic_state("foreign")
    for list_name in model.LIST_NAMES.values():
        with_foreign[list_name] += foreign[list_name]
    assert Engine(with_foreign).apply_plan(plan)["applied"] == 1


def test_a_failing_plan_names_the_operation_and_leaves_the_state_unchanged() -> None:
    eng = engine()
    before = snapshot(eng)
    plan = plan_for(
        basic_state(),
        PK,
        delete_op("filter", OURS["filter"]),
        delete_op("provider_context", OURS["context"]),  # context_filter still uses it
        delete_op("filter", OURS["context_filter"]),
    )
    with pytest.raises(WfpError) as caught:
        eng.apply_plan(plan)
    details = caught.value.details()
    assert details["op_index"] == 1
    assert details["op"] == "delete"
    assert details["type"] == "provider_context"
    assert details["key"] == OURS["context"]["key"]
    assert details["name"] == OURS["context"]["name"]
    assert details["code"] == "FWP_E_IN_USE"
    assert details["hresult"] == "0x8032000A"
    assert "referenced by filter" in details["message"]
    assert str(caught.value).startswith("operation 1: delete provider_context 'ours qm'")
    assert eng.state() == before


def test_an_add_without_its_object_is_an_invalid_parameter() -> None:
    base = basic_state()
    operation = add_op("filter", filter_("x", OURS["provider"], OURS["sublayer"]["key"]))
    del operation["object"]
    error = raises(
        "FWP_E_INVALID_PARAMETER", lambda: preflight(base, plan_for(base, PK, operation))
    )
    assert error.context["op_index"] == 0


def test_preflight_raises_the_same_errors_and_never_mutates_its_input() -> None:
    base = basic_state()
    good = plan_for(
        base,
        PK,
        delete_op("filter", OURS["filter"]),
        add_op("filter", dict(OURS["filter"], name="renamed")),
    )
    bad = plan_for(base, PK, delete_op("sublayer", OURS["sublayer"]))
    base_copy, good_copy, bad_copy = copy.deepcopy((base, good, bad))
    preflight(base, good)
    with pytest.raises(WfpError) as caught:
        preflight(base, bad)
    assert caught.value.code == "FWP_E_IN_USE"
    with pytest.raises(WfpError) as direct:
        Engine(copy.deepcopy(base)).apply_plan(bad)
    assert direct.value.details() == caught.value.details()
    assert (base, good, bad) == (base_copy, good_copy, bad_copy)


def _many_filters(template: dict[str, Any], prefix: str, count: int) -> list[dict[str, Any]]:
    return [
        dict(template, key=key(f"{prefix}/{index}"), name=f"{prefix} {index}")
        for index in range(count)
    ]


def test_a_large_replace_plan_preflights_cleanly() -> None:
    """Correctness at scale; its speed is measured in bench/bench_plan.py, never timed here."""
    foreign = basic_objects("foreign")
    doc = basic_state()
    doc["providers"].append(foreign["provider"])
    doc["sublayers"].append(foreign["sublayer"])
    doc["filters"] = _many_filters(OURS["filter"], "owned", 2_000)
    doc["filters"] += _many_filters(foreign["filter"], "foreign", 10_000)
    owned = doc["filters"][:2_000]
    operations = [delete_op("filter", f) for f in owned]
    operations += [delete_op("sublayer", OURS["sublayer"])]
    operations += [add_op("sublayer", dict(OURS["sublayer"], weight=9))]
    operations += [
        add_op("filter", dict(f, weight={"type": "FWP_UINT8", "value": 2})) for f in owned
    ]
    plan = plan_for(doc, PK, *operations)
    preflight(doc, plan)  # raises on any refusal
    after, result = apply_plan(doc, plan)
    assert result["applied"] == len(operations)
    assert (
        after["sublayers"][[s["key"] for s in after["sublayers"]].index(OURS["sublayer"]["key"])][
            "weight"
        ]
        == 9
    )
