"""Real ansible-playbook runs of wfp.ipsec.policy and the role against offline hosts."""

from __future__ import annotations

import functools
import json
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.unit.conftest import REPO
from tests.unit.playbooks.ansible_run import (
    ansible_playbook,
    recap_for,
)

pytestmark = pytest.mark.slow
sys.path.insert(0, str(REPO / "tools"))
import demo_states  # noqa: E402


@dataclass
class Run:
    """One ansible-playbook run: per-host task results and recap counts."""

    results: dict[str, dict[str, Any]]
    recap: dict[str, dict[str, int]]
    output: str

    def changed(self) -> dict[str, int]:
        return {host: counts["changed"] for host, counts in self.recap.items()}


def run_playbook(
    tmp_path: Path,
    task: dict[str, Any],
    hosts: dict[str, Path],
    *flags: str,
    result_var: str = "wfp_result",
) -> Run:
    """Run one task on offline hosts; its registered result is saved per host as JSON."""
    inventory = {
        "all": {
            "hosts": {name: {"wfp_ipsec_offline_state": str(path)} for name, path in hosts.items()},
            "vars": {"ansible_connection": "local", "ansible_python_interpreter": sys.executable},
        }
    }
    results_dir = tmp_path / "results"
    shutil.rmtree(results_dir, ignore_errors=True)
    results_dir.mkdir()
    save = {
        "name": "save the result",
        "ansible.builtin.copy": {
            "content": "{{ " + result_var + " | to_json }}",
            "dest": f"{results_dir}/{{{{ inventory_hostname }}}}.json",
            "mode": "0644",
        },
        "check_mode": False,
        "changed_when": False,
    }
    tasks = [{**task, "register": "wfp_result", "ignore_errors": True}, save]
    play = [{"name": "test", "hosts": "all", "gather_facts": False, "tasks": tasks}]
    completed = ansible_playbook(tmp_path, inventory, play, *flags)
    output = completed.stdout + completed.stderr
    recap = recap_for(completed, hosts)
    results = {path.stem: json.loads(path.read_text()) for path in results_dir.glob("*.json")}
    return Run(results, recap, output)


POLICY = {
    "name": "policy",
    "wfp.ipsec.policy": {
        "scenario": {"guaranteed_encryption": {"required_ports": [{"port": 5555}]}}
    },
}


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
    assert first.changed() == {"clean": 1, "drifted": 1, "foreign": 1}
    assert objects(states["clean"]) == {
        "providers": 1,
        "sublayers": 1,
        "provider_contexts": 4,
        "filters": 36,
    }
    assert objects(states["drifted"]) == objects(states["clean"])
    assert objects(states["foreign"]) == {
        "providers": 2,
        "sublayers": 2,
        "provider_contexts": 4,
        "filters": 39,
    }
    assert first.results["clean"]["drift"] == {"missing": 42, "unexpected": 0, "changed": 0}
    assert first.results["drifted"]["drift"] == {"missing": 2, "unexpected": 1, "changed": 1}
    assert first.results["clean"]["apply"]["applied"] == 42

    second = run_playbook(tmp_path, POLICY, states)
    assert second.changed() == {"clean": 0, "drifted": 0, "foreign": 0}
    assert all(second.results[host]["plan"] == [] for host in states)


IKEV2 = {
    "name": "IKEv2 transport",
    "wfp.ipsec.policy": {
        "scenario": {
            "ikev2_transport": {
                "main_mode": {
                    "authentication": [
                        {"method": "certificate", "root_subjects": ["CN=Corp Root CA, O=Corp"]}
                    ]
                },
                "exempt_ports": [{"port": 5986}],
            }
        }
    },
}


def test_ikev2_transport_converges_then_changes_nothing(
    tmp_path: Path, states: dict[str, Path]
) -> None:
    hosts = {name: states[name] for name in ("clean", "drifted")}  # empty; guaranteed encryption
    first = run_playbook(tmp_path, IKEV2, hosts)
    assert first.changed() == {"clean": 1, "drifted": 1}, first.output
    for path in hosts.values():
        assert objects(path) == {
            "providers": 1,
            "sublayers": 1,
            "provider_contexts": 2,
            "filters": 18 + 4,  # the default 18, and port 5986 in and out for IPv4 and IPv6
        }
        contexts = json.loads(path.read_text())["provider_contexts"]
        assert sorted(c["type"] for c in contexts) == [
            "FWPM_IPSEC_IKEV2_MM_CONTEXT",
            "FWPM_IPSEC_IKEV2_QM_TRANSPORT_CONTEXT",
        ]
    assert first.results["drifted"]["transition"].startswith("guaranteed encryption → IKEv2")

    second = run_playbook(tmp_path, IKEV2, hosts)
    assert second.changed() == {"clean": 0, "drifted": 0}
    assert all(second.results[host]["plan"] == [] for host in hosts)


def strip(obj: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in obj.items() if k != "runtime"}


def test_foreign_objects_survive(tmp_path: Path, states: dict[str, Path]) -> None:
    before = json.loads(states["foreign"].read_text())
    run_playbook(tmp_path, POLICY, states)
    after = json.loads(states["foreign"].read_text())
    for list_name in ("providers", "sublayers", "filters"):
        keys = {obj["key"] for obj in before[list_name]}
        assert [strip(o) for o in after[list_name] if o["key"] in keys] == [
            strip(o) for o in before[list_name]
        ]


def test_check_mode_writes_nothing_and_reports_drift(
    tmp_path: Path, states: dict[str, Path]
) -> None:
    snapshot = {name: path.read_bytes() for name, path in states.items()}
    run = run_playbook(tmp_path, POLICY, states, "--check", "--diff")
    assert {name: path.read_bytes() for name, path in states.items()} == snapshot
    assert run.changed() == {"clean": 1, "drifted": 1, "foreign": 1}
    drifted = run.results["drifted"]
    assert drifted["drift"] == {"missing": 2, "unexpected": 1, "changed": 1}
    reasons = [op["reason"] for op in drifted["plan"]]
    assert reasons.count("missing") == 2 and reasons.count("unexpected") == 1
    assert "FWPM_LAYER_ALE_AUTH_CONNECT_V6" in json.dumps(drifted["diff"])
    assert "FWPM_LAYER_ALE_AUTH_CONNECT_V6" in run.output  # the diff is printed readably
    assert isinstance(drifted["shadowing"], list)


def test_absent_leaves_only_foreign_objects(tmp_path: Path, states: dict[str, Path]) -> None:
    absent = {"name": "absent", "wfp.ipsec.policy": {"state": "absent"}}
    run_playbook(tmp_path, POLICY, states)
    run = run_playbook(tmp_path, absent, states)
    assert run.changed() == {"clean": 1, "drifted": 1, "foreign": 1}
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
    again = run_playbook(tmp_path, absent, states)
    assert again.changed() == {"clean": 0, "drifted": 0, "foreign": 0}


def test_bad_input_fails_naming_the_field_and_touches_nothing(
    tmp_path: Path, states: dict[str, Path]
) -> None:
    snapshot = {name: path.read_bytes() for name, path in states.items()}
    bad = {
        "name": "bad",
        "wfp.ipsec.policy": {
            "scenario": {"guaranteed_encryption": {"required_ports": [{"port": 70000}]}}
        },
    }
    run = run_playbook(tmp_path, bad, states)
    result = run.results["clean"]
    assert result["failed"] is True
    assert "scenario.guaranteed_encryption.required_ports[0].port" in result["msg"]
    assert "from 1 to 65535" in result["msg"]
    assert {name: path.read_bytes() for name, path in states.items()} == snapshot


ROLE = {
    "name": "role",
    "ansible.builtin.include_role": {"name": "wfp.ipsec.guaranteed_encryption"},
}
PORTS = {"guaranteed_encryption_required_ports": [{"port": 5555, "protocol": "tcp"}]}


def test_role_converges_and_is_idempotent(tmp_path: Path, states: dict[str, Path]) -> None:
    task = {**ROLE, "vars": {**PORTS, "guaranteed_encryption_ip_versions": [4]}}
    clean = {"clean": states["clean"]}
    first = run_playbook(tmp_path, task, clean, result_var="guaranteed_encryption_result")
    assert first.changed() == {"clean": 1}
    assert objects(states["clean"])["filters"] == 20  # 12 from the page, 8 IKE/AuthIP exemptions
    second = run_playbook(tmp_path, task, clean, result_var="guaranteed_encryption_result")
    assert second.changed() == {"clean": 0}
    assert second.results["clean"]["drift"] == {"missing": 0, "unexpected": 0, "changed": 0}


def test_role_argument_spec_rejects_bad_values(tmp_path: Path, states: dict[str, Path]) -> None:
    snapshot = states["clean"].read_bytes()
    task = {**ROLE, "vars": {**PORTS, "guaranteed_encryption_ip_versions": [5]}}
    run = run_playbook(tmp_path, task, {"clean": states["clean"]})
    assert run.recap["clean"]["ignored"] + run.recap["clean"]["failed"] >= 1
    assert "guaranteed_encryption_ip_versions" in run.output
    assert "5" in run.output
    assert states["clean"].read_bytes() == snapshot


def test_policy_info_reads_offline_hosts_with_shadowing(
    tmp_path: Path, states: dict[str, Path]
) -> None:
    run_playbook(tmp_path, POLICY, states)
    provider_key = json.loads(states["clean"].read_text())["providers"][0]["key"]
    info = {
        "name": "info",
        "wfp.ipsec.policy_info": {
            "provider_key": provider_key,
            "layers": ["FWPM_LAYER_ALE_AUTH_RECV_ACCEPT_V4"],
            "shadowing": True,
        },
    }
    run = run_playbook(tmp_path, info, {"foreign": states["foreign"]})
    result = run.results["foreign"]
    assert run.changed() == {"foreign": 0}
    assert result["backend"] == "offline"
    assert {f["name"] for f in result["state"]["filters"]} == {
        "wfp.ipsec guaranteed encryption: IPv4 inbound connections: secure unicast",
        "wfp.ipsec guaranteed encryption: IPv4 inbound connections: exempt ICMP",
        "wfp.ipsec guaranteed encryption: IPv4 inbound connections: exempt IKE/AuthIP UDP/500",
        "wfp.ipsec guaranteed encryption: IPv4 inbound connections: exempt IKE/AuthIP UDP/4500",
        "wfp.ipsec guaranteed encryption: IPv4 inbound TCP/5555: require encryption",
    }
    # The VPN client's hard block on inbound TCP/5555 overrides our require-encryption filter.
    blocking = [
        f for f in result["shadowing"] if "Contoso VPN: block inbound TCP/5555" in json.dumps(f)
    ]
    assert blocking, result["shadowing"]


def test_drift_report_playbook(tmp_path: Path, states: dict[str, Path]) -> None:
    demo = tmp_path / "demo-state"  # the demo inventory's host names
    demo.mkdir()
    for host, state in (("web01", "clean"), ("web02", "drifted"), ("db01", "foreign")):
        shutil.copy(states[state], demo / f"{host}.json")
    snapshot = {path.name: path.read_bytes() for path in demo.glob("*.json")}
    report_dir = tmp_path / "report"
    run = functools.partial(
        ansible_playbook,
        tmp_path,
        REPO / "playbooks" / "inventory" / "demo",
        REPO / "playbooks" / "drift_report.yml",
        "-e",
        f"wfp_ipsec_report_dir={report_dir}",
        WFP_IPSEC_DEMO_STATE_DIR=str(demo),
    )
    passing = run()
    assert passing.returncode == 0, passing.stdout + passing.stderr
    by_suffix = {path.suffix: path for path in report_dir.iterdir()}
    assert set(by_suffix) == {".json", ".md", ".html", ".xml"}
    junit = by_suffix[".xml"].read_text()
    assert junit.count("<testcase") == 3 and junit.count("<failure") == 3  # no host is converged
    assert "web02" in by_suffix[".md"].read_text()
    assert {"web01", "web02", "db01"} <= set(
        json.dumps(json.loads(by_suffix[".json"].read_text())).split('"')
    )

    failing = run("-e", "wfp_ipsec_fail_on_drift=true")
    assert failing.returncode != 0
    assert {
        path.name: path.read_bytes() for path in demo.glob("*.json")
    } == snapshot  # check mode only


def test_a_netsh_dump_is_read_only(tmp_path: Path) -> None:
    from tests.unit.conftest import shared_path

    dump = shared_path() / "wfp_realdata" / "VPNWindows__filters.xml"
    check = run_playbook(tmp_path, POLICY, {"stock": dump}, "--check")
    assert check.results["stock"]["backend"] == "offline-dump"
    assert check.results["stock"]["drift"] == {"missing": 42, "unexpected": 0, "changed": 0}
    converge = run_playbook(tmp_path, POLICY, {"stock": dump})
    result = converge.results["stock"]
    assert result["failed"] is True
    assert "netsh dump (read-only)" in result["msg"] and "check mode" in result["msg"]
