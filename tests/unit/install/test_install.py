"""One install line: requirements.txt, the README, the docs' CI examples and the missing-package
error all name the same packages, and the collection's playbooks run after a Galaxy install."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from ansible_collections.wfp.ipsec.plugins.plugin_utils import deps

from tests.unit.conftest import REPO

PIP_LINE = re.compile(r"(?:python3? -m )?pip install (\"ansible-core[^\n]*)")


def requirement_specs() -> list[str]:
    lines = (REPO / "requirements.txt").read_text().splitlines()
    return [line.split("#")[0].strip() for line in lines if line.split("#")[0].strip()]


def test_requirements_txt_lists_every_controller_package() -> None:
    names = [re.split(r"[<>=!~ ]", spec)[0] for spec in requirement_specs()]
    assert sorted(names) == sorted(deps.CONTROLLER_PACKAGES.values())


def test_ee_and_dev_requirements_read_the_same_file() -> None:
    assert (
        yaml.safe_load((REPO / "meta" / "execution-environment.yml").read_text())["dependencies"][
            "python"
        ]
        == "requirements.txt"
    )
    ee = yaml.safe_load((REPO / "execution-environment.yml").read_text())
    assert ee["dependencies"]["python"] == "requirements.txt"
    assert "-r ../requirements.txt" in (REPO / "requirements" / "runtime.txt").read_text()


@pytest.mark.parametrize(
    ("document", "count"),
    [("README.md", 1), ("docs/getting-started.md", 1), ("docs/drift-reports.md", 2)],
)
def test_every_documented_install_line_is_requirements_txt(document: str, count: int) -> None:
    lines = PIP_LINE.findall((REPO / document).read_text())
    assert len(lines) == count, lines
    for line in lines:
        packages = [part.strip('"') for part in line.split()]
        assert packages[0].startswith("ansible-core>=")
        assert packages[1:] == requirement_specs()


def test_ci_examples_are_valid_yaml_and_run_the_installed_playbook() -> None:
    text = (REPO / "docs" / "drift-reports.md").read_text()
    section = text[text.index("## CI examples") : text.index("## Against real")]
    blocks = [yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", section, re.S)]
    requirements, github, gitlab = blocks
    assert requirements["collections"][0]["type"] == "file"
    github_text = yaml.safe_dump(github)
    assert "wfp.ipsec.drift_report" in github_text and "setup-python" in github_text
    assert gitlab["wfp-drift"]["stage"] in ("build", "test", "deploy")  # GitLab's defaults
    assert any("wfp.ipsec.drift_report" in line for line in gitlab["wfp-drift"]["script"])


def test_a_missing_package_is_reported_with_all_missing_and_one_command(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real_find_spec = deps.importlib.util.find_spec
    absent = {"jsonschema", "winrm", "not_a_module_xyz"}

    def find_spec(name: str, *args: object) -> object:
        return None if name in absent else real_find_spec(name)

    monkeypatch.setattr(deps.importlib.util, "find_spec", find_spec)
    with pytest.raises(deps.MissingDependencyError) as caught:
        deps.require("not_a_module_xyz", "jsonschema")
    message = str(caught.value)
    assert "(jsonschema, pywinrm)" in message
    command = message.rsplit(": ", 1)[1]
    assert command == f"{sys.executable} -m pip install -r {REPO / 'requirements.txt'}"
    assert Path(command.rsplit(" ", 1)[1]).is_file()


@pytest.mark.slow
def test_collection_playbooks_run_by_name_after_a_galaxy_install(tmp_path: Path) -> None:
    """The README's commands: build, install, and run wfp.ipsec.drift_report on offline hosts
    whose policy is in group_vars; the missing-package path points into the install."""
    bin_dir = Path(sys.executable).parent
    env = {
        "PATH": f"{bin_dir}:/usr/bin:/bin",
        "HOME": str(tmp_path),
        "ANSIBLE_HOME": str(tmp_path / "ansible-home"),
        "ANSIBLE_LOCAL_TEMP": str(tmp_path / "tmp"),
        "ANSIBLE_COLLECTIONS_PATH": str(tmp_path / "collections"),
        "ANSIBLE_NOCOLOR": "1",
    }

    def run(*command: str) -> str:
        done = subprocess.run(
            command, cwd=tmp_path, env=env, capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    source = tmp_path / "source"
    shutil.copytree(
        REPO, source, ignore=shutil.ignore_patterns(".build", ".venv", ".git", "dist", "tests")
    )
    run("ansible-galaxy", "collection", "build", "--output-path", "dist", str(source))
    tarball = next((tmp_path / "dist").glob("wfp-ipsec-*.tar.gz"))
    run("ansible-galaxy", "collection", "install", "--offline", "-p", "collections", str(tarball))
    installed = tmp_path / "collections" / "ansible_collections" / "wfp" / "ipsec"
    assert (installed / "requirements.txt").is_file()
    inventory = tmp_path / "inventory"
    (inventory / "group_vars").mkdir(parents=True)
    (inventory / "hosts.yml").write_text(
        yaml.safe_dump(
            {
                "windows": {
                    "hosts": {"web01": {"wfp_ipsec_offline_state": str(tmp_path / "web01.json")}},
                    "vars": {
                        "ansible_connection": "local",
                        "ansible_python_interpreter": sys.executable,
                        "wfp_ipsec_offline_create": True,
                    },
                }
            }
        )
    )
    (inventory / "group_vars" / "windows.yml").write_text(
        "guaranteed_encryption_required_ports: [{port: 8443, protocol: tcp}]\n"
    )
    output = run(
        "ansible-playbook",
        "-i",
        str(inventory),
        "wfp.ipsec.drift_report",
        "-e",
        f"wfp_ipsec_report_dir={tmp_path / 'reports'}",
    )
    assert "failed=0" in output
    assert (tmp_path / "reports" / "wfp-ipsec-drift.md").is_file()
    assert "TCP/8443" in (tmp_path / "reports" / "wfp-ipsec-drift.json").read_text()
