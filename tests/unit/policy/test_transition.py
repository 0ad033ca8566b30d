"""The plan between two stages in words (check mode's `transition`)."""

from __future__ import annotations

from typing import Any

import pytest
from ansible_collections.wfp.ipsec.plugins.plugin_utils import model
from ansible_collections.wfp.ipsec.plugins.plugin_utils.declaration import validate
from ansible_collections.wfp.ipsec.plugins.plugin_utils.engine import apply_plan
from ansible_collections.wfp.ipsec.plugins.plugin_utils.plan import make_plan
from ansible_collections.wfp.ipsec.plugins.plugin_utils.scenarios import provider_key_of
from ansible_collections.wfp.ipsec.plugins.plugin_utils.transition import describe, stage_of

KEY = provider_key_of({})
STAGES: dict[str, dict[str, Any]] = {
    "boundary": {"nd_boundary": {}},
    "isolation": {"nd_transport": {}},
    "transport mode": {"transport_mode": {}},
    "server isolation": {
        "remote_identity_authorization": {
            "remote_machine_sddl": "O:SYG:SYD:(A;;CCRC;;;S-1-5-21-1-2-3-515)",
            "extended_mode": {"authentication": [{"method": "kerberos"}]},
        }
    },
    "guaranteed encryption": {"guaranteed_encryption": {"required_ports": [{"port": 5555}]}},
    "IKEv2 transport": {
        "ikev2_transport": {
            "main_mode": {"authentication": [{"method": "certificate", "root_subjects": ["CN=R"]}]}
        }
    },
}


def desired(stage: str) -> dict[str, Any]:
    return validate({"scenario": STAGES[stage]}).desired


def host_at(stage: str) -> dict[str, Any]:
    state = desired(stage)
    return apply_plan(model.empty_state(), make_plan(state, model.empty_state(), KEY))[0]


@pytest.mark.parametrize("stage", sorted(STAGES))
def test_every_stage_is_recognised_from_its_objects(stage: str) -> None:
    assert stage_of(desired(stage)) == stage
    assert stage_of(model.owned_state(host_at(stage), KEY)) == stage
    assert stage_of(model.empty_state()) == "no policy"


def test_boundary_to_isolation_in_words() -> None:
    host = model.owned_state(host_at("boundary"), KEY)
    target = desired("isolation")
    text = describe(make_plan(target, host, KEY), target, host)
    assert text == (
        "boundary → isolation: replace 2 quick-mode contexts (flag ND_BOUNDARY → ND_SECURE); "
        "re-add the 4 quick-mode policy filters that use them; add 7 receive/accept filters"
    )


def test_isolation_back_to_boundary_in_words() -> None:
    host = model.owned_state(host_at("isolation"), KEY)
    target = desired("boundary")
    text = describe(make_plan(target, host, KEY), target, host)
    assert text.startswith(
        "isolation → boundary: replace 2 quick-mode contexts (flag ND_SECURE → ND_BOUNDARY)"
    )
    assert text.endswith("remove 7 receive/accept filters")


def test_converged_and_removal() -> None:
    host = model.owned_state(host_at("boundary"), KEY)
    target = desired("boundary")
    assert (
        describe(make_plan(target, host, KEY), target, host)
        == "boundary → boundary: nothing to change"
    )
    empty = model.empty_state()
    text = describe(make_plan(empty, host, KEY), empty, host)
    assert text.startswith(
        "boundary → no policy: remove 1 provider, 1 sublayer, 2 main-mode contexts"
    )


def test_check_mode_result_says_the_transition(tmp_path: Any) -> None:
    import json

    from ansible_collections.wfp.ipsec.plugins.plugin_utils.offline import OfflineBackend
    from ansible_collections.wfp.ipsec.plugins.plugin_utils.runner import RunOptions, converge

    path = tmp_path / "host.json"
    path.write_text(json.dumps(model.empty_state()))
    backend = OfflineBackend(path)
    converge({"scenario": STAGES["boundary"]}, backend, RunOptions())
    result = converge(
        {"scenario": STAGES["isolation"], "shadow_check": False},
        backend,
        RunOptions(check_mode=True),
    )
    assert result["transition"].startswith("boundary → isolation: replace 2 quick-mode contexts")
    assert stage_of(model.owned_state(backend.read(KEY), KEY)) == "boundary"  # check mode


def test_transport_mode_to_ikev2_converges_offline_then_changes_nothing(tmp_path: Any) -> None:
    import json

    from ansible_collections.wfp.ipsec.plugins.plugin_utils.offline import OfflineBackend
    from ansible_collections.wfp.ipsec.plugins.plugin_utils.runner import RunOptions, converge

    path = tmp_path / "host.json"
    path.write_text(json.dumps(model.empty_state()))
    backend = OfflineBackend(path)
    converge({"scenario": STAGES["transport mode"]}, backend, RunOptions())
    first = converge({"scenario": STAGES["IKEv2 transport"]}, backend, RunOptions())
    assert first["changed"] is True
    assert first["transition"].startswith("transport mode → IKEv2 transport")
    assert stage_of(model.owned_state(backend.read(KEY), KEY)) == "IKEv2 transport"
    again = converge({"scenario": STAGES["IKEv2 transport"]}, backend, RunOptions())
    assert again["changed"] is False
