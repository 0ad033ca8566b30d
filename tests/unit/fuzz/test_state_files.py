"""Generated hostile offline state files through the policy action plugin (read and apply)."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from ansible_collections.wfp.ipsec.plugins.plugin_utils.offline import serialise_state
from hypothesis import given
from hypothesis import strategies as st

from tests.unit.core.builders import basic_state
from tests.unit.fuzz.harness import assert_clean, run_policy
from tests.unit.fuzz.profiles import FUZZ
from tests.unit.fuzz.strategies import mutated

POLICY = {"scenario": {"guaranteed_encryption": {"required_ports": [{"port": 5555}]}}}
BASE = json.loads(serialise_state(basic_state("foreign")))

# Text-level damage a JSON tree cannot express.
_TEXT_EDITS = [
    lambda text: text.replace('"filters": [', '"filters": [], "filters": [', 1),
    lambda text: text.replace('"name": "', '"name": "\\ud800', 1),
    lambda text: text.replace('"weight": {', '"weight": NaN, "w": {', 1),
    lambda text: text.replace("{", "{" * 3, 1),
    lambda text: text[: len(text) // 2],
    lambda text: text.encode("utf-16").decode("latin-1"),
    lambda text: "\ufeff" + text,
    lambda text: text,
]


@FUZZ
@given(
    document=mutated(BASE, max_mutations=4),
    edit=st.sampled_from(_TEXT_EDITS),
    check_mode=st.booleans(),
)
def test_hostile_state_files_never_crash_and_stay_intact_on_failure(
    document: Any, edit: Any, check_mode: bool
) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "host.json"
        try:
            text = edit(json.dumps(document, ensure_ascii=False, indent=1))
            path.write_text(text, encoding="utf-8", errors="surrogatepass")
        except (UnicodeEncodeError, ValueError):
            return
        before = path.read_bytes()
        result = run_policy(POLICY, {"wfp_ipsec_offline_state": str(path)}, check_mode=check_mode)
        assert_clean(result)
        if result is not None and (result.get("failed") or check_mode):
            assert path.read_bytes() == before, "a failed or check-mode run changed the file"
        if result is not None and not result.get("failed") and not check_mode:
            again = run_policy(POLICY, {"wfp_ipsec_offline_state": str(path)})
            assert again is not None and not again.get("failed"), again
            assert again["changed"] is False, "the second run changed something"
