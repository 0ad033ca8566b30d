#!/usr/bin/env python
"""Per-host cost of the policy task vs an ansible.builtin.debug task on the same offline hosts.

Runs, on HOSTS offline hosts (default 50) with the default forks: (1) a debug task, (2) the policy
task converging fresh hosts, (3) the policy task on converged hosts (the steady state of a fleet),
(4) the policy task in check mode. Prints wall time, per-host time and the ratio to debug.
Usage: bench/bench_hosts.py [HOSTS]
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
EMPTY = {
    "format": "wfp.ipsec.state/1",
    "providers": [],
    "sublayers": [],
    "provider_contexts": [],
    "filters": [],
}


def play(tasks: list[dict[str, object]]) -> list[dict[str, object]]:
    return [{"name": "bench", "hosts": "all", "gather_facts": False, "tasks": tasks}]


def run(workdir: Path, playbook: list[dict[str, object]], *flags: str) -> float:
    path = workdir / "play.yml"
    path.write_text(yaml.safe_dump(playbook))
    env = dict(
        os.environ,
        ANSIBLE_COLLECTIONS_PATH=str(ROOT / ".build"),
        ANSIBLE_HOME=str(workdir / "home"),
    )
    start = time.perf_counter()
    subprocess.run(
        [
            str(Path(sys.executable).with_name("ansible-playbook")),
            "-i",
            str(workdir / "inventory.yml"),
            str(path),
            *flags,
        ],
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - start


def main() -> int:
    hosts = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        inventory = {
            "all": {
                "hosts": {},
                "vars": {
                    "ansible_connection": "local",
                    "ansible_python_interpreter": sys.executable,
                },
            }
        }
        for index in range(hosts):
            state = workdir / f"host{index}.json"
            state.write_text(json.dumps(EMPTY))
            inventory["all"]["hosts"][f"host{index}"] = {"wfp_ipsec_offline_state": str(state)}
        (workdir / "inventory.yml").write_text(yaml.safe_dump(inventory))
        debug = play([{"ansible.builtin.debug": {"msg": "hello"}}])
        policy = play(
            [
                {
                    "wfp.ipsec.policy": {
                        "scenario": {"guaranteed_encryption": {"required_ports": [{"port": 5555}]}}
                    }
                }
            ]
        )
        results = {
            "debug task": run(workdir, debug),
            "policy, fresh hosts": run(workdir, policy),
            "policy, converged hosts": run(workdir, policy),
            "policy, check mode": run(workdir, policy, "--check"),
        }
    baseline = results["debug task"]
    print(f"{hosts} offline hosts, default forks")
    for label, seconds in results.items():
        print(
            f"  {label:<26} {seconds:7.2f} s  {1000 * seconds / hosts:7.1f} ms/host  x{seconds / baseline:5.2f} of debug"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
