"""Pay the controller's fixed costs once per process, before Ansible forks its workers.

Ansible's linear and free strategies load the action plugin class in the controller's main
process (`action_loader.get(..., class_only=True)`) before they fork a worker for each host and
task, so whatever the plugin's import does is inherited by every worker. `warm_up()` runs one
check-mode and one converging run of a small declaration on an in-memory engine: that imports
every module the task needs (jsonschema, the shadow analysis, the live backend), builds the
cached validators and catalogue tables, and leaves nothing behind but those caches.
"""

from __future__ import annotations

import copy
from typing import Any, Final

from . import live
from .backend import Plan, StateDocument
from .deps import MissingDependencyError
from .engine import Engine
from .model import owned_state
from .runner import RunOptions, converge

_DECLARATION: Final[dict[str, Any]] = {
    "scenario": {"guaranteed_encryption": {"required_ports": [{"port": 5555}]}},
    "confirm_timeout": 0,
}


class _MemoryBackend:
    """A host held in an Engine, for the warm-up only."""

    kind = "memory"

    def __init__(self) -> None:
        self._engine = Engine()

    def read(self, provider_key: str) -> StateDocument:
        return owned_state(self._engine.state(), provider_key)

    def read_all(self) -> StateDocument:
        return self._engine.state()

    def apply(self, plan: Plan) -> dict[str, Any]:
        return self._engine.apply_plan(plan)


def warm_up() -> bool:
    """Import and cache what a policy task needs; False when a controller package is missing.

    A missing package is reported by the task itself, with the install line; warming is only
    an optimisation and never fails the plugin's import (ansible-doc and sanity import it too).
    """
    backend = _MemoryBackend()
    try:
        converge(copy.deepcopy(_DECLARATION), backend, RunOptions(check_mode=True, diff=True))
        converge(copy.deepcopy(_DECLARATION), backend, RunOptions(diff=True))
        live.compile_state_checks()
        live.check_state_document(backend.read_all())
    except MissingDependencyError:
        return False
    except Exception:
        return False
    return True
