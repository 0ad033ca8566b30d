"""Real ansible-playbook runs: commit confirmed rehearsed on offline hosts (a host lost after
the apply rolls back by itself), and offline rehearsals guarded like production."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from ansible_collections.wfp.ipsec.plugins.plugin_utils.model import empty_state, fingerprint

from tests.unit.playbooks.ansible_run import ansible_playbook, recap_for

pytestmark = pytest.mark.slow
POLICY = {"scenario": {"guaranteed_encryption": {"required_ports": [{"port": 5555}]}}}


def play(
    tmp_path: Path, hosts: dict[str, dict[str, Any]], task: dict[str, Any], *flags: str
) -> tuple[dict[str, dict[str, int]], str]:
    """One task on offline hosts with their own variables; (recap per host, output)."""
    inventory = {
        "all": {
            "hosts": hosts,
            "vars": {"ansible_python_interpreter": sys.executable},
        }
    }
    playbook = [{"name": "test", "hosts": "all", "gather_facts": False, "tasks": [task]}]
    completed = ansible_playbook(tmp_path, inventory, playbook, *flags)
    recap = recap_for(completed, hosts)
    output = completed.stdout + completed.stderr
    return recap, output


def state_file(tmp_path: Path, name: str) -> Path:
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(empty_state()))
    return path


def test_a_host_lost_after_the_apply_rolls_back_by_itself(tmp_path: Path) -> None:
    lost, kept = state_file(tmp_path, "lost"), state_file(tmp_path, "kept")
    hosts = {
        "lost": {
            "ansible_connection": "local",
            "wfp_ipsec_offline_state": str(lost),
            "wfp_ipsec_offline_simulate": "unreachable_after_apply",
        },
        "kept": {"ansible_connection": "local", "wfp_ipsec_offline_state": str(kept)},
    }
    task = {"name": "converge", "wfp.ipsec.policy": {**POLICY, "confirm_timeout": 3}}
    recap, output = play(tmp_path, hosts, task)
    assert recap["lost"]["unreachable"] == 1 and recap["lost"]["failed"] == 0
    assert recap["kept"]["changed"] == 1 and recap["kept"]["unreachable"] == 0
    assert "the host restores its previous policy at" in output
    pending = json.loads(lost.read_text())["pending_confirmations"]
    assert len(pending) == 1
    assert "pending_confirmations" not in json.loads(kept.read_text())

    # After the deadline the lost host runs its previous (empty) policy again: a check-mode
    # run finds all 42 objects (the IKE/AuthIP exemptions included) missing and nothing pending; the confirmed host has no drift.
    time.sleep(max(0.0, next(iter(pending.values()))["deadline"] - time.time()) + 0.5)
    hosts["lost"].pop("wfp_ipsec_offline_simulate")
    check = {**task, "register": "drift"}
    debug = {"ansible.builtin.debug": {"msg": "DRIFT {{ inventory_hostname }} {{ drift.drift }}"}}
    (tmp_path / "extra.yml").write_text(yaml.safe_dump([check, debug]))
    recap, output = play(
        tmp_path, hosts, {"ansible.builtin.include_tasks": str(tmp_path / "extra.yml")}, "--check"
    )
    assert "DRIFT lost {'missing': 42, 'unexpected': 0, 'changed': 0}" in output
    assert "DRIFT kept {'missing': 0, 'unexpected': 0, 'changed': 0}" in output
    assert "pending_confirmations" not in json.loads(lost.read_text())


def test_a_rebooted_host_restores_its_previous_policy(tmp_path: Path) -> None:
    path = state_file(tmp_path, "web")
    host = {"ansible_connection": "local", "wfp_ipsec_offline_state": str(path)}
    recap, _output = play(tmp_path, {"web": host}, {"wfp.ipsec.policy": POLICY})
    assert recap["web"]["changed"] == 1
    before = path.read_text()
    host["wfp_ipsec_offline_simulate"] = "reboot_after_apply"
    changed = {"scenario": {"guaranteed_encryption": {"required_ports": [{"port": 6000}]}}}
    recap, output = play(tmp_path, {"web": host}, {"wfp.ipsec.policy": changed})
    assert recap["web"]["failed"] == 1
    assert "no unconfirmed apply" in output
    # The same objects as before the run (runtime ids are new: they were added again).
    assert fingerprint(json.loads(path.read_text())) == fingerprint(json.loads(before))
    assert "pending_confirmations" not in json.loads(path.read_text())


@pytest.mark.parametrize(
    ("variables", "port"),
    [
        # The winrm plugin's own default port is 5986 (HTTPS); Ansible passes it on.
        ({"ansible_connection": "winrm"}, 5986),
        ({"ansible_connection": "psrp", "ansible_psrp_port": 15986}, 15986),
        ({"ansible_connection": "ssh", "ansible_port": 2222}, 2222),
    ],
)
def test_offline_rehearsals_refuse_what_production_would(
    tmp_path: Path, variables: dict[str, Any], port: int
) -> None:
    path = state_file(tmp_path, "web")
    before = path.read_text()
    host = {"wfp_ipsec_offline_state": str(path), **variables}
    recap, output = play(tmp_path, {"web": host}, {"wfp.ipsec.policy": POLICY})
    assert recap["web"]["failed"] == 1, output
    assert "refusing a policy that could cut the management connection" in output
    assert f"TCP port {port}: filter" in output
    assert path.read_text() == before
