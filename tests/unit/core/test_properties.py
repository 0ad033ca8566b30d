"""Properties of plan + engine over random drift of the guaranteed-encryption scenario.

* a converged host has an empty plan;
* every plan pre-flights, and applying it to a host holding drifted objects of ours plus random
  foreign ones yields exactly the desired objects, leaving every foreign object untouched;
* one more required port is exactly four more filters (both IP versions);
* the plan is its definition, computed object by object (what plan.py computes with indexes
  and set operations).
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from ansible_collections.wfp.ipsec.plugins.plugin_utils import model
from ansible_collections.wfp.ipsec.plugins.plugin_utils.engine import Engine, preflight, references
from ansible_collections.wfp.ipsec.plugins.plugin_utils.plan import make_plan
from ansible_collections.wfp.ipsec.plugins.plugin_utils.scenario import expand, provider_key_of
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st

from tests.unit.core.builders import (
    LAYER_IPSEC_V4,
    SUBLAYER_UNIVERSAL,
    context,
    filter_,
    provider,
    sublayer,
)

State = dict[str, Any]
Obj = dict[str, Any]

# Finding one example is enough for the generator sanity check: no shrinking, no database.
FIND_SETTINGS = settings(max_examples=2000, phases=[Phase.generate], database=None)
PROPERTY_SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

# ---- desired states --------------------------------------------------------------------------

ports = st.lists(
    st.tuples(st.integers(1, 65535), st.sampled_from(["tcp", "udp"])),
    max_size=3,
    unique=True,
).map(lambda pairs: [{"port": port, "protocol": protocol} for port, protocol in pairs])
auth = st.sampled_from(
    [
        [{"method": "kerberos"}],
        [{"method": "preshared_key", "key": "correct horse battery staple"}],
        [{"method": "kerberos"}, {"method": "certificate", "root_subjects": ["CN=Corp Root"]}],
    ]
)


@st.composite
def declarations(draw: st.DrawFn) -> dict[str, Any]:
    modules = draw(st.sampled_from([["authip", "ike"], ["ike"], ["authip"]]))
    options: dict[str, Any] = {
        "keying_modules": modules,
        "ip_versions": draw(st.sampled_from([[4, 6], [4], [6]])),
        "icmp_exemption": draw(st.booleans()),
        "required_ports": draw(ports),
        "main_mode": {"authentication": draw(auth)},
    }
    if "authip" in modules and draw(st.booleans()):
        options["extended_mode"] = {"authentication": [{"method": "kerberos"}]}
    return {
        "persistent": draw(st.booleans()),
        "provider": {"name": draw(st.sampled_from(["wfp.ipsec", "corp ipsec"]))},
        "scenario": {"guaranteed_encryption": options},
    }


# ---- drift -----------------------------------------------------------------------------------


def _all(state: State) -> list[tuple[str, Obj]]:
    return list(model.iter_objects(state))


def _remove_with_dependants(state: State, doomed: set[str]) -> None:
    """Delete objects and everything that (transitively) references them."""
    changed = True
    while changed:
        changed = False
        for object_type, obj in _all(state):
            if obj["key"] in doomed:
                continue
            if any(ref_key in doomed for _ref_type, ref_key in references(object_type, obj)):
                doomed.add(obj["key"])
                changed = True
    for list_name in model.LIST_NAMES.values():
        state[list_name] = [obj for obj in state[list_name] if obj["key"] not in doomed]


def _mutate(draw: st.DrawFn, object_type: str, obj: Obj) -> None:
    choice = draw(st.integers(0, 3))
    if choice == 0:
        obj["name"] = obj["name"] + " (edited)"
    elif object_type == "filter" and choice == 1:
        obj["weight"] = {"type": "FWP_UINT64", "value": draw(st.integers(0, 2**64 - 1))}
    elif object_type == "filter" and choice == 2:
        if obj["conditions"]:
            obj["conditions"] = obj["conditions"][1:]
        else:
            obj["flags"] = sorted({*obj["flags"], "FWPM_FILTER_FLAG_INDEXED"})
    elif object_type == "provider_context" and "proposals" in obj["policy"]:
        proposal = obj["policy"]["proposals"][0]
        if "lifetime" in proposal:
            proposal["lifetime"]["seconds"] = draw(st.integers(1, 86400))
        else:
            proposal["max_lifetime_seconds"] = draw(st.integers(1, 86400))
    elif object_type == "sublayer":
        obj["weight"] = draw(st.integers(0, 0xFFFF))
    else:
        obj["description"] = "drifted"


def _runtime(state: State, draw: st.DrawFn) -> None:
    for object_type, obj in _all(state):
        if object_type == "filter":
            obj["runtime"] = {
                "filter_id": draw(st.integers(1, 2**40)),
                "effective_weight": {"type": "FWP_UINT64", "value": draw(st.integers(0, 99))},
            }
        elif object_type == "provider_context":
            obj["runtime"] = {"provider_context_id": draw(st.integers(1, 2**40))}


def _strays(draw: st.DrawFn, state: State, persistent: bool, provider_key: str) -> None:
    """Stray owned objects: a context and a filter using it, in our sublayer."""
    owner = next((p for p in state["providers"] if p["key"] == provider_key), None)
    ours = [s for s in state["sublayers"] if s["provider_key"] == provider_key]
    if owner is None or not ours or not draw(st.booleans()):
        return
    stray_context = context("stray qm", owner, persistent=persistent)
    stray_filter = filter_(
        "stray qm filter",
        owner,
        ours[0]["key"],
        layer_key=LAYER_IPSEC_V4,
        persistent=persistent,
        provider_context_key=stray_context["key"],
    )
    state["provider_contexts"].append(stray_context)
    state["filters"].append(stray_filter)


def _foreign(draw: st.DrawFn) -> State:
    """A foreign provider with its own sublayer, contexts and filters, and one filter in a
    built-in sublayer."""
    result = model.empty_state()
    count = draw(st.integers(0, 2))
    for index in range(count):
        persistent = draw(st.booleans())
        prov = provider(f"foreign {index}", persistent)
        sub = sublayer(f"foreign {index} sublayer", prov, persistent)
        ctx = context(f"foreign {index} qm", prov, persistent=persistent)
        result["providers"].append(prov)
        result["sublayers"].append(sub)
        result["provider_contexts"].append(ctx)
        for number in range(draw(st.integers(0, 3))):
            result["filters"].append(
                filter_(
                    f"foreign {index}/{number}", prov, sub["key"], persistent=persistent, port=80
                )
            )
        result["filters"].append(
            filter_(
                f"foreign {index} qm",
                prov,
                sub["key"],
                layer_key=LAYER_IPSEC_V4,
                persistent=persistent,
                provider_context_key=ctx["key"],
            )
        )
        if index == 0:
            result["filters"].append(
                filter_(
                    f"foreign {index} universal", prov, SUBLAYER_UNIVERSAL, persistent=persistent
                )
            )
    result["filters"].append(filter_("providerless", None, SUBLAYER_UNIVERSAL, persistent=False))
    return result


@st.composite
def hosts(draw: st.DrawFn) -> tuple[dict[str, Any], State, State]:
    """(declaration, desired state, host state = drifted desired + foreign objects)."""
    declaration = draw(declarations())
    desired = expand(declaration)
    provider_key = provider_key_of(declaration)
    actual = copy.deepcopy(desired)
    objects = _all(actual)
    deleted = draw(st.sets(st.sampled_from([o["key"] for _object_type, o in objects]), max_size=4))
    _remove_with_dependants(actual, set(deleted))
    survivors = _all(actual)
    if survivors:
        for index in draw(st.sets(st.integers(0, len(survivors) - 1), max_size=5)):
            _mutate(draw, *survivors[index])
    _strays(draw, actual, bool(declaration["persistent"]), provider_key)
    foreign = _foreign(draw)
    _runtime(foreign, draw)
    _runtime(actual, draw)
    for list_name in model.LIST_NAMES.values():
        actual[list_name] = actual[list_name] + foreign[list_name]
    return declaration, desired, actual


# ---- properties ------------------------------------------------------------------------------


def _comparable(state: State) -> dict[str, list[Obj]]:
    return {
        list_name: sorted(
            (model.comparable(object_type, obj) for obj in state[list_name]),
            key=lambda o: str(o["key"]),
        )
        for object_type, list_name in model.LIST_NAMES.items()
    }


@PROPERTY_SETTINGS
@given(declarations())
def test_a_converged_host_has_an_empty_plan(declaration: dict[str, Any]) -> None:
    desired = expand(declaration)
    assert make_plan(desired, desired, provider_key_of(declaration))["operations"] == []


@PROPERTY_SETTINGS
@given(hosts())
def test_every_plan_preflights_and_converges_without_touching_foreign_objects(
    host: tuple[dict[str, Any], State, State],
) -> None:
    declaration, desired, actual = host
    provider_key = provider_key_of(declaration)
    plan = make_plan(desired, actual, provider_key)
    snapshot = copy.deepcopy(actual)
    preflight(actual, plan)
    assert actual == snapshot

    engine = Engine(actual)
    engine.apply_plan(plan)
    assert _comparable(engine.owned(provider_key)) == _comparable(desired)
    owned_keys = {o["key"] for o in model.all_objects(model.owned_state(actual, provider_key))}
    for object_type, obj in model.iter_objects(actual):
        if obj["key"] not in owned_keys:
            assert engine.get(object_type, obj["key"]) == obj
    assert make_plan(desired, engine.state(), provider_key)["operations"] == []


def _plan_by_definition(
    desired: State, actual: State, provider_key: str
) -> list[tuple[str, str, str, str]]:
    """(op, type, key, reason) in order, from plan.py's definition, one object at a time."""
    owned = model.owned_state(actual, provider_key)
    want = {(t, o["key"]): o for t, o in model.iter_objects(desired)}
    have = {(t, o["key"]): o for t, o in model.iter_objects(owned)}
    reasons = {ident: "missing" for ident in want if ident not in have}
    reasons |= {ident: "unexpected" for ident in have if ident not in want}
    reasons |= {
        ident: "changed"
        for ident in want
        if ident in have
        and model.comparable(ident[0], want[ident]) != model.comparable(ident[0], have[ident])
    }
    dragging = True
    while dragging:  # whatever references a replaced object is replaced with it
        dragging = False
        for ident, obj in have.items():
            replaced = [
                ref for ref in references(ident[0], obj) if reasons.get(ref, "missing") != "missing"
            ]
            if ident not in reasons and replaced:
                reasons[ident] = "dependency"
                dragging = True

    def order(ident: tuple[str, str], obj: Obj, sign: int) -> tuple[int, str, str]:
        return (sign * model.OBJECT_TYPES.index(ident[0]), str(obj.get("name") or ""), ident[1])

    deletes = sorted(
        (i for i, r in reasons.items() if r != "missing" and i in have),
        key=lambda i: order(i, have[i], -1),
    )
    adds = sorted(
        (i for i, r in reasons.items() if r != "unexpected" and i in want),
        key=lambda i: order(i, want[i], 1),
    )
    return [("delete", *i, reasons[i]) for i in deletes] + [("add", *i, reasons[i]) for i in adds]


@PROPERTY_SETTINGS
@given(hosts())
def test_the_plan_is_its_definition(host: tuple[dict[str, Any], State, State]) -> None:
    declaration, desired, actual = host
    provider_key = provider_key_of(declaration)
    plan = make_plan(desired, actual, provider_key)
    made = [(op["op"], op["type"], op["key"], op["reason"]) for op in plan["operations"]]
    assert made == _plan_by_definition(desired, actual, provider_key)
    for operation in plan["operations"]:
        if operation["op"] == "add":
            wanted = (operation["type"], operation["key"])
            assert any(
                obj is operation["object"]
                for object_type, obj in model.iter_objects(desired)
                if (object_type, obj["key"]) == wanted
            )


@PROPERTY_SETTINGS
@given(declarations(), st.integers(1, 65535), st.sampled_from(["tcp", "udp"]))
def test_one_more_required_port_is_four_more_filters(
    declaration: dict[str, Any], port: int, protocol: str
) -> None:
    options = declaration["scenario"]["guaranteed_encryption"]
    options["ip_versions"] = [4, 6]
    existing = {(p["port"], p["protocol"]) for p in options["required_ports"]}
    if (port, protocol) in existing:
        return
    before = expand(declaration)
    options["required_ports"] = [*options["required_ports"], {"port": port, "protocol": protocol}]
    after = expand(declaration)
    provider_key = provider_key_of(declaration)
    plan = make_plan(after, before, provider_key)
    # The first required port also brings the IKE/AuthIP exemptions to the connect layer
    # (IPv4 UDP 500 and 4500, IPv6 UDP 500): a layer with a callout gets them.
    first = not existing and options.get("ike_exemption", True)
    added = 4 + (3 if first else 0)
    assert [(o["op"], o["type"]) for o in plan["operations"]] == [("add", "filter")] * added
    assert len(after["filters"]) == len(before["filters"]) + added
    preflight(before, plan)


def _reasons(host: tuple[dict[str, Any], State, State]) -> set[tuple[str, str, str]]:
    declaration, desired, actual = host
    plan = make_plan(desired, actual, provider_key_of(declaration))
    return {(o["op"], o["type"], o["reason"]) for o in plan["operations"]}


@pytest.mark.filterwarnings("ignore:Generating overly large repr")
def test_the_generator_produces_every_kind_of_drift() -> None:
    """Sanity: hosts with stray contexts, changed filters and dragged dependants exist."""
    wanted = [
        ("delete", "provider_context", "unexpected"),
        ("delete", "filter", "unexpected"),
        ("add", "filter", "missing"),
        ("add", "filter", "changed"),
        ("add", "provider_context", "changed"),
        ("add", "filter", "dependency"),
    ]
    for reason in wanted:
        found = find(
            hosts(), lambda host, reason=reason: reason in _reasons(host), settings=FIND_SETTINGS
        )
        assert reason in _reasons(found)
    with_foreign = find(
        hosts(), lambda host: len(host[2]["providers"]) >= 3, settings=FIND_SETTINGS
    )
    assert any(f["sublayer_key"] == SUBLAYER_UNIVERSAL for f in with_foreign[2]["filters"])
