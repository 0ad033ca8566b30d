"""Check-mode results of real machines (the netsh dumps) and generated fleets built from them."""

from __future__ import annotations

import copy
from functools import cache
from typing import Any

from ansible_collections.wfp.ipsec.plugins.plugin_utils.offline import ReadOnlyStateBackend
from ansible_collections.wfp.ipsec.plugins.plugin_utils.runner import RunOptions, converge

from tests.unit.netsh.dumps import FILTER_DUMPS, STATE_DUMPS, load

DUMPS = STATE_DUMPS + FILTER_DUMPS
POLICY: dict[str, Any] = {
    "scenario": {"guaranteed_encryption": {"required_ports": [{"port": 5555}]}}
}


@cache
def _dump_result(name: str) -> dict[str, Any]:
    backend = ReadOnlyStateBackend(copy.deepcopy(load(name).state), name)
    return converge(copy.deepcopy(POLICY), backend, RunOptions(check_mode=True))


def dump_result(name: str) -> dict[str, Any]:
    """What wfp.ipsec.policy returns in check mode for the machine of a real dump."""
    return copy.deepcopy(_dump_result(name))


IN_SYNC: dict[str, Any] = {
    "changed": False,
    "plan": [],
    "drift": {"missing": 0, "unexpected": 0, "changed": 0},
    "shadowing": [],
    "backend": "live",
}


def fleet(size: int) -> dict[str, dict[str, Any] | None]:
    """`size` hosts: every fifth in sync, a few failed, unreachable or without result, the rest
    copies of the real machines (so the same foreign filters recur on many hosts)."""
    results: dict[str, dict[str, Any] | None] = {}
    for index in range(size):
        host = f"win{index:04d}.corp.example"
        if index % 5 == 0:
            results[host] = copy.deepcopy(IN_SYNC)
        elif index % 97 == 1:
            results[host] = {"failed": True, "msg": f"WinRM error on {host}: access denied"}
        elif index % 89 == 2:
            results[host] = {"unreachable": True, "msg": "connection timed out"}
        elif index % 83 == 3:
            results[host] = None
        else:
            results[host] = _dump_result(DUMPS[index % len(DUMPS)])  # shared: reports copy
    return results
