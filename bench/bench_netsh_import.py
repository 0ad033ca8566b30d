"""Benchmark: import the real netsh dumps (target: the 3.4 MB python_pi_burner dump under 1 s).

    .venv/bin/python bench/bench_netsh_import.py [--repeat N]

Reads shared/wfp_realdata (WFP_IPSEC_SHARED or ../shared beside the repository). No timed
assertions live in the tests; this script reports best and median times per dump.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / ".build"))

from ansible_collections.wfp.ipsec.plugins.plugin_utils.netsh import import_dump  # noqa: E402

DUMPS = (
    "python_pi_burner__wfpstate.xml.gz",
    "jenincare__wfpstate.xml.gz",
    "DuGuud__wfpstate.xml.gz",
    "VPNWindows__filters.xml",
    "le_voile__filters.xml",
)
TARGET_SECONDS = 1.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    shared = Path(os.environ.get("WFP_IPSEC_SHARED") or REPO.parent / "shared")
    slow = False
    for name in DUMPS:
        path = shared / "wfp_realdata" / name
        times = []
        for _attempt in range(args.repeat):
            start = time.perf_counter()
            result = import_dump(path)
            times.append(time.perf_counter() - start)
        filters = len(result.state["filters"])
        best, median = min(times), statistics.median(times)
        print(f"{name:40} {filters:5} filters  best {best:.3f} s  median {median:.3f} s")
        if name.startswith("python_pi_burner") and median > TARGET_SECONDS:
            slow = True
    if slow:
        print(f"python_pi_burner import is slower than {TARGET_SECONDS} s", file=sys.stderr)
    return 1 if slow else 0


if __name__ == "__main__":
    sys.exit(main())
