"""Generated module options through the policy action plugin's run() on an offline host."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest
from ansible_collections.wfp.ipsec.plugins.plugin_utils.model import STATE_FORMAT
from ansible_collections.wfp.ipsec.plugins.plugin_utils.scenario import provider_key_of
from hypothesis import assume, given
from hypothesis import strategies as st

from tests.unit.fuzz.harness import assert_clean, host_rejections, read_json, run_policy
from tests.unit.fuzz.profiles import FUZZ
from tests.unit.fuzz.strategies import mutated

RAW_FILTER = {
    "name": "raw block telnet",
    "layer_key": "FWPM_LAYER_ALE_AUTH_RECV_ACCEPT_V4",
    "weight": {"type": "FWP_UINT64", "value": 4096},
    "conditions": [
        {
            "field_key": "FWPM_CONDITION_IP_LOCAL_PORT",
            "match_type": "FWP_MATCH_EQUAL",
            "value": {"type": "FWP_UINT16", "value": 23},
        }
    ],
    "action": {"type": "FWP_ACTION_BLOCK"},
}
BASES: list[dict[str, Any]] = [
    {"scenario": {"guaranteed_encryption": {"required_ports": [{"port": 5555}]}}},
    {"state": "absent"},
    {
        "provider": {"name": "fuzz", "description": "d"},
        "sublayer": {"weight": 100},
        "scenario": {
            "guaranteed_encryption": {
                "keying_modules": ["ike"],
                "ip_versions": [4],
                "required_ports": [{"port": 445, "protocol": "tcp"}],
                "exempt_ports": [{"port": 3389}],
                "main_mode": {"authentication": [{"method": "preshared_key", "key": "k3y"}]},
            }
        },
    },
    {"objects": {"filters": [RAW_FILTER]}},
]


def _state_file(directory: str) -> Path:
    path = Path(directory) / "host.json"
    path.write_text(f'{{"format": "{STATE_FORMAT}"}}\n', encoding="utf-8")
    return path


def _shape_differs(base: Any, value: Any) -> bool:
    """A value of `base` replaced by one of another kind (object, list, scalar), at any depth."""
    if isinstance(base, dict):
        return not isinstance(value, dict) or any(
            _shape_differs(base[name], value[name]) for name in base.keys() & value.keys()
        )
    if isinstance(base, list):
        return not isinstance(value, list) or (
            bool(base) and any(_shape_differs(base[0], item) for item in value)
        )
    return isinstance(value, dict | list)


def known_engine_rules_issue(arguments: dict[str, Any]) -> bool:
    """A raw object whose nested shape is wrong still reaches a TypeError in model.py; the
    `engine-rules` branch holds raw objects to a strict shape (test_known_issues.py). Remove
    this filter when it lands."""
    objects = arguments.get("objects")
    if not isinstance(objects, dict):
        return False
    filters = objects.get("filters")
    return isinstance(filters, list) and any(_shape_differs(RAW_FILTER, raw) for raw in filters)


@FUZZ
@given(arguments=st.sampled_from(BASES).flatmap(mutated), check_mode=st.booleans())
def test_generated_declarations_work_or_fail_with_a_message(
    arguments: Any, check_mode: bool
) -> None:
    assume(isinstance(arguments, dict))
    assume(not known_engine_rules_issue(arguments))
    with tempfile.TemporaryDirectory() as directory:
        path = _state_file(directory)
        before = read_json(path)
        result = run_policy(
            arguments, {"wfp_ipsec_offline_state": str(path)}, check_mode=check_mode, diff=True
        )
        assert_clean(result)
        if result is None or result.get("failed") or check_mode:
            return
        after = read_json(path)
        rejected = host_rejections(before, after, provider_key_of(arguments))
        assert rejected == [], f"accepted, but a host would refuse: {rejected}"


@pytest.mark.parametrize("base", BASES)
def test_every_base_declaration_converges(base: dict[str, Any], tmp_path: Path) -> None:
    """The unmutated bases work (so the generated cases start from valid input)."""
    path = _state_file(str(tmp_path))
    result = run_policy(base, {"wfp_ipsec_offline_state": str(path)})
    assert result is not None and not result.get("failed"), result
