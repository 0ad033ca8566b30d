# Copyright: (c) 2026, wfp.ipsec contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Controller half of wfp.ipsec.policy_info: offline hosts are read here, live hosts by the module."""

from __future__ import annotations

from typing import Any

from ansible.plugins.action import ActionBase
from ansible_collections.wfp.ipsec.plugins.plugin_utils.backend import BackendError
from ansible_collections.wfp.ipsec.plugins.plugin_utils.catalogue import (
    UnknownSymbolError,
    normalise_guid,
)
from ansible_collections.wfp.ipsec.plugins.plugin_utils.hosts import (
    OFFLINE_STATE_VAR,
    offline_backend,
)
from ansible_collections.wfp.ipsec.plugins.plugin_utils.query import select


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset({"provider_key", "layers"})

    def run(self, tmp: Any = None, task_vars: dict[str, Any] | None = None) -> dict[str, Any]:
        self._supports_check_mode = True
        result: dict[str, Any] = super().run(tmp, task_vars)
        task_vars = task_vars or {}
        provider_key = self._task.args.get("provider_key")
        layers = list(self._task.args.get("layers") or [])
        if provider_key and normalise_guid(str(provider_key)) is None:
            result.update(failed=True, msg=f"provider_key: {provider_key!r} is not a GUID")
            return result
        path = task_vars.get(OFFLINE_STATE_VAR)
        if not path:
            result.update(
                self._execute_module(
                    module_name="wfp.ipsec.policy_info",
                    module_args=dict(self._task.args),
                    task_vars=task_vars,
                )
            )
            return result
        try:
            backend = offline_backend(str(self._templar.template(path)), self._loader.get_basedir())
            state = select(
                backend.read_all(),
                normalise_guid(str(provider_key)) if provider_key else None,
                layers,
            )
        except UnknownSymbolError as error:
            result.update(failed=True, msg=f"layers: {error}; use FWPM_LAYER_* symbols or GUIDs")
            return result
        except BackendError as error:
            result.update(failed=True, msg=str(error), **error.details)
            return result
        result.update(changed=False, state=state, backend=backend.kind)
        return result
