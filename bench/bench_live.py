#!/usr/bin/env python
"""The live path: what one policy task ships to a Windows host, and what its reply costs.

1. Through the stand-in connection (bench/plugins/connection/wfp_standin.py), which receives the
   real payload `_execute_module` builds and answers from an engine-model state file: module
   runs, bytes sent and WinRM-like round trips per task, in check mode, converge (drifted host)
   and no-drift.
2. Controller handling of a real host's `read_all` reply (a netsh dump of WFP_IPSEC_SHARED, or
   ../shared, imported to a state document): JSON parse plus the structural check, against the
   JSON parse alone and the jsonschema validation it replaced.

Usage: bench/bench_live.py [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / ".build"))

from ansible_collections.wfp.ipsec.plugins.plugin_utils.live import (  # noqa: E402
    ModuleBackend,
    state_problems,
)
from ansible_collections.wfp.ipsec.plugins.plugin_utils.netsh import import_dump  # noqa: E402

EMPTY = {
    "format": "wfp.ipsec.state/1",
    "providers": [],
    "sublayers": [],
    "provider_contexts": [],
    "filters": [],
}
DUMP = "python_pi_burner__wfpstate.xml.gz"


def shared() -> Path:
    """WFP_IPSEC_SHARED, else a shared/ folder beside the repository (or its worktree folder)."""
    if os.environ.get("WFP_IPSEC_SHARED"):
        return Path(os.environ["WFP_IPSEC_SHARED"])
    candidates = [ROOT.parent / "shared", ROOT.parent.parent / "shared"]
    return next((path for path in candidates if path.is_dir()), candidates[0])


def standin_task(workdir: Path, *flags: str) -> list[dict[str, Any]]:
    """Run one policy task on one stand-in host; the module executions it made."""
    log = workdir / "calls.jsonl"
    log.unlink(missing_ok=True)
    inventory = {
        "all": {
            "hosts": {"win1": {"wfp_standin_state": str(workdir / "host.json")}},
            "vars": {
                "ansible_connection": "wfp_standin",
                "ansible_python_interpreter": sys.executable,
                "wfp_standin_log": str(log),
            },
        }
    }
    (workdir / "inventory.yml").write_text(yaml.safe_dump(inventory))
    play = [
        {
            "hosts": "all",
            "gather_facts": False,
            "tasks": [
                {
                    "wfp.ipsec.policy": {
                        "scenario": {"guaranteed_encryption": {"required_ports": [{"port": 8443}]}}
                    }
                }
            ],
        }
    ]
    (workdir / "play.yml").write_text(yaml.safe_dump(play))
    env = dict(
        os.environ,
        ANSIBLE_COLLECTIONS_PATH=str(ROOT / ".build"),
        ANSIBLE_CONNECTION_PLUGINS=str(ROOT / "bench" / "plugins" / "connection"),
        ANSIBLE_HOME=str(workdir / "home"),
        ANSIBLE_LOCAL_TEMP=str(workdir / "tmp"),
    )
    command = [str(Path(sys.executable).with_name("ansible-playbook"))]
    command += ["-i", "inventory.yml", "play.yml", *flags]
    subprocess.run(command, cwd=workdir, env=env, check=True, stdout=subprocess.DEVNULL)
    return [json.loads(line) for line in log.read_text().splitlines()]


def payloads() -> dict[str, dict[str, Any]]:
    results = {}
    with tempfile.TemporaryDirectory(prefix="wfp-bench-live-") as tmp:
        workdir = Path(tmp)
        (workdir / "host.json").write_text(json.dumps(EMPTY))
        runs = {
            "check": standin_task(workdir, "--check"),
            "converge": standin_task(workdir),
            "no-drift": standin_task(workdir),
        }
    for mode, calls in runs.items():
        results[mode] = {
            "module_runs": len(calls),
            "operations": [call["operation"] for call in calls],
            "bytes_sent": sum(call["bytes_sent"] for call in calls),
            "bytes_received": sum(call["bytes_received"] for call in calls),
            "round_trips": sum(call["round_trips"] for call in calls),
        }
    return results


def median_time(action: Any, repeats: int = 5) -> float:
    times = []
    for _repeat in range(repeats):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def reply_handling() -> dict[str, Any]:
    state = import_dump(shared() / "wfp_realdata" / DUMP).state
    text = json.dumps(state)
    backend = ModuleBackend(lambda _arguments: {"changed": False, "state_json": text})
    backend.read_all()  # compile the check once, as the action's warm-up does
    handled = median_time(backend.read_all)
    parse = median_time(lambda: json.loads(text))
    started = time.perf_counter()
    assert not state_problems(json.loads(text))
    schema = time.perf_counter() - started
    return {
        "dump": DUMP,
        "filters": len(state["filters"]),
        "provider_contexts": len(state["provider_contexts"]),
        "reply_bytes": len(text),
        "handling_s": handled,
        "json_parse_s": parse,
        "jsonschema_s": schema,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    result = {"payloads": payloads(), "read_all_reply": reply_handling()}
    for mode, figures in result["payloads"].items():
        print(
            f"{mode:<9} {figures['module_runs']} module run(s) {figures['operations']}, "
            f"{figures['bytes_sent'] / 1000:,.0f} kB sent, {figures['round_trips']} round trips"
        )
    reply = result["read_all_reply"]
    print(
        f"read_all reply of {reply['filters']:,} filters ({reply['reply_bytes'] / 1e6:.1f} MB): "
        f"{1000 * reply['handling_s']:.0f} ms handled = "
        f"{reply['handling_s'] / reply['json_parse_s']:.1f}x its JSON parse; "
        f"jsonschema took {reply['jsonschema_s'] / reply['handling_s']:.0f}x as long"
    )
    if args.json:
        args.json.write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
