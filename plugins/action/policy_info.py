# Copyright: (c) 2026, wfp.ipsec contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Controller half of wfp.ipsec.policy_info.

Options are checked from the module's DOCUMENTATION like wfp.ipsec.policy's. Offline hosts are
read here. Live hosts are read by the module, which filters on the host; selecting the provider
by name and the shadow analysis need every object, so then the full state is read and selected
or analysed here. Every result carries a readable view (symbols, names, decoded values).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from ansible.plugins.action import ActionBase
from ansible_collections.wfp.ipsec.plugins.plugin_utils.backend import BackendError, HostBackend
from ansible_collections.wfp.ipsec.plugins.plugin_utils.catalogue import UnknownSymbolError
from ansible_collections.wfp.ipsec.plugins.plugin_utils.declaration import parse_guid
from ansible_collections.wfp.ipsec.plugins.plugin_utils.deps import MissingDependencyError
from ansible_collections.wfp.ipsec.plugins.plugin_utils.hosts import (
    OFFLINE_STATE_VAR,
    offline_backend,
)
from ansible_collections.wfp.ipsec.plugins.plugin_utils.model import State, empty_state
from ansible_collections.wfp.ipsec.plugins.plugin_utils.options import (
    Constraint,
    OptionChecker,
    argument_spec,
    module_options,
)
from ansible_collections.wfp.ipsec.plugins.plugin_utils.query import select
from ansible_collections.wfp.ipsec.plugins.plugin_utils.redaction import internal_error, redact
from ansible_collections.wfp.ipsec.plugins.plugin_utils.render import indirect_text, readable_state

# Options the host module takes; the others are handled on the controller.
MODULE_OPTIONS = frozenset({"provider_key", "layers"})


@cache
def _checker() -> OptionChecker:
    return OptionChecker(
        argument_spec(module_options("policy_info")),
        {"provider_key": Constraint(parse=parse_guid)},
    )


class ActionModule(ActionBase):
    TRANSFERS_FILES = False

    def run(self, tmp: Any = None, task_vars: dict[str, Any] | None = None) -> dict[str, Any]:
        self._supports_check_mode = True
        result: dict[str, Any] = super().run(tmp, task_vars)
        try:
            result = self._read(result, task_vars or {})
        except Exception as error:
            result = self._failed(result, *internal_error("wfp.ipsec.policy_info", error))
        # The one exit of every result: no pre-shared key or key digest leaves (docs/secrets.md).
        redacted: dict[str, Any] = redact(result)
        return redacted

    def _read(self, result: dict[str, Any], task_vars: dict[str, Any]) -> dict[str, Any]:
        checked = _checker().check(dict(self._task.args))
        if checked.values is None:
            problems = [str(p) for p in checked.problems]
            return self._failed(result, "invalid options: " + "; ".join(problems))
        args = checked.values
        if args.get("provider_key") and args.get("provider_name"):
            return self._failed(result, "give provider_key or provider_name, not both")
        shadowing = bool(args.get("shadowing"))
        if shadowing and not (args.get("provider_key") or args.get("provider_name")):
            return self._failed(
                result,
                "shadowing needs the provider whose filters to analyse: set provider_name "
                "(for example wfp.ipsec) or provider_key",
            )
        path = task_vars.get(OFFLINE_STATE_VAR)
        try:
            if not path and not shadowing and not args.get("provider_name"):
                module_args = {k: v for k, v in args.items() if k in MODULE_OPTIONS and v}
                reply = self._execute_module(
                    module_name="wfp.ipsec.policy_info",
                    module_args=module_args,
                    task_vars=task_vars,
                )
                result.update(reply)
                if isinstance(reply.get("state"), dict):
                    result["readable"] = readable_state(reply["state"])
                return result
            backend = self._backend(path, task_vars)
            everything = backend.read_all()
            result.update(changed=False, backend=backend.kind)
            result.update(self._controller_view(everything, args, shadowing))
        except UnknownSymbolError as error:
            return self._failed(result, f"layers: {error}; use FWPM_LAYER_* symbols or GUIDs")
        except BackendError as error:
            return self._failed(result, str(error), error.details)
        except MissingDependencyError as error:
            return self._failed(result, str(error))
        return result

    @staticmethod
    def _controller_view(
        everything: State, args: dict[str, Any], shadowing: bool
    ) -> dict[str, Any]:
        view: dict[str, Any] = {}
        key = args.get("provider_key")
        name = args.get("provider_name")
        if name:
            matches = [p["key"] for p in everything.get("providers") or [] if p.get("name") == name]
            key = matches[0] if matches else None
            if not matches:
                known = sorted(
                    indirect_text(p.get("name")) or p["key"]
                    for p in everything.get("providers") or []
                )
                view["msg"] = (
                    f"no provider named {name!r} on this host (providers: {', '.join(known) or 'none'})"
                )
        state = select(everything, key, args.get("layers")) if (key or not name) else empty_state()
        view.update(state=state, readable=readable_state(state))
        if key:
            view["provider_key"] = key
        if shadowing:
            view["shadowing"] = []
            owned = select(everything, key, None) if key else None
            if not owned or not owned.get("filters"):
                view["msg"] = (
                    f"nothing to analyse: provider {name or key!r} owns no filters on this host, "
                    "so no finding is possible; to see what would shadow a policy before it is "
                    "installed, run wfp.ipsec.policy in check mode"
                )
            else:
                from ansible_collections.wfp.ipsec.plugins.plugin_utils.shadow import find_shadowing

                view["shadowing"] = [f.to_dict() for f in find_shadowing(everything, key)]
        return view

    @staticmethod
    def _failed(
        result: dict[str, Any], message: str, details: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """A failed task result: `details` (any keys, `message` included) and then msg."""
        result.update(details or {})
        result.update(failed=True, msg=message)
        return result

    def _backend(self, path: Any, task_vars: dict[str, Any]) -> HostBackend:
        if path:
            return offline_backend(str(self._templar.template(path)), self._loader.get_basedir())
        from ansible_collections.wfp.ipsec.plugins.plugin_utils.live import ModuleBackend

        def execute(module_args: dict[str, Any]) -> dict[str, Any]:
            reply: dict[str, Any] = self._execute_module(
                module_name="wfp.ipsec.policy", module_args=module_args, task_vars=task_vars
            )
            return reply

        return ModuleBackend(execute)
