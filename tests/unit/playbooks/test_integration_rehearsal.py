"""The integration target's IKEv2 tasks (tests/integration/targets/wfp_ipsec_policy/tasks/
ikev2.yml) rehearsed on an offline host: the same tasks and assertions a Windows host runs,
so the file is known to be right before it meets BFE."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
import yaml

from tests.unit.conftest import REPO
from tests.unit.playbooks.ansible_run import ansible_playbook
from tests.unit.playbooks.test_offline_runs import demo_states

pytestmark = pytest.mark.slow
TARGET = REPO / "tests" / "integration" / "targets" / "wfp_ipsec_policy"


def test_ikev2_integration_tasks_pass_on_an_offline_host(tmp_path: Path) -> None:
    state = tmp_path / "host.json"
    state.write_text(json.dumps(demo_states.empty_state()))
    inventory = {
        "all": {
            "hosts": {"win01": {"wfp_ipsec_offline_state": str(state)}},
            "vars": {"ansible_connection": "local", "ansible_python_interpreter": sys.executable},
        }
    }
    # main.yml's first task builds the management exemptions; its loop is reused as is.
    main = yaml.safe_load((TARGET / "tasks" / "main.yml").read_text())
    play = [
        {
            "hosts": "all",
            "gather_facts": False,
            "vars_files": [str(TARGET / "defaults" / "main.yml")],
            "tasks": [
                main[0],
                {"ansible.builtin.import_tasks": str(TARGET / "tasks" / "ikev2.yml")},
            ],
        }
    ]
    run = ansible_playbook(tmp_path, inventory, play)
    output = run.stdout + run.stderr
    assert run.returncode == 0, output
    assert "Assert BFE holds both IKEv2 contexts as written" in output
    assert output.count("All assertions passed") == 2
    assert json.loads(state.read_text())["provider_contexts"] == []  # removed at the end
