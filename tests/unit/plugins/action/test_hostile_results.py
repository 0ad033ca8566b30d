"""Action plugin results under faults: a stale plan, details carrying `message`, bugs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from ansible_collections.wfp.ipsec.plugins.action import policy, policy_info
from ansible_collections.wfp.ipsec.plugins.plugin_utils.backend import BackendError
from ansible_collections.wfp.ipsec.plugins.plugin_utils.offline import OfflineBackend

from tests.unit.fuzz.harness import run_policy
from tests.unit.plugins.action.factory import make_plugin

POLICY = {"scenario": {"guaranteed_encryption": {"required_ports": [{"port": 5555}]}}}


def test_a_host_changed_between_read_and_apply_is_a_clean_stale_plan_refusal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "host.json"
    path.write_text('{"format": "wfp.ipsec.state/1"}\n', encoding="utf-8")
    assert not run_policy(POLICY, {"wfp_ipsec_offline_state": str(path)}).get("failed")  # type: ignore[union-attr]
    real_read = OfflineBackend.read

    def read_then_change(self: OfflineBackend, provider_key: str) -> dict[str, Any]:
        state = real_read(self, provider_key)
        # Another run converges the host to a different declaration after our read.
        other = {"scenario": {"guaranteed_encryption": {"required_ports": [{"port": 7777}]}}}
        monkeypatch.setattr(OfflineBackend, "read", real_read)
        assert not run_policy(other, {"wfp_ipsec_offline_state": str(path)}).get("failed")  # type: ignore[union-attr]
        return state

    monkeypatch.setattr(OfflineBackend, "read", read_then_change)
    result = run_policy(
        {"scenario": {"guaranteed_encryption": {"required_ports": [{"port": 8888}]}}},
        {"wfp_ipsec_offline_state": str(path)},
    )
    changed_by_other = json.loads(path.read_text(encoding="utf-8"))
    assert result is not None and result["failed"] is True
    assert "internal_error" not in result
    assert result["msg"].startswith(
        "apply failed, the host keeps its previous policy: plan refused"
    )
    assert result["code"] == "STATE_CHANGED" and "read the host again" in result["message"]
    ports = json.dumps(changed_by_other)
    assert "7777" in ports and "8888" not in ports


@pytest.mark.parametrize("module", [policy, policy_info])
def test_failure_details_may_carry_any_key(module: Any) -> None:
    details = {"message": "m", "msg": "not this", "failed": False, "code": "FWP_E_IN_USE"}
    result = module.ActionModule._failed({}, "the message", details)
    assert result["msg"] == "the message" and result["failed"] is True
    assert result["message"] == "m" and result["code"] == "FWP_E_IN_USE"


def test_an_unexpected_error_is_a_failed_task_not_a_traceback(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(*_args: Any) -> Any:
        raise ZeroDivisionError("boom with the key s3cret-planted")

    monkeypatch.setattr(policy, "converge", broken)
    monkeypatch.setattr(policy, "offline_backend", lambda *a, **k: None)
    arguments = {
        "scenario": {
            "guaranteed_encryption": {
                "keying_modules": ["ike"],
                "main_mode": {
                    "authentication": [{"method": "preshared_key", "key": "s3cret-planted"}]
                },
            }
        }
    }
    result = make_plugin(arguments).run(task_vars={"wfp_ipsec_offline_state": "x.json"})
    assert result["failed"] is True and result["internal_error"] == "ZeroDivisionError"
    assert "ZeroDivisionError: boom with the key ********" in result["msg"]
    assert "s3cret-planted" not in json.dumps(result)


def test_backend_errors_with_a_message_detail_fail_cleanly(monkeypatch: pytest.MonkeyPatch) -> None:
    def failing(*_args: Any) -> Any:
        raise BackendError(
            "host said no", {"message": "FWP_E_IN_USE: in use", "code": "FWP_E_IN_USE"}
        )

    monkeypatch.setattr(policy, "converge", failing)
    monkeypatch.setattr(policy, "offline_backend", lambda *a, **k: None)
    result = make_plugin({}).run(task_vars={"wfp_ipsec_offline_state": "x.json"})
    assert result["failed"] is True and result["msg"] == "host said no"
    assert result["message"] == "FWP_E_IN_USE: in use" and "internal_error" not in result
