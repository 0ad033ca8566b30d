#!powershell

# Copyright: (c) 2026, wfp.ipsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

#AnsibleRequires -CSharpUtil Ansible.Basic
#AnsibleRequires -CSharpUtil ..module_utils.WfpIpsec

# wfp.ipsec.policy_info: read-only view of WFP objects in the canonical form
# (docs/canonical-form.md): one provider's objects, everything on given layers, both
# (intersection) or, with neither option, every object (plugin_utils/query.py select()).
#
# Internal: the policy action's reads come here too (_operation read | read_all, the same
# arguments and state_json reply as policy.ps1), because this module loads only the read util:
# a read run neither ships nor compiles WfpIpsecApply.cs (docs/host-layer.md, "Split"). Those
# reads also return pending_json, the summaries of commit confirmed's pending records
# (docs/commit-confirmed.md), read by the read util from the directory policy.ps1 writes.

$spec = @{
    options = @{
        _operation = @{ type = 'str'; choices = @('read', 'read_all') }
        provider_key = @{ type = 'str' }
        layers = @{ type = 'list'; elements = 'str' }
    }
    required_if = @(
        , @('_operation', 'read', @('provider_key'))
    )
    supports_check_mode = $true
}
$module = [Ansible.Basic.AnsibleModule]::Create($args, $spec)
$module.Result.changed = $false

# policy.ps1's pending directory (commit confirmed): only administrators and SYSTEM write it.
$pendingDir = Join-Path -Path $env:ProgramData -ChildPath 'wfp.ipsec\pending'

try {
    $layers = [string[]]@()
    if ($null -ne $module.Params.layers) {
        $layers = [string[]]$module.Params.layers
    }
    switch ($module.Params._operation) {
        'read' {
            $reply = [WfpIpsec.PolicyHost]::ReadWithFingerprint($module.Params.provider_key)
            $module.Result.state_json = $reply.StateJson
            $module.Result.fingerprint = $reply.Fingerprint
            $module.Result.pending_json = [WfpIpsec.PolicyHost]::PendingSummaries($pendingDir)
        }
        'read_all' {
            $reply = [WfpIpsec.PolicyHost]::ReadAllWithFingerprint($layers, $module.Params.provider_key)
            $module.Result.state_json = $reply.StateJson
            $module.Result.fingerprint = $reply.Fingerprint
            $module.Result.pending_json = [WfpIpsec.PolicyHost]::PendingSummaries($pendingDir)
        }
        default {
            $stateJson = [WfpIpsec.PolicyHost]::Query($module.Params.provider_key, $layers)
            $module.Result.state = [WfpIpsec.Json]::Parse($stateJson)
        }
    }
}
catch {
    $failure = [WfpIpsec.WfpException]::Find($_.Exception)
    if ($null -ne $failure) {
        $module.Result.error = $failure.Details
        $module.FailJson($failure.Message)
    }
    $module.FailJson("wfp.ipsec host layer failed: $($_.Exception.Message)", $_)
}

$module.ExitJson()
