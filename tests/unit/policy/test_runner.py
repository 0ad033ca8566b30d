"""One converge: how many times the host is read and written, and what the result says."""

from __future__ import annotations

import gc
import json
from pathlib import Path
from typing import Any

import pytest
from ansible_collections.wfp.ipsec.plugins.plugin_utils.declaration import DeclarationError
from ansible_collections.wfp.ipsec.plugins.plugin_utils.model import empty_state
from ansible_collections.wfp.ipsec.plugins.plugin_utils.offline import OfflineBackend
from ansible_collections.wfp.ipsec.plugins.plugin_utils.runner import (
    PolicyError,
    RunOptions,
    converge,
)

POLICY = {"scenario": {"guaranteed_encryption": {"required_ports": [{"port": 5555}]}}}


class CountingBackend:
    """An offline backend that counts the calls a live host would receive over WinRM."""

    kind = "counting"

    def __init__(self, path: Path, **options: Any) -> None:
        self.inner = OfflineBackend(path, **options)
        self.calls: list[str] = []

    def read(self, provider_key: str) -> dict[str, Any]:
        self.calls.append("read")
        return self.inner.read(provider_key)

    def read_all(self) -> dict[str, Any]:
        self.calls.append("read_all")
        return self.inner.read_all()

    def apply(self, plan: dict[str, Any]) -> dict[str, Any]:
        self.calls.append("apply")
        return self.inner.apply(plan)


@pytest.fixture
def backend(tmp_path: Path) -> CountingBackend:
    path = tmp_path / "host.json"
    path.write_text(json.dumps(empty_state()))
    return CountingBackend(path)


def test_converge_reads_once_and_applies_once(backend: CountingBackend) -> None:
    result = converge(POLICY, backend, RunOptions())
    assert backend.calls == ["read", "apply"]
    assert result["changed"] is True and result["apply"]["applied"] == 42
    backend.calls.clear()
    again = converge(POLICY, backend, RunOptions())
    assert backend.calls == ["read"]  # nothing to apply: no second call
    assert again["changed"] is False and "apply" not in again


def test_check_mode_reads_everything_once_and_never_applies(backend: CountingBackend) -> None:
    result = converge(POLICY, backend, RunOptions(check_mode=True, diff=True))
    assert backend.calls == ["read_all"]
    assert result["changed"] is True and result["shadowing"] == []
    assert result["diff"][0]["prepared"].startswith("objects to add (42):")
    assert result["msg"] == (
        "check mode: would add 36 filters, 4 provider contexts, 1 sublayer, 1 provider"
    )
    assert result["notices"] == [result["msg"]]  # printed as warnings by the action plugin


def test_check_mode_without_shadow_check_reads_only_what_we_own(backend: CountingBackend) -> None:
    converge({**POLICY, "shadow_check": False}, backend, RunOptions(check_mode=True))
    assert backend.calls == ["read"]


def test_lockout_guard_refuses_before_reading(backend: CountingBackend) -> None:
    locked = {"scenario": {"guaranteed_encryption": {"required_ports": [{"port": 5985}]}}}
    with pytest.raises(PolicyError, match="5985"):
        converge(locked, backend, RunOptions(management_ports=[5985]))
    assert backend.calls == []
    converge(
        {**locked, "allow_management_lockout": True}, backend, RunOptions(management_ports=[5985])
    )
    assert backend.calls == ["read", "apply"]


def test_preflight_failure_names_the_operation_and_writes_nothing(
    backend: CountingBackend, tmp_path: Path
) -> None:
    missing_context = "cccccccc-0000-0000-0000-000000000001"
    bad_filter = {
        "name": "filter with a context nobody declared",
        "layer_key": "FWPM_LAYER_IPSEC_V4",
        "action": {"type": "FWP_ACTION_PERMIT"},
        "provider_context_key": missing_context,
    }
    before = (tmp_path / "host.json").read_bytes()
    with pytest.raises(PolicyError) as caught:
        converge({"objects": {"filters": [bad_filter]}}, backend, RunOptions())
    assert caught.value.details["preflight"]["code"] == "FWP_E_PROVIDER_CONTEXT_NOT_FOUND"
    assert caught.value.details["preflight"]["name"] == "filter with a context nobody declared"
    assert "apply" not in backend.calls
    assert (tmp_path / "host.json").read_bytes() == before


def test_what_the_host_would_refuse_is_refused_before_reading_it(
    backend: CountingBackend, tmp_path: Path
) -> None:
    bad_context = {
        "name": "mm at the wrong layer",
        "type": "FWPM_IPSEC_IKE_MM_CONTEXT",
        "policy": {
            "authentication_methods": [{"type": "IKEEXT_KERBEROS"}],
            "proposals": [
                {
                    "cipher": "IKEEXT_CIPHER_AES_256",
                    "integrity": "IKEEXT_INTEGRITY_SHA_256",
                    "max_lifetime_seconds": 28800,
                }
            ],
        },
    }
    bad_filter = {
        "name": "transport filter with an MM context",
        "layer_key": "FWPM_LAYER_OUTBOUND_TRANSPORT_V4",
        "action": {"type": "FWP_ACTION_PERMIT"},
        "provider_context_key": "mm at the wrong layer",
    }
    declaration = {"objects": {"provider_contexts": [bad_context], "filters": [bad_filter]}}
    with pytest.raises(DeclarationError) as caught:
        converge(declaration, backend, RunOptions(check_mode=True))
    [problem] = caught.value.problems
    assert problem.path == "objects.filters[0].provider_context_key"
    assert "FWP_E_CONTEXT_INCOMPATIBLE_WITH_LAYER" in problem.message
    assert backend.calls == []


def test_exempting_the_management_port_satisfies_the_lockout_guard(
    backend: CountingBackend,
) -> None:
    with pytest.raises(PolicyError, match=r"exempt_ports: \[\{port: 5986\}\]"):
        converge(POLICY, backend, RunOptions(management_ports=[5986]))
    exempt = {
        "scenario": {
            "guaranteed_encryption": {
                "required_ports": [{"port": 5555}],
                "exempt_ports": [{"port": 5986}],
            }
        }
    }
    result = converge(exempt, backend, RunOptions(management_ports=[5986]))
    assert result["changed"] is True and backend.calls == ["read", "apply"]


def test_a_string_false_never_disables_the_lockout_guard(backend: CountingBackend) -> None:
    """`allow_management_lockout: "false"` from -e or a survey is false, not a truthy string."""
    locked = {
        "allow_management_lockout": "false",
        "scenario": {"guaranteed_encryption": {"required_ports": [{"port": "5985"}]}},
    }
    with pytest.raises(PolicyError, match="5985"):
        converge(locked, backend, RunOptions(management_ports=[5985]))
    assert backend.calls == []


class ReportingBackend(CountingBackend):
    """A backend whose reads report a base fingerprint, as the live host's do."""

    def __init__(self, path: Path, reported: Any) -> None:
        super().__init__(path)
        self.reported = reported

    def reported_fingerprint(self, provider_key: str) -> Any:
        return self.reported


def test_the_plan_takes_the_reported_base_fingerprint_and_plans_with_gc_paused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ansible_collections.wfp.ipsec.plugins.plugin_utils import runner

    path = tmp_path / "host.json"
    path.write_text(json.dumps(empty_state()))
    seen: list[tuple[Any, bool]] = []
    planned = runner.plan_and_drift

    def plan_and_drift(*args: Any, **kwargs: Any) -> Any:
        seen.append((kwargs["base_fingerprint"], gc.isenabled()))
        return planned(*args, **kwargs)

    monkeypatch.setattr(runner, "plan_and_drift", plan_and_drift)
    reported = "sha256:" + "1" * 64
    converge(POLICY, ReportingBackend(path, reported), RunOptions(check_mode=True))
    with pytest.raises(PolicyError, match="changed since the plan was made"):
        converge(POLICY, ReportingBackend(path, reported), RunOptions())  # the base is checked
    result = converge(POLICY, ReportingBackend(path, 42), RunOptions())  # not a fingerprint
    assert result["apply"]["applied"] == 42
    assert seen == [(None, False), (reported, False), (None, False)]
    assert gc.isenabled()


def test_the_collector_pause_restores_what_it_found() -> None:
    from ansible_collections.wfp.ipsec.plugins.plugin_utils.plan import cyclic_gc_paused

    with pytest.raises(ValueError, match="boom"), cyclic_gc_paused():
        assert not gc.isenabled()
        raise ValueError("boom")
    assert gc.isenabled()
    gc.disable()
    try:
        with cyclic_gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()
