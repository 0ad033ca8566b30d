"""The fingerprint a read reply carries (issue 12): the host computes it from the objects it
read, the controller uses it as the plan's base instead of serialising every owned object again.

Against the native stand-in through the module dispatch (policy.ps1 / policy_info.ps1, one to
one): the host's figure must equal model.fingerprint of the same objects, and a reply whose
fingerprint is missing, malformed or wrong must never lead to an apply on a wrong base.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from ansible_collections.wfp.ipsec.plugins.plugin_utils import catalogue, model, ownership
from ansible_collections.wfp.ipsec.plugins.plugin_utils import plan as plan_module
from ansible_collections.wfp.ipsec.plugins.plugin_utils.live import ModuleBackend
from ansible_collections.wfp.ipsec.plugins.plugin_utils.runner import (
    PolicyError,
    RunOptions,
    converge,
)

from . import states
from .conftest import Host
from .test_live import module_execute

pytestmark = pytest.mark.slow
GE: dict[str, Any] = dict(states.GE_DECLARATION)
LAYER = catalogue.GUIDS["FWPM_LAYER_ALE_AUTH_CONNECT_V4"]


def applied(host: Host, desired_of: Callable[[], tuple[str, dict[str, Any]]]) -> str:
    provider_key, desired = desired_of()
    desired = ownership.stamp(desired)  # marked as ours, as the runner applies it
    actual = host.call("read", provider_key=provider_key)
    host.call("apply", plan=plan_module.make_plan(desired, actual, provider_key))
    return provider_key


@pytest.mark.parametrize("module", ["module", "module_info"])
@pytest.mark.parametrize(
    "desired_of", [states.guaranteed_encryption, states.rich], ids=["ge", "rich"]
)
def test_a_read_reply_carries_the_fingerprint_python_computes(
    host: Host, module: str, desired_of: Callable[[], tuple[str, dict[str, Any]]]
) -> None:
    provider_key = applied(host, desired_of)
    host.call("oddities")  # foreign objects (some unreadable) beside ours
    reply = host.call(module, args={"_operation": "read", "provider_key": provider_key})
    state = json.loads(reply["state_json"])
    assert state["filters"] and reply["fingerprint"] == model.fingerprint(state)
    # The shadow read: the fingerprint of the owned part of what was read.
    arguments = {"_operation": "read_all", "provider_key": provider_key, "layers": [LAYER]}
    reply = host.call(module, args=arguments)
    everything = json.loads(reply["state_json"])
    assert len(list(model.all_objects(everything))) > len(list(model.all_objects(state)))
    assert reply["fingerprint"] == model.fingerprint(model.owned_state(everything, provider_key))
    assert reply["fingerprint"] == model.fingerprint(state)
    # No provider named: nothing owned to fingerprint.
    assert host.call(module, args={"_operation": "read_all"})["fingerprint"] is None


def test_the_fingerprint_follows_drift_and_an_empty_host(host: Host) -> None:
    provider_key, _desired = states.guaranteed_encryption()
    reply = host.call("module_info", args={"_operation": "read", "provider_key": provider_key})
    assert reply["fingerprint"] == model.fingerprint(model.empty_state())
    applied(host, states.guaranteed_encryption)
    drifted_key, drifted = states.guaranteed_encryption(
        scenario={"guaranteed_encryption": {"required_ports": [{"port": 5556}]}}
    )
    assert drifted_key == provider_key
    actual = host.call("read", provider_key=provider_key)
    drifted = ownership.stamp(drifted)
    host.call("apply", plan=plan_module.make_plan(drifted, actual, provider_key))
    reply = host.call("module_info", args={"_operation": "read", "provider_key": provider_key})
    state = json.loads(reply["state_json"])
    assert reply["fingerprint"] == model.fingerprint(state) != model.fingerprint(actual)


def tampered(host: Host, module: str, change: Callable[[dict[str, Any]], None]) -> Any:
    """An execute closure whose read replies are changed by `change`."""
    execute = module_execute(host, module)

    def run(module_args: dict[str, Any]) -> dict[str, Any]:
        reply = execute(module_args)
        if module_args["_operation"] in ("read", "read_all"):
            change(reply)
        return reply

    return run


def backend(host: Host, change: Callable[[dict[str, Any]], None]) -> ModuleBackend:
    return ModuleBackend(module_execute(host), tampered(host, "module_info", change))


def test_converge_applies_on_the_hosts_fingerprint_without_computing_one(
    host: Host, monkeypatch: pytest.MonkeyPatch
) -> None:
    applied(host, states.guaranteed_encryption)
    live = backend(host, lambda reply: None)

    def computed(_state: Any) -> str:
        raise AssertionError("the plan computed a fingerprint the host reported")

    monkeypatch.setattr(plan_module, "fingerprint", computed)
    declaration = {"scenario": {"guaranteed_encryption": {"required_ports": [{"port": 5557}]}}}
    result = converge(declaration, live, RunOptions())
    assert result["changed"] is True and result["apply"]["applied"] > 0  # the host's check passed


@pytest.mark.parametrize(
    "bad",
    [None, 42, "", "sha256:", "SHA256:" + "0" * 64, "sha256:" + "G" * 64, "sha256:" + "0" * 65],
    ids=["none", "int", "empty", "short", "upper-prefix", "not-hex", "long"],
)
def test_a_missing_or_malformed_fingerprint_falls_back_to_computing_it(
    host: Host, bad: Any
) -> None:
    applied(host, states.guaranteed_encryption)
    live = backend(host, lambda reply: reply.update(fingerprint=bad))
    declaration = {"scenario": {"guaranteed_encryption": {"required_ports": [{"port": 5557}]}}}
    assert converge(declaration, live, RunOptions())["apply"]["applied"] > 0
    missing = backend(host, lambda reply: reply.pop("fingerprint"))
    assert converge(GE, missing, RunOptions())["apply"]["applied"] > 0


def test_a_wrong_fingerprint_is_refused_by_the_host_and_nothing_is_applied(host: Host) -> None:
    provider_key = applied(host, states.guaranteed_encryption)
    before = host.call("read", provider_key=provider_key)
    live = backend(host, lambda reply: reply.update(fingerprint="sha256:" + "0" * 64))
    declaration = {"scenario": {"guaranteed_encryption": {"required_ports": [{"port": 5557}]}}}
    with pytest.raises(PolicyError, match="host keeps its previous policy") as raised:
        converge(declaration, live, RunOptions())
    assert raised.value.details["error"] == "WFP_IPSEC_STALE_PLAN"
    assert host.call("read", provider_key=provider_key) == before
