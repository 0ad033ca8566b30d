"""The first examples of the README and of the module documentation can be copied to a WinRM
fleet as they stand: they pass the lockout guard with WinRM on 5985 and 5986 (issue 9 §3)."""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml
from ansible_collections.wfp.ipsec.plugins.plugin_utils.role_variables import (
    UNSET,
    policy_arguments,
)
from ansible_collections.wfp.ipsec.plugins.plugin_utils.runner import (
    PolicyError,
    RunOptions,
    converge,
)

from tests.unit.conftest import REPO
from tests.unit.policy.test_docs_consistency import module_docs

WINRM = RunOptions(check_mode=True, management_ports=[5985, 5986])


class NoHost:
    """A backend that fails the test if anything reaches the host."""

    kind = "none"

    def read(self, provider_key: str) -> dict[str, Any]:
        from ansible_collections.wfp.ipsec.plugins.plugin_utils.model import empty_state

        return empty_state()

    def read_all(self) -> dict[str, Any]:
        return self.read("")

    def apply(self, plan: dict[str, Any]) -> dict[str, Any]:
        raise AssertionError("check mode applied")


def readme_blocks() -> list[Any]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    return [yaml.safe_load(block) for block in re.findall(r"```yaml\n(.*?)```", text, re.S)]


def role_arguments(role_vars: dict[str, Any]) -> dict[str, Any]:
    """What the role's task gives the module for these variables (defaults/main.yml + the
    action's own reading of the role's variables, role_variables.py)."""
    role = REPO / "roles" / "guaranteed_encryption"
    merged = {**yaml.safe_load((role / "defaults" / "main.yml").read_text()), **role_vars}
    return policy_arguments(lambda name: merged.get(name, UNSET), "web01")


def test_readme_first_module_example_passes_the_guard_on_winrm() -> None:
    play = readme_blocks()[0][0]
    arguments = play["tasks"][0]["wfp.ipsec.policy"]
    assert converge(arguments, NoHost(), WINRM)["changed"] is True


def test_readme_role_example_passes_the_guard_on_winrm() -> None:
    play = readme_blocks()[1][0]
    role_vars = play["roles"][0]["vars"]
    assert converge(role_arguments(role_vars), NoHost(), WINRM)["changed"] is True


def test_module_first_example_passes_the_guard_on_winrm() -> None:
    arguments = module_docs("policy")["EXAMPLES"][0]["wfp.ipsec.policy"]
    assert converge(arguments, NoHost(), WINRM)["changed"] is True


def test_without_the_exemption_the_same_example_is_refused() -> None:
    arguments = module_docs("policy")["EXAMPLES"][0]["wfp.ipsec.policy"]
    del arguments["scenario"]["guaranteed_encryption"]["exempt_ports"]
    with pytest.raises(PolicyError, match="TCP port 5985"):
        converge(arguments, NoHost(), WINRM)


def test_the_role_passes_management_ports_to_the_guard() -> None:
    arguments = role_arguments(
        {
            "guaranteed_encryption_required_ports": [{"port": 5555}],  # no role default
            "guaranteed_encryption_exempt_ports": [{"port": 5985}, {"port": 5986}],
            "guaranteed_encryption_management_ports": [3389],
        }
    )
    with pytest.raises(PolicyError, match="TCP port 3389"):
        converge(arguments, NoHost(), WINRM)
    tasks = yaml.safe_load(
        (REPO / "roles" / "guaranteed_encryption" / "tasks" / "main.yml").read_text()
    )
    assert tasks[0]["wfp.ipsec.policy"] == {"role_variables": "guaranteed_encryption"}
