"""Rung 3: the util compiles as C# 5 with warnings as errors, pure BCL (no SMA/Ansible.Basic),
and its Ansible directives name real types."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from .conftest import MCS, UTIL, UTILS, Build, Host

pytestmark = pytest.mark.slow
PACKAGE = "ansible_collections.wfp.ipsec.plugins.module_utils"


def test_util_compiles_as_csharp5_library(build: Build) -> None:
    # Built by the fixture with -langversion:5 -warnaserror: the read util alone (policy_info.ps1
    # loads only it) and every util together (policy.ps1).
    assert build.dll.stat().st_size > 20000
    assert build.apply_dll.stat().st_size > build.dll.stat().st_size


@pytest.mark.parametrize(
    "snippet",
    [
        'class Probe { string A() { return $"x{1}"; } }',
        "class Probe { string A(string s) { return s?.Trim(); } }",
        "class Probe { int A { get; } = 1; }",
        "class Probe { int A() => 1; }",
    ],
)
def test_the_gate_rejects_csharp6_features(tmp_path: Path, snippet: str) -> None:
    source = tmp_path / "Util.cs"
    source.write_text(UTIL.read_text(encoding="utf-8") + "\n" + snippet + "\n", encoding="utf-8")
    result = subprocess.run(
        [*MCS, "-target:library", f"-out:{tmp_path / 'u.dll'}", str(source)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0 and "CS1644" in result.stdout + result.stderr


@pytest.mark.parametrize("util", UTILS, ids=lambda p: p.name)
def test_util_is_pure_bcl(util: Path) -> None:
    source = util.read_text(encoding="utf-8")
    namespace = f"{PACKAGE}.{util.stem}"
    assert re.search(r"^namespace " + re.escape(namespace) + r"$", source, re.M)
    assert not re.search(r"System\.Management\.Automation|Ansible\.Basic|PSObject", source)
    assert re.findall(r"^//AssemblyReference", source, re.M) == []


def test_the_write_util_names_the_read_util_so_ansible_ships_both() -> None:
    # Ansible's module_manifest follows `using ansible_collections...module_utils.X;` in C# utils.
    source = UTILS[1].read_text(encoding="utf-8")
    assert re.search(rf"^using {re.escape(PACKAGE)}\.WfpIpsec;$", source, re.M)
    assert f"using {PACKAGE}.WfpIpsecApply" not in UTIL.read_text(encoding="utf-8")  # not back


def test_type_accelerators_name_public_types(host: Host) -> None:
    accelerators = [
        (name, f"{PACKAGE}.{util.stem}.{type_name}")
        for util in UTILS
        for name, type_name in re.findall(
            r"^//TypeAccelerator -Name (\S+) -TypeName (\S+)$",
            util.read_text(encoding="utf-8"),
            re.M,
        )
    ]
    assert {name for name, _type_name in accelerators} == {
        "WfpIpsec.PolicyHost",
        "WfpIpsec.PolicyApply",
        "WfpIpsec.WfpException",
        "WfpIpsec.Json",
        "WfpIpsec.Confirmation",
    }
    for _name, type_name in accelerators:
        assert host.call("members", type=type_name), type_name
