#!powershell

# Copyright: (c) 2026, wfp.ipsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

#AnsibleRequires -CSharpUtil Ansible.Basic
#AnsibleRequires -CSharpUtil ..module_utils.WfpIpsec
#AnsibleRequires -CSharpUtil ..module_utils.WfpIpsecApply
#AnsibleRequires -CSharpUtil ..module_utils.WfpIpsecConfirm

# Host half of wfp.ipsec.policy. Internal: only the action plugin calls it (through
# plugins/plugin_utils/live.py) with _operation apply | confirm (and read | read_all, which the
# action plugin sends to policy_info.ps1 instead: that module loads only the read util). All
# logic lives in the C# utils (reads, fingerprint check, transaction, commit confirmed) and on
# the controller (diff, plan). Results are returned as JSON text (state_json / result_json /
# pending_json) so 64-bit integers arrive unchanged. read_all with layers returns only the
# filters at those layers plus every filter of provider_key (with all providers, sublayers and
# provider contexts): the shadow read.
#
# Commit confirmed (docs/commit-confirmed.md): an apply with confirm_timeout > 0 first registers
# a one-shot SYSTEM scheduled task (at the deadline and at startup) that restores the previous
# policy, then applies tentatively; `confirm`, sent over a new connection, makes the apply
# persistent and removes the task. The task and this file's PowerShell parts are confirmed on a
# real host only (docs/verification-ladder.md).

$spec = @{
    options = @{
        _operation = @{ type = 'str'; required = $true; choices = @('read', 'read_all', 'apply', 'confirm') }
        provider_key = @{ type = 'str' }
        layers = @{ type = 'list'; elements = 'str' }
        plan = @{ type = 'json'; no_log = $true }
        confirm_timeout = @{ type = 'int'; default = 0 }
        restore_sources = @{ type = 'dict' }
        tentative_fingerprint = @{ type = 'str' }
    }
    required_if = @(
        @('_operation', 'read', @('provider_key')),
        @('_operation', 'apply', @('plan')),
        @('_operation', 'confirm', @('provider_key', 'tentative_fingerprint'))
    )
    supports_check_mode = $true
}
$module = [Ansible.Basic.AnsibleModule]::Create($args, $spec)
$module.Result.changed = $false

# Only administrators and SYSTEM may write here: the pending records hold the previous policy
# (pre-shared keys included) and the scheduled task runs the scripts here as SYSTEM.
$pendingDir = Join-Path -Path $env:ProgramData -ChildPath 'wfp.ipsec\pending'
$taskPath = '\wfp.ipsec\'

# The script the scheduled task runs (as SYSTEM, without Ansible): compile the C# utils written
# beside it (all three: the restore writes through WfpIpsecApply.cs) and restore the provider's previous policy. At startup BFE may not be running yet,
# so it retries; the task removes itself once nothing is pending.
$restoreScript = @'
param([Parameter(Mandatory = $true)][string]$ProviderKey)
$ErrorActionPreference = 'Stop'
$sources = Split-Path -Parent $MyInvocation.MyCommand.Path
$pending = Split-Path -Parent $sources
$log = Join-Path -Path $pending -ChildPath 'restore.log'
Add-Type -Path (Join-Path -Path $sources -ChildPath 'WfpIpsec.cs'), (Join-Path -Path $sources -ChildPath 'WfpIpsecApply.cs'), (Join-Path -Path $sources -ChildPath 'WfpIpsecConfirm.cs')
for ($attempt = 1; $attempt -le 30; $attempt++) {
    try {
        $result = [ansible_collections.wfp.ipsec.plugins.module_utils.WfpIpsecConfirm.Confirmation]::Restore($pending, $ProviderKey)
        Add-Content -LiteralPath $log -Value ('{0:o} {1} restore: {2}' -f [DateTime]::UtcNow, $ProviderKey, $result)
        Unregister-ScheduledTask -TaskPath '\wfp.ipsec\' -TaskName ('rollback ' + $ProviderKey) -Confirm:$false -ErrorAction SilentlyContinue
        exit 0
    }
    catch {
        Add-Content -LiteralPath $log -Value ('{0:o} {1} attempt {2} failed: {3}' -f [DateTime]::UtcNow, $ProviderKey, $attempt, $_.Exception.Message)
        Start-Sleep -Seconds 10
    }
}
exit 1
'@

Function Initialize-PendingDirectory {
    $sources = Join-Path -Path $pendingDir -ChildPath 'restore'
    if (-not (Test-Path -LiteralPath $sources)) {
        New-Item -Path $sources -ItemType Directory -Force | Out-Null
    }
    $acl = New-Object -TypeName System.Security.AccessControl.DirectorySecurity
    $acl.SetAccessRuleProtection($true, $false)
    $inherit = [System.Security.AccessControl.InheritanceFlags]'ContainerInherit, ObjectInherit'
    $none = [System.Security.AccessControl.PropagationFlags]::None
    $allow = [System.Security.AccessControl.AccessControlType]::Allow
    foreach ($sid in @('S-1-5-18', 'S-1-5-32-544')) {
        $identity = New-Object -TypeName System.Security.Principal.SecurityIdentifier -ArgumentList $sid
        $rule = New-Object -TypeName System.Security.AccessControl.FileSystemAccessRule -ArgumentList @(
            $identity, [System.Security.AccessControl.FileSystemRights]::FullControl, $inherit, $none, $allow)
        $acl.AddAccessRule($rule)
    }
    Set-Acl -LiteralPath (Split-Path -Parent $pendingDir) -AclObject $acl
    return $sources
}

Function Register-RollbackTask {
    param([string]$ProviderKey, [DateTime]$Deadline, [System.Collections.IDictionary]$Sources)
    if ($null -eq $Sources) {
        $module.FailJson('restore_sources is required with confirm_timeout: the rollback task compiles them')
    }
    $directory = Initialize-PendingDirectory
    # Base64 gzip from the controller; every source must decode before one is written.
    [WfpIpsec.Confirmation]::WriteRestoreSources($directory, $Sources)
    $script = Join-Path -Path $directory -ChildPath 'restore.ps1'
    [System.IO.File]::WriteAllText($script, $restoreScript, (New-Object -TypeName System.Text.UTF8Encoding -ArgumentList $false))
    $arguments = '-NoProfile -NonInteractive -ExecutionPolicy Bypass -File "{0}" -ProviderKey {1}' -f $script, $ProviderKey
    $action = New-ScheduledTaskAction -Execute 'powershell.exe' -Argument $arguments
    $triggers = @(
        (New-ScheduledTaskTrigger -Once -At $Deadline.ToLocalTime()),
        (New-ScheduledTaskTrigger -AtStartup)
    )
    $principal = New-ScheduledTaskPrincipal -UserId 'S-1-5-18' -LogonType ServiceAccount -RunLevel Highest
    $settings = New-ScheduledTaskSettingsSet -AllowStartIfOnBatteries -DontStopIfGoingOnBatteries -StartWhenAvailable -ExecutionTimeLimit (New-TimeSpan -Minutes 15)
    Register-ScheduledTask -TaskPath $taskPath -TaskName ('rollback ' + $ProviderKey) -Action $action -Trigger $triggers -Principal $principal -Settings $settings -Force | Out-Null
}

Function Unregister-RollbackTask {
    param([string]$ProviderKey)
    Unregister-ScheduledTask -TaskPath $taskPath -TaskName ('rollback ' + $ProviderKey) -Confirm:$false -ErrorAction SilentlyContinue
}

try {
    switch ($module.Params._operation) {
        'read' {
            $reply = [WfpIpsec.PolicyHost]::ReadWithFingerprint($module.Params.provider_key)
            $module.Result.state_json = $reply.StateJson
            $module.Result.fingerprint = $reply.Fingerprint
            $module.Result.pending_json = [WfpIpsec.PolicyHost]::PendingSummaries($pendingDir)
        }
        'read_all' {
            $layers = [string[]]@()
            if ($null -ne $module.Params.layers) {
                $layers = [string[]]$module.Params.layers
            }
            $reply = [WfpIpsec.PolicyHost]::ReadAllWithFingerprint($layers, $module.Params.provider_key)
            $module.Result.state_json = $reply.StateJson
            $module.Result.fingerprint = $reply.Fingerprint
            $module.Result.pending_json = [WfpIpsec.PolicyHost]::PendingSummaries($pendingDir)
        }
        'apply' {
            $planProvider = [string]([WfpIpsec.Json]::Parse($module.Params.plan)['provider_key'])
            if ($module.CheckMode) {
                # The action plugin never applies in check mode; report what would happen.
                $operations = [WfpIpsec.Json]::Parse($module.Params.plan)['operations']
                $module.Result.changed = $operations.Count -gt 0
                $module.Result.msg = 'check mode: plan not applied'
            }
            elseif ($module.Params.confirm_timeout -gt 0) {
                if (Test-Path -LiteralPath ([WfpIpsec.Confirmation]::PendingPath($pendingDir, $planProvider))) {
                    # Checked before the task is registered: re-registering would move the
                    # pending apply's own rollback to a later deadline.
                    $module.FailJson("an unconfirmed apply of provider $planProvider is pending; confirm it (run again) or wait for the host to restore its previous policy")
                }
                $deadline = [DateTime]::UtcNow.AddSeconds($module.Params.confirm_timeout)
                $epoch = New-Object -TypeName DateTime -ArgumentList 1970, 1, 1, 0, 0, 0, ([DateTimeKind]::Utc)
                $unix = [long][Math]::Floor(($deadline - $epoch).TotalSeconds)
                # The rollback is armed before anything changes: no moment without it.
                Register-RollbackTask -ProviderKey $planProvider -Deadline $deadline -Sources $module.Params.restore_sources
                try {
                    $resultJson = [WfpIpsec.Confirmation]::ApplyTentative($module.Params.plan, $unix, $pendingDir)
                }
                catch {
                    if (-not (Test-Path -LiteralPath ([WfpIpsec.Confirmation]::PendingPath($pendingDir, $planProvider)))) {
                        Unregister-RollbackTask -ProviderKey $planProvider
                    }
                    throw
                }
                $module.Result.result_json = $resultJson
                $module.Result.changed = [long]([WfpIpsec.Json]::Parse($resultJson)['applied']) -gt 0
            }
            else {
                if (Test-Path -LiteralPath ([WfpIpsec.Confirmation]::PendingPath($pendingDir, $planProvider))) {
                    $module.FailJson("an unconfirmed apply of provider $planProvider is pending; run with confirm_timeout to confirm it, or wait for the host to restore its previous policy")
                }
                $resultJson = [WfpIpsec.PolicyApply]::Apply($module.Params.plan)
                # Committed from here on: whatever follows must not turn into "nothing changed".
                $module.Result.result_json = $resultJson
                $module.Result.changed = $true
                $applyResult = [WfpIpsec.Json]::Parse($resultJson)
                $module.Result.changed = [long]$applyResult['applied'] -gt 0
                if ($applyResult.ContainsKey('warnings')) {
                    foreach ($warning in $applyResult['warnings']) {
                        $module.Warn($warning)
                    }
                }
            }
        }
        'confirm' {
            $module.Result.result_json = [WfpIpsec.Confirmation]::Confirm($pendingDir, $module.Params.provider_key, $module.Params.tentative_fingerprint)
            $module.Result.changed = $true
            # A task left behind finds nothing pending and removes itself.
            Unregister-RollbackTask -ProviderKey $module.Params.provider_key
        }
    }
}
catch {
    $failure = [WfpIpsec.WfpException]::Find($_.Exception)
    if ($null -ne $failure) {
        # Names the failing operation, object, FWP_E_* symbol and code; never a key.
        $module.Result.error = $failure.Details
        $module.FailJson($failure.Message)
    }
    $module.FailJson("wfp.ipsec host layer failed: $($_.Exception.Message)", $_)
}

$module.ExitJson()
