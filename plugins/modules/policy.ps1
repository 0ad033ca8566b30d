#!powershell

# Copyright: (c) 2026, wfp.ipsec contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

#AnsibleRequires -CSharpUtil Ansible.Basic
#AnsibleRequires -CSharpUtil ..module_utils.WfpIpsec
#AnsibleRequires -CSharpUtil ..module_utils.WfpIpsecApply

# Host half of wfp.ipsec.policy. Internal: only the action plugin calls it (through
# plugins/plugin_utils/live.py) with _operation read | read_all | apply. All logic lives in the
# C# util (reads, fingerprint check, transaction) and on the controller (diff, plan). Results
# are returned as JSON text (state_json / result_json) so 64-bit integers arrive unchanged.
# read_all with layers returns only the filters at those layers plus every filter of
# provider_key (with all providers, sublayers and provider contexts): the shadow read.

$spec = @{
    options = @{
        _operation = @{ type = 'str'; required = $true; choices = @('read', 'read_all', 'apply') }
        provider_key = @{ type = 'str' }
        layers = @{ type = 'list'; elements = 'str' }
        plan = @{ type = 'json'; no_log = $true }
    }
    required_if = @(
        @('_operation', 'read', @('provider_key')),
        @('_operation', 'apply', @('plan'))
    )
    supports_check_mode = $true
}
$module = [Ansible.Basic.AnsibleModule]::Create($args, $spec)
$module.Result.changed = $false

try {
    switch ($module.Params._operation) {
        'read' {
            $module.Result.state_json = [WfpIpsec.PolicyHost]::Read($module.Params.provider_key)
        }
        'read_all' {
            $layers = [string[]]@()
            if ($null -ne $module.Params.layers) {
                $layers = [string[]]$module.Params.layers
            }
            $module.Result.state_json = [WfpIpsec.PolicyHost]::ReadAll($layers, $module.Params.provider_key)
        }
        'apply' {
            if ($module.CheckMode) {
                # The action plugin never applies in check mode; report what would happen.
                $operations = [WfpIpsec.Json]::Parse($module.Params.plan)['operations']
                $module.Result.changed = $operations.Count -gt 0
                $module.Result.msg = 'check mode: plan not applied'
            }
            else {
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
