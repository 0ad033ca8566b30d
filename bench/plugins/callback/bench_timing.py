# Copyright: (c) 2026, wfp.ipsec contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark callback: Ansible's own per-task timing, written as JSON for bench/bench_hosts.py.

For each task it records the wall time from the task's start in the strategy to the last host
result (so ansible-playbook start-up and play set-up are not part of any task), and per host the
time from `v2_runner_on_start` to the result. Enable with ANSIBLE_CALLBACKS_ENABLED=bench_timing
and ANSIBLE_CALLBACK_PLUGINS=bench/plugins/callback; the file is BENCH_TIMING_OUT.
"""

from __future__ import annotations

import json
import os
import time
from typing import Any

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = """
name: bench_timing
type: aggregate
short_description: per-task and per-host timings for the wfp.ipsec benchmarks
description: Writes the timings of every task to the JSON file named by BENCH_TIMING_OUT.
requirements: [enable in configuration]
"""


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "bench_timing"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self) -> None:
        super().__init__()
        self._tasks: list[dict[str, Any]] = []
        self._host_start: dict[str, float] = {}

    def v2_playbook_on_task_start(self, task: Any, is_conditional: bool) -> None:
        now = time.perf_counter()
        self._close_task(now)
        self._tasks.append(
            {
                "name": task.get_name(),
                "action": task.action,
                "start": now,
                "end": now,
                "hosts": {},
                "failed": 0,
            }
        )
        self._host_start = {}

    def v2_runner_on_start(self, host: Any, task: Any) -> None:
        self._host_start[host.get_name()] = time.perf_counter()

    def _result(self, result: Any, failed: bool) -> None:
        if not self._tasks:
            return
        now = time.perf_counter()
        current = self._tasks[-1]
        name = result._host.get_name()
        current["hosts"][name] = now - self._host_start.get(name, current["start"])
        current["end"] = now
        if failed:
            current["failed"] += 1
            current.setdefault("messages", []).append(str(result._result.get("msg", ""))[:500])

    def v2_runner_on_ok(self, result: Any) -> None:
        self._result(result, failed=False)

    def v2_runner_on_failed(self, result: Any, ignore_errors: bool = False) -> None:
        self._result(result, failed=True)

    def v2_runner_on_unreachable(self, result: Any) -> None:
        self._result(result, failed=True)

    def v2_runner_on_skipped(self, result: Any) -> None:
        self._result(result, failed=False)

    def _close_task(self, now: float) -> None:
        if self._tasks:
            self._tasks[-1]["wall"] = self._tasks[-1]["end"] - self._tasks[-1]["start"]

    def v2_playbook_on_stats(self, stats: Any) -> None:
        self._close_task(time.perf_counter())
        path = os.environ.get("BENCH_TIMING_OUT")
        if path:
            for task in self._tasks:
                task.pop("start", None)
                task.pop("end", None)
            with open(path, "w", encoding="utf-8") as handle:
                json.dump(self._tasks, handle)
