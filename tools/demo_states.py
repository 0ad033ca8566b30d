#!/usr/bin/env python
"""Write the offline-host state files of the demo inventory (playbooks/inventory/demo).

  web01.json  a clean engine: nothing installed yet
  web02.json  the default guaranteed-encryption policy, partly drifted: two filters gone, a
              quick-mode lifetime changed by hand, a stray filter of ours left behind
  db01.json   no policy of ours, but a VPN client's persistent provider, sublayer and filters
              (including a hard block on inbound TCP/5555) that must survive every run

Usage: tools/demo_states.py OUTPUT_DIR
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / ".build"))

from ansible_collections.wfp.ipsec.plugins.plugin_utils._catalogue_data import GUIDS
from ansible_collections.wfp.ipsec.plugins.plugin_utils.datacopy import copied
from ansible_collections.wfp.ipsec.plugins.plugin_utils.model import (
    State,
    canonical_state,
    empty_state,
)
from ansible_collections.wfp.ipsec.plugins.plugin_utils.ownership import stamp
from ansible_collections.wfp.ipsec.plugins.plugin_utils.scenario import (
    expand,
    provider_key_of,
)

VPN_PROVIDER = "7f3c1a52-1d9e-4c55-9b1e-6a0c2f4d8e11"
VPN_SUBLAYER = "7f3c1a52-1d9e-4c55-9b1e-6a0c2f4d8e12"


def drifted() -> State:
    state = stamp(expand({"scenario": {"guaranteed_encryption": {}}}))  # made by us: marked
    filters = sorted(state["filters"], key=lambda f: f["name"])
    removed = {
        f["key"]
        for f in filters
        if "IPv6 inbound TCP/5555" in f["name"] or "IPv6 outbound TCP/5555" in f["name"]
    }
    state["filters"] = [f for f in state["filters"] if f["key"] not in removed]
    for context in state["provider_contexts"]:
        if context["type"] == "FWPM_IPSEC_IKE_QM_TRANSPORT_CONTEXT":
            context["policy"]["proposals"][0]["lifetime"]["seconds"] = 28800
    # copied: a plain copy of every part (a canonical object's parts are shared, unchangeable)
    stray = copied(next(f for f in filters if "IPv4 inbound TCP/5555" in f["name"]))
    stray.update(
        key="0b6f4a0e-5c1d-4f1e-8e5a-3d2c1b0a9f08",
        name="wfp.ipsec guaranteed encryption: IPv4 inbound TCP/8080: require encryption",
    )
    for condition in stray["conditions"]:
        if condition["field_key"] == GUIDS["FWPM_CONDITION_IP_LOCAL_PORT"]:
            condition["value"]["value"] = 8080
    state["filters"].append(stray)
    return state


def _vpn_filter(
    key: str, name: str, *, layer: str, action: str, port: int | None, flags: list[str]
) -> dict[str, Any]:
    conditions = []
    if port is not None:
        conditions = [
            {
                "field_key": "FWPM_CONDITION_IP_PROTOCOL",
                "match_type": "FWP_MATCH_EQUAL",
                "value": {"type": "FWP_UINT8", "value": 6},
            },
            {
                "field_key": "FWPM_CONDITION_IP_LOCAL_PORT",
                "match_type": "FWP_MATCH_EQUAL",
                "value": {"type": "FWP_UINT16", "value": port},
            },
        ]
    return {
        "key": key,
        "name": name,
        "flags": ["FWPM_FILTER_FLAG_PERSISTENT", *flags],
        "provider_key": VPN_PROVIDER,
        "layer_key": layer,
        "sublayer_key": VPN_SUBLAYER,
        "weight": {"type": "FWP_UINT8", "value": 15},
        "conditions": conditions,
        "action": {"type": action},
    }


def foreign() -> State:
    return canonical_state(
        {
            "providers": [
                {
                    "key": VPN_PROVIDER,
                    "name": "Contoso VPN",
                    "flags": ["FWPM_PROVIDER_FLAG_PERSISTENT"],
                    "service_name": "ContosoVpn",
                }
            ],
            "sublayers": [
                {
                    "key": VPN_SUBLAYER,
                    "name": "Contoso VPN kill switch",
                    "flags": ["FWPM_SUBLAYER_FLAG_PERSISTENT"],
                    "provider_key": VPN_PROVIDER,
                    "weight": 1000,
                }
            ],
            "filters": [
                _vpn_filter(
                    "7f3c1a52-1d9e-4c55-9b1e-6a0c2f4d8e21",
                    "Contoso VPN: block inbound TCP/5555",
                    layer="FWPM_LAYER_ALE_AUTH_RECV_ACCEPT_V4",
                    action="FWP_ACTION_BLOCK",
                    port=5555,
                    flags=[],
                ),
                _vpn_filter(
                    "7f3c1a52-1d9e-4c55-9b1e-6a0c2f4d8e22",
                    "Contoso VPN: permit tunnel",
                    layer="FWPM_LAYER_ALE_AUTH_CONNECT_V4",
                    action="FWP_ACTION_PERMIT",
                    port=1194,
                    flags=["FWPM_FILTER_FLAG_CLEAR_ACTION_RIGHT"],
                ),
                _vpn_filter(
                    "7f3c1a52-1d9e-4c55-9b1e-6a0c2f4d8e23",
                    "Contoso VPN: block all outbound",
                    layer="FWPM_LAYER_ALE_AUTH_CONNECT_V6",
                    action="FWP_ACTION_BLOCK",
                    port=None,
                    flags=[],
                ),
            ],
        }
    )


def main() -> int:
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    states = {
        "web01.json": empty_state(),
        "web02.json": canonical_state(drifted()),
        "db01.json": foreign(),
    }
    for name, state in states.items():
        (out / name).write_text(json.dumps(state, indent=1, sort_keys=True) + "\n")
    print(f"demo states in {out} (provider {provider_key_of({})})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
