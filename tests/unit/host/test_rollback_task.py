"""Commit confirmed's PowerShell half (policy.ps1): the scheduled task that restores the previous
policy and the script it runs. Parsed as Windows PowerShell 5.1 here; that the task fires as
SYSTEM at the deadline and at startup is confirmed on a real host only
(docs/verification-ladder.md)."""

from __future__ import annotations

import re

import pytest

from .conftest import CONFIRM_UTIL, REPO, Host
from .test_powershell import ps7_only_syntax

POLICY = REPO / "plugins" / "modules" / "policy.ps1"
CONFIRMATION = "ansible_collections.wfp.ipsec.plugins.module_utils.WfpIpsecConfirm.Confirmation"


def source() -> str:
    return POLICY.read_text(encoding="utf-8")


def restore_script() -> str:
    found = re.search(r"^\$restoreScript = @'\n(.*?)\n'@$", source(), re.S | re.M)
    assert found, "policy.ps1 has no $restoreScript here-string"
    return found.group(1)


def test_policy_requires_the_confirm_util() -> None:
    assert "#AnsibleRequires -CSharpUtil ..module_utils.WfpIpsecConfirm" in source().splitlines()
    # Ansible finds a C# util's own dependencies through its `using` lines.
    util = CONFIRM_UTIL.read_text(encoding="utf-8")
    assert re.search(
        r"^using ansible_collections\.wfp\.ipsec\.plugins\.module_utils\.WfpIpsec;$", util, re.M
    )


def test_the_restore_script_parses_as_powershell_51() -> None:
    script = restore_script()
    assert ps7_only_syntax(script.encode("utf-8")) == []
    assert "Add-Type -Path" in script and "WfpIpsecConfirm.cs" in script
    assert f"[{CONFIRMATION}]::Restore($pending, $ProviderKey)" in script
    # Removes itself only after a restore that ran (or found nothing); retries while BFE starts.
    assert script.index("::Restore(") < script.index("Unregister-ScheduledTask")
    assert "Start-Sleep" in script and "exit 1" in script


def test_the_task_runs_as_system_at_the_deadline_and_at_startup() -> None:
    text = source()
    assert "New-ScheduledTaskPrincipal -UserId 'S-1-5-18' -LogonType ServiceAccount" in text
    assert "New-ScheduledTaskTrigger -Once -At $Deadline.ToLocalTime()" in text
    assert "New-ScheduledTaskTrigger -AtStartup" in text
    assert "-StartWhenAvailable" in text  # a host that was off at the deadline runs it later


def test_the_task_is_armed_before_the_tentative_apply() -> None:
    text = source()
    arm = text.index("Register-RollbackTask -ProviderKey")
    assert arm < text.index("[WfpIpsec.Confirmation]::ApplyTentative(")
    # ... but never over a pending apply's own task (that would move its deadline).
    branch = text.index("elseif ($module.Params.confirm_timeout -gt 0)")
    assert branch < text.index("::PendingPath($pendingDir, $planProvider)", branch) < arm


def test_the_pending_directory_is_for_administrators_and_system_only() -> None:
    text = source()
    assert "$acl.SetAccessRuleProtection($true, $false)" in text
    assert "foreach ($sid in @('S-1-5-18', 'S-1-5-32-544'))" in text


@pytest.mark.slow
def test_the_restore_script_calls_a_public_static_method(host: Host) -> None:
    members = host.call("members", type=CONFIRMATION)
    assert any(
        m["name"] == "Restore" and m["static"] and m["parameters"] == ["System.String"] * 2
        for m in members
    )
