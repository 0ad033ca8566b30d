"""The benchmark scripts still run and measure what they say, on the smallest cells.

Not timing tests: nothing here compares a time with a target (bench/RESULTS.md is where the
figures go). These runs only catch a benchmark that no longer works against the current
collection, e.g. after an option became required or a reply changed shape.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.unit.conftest import REPO, shared_path

pytestmark = pytest.mark.slow
BENCH = REPO / "bench"


def bench(script: str, *args: str, tmp_path: Path) -> dict[str, Any]:
    """Run one benchmark script with --json; its JSON document."""
    out = tmp_path / f"{script}.json"
    completed = subprocess.run(
        [sys.executable, str(BENCH / script), *args, "--json", str(out)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "WFP_IPSEC_SHARED": str(shared_path())},
        cwd=tmp_path,
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    document: dict[str, Any] = json.loads(out.read_text())
    return document


def test_bench_hosts_measures_a_paired_cell_in_every_mode(tmp_path: Path) -> None:
    document = bench(
        "bench_hosts.py", "--only", "1/5", "--pairs", "1", "--tasks", "1", tmp_path=tmp_path
    )
    (row,) = document["results"]
    assert (row["hosts"], row["forks"], row["pairs"], row["tasks"]) == (1, 5, 1, 1)
    for mode in ("check", "converge", "no-drift"):
        figure = row["modes"][mode]
        assert figure["debug_task_s"] > 0 and figure["policy_task_s"] > 0
        assert figure["ratio"] == pytest.approx(figure["policy_task_s"] / figure["debug_task_s"])


@pytest.mark.parametrize("view", ["read_all", "owned"])
def test_bench_plan_plans_every_case(view: str) -> None:
    out = subprocess.run(
        [sys.executable, str(BENCH / "bench_plan.py"), "--one", "200", "1000", "--view", view],
        capture_output=True,
        text=True,
        check=True,
    )
    row = json.loads(out.stdout)
    assert row["view"] == view
    assert row["converged"]["operations"] == 0
    assert 0 < row["10% drifted"]["operations"] < row["fresh host"]["operations"]
    # Both views plan the same operations (200 filters, the provider, the sublayer and 4
    # provider contexts): the foreign objects only widen the pre-flight.
    assert row["fresh host"]["operations"] == 200 + 6
    assert row["peak_rss_bytes"] > 0


def test_bench_live_counts_the_module_runs_of_each_task(tmp_path: Path) -> None:
    document = bench("bench_live.py", tmp_path=tmp_path)
    operations = {mode: figures["operations"] for mode, figures in document["payloads"].items()}
    # Check mode reads everything (shadow analysis); a converge confirms over a new connection.
    assert operations == {
        "check": ["read_all"],
        "converge": ["read", "apply", "confirm"],
        "no-drift": ["read"],
    }
    assert all(figures["bytes_sent"] > 0 for figures in document["payloads"].values())
    reply = document["read_all_reply"]
    assert reply["filters"] > 1000 and reply["handling_s"] > 0
