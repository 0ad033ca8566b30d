"""Host calls per policy task, counted through real ansible-playbook runs on stand-in hosts.

The stand-in connection (bench/plugins/connection/wfp_standin.py) receives the real PowerShell
payload that `_execute_module` builds for wfp.ipsec.policy and answers it from an engine-model
state file; it logs one record per module execution. A task may call the host only as
docs/fleet-scale.md says: one read, plus one apply when there is something to change.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.unit.conftest import REPO
from tests.unit.playbooks.ansible_run import ansible_playbook, recap_of

pytestmark = pytest.mark.slow
STANDIN = REPO / "bench" / "plugins" / "connection"
HOSTS = ("win1", "win2")
EMPTY = {
    "format": "wfp.ipsec.state/1",
    "providers": [],
    "sublayers": [],
    "provider_contexts": [],
    "filters": [],
}


def run(tmp_path: Path, task_args: dict[str, Any], *flags: str) -> dict[str, list[str]]:
    """One policy task on every stand-in host; the module operations each host received."""
    log = tmp_path / "calls.jsonl"
    log.unlink(missing_ok=True)
    inventory = {
        "all": {
            "hosts": {
                host: {"wfp_standin_state": str(tmp_path / f"{host}.json")} for host in HOSTS
            },
            "vars": {
                "ansible_connection": "wfp_standin",
                "ansible_python_interpreter": sys.executable,
                "wfp_standin_log": str(log),
            },
        }
    }
    task = {"name": "policy", "wfp.ipsec.policy": task_args}
    play = [{"name": "calls", "hosts": "all", "gather_facts": False, "tasks": [task]}]
    completed = ansible_playbook(
        tmp_path, inventory, play, *flags, ANSIBLE_CONNECTION_PLUGINS=str(STANDIN)
    )
    failed = {host: counts["failed"] for host, counts in recap_of(completed).items()}
    assert failed == dict.fromkeys(HOSTS, 0), completed.stdout + completed.stderr
    calls: dict[str, list[str]] = {host: [] for host in HOSTS}
    records = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
    for record in records:
        calls[record["host"]].append(record["operation"])
        assert record["bytes_sent"] > 0 and record["round_trips"] >= 4
    return calls


@pytest.fixture
def fresh(tmp_path: Path) -> Path:
    for host in HOSTS:
        (tmp_path / f"{host}.json").write_text(json.dumps(EMPTY))
    return tmp_path


# One-step applies (commit confirmed's two phases: test_commit_confirmed_host_calls).
POLICY = {
    "scenario": {"guaranteed_encryption": {"required_ports": [{"port": 5555}]}},
    "confirm_timeout": 0,
}


def each(*operations: str) -> dict[str, list[str]]:
    return {host: list(operations) for host in HOSTS}


def test_host_calls_per_task(fresh: Path) -> None:
    snapshot = {host: (fresh / f"{host}.json").read_bytes() for host in HOSTS}
    # Check mode: one read of everything (the shadow analysis needs foreign filters), no apply.
    check = run(fresh, POLICY, "--check")
    assert check == each("read_all")
    assert {host: (fresh / f"{host}.json").read_bytes() for host in HOSTS} == snapshot
    # Check mode without the shadow analysis: one read of our own objects.
    assert run(fresh, {**POLICY, "shadow_check": False}, "--check") == each("read")
    # Converge with drift: one read, one apply.
    assert run(fresh, POLICY) == each("read", "apply")
    # No drift: one read.
    assert run(fresh, POLICY) == each("read")
    assert run(fresh, POLICY, "--check") == each("read_all")


def test_commit_confirmed_host_calls(fresh: Path) -> None:
    """The default converge over the live path: read, tentative apply, confirm (a new
    connection), and the host keeps no pending confirmation."""
    confirmed = {key: value for key, value in POLICY.items() if key != "confirm_timeout"}
    assert run(fresh, confirmed) == each("read", "apply", "confirm")
    for host in HOSTS:
        assert "pending_confirmations" not in json.loads((fresh / f"{host}.json").read_text())
    assert run(fresh, confirmed) == each("read")


def test_the_stand_in_reports_the_fingerprint_of_the_owned_objects_it_read(tmp_path: Path) -> None:
    """As the host's read entry points (tests/unit/host/test_read_fingerprint.py): the read
    replies carry model.fingerprint of the owned objects read, none without a provider."""
    sys.path.insert(0, str(STANDIN))
    try:
        import wfp_standin  # the connection plugin, as a module
    finally:
        sys.path.remove(str(STANDIN))
    from ansible_collections.wfp.ipsec.plugins.plugin_utils import model, offline
    from ansible_collections.wfp.ipsec.plugins.plugin_utils.plan import make_plan
    from ansible_collections.wfp.ipsec.plugins.plugin_utils.runner import desired_state

    state_file = tmp_path / "host.json"
    state_file.write_text(json.dumps(EMPTY))
    provider_key = desired_state(POLICY)["providers"][0]["key"]
    connection = wfp_standin.Connection.__new__(wfp_standin.Connection)
    connection.get_option = lambda name: str(state_file)  # type: ignore[method-assign]
    empty = connection._answer({"_operation": "read", "provider_key": provider_key})
    assert empty["fingerprint"] == model.fingerprint(model.empty_state())
    desired = desired_state(POLICY)
    backend = offline.OfflineBackend(str(state_file))
    backend.apply(make_plan(desired, backend.read(provider_key), provider_key))
    for arguments in (
        {"_operation": "read", "provider_key": provider_key},
        {"_operation": "read_all", "provider_key": provider_key, "layers": []},
    ):
        reply = connection._answer(arguments)
        owned = model.owned_state(json.loads(reply["state_json"]), provider_key)
        assert owned["filters"] and reply["fingerprint"] == model.fingerprint(owned)
    assert "fingerprint" not in connection._answer({"_operation": "read_all"})
