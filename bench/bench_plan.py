#!/usr/bin/env python
"""Plan time at scale: 10,000 owned filters + 50,000 foreign filters.

Measures make_plan (diff + ordering) and the engine pre-flight for three cases: converged (empty
plan), 10% drifted, and a fresh host. Prints seconds per step; no thresholds (not a test).
Usage: bench/bench_plan.py [OWNED] [FOREIGN]
"""

from __future__ import annotations

import copy
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / ".build"))

from ansible_collections.wfp.ipsec.plugins.plugin_utils.catalogue import GUIDS
from ansible_collections.wfp.ipsec.plugins.plugin_utils.engine import preflight
from ansible_collections.wfp.ipsec.plugins.plugin_utils.model import canonical_state
from ansible_collections.wfp.ipsec.plugins.plugin_utils.plan import make_plan
from ansible_collections.wfp.ipsec.plugins.plugin_utils.scenario import (
    derived_key,
    expand,
    provider_key_of,
)

FOREIGN_PROVIDER = "99999999-0000-0000-0000-000000000000"
FOREIGN_SUBLAYER = "99999999-0000-0000-0000-000000000001"


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
    desired = expand({"scenario": {"guaranteed_encryption": {}}})
    provider = provider_key_of({})
    sublayer = desired["sublayers"][0]["key"]
    layers = ["FWPM_LAYER_ALE_AUTH_RECV_ACCEPT_V4", "FWPM_LAYER_ALE_AUTH_CONNECT_V4"]
    desired["filters"] += [
        port_filter(derived_key(provider, f"bench/{i}"), provider, sublayer, i, layers[i % 2])
        for i in range(owned - len(desired["filters"]))
    ]
    foreign_state = {
        "providers": [
            {"key": FOREIGN_PROVIDER, "name": "foreign", "flags": ["FWPM_PROVIDER_FLAG_PERSISTENT"]}
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
        "filters": [
            port_filter(
                derived_key(FOREIGN_PROVIDER, f"f/{i}"),
                FOREIGN_PROVIDER,
                FOREIGN_SUBLAYER,
                i,
                layers[i % 2],
            )
            for i in range(foreign)
        ],
    }
    actual = canonical_state(foreign_state)
    desired = canonical_state(desired)
    return desired, actual, provider


def timed(label: str, action: Any) -> Any:
    start = time.perf_counter()
    value = action()
    print(f"  {label:<28} {time.perf_counter() - start:8.3f} s")
    return value


def main() -> int:
    owned = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    foreign = int(sys.argv[2]) if len(sys.argv) > 2 else 50_000
    desired, foreign_state, provider = timed("build states", lambda: build(owned, foreign))
    converged = copy.deepcopy(foreign_state)
    for name in ("providers", "sublayers", "provider_contexts", "filters"):
        converged[name] += copy.deepcopy(desired[name])
    drifted = copy.deepcopy(converged)
    ours = [f for f in drifted["filters"] if f["provider_key"] == provider]
    for f in ours[::10]:
        f["weight"] = {"type": "FWP_UINT64", "value": 1}
    cases = {"converged": converged, "10% drifted": drifted, "fresh host": foreign_state}
    print(f"{owned} owned filters, {foreign} foreign filters")
    for label, actual in cases.items():
        print(f"{label}:")
        plan = timed("make_plan", lambda actual=actual: make_plan(desired, actual, provider))
        print(f"  {'operations':<28} {len(plan['operations']):8d}")
        timed("preflight (engine model)", lambda actual=actual, plan=plan: preflight(actual, plan))
    return 0


if __name__ == "__main__":
    sys.exit(main())
