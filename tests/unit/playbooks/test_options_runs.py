"""Real ansible-playbook runs of the issue's habits and mistakes: strings from -e and templates,
declarations of nothing, a forgotten port list, and what check mode prints."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.unit.playbooks.ansible_run import ansible_playbook
from tests.unit.playbooks.test_offline_runs import demo_states, objects

pytestmark = pytest.mark.slow
ROLE_DEFAULTS = Path(__file__).parents[3] / "roles/guaranteed_encryption/defaults/main.yml"
ROLE_TASK = {
    "name": "role",
    "ansible.builtin.include_role": {"name": "wfp.ipsec.guaranteed_encryption"},
}
GE_5555 = {"scenario": {"guaranteed_encryption": {"required_ports": [{"port": 5555}]}}}


def play(
    tmp_path: Path, tasks: list[dict[str, Any]], state: Path, *flags: str
) -> tuple[dict[str, Any], str]:
    """Run tasks (each registered as r<index>, errors ignored) on one offline host `web01`;
    return the registered results and the whole output."""
    inventory = {
        "all": {
            "hosts": {"web01": {"wfp_ipsec_offline_state": str(state)}},
            "vars": {
                "ansible_connection": "local",
                "ansible_python_interpreter": "{{ ansible_playbook_python }}",
            },
        }
    }
    results = tmp_path / "results.json"
    registered = [
        {**task, "register": f"r{index}", "ignore_errors": True} for index, task in enumerate(tasks)
    ]
    names = ", ".join(f"'r{index}': r{index}" for index in range(len(tasks)))
    save = {
        "name": "save the results",
        "ansible.builtin.copy": {
            "content": "{{ {" + names + "} | to_json }}",
            "dest": str(results),
            "mode": "0644",
        },
        "check_mode": False,
        "changed_when": False,
    }
    play = [{"name": "t", "hosts": "all", "gather_facts": False, "tasks": [*registered, save]}]
    done = ansible_playbook(tmp_path, inventory, play, *flags)
    output = done.stdout + done.stderr
    assert results.is_file(), output
    return json.loads(results.read_text()), output


def _output(done: subprocess.CompletedProcess[str]) -> str:
    return done.stdout + done.stderr


@pytest.fixture
def clean(tmp_path: Path) -> Path:
    path = tmp_path / "web01.json"
    path.write_text(json.dumps(demo_states.empty_state()))
    return path


def test_strings_from_extra_vars_and_templates(tmp_path: Path, clean: Path) -> None:
    task = {
        "name": "policy from -e strings",
        "wfp.ipsec.policy": {
            "persistent": "{{ persistent }}",
            "sublayer": {"weight": "{{ sublayer_weight }}"},
            "scenario": {
                "guaranteed_encryption": {
                    "keying_modules": "{{ keying }}",
                    "ip_versions": "4",
                    "required_ports": [
                        {"port": "{{ app_port }}", "protocol": "TCP"},
                        {"port": "{{ port_range }}", "protocol": "Udp"},
                    ],
                }
            },
        },
    }
    extra = ["-e", "persistent=false", "-e", "sublayer_weight=40000", "-e", "keying=ike"]
    extra += ["-e", "app_port=8443", "-e", "port_range=5000-5010"]
    results, output = play(tmp_path, [task], clean, *extra)
    assert results["r0"].get("failed") is not True, output
    state = json.loads(clean.read_text())
    assert state["sublayers"][0]["weight"] == 40000
    assert all("FWPM_FILTER_FLAG_PERSISTENT" not in f["flags"] for f in state["filters"])
    assert len(state["provider_contexts"]) == 2  # IKE only
    names = [f["name"] for f in state["filters"]]
    assert any("TCP/8443" in name for name in names)
    ranged = [f for f in state["filters"] if "UDP/5000-5010" in f["name"]]
    assert len(ranged) == 2
    port = [c for c in ranged[0]["conditions"] if c["match_type"] == "FWP_MATCH_RANGE"]
    assert port[0]["value"]["low"]["value"] == 5000 and port[0]["value"]["high"]["value"] == 5010


def test_the_issues_mistakes_are_refused_and_touch_nothing(tmp_path: Path, clean: Path) -> None:
    converge = {"name": "converge", "wfp.ipsec.policy": GE_5555}
    mistakes = [
        {"name": "empty", "wfp.ipsec.policy": {}},
        {
            "name": "mis-indented",
            "wfp.ipsec.policy": {"scenario": None, "guaranteed_encryption": {"required_ports": []}},
        },
        {"name": "no ports", "wfp.ipsec.policy": {"scenario": {"guaranteed_encryption": {}}}},
        {"name": "typo", "wfp.ipsec.policy": {**GE_5555, "shadow_chek": True}},
        {
            "name": "role without ports",
            "ansible.builtin.include_role": {
                "name": "wfp.ipsec.guaranteed_encryption",
                "apply": {"ignore_errors": True},
            },
        },
    ]
    results, output = play(tmp_path, [converge, *mistakes], clean)
    assert results["r0"]["changed"] is True
    snapshot = clean.read_bytes()
    assert objects(clean)["filters"] == 36
    empty, indented, no_ports, typo = (results[f"r{i}"] for i in range(1, 5))
    assert all(r["failed"] is True for r in (empty, indented, no_ports, typo)), output
    assert "nothing is declared" in empty["msg"] and "state: absent" in empty["msg"]
    assert "it belongs under scenario (check the indentation)" in indented["msg"]
    assert "scenario.guaranteed_encryption.required_ports: is required" in no_ports["msg"]
    assert "did you mean 'shadow_check'?" in typo["msg"]
    assert "guaranteed_encryption_required_ports is not set" in output
    assert "Traceback" not in output
    assert clean.read_bytes() == snapshot  # the installed policy is intact


def test_check_mode_prints_a_summary_and_a_compact_diff(tmp_path: Path, clean: Path) -> None:
    task = {"name": "policy", "wfp.ipsec.policy": GE_5555}
    results, output = play(tmp_path, [task], clean, "--check", "--diff")
    assert (
        "web01: check mode: would add 36 filters, 4 provider contexts, 1 sublayer, 1 provider"
        in output
    )
    assert "objects to add (42):" in output
    assert (
        "+ filter 'wfp.ipsec guaranteed encryption: IPv4 inbound TCP/5555: require encryption'"
        in output
    )
    assert "IP_PROTOCOL = TCP" in output and "FWPM_WEIGHT_RANGE_IKE_EXEMPTIONS (range 12)" in output
    assert len(output.splitlines()) < 80  # not 700 lines of JSON
    assert results["r0"]["msg"].startswith("check mode: would add 36 filters")


def test_absent_says_how_many_objects_it_removes(tmp_path: Path, clean: Path) -> None:
    converge = {"name": "converge", "wfp.ipsec.policy": GE_5555}
    absent = {"name": "absent", "wfp.ipsec.policy": {"state": "absent"}}
    results, output = play(tmp_path, [converge], clean)
    results, output = play(tmp_path, [absent], clean, "--check")
    assert "web01: check mode: would remove 42 objects (36 filters, 4 provider contexts" in output
    assert "unexpected" not in results["r0"]["msg"]


def test_policy_info_by_name_readable_and_honest_about_no_policy(
    tmp_path: Path, clean: Path
) -> None:
    by_name = {
        "name": "by name",
        "wfp.ipsec.policy_info": {"provider_name": "wfp.ipsec", "shadowing": "yes"},
    }
    results, output = play(tmp_path, [by_name], clean)
    empty = results["r0"]
    assert empty.get("failed") is not True, output
    assert empty["shadowing"] == []
    assert "no provider named 'wfp.ipsec' on this host" in empty["msg"] or (
        "nothing to analyse" in empty["msg"]
    )
    foreign = tmp_path / "foreign.json"
    foreign.write_text(json.dumps(demo_states.foreign()))
    converge = {"name": "converge", "wfp.ipsec.policy": GE_5555}
    by_key = {  # the module's EXAMPLES: the default provider's key
        "name": "by key",
        "wfp.ipsec.policy_info": {"provider_key": "1e62f257-7e9a-56dc-b959-5d3049ae0981"},
    }
    results, output = play(tmp_path, [converge, by_name, by_key], foreign)
    named, keyed = results["r1"], results["r2"]
    assert named["provider_key"] == "1e62f257-7e9a-56dc-b959-5d3049ae0981", output
    assert named["state"] == keyed["state"]
    assert len(named["state"]["filters"]) == 36
    assert any("Contoso VPN: block inbound TCP/5555" in json.dumps(f) for f in named["shadowing"])
    line = next(f for f in named["readable"]["filters"] if "IPv4 inbound TCP/5555" in f)
    assert "FWPM_LAYER_ALE_AUTH_RECV_ACCEPT_V4" in line and "IP_PROTOCOL = TCP" in line
    assert "FWPM_CONTEXT_ALE_SET_CONNECTION_REQUIRE_IPSEC_ENCRYPTION" in line
    assert "weight 512" in line


def test_role_variables_from_extra_vars(tmp_path: Path, clean: Path) -> None:
    extra = [
        "-e",
        "guaranteed_encryption_sublayer_weight=40000",
        "-e",
        "guaranteed_encryption_keying_modules=ike",
        "-e",
        "guaranteed_encryption_persistent=false",
        "-e",
        '{"guaranteed_encryption_required_ports": [{"port": "8443"}, {"port": "9000-9010"}]}',
    ]
    _results, output = play(tmp_path, [ROLE_TASK], clean, *extra)
    assert "failed=0" in output, output
    state = json.loads(clean.read_text())
    assert state["sublayers"][0]["weight"] == 40000
    assert len(state["provider_contexts"]) == 2
    assert all("FWPM_FILTER_FLAG_PERSISTENT" not in f["flags"] for f in state["filters"])
    assert sum("TCP/9000-9010" in f["name"] for f in state["filters"]) == 4  # in/out, v4/v6


def test_role_port_lists_from_extra_vars_text(tmp_path: Path, clean: Path) -> None:
    """`-e name=value` and survey text fields give strings: the role takes the port lists as an
    operator types them, and a wrong entry is named by the variable the operator set."""
    text = "guaranteed_encryption_required_ports=8443,5000-5010/UDP"
    _results, output = play(
        tmp_path, [ROLE_TASK], clean, "-e", text, "-e", "guaranteed_encryption_exempt_ports=5986"
    )
    assert "failed=0" in output, output
    state = json.loads(clean.read_text())
    assert sum("TCP/8443" in f["name"] for f in state["filters"]) == 4, output
    assert sum("UDP/5000-5010" in f["name"] for f in state["filters"]) == 4
    assert any("5986" in f["name"] for f in state["filters"])
    before = clean.read_text()

    # A failed task in a role ends the play for the host: read its result from the output.
    inventory = {"all": {"hosts": {"web01": {"wfp_ipsec_offline_state": str(clean)}}}}
    include = [{"name": "t", "hosts": "all", "gather_facts": False, "tasks": [ROLE_TASK]}]
    local = ("-e", "ansible_connection=local")
    wrong = ("-e", "guaranteed_encryption_required_ports=8443/sctp", *local)
    output = _output(ansible_playbook(tmp_path, inventory, include, *wrong))
    assert "failed=1" in output, output
    assert (
        "- guaranteed_encryption_required_ports[0].protocol: 'sctp' is not valid; use one of "
        "['tcp', 'udp']" in output
    ), output
    # Ansible's key=value ends a value at a space: "8443, 9443" arrives as "8443,"
    spaced = ("-e", "guaranteed_encryption_required_ports=8443, 9443", *local)
    output = _output(ansible_playbook(tmp_path, inventory, include, *spaced))
    assert (
        "- guaranteed_encryption_required_ports[1]: is an empty list item; give a port or remove "
        "the comma (with -e name=value, a space ends the value: write 8443,9443 or quote it"
        in output
    ), output
    assert "Traceback" not in output
    assert clean.read_text() == before  # the refusals changed nothing


def test_role_reads_its_variables_templated_where_they_are_templates(
    tmp_path: Path, clean: Path
) -> None:
    """The role's task passes only role_variables; the action templates the variables that hold
    a template (here from play vars), and misuse of the option fails naming it."""
    role = {
        "name": "role",
        "ansible.builtin.include_role": {"name": "wfp.ipsec.guaranteed_encryption"},
        "vars": {
            "app_ports": [{"port": 7443}, {"port": "7500-7510", "protocol": "udp"}],
            "guaranteed_encryption_required_ports": "{{ app_ports }}",
            "guaranteed_encryption_sublayer_weight": "{{ 40000 + 1 }}",
        },
    }
    combined = {
        "name": "combined",
        "wfp.ipsec.policy": {"role_variables": "guaranteed_encryption", "state": "absent"},
    }
    outside = {"name": "outside", "wfp.ipsec.policy": {"role_variables": "guaranteed_encryption"}}
    defaults = yaml.safe_load(ROLE_DEFAULTS.read_text())
    undefined = {
        "name": "undefined",
        "wfp.ipsec.policy": {"role_variables": "guaranteed_encryption"},
        "vars": {**defaults, "guaranteed_encryption_required_ports": "{{ no_such_ports }}"},
    }
    results, output = play(tmp_path, [role, combined, outside, undefined], clean)
    state = json.loads(clean.read_text())
    assert state["sublayers"][0]["weight"] == 40001
    assert sum("TCP/7443" in f["name"] for f in state["filters"]) == 4, output
    assert sum("UDP/7500-7510" in f["name"] for f in state["filters"]) == 4
    assert results["r1"]["failed"] is True
    assert (
        "role_variables cannot be combined with other options (given: state)"
        in (results["r1"]["msg"])
    )
    assert results["r2"]["failed"] is True
    assert "guaranteed_encryption_state is not set for web01" in results["r2"]["msg"]
    assert results["r3"]["failed"] is True
    assert results["r3"]["msg"].startswith("guaranteed_encryption_required_ports: ")
    assert "no_such_ports" in results["r3"]["msg"]
    assert "Traceback" not in output
    assert objects(clean)["filters"] == len(state["filters"])  # the failures changed nothing
