"""The guaranteed_encryption role's options, built from its variables by the action
(role_variables.py), equal what the role's task templated before: the reference below is that
task's Jinja, rendered by Ansible's own Templar for random variable values."""

from __future__ import annotations

from typing import Any

import pytest
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar, trust_as_template
from ansible_collections.wfp.ipsec.plugins.plugin_utils.role_variables import (
    PREFIX,
    UNSET,
    VARIABLES,
    RoleVariableError,
    policy_arguments,
    required_ports_hint,
    variable_path,
)
from hypothesis import given, settings
from hypothesis import strategies as st

# The role's task as it was (tasks/main.yml before role_variables), minus the undef() branch.
REFERENCE_TASK: dict[str, str] = {
    "state": "{{ guaranteed_encryption_state }}",
    "persistent": "{{ guaranteed_encryption_persistent }}",
    "provider": (
        "{{ {'name': guaranteed_encryption_provider_name, 'key': guaranteed_encryption_provider_key}"
        " if guaranteed_encryption_provider_key else {'name': guaranteed_encryption_provider_name}"
        " }}"
    ),
    "sublayer": "{{ {'weight': guaranteed_encryption_sublayer_weight} }}",
    "scenario": (
        "{{ {'guaranteed_encryption': {"
        "'keying_modules': guaranteed_encryption_keying_modules,"
        "'ip_versions': guaranteed_encryption_ip_versions,"
        "'icmp_exemption': guaranteed_encryption_icmp_exemption,"
        "'required_ports': guaranteed_encryption_required_ports"
        " if guaranteed_encryption_required_ports is defined else [],"
        "'exempt_ports': guaranteed_encryption_exempt_ports,"
        "'main_mode': guaranteed_encryption_main_mode,"
        "'quick_mode': guaranteed_encryption_quick_mode,"
        "'extended_mode': guaranteed_encryption_extended_mode}} }}"
    ),
    "objects": "{{ guaranteed_encryption_extra_objects }}",
    "allow_management_lockout": "{{ guaranteed_encryption_allow_management_lockout }}",
    "management_ports": "{{ guaranteed_encryption_management_ports }}",
    "confirm_timeout": "{{ guaranteed_encryption_confirm_timeout }}",
    "adopt_provider": "{{ guaranteed_encryption_adopt_provider }}",
}

ROLE_DEFAULTS: dict[str, Any] = {
    PREFIX + "state": "present",
    PREFIX + "provider_name": "wfp.ipsec",
    PREFIX + "provider_key": "",
    PREFIX + "sublayer_weight": 32769,
    PREFIX + "persistent": True,
    PREFIX + "keying_modules": ["authip", "ike"],
    PREFIX + "ip_versions": [4, 6],
    PREFIX + "icmp_exemption": True,
    PREFIX + "exempt_ports": [],
    PREFIX + "main_mode": {},
    PREFIX + "quick_mode": {},
    PREFIX + "extended_mode": {},
    PREFIX + "extra_objects": {},
    PREFIX + "allow_management_lockout": False,
    PREFIX + "management_ports": [],
    PREFIX + "confirm_timeout": 120,
    PREFIX + "adopt_provider": False,
}

scalars = st.one_of(
    st.booleans(), st.integers(-5, 70000), st.text("abc-4,6 ", max_size=6), st.none()
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(["port", "protocol", "method", "key"]), inner, max_size=3)
    ),
    max_leaves=6,
)
variable_sets = st.fixed_dictionaries(
    {
        PREFIX + "state": st.sampled_from(["present", "absent"]),
        PREFIX + "provider_key": st.sampled_from(["", "1f3e1e64-5a4b-4c0e-9c89-9d6f2f4e9a10"]),
    },
    optional={
        name: values
        for name in VARIABLES
        if name not in (PREFIX + "state", PREFIX + "provider_key")
    },
)


def rendered_reference(variables: dict[str, Any]) -> dict[str, Any]:
    templar = Templar(loader=DataLoader(), variables=variables)
    return {
        option: templar.template(trust_as_template(expression))
        for option, expression in REFERENCE_TASK.items()
    }


def built(variables: dict[str, Any], host: str = "web01") -> dict[str, Any]:
    return policy_arguments(lambda name: variables.get(name, UNSET), host)


@settings(max_examples=60, deadline=None)
@given(variable_sets)
def test_the_options_are_those_the_templated_task_gave(chosen: dict[str, Any]) -> None:
    variables = {**ROLE_DEFAULTS, **chosen}
    if PREFIX + "required_ports" not in variables and variables[PREFIX + "state"] == "present":
        return  # the unset-ports failure: test_unset_required_ports_fails_with_the_hint
    assert built(variables) == rendered_reference(variables)


def test_role_defaults_give_the_default_declaration() -> None:
    arguments = built({**ROLE_DEFAULTS, PREFIX + "required_ports": [{"port": 8443}]})
    assert arguments["provider"] == {"name": "wfp.ipsec"}
    assert arguments["sublayer"] == {"weight": 32769}
    scenario = arguments["scenario"]["guaranteed_encryption"]
    assert scenario["required_ports"] == [{"port": 8443}]
    assert scenario["keying_modules"] == ["authip", "ike"]


@pytest.mark.parametrize("state", ["present", "Present "])
def test_unset_required_ports_fails_with_the_hint(state: str) -> None:
    with pytest.raises(RoleVariableError) as raised:
        built({**ROLE_DEFAULTS, PREFIX + "state": state}, host="db07")
    assert str(raised.value) == required_ports_hint("db07")
    assert "guaranteed_encryption_required_ports is not set for db07" in str(raised.value)


def test_unset_required_ports_with_state_absent_removes_everything() -> None:
    arguments = built({**ROLE_DEFAULTS, PREFIX + "state": "absent"})
    assert arguments["scenario"]["guaranteed_encryption"]["required_ports"] == []


@pytest.mark.parametrize("missing", sorted(set(ROLE_DEFAULTS)))
def test_a_variable_the_role_defaults_set_names_itself_when_unset(missing: str) -> None:
    variables = {**ROLE_DEFAULTS, PREFIX + "required_ports": []}
    del variables[missing]
    with pytest.raises(RoleVariableError, match=f"^{missing} is not set for web01"):
        built(variables)


@pytest.mark.parametrize(
    ("option_path", "variable"),
    [
        (
            "scenario.guaranteed_encryption.required_ports[0].protocol",
            "guaranteed_encryption_required_ports[0].protocol",
        ),
        ("scenario.guaranteed_encryption.exempt_ports", "guaranteed_encryption_exempt_ports"),
        (
            "scenario.guaranteed_encryption.main_mode.proposals[1].cipher",
            "guaranteed_encryption_main_mode.proposals[1].cipher",
        ),
        ("provider.key", "guaranteed_encryption_provider_key"),
        ("sublayer.weight", "guaranteed_encryption_sublayer_weight"),
        ("objects.filters[2].layer", "guaranteed_encryption_extra_objects.filters[2].layer"),
        ("confirm_timeout", "guaranteed_encryption_confirm_timeout"),
        ("state", "guaranteed_encryption_state"),
        ("statex", "statex"),
        ("scenario", "scenario"),
    ],
)
def test_a_problem_names_the_role_variable_behind_its_option(
    option_path: str, variable: str
) -> None:
    assert variable_path(option_path) == variable


def test_every_role_variable_is_named_by_some_option_path() -> None:
    named = {variable_path(path).split(".")[0].split("[")[0] for path in _every_option_path()}
    assert set(VARIABLES) <= named


def _every_option_path() -> list[str]:
    variables = {
        **ROLE_DEFAULTS,
        PREFIX + "provider_key": "01234567-89ab-cdef-0123-456789abcdef",
        PREFIX + "required_ports": [{"port": 1}],
    }
    arguments = policy_arguments(variables.__getitem__, "web01")
    paths: list[str] = []

    def walk(value: Any, path: str) -> None:
        if path:
            paths.append(path)
        if isinstance(value, dict):
            for key, item in value.items():
                walk(item, f"{path}.{key}" if path else key)

    walk(arguments, "")
    return paths
