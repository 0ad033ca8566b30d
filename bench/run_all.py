#!/usr/bin/env python
"""Run every benchmark and regenerate bench/RESULTS.md from their output (never edit it by hand).

Usage: bench/run_all.py [--quick | --full] [--hosts-full] [--plan-full] [--output bench/RESULTS.md]
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from ansible.release import __version__ as ansible_version
from bench_hosts import table as hosts_table  # bench/ is on sys.path when run as a script

BENCH = Path(__file__).resolve().parent
MODES = ("check", "converge", "no-drift")


def shared_env() -> dict[str, str]:
    """The environment with WFP_IPSEC_SHARED set (shared/ beside the repository or worktree)."""
    env = dict(os.environ)
    if not env.get("WFP_IPSEC_SHARED"):
        for candidate in (BENCH.parent.parent / "shared", BENCH.parent.parent.parent / "shared"):
            if candidate.is_dir():
                env["WFP_IPSEC_SHARED"] = str(candidate)
                break
    return env


def run(script: str, *args: str, check: bool = True) -> str:
    """Run one benchmark; its output (with stderr: a missed target is reported there)."""
    completed = subprocess.run(
        [sys.executable, str(BENCH / script), *args],
        check=check,
        capture_output=True,
        text=True,
        env=shared_env(),
    )
    output = completed.stdout + completed.stderr
    print(output, end="", flush=True)
    return output


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.1f} / {five:.1f} / {fifteen:.1f}"


def versions() -> str:
    return f"Python {platform.python_version()}, ansible-core {ansible_version}"


def hosts_section(data: dict[str, Any]) -> list[str]:
    lines = [
        "## Per-host task time: policy task / `ansible.builtin.debug` task (`bench_hosts.py`)",
        "",
        f"Set `{data['set']}`, cells {', '.join(data.get('cells') or [])}. Paired runs (per cell: "
        "pairs x measured tasks per run after one warm-up task, debug and policy playbooks "
        "alternating, same inventory and forks). Each task is timed by Ansible itself (the "
        "`bench_timing` callback), so ansible-playbook start-up is in no task. Cell: median "
        "ratio over the pairs (lowest-highest pair). Goal: 1.2x or less.",
        "",
        hosts_table(data["results"]),
    ]
    roles = [row for row in data["results"] if row["via"] == "role"]
    if roles:
        lines += [
            "",
            "Through the role, per task (each as a multiple of the debug task of the same pair):",
            "",
            "| hosts / forks | mode | argument-spec validation | policy task |",
            "|---|---|---:|---:|",
        ]
        for row in roles:
            for mode in MODES:
                parts = row["modes"][mode].get("parts_ratio", {})
                lines.append(
                    f"| {row['case']} | {mode} | {parts.get('validate_argument_spec', 0):.2f}x | "
                    f"{parts.get('policy', 0):.2f}x |"
                )
    extra = [
        row["modes"][mode]["first_task_extra_s"] / row["modes"][mode]["debug_task_s"]
        for row in data["results"]
        for mode in MODES
    ]
    lines += [
        "",
        "Once per ansible-playbook run, the first policy task pays the action's warm-up "
        "(imports, validators, caches: `plugin_utils/warm.py`), before any worker forks: "
        f"median {sorted(extra)[len(extra) // 2]:.1f}x one debug task of the same cell.",
    ]
    return lines


def plan_section(data: dict[str, Any]) -> list[str]:
    lines = [
        "## Planning at scale (`bench_plan.py`)",
        "",
        "Plan + pre-flight + drift counts as the policy task runs them, in two views of the "
        "host: 'read_all' holds every object (check mode's shadow read when every foreign "
        "filter is on a layer of ours, or a declared foreign sublayer); 'owned' is what a live "
        "converge reads, our provider's objects only (the foreign ones are never read, so never "
        "held; its check-mode figure is `shadow_check: false`). 'Time' is the live path: the "
        "host reports the base fingerprint of our objects with its read, so it is computed "
        "outside the timed region (standing in for the host's); 'Python fingerprint' is the "
        "offline path (a state file), where the plan computes it. Check mode needs none. "
        "'Before' is an older pipeline (a second classification, a pre-flight loading every "
        "object) in the same process. Each time is the median of three runs in the same "
        "process. Peak RSS is the process's, host state included.",
        "",
        "| filters (owned + foreign) | view | case | operations | time | Python fingerprint "
        "| check mode | before / now | peak RSS |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in data["results"]:
        size = f"{row['owned']:,} + {row['foreign']:,}"
        view = row.get("view", "read_all")
        for label in ("converged", "10% drifted", "fresh host"):
            case = row[label]
            before = (
                f"{case['before_seconds'] / case['seconds']:.1f}x"
                if "before_seconds" in case
                else "-"
            )
            lines.append(
                f"| {size} | {view} | {label} | {case['operations']:,} | {case['seconds']:.3f} s | "
                f"{case.get('python_fingerprint_seconds', 0):.3f} s | "
                f"{case.get('check_seconds', 0):.3f} s | "
                f"{before} | {row['peak_rss_bytes'] / 2**20:,.0f} MiB |"
            )
    return lines


def live_section(data: dict[str, Any]) -> list[str]:
    lines = [
        "## Live path (`bench_live.py`, stand-in WinRM connection)",
        "",
        "The real payload of `_execute_module`, answered by `bench/plugins/connection/"
        "wfp_standin.py` from an engine-model state. Round trips as the winrm connection makes "
        "them (open shell, run, one Send per 200 kB, Receive, cleanup, delete shell).",
        "",
        "| task | module runs | bytes sent | WinRM round trips |",
        "|---|---|---:|---:|",
    ]
    for mode, figures in data["payloads"].items():
        lines.append(
            f"| {mode} | {figures['module_runs']} ({', '.join(figures['operations'])}) | "
            f"{figures['bytes_sent']:,} | {figures['round_trips']} |"
        )
    reply = data["read_all_reply"]
    lines += [
        "",
        f"Controller handling of a real host's `read_all` reply ({reply['dump']}: "
        f"{reply['filters']:,} filters, {reply['provider_contexts']:,} provider contexts, "
        f"{reply['reply_bytes'] / 1e6:.1f} MB of JSON): **{1000 * reply['handling_s']:.0f} ms**, "
        f"{reply['handling_s'] / reply['json_parse_s']:.1f}x its bare JSON parse "
        f"({1000 * reply['json_parse_s']:.0f} ms); the jsonschema validation it replaces took "
        f"{reply['jsonschema_s'] / reply['handling_s']:.0f}x as long.",
    ]
    return lines


NETSH_HEADING = "## netsh dump import (`bench_netsh_import.py`)"


def netsh_section(output: str) -> list[str]:
    return [NETSH_HEADING, "", "```text", output.rstrip(), "```", ""]


def extra_flags(args: argparse.Namespace) -> str:
    if not args.hosts_extra:
        return ""
    cells = "".join(f' --hosts-extra "{cell}"' for cell in args.hosts_extra)
    return f"{cells} --extra-pairs {args.extra_pairs}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true")
    size.add_argument("--full", action="store_true")
    parser.add_argument(
        "--hosts-full",
        action="store_true",
        help="run bench_hosts.py --full (200 and 1,000 hosts) while the other parts keep their set",
    )
    parser.add_argument(
        "--plan-full",
        action="store_true",
        help="run bench_plan.py --full (also 100,000 + 500,000) while the other parts keep their set",
    )
    parser.add_argument(
        "--hosts-extra",
        action="append",
        default=[],
        metavar="CELL",
        help='also run this cell of bench_hosts.py --full (e.g. "1000/20"), at --extra-pairs '
        "pairs x 1 measured task (repeatable)",
    )
    parser.add_argument("--extra-pairs", type=int, default=1)
    parser.add_argument("--output", type=Path, default=BENCH / "RESULTS.md")
    parser.add_argument(
        "--only-netsh", action="store_true", help="rerun only the netsh import section of OUTPUT"
    )
    args = parser.parse_args(argv)
    if args.only_netsh:
        text = args.output.read_text()
        head = text[: text.index(NETSH_HEADING)]
        netsh = run("bench_netsh_import.py", check=False)
        args.output.write_text(head + "\n".join(netsh_section(netsh)))
        return 0
    flag = "--full" if args.full else "--quick"
    load_before = load()
    started = datetime.datetime.now(datetime.UTC)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        hosts_flag = "--full" if args.hosts_full else flag
        run("bench_hosts.py", hosts_flag, "--json", str(out / "hosts.json"))
        if args.hosts_extra:
            cells = [arg for cell in args.hosts_extra for arg in ("--only", cell)]
            pairs = ("--pairs", str(args.extra_pairs), "--tasks", "1")
            run("bench_hosts.py", "--full", *cells, *pairs, "--json", str(out / "extra.json"))
        plan_flag = "--full" if args.plan_full else flag
        run("bench_plan.py", plan_flag, "--json", str(out / "plan.json"))
        run("bench_live.py", "--json", str(out / "live.json"))
        netsh = run("bench_netsh_import.py", check=False)
        data = {name: json.loads((out / f"{name}.json").read_text()) for name in ("plan", "live")}
        data["hosts"] = json.loads((out / "hosts.json").read_text())
        if args.hosts_extra:
            extra = json.loads((out / "extra.json").read_text())
            data["hosts"]["results"] += extra["results"]
            data["hosts"]["cells"] = [*data["hosts"].get("cells", []), *extra.get("cells", [])]
    lines = [
        "# Benchmark results",
        "",
        f"Generated by `bench/run_all.py {flag}{' --hosts-full' if args.hosts_full else ''}"
        f"{' --plan-full' if args.plan_full else ''}{extra_flags(args)}` on {started:%Y-%m-%d %H:%M} UTC "
        f"({os.cpu_count()} cores, {versions()}). Load average (1/5/15 min) before: "
        f"{load_before}, after: {load()}. The machine is shared, so absolute times are noisy; "
        "the ratios come from paired runs in the same minute and are the figures to compare.",
        "",
        *hosts_section(data["hosts"]),
        "",
        *plan_section(data["plan"]),
        "",
        *live_section(data["live"]),
        "",
        *netsh_section(netsh),
    ]
    args.output.write_text("\n".join(lines))
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
