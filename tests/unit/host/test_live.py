"""Rung 6: the live backend (plugin_utils/live.py) and its contract with the host module."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from ansible_collections.wfp.ipsec.plugins.plugin_utils import model, plan
from ansible_collections.wfp.ipsec.plugins.plugin_utils.backend import (
    BackendError,
    HostUnreachableError,
)
from ansible_collections.wfp.ipsec.plugins.plugin_utils.live import ModuleBackend, plan_arguments
from ansible_collections.wfp.ipsec.plugins.plugin_utils.runner import (
    PolicyError,
    RunOptions,
    converge,
)
from ansible_collections.wfp.ipsec.plugins.plugin_utils.scenario import (
    provider_key_of as _provider_key_of,
)

from . import states
from .conftest import Build, Host, HostError

GE: dict[str, Any] = dict(states.GE_DECLARATION)


def module_execute(host: Host, module: str = "module") -> Any:
    """An action plugin's execute closure, answered by the C# dispatch of policy.ps1
    (`module`) or policy_info.ps1 (`module_info`)."""

    def execute(module_args: dict[str, Any]) -> dict[str, Any]:
        reply = host.reply(module, args=module_args)
        if not reply["ok"]:
            return {
                "failed": True,
                "msg": reply["error"]["message"],
                "error": reply["error"].get("details"),
            }
        return reply["result"]  # type: ignore[no-any-return]

    return execute


def live_backend(host: Host) -> ModuleBackend:
    """ModuleBackend as the policy action builds it: applies via policy, reads via policy_info."""
    return ModuleBackend(module_execute(host), module_execute(host, "module_info"))


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
    backend = live_backend(host)
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


# ---- connection failures, failures after commit (issue 9, section 2) -----------------------


def test_connection_failures_are_unreachable_hosts_not_task_failures() -> None:
    from ansible.errors import AnsibleConnectionFailure

    key = "b14b7bdb-dbbd-473e-bed4-8b4708d4f270"
    for reply in (
        {"unreachable": True, "msg": "ssl: read timed out"},
        AnsibleConnectionFailure("winrm: connection refused"),
    ):
        with pytest.raises(HostUnreachableError, match="host unreachable"):
            ModuleBackend(FakeModule(reply)).read(key)
    with pytest.raises(BackendError) as other:
        ModuleBackend(FakeModule(RuntimeError("module crashed"))).read(key)
    assert not isinstance(other.value, HostUnreachableError)


def test_the_action_plugin_reports_an_unreachable_host(monkeypatch: pytest.MonkeyPatch) -> None:
    from ansible_collections.wfp.ipsec.plugins.action import policy as policy_action

    from ..plugins.action.factory import make_plugin

    def unreachable(*_args: Any, **_kwargs: Any) -> dict[str, Any]:
        raise HostUnreachableError("host unreachable: winrm: connection refused")

    monkeypatch.setattr(policy_action, "converge", unreachable)
    monkeypatch.setattr(policy_action.ActionBase, "run", lambda self, tmp=None, task_vars=None: {})
    result = make_plugin({"state": "absent"}).run(task_vars={})
    assert result["unreachable"] is True and "failed" not in result
    assert "connection refused" in result["msg"]


def test_an_apply_committed_but_not_read_back_is_changed_with_the_hosts_warning() -> None:
    warning = "the plan was applied and committed (30 operations), but reading ... failed"
    result = {
        "applied": 30,
        "base_fingerprint": "sha256:00",
        "fingerprint": None,
        "state": None,
        "warnings": [warning],
    }
    module = FakeModule({"changed": True, "result_json": json.dumps(result)})
    applied = ModuleBackend(module).apply({"operations": []})
    assert applied["changed"] is True and applied["state"] is None
    assert applied["warnings"] == [warning]
    # Without a warning, a missing state is still an invalid reply.
    del result["warnings"]
    module = FakeModule({"changed": True, "result_json": json.dumps(result)})
    with pytest.raises(BackendError, match="invalid state document"):
        ModuleBackend(module).apply({"operations": []})


@pytest.mark.slow
def test_the_runner_reports_an_unreadable_commit_as_applied(build: Build) -> None:
    host = Host(build, {"FWPSIM_FAIL_READ_AFTER_COMMIT": "1"})
    try:
        result = converge(GE, live_backend(host), RunOptions())
        _provider_key, desired = owned_state()
        objects = sum(len(desired[name]) for name in model.LIST_NAMES.values())
        assert result["changed"] is True and result["apply"]["applied"] == objects
        assert any("applied and committed" in w for w in result["warnings"])
    finally:
        host.close()


def test_an_unreachable_host_during_apply_is_not_reported_as_rolled_back() -> None:
    class Dropping:
        kind = "live"

        def read(self, provider_key: str) -> dict[str, Any]:
            return model.empty_state()

        def read_all(self) -> dict[str, Any]:
            return model.empty_state()

        def apply(self, plan: dict[str, Any]) -> dict[str, Any]:
            raise HostUnreachableError("host unreachable: connection reset")

    with pytest.raises(PolicyError, match="may or may not have applied") as raised:
        converge(GE, Dropping(), RunOptions(confirm_timeout=0))
    assert raised.value.unreachable is True


@pytest.mark.slow
def test_check_mode_reads_only_our_layers_and_reports_unreadable_foreign_filters(
    host: Host,
) -> None:
    host.call("oddities")
    calls: list[tuple[str, dict[str, Any]]] = []

    def recording(module: str) -> Any:
        execute = module_execute(host, module)

        def call(module_args: dict[str, Any]) -> dict[str, Any]:
            calls.append((module, module_args))
            return execute(module_args)  # type: ignore[no-any-return]

        return call

    backend = ModuleBackend(recording("module"), recording("module_info"))
    result = converge(GE, backend, RunOptions(check_mode=True))
    # One read, through the read-only module (policy_info.ps1), of only our layers.
    assert [(module, c["_operation"]) for module, c in calls] == [("module_info", "read_all")]
    calls_args = [c for _module, c in calls]
    assert calls_args[0]["provider_key"] == _provider_key_of(GE)
    _provider_key, desired = owned_state()
    assert calls_args[0]["layers"] == sorted({f["layer_key"] for f in desired["filters"]})
    unreadable = [f for f in result["shadowing"] if "could not read" in f["why"]]
    assert unreadable and {f["certainty"] for f in unreadable} == {"possible"}
    assert {f["theirs"]["key"] for f in unreadable} == {
        "0dd00001-0000-4000-8000-00000000000" + str(i) for i in range(1, 5)
    }


def test_shadow_analysis_treats_an_unreadable_foreign_filter_conservatively() -> None:
    from ansible_collections.wfp.ipsec.plugins.plugin_utils.shadow import find_shadowing

    provider_key, state = owned_state()
    ours = state["filters"][0]
    record = {
        "type": "filter",
        "key": "0dd00001-0000-4000-8000-000000000001",
        "name": "unreadable",
        "provider_key": "4b153735-1049-4480-aab4-d1b9bdc03710",
        "layer_key": ours["layer_key"],
        "sublayer_key": ours["sublayer_key"],
        "reason": "FWP_TOKEN_INFORMATION_TYPE values cannot be read",
    }
    elsewhere = {**record, "key": "0dd00001-0000-4000-8000-000000000002"}
    elsewhere["sublayer_key"] = "b3cdd441-af90-41ba-a745-7c6008ff2301"
    other_layer = {**record, "key": "0dd00001-0000-4000-8000-000000000003"}
    other_layer["layer_key"] = "00000000-0000-4000-8000-0000000000ff"
    owned = {**record, "key": "0dd00001-0000-4000-8000-000000000004", "provider_key": provider_key}
    findings = find_shadowing(
        {**state, "unsupported": [record, elsewhere, other_layer, owned]}, provider_key
    )
    assert find_shadowing(state, provider_key) == []
    by_key = {f.theirs.key: f for f in findings}
    assert set(by_key) == {record["key"], elsewhere["key"]}
    assert by_key[record["key"]].rule == "same-sublayer-shadow"
    assert by_key[elsewhere["key"]].rule == "cross-sublayer-block"
    for finding in findings:
        assert (finding.certainty, finding.overlap, finding.coverage) == (
            "possible",
            "may overlap",
            "some",
        )
        assert "could not read" in finding.why and "FWP_TOKEN_INFORMATION_TYPE" in finding.why
        assert finding.theirs.action == "unknown" and finding.theirs.hard is None


def test_a_reads_fingerprint_is_kept_only_when_well_formed_and_only_until_the_next_read() -> None:
    provider_key, state = owned_state()
    good = "sha256:" + "ab" * 32
    reply = {"changed": False, "state_json": json.dumps(state)}
    backend = ModuleBackend(
        FakeModule(
            {**reply, "fingerprint": good},
            {**reply, "fingerprint": good.upper()},
            {**reply, "fingerprint": good},
            reply,
            {**reply, "fingerprint": good},
        )
    )
    backend.read(provider_key)
    assert backend.reported_fingerprint(provider_key) == good
    assert backend.reported_fingerprint("another") is None
    backend.read(provider_key)
    assert backend.reported_fingerprint(provider_key) is None  # malformed: not used
    backend.read_all_on_layers(provider_key, ["FWPM_LAYER_IKEEXT_V4"])
    assert backend.reported_fingerprint(provider_key) == good
    backend.read_all_on_layers(provider_key, ["FWPM_LAYER_IKEEXT_V4"])
    assert backend.reported_fingerprint(provider_key) is None  # missing: not the older one
    backend.read_all()  # names no provider: its fingerprint would be of nobody's objects
    assert backend.reported_fingerprint(provider_key) is None
