"""Run real ansible-playbook processes on offline hosts and read their recap."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.unit.conftest import BUILD

ANSIBLE_PLAYBOOK = Path(sys.executable).with_name("ansible-playbook")
RECAP = re.compile(
    r"^(\S+)\s*:\s*ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)\s+skipped=(\d+)\s+rescued=(\d+)\s+ignored=(\d+)",
    re.M,
)
RECAP_KEYS = ("ok", "changed", "unreachable", "failed", "skipped", "rescued", "ignored")


def ansible_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment of a test's ansible-playbook: this collection, private temp and home."""
    return dict(
        os.environ,
        ANSIBLE_COLLECTIONS_PATH=str(BUILD),
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_LOCAL_TEMP=str(tmp_path / "tmp"),
        ANSIBLE_HOME=str(tmp_path / "home"),
        **extra,
    )


def ansible_playbook(
    tmp_path: Path,
    inventory: dict[str, Any] | Path,
    play: list[dict[str, Any]] | Path,
    *flags: str,
    **env: str,
) -> subprocess.CompletedProcess[str]:
    """Run a play on an inventory; either one given as data is written to tmp_path first."""
    if not isinstance(inventory, Path):
        (tmp_path / "inventory.yml").write_text(yaml.safe_dump(inventory))
        inventory = tmp_path / "inventory.yml"
    if isinstance(play, Path):
        playbook = play
    else:
        playbook = tmp_path / "play.yml"
        playbook.write_text(yaml.safe_dump(play, sort_keys=False, allow_unicode=True))
    return subprocess.run(
        [str(ANSIBLE_PLAYBOOK), "-i", str(inventory), str(playbook), *flags],
        capture_output=True,
        text=True,
        env=ansible_env(tmp_path, **env),
        check=False,
        cwd=tmp_path,
    )


def recap_of(completed: subprocess.CompletedProcess[str]) -> dict[str, dict[str, int]]:
    """PLAY RECAP counts per host."""
    return {
        m.group(1): dict(zip(RECAP_KEYS, map(int, m.groups()[1:]), strict=True))
        for m in RECAP.finditer(completed.stdout)
    }


def recap_for(completed: subprocess.CompletedProcess[str], hosts: Any) -> dict[str, dict[str, int]]:
    """The recap, which must name every host (else the run broke before its end)."""
    recap = recap_of(completed)
    if set(recap) != set(hosts):
        pytest.fail(
            f"no recap for every host (rc={completed.returncode}):\n"
            + completed.stdout
            + completed.stderr
        )
    return recap
