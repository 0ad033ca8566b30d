"""A planted pre-shared key never leaves: every output channel of real ansible-playbook runs.

Channels scanned: task results (registered and printed, at -vvvv, in check mode, diff mode, on
failure), warnings, errors, the Ansible log, policy_info, the offline state file and the fleet
drift report (JSON, Markdown, HTML, JUnit).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.unit.playbooks.ansible_run import ansible_playbook

pytestmark = pytest.mark.slow

# A key no other text contains; its ASCII core is what every spelling (raw, repr, JSON) shares.
CORE = "PlantedKey-5b0e9c1d77"
PSK = CORE + "-Ωü\"'\\"
FRAGMENTS = [CORE[start : start + 8] for start in range(len(CORE) - 7)]

PSK_SCENARIO: dict[str, Any] = {
    "guaranteed_encryption": {
        "keying_modules": ["ike"],
        "required_ports": [{"port": 5555}],
        "main_mode": {
            "proposals": [{"encryption": "des", "integrity": "md5", "dh_group": "dh1"}],
            "authentication": [{"method": "preshared_key", "key": PSK}],
        },
    }
}


def _save(name: str) -> dict[str, Any]:
    return {
        "name": f"save {name}",
        "ansible.builtin.copy": {
            "content": "{{ " + name + " | to_json }}",
            "dest": "{{ results_dir }}/" + name + ".json",
            "mode": "0644",
        },
        "check_mode": False,
        "changed_when": False,
    }


def _role(name: str, main_mode: dict[str, Any], apply: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": name,
        "ansible.builtin.include_role": {"name": "wfp.ipsec.guaranteed_encryption", "apply": apply},
        "vars": {
            "guaranteed_encryption_keying_modules": ["ike"],
            "guaranteed_encryption_required_ports": [{"port": 5555}],
            "guaranteed_encryption_main_mode": main_mode,
        },
    }


def _keep(name: str) -> dict[str, Any]:
    """The role registers guaranteed_encryption_result; keep a copy under `name`."""
    return {
        "name": f"keep {name}",
        "ansible.builtin.set_fact": {name: "{{ guaranteed_encryption_result }}"},
    }


def _tasks(report_dir: Path) -> list[dict[str, Any]]:
    policy = {"scenario": PSK_SCENARIO}
    info_args = {"provider_key": "{{ r_apply.provider_key }}"}
    wrong_type = {  # the schema error quotes the instance: the key is inside it
        "scenario": {
            "guaranteed_encryption": {
                "keying_modules": ["ike"],
                "main_mode": {"authentication": {"method": "preshared_key", "key": PSK}},
            }
        }
    }
    unknown_option = {  # the key also pasted as an option name: the message lists unknown names
        "scenario": {
            "guaranteed_encryption": {
                "keying_modules": ["ike"],
                "main_mode": {
                    "authentication": [{"method": "preshared_key", "key": PSK, PSK: True}]
                },
            }
        }
    }
    tasks: list[dict[str, Any]] = [
        {"name": "check", "wfp.ipsec.policy": policy, "check_mode": True, "register": "r_check"},
        {"name": "apply", "wfp.ipsec.policy": policy, "register": "r_apply"},
        {"name": "again", "wfp.ipsec.policy": policy, "register": "r_again"},
        {"name": "info", "wfp.ipsec.policy_info": info_args, "register": "r_info"},
        {
            "name": "fail on a wrong type",
            "wfp.ipsec.policy": wrong_type,
            "register": "r_fail_type",
            "ignore_errors": True,
        },
        {
            "name": "fail on an unknown option",
            "wfp.ipsec.policy": unknown_option,
            "register": "r_fail_option",
            "ignore_errors": True,
        },
        {
            "name": "drift afterwards",
            "wfp.ipsec.policy": {
                "scenario": {
                    "guaranteed_encryption": {
                        **PSK_SCENARIO["guaranteed_encryption"],
                        "required_ports": [{"port": 7777}],
                    }
                }
            },
            "check_mode": True,
            "register": "r_drift",
        },
    ]
    names = [t["register"] for t in tasks]
    # Through the role: its task passes only role_variables, the key comes from a variable.
    changed_main_mode = {
        **PSK_SCENARIO["guaranteed_encryption"]["main_mode"],
        "proposals": [{"encryption": "des", "integrity": "md5", "dh_group": "dh2"}],
    }
    wrong_main_mode = wrong_type["scenario"]["guaranteed_encryption"]["main_mode"]
    tasks += [
        _role("role in check mode", changed_main_mode, {"check_mode": True}),
        _keep("r_role"),
        _role("role failing on a wrong type", wrong_main_mode, {"ignore_errors": True}),
        _keep("r_role_fail"),
    ]
    names += ["r_role", "r_role_fail"]
    tasks += [_save(name) for name in names]
    tasks.append(
        {
            "name": "fleet drift report",
            "wfp.ipsec.drift_report": {
                "dest": str(report_dir),
                "var": "r_drift",
                "formats": ["json", "markdown", "html", "junit"],
            },
            "run_once": True,
        }
    )
    return tasks


def test_a_planted_key_appears_in_no_channel(tmp_path: Path) -> None:
    state = tmp_path / "web01.json"
    state.write_text('{"format": "wfp.ipsec.state/1"}\n', encoding="utf-8")
    results_dir = tmp_path / "results"
    results_dir.mkdir()
    report_dir = tmp_path / "report"
    inventory = {
        "all": {
            "hosts": {"web01": {"wfp_ipsec_offline_state": str(state)}},
            "vars": {
                "ansible_connection": "local",
                "ansible_python_interpreter": sys.executable,
                "results_dir": str(results_dir),
            },
        }
    }
    play = [{"hosts": "all", "gather_facts": False, "tasks": _tasks(report_dir)}]
    log = tmp_path / "ansible.log"
    completed = ansible_playbook(
        tmp_path, inventory, play, "-vvvv", "--diff", ANSIBLE_LOG_PATH=str(log)
    )
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output[-4000:]

    results = {path.stem: json.loads(path.read_text()) for path in results_dir.glob("*.json")}
    # The runs did what the channels are meant to show.
    assert results["r_check"]["changed"] is True and "diff" in results["r_check"]
    assert results["r_apply"]["changed"] is True and results["r_again"]["changed"] is False
    assert results["r_fail_type"]["failed"] is True and results["r_fail_option"]["failed"] is True
    assert results["r_apply"]["warnings"] or "weak cryptography" in output
    assert results["r_info"]["state"]["provider_contexts"]
    assert results["r_drift"]["drift"]["missing"] == 4  # 2 filters x 2 IP versions
    through_role = results["r_role"]
    assert through_role["changed"] is True and "diff" in through_role  # the main mode changed
    assert results["r_role_fail"]["failed"] is True
    reports = sorted(report_dir.iterdir())
    assert sorted(p.suffix for p in reports) == [".html", ".json", ".md", ".xml"]

    channels = {
        "printed output (-vvvv --diff)": output,
        "ansible log": log.read_text(encoding="utf-8"),
        "offline state file": state.read_text(encoding="utf-8"),
        **{f"registered {name}": json.dumps(r, ensure_ascii=False) for name, r in results.items()},
        **{f"report {p.name}": p.read_text(encoding="utf-8") for p in reports},
    }
    # A part of the key is a leak too (a shortened repr in a message keeps its head or tail).
    leaks = [name for name, text in channels.items() if any(part in text for part in FRAGMENTS)]
    assert leaks == [], f"the pre-shared key leaked into: {leaks}"
    # The key still reached the engine: the state file holds its digest.
    assert "hmac-sha256:" in channels["offline state file"]
