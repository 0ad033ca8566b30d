# Copyright: (c) 2026, wfp.ipsec contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Controller half of wfp.ipsec.policy: validate, expand, read host state, plan, apply."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ansible.errors import AnsibleActionFail, AnsibleError
from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.action import ActionBase
from ansible_collections.wfp.ipsec.plugins.plugin_utils.backend import (
    BackendError,
    HostBackend,
    HostUnreachableError,
)
from ansible_collections.wfp.ipsec.plugins.plugin_utils.declaration import DeclarationError
from ansible_collections.wfp.ipsec.plugins.plugin_utils.deps import MissingDependencyError
from ansible_collections.wfp.ipsec.plugins.plugin_utils.hosts import (
    OFFLINE_CREATE_VAR,
    OFFLINE_SIMULATE_VAR,
    OFFLINE_STATE_VAR,
    offline_backend,
)
from ansible_collections.wfp.ipsec.plugins.plugin_utils.model import ModelError
from ansible_collections.wfp.ipsec.plugins.plugin_utils.redaction import (
    internal_error,
    redact,
    secrets_of,
)
from ansible_collections.wfp.ipsec.plugins.plugin_utils.role_variables import (
    PREFIX,
    ROLE,
    UNSET,
    RoleVariableError,
    policy_arguments,
    variable_path,
)
from ansible_collections.wfp.ipsec.plugins.plugin_utils.runner import (
    PolicyError,
    RunOptions,
    converge,
)
from ansible_collections.wfp.ipsec.plugins.plugin_utils.warm import warm_up

MODULE_NAME = "wfp.ipsec.policy"
# The reads run policy_info, which ships and compiles only the read util (docs/host-layer.md).
READ_MODULE_NAME = "wfp.ipsec.policy_info"
# Commit confirmed is on by default (docs/commit-confirmed.md); the option `confirm_timeout`.
DEFAULT_CONFIRM_TIMEOUT = 120
# Set to false (a play or group variable) to keep check mode's per-host summary out of the
# warnings, e.g. in a fleet report play; the summary stays in the result's msg.
CHECK_SUMMARY_VAR = "wfp_ipsec_check_summary"
# The option that takes every other option from a role's variables (role_variables.py).
ROLE_VARIABLES_OPTION = "role_variables"

# The linear and free strategies load this class in the controller's main process before they
# fork a worker per host and task, so the imports and caches warmed here are paid once per
# ansible-playbook run instead of once per host (docs/performance.md).
warm_up()

# Ports the controller reaches a host on, by connection plugin, when no port variable is set:
# (variable naming the scheme, {scheme: port}, the plugin's own default scheme).
_DEFAULT_PORTS: dict[str, tuple[str, dict[str, int]]] = {
    "winrm": ("ansible_winrm_scheme", {"http": 5985, "https": 5986}),
    "psrp": ("ansible_psrp_protocol", {"http": 5985, "https": 5986}),
    "ssh": ("", {"": 22}),
}
_MANAGED_CONNECTIONS = frozenset(_DEFAULT_PORTS)


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    # Every option is checked by declaration.validate (from DOCUMENTATION), which names unknown
    # options with a "did you mean"; ActionBase's own check would pre-empt that with less.
    # The role whose variables the options come from (role_variables), else None.
    _role: str | None = None

    def run(self, tmp: Any = None, task_vars: dict[str, Any] | None = None) -> dict[str, Any]:
        self._supports_check_mode = True
        self._supports_async = False
        result: dict[str, Any] = super().run(tmp, task_vars)
        arguments: dict[str, Any] = dict(self._task.args)
        try:
            arguments = self._arguments(arguments, task_vars or {})
            result = self._converge(result, arguments, task_vars or {})
        except AnsibleActionFail as error:
            result = self._failed(result, str(error.message))
        except Exception as error:
            result = self._failed(result, *internal_error(MODULE_NAME, error))
        # The one exit of every result: no pre-shared key leaves (docs/secrets.md).
        secrets = secrets_of(self._task.args) | secrets_of(arguments)
        redacted: dict[str, Any] = redact(result, secrets)
        return redacted

    def _arguments(self, arguments: dict[str, Any], task_vars: dict[str, Any]) -> dict[str, Any]:
        """The task's options, or with `role_variables` those of the role's variables."""
        if ROLE_VARIABLES_OPTION not in arguments:
            return arguments
        role = arguments.pop(ROLE_VARIABLES_OPTION)
        if arguments:
            raise AnsibleActionFail(
                f"{ROLE_VARIABLES_OPTION} cannot be combined with other options (given: "
                f"{', '.join(sorted(map(str, arguments)))}): set them as {PREFIX}* "
                f"variables, or leave out {ROLE_VARIABLES_OPTION}"
            )
        if role != ROLE:
            raise AnsibleActionFail(
                f"{ROLE_VARIABLES_OPTION}: {role!r} is not a role of this collection whose "
                f"variables the module reads; the choice is {ROLE!r}"
            )

        def value_of(name: str) -> Any:
            if name not in task_vars:
                return UNSET
            try:
                return self._templar.template(task_vars[name])
            except AnsibleError as error:
                raise AnsibleActionFail(f"{name}: {error.message}") from None

        host = str(task_vars.get("inventory_hostname") or "this host")
        self._role = ROLE
        try:
            return policy_arguments(value_of, host)
        except RoleVariableError as error:
            raise AnsibleActionFail(str(error)) from None

    def _converge(
        self, result: dict[str, Any], arguments: dict[str, Any], task_vars: dict[str, Any]
    ) -> dict[str, Any]:
        options = RunOptions(
            check_mode=bool(self._task.check_mode),
            diff=bool(self._task.diff),
            management_ports=self._management_ports(task_vars),
            confirm_timeout=DEFAULT_CONFIRM_TIMEOUT,
        )
        try:
            backend = self._backend(task_vars)
            run = converge(arguments, backend, options)
        except DeclarationError as error:
            if self._role is not None:  # name what the operator set: the role's variables
                error = error.renamed(variable_path, f"{self._role} role variables")
            return self._failed(result, str(error), {"problems": [str(p) for p in error.problems]})
        except PolicyError as error:
            if error.unreachable:
                return self._unreachable(result, str(error), error.details)
            return self._failed(result, str(error), error.details)
        except HostUnreachableError as error:
            return self._unreachable(result, str(error), {"error": error.details})
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

    @staticmethod
    def _unreachable(
        result: dict[str, Any], message: str, details: dict[str, Any]
    ) -> dict[str, Any]:
        """Ansible marks the host unreachable (not failed). Changed only when an apply whose
        confirmation was lost ran (the host then restores its previous policy by itself)."""
        result.update(details)
        result.update(unreachable=True, changed="confirmation" in details, msg=message)
        return result

    def _template(self, value: Any) -> Any:
        return self._templar.template(value) if isinstance(value, str) else value

    def _backend(self, task_vars: dict[str, Any]) -> HostBackend:
        path = self._template(task_vars.get(OFFLINE_STATE_VAR))
        if path:
            create = bool(self._template(task_vars.get(OFFLINE_CREATE_VAR, False)))
            simulate = self._template(task_vars.get(OFFLINE_SIMULATE_VAR)) or None
            return offline_backend(
                str(path), self._loader.get_basedir(), create=create, simulate=simulate
            )
        from ansible.errors import AnsibleConnectionFailure
        from ansible_collections.wfp.ipsec.plugins.plugin_utils.live import ModuleBackend

        def runner(module_name: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
            def execute(module_args: dict[str, Any]) -> dict[str, Any]:
                try:
                    reply: dict[str, Any] = self._execute_module(
                        module_name=module_name, module_args=module_args, task_vars=task_vars
                    )
                except AnsibleConnectionFailure as error:
                    raise HostUnreachableError(f"host unreachable: {error}") from None
                return reply

            return execute

        def reconnect() -> None:
            """Commit confirmed: the confirmation must travel over a new connection."""
            try:
                self._connection.reset()
            except AnsibleConnectionFailure as error:
                raise HostUnreachableError(f"cannot reconnect: {error}") from None

        # Reads go through policy_info, which ships and compiles only the read util.
        return ModuleBackend(runner(MODULE_NAME), runner(READ_MODULE_NAME), reconnect=reconnect)

    def _management_ports(self, task_vars: dict[str, Any]) -> list[int]:
        """The ports the controller uses to reach this host (for the lockout guard).

        Every way Ansible names the port counts: ansible_port, ansible_<connection>_port, the
        connection plugin's own resolved option, else the plugin's default for the scheme.
        Offline hosts are guarded like the live host their inventory describes
        (ansible_connection winrm, psrp or ssh), so a rehearsal refuses what production would.
        """
        offline = bool(task_vars.get(OFFLINE_STATE_VAR))
        declared = self._template(task_vars.get("ansible_connection"))
        if declared is None and not offline:
            declared = self._connection.transport
        connection = str(declared or "").rsplit(".", 1)[-1]
        if connection not in _MANAGED_CONNECTIONS:
            return []
        ports = {
            self._port(name, self._template(task_vars.get(name)))
            for name in ("ansible_port", f"ansible_{connection}_port")
            if task_vars.get(name) not in (None, "")
        }
        if not offline and self._connection.transport.rsplit(".", 1)[-1] == connection:
            ports.add(self._plugin_port())
        ports.discard(None)
        if ports:
            return sorted(p for p in ports if p is not None)
        scheme_var, defaults = _DEFAULT_PORTS[connection]
        scheme = self._template(task_vars.get(scheme_var)) if scheme_var else ""
        if scheme in defaults:
            return [defaults[scheme]]
        return sorted(defaults.values())

    @staticmethod
    def _port(name: str, value: Any) -> int:
        try:
            port = int(str(value).strip())
        except ValueError:
            port = 0
        if not 0 < port < 65536:
            raise AnsibleActionFail(f"{name} {value!r} is not a port number (1-65535)")
        return port

    def _plugin_port(self) -> int | None:
        """The port the connection plugin resolved (its option, variables and default)."""
        try:
            value = self._connection.get_option("port")
        except (AttributeError, KeyError):
            return None
        if isinstance(value, bool) or not isinstance(value, (int, str)) or value in ("", 0):
            return None
        return self._port("the connection's port option", value)
