"""playbooks/drift_report.yml through real ansible-playbook runs: a 300-host offline fleet and
the real machines of playbooks/inventory/dumps."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.unit.conftest import REPO, shared_path
from tests.unit.playbooks.ansible_run import ansible_playbook
from tests.unit.playbooks.test_offline_runs import demo_states

pytestmark = pytest.mark.slow
PLAY = REPO / "playbooks" / "drift_report.yml"
FLEET = 300
MARKDOWN_LIMIT = 65_536


def fleet_inventory(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """300 offline hosts: most never had the policy, every tenth has a VPN client's block on the
    required port, every fiftieth a drifted policy, and one a state file that is not JSON."""
    states = tmp_path / "states"
    states.mkdir()
    documents = {
        "empty": demo_states.empty_state(),
        "vpn": demo_states.foreign(),
        "drifted": demo_states.canonical_state(demo_states.drifted()),
    }
    for kind, document in documents.items():
        (states / f"{kind}.json").write_text(json.dumps(document))
    (states / "broken.json").write_text("{ not json")
    kinds: dict[str, str] = {}
    for index in range(FLEET):
        host = f"pc{index:03d}"
        kinds[host] = (
            "broken"
            if index == 7
            else "drifted"
            if index % 50 == 3
            else "vpn"
            if index % 10 == 1
            else "empty"
        )
    hosts = {
        host: {"wfp_ipsec_offline_state": str(states / f"{kind}.json")}
        for host, kind in kinds.items()
    }
    inventory = {
        "all": {
            "children": {
                "windows": {
                    "hosts": hosts,
                    "vars": {
                        "ansible_connection": "local",
                        "ansible_python_interpreter": sys.executable,
                        "guaranteed_encryption_required_ports": [{"port": 5555}],
                    },
                }
            }
        }
    }
    path = tmp_path / "fleet.yml"
    path.write_text(yaml.safe_dump(inventory))
    return path, kinds


@pytest.fixture(scope="module")
def fleet_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp_path = tmp_path_factory.mktemp("fleet")
    inventory, kinds = fleet_inventory(tmp_path)
    report_dir = tmp_path / "report"
    run = ansible_playbook(
        tmp_path,
        inventory,
        PLAY,
        "-e",
        f"wfp_ipsec_report_dir={report_dir}",
        "-e",
        "wfp_ipsec_fail_on_drift=true",
    )
    return {"run": run, "kinds": kinds, "dir": report_dir}


def test_a_300_host_fleet_shows_progress_one_short_line_per_host(fleet_run: dict) -> None:
    output = fleet_run["run"].stdout
    check_task = output[output.index("TASK [wfp.ipsec.guaranteed_encryption : Converge") :]
    check_task = check_task[: check_task.index("\nPLAY [")]
    progress = re.findall(r"^(?:changed|ok|fatal): \[(pc\d{3})\]", check_task, re.M)
    assert sorted(set(progress)) == sorted(fleet_run["kinds"])  # every host reports once
    per_host = [line for line in check_task.splitlines() if re.match(r"^(changed|ok): \[", line)]
    assert len(per_host) == FLEET - 1 and all(len(line) <= 40 for line in per_host)
    summary = re.search(r'"msg": "(300 hosts: .*)"', output)
    assert summary, output[-3000:]
    assert "and 2" in summary.group(1) and len(summary.group(1)) < 400  # 10 hosts named


def test_the_failure_names_the_hosts_that_failed(fleet_run: dict) -> None:
    run = fleet_run["run"]
    assert run.returncode != 0
    output = run.stdout + run.stderr
    fatal = [line for line in output.splitlines() if line.startswith("fatal: [localhost]")]
    assert len(fatal) == 1  # the report task runs on the controller, not on a managed host
    assert "-> localhost]" not in output
    message = fatal[0]
    assert "299 of 300 host(s) drift or are shadowed: pc001: drift (missing 42" in message
    assert re.search(r"pc001: drift \(missing 42, [^;]*\), \d+ counted shadowing finding", message)
    assert "and 289 more (see the report)" in message
    assert "1 host(s) could not be checked: pc007: failed: " in message


def test_the_fleet_reports_are_readable(fleet_run: dict) -> None:
    markdown = (fleet_run["dir"] / "wfp-ipsec-drift.md").read_text()
    assert len(markdown) <= MARKDOWN_LIMIT
    assert "| **total** | **300** |" in markdown
    section = markdown[
        markdown.index("## Shadowing by foreign filter") : markdown.index("## Details")
    ]
    vpn_block = [line for line in section.splitlines() if "*Contoso VPN: block inbound" in line]
    assert len(vpn_block) == 1 and "30 host(s)" in vpn_block[0]
    html = (fleet_run["dir"] / "wfp-ipsec-drift.html").read_text()
    assert html.count('<article class="host"') == FLEET
    report = json.loads((fleet_run["dir"] / "wfp-ipsec-drift.json").read_text())
    assert report["hosts"][0]["host"] == "pc007"  # the failed host first
    assert report["summary"]["failed"] == 1 and report["summary"]["drift"] == 299


def test_the_real_dumps_report(tmp_path: Path) -> None:
    report_dir = tmp_path / "report"
    run = ansible_playbook(
        tmp_path,
        REPO / "playbooks" / "inventory" / "dumps",
        PLAY,
        "-e",
        f"wfp_ipsec_report_dir={report_dir}",
        WFP_IPSEC_DUMPS_DIR=str(shared_path() / "wfp_realdata"),
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    report = json.loads((report_dir / "wfp-ipsec-drift.json").read_text())
    hosts = {entry["host"]: entry for entry in report["hosts"]}
    stock = hosts["stock-filters"]["shadowing"]
    assert stock and not [f for f in stock if f["certainty"] == "certain"]
    counted = {f["theirs"]["name"] for f in hosts["vpn-client"]["shadowing"] if f["counted"]}
    assert {"ProtonVPN block IPv4", "ProtonVPN block IPv6"} <= counted
    sophos = [f for f in hosts["endpoint-protection"]["shadowing"] if "Sophos" in str(f)]
    assert sophos and all(not f["stock"] for f in sophos)
    markdown = (report_dir / "wfp-ipsec-drift.md").read_text()
    assert len(markdown) <= MARKDOWN_LIMIT and "Left out" not in markdown
    assert "FWPM_WEIGHT_RANGE_IKE_EXEMPTIONS (range 12)" in markdown
    assert (report_dir / "wfp-ipsec-drift.html").read_text().count('class="sublayer ours"') > 0
