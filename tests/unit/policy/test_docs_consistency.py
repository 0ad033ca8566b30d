"""Documentation states what the code does: defaults, examples and role specs agree."""

from __future__ import annotations

import ast
import re
from typing import Any

import yaml
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar, trust_as_template
from ansible_collections.wfp.ipsec.plugins.plugin_utils.declaration import (
    CONSTRAINTS,
    option_names,
    validate,
)
from ansible_collections.wfp.ipsec.plugins.plugin_utils.options import argument_spec
from ansible_collections.wfp.ipsec.plugins.plugin_utils.scenario import (
    DEFAULT_SUBLAYER_WEIGHT,
    GUARANTEED_ENCRYPTION_DEFAULTS,
)

from tests.unit.conftest import REPO


def module_docs(name: str) -> dict[str, Any]:
    tree = ast.parse((REPO / "plugins" / "modules" / f"{name}.py").read_text())
    docs = {
        node.targets[0].id: node.value.value for node in tree.body if isinstance(node, ast.Assign)
    }  # type: ignore[attr-defined]
    return {key: yaml.safe_load(value) for key, value in docs.items()}


def test_documented_options_are_the_schema_options() -> None:
    options = module_docs("policy")["DOCUMENTATION"]["options"]
    assert set(options) == option_names()


def _int_options(spec: dict[str, Any], path: str = "") -> list[str]:
    found = []
    for name, option in spec.items():
        here = f"{path}.{name}" if path else name
        if option["type"] == "int" or option.get("elements") == "int":
            found.append(here + ("[]" if option["type"] == "list" else ""))
        if "options" in option:
            found += _int_options(
                option["options"], here + ("[]" if option["type"] == "list" else "")
            )
    return found


def test_every_documented_number_has_a_range() -> None:
    spec = argument_spec(module_docs("policy")["DOCUMENTATION"]["options"])
    for path in _int_options(spec):
        if path.endswith("ip_versions[]"):
            continue  # choices
        assert CONSTRAINTS[path].low is not None and CONSTRAINTS[path].high is not None, path


def test_constraints_name_documented_options() -> None:
    spec = argument_spec(module_docs("policy")["DOCUMENTATION"]["options"])
    for path in CONSTRAINTS:
        node: Any = {"options": spec}
        for part in path.split("."):
            node = node["options"][part.removesuffix("[]")]
        assert node, path


def test_documented_scenario_defaults_are_the_code_defaults() -> None:
    options = module_docs("policy")["DOCUMENTATION"]["options"]
    scenario = options["scenario"]["suboptions"]["guaranteed_encryption"]["suboptions"]
    for name in ("keying_modules", "ip_versions", "icmp_exemption", "exempt_ports"):
        assert scenario[name]["default"] == GUARANTEED_ENCRYPTION_DEFAULTS[name], name
    assert "default" not in scenario["required_ports"]  # an operator names the ports
    assert (
        scenario["main_mode"]["suboptions"]["lifetime_seconds"]["default"]
        == GUARANTEED_ENCRYPTION_DEFAULTS["main_mode"]["lifetime_seconds"]
    )
    quick_mode = scenario["quick_mode"]["suboptions"]
    for name in (
        "pfs_group",
        "nd_allow_clear_timeout_seconds",
        "idle_timeout_seconds",
        "idle_timeout_fail_over_seconds",
    ):
        assert quick_mode[name]["default"] == GUARANTEED_ENCRYPTION_DEFAULTS["quick_mode"][name], (
            name
        )
    assert options["sublayer"]["suboptions"]["weight"]["default"] == DEFAULT_SUBLAYER_WEIGHT


def trusted(value: Any) -> Any:
    """Playbook text is trusted as a template (as ansible-playbook trusts a playbook)."""
    if isinstance(value, str):
        return trust_as_template(value)
    if isinstance(value, dict):
        return {k: trusted(v) for k, v in value.items()}
    if isinstance(value, list):
        return [trusted(v) for v in value]
    return value


def test_module_examples_are_valid_declarations() -> None:
    examples = module_docs("policy")["EXAMPLES"]
    tasks = [task["wfp.ipsec.policy"] for task in examples]
    assert len(tasks) >= 4
    templar = Templar(loader=DataLoader())
    for arguments in tasks:
        validate(templar.template(trusted(arguments)))  # as Ansible hands them over: templated


def test_raw_objects_doc_example_is_valid() -> None:
    text = (REPO / "docs" / "raw-objects.md").read_text()
    block = re.search(r"```yaml\n(.*?)```", text, re.S)
    assert block is not None
    arguments = yaml.safe_load(block.group(1))[0]["wfp.ipsec.policy"]
    validate(arguments)


def test_role_defaults_match_argument_specs() -> None:
    role = REPO / "roles" / "guaranteed_encryption"
    defaults = yaml.safe_load((role / "defaults" / "main.yml").read_text())
    spec = yaml.safe_load((role / "meta" / "argument_specs.yml").read_text())["argument_specs"][
        "main"
    ]["options"]
    assert set(defaults) == {name for name, option in spec.items() if "default" in option}
    assert set(spec) - set(defaults) == {"guaranteed_encryption_required_ports"}
    for name in defaults:
        assert spec[name]["default"] == defaults[name], name


def test_role_defaults_match_module_defaults() -> None:
    defaults = yaml.safe_load(
        (REPO / "roles" / "guaranteed_encryption" / "defaults" / "main.yml").read_text()
    )
    for name in ("keying_modules", "ip_versions", "icmp_exemption", "exempt_ports"):
        assert defaults[f"guaranteed_encryption_{name}"] == GUARANTEED_ENCRYPTION_DEFAULTS[name]
    assert defaults["guaranteed_encryption_sublayer_weight"] == DEFAULT_SUBLAYER_WEIGHT
