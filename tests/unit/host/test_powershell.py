"""Rung 5: the .ps1 modules parse, use only Windows PowerShell 5.1 syntax, load the util, and
every util type and member they call exists in the compiled util (reflection under Mono)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import tree_sitter
import tree_sitter_powershell
import yaml

from .conftest import CONFIRM_UTIL, REPO, UTIL, Host

MODULES = sorted((REPO / "plugins" / "modules").glob("*.ps1"))
NAMESPACE = "ansible_collections.wfp.ipsec.plugins.module_utils.WfpIpsec"
PARSER = tree_sitter.Parser(tree_sitter.Language(tree_sitter_powershell.language()))


def ps7_only_syntax(source: bytes) -> list[str]:
    """Constructs Windows PowerShell 5.1 cannot run: ?: ?? ?. (parse errors in the 5.1 grammar),
    && / || pipeline chains, ForEach-Object -Parallel."""
    tree = PARSER.parse(source)
    found = []
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        text = (node.text or b"").decode("utf-8", "replace")
        if node.type == "ERROR" or node.is_missing:
            found.append(f"line {node.start_point[0] + 1}: not PowerShell 5.1 syntax: {text!r}")
            continue
        if node.type == "pipeline_chain_tail":
            found.append(f"line {node.start_point[0] + 1}: && / || pipeline chain")
        if node.type == "command_parameter" and text.lower() == "-parallel":
            found.append(f"line {node.start_point[0] + 1}: -Parallel")
        stack.extend(node.children)
    return found


def test_there_are_modules() -> None:
    assert {p.name for p in MODULES} >= {"policy.ps1", "policy_info.ps1"}


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_module_parses_as_powershell_51(path: Path) -> None:
    assert ps7_only_syntax(path.read_bytes()) == []


@pytest.mark.parametrize(
    "snippet",
    [
        b"$a = $b ?? $c",
        b"$a = $x ? 1 : 2",
        b"$a?.b",
        b"a && b",
        b"1..3 | ForEach-Object -Parallel { $_ }",
    ],
)
def test_the_checker_catches_powershell7_syntax(snippet: bytes) -> None:
    assert ps7_only_syntax(snippet) != []


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_module_header_loads_ansible_basic_and_the_util(path: Path) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "#!powershell"
    assert "#AnsibleRequires -CSharpUtil Ansible.Basic" in lines
    assert "#AnsibleRequires -CSharpUtil ..module_utils.WfpIpsec" in lines
    assert "$module.ExitJson()" in lines


def accelerators() -> dict[str, str]:
    found = {}
    for util in (UTIL, CONFIRM_UTIL):
        namespace = f"{NAMESPACE.rsplit('.', 1)[0]}.{util.stem}"
        text = util.read_text(encoding="utf-8")
        for name, type_name in re.findall(
            r"^//TypeAccelerator -Name (\S+) -TypeName (\S+)$", text, re.M
        ):
            found[name] = f"{namespace}.{type_name}"
    return found


@pytest.mark.slow
@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_every_util_member_the_module_calls_exists(host: Host, path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    calls = re.findall(r"\[(WfpIpsec\.\w+)\]::(\w+)\(", source)
    types = set(re.findall(r"\[(WfpIpsec\.\w+)\]", source))
    assert calls, "the module calls nothing in the util"
    names = accelerators()
    assert types <= set(names)
    members = {t: host.call("members", type=names[t]) for t in types}
    for type_name, member in calls:
        assert any(m["name"] == member and m["static"] for m in members[type_name]), (
            f"{type_name}::{member}"
        )
    # Instance members used on the caught WfpException.
    exception = {m["name"] for m in host.call("members", type=names["WfpIpsec.WfpException"])}
    assert set(re.findall(r"\$failure\.(\w+)", source)) <= exception


def spec_options(path: Path) -> set[str]:
    body = path.read_text(encoding="utf-8").split("options = @{", 1)[1].split("\n    }", 1)[0]
    return set(re.findall(r"^\s+(\w+) = @\{", body, re.M))


def test_policy_spec_accepts_what_the_live_backend_sends() -> None:
    from ansible_collections.wfp.ipsec.plugins.plugin_utils.live import (
        plan_arguments,
        tentative_arguments,
    )

    options = spec_options(REPO / "plugins" / "modules" / "policy.ps1")
    assert options == {
        "_operation",
        "provider_key",
        "plan",
        "confirm_timeout",
        "restore_sources",
        "tentative_fingerprint",
    }
    assert set(plan_arguments({"operations": []})) <= options
    assert set(tentative_arguments({"operations": []}, 60)) <= options
    source = (REPO / "plugins" / "modules" / "policy.ps1").read_text(encoding="utf-8")
    assert "choices = @('read', 'read_all', 'apply', 'confirm')" in source
    assert re.search(r"plan = @\{ type = 'json'; no_log = \$true \}", source)


def test_policy_info_spec_matches_its_documentation_and_action() -> None:
    options = spec_options(REPO / "plugins" / "modules" / "policy_info.ps1")
    namespace: dict[str, str] = {}
    exec((REPO / "plugins" / "modules" / "policy_info.py").read_text(encoding="utf-8"), namespace)
    documented = yaml.safe_load(namespace["DOCUMENTATION"])["options"]
    # `shadowing` and `provider_name` are controller-only: the action plugin handles them.
    controller_only = {"shadowing", "provider_name"}
    assert options == set(documented) - controller_only == {"provider_key", "layers"}
    from ansible_collections.wfp.ipsec.plugins.action import policy_info

    assert options == policy_info.MODULE_OPTIONS
    for block in ("EXAMPLES", "RETURN"):
        assert yaml.safe_load(namespace[block])
