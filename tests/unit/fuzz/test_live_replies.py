"""Generated replies of the host module, through the policy action plugin's live backend."""

from __future__ import annotations

import json
from typing import Any

from ansible_collections.wfp.ipsec.plugins.plugin_utils.scenario import expand
from hypothesis import given
from hypothesis import strategies as st

from tests.unit.fuzz.harness import assert_clean, run_policy
from tests.unit.fuzz.profiles import FUZZ
from tests.unit.fuzz.strategies import json_values, mutated

POLICY = {"scenario": {"guaranteed_encryption": {"ip_versions": [4]}}, "shadow_check": False}
STATE = json.loads(json.dumps(expand(POLICY)))

_texts = st.one_of(
    mutated(STATE, max_mutations=3).map(json.dumps),
    json_values.map(json.dumps),
    st.sampled_from(
        ['{"format": "wfp.ipsec.state/1", "providers": [], "providers": []}', "{", "", "null"]
    ),
    st.text(max_size=20),
)
replies = st.one_of(
    st.fixed_dictionaries({"state_json": _texts}),
    st.fixed_dictionaries({"changed": st.booleans(), "result_json": _texts}),
    st.fixed_dictionaries(
        {
            "failed": st.just(True),
            "msg": json_values,
            "error": st.dictionaries(
                st.sampled_from(["message", "code", "msg", "failed", "op"]), json_values
            )
            | json_values,
        }
    ),
    st.fixed_dictionaries({"unreachable": st.just(True), "msg": json_values}),
    json_values,
)


@FUZZ
@given(read=replies, apply=replies, check_mode=st.booleans())
def test_any_host_reply_is_handled(read: Any, apply: Any, check_mode: bool) -> None:
    calls = iter([read, apply])

    def execute(module_name: str, module_args: dict[str, Any], task_vars: Any) -> Any:
        return next(calls, {"failed": True, "msg": "no more replies"})

    result = run_policy(POLICY, {}, check_mode=check_mode, execute=execute)
    assert_clean(result)
