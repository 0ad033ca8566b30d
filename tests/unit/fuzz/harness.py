"""Drive the real entry points in process and judge the outcome.

A run passes when it either works or fails with a message: never an exception out of the action
plugin, never an `internal_error` (the action plugin's last-resort catch of a bug), and never an
accepted input that the engine model says a real host would reject.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from ansible.errors import AnsibleActionFail
from ansible_collections.wfp.ipsec.plugins.plugin_utils import engine
from ansible_collections.wfp.ipsec.plugins.plugin_utils.engine import Engine, WfpError
from ansible_collections.wfp.ipsec.plugins.plugin_utils.model import (
    LIST_NAMES,
    State,
    empty_state,
    iter_objects,
)

from tests.unit.plugins.action.factory import make_plugin


def run_policy(
    args: dict[str, Any],
    task_vars: dict[str, Any],
    *,
    check_mode: bool = False,
    diff: bool = False,
    execute: Any = None,
) -> dict[str, Any] | None:
    """The task result of one wfp.ipsec.policy run (None: Ansible refused the options itself)."""
    try:
        own_args = copy.deepcopy(args)  # the plugin may normalise its arguments in place
    except RecursionError:  # deeper than copy.deepcopy can go; the input itself is the test
        own_args = args
    plugin = make_plugin(own_args, check_mode=check_mode, diff=diff, transport="local")
    if execute is not None:
        plugin._execute_module = execute  # type: ignore[method-assign]
    try:
        return plugin.run(task_vars=task_vars)
    except AnsibleActionFail:
        return None  # Ansible's own "Invalid options" failure: a message, no traceback


def assert_clean(result: dict[str, Any] | None) -> None:
    """Worked, or failed with a message; never a bug."""
    if result is None:
        return
    assert "internal_error" not in result, result.get("msg")
    if result.get("failed"):
        assert isinstance(result.get("msg"), str) and result["msg"], result


def host_rejections(before: State, after: State, provider_key: str) -> list[str]:
    """What a real host would refuse of our objects in `after`, by the engine model.

    Our objects are added one by one (dependency order) to an engine holding only the foreign
    objects of `before`. With `engine.host_problems(object_type, obj, state)` (engine-rules
    branch) every reason counts; until then `Engine.add` on that copy is the judge.
    """
    host_problems = getattr(engine, "host_problems", None)
    foreign = empty_state()
    for object_type, obj in iter_objects(before):
        if _owner(object_type, obj) != provider_key:
            foreign[LIST_NAMES[object_type]].append(obj)
    model_engine = Engine(foreign)
    problems: list[str] = []
    for object_type, obj in iter_objects(after):
        if _owner(object_type, obj) != provider_key:
            continue
        declared = {k: v for k, v in obj.items() if k != "runtime"}
        if host_problems is not None:
            problems += map(str, host_problems(object_type, declared, model_engine.state()))
        try:
            model_engine.add(object_type, declared)
        except WfpError as error:
            problems.append(str(error))
    return problems


def _owner(object_type: str, obj: dict[str, Any]) -> Any:
    return obj["key"] if object_type == "provider" else obj.get("provider_key")


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))
