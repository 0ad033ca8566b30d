"""plugin_utils/schemas/state.schema.json accepts canonical states and rejects broken ones."""

from __future__ import annotations

import json
from typing import Any

import pytest
from ansible_collections.wfp.ipsec.plugins.plugin_utils import model
from ansible_collections.wfp.ipsec.plugins.plugin_utils.datacopy import copied
from ansible_collections.wfp.ipsec.plugins.plugin_utils.live import SCHEMA_PATH, state_problems

from . import states


def test_schema_is_draft_2020_12() -> None:
    assert (
        json.loads(SCHEMA_PATH.read_text())["$schema"]
        == "https://json-schema.org/draft/2020-12/schema"
    )


@pytest.mark.parametrize("make", [states.guaranteed_encryption, states.rich])
def test_canonical_states_are_valid(make: Any) -> None:
    _key, state = make()
    assert state_problems(state) == []
    assert state_problems(model.empty_state()) == []


def _with_raw_context(state: dict[str, Any]) -> dict[str, Any]:
    return next(f for f in state["filters"] if f["raw_context"] is not None)


def _broken(change: Any) -> list[str]:
    _key, state = states.rich()
    state = copied(state)
    change(state)
    return state_problems(state)


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda s: s["filters"][0].pop("description"), "filters[0]"),
        (
            lambda s: _with_raw_context(s).update(
                provider_context_key=s["provider_contexts"][0]["key"]
            ),
            "filters[",
        ),
        (
            lambda s: s["providers"][0].update(key=s["providers"][0]["key"].upper()),
            "providers[0].key",
        ),
        (lambda s: s["sublayers"][0].update(weight=70000), "sublayers[0].weight"),
        (lambda s: _with_raw_context(s)["weight"].update(value="big"), ".weight"),
        (lambda s: _with_raw_context(s).update(raw_context=-1), ".raw_context"),
        (lambda s: s.update(format="wfp.ipsec.state/2"), "state.format"),
        (lambda s: s["provider_contexts"][0]["policy"].pop("flags"), "provider_contexts[0]"),
    ],
)
def test_broken_states_are_rejected(change: Any, where: str) -> None:
    problems = _broken(change)
    assert problems and any(where in p or where.startswith("state") for p in problems), problems


UNSUPPORTED = {
    "type": "filter",
    "key": "0dd00001-0000-4000-8000-000000000001",
    "name": "Foreign oddity",
    "provider_key": "4b153735-1049-4480-aab4-d1b9bdc03710",
    "layer_key": "e1cd9fe7-f4b5-4273-96c0-592e487b8650",
    "sublayer_key": "b3cdd441-af90-41ba-a745-7c6008ff2301",
    "reason": "0x00000077 values cannot be read",
}


def test_unsupported_records_are_valid_and_checked() -> None:
    state = {**model.empty_state(), "unsupported": [UNSUPPORTED]}
    assert state_problems(state) == []
    for broken in (
        {k: v for k, v in UNSUPPORTED.items() if k != "reason"},
        {**UNSUPPORTED, "reason": ""},
        {**UNSUPPORTED, "type": "callout"},
        {**UNSUPPORTED, "key": "not-a-guid"},
        {**UNSUPPORTED, "conditions": []},  # a record is not a half-converted object
    ):
        problems = state_problems({**model.empty_state(), "unsupported": [broken]})
        assert problems and all(p.startswith("state.unsupported[0]") for p in problems), broken


def test_ikev2_contexts_are_checked_as_policies_not_passed_through() -> None:
    from ansible_collections.wfp.ipsec.plugins.plugin_utils.declaration import validate

    certificate = {"method": "certificate", "root_subjects": ["CN=Root"]}
    declaration = {
        "scenario": {"ikev2_transport": {"main_mode": {"authentication": [certificate]}}}
    }
    state = copied(validate(declaration).desired)
    mm = next(c for c in state["provider_contexts"] if c["type"] == "FWPM_IPSEC_IKEV2_MM_CONTEXT")
    mm["policy"]["authentication_methods"][0]["type"] = "IKEEXT_CERTIFICATE_ECDSA_P256"
    assert state_problems(state) == []
    for index in range(len(state["provider_contexts"])):  # the MM and the QM context
        broken = copied(state)
        broken["provider_contexts"][index]["policy"].pop("proposals")
        problems = state_problems(broken)
        assert problems and problems[0].startswith(f"state.provider_contexts[{index}].policy")
