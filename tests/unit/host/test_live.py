"""Rung 6: the live backend (plugin_utils/live.py) and its contract with the host module."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from ansible_collections.wfp.ipsec.plugins.plugin_utils import model, plan
from ansible_collections.wfp.ipsec.plugins.plugin_utils.backend import BackendError
from ansible_collections.wfp.ipsec.plugins.plugin_utils.live import ModuleBackend, plan_arguments

from . import states
from .conftest import Host, HostError


class FakeModule:
    """Stands in for ActionBase._execute_module: records calls, answers canned replies."""

    def __init__(self, *replies: Any) -> None:
        self.replies = list(replies)
        self.calls: list[dict[str, Any]] = []

    def __call__(self, module_args: dict[str, Any]) -> dict[str, Any]:
        self.calls.append(copy.deepcopy(module_args))
        reply = self.replies.pop(0)
        if isinstance(reply, Exception):
            raise reply
        return reply  # type: ignore[no-any-return]


def owned_state() -> tuple[str, dict[str, Any]]:
    provider_key, desired = states.guaranteed_encryption()
    return provider_key, desired


def test_read_is_one_module_call_and_returns_the_validated_state() -> None:
    provider_key, state = owned_state()
    module = FakeModule({"changed": False, "state_json": json.dumps(state)})
    assert ModuleBackend(module).read(provider_key) == state
    assert module.calls == [{"_operation": "read", "provider_key": provider_key}]


def test_read_all_and_apply_are_one_call_each() -> None:
    provider_key, state = owned_state()
    the_plan = plan.make_plan(state, model.empty_state(), provider_key)
    result = {
        "applied": 30,
        "base_fingerprint": the_plan["base_fingerprint"],
        "fingerprint": "sha256:00",
        "state": state,
    }
    module = FakeModule(
        {"state_json": json.dumps(state)},
        {"changed": True, "result_json": json.dumps(result)},
    )
    backend = ModuleBackend(module)
    assert backend.read_all() == state
    applied = backend.apply(the_plan)
    assert applied["applied"] == 30 and applied["changed"] is True and applied["state"] == state
    assert module.calls[0] == {"_operation": "read_all"}
    assert (
        module.calls[1]["_operation"] == "apply" and json.loads(module.calls[1]["plan"]) == the_plan
    )
    assert len(module.calls) == 2


def test_module_failure_becomes_backend_error_with_details() -> None:
    error = {
        "operation_index": 3,
        "op": "add",
        "type": "filter",
        "key": "k",
        "error": "FWP_E_IN_USE",
        "code": "0x8032000A",
    }
    module = FakeModule({"failed": True, "msg": "operation 3 failed: FWP_E_IN_USE", "error": error})
    with pytest.raises(BackendError) as raised:
        ModuleBackend(module).apply({"operations": []})
    assert "FWP_E_IN_USE" in str(raised.value) and raised.value.details == error


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        ({"unreachable": True, "msg": "timed out"}, "unreachable"),
        ({"changed": False}, "no `state_json`"),
        ({"state_json": "{not json"}, "not valid JSON"),
        ({"state_json": '{"filters": [], "filters": []}'}, "member 'filters' appears twice"),
        ({"state_json": '{"format": NaN}'}, "NaN is not a JSON number"),
        ({"state_json": '{"format": "\\ud800"}'}, "lone UTF-16 surrogate"),
        ({"state_json": json.dumps({"format": "wfp.ipsec.state/1"})}, "invalid state document"),
        (RuntimeError("winrm exploded"), "could not run wfp.ipsec.policy (read)"),
    ],
)
def test_bad_replies_are_clear_backend_errors(reply: Any, message: str) -> None:
    with pytest.raises(BackendError) as raised:
        ModuleBackend(FakeModule(reply)).read("b14b7bdb-dbbd-473e-bed4-8b4708d4f270")
    assert message in str(raised.value)


def test_read_rejects_objects_of_another_provider() -> None:
    provider_key, state = owned_state()
    other = copy.deepcopy(state)
    other["filters"][0]["provider_key"] = "4b153735-1049-4480-aab4-d1b9bdc03710"
    with pytest.raises(BackendError, match="owned by 4b153735"):
        ModuleBackend(FakeModule({"state_json": json.dumps(other)})).read(provider_key)


def test_a_returned_pre_shared_key_is_refused_without_echoing_it() -> None:
    provider_key, state = states.rich()
    leaked = json.dumps(state, ensure_ascii=False)  # the desired state still carries the key
    assert states.PSK in leaked
    with pytest.raises(BackendError) as raised:
        ModuleBackend(FakeModule({"state_json": leaked})).read(provider_key)
    assert "pre-shared key" in str(raised.value) and states.PSK not in str(raised.value)


@pytest.mark.slow
def test_live_backend_end_to_end_through_the_module_dispatch(host: Host) -> None:
    """The exact module args live.py builds, fed to the C# entry points the .ps1 calls."""

    def execute(module_args: dict[str, Any]) -> dict[str, Any]:
        reply = host.reply("module", args=module_args)
        if not reply["ok"]:
            return {
                "failed": True,
                "msg": reply["error"]["message"],
                "error": reply["error"].get("details"),
            }
        return reply["result"]  # type: ignore[no-any-return]

    backend = ModuleBackend(execute)
    provider_key, desired = states.rich()
    actual = backend.read(provider_key)
    the_plan = plan.make_plan(desired, actual, provider_key)
    assert plan_arguments(the_plan)["plan"].count(states.PSK) == 1
    result = backend.apply(the_plan)
    assert result["changed"] is True and result["applied"] == len(the_plan["operations"])
    assert plan.make_plan(desired, backend.read(provider_key), provider_key)["operations"] == []
    assert any(f["provider_key"] != provider_key for f in backend.read_all()["filters"])
    with pytest.raises(BackendError) as raised:
        backend.apply(the_plan)  # base fingerprint is now stale
    assert raised.value.details["error"] == "WFP_IPSEC_STALE_PLAN"
    with pytest.raises(HostError):
        host.call("module", args={"_operation": "bogus"})
