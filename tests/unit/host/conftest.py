"""Build and drive the host layer under Mono against the native fwpuclnt stand-in.

Artefacts (libfwpuclnt.so, WfpIpsec.dll, driver.exe, probes) are built once per test worker
into a temporary directory, never into the repository. `Host` runs tests/harness/Driver.cs:
one JSON command per line, one JSON reply per line, all against one simulated engine.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[3]
HARNESS = REPO / "tests" / "harness"
UTIL = REPO / "plugins" / "module_utils" / "WfpIpsec.cs"
# Commit confirmed's host half, compiled together with UTIL (as Ansible does for a module that
# requires both): docs/commit-confirmed.md.
CONFIRM_UTIL = REPO / "plugins" / "module_utils" / "WfpIpsecConfirm.cs"
MCS = ["mcs", "-langversion:5", "-warnaserror", "-nologo"]


def shared_reference() -> Path:
    """shared/reference: $WFP_IPSEC_SHARED, or ../shared beside the clone (CI layout)."""
    base = os.environ.get("WFP_IPSEC_SHARED")
    root = Path(base) if base else REPO.parent / "shared"
    reference = root / "reference" if (root / "reference").is_dir() else root
    if not (reference / "structs.csv").is_file():
        pytest.fail(f"structs.csv not found under {root}; set WFP_IPSEC_SHARED")
    return reference


def run(cmd: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(cmd, capture_output=True, text=True, check=False, **kwargs)
    if result.returncode != 0:
        raise AssertionError(
            f"{' '.join(cmd)} failed ({result.returncode}):\n{result.stdout}{result.stderr}"
        )
    return result


class Build:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.lib = root / "libfwpuclnt.so"
        self.dll = root / "WfpIpsec.dll"
        self.driver = root / "driver.exe"
        self.sim_layout = root / "fwpsim_layout"


@pytest.fixture(scope="session")
def build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    for tool in ("mcs", "mono", "gcc"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} is not installed; run scripts/setup")
    out = Build(tmp_path_factory.mktemp("host-build"))
    cflags = ["-std=gnu11", "-O1", "-Wall", "-Wextra", "-Werror", f"-I{HARNESS}"]
    run(
        [
            "gcc",
            *cflags,
            "-shared",
            "-fPIC",
            "-fvisibility=hidden",
            "-o",
            str(out.lib),
            str(HARNESS / "fwpsim.c"),
        ]
    )
    run(["gcc", *cflags, "-o", str(out.sim_layout), str(HARNESS / "fwpsim_layout.c")])
    run([*MCS, "-target:library", f"-out:{out.dll}", str(UTIL)])
    run([*MCS, f"-out:{out.driver}", str(HARNESS / "Driver.cs"), str(UTIL), str(CONFIRM_UTIL)])
    return out


class HostError(AssertionError):
    def __init__(self, error: dict[str, Any]) -> None:
        super().__init__(error.get("message"))
        self.error = error
        self.details: dict[str, Any] = error.get("details") or {}


class Host:
    """One Mono driver process = one simulated Base Filtering Engine."""

    def __init__(self, build: Build, env: dict[str, str] | None = None) -> None:
        environment = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "LD_LIBRARY_PATH": str(build.root),
        }
        environment.update(env or {})
        self.process = subprocess.Popen(
            ["mono", str(build.driver)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=environment,
            text=True,
            encoding="utf-8",
        )

    def reply(self, cmd: str, **kwargs: Any) -> dict[str, Any]:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps({"cmd": cmd, **kwargs}, ensure_ascii=False) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            stderr = self.process.stderr.read() if self.process.stderr else ""
            raise AssertionError(f"driver died: {stderr}")
        reply: dict[str, Any] = json.loads(line)
        return reply

    def call(self, cmd: str, **kwargs: Any) -> Any:
        reply = self.reply(cmd, **kwargs)
        if not reply["ok"]:
            raise HostError(reply["error"])
        return reply["result"]

    def close(self) -> None:
        if self.process.stdin:
            self.process.stdin.close()
        self.process.wait(timeout=30)


@pytest.fixture
def host(build: Build) -> Iterator[Host]:
    instance = Host(build)
    yield instance
    stats = instance.call("stats")
    instance.close()
    # Every enumeration result was released with FwpmFreeMemory0 and every handle closed.
    assert stats == {
        "bad_frees": 0,
        "enums": 0,
        "in_transaction": False,
        "outstanding": 0,
        "sessions": 0,
    }
