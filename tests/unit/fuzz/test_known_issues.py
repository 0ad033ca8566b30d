"""Module-option inputs that once reached a bug in the declaration pass or in the
canonicalisation of raw objects; they stay as regression tests: each must fail with a message
naming the option, never with an `internal_error` or a traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.unit.fuzz.harness import assert_clean, run_policy


def _nested(depth: int) -> Any:
    value: Any = "x"
    for _level in range(depth):
        value = {"a": value}
    return value


CASES = {
    "newline in provider key": {"provider": {"key": "11111111-1111-1111-1111-111111111111\n"}},
    "newline in sublayer key": {"sublayer": {"key": "11111111-1111-1111-1111-111111111111\n"}},
    "900-deep raw description": {
        "objects": {
            "filters": [
                {
                    "name": "f",
                    "layer_key": "FWPM_LAYER_ALE_AUTH_CONNECT_V4",
                    "action": {"type": "FWP_ACTION_PERMIT"},
                    "description": _nested(900),
                }
            ]
        }
    },
    "mixed int and str option keys": {"scenario": {"guaranteed_encryption": {1: 2, "x": 3}}},
}


ENGINE_RULES_CASES = {
    "raw filter conditions: true": {
        "objects": {
            "filters": [
                {
                    "name": "f",
                    "layer_key": "FWPM_LAYER_ALE_AUTH_RECV_ACCEPT_V4",
                    "conditions": True,
                    "action": {"type": "FWP_ACTION_BLOCK"},
                }
            ]
        }
    },
    "raw filter condition: a number": {
        "objects": {
            "filters": [
                {
                    "name": "f",
                    "layer_key": "FWPM_LAYER_ALE_AUTH_RECV_ACCEPT_V4",
                    "conditions": [1],
                    "action": {"type": "FWP_ACTION_BLOCK"},
                }
            ]
        }
    },
    "raw filter match type: a list": {
        "objects": {
            "filters": [
                {
                    "name": "f",
                    "layer_key": "FWPM_LAYER_ALE_AUTH_RECV_ACCEPT_V4",
                    "conditions": [
                        {
                            "field_key": "FWPM_CONDITION_IP_LOCAL_PORT",
                            "match_type": [],
                            "value": {"type": "FWP_UINT16", "value": 23},
                        }
                    ],
                    "action": {"type": "FWP_ACTION_BLOCK"},
                }
            ]
        }
    },
}


@pytest.mark.parametrize("arguments", ENGINE_RULES_CASES.values(), ids=list(ENGINE_RULES_CASES))
def test_raw_object_shape_bugs_fail_with_a_message(arguments: Any, tmp_path: Path) -> None:
    _fails_with_a_message(arguments, tmp_path)


@pytest.mark.parametrize("arguments", CASES.values(), ids=list(CASES))
def test_option_bug_inputs_fail_with_a_message(arguments: Any, tmp_path: Path) -> None:
    _fails_with_a_message(arguments, tmp_path)


def _fails_with_a_message(arguments: Any, tmp_path: Path) -> None:
    path = tmp_path / "host.json"
    path.write_text('{"format": "wfp.ipsec.state/1"}\n', encoding="utf-8")
    result = run_policy(arguments, {"wfp_ipsec_offline_state": str(path)})
    assert result is not None and result.get("failed")
    assert_clean(result)
