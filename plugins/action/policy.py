# Copyright: (c) 2026, wfp.ipsec contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Controller half of wfp.ipsec.policy: validate, expand, read host state, plan, apply."""

from __future__ import annotations

from typing import Any

from ansible.errors import AnsibleActionFail
from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.action import ActionBase
from ansible_collections.wfp.ipsec.plugins.plugin_utils.backend import BackendError, HostBackend
from ansible_collections.wfp.ipsec.plugins.plugin_utils.declaration import DeclarationError
from ansible_collections.wfp.ipsec.plugins.plugin_utils.deps import MissingDependencyError
from ansible_collections.wfp.ipsec.plugins.plugin_utils.hosts import (
    OFFLINE_CREATE_VAR,
    OFFLINE_STATE_VAR,
    offline_backend,
)
from ansible_collections.wfp.ipsec.plugins.plugin_utils.model import ModelError
from ansible_collections.wfp.ipsec.plugins.plugin_utils.redaction import (
    internal_error,
    redact,
    secrets_of,
)
from ansible_collections.wfp.ipsec.plugins.plugin_utils.runner import (
    PolicyError,
    RunOptions,
    converge,
)

MODULE_NAME = "wfp.ipsec.policy"
# Set to false (a play or group variable) to keep check mode's per-host summary out of the
# warnings, e.g. in a fleet report play; the summary stays in the result's msg.
CHECK_SUMMARY_VAR = "wfp_ipsec_check_summary"

# Ports the controller reaches a host on, by connection plugin, when ansible_port is not set.
_DEFAULT_PORTS = {
    "winrm": {"http": 5985, "https": 5986},
    "psrp": {"http": 5985, "https": 5986},
    "ssh": {"": 22},
}


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    # Every option is checked by declaration.validate (from DOCUMENTATION), which names unknown
    # options with a "did you mean"; ActionBase's own check would pre-empt that with less.

    def run(self, tmp: Any = None, task_vars: dict[str, Any] | None = None) -> dict[str, Any]:
        self._supports_check_mode = True
        self._supports_async = False
        result: dict[str, Any] = super().run(tmp, task_vars)
        try:
            result = self._converge(result, task_vars or {})
        except AnsibleActionFail as error:
            result = self._failed(result, str(error.message))
        except Exception as error:
            result = self._failed(result, *internal_error(MODULE_NAME, error))
        # The one exit of every result: no pre-shared key leaves (docs/secrets.md).
        redacted: dict[str, Any] = redact(result, secrets_of(self._task.args))
        return redacted

    def _converge(self, result: dict[str, Any], task_vars: dict[str, Any]) -> dict[str, Any]:
        arguments = dict(self._task.args)
        options = RunOptions(
            check_mode=bool(self._task.check_mode),
            diff=bool(self._task.diff),
            management_ports=self._management_ports(task_vars),
        )
        try:
            backend = self._backend(task_vars)
            run = converge(arguments, backend, options)
        except DeclarationError as error:
            return self._failed(result, str(error), {"problems": [str(p) for p in error.problems]})
        except PolicyError as error:
            return self._failed(result, str(error), error.details)
        except BackendError as error:
            return self._failed(result, str(error), error.details)
        except ModelError as error:
            return self._failed(result, f"host returned an object that is not valid: {error}")
        except MissingDependencyError as error:
            return self._failed(result, str(error))
        warnings = run.pop("warnings", [])
        notices = run.pop("notices", [])
        if self._check_summary(task_vars):
            warnings += notices
        result.update(run)
        if warnings:
            # Warnings print in the normal output without the host: name it (fleet runs).
            host = task_vars.get("inventory_hostname")
            prefix = f"{host}: " if host else ""
            result.setdefault("warnings", []).extend(prefix + text for text in warnings)
        return result

    def _check_summary(self, task_vars: dict[str, Any]) -> bool:
        """Whether check mode prints its per-host summary as warnings (CHECK_SUMMARY_VAR)."""
        value = self._template(task_vars.get(CHECK_SUMMARY_VAR, True))
        return boolean(value, strict=False)

    @staticmethod
    def _failed(
        result: dict[str, Any], message: str, details: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """A failed task result: `details` (any keys, `message` included) and then msg."""
        result.update(details or {})
        result.update(failed=True, changed=False, msg=message)
        return result

    def _template(self, value: Any) -> Any:
        return self._templar.template(value) if isinstance(value, str) else value

    def _backend(self, task_vars: dict[str, Any]) -> HostBackend:
        path = self._template(task_vars.get(OFFLINE_STATE_VAR))
        if path:
            create = bool(self._template(task_vars.get(OFFLINE_CREATE_VAR, False)))
            return offline_backend(str(path), self._loader.get_basedir(), create=create)
        from ansible_collections.wfp.ipsec.plugins.plugin_utils.live import ModuleBackend

        def execute(module_args: dict[str, Any]) -> dict[str, Any]:
            reply: dict[str, Any] = self._execute_module(
                module_name=MODULE_NAME, module_args=module_args, task_vars=task_vars
            )
            return reply

        return ModuleBackend(execute)

    def _management_ports(self, task_vars: dict[str, Any]) -> list[int]:
        """The port the controller uses to reach this host (for the lockout guard)."""
        if task_vars.get(OFFLINE_STATE_VAR):
            return []
        connection = str(
            self._template(task_vars.get("ansible_connection")) or self._connection.transport
        )
        connection = connection.rsplit(".", 1)[-1]
        port = self._template(task_vars.get("ansible_port"))
        if port:
            try:
                return [int(port)]
            except ValueError as error:
                raise AnsibleActionFail(f"ansible_port {port!r} is not a port number") from error
        defaults = _DEFAULT_PORTS.get(connection)
        if not defaults:
            return []
        if connection == "ssh":
            return [22]
        scheme = self._template(task_vars.get(f"ansible_{connection}_scheme"))
        if scheme in defaults:
            return [defaults[scheme]]
        return sorted(defaults.values())
