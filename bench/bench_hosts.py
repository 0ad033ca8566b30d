#!/usr/bin/env python
"""Per-host controller time of a wfp.ipsec.policy task against an ansible.builtin.debug task.

Paired runs on the same offline hosts, inventory and forks: a debug playbook and a policy
playbook run one after the other (the order alternates from pair to pair). Each playbook holds
one warm-up task and TASKS measured tasks of the same kind; the bench_timing callback
(bench/plugins/callback) takes each task's time from Ansible itself, so ansible-playbook
start-up is in no task. The ratio of a pair is median(policy task) / median(debug task); the
table shows the median ratio over the pairs, which equals the ratio of per-host times.

Modes: converge (one read, one apply: the tasks install the policy on an empty host and remove
it in turn, so every task applies a plan), no-drift (converged hosts: one read), check (empty
hosts in --check: the drift report with the shadow analysis). `role` runs the
guaranteed_encryption role (argument-spec validation task + policy task) instead of the module.
Each host's state file is a literal host variable, as a live host has no templated variable for
the task to compile.

Usage: bench/bench_hosts.py [--quick | --full] [--only CELL]... [--estimate] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
EMPTY = {
    "format": "wfp.ipsec.state/1",
    "providers": [],
    "sublayers": [],
    "provider_contexts": [],
    "filters": [],
}
MODES = ("check", "converge", "no-drift")
REQUIRED_PORTS = [{"port": 8443}]
POLICY_ARGS = {"scenario": {"guaranteed_encryption": {"required_ports": REQUIRED_PORTS}}}


@dataclass(frozen=True)
class Case:
    hosts: int
    forks: int
    via: str  # "module" or "role"
    # Fewer pairs and measured tasks for the large cells (None: the set's own); always paired.
    pairs: int | None = None
    tasks: int | None = None

    @property
    def label(self) -> str:
        return f"{'role, ' if self.via == 'role' else ''}{self.hosts} / {self.forks}"


@dataclass
class Sample:
    """One pair: median task times of the debug run and the policy run, in seconds."""

    debug: float
    policy: float
    parts: dict[str, float] = field(default_factory=dict)  # role: per-action medians
    first_debug: float = 0.0
    first_policy: float = 0.0

    @property
    def ratio(self) -> float:
        return self.policy / self.debug


ROLE = [Case(50, 5, "role")]
QUICK = {
    "cases": [Case(1, 5, "module"), Case(10, 20, "module"), Case(50, 5, "module"), *ROLE],
    "pairs": 3,
    "tasks": 2,
}
# The 200- and 1,000-host cells run fewer pairs and measured tasks (still paired, still a
# warm-up task first): at 5 pairs x 3 tasks the 1,000-host cells alone would take 2 hours on
# 2 cores. `--full` then takes about 1.5 hours on an idle 2-core machine (`estimate()`; at 5 x 3
# everywhere it would be over 3 hours, two of them in the 1,000-host cells).
LARGE = {200: (3, 2), 1000: (3, 1)}
FULL = {
    "cases": [Case(1, 5, "module")]
    + [
        Case(h, f, "module", *LARGE.get(h, (None, None)))
        for h in (10, 50, 200, 1000)
        for f in (5, 20)
    ]
    + [*ROLE, Case(200, 20, "role", *LARGE[200])],
    "pairs": 5,
    "tasks": 3,
}
# Seconds per host and task on an idle 2-core machine (debug about 30 ms; the role runs its
# argument-spec validation task too) and per ansible-playbook start-up, for `estimate()`.
HOST_TASK_S = {"module": 0.03, "role": 0.07}
START_S = 3.0


def shape(case: Case, settings: dict[str, Any]) -> tuple[int, int]:
    """(pairs, measured tasks per run) of a case in a set."""
    return case.pairs or settings["pairs"], case.tasks or settings["tasks"]


def estimate(settings: dict[str, Any]) -> float:
    """Rough run time of a set in seconds on an idle 2-core machine (see HOST_TASK_S)."""
    seconds = 0.0
    for case in settings["cases"]:
        pairs, tasks = shape(case, settings)
        for mode in MODES:
            runs = 2 * pairs + (mode == "no-drift")
            debug = pairs * (tasks + 1) * case.hosts * HOST_TASK_S["module"]
            policy = (runs - pairs) * (tasks + 1) * case.hosts * HOST_TASK_S[case.via]
            seconds += debug + policy + runs * START_S
    return seconds


def state_path(workdir: Path, host: int) -> Path:
    return workdir / "states" / f"host{host}.json"


def write_inventory(workdir: Path, hosts: int) -> None:
    """Each host's state file as a literal host variable: a template would cost a Jinja compile
    per host and task in each worker, which a live host (no such variable) never pays."""
    inventory = {
        "all": {
            "hosts": {
                f"host{index}": {"wfp_ipsec_offline_state": str(state_path(workdir, index))}
                for index in range(hosts)
            },
            "vars": {
                "ansible_connection": "local",
                "ansible_python_interpreter": sys.executable,
            },
        }
    }
    (workdir / "inventory.yml").write_text(yaml.safe_dump(inventory))


def reset_states(workdir: Path, hosts: int) -> None:
    (workdir / "states").mkdir(exist_ok=True)
    text = json.dumps(EMPTY)
    for host in range(hosts):
        state_path(workdir, host).write_text(text)


def declared_state(index: int, alternate: bool) -> str:
    """With `alternate` (converge mode), the tasks install the policy on the empty host and
    remove it in turn, so every task applies a plan to the same state file."""
    return "absent" if alternate and index % 2 else "present"


def playbook(kind: str, via: str, tasks: int, alternate: bool = False) -> list[dict[str, Any]]:
    """A play of `tasks` + 1 tasks (the first is the warm-up) of one kind."""
    body: list[dict[str, Any]] = []
    for index in range(tasks + 1):
        state = declared_state(index, alternate)
        if kind == "debug":
            body.append({"name": f"bench {index}", "ansible.builtin.debug": {"msg": "hello"}})
        elif via == "role":
            body.append(
                {
                    "name": f"bench {index}",
                    "ansible.builtin.import_role": {"name": "wfp.ipsec.guaranteed_encryption"},
                    "vars": {
                        "guaranteed_encryption_state": state,
                        "guaranteed_encryption_required_ports": REQUIRED_PORTS,
                    },
                }
            )
        else:
            body.append(
                {"name": f"bench {index}", "wfp.ipsec.policy": {**POLICY_ARGS, "state": state}}
            )
    return [{"name": "bench", "hosts": "all", "gather_facts": False, "tasks": body}]


def ansible_env(workdir: Path) -> dict[str, str]:
    return dict(
        os.environ,
        ANSIBLE_COLLECTIONS_PATH=str(ROOT / ".build"),
        ANSIBLE_HOME=str(workdir / "home"),
        ANSIBLE_LOCAL_TEMP=str(workdir / "tmp"),
        ANSIBLE_CALLBACK_PLUGINS=str(BENCH / "plugins" / "callback"),
        ANSIBLE_CALLBACKS_ENABLED="bench_timing",
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_RETRY_FILES_ENABLED="0",
        BENCH_TIMING_OUT=str(workdir / "timing.json"),
    )


def run_play(workdir: Path, play: list[dict[str, Any]], forks: int, check: bool) -> list[dict]:
    """Run one playbook; the per-task timings of the bench_timing callback."""
    path = workdir / "play.yml"
    path.write_text(yaml.safe_dump(play, sort_keys=False))
    timing = workdir / "timing.json"
    timing.unlink(missing_ok=True)
    command = [
        str(Path(sys.executable).with_name("ansible-playbook")),
        "-i",
        str(workdir / "inventory.yml"),
        "-f",
        str(forks),
        str(path),
    ]
    if check:
        command.append("--check")
    completed = subprocess.run(
        command,
        check=False,
        env=ansible_env(workdir),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    tasks: list[dict[str, Any]] = json.loads(timing.read_text()) if timing.exists() else []
    failed = [task for task in tasks if task.get("failed")]
    if completed.returncode != 0 or failed:
        output = completed.stdout.decode(errors="replace")[-3000:]
        raise SystemExit(f"benchmark playbook failed (rc={completed.returncode}):\n{output}")
    return tasks


def split_tasks(tasks: list[dict[str, Any]], via: str) -> list[dict[str, float]]:
    """Per playbook task (warm-up first): wall time per action."""
    if via != "role":
        return [{task["action"]: task["wall"]} for task in tasks]
    groups: list[dict[str, float]] = []
    for task in tasks:
        if task["action"].endswith("validate_argument_spec"):
            groups.append({})
        if not groups:
            groups.append({})
        groups[-1][task["action"]] = task["wall"]
    return groups


def total(group: dict[str, float]) -> float:
    return sum(group.values())


def measure(case: Case, mode: str, pairs: int, tasks: int) -> list[Sample]:
    check = mode == "check"
    with tempfile.TemporaryDirectory(prefix="wfp-bench-") as tmp:
        workdir = Path(tmp)
        write_inventory(workdir, case.hosts)
        reset_states(workdir, case.hosts)
        debug_play = playbook("debug", case.via, tasks)
        policy_play = playbook("policy", case.via, tasks, alternate=mode == "converge")
        if mode == "no-drift":
            run_play(workdir, policy_play, case.forks, check=False)  # converge every state file
        samples = []
        for pair in range(pairs):
            order = ("debug", "policy") if pair % 2 == 0 else ("policy", "debug")
            groups: dict[str, list[dict[str, float]]] = {}
            for kind in order:
                if kind == "policy" and mode == "converge":
                    reset_states(workdir, case.hosts)
                play = debug_play if kind == "debug" else policy_play
                via = case.via if kind == "policy" else "module"
                groups[kind] = split_tasks(run_play(workdir, play, case.forks, check), via)
            debug = statistics.median(total(g) for g in groups["debug"][1:])
            policy_groups = groups["policy"][1:]
            policy = statistics.median(total(g) for g in policy_groups)
            parts = {
                action: statistics.median(g.get(action, 0.0) for g in policy_groups)
                for action in policy_groups[0]
            }
            samples.append(
                Sample(
                    debug,
                    policy,
                    parts,
                    first_debug=total(groups["debug"][0]),
                    first_policy=total(groups["policy"][0]),
                )
            )
        shutil.rmtree(workdir / "states", ignore_errors=True)
    return samples


def summarise(samples: list[Sample]) -> dict[str, Any]:
    ratios = [sample.ratio for sample in samples]
    debug = statistics.median(sample.debug for sample in samples)
    result: dict[str, Any] = {
        "ratio": statistics.median(ratios),
        "ratio_min": min(ratios),
        "ratio_max": max(ratios),
        "debug_task_s": debug,
        "policy_task_s": statistics.median(sample.policy for sample in samples),
        "first_task_extra_s": statistics.median(
            (sample.first_policy - sample.policy) - (sample.first_debug - sample.debug)
            for sample in samples
        ),
        "pairs": [asdict(sample) for sample in samples],
    }
    parts = samples[0].parts
    if len(parts) > 1:
        result["parts_ratio"] = {
            action.rsplit(".", 1)[-1]: statistics.median(s.parts[action] / s.debug for s in samples)
            for action in parts
        }
    return result


def table(results: list[dict[str, Any]]) -> str:
    """Markdown table: median ratio (min-max over the pairs) per case and mode, with the pairs x
    measured tasks of each cell and the 1-minute load average before and after it ran."""
    lines = [
        "| hosts / forks | " + " | ".join(MODES) + " | pairs x tasks | load before / after |",
        "|---|" + "---:|" * len(MODES) + "---:|---:|",
    ]
    for row in results:
        cells = []
        for mode in MODES:
            figure = row["modes"][mode]
            cells.append(
                f"{figure['ratio']:.2f}x ({figure['ratio_min']:.2f}-{figure['ratio_max']:.2f})"
            )
        shape_cell = f"{row.get('pairs', '?')} x {row.get('tasks', '?')}"
        load_cell = f"{row.get('load_before', 0):.1f} / {row.get('load_after', 0):.1f}"
        lines.append(f"| {row['case']} | " + " | ".join(cells) + f" | {shape_cell} | {load_cell} |")
    return "\n".join(lines)


def load_average() -> float:
    return os.getloadavg()[0]


def selected(cases: list[Case], only: list[str] | None) -> list[Case]:
    """The cases named by --only ("200/20", "role 200/20"), or all of them."""
    if not only:
        return cases
    wanted = {name.replace(" ", "").replace(",", "") for name in only}
    chosen = [case for case in cases if case.label.replace(" ", "").replace(",", "") in wanted]
    if len(chosen) != len(wanted):
        names = ", ".join(repr(case.label) for case in cases)
        raise SystemExit(f"--only names a cell that is not in the set; the cells are {names}")
    return chosen


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="the affordable set (default)")
    size.add_argument("--full", action="store_true", help="1 to 1,000 hosts, forks 5 and 20")
    parser.add_argument("--json", type=Path, help="write the results as JSON here")
    parser.add_argument(
        "--only",
        action="append",
        metavar="CELL",
        help='run only this cell of the set, e.g. "200/20" or "role 200/20" (repeatable)',
    )
    parser.add_argument(
        "--estimate", action="store_true", help="print the set's estimated run time and stop"
    )
    parser.add_argument(
        "--pairs", type=int, metavar="N", help="pairs per cell instead of the set's (smoke runs)"
    )
    parser.add_argument(
        "--tasks", type=int, metavar="N", help="measured tasks per run instead of the set's"
    )
    args = parser.parse_args(argv)
    settings = dict(FULL if args.full else QUICK)
    settings["cases"] = selected(settings["cases"], args.only)
    if args.pairs or args.tasks:
        settings["cases"] = [
            replace(case, pairs=args.pairs or case.pairs, tasks=args.tasks or case.tasks)
            for case in settings["cases"]
        ]
    if args.estimate:
        print(f"estimated run time on an idle 2-core machine: {estimate(settings) / 60:.0f} min")
        return 0
    started = time.perf_counter()
    results = []
    for case in settings["cases"]:
        pairs, tasks = shape(case, settings)
        row: dict[str, Any] = {
            "case": case.label,
            **asdict(case),
            "pairs": pairs,
            "tasks": tasks,
            "load_before": load_average(),
            "modes": {},
        }
        for mode in MODES:
            samples = measure(case, mode, pairs, tasks)
            row["modes"][mode] = summarise(samples)
            figure = row["modes"][mode]
            print(
                f"{case.label:>14} {mode:<9} policy/debug {figure['ratio']:.2f}x "
                f"(pairs {figure['ratio_min']:.2f}-{figure['ratio_max']:.2f}), "
                f"debug task {1000 * figure['debug_task_s']:.0f} ms",
                flush=True,
            )
        row["load_after"] = load_average()
        results.append(row)
    print()
    print(table(results))
    document = {
        "set": "full" if args.full else "quick",
        "cells": [row["case"] for row in results],
        "pairs": settings["pairs"],
        "tasks_per_run": settings["tasks"],
        "seconds": time.perf_counter() - started,
        "results": results,
    }
    if args.json:
        args.json.write_text(json.dumps(document, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
