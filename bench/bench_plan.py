#!/usr/bin/env python
"""Planning at scale: plan + pre-flight + drift counts, as the policy task runs them.

For OWNED owned filters and FOREIGN foreign filters on one host, three cases: converged (empty
plan), 10% of our filters drifted, and a fresh host; each in two views of the host, as the task
reads them (plugin_utils/runner.py):

* "read_all": every object of the host, as check mode's shadow read sees it when every foreign
  filter is on a layer of ours, or a run that declares another provider's sublayer; the
  pre-flight sees every object;
* "owned": a live converge, which reads only our provider's objects (`PolicyHost.Read`): the
  foreign objects are never read, so this process never builds them. Its check-mode figure is
  a drift report with `shadow_check: false`.

Each size and view runs in its own process, so its peak RSS (getrusage) is its own.

The main figure is the live path as the task runs it: the host reports the base fingerprint of
the owned objects with its read (docs/host-layer.md), so the plan does not compute it; here it
is computed before the timed region, standing in for the host's. The "Python fingerprint"
figure is the offline path (a state file: the plan computes the fingerprint itself), printed
beside it. Check mode needs no fingerprint. The "before" column is the pipeline of an older
release in the same process (make_plan, drift_counts, and a pre-flight that loads every
object), for the ratio.

Usage: bench/bench_plan.py [--quick | --full] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / ".build"))

from ansible_collections.wfp.ipsec.plugins.plugin_utils.catalogue import GUIDS
from ansible_collections.wfp.ipsec.plugins.plugin_utils.engine import Engine, preflight
from ansible_collections.wfp.ipsec.plugins.plugin_utils.model import (
    canonical,
    canonical_state,
    fingerprint,
    owned_state,
)
from ansible_collections.wfp.ipsec.plugins.plugin_utils.plan import (
    cyclic_gc_paused,
    drift_counts,
    make_plan,
    plan_and_drift,
)
from ansible_collections.wfp.ipsec.plugins.plugin_utils.scenario import (
    derived_key,
    expand,
    provider_key_of,
)

FOREIGN_PROVIDER = "99999999-0000-0000-0000-000000000000"
FOREIGN_SUBLAYER = "99999999-0000-0000-0000-000000000001"
LIST_NAMES = ("providers", "sublayers", "provider_contexts", "filters")
VIEWS = ("read_all", "owned")
QUICK_SIZES = [(10_000, 50_000)]
FULL_SIZES = [(10_000, 50_000), (100_000, 500_000)]


def port_filter(key: str, provider: str, sublayer: str, port: int, layer: str) -> dict[str, Any]:
    return {
        "key": key,
        "name": f"port {port}",
        "flags": ["FWPM_FILTER_FLAG_PERSISTENT"],
        "provider_key": provider,
        "layer_key": GUIDS[layer],
        "sublayer_key": sublayer,
        "weight": {"type": "FWP_UINT64", "value": port},
        "conditions": [
            {
                "field_key": GUIDS["FWPM_CONDITION_IP_PROTOCOL"],
                "match_type": "FWP_MATCH_EQUAL",
                "value": {"type": "FWP_UINT8", "value": 6},
            },
            {
                "field_key": GUIDS["FWPM_CONDITION_IP_LOCAL_PORT"],
                "match_type": "FWP_MATCH_EQUAL",
                "value": {"type": "FWP_UINT16", "value": port % 65535 + 1},
            },
        ],
        "action": {"type": "FWP_ACTION_BLOCK", "callout_key": None},
    }


def build(owned: int, foreign: int) -> tuple[dict[str, Any], dict[str, Any], str]:
    """(desired state, foreign-only host state, our provider key), all canonical.

    Each filter is canonicalised as it is made, so the process never holds a second, raw copy
    of the state: its peak RSS is what a task holding this host state holds, not twice that.
    """
    desired = expand({"scenario": {"guaranteed_encryption": {}}})
    provider = provider_key_of({})
    sublayer = desired["sublayers"][0]["key"]
    layers = ["FWPM_LAYER_ALE_AUTH_RECV_ACCEPT_V4", "FWPM_LAYER_ALE_AUTH_CONNECT_V4"]
    desired = canonical_state(desired)
    desired["filters"] = sorted(
        desired["filters"]
        + [
            canonical(
                "filter",
                port_filter(
                    derived_key(provider, f"bench/{i}"), provider, sublayer, i, layers[i % 2]
                ),
            )
            for i in range(owned - len(desired["filters"]))
        ],
        key=_key,
    )
    foreign_state = canonical_state(
        {
            "providers": [
                {
                    "key": FOREIGN_PROVIDER,
                    "name": "foreign",
                    "flags": ["FWPM_PROVIDER_FLAG_PERSISTENT"],
                }
            ],
            "sublayers": [
                {
                    "key": FOREIGN_SUBLAYER,
                    "name": "foreign",
                    "flags": ["FWPM_SUBLAYER_FLAG_PERSISTENT"],
                    "provider_key": FOREIGN_PROVIDER,
                    "weight": 7,
                }
            ],
        }
    )
    foreign_state["filters"] = sorted(
        (
            canonical(
                "filter",
                port_filter(
                    derived_key(FOREIGN_PROVIDER, f"f/{i}"),
                    FOREIGN_PROVIDER,
                    FOREIGN_SUBLAYER,
                    i,
                    layers[i % 2],
                ),
            )
            for i in range(foreign)
        ),
        key=_key,
    )
    return desired, foreign_state, provider


def _key(obj: dict[str, Any]) -> str:
    return str(obj["key"])


def cases(desired: dict[str, Any], foreign: dict[str, Any], provider: str) -> dict[str, Any]:
    """The three host states; they share their objects (no copies of the foreign part)."""
    converged = {name: foreign[name] + desired[name] for name in LIST_NAMES}
    drifted = dict(converged)
    drifted["filters"] = [
        dict(obj, weight={"type": "FWP_UINT64", "value": 1})
        if obj.get("provider_key") == provider and index % 10 == 0
        else obj
        for index, obj in enumerate(converged["filters"])
    ]
    return {"converged": converged, "10% drifted": drifted, "fresh host": foreign}


def timed(action: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    times, value = [], None
    for _repeat in range(repeats):
        start = time.perf_counter()
        value = action()
        times.append(time.perf_counter() - start)
    return statistics.median(times), value


def now_pipeline(
    desired: dict[str, Any],
    actual: dict[str, Any],
    provider: str,
    check_mode: bool = False,
    reported: str | None = None,
) -> int:
    """What runner.converge does between the read and the apply (check mode: no fingerprint;
    `reported`: the base fingerprint the live host sent with its read)."""
    with cyclic_gc_paused():  # as the runner
        plan, _drift = plan_and_drift(
            desired,
            actual,
            provider,
            fingerprint_empty=False,
            for_apply=not check_mode,
            base_fingerprint=reported,
        )
        preflight(actual, plan, base_verified=True, canonical_plan=True)
    return len(plan["operations"])


def before_pipeline(desired: dict[str, Any], actual: dict[str, Any], provider: str) -> int:
    plan = make_plan(desired, actual, provider)
    drift_counts(desired, actual, provider)
    Engine(actual).apply_plan(plan, result_fingerprint=False)
    return len(plan["operations"])


def measure_size(owned: int, foreign: int, before: bool, view: str = "read_all") -> dict[str, Any]:
    rss_start = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    started = time.perf_counter()
    # The owned view never reads the foreign filters: they are not built.
    foreign_read = foreign if view == "read_all" else 0
    desired, foreign_state, provider = build(owned, foreign_read)
    build_seconds = time.perf_counter() - started
    rss_built = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    # A median of three at every size: one run of the largest size on a shared machine can be
    # a third off either way.
    repeats = 3
    result: dict[str, Any] = {
        "owned": owned,
        "foreign": foreign,
        "view": view,
        "build_s": build_seconds,
    }
    for label, host in cases(desired, foreign_state, provider).items():
        actual = host if view == "read_all" else owned_state(host, provider)
        # The live host computes this with its read: outside the timed region.
        reported = fingerprint(owned_state(actual, provider))
        seconds, operations = timed(
            lambda a=actual, r=reported: now_pipeline(desired, a, provider, reported=r), repeats
        )
        python_seconds = timed(lambda a=actual: now_pipeline(desired, a, provider), repeats)[0]
        check_seconds = timed(
            lambda a=actual: now_pipeline(desired, a, provider, check_mode=True), repeats
        )[0]
        row = {
            "seconds": seconds,
            "python_fingerprint_seconds": python_seconds,
            "check_seconds": check_seconds,
            "operations": operations,
        }
        if before:
            row["before_seconds"] = timed(
                lambda a=actual: before_pipeline(desired, a, provider), repeats
            )[0]
        result[label] = row
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    result["peak_rss_bytes"] = peak
    result["rss_after_build_bytes"] = rss_built
    result["rss_at_start_bytes"] = rss_start
    # What the state held by the task takes, per object read (the process's start-up excluded).
    result["state_bytes_per_object"] = (rss_built - rss_start) / (owned + foreign_read)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="10,000 + 50,000 (default)")
    size.add_argument("--full", action="store_true", help="also 100,000 + 500,000")
    parser.add_argument("--one", nargs=2, type=int, metavar=("OWNED", "FOREIGN"))
    parser.add_argument("--view", choices=VIEWS, default="read_all", help="with --one")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    if args.one:
        owned, foreign = args.one
        before = owned + foreign <= 100_000
        print(json.dumps(measure_size(owned, foreign, before, args.view)))
        return 0
    results = []
    for (owned, foreign), view in (
        (size, view) for size in (FULL_SIZES if args.full else QUICK_SIZES) for view in VIEWS
    ):
        completed = subprocess.run(
            [sys.executable, __file__, "--one", str(owned), str(foreign), "--view", view],
            check=True,
            capture_output=True,
            text=True,
        )
        row = json.loads(completed.stdout)
        results.append(row)
        print(f"{owned:,} owned + {foreign:,} foreign filters, {view} view")
        for label in ("converged", "10% drifted", "fresh host"):
            case = row[label]
            before = (
                f"  (before: {case['before_seconds']:.3f} s)" if "before_seconds" in case else ""
            )
            print(
                f"  {label:<12} plan + pre-flight + drift {case['seconds']:7.3f} s"
                f" (Python fingerprint {case['python_fingerprint_seconds']:.3f} s,"
                f" check mode {case['check_seconds']:.3f} s)"
                f"  {case['operations']:>7} operations{before}"
            )
        print(
            "  (time: the live path, base fingerprint reported by the host with its read and"
            " computed outside the timed region; Python fingerprint: the offline path)"
        )
        print(
            f"  peak RSS {row['peak_rss_bytes'] / 2**20:,.0f} MiB"
            f" (host state {row['state_bytes_per_object']:,.0f} bytes per object)"
        )
    if args.json:
        args.json.write_text(json.dumps({"results": results}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
