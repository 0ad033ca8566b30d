"""The pre-flight's fast paths decide exactly what the reference paths decide.

`_may_hold_control_text` lets `object_problems` skip the exact walk of every string: it may
raise a false alarm (the walk then decides), never miss a character the walk reports. The
pre-flight of a canonical plan tests only the strings a canonical filter can hold as declared
(tests/unit/policy/test_canonical_text.py proves which): it must decide what the full engine
decides.
"""

from __future__ import annotations

from typing import Any
from unittest.mock import patch

from ansible_collections.wfp.ipsec.plugins.plugin_utils import engine, model
from ansible_collections.wfp.ipsec.plugins.plugin_utils.datacopy import copied
from ansible_collections.wfp.ipsec.plugins.plugin_utils.engine import preflight
from ansible_collections.wfp.ipsec.plugins.plugin_utils.plan import make_plan
from ansible_collections.wfp.ipsec.plugins.plugin_utils.scenario import expand
from ansible_collections.wfp.ipsec.plugins.plugin_utils.scenarios.keys import derived_key
from hypothesis import event, given, settings
from hypothesis import strategies as st

from tests.unit.core.test_preflight_scope import canonical_preflight, full_preflight, outcome
from tests.unit.policy.test_canonical_text import raw_filters

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


# Canonical filters as a declaration or a host read gives them (text anywhere it can be), on
# the built-in sublayer or a random one, with or without a provider: the fast path of a
# canonical plan must pass exactly the filters the full engine passes, and fail like it.
@st.composite
def canonical_filters(draw: st.DrawFn) -> dict[str, Any] | None:
    raw = dict(draw(raw_filters))
    if draw(st.booleans()):
        raw["sublayer_key"] = "FWPM_SUBLAYER_UNIVERSAL"
    if draw(st.booleans()):
        raw.pop("provider_key", None)
        raw.pop("provider_context_key", None)
    try:
        return model.canonical("filter", raw)
    except model.ModelError:
        return None


@settings(max_examples=400, deadline=None)
@given(st.lists(canonical_filters(), min_size=1, max_size=4))
def test_a_canonical_plan_fails_like_the_full_engine(found: list[dict[str, Any] | None]) -> None:
    filters = [obj for obj in found if obj is not None]
    operations = [
        {"op": "add", "type": "filter", "key": obj["key"], "name": obj["name"], "object": obj}
        for obj in filters
    ]
    state = model.empty_state()
    plan = {"provider_key": PROVIDER, "base_fingerprint": BASE, "operations": operations}
    expected = full_preflight(state, plan)
    event(expected[1] if expected else "applies")
    assert canonical_preflight(state, plan) == expected


def test_a_fresh_hosts_filters_are_checked_together() -> None:
    """A plan's trailing filter adds do not go through `add` when all are fine; one bad filter
    among them sends them one by one, and is refused with the exact check's error."""
    declaration = {"scenario": {"guaranteed_encryption": {}}}
    desired = model.canonical_state(expand(declaration))
    sublayer = desired["sublayers"][0]["key"]
    provider = desired["providers"][0]["key"]
    desired["filters"] += [
        model.canonical("filter", _port_filter(provider, sublayer, port)) for port in range(1, 100)
    ]
    state = model.empty_state()
    plan = make_plan(desired, state, provider)
    filters = sum(operation["type"] == "filter" for operation in plan["operations"])
    added: list[str] = []
    original = engine._CanonicalPlanEngine.add

    def counting_add(self: Any, object_type: str, obj: Any, **flags: Any) -> Any:
        added.append(object_type)
        return original(self, object_type, obj, **flags)

    with patch.object(engine._CanonicalPlanEngine, "add", counting_add):
        preflight(state, plan, base_verified=True, canonical_plan=True)
        assert "filter" not in added and added  # the provider and sublayer went one by one
        added.clear()
        bad = copied(plan)
        bad["operations"][-3]["object"]["weight"] = {"type": "FWP_UINT8", "value": 99}
        refused = canonical_preflight(state, bad)
    assert refused is not None and refused[1] == "FWP_E_INVALID_WEIGHT"
    assert refused == full_preflight(state, bad)
    assert added.count("filter") == filters - 2  # one by one, up to the bad filter


def _port_filter(provider: str, sublayer: str, port: int) -> dict[str, Any]:
    return {
        "key": derived_key(provider, f"test/{port}"),
        "name": f"port {port}",
        "flags": ["FWPM_FILTER_FLAG_PERSISTENT"],
        "provider_key": provider,
        "layer_key": "FWPM_LAYER_ALE_AUTH_RECV_ACCEPT_V4",
        "sublayer_key": sublayer,
        "weight": {"type": "FWP_UINT64", "value": port},
        "conditions": [
            {
                "field_key": "FWPM_CONDITION_IP_LOCAL_PORT",
                "match_type": "FWP_MATCH_EQUAL",
                "value": {"type": "FWP_UINT16", "value": port},
            }
        ],
        "action": {"type": "FWP_ACTION_BLOCK"},
    }


PROVIDER = "5eaf0000-0000-4000-8000-00000000000a"
BASE = model.fingerprint(model.empty_state())


def test_a_control_character_in_a_text_value_is_refused_by_the_fast_path_too() -> None:
    condition = {
        "field_key": "FWPM_CONDITION_ALE_USER_ID",
        "match_type": "FWP_MATCH_EQUAL",
        "value": {"type": "FWP_SECURITY_DESCRIPTOR_TYPE", "value": "O:SYG:SYD:(A;;CC;;;SY)\x07"},
    }
    obj = model.canonical(
        "filter",
        {
            "key": "5eaf0000-0000-4000-8000-00000000000b",
            "layer_key": "FWPM_LAYER_ALE_AUTH_CONNECT_V4",
            "sublayer_key": "FWPM_SUBLAYER_UNIVERSAL",
            "action": {"type": "FWP_ACTION_PERMIT"},
            "conditions": [condition],
        },
    )
    operation = {"op": "add", "type": "filter", "key": obj["key"], "name": "", "object": obj}
    plan = {"provider_key": PROVIDER, "base_fingerprint": BASE, "operations": [operation]}
    state = model.empty_state()
    refused = outcome(lambda: preflight(state, plan, base_verified=True, canonical_plan=True))
    assert refused is not None and refused[1] == engine.CONTROL_CHARACTER
    assert "conditions[0].value.value" in refused[2]
    assert refused == full_preflight(state, plan)
