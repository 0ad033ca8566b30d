#!/usr/bin/env python
"""The live path: what one policy task ships to a Windows host, and what its reply costs.

1. Through the stand-in connection (bench/plugins/connection/wfp_standin.py), which receives the
   real payload `_execute_module` builds and answers from an engine-model state file: module
   runs, bytes sent and WinRM-like round trips per task, in check mode, converge (drifted host)
   and no-drift.
2. Controller handling of a real host's `read_all` reply (a netsh dump of WFP_IPSEC_SHARED, or
   ../shared, imported to a state document and written as the host writes it): JSON parse,
   ':' count and the counting structural check (live.ModuleBackend._state_reply), against the
   bare `json.loads` of the same text in the same rounds (alternating, medians; the ratio is the
   median of the per-round ratios) and the jsonschema validation it replaced.

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

from ansible_collections.wfp.ipsec.plugins.plugin_utils import live, strict_json  # noqa: E402
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


def paired(actions: dict[str, Any], repeats: int) -> dict[str, list[float]]:
    """Seconds of each action over `repeats` rounds, the actions alternating in each round (so
    that load on a shared machine hits them alike)."""
    times: dict[str, list[float]] = {name: [] for name in actions}
    for _round in range(repeats):
        for name, action in actions.items():
            start = time.perf_counter()
            action()
            times[name].append(time.perf_counter() - start)
    return times


def reply_handling(repeats: int = 30) -> dict[str, Any]:
    """A real host's read_all reply as the host writes it (Json.Serialize: sorted keys, compact,
    not ASCII-escaped), handled by the live backend, against the bare `json.loads` of the same
    text in the same rounds; the steps (strict parse, structural check) timed alongside."""
    state = import_dump(shared() / "wfp_realdata" / DUMP).state
    text = json.dumps(state, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    backend = ModuleBackend(lambda _arguments: {"changed": False, "state_json": text})
    backend.read_all()  # compile the check once, as the action's warm-up does
    document = json.loads(text)
    counting = live._state_accept_counting()
    times = paired(
        {
            "parse": lambda: json.loads(text),
            "handled": backend.read_all,
            "counting_parse": lambda: strict_json.loads_counting(text),
            "check": lambda: counting(document),
            "strict_parse": lambda: strict_json.loads(text),
        },
        repeats,
    )
    ratios = [h / p for h, p in zip(times["handled"], times["parse"], strict=True)]
    started = time.perf_counter()
    assert not state_problems(json.loads(text))
    schema = time.perf_counter() - started
    return {
        "dump": DUMP,
        "filters": len(state["filters"]),
        "provider_contexts": len(state["provider_contexts"]),
        "reply_bytes": len(text),
        "rounds": repeats,
        "handling_s": statistics.median(times["handled"]),
        "handling_min_s": min(times["handled"]),
        "json_parse_s": statistics.median(times["parse"]),
        "json_parse_min_s": min(times["parse"]),
        "handling_to_parse": statistics.median(ratios),
        "counting_parse_s": statistics.median(times["counting_parse"]),
        "check_s": statistics.median(times["check"]),
        "strict_parse_s": statistics.median(times["strict_parse"]),
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
    ms = {key: 1000 * value for key, value in reply.items() if key.endswith("_s")}
    print(
        f"read_all reply of {reply['filters']:,} filters ({reply['reply_bytes'] / 1e6:.1f} MB), "
        f"median of {reply['rounds']} paired rounds: {ms['handling_s']:.0f} ms handled "
        f"(best {ms['handling_min_s']:.0f}) = {reply['handling_to_parse']:.2f}x the bare "
        f"json.loads of the same round ({ms['json_parse_s']:.0f} ms, best "
        f"{ms['json_parse_min_s']:.0f}); parse and ':' count {ms['counting_parse_s']:.0f} ms, "
        f"counting check {ms['check_s']:.0f} ms (the strict reader, for a refused reply: "
        f"{ms['strict_parse_s']:.0f} ms); jsonschema took "
        f"{reply['jsonschema_s'] / reply['handling_s']:.0f}x as long"
    )
    if args.json:
        args.json.write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
