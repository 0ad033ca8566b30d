"""scripts/setup demo needs no root and no Debian packages; scripts/setup test checks them."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.unit.conftest import REPO


def digest(root: Path, *names: str) -> str:
    files = ["requirements.txt", *names, "requirements/constraints.txt"]
    return hashlib.sha256(b"".join((root / name).read_bytes() for name in files)).hexdigest()


def fake_checkout(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    root = tmp_path / "repo"
    (root / "scripts").mkdir(parents=True)
    shutil.copy(REPO / "scripts" / "setup", root / "scripts" / "setup")
    shutil.copy(REPO / "requirements.txt", root / "requirements.txt")
    shutil.copytree(REPO / "requirements", root / "requirements")
    (root / ".venv" / "bin").mkdir(parents=True)
    (root / ".venv" / "bin" / "python").symlink_to(sys.executable)
    demo = ("requirements/runtime.txt", "requirements/demo.txt")
    (root / ".venv" / ".stamp-demo").write_text(digest(root, *demo) + "\n")
    (root / ".venv" / ".stamp-test").write_text(digest(root, *demo, "requirements/dev.txt") + "\n")
    stubs = tmp_path / "stubs"
    stubs.mkdir()
    log = tmp_path / "calls.log"
    for name, output in (("dpkg-query", "install ok installed"), ("sudo", ""), ("apt-get", "")):
        stub = stubs / name
        stub.write_text(f'#!/bin/sh\necho "{name} $*" >> {log}\necho "{output}"\n')
        stub.chmod(0o755)
    env = {**os.environ, "PATH": f"{stubs}:/usr/bin:/bin"}
    return root, env


def test_setup_demo_touches_no_system_package(tmp_path: Path) -> None:
    root, env = fake_checkout(tmp_path)
    done = subprocess.run(
        ["bash", "scripts/setup", "demo"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert not (tmp_path / "calls.log").exists()  # no dpkg, no sudo, no apt-get
    assert (root / ".build" / "ansible_collections" / "wfp" / "ipsec").resolve() == root
    assert "ready for the demo part" in done.stdout


def test_setup_test_checks_the_test_packages(tmp_path: Path) -> None:
    root, env = fake_checkout(tmp_path)
    done = subprocess.run(
        ["bash", "scripts/setup", "test"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    calls = (tmp_path / "calls.log").read_text()
    assert "dpkg-query" in calls and "mono-mcs" in calls
    assert "apt-get" not in calls  # everything reported installed


def test_the_demo_uses_the_demo_part() -> None:
    assert "./scripts/setup demo" in (REPO / "scripts" / "demo").read_text()
    assert "./scripts/setup" in (REPO / "scripts" / "test").read_text()
