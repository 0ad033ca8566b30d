# Copyright: (c) 2026, wfp.ipsec contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Controller half of wfp.ipsec.policy_info.

Offline hosts are read here. Live hosts are read by the module, which filters on the host; the
shadow analysis needs every object, so with `shadowing` the full state is read and analysed here.
"""

from __future__ import annotations

from typing import Any

from ansible.plugins.action import ActionBase
from ansible_collections.wfp.ipsec.plugins.plugin_utils.backend import BackendError, HostBackend
from ansible_collections.wfp.ipsec.plugins.plugin_utils.catalogue import (
    UnknownSymbolError,
    normalise_guid,
)
from ansible_collections.wfp.ipsec.plugins.plugin_utils.hosts import (
    OFFLINE_STATE_VAR,
    offline_backend,
)
from ansible_collections.wfp.ipsec.plugins.plugin_utils.live import ModuleBackend
from ansible_collections.wfp.ipsec.plugins.plugin_utils.query import select
from ansible_collections.wfp.ipsec.plugins.plugin_utils.redaction import internal_error, redact
from ansible_collections.wfp.ipsec.plugins.plugin_utils.shadow import find_shadowing

MODULE_OPTIONS = frozenset({"provider_key", "layers"})


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = MODULE_OPTIONS | {"shadowing"}

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
        args = dict(self._task.args)
        provider_key = args.get("provider_key")
        shadowing = bool(args.pop("shadowing", False))
        if provider_key and normalise_guid(str(provider_key)) is None:
            return self._failed(result, f"provider_key: {provider_key!r} is not a GUID")
        if shadowing and not provider_key:
            return self._failed(
                result, "shadowing needs provider_key: the provider whose filters to analyse"
            )
        path = task_vars.get(OFFLINE_STATE_VAR)
        if not path and not shadowing:
            result.update(
                self._execute_module(
                    module_name="wfp.ipsec.policy_info", module_args=args, task_vars=task_vars
                )
            )
            return result
        try:
            backend = self._backend(path, task_vars)
            everything = backend.read_all()
            key = normalise_guid(str(provider_key)) if provider_key else None
            result.update(
                changed=False,
                state=select(everything, key, args.get("layers")),
                backend=backend.kind,
            )
            if shadowing and key:
                result["shadowing"] = [
                    finding.to_dict() for finding in find_shadowing(everything, key)
                ]
        except UnknownSymbolError as error:
            return self._failed(result, f"layers: {error}; use FWPM_LAYER_* symbols or GUIDs")
        except BackendError as error:
            return self._failed(result, str(error), error.details)
        return result

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

        def execute(module_args: dict[str, Any]) -> dict[str, Any]:
            reply: dict[str, Any] = self._execute_module(
                module_name="wfp.ipsec.policy", module_args=module_args, task_vars=task_vars
            )
            return reply

        return ModuleBackend(execute)
