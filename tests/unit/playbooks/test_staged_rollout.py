"""playbooks/staged_rollout.yml end to end on offline hosts (real ansible-playbook runs)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from ansible_collections.wfp.ipsec.plugins.plugin_utils.model import owned_state
from ansible_collections.wfp.ipsec.plugins.plugin_utils.scenarios import provider_key_of
from ansible_collections.wfp.ipsec.plugins.plugin_utils.transition import stage_of

from tests.unit.conftest import REPO
from tests.unit.playbooks.ansible_run import ansible_playbook
from tests.unit.playbooks.test_offline_runs import demo_states

pytestmark = pytest.mark.slow
KEY = provider_key_of({})


PORTS_JSON = json.dumps({"staged_rollout_required_ports": [{"port": 8443}]})


def rollout(
    tmp_path: Path, hosts: dict[str, Any], *extra: str, ports: str = PORTS_JSON
) -> subprocess.CompletedProcess[str]:
    inventory = {
        "all": {
            "children": {
                "canary": {"hosts": {"canary01": None}},
                "windows": {
                    "hosts": {
                        name: {"wfp_ipsec_offline_state": str(p)} for name, p in hosts.items()
                    }
                },
            },
            "vars": {"ansible_connection": "local", "ansible_python_interpreter": sys.executable},
        }
    }
    return ansible_playbook(
        tmp_path,
        inventory,
        REPO / "playbooks" / "staged_rollout.yml",
        "-e",
        ports,
        "-e",
        f"wfp_ipsec_report_dir={tmp_path / 'reports'}",
        *extra,
    )


def stage(path: Path) -> str:
    return stage_of(owned_state(json.loads(path.read_text()), KEY))


@pytest.fixture
def fleet(tmp_path: Path) -> dict[str, Path]:
    out = tmp_path / "states"
    out.mkdir()
    paths = {name: out / f"{name}.json" for name in ("canary01", "web01", "vpn01")}
    paths["canary01"].write_text(json.dumps(demo_states.empty_state()))
    paths["web01"].write_text(json.dumps(demo_states.empty_state()))
    paths["vpn01"].write_text(json.dumps(demo_states.foreign()))  # blocks all outbound
    return paths


def test_rollout_stops_at_the_first_host_a_foreign_filter_would_cut(
    tmp_path: Path, fleet: dict[str, Path]
) -> None:
    run = rollout(tmp_path, fleet)
    output = run.stdout + run.stderr
    assert run.returncode != 0
    assert "stage encryption stopped on vpn01" in output
    # The canary went first and reached the last stage; the others stopped at isolation.
    assert stage(fleet["canary01"]) == "guaranteed encryption"
    assert stage(fleet["web01"]) == "isolation"
    assert stage(fleet["vpn01"]) == "isolation"
    for name in ("boundary", "isolation"):
        report = json.loads((tmp_path / "reports" / name / "wfp-ipsec-drift.json").read_text())
        assert report["summary"]["drift"] == 0 and report["summary"]["failed"] == 0
    assert not (tmp_path / "reports" / "encryption").exists()
    assert (
        "boundary → isolation: replace 2 quick-mode contexts (flag ND_BOUNDARY → ND_SECURE)"
        in output
    )


def test_rollout_runs_end_to_end_and_a_rerun_changes_nothing(
    tmp_path: Path, fleet: dict[str, Path]
) -> None:
    del fleet["vpn01"]
    # The ports as `-e name=value` text; the rerun gives them as JSON: the same policy.
    first = rollout(tmp_path, fleet, ports="staged_rollout_required_ports=8443/TCP")
    assert first.returncode == 0, first.stdout + first.stderr
    assert {stage(path) for path in fleet.values()} == {"guaranteed encryption"}
    before = {name: path.read_text() for name, path in fleet.items()}
    second = rollout(tmp_path, fleet)
    assert second.returncode == 0, second.stdout + second.stderr
    assert (
        "applied: guaranteed encryption → guaranteed encryption: nothing to change" in second.stdout
    )
    assert "applied: guaranteed encryption → boundary" not in second.stdout
    assert {name: path.read_text() for name, path in fleet.items()} == before


def test_role_defaults_match_every_entry_point_spec() -> None:
    role = REPO / "roles" / "staged_rollout"
    defaults = yaml.safe_load((role / "defaults" / "main.yml").read_text())
    specs = yaml.safe_load((role / "meta" / "argument_specs.yml").read_text())["argument_specs"]
    assert set(specs) == {"main", "boundary", "isolation", "encryption"}
    for entry, spec in specs.items():
        options = {k: v for k, v in spec["options"].items() if k != "staged_rollout_stage"}
        assert set(options) == set(defaults), entry
        for name, option in options.items():
            assert option["default"] == defaults[name], (entry, name)
        assert (role / "tasks" / f"{entry}.yml").is_file()
