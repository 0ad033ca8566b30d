# Copyright: (c) 2026, wfp.ipsec contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Stand-in Windows host for tests and benchmarks: a connection that answers wfp.ipsec.policy.

The policy action runs its live path unchanged: `_execute_module` builds the real PowerShell
payload (bootstrap + exec wrapper + module + Ansible.Basic + the collection's C# util) and sends
it here as WinRM would. Instead of PowerShell, this plugin reads the module arguments out of the
payload and answers from an engine-model state file with the module's reply shape: read and
read_all (with the `fingerprint` of the owned objects read), apply in one transaction, and commit
confirmed's tentative apply and confirm. It records, per module execution, the operation, the
bytes shipped and WinRM-like round trips (run command + one Send per 200,000-byte chunk, as the
winrm connection plugin sends stdin, + Receive + cleanup), as JSON lines in `wfp_standin_log`.

Only for tests/benchmarks: anything else than wfp.ipsec.policy fails.
"""

from __future__ import annotations

import json
import math
import os
from typing import Any

from ansible.errors import AnsibleConnectionFailure
from ansible.plugins.connection import ConnectionBase
from ansible_collections.wfp.ipsec.plugins.plugin_utils.backend import BackendError
from ansible_collections.wfp.ipsec.plugins.plugin_utils.engine import WfpError
from ansible_collections.wfp.ipsec.plugins.plugin_utils.model import fingerprint, owned_state
from ansible_collections.wfp.ipsec.plugins.plugin_utils.offline import OfflineBackend

DOCUMENTATION = """
name: wfp_standin
short_description: answers wfp.ipsec.policy from an engine-model state file
description:
  - Test and benchmark stand-in for a Windows host reached over WinRM.
author: wfp.ipsec contributors
options:
  state_file:
    description: JSON state document standing in for the host's WFP engine.
    vars:
      - name: wfp_standin_state
  log_file:
    description: JSON-lines file; one record per module execution.
    vars:
      - name: wfp_standin_log
"""

WINRM_SEND_CHUNK = 200_000  # ansible.builtin.winrm sends stdin in chunks of this size
PAYLOAD_SEPARATOR = b"\n\0\0\0\0\n"


# The policy module, and policy_info, through which the policy action reads (one C# util less).
SCRIPTS = (
    "ansible_collections.wfp.ipsec.plugins.modules.policy.ps1",
    "ansible_collections.wfp.ipsec.plugins.modules.policy_info.ps1",
)


def pending_summaries(backend: OfflineBackend, state: dict[str, Any]) -> list[dict[str, Any]]:
    """The unconfirmed applies a read reports, as the host module lists them (`pending_json`)."""
    summaries = (backend.pending(provider["key"]) for provider in state["providers"])
    return [summary for summary in summaries if summary]


def module_result(result: dict[str, Any]) -> dict[str, Any]:
    """An offline backend result in the host module's shape (no backend kind or file path)."""
    return {key: value for key, value in result.items() if key not in ("backend", "path")}


def module_arguments(payload: bytes) -> tuple[str, dict[str, Any]]:
    """The module name and arguments inside a PowerShell exec-wrapper payload."""
    _bootstrap, _separator, manifest_text = payload.partition(PAYLOAD_SEPARATOR)
    manifest = json.loads(manifest_text)
    for action in manifest["actions"]:
        if action["name"] == "module_wrapper.ps1":
            params = action["params"]
            variables = {v["Name"]: v["Value"] for v in params.get("Variables", [])}
            return str(params["Script"]), dict(variables["complex_args"])
    raise AnsibleConnectionFailure("wfp_standin: the payload runs no module")


class Connection(ConnectionBase):
    """See the module docstring."""

    transport = "wfp_standin"
    module_implementation_preferences = (".ps1", ".exe", "")
    allow_executable = False
    has_pipelining = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._shell_type = "cmd"  # as winrm
        super().__init__(*args, **kwargs)
        self._calls = 0

    def _connect(self) -> Connection:
        self._connected = True
        return self

    def is_pipelining_enabled(self, wrap_async: bool = False) -> bool:
        return True

    def exec_command(
        self, cmd: str, in_data: bytes | None = None, sudoable: bool = True
    ) -> tuple[int, bytes, bytes]:
        super().exec_command(cmd, in_data=in_data, sudoable=sudoable)
        if not in_data:
            raise AnsibleConnectionFailure(f"wfp_standin runs modules only, not {cmd!r}")
        script, arguments = module_arguments(in_data)
        if script not in SCRIPTS:
            raise AnsibleConnectionFailure(f"wfp_standin answers wfp.ipsec.policy only: {script}")
        if script == SCRIPTS[1] and arguments.get("_operation") not in ("read", "read_all"):
            raise AnsibleConnectionFailure("wfp.ipsec.policy_info answers read and read_all only")
        reply = self._answer(arguments)
        output = json.dumps(reply).encode()
        self._log(arguments, len(cmd.encode()) + len(in_data), len(output))
        return 0, output, b""

    def _answer(self, arguments: dict[str, Any]) -> dict[str, Any]:
        backend = OfflineBackend(str(self.get_option("state_file")))
        operation = arguments.get("_operation")
        reply: dict[str, Any] = {"changed": False}
        try:
            if operation in ("read", "read_all"):
                state = backend.read_all()
                provider_key = arguments.get("provider_key")
                if operation == "read":
                    state = owned_state(state, str(provider_key))
                reply["state_json"] = json.dumps(state)
                # As the host's read entry points: the fingerprint of the owned objects read.
                if provider_key:
                    reply["fingerprint"] = fingerprint(owned_state(state, str(provider_key)))
                reply["pending_json"] = json.dumps(pending_summaries(backend, state))
            elif operation == "apply":
                plan = json.loads(arguments["plan"])
                timeout = arguments.get("confirm_timeout")
                # Commit confirmed's first phase when the action sends a timeout.
                result = (
                    backend.apply_tentative(plan, int(timeout)) if timeout else backend.apply(plan)
                )
                result["state"] = owned_state(backend.read_all(), plan["provider_key"])
                reply["changed"] = result["applied"] > 0
                reply["result_json"] = json.dumps(module_result(result))
            elif operation == "confirm":
                pending = {"tentative_fingerprint": arguments.get("tentative_fingerprint")}
                result = backend.confirm(str(arguments["provider_key"]), pending)
                reply["result_json"] = json.dumps(module_result(result))
            else:
                return {"failed": True, "msg": f"unknown _operation {operation!r}"}
        except (BackendError, WfpError) as error:
            details = error.details() if isinstance(error, WfpError) else error.details
            return {"failed": True, "msg": str(error), "error": details}
        return reply

    def _log(self, arguments: dict[str, Any], sent: int, received: int) -> None:
        path = self.get_option("log_file")
        if not path:
            return
        self._calls += 1
        # Run, one Send per chunk, Receive, cleanup; the first call of a connection also opens
        # the shell and the task's end deletes it.
        shell = 2 if self._calls == 1 else 0
        record = {
            "operation": arguments.get("_operation"),
            "bytes_sent": sent,
            "bytes_received": received,
            "round_trips": shell + 3 + math.ceil(sent / WINRM_SEND_CHUNK),
            "host": self._play_context.remote_addr,
            "pid": os.getpid(),
        }
        with open(str(path), "a", encoding="utf-8") as handle:
            handle.write(json.dumps(record) + "\n")

    def put_file(self, in_path: str, out_path: str) -> None:
        raise AnsibleConnectionFailure("wfp_standin does not transfer files")

    def fetch_file(self, in_path: str, out_path: str) -> None:
        raise AnsibleConnectionFailure("wfp_standin does not transfer files")

    def close(self) -> None:
        self._connected = False

    def reset(self) -> None:
        """A new connection (commit confirmed confirms over one); the next command opens it."""
        self.close()
