"""The policy action plugin as Ansible builds it, with a mocked task and connection.

The ansible.windows unit-test pattern: a real ActionModule, a MagicMock Task carrying the
arguments and the check/diff flags, and a real Templar.
"""

from __future__ import annotations

from typing import Any
from unittest.mock import MagicMock

from ansible.playbook.task import Task
from ansible.template import Templar
from ansible_collections.wfp.ipsec.plugins.action import policy


def make_plugin(
    args: dict[str, Any],
    check_mode: bool = False,
    diff: bool = False,
    transport: str = "winrm",
) -> policy.ActionModule:
    task = MagicMock(Task)
    task.args = args
    task.check_mode = check_mode
    task.diff = diff
    task.async_val = 0
    connection = MagicMock()
    connection.transport = transport
    loader = MagicMock()
    loader.get_basedir.return_value = "/playbooks"
    return policy.ActionModule(
        task,
        connection,
        MagicMock(),
        loader=loader,
        templar=Templar(loader=loader),
        shared_loader_obj=None,
    )
