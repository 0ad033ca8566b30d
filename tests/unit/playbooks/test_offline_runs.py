"""Real ansible-playbook runs of wfp.ipsec.policy and the role against offline hosts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.unit.conftest import BUILD, REPO

pytestmark = pytest.mark.slow
ANSIBLE_PLAYBOOK = Path(sys.executable).with_name("ansible-playbook")
sys.path.insert(0, str(REPO / "tools"))
import demo_states  # noqa: E402


def run_playbook(
    tmp_path: Path, tasks: list[dict[str, Any]], hosts: dict[str, Path], *flags: str
) -> dict[str, Any]:
    """Run `tasks` on offline hosts; return the json callback's document."""
    inventory = {
        "all": {
            "hosts": {name: {"wfp_ipsec_offline_state": str(path)} for name, path in hosts.items()},
            "vars": {"ansible_connection": "local", "ansible_python_interpreter": sys.executable},
        }
    }
    (tmp_path / "inventory.yml").write_text(yaml.safe_dump(inventory))
    play = [{"name": "test", "hosts": "all", "gather_facts": False, "tasks": tasks}]
    (tmp_path / "play.yml").write_text(yaml.safe_dump(play, sort_keys=False))
    env = dict(
        os.environ,
        ANSIBLE_COLLECTIONS_PATH=str(BUILD),
        ANSIBLE_STDOUT_CALLBACK="ansible.builtin.json",
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_LOCAL_TEMP=str(tmp_path / "tmp"),
        ANSIBLE_HOME=str(tmp_path / "home"),
    )
    completed = subprocess.run(
        [
            str(ANSIBLE_PLAYBOOK),
            "-i",
            str(tmp_path / "inventory.yml"),
            str(tmp_path / "play.yml"),
            *flags,
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        cwd=tmp_path,
    )
    try:
        document: dict[str, Any] = json.loads(completed.stdout)
    except json.JSONDecodeError:
        pytest.fail(
            f"ansible-playbook printed no JSON (rc={completed.returncode}):\n{completed.stdout}\n{completed.stderr}"
        )
    return document


def task_result(document: dict[str, Any], host: str, index: int = 0) -> dict[str, Any]:
    result: dict[str, Any] = document["plays"][0]["tasks"][index]["hosts"][host]
    return result


POLICY = [{"name": "policy", "wfp.ipsec.policy": {"scenario": {"guaranteed_encryption": {}}}}]


@pytest.fixture
def states(tmp_path: Path) -> dict[str, Path]:
    out = tmp_path / "states"
    out.mkdir()
    paths = {
        "clean": out / "clean.json",
        "drifted": out / "drifted.json",
        "foreign": out / "foreign.json",
    }
    paths["clean"].write_text(json.dumps(demo_states.empty_state()))
    paths["drifted"].write_text(json.dumps(demo_states.canonical_state(demo_states.drifted())))
    paths["foreign"].write_text(json.dumps(demo_states.foreign()))
    return paths


def objects(path: Path) -> dict[str, int]:
    state = json.loads(path.read_text())
    return {
        name: len(state[name])
        for name in ("providers", "sublayers", "provider_contexts", "filters")
    }


def test_converge_then_idempotent(tmp_path: Path, states: dict[str, Path]) -> None:
    first = run_playbook(tmp_path, POLICY, states)
    assert {host: stats["changed"] for host, stats in first["stats"].items()} == {
        "clean": 1,
        "drifted": 1,
        "foreign": 1,
    }
    assert objects(states["clean"]) == {
        "providers": 1,
        "sublayers": 1,
        "provider_contexts": 4,
        "filters": 24,
    }
    assert objects(states["drifted"]) == objects(states["clean"])
    assert objects(states["foreign"]) == {
        "providers": 2,
        "sublayers": 2,
        "provider_contexts": 4,
        "filters": 27,
    }
    assert task_result(first, "clean")["drift"] == {"missing": 30, "unexpected": 0, "changed": 0}
    assert task_result(first, "drifted")["drift"] == {"missing": 2, "unexpected": 1, "changed": 1}

    second = run_playbook(tmp_path, POLICY, states)
    assert {host: stats["changed"] for host, stats in second["stats"].items()} == {
        "clean": 0,
        "drifted": 0,
        "foreign": 0,
    }
    assert all(task_result(second, host)["plan"] == [] for host in states)


def test_foreign_objects_survive(tmp_path: Path, states: dict[str, Path]) -> None:
    before = json.loads(states["foreign"].read_text())
    run_playbook(tmp_path, POLICY, states)
    after = json.loads(states["foreign"].read_text())
    for list_name in ("providers", "sublayers", "filters"):
        foreign_before = [{k: v for k, v in o.items() if k != "runtime"} for o in before[list_name]]
        foreign_after = [
            {k: v for k, v in o.items() if k != "runtime"}
            for o in after[list_name]
            if o["key"] in {f["key"] for f in before[list_name]}
        ]
        assert foreign_after == foreign_before


def test_check_mode_writes_nothing_and_reports_drift(
    tmp_path: Path, states: dict[str, Path]
) -> None:
    snapshot = {name: path.read_bytes() for name, path in states.items()}
    document = run_playbook(tmp_path, POLICY, states, "--check", "--diff")
    assert {name: path.read_bytes() for name, path in states.items()} == snapshot
    drifted = task_result(document, "drifted")
    assert drifted["changed"] is True
    assert drifted["drift"] == {"missing": 2, "unexpected": 1, "changed": 1}
    reasons = sorted(op["reason"] for op in drifted["plan"])
    assert reasons.count("missing") == 2 and reasons.count("unexpected") == 1
    assert "FWPM_LAYER_ALE_AUTH_CONNECT_V6" in json.dumps(drifted["diff"])
    assert "shadowing" in drifted


def test_absent_leaves_only_foreign_objects(tmp_path: Path, states: dict[str, Path]) -> None:
    run_playbook(tmp_path, POLICY, states)
    document = run_playbook(
        tmp_path, [{"name": "absent", "wfp.ipsec.policy": {"state": "absent"}}], states
    )
    assert document["stats"]["foreign"]["changed"] == 1
    assert objects(states["clean"]) == {
        "providers": 0,
        "sublayers": 0,
        "provider_contexts": 0,
        "filters": 0,
    }
    assert objects(states["foreign"]) == {
        "providers": 1,
        "sublayers": 1,
        "provider_contexts": 0,
        "filters": 3,
    }
    again = run_playbook(
        tmp_path, [{"name": "absent", "wfp.ipsec.policy": {"state": "absent"}}], states
    )
    assert all(stats["changed"] == 0 for stats in again["stats"].values())


def test_bad_input_fails_naming_the_field_and_touches_nothing(
    tmp_path: Path, states: dict[str, Path]
) -> None:
    snapshot = {name: path.read_bytes() for name, path in states.items()}
    bad = [
        {
            "name": "bad",
            "wfp.ipsec.policy": {
                "scenario": {"guaranteed_encryption": {"required_ports": [{"port": 70000}]}}
            },
        }
    ]
    document = run_playbook(tmp_path, bad, states)
    result = task_result(document, "clean")
    assert result["failed"] is True
    assert "scenario.guaranteed_encryption.required_ports[0].port" in result["msg"]
    assert "from 1 to 65535" in result["msg"]
    assert {name: path.read_bytes() for name, path in states.items()} == snapshot


def test_role_converges_and_is_idempotent(tmp_path: Path, states: dict[str, Path]) -> None:
    role = [
        {
            "name": "role",
            "ansible.builtin.include_role": {"name": "wfp.ipsec.guaranteed_encryption"},
            "vars": {"guaranteed_encryption_ip_versions": [4]},
        }
    ]
    first = run_playbook(tmp_path, role, {"clean": states["clean"]})
    assert first["stats"]["clean"]["changed"] == 1
    assert objects(states["clean"])["filters"] == 12
    second = run_playbook(tmp_path, role, {"clean": states["clean"]})
    assert second["stats"]["clean"]["changed"] == 0


def test_role_argument_spec_rejects_bad_types(tmp_path: Path, states: dict[str, Path]) -> None:
    role = [
        {
            "name": "role",
            "ansible.builtin.include_role": {"name": "wfp.ipsec.guaranteed_encryption"},
            "vars": {"guaranteed_encryption_ip_versions": [5]},
        }
    ]
    document = run_playbook(tmp_path, role, {"clean": states["clean"]})
    assert document["stats"]["clean"]["failures"] == 1
    assert "guaranteed_encryption_ip_versions" in json.dumps(document["plays"][0]["tasks"])
