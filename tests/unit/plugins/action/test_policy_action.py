"""The policy action plugin with a mocked task (the ansible.windows unit-test pattern)."""

from __future__ import annotations

from typing import Any

import pytest
from ansible.template import trust_as_template
from ansible_collections.wfp.ipsec.plugins.action import policy
from ansible_collections.wfp.ipsec.plugins.plugin_utils.backend import BackendError

from tests.unit.plugins.action.factory import make_plugin


@pytest.fixture
def captured(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    calls: dict[str, Any] = {}

    def fake_converge(arguments: dict[str, Any], backend: Any, options: Any) -> dict[str, Any]:
        calls.update(arguments=arguments, backend=backend, options=options)
        return {"changed": False, "plan": [], "warnings": ["careful"]}

    monkeypatch.setattr(policy, "converge", fake_converge)
    monkeypatch.setattr(policy.ActionBase, "run", lambda self, tmp=None, task_vars=None: {})
    return calls


@pytest.mark.parametrize(
    ("task_vars", "transport", "ports"),
    [
        ({}, "winrm", [5985, 5986]),
        ({"ansible_winrm_scheme": "https"}, "winrm", [5986]),
        ({"ansible_connection": "ansible.builtin.psrp"}, "local", [5985, 5986]),
        ({"ansible_connection": "psrp", "ansible_psrp_protocol": "http"}, "psrp", [5985]),
        ({"ansible_port": "2222"}, "ssh", [2222]),
        ({}, "ssh", [22]),
        ({}, "local", []),
        # Every variable Ansible reads the port from is guarded (issue 8: only ansible_port was).
        ({"ansible_winrm_port": 15985}, "winrm", [15985]),
        ({"ansible_psrp_port": "15986"}, "psrp", [15986]),
        ({"ansible_ssh_port": 2200}, "ssh", [2200]),
        ({"ansible_port": 5986, "ansible_winrm_port": 5985}, "winrm", [5985, 5986]),
        # Templated values are rendered first.
        ({"ansible_winrm_port": trust_as_template("{{ 5000 + 985 }}")}, "winrm", [5985]),
        # A port variable of another connection plugin is not this host's management port.
        ({"ansible_ssh_port": 2200}, "winrm", [5985, 5986]),
    ],
)
def test_management_ports(
    captured: dict[str, Any], task_vars: dict[str, Any], transport: str, ports: list[int]
) -> None:
    plugin = make_plugin({"state": "absent"}, transport=transport)
    result = plugin.run(task_vars=task_vars)
    assert captured["options"].management_ports == ports
    assert result["warnings"] == ["careful"]


def test_the_connection_plugins_own_port_is_guarded(captured: dict[str, Any]) -> None:
    plugin = make_plugin({"state": "absent"}, transport="ansible.builtin.winrm")
    plugin._connection.get_option.side_effect = lambda name: {"port": 5986}[name]
    plugin.run(task_vars={})
    assert captured["options"].management_ports == [5986]


@pytest.mark.parametrize(
    ("task_vars", "ports"),
    [
        ({}, []),
        ({"ansible_connection": "local"}, []),
        ({"ansible_connection": "winrm"}, [5985, 5986]),
        ({"ansible_connection": "winrm", "ansible_winrm_scheme": "https"}, [5986]),
        ({"ansible_connection": "psrp", "ansible_port": 5985}, [5985]),
        (
            {"ansible_connection": "ssh", "ansible_ssh_port": trust_as_template("{{ 2000 + 22 }}")},
            [2022],
        ),
    ],
)
def test_offline_rehearsals_guard_the_port_of_the_inventory_connection(
    captured: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
    task_vars: dict[str, Any],
    ports: list[int],
) -> None:
    monkeypatch.setattr(policy, "offline_backend", lambda *a, **k: "offline-backend")
    plugin = make_plugin({"state": "absent"}, transport="local")
    plugin.run(task_vars={"wfp_ipsec_offline_state": "x.json", **task_vars})
    assert captured["options"].management_ports == ports


@pytest.mark.parametrize("value", ["http", "0", "70000", ""])
def test_a_port_variable_that_is_no_port_fails_clearly(
    captured: dict[str, Any], value: str
) -> None:
    plugin = make_plugin({"state": "absent"}, transport="winrm")
    if value == "":
        plugin.run(task_vars={"ansible_winrm_port": value})  # unset: the defaults apply
        assert captured["options"].management_ports == [5985, 5986]
        return
    result = plugin.run(task_vars={"ansible_winrm_port": value})
    assert result["failed"] is True and "options" not in captured  # converge never ran
    assert result["msg"] == f"ansible_winrm_port {value!r} is not a port number (1-65535)"


def test_offline_host_uses_the_state_file(
    captured: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, Any] = {}

    def fake_offline(
        path: str, base_dir: str, create: bool = False, simulate: str | None = None
    ) -> str:
        seen.update(path=path, base_dir=base_dir, create=create, simulate=simulate)
        return "offline-backend"

    monkeypatch.setattr(policy, "offline_backend", fake_offline)
    plugin = make_plugin({"state": "absent"}, check_mode=True)
    plugin.run(
        task_vars={
            "wfp_ipsec_offline_state": "states/web01.json",
            "wfp_ipsec_offline_create": True,
            "wfp_ipsec_offline_simulate": "unreachable_after_apply",
        }
    )
    assert seen == {
        "path": "states/web01.json",
        "base_dir": "/playbooks",
        "create": True,
        "simulate": "unreachable_after_apply",
    }
    assert captured["options"].confirm_timeout == policy.DEFAULT_CONFIRM_TIMEOUT
    assert captured["backend"] == "offline-backend"
    assert captured["options"].check_mode is True
    assert captured["options"].management_ports == []


def test_backend_errors_fail_the_task(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(policy.ActionBase, "run", lambda self, tmp=None, task_vars=None: {})

    def failing(arguments: dict[str, Any], backend: Any, options: Any) -> dict[str, Any]:
        raise BackendError("host said no", {"code": "FWP_E_IN_USE"})

    monkeypatch.setattr(policy, "converge", failing)
    monkeypatch.setattr(policy, "offline_backend", lambda *a, **k: None)
    result = make_plugin({}).run(task_vars={"wfp_ipsec_offline_state": "x.json"})
    assert result == {
        "failed": True,
        "changed": False,
        "msg": "host said no",
        "code": "FWP_E_IN_USE",
    }


def test_invalid_declaration_lists_every_problem(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(policy.ActionBase, "run", lambda self, tmp=None, task_vars=None: {})
    monkeypatch.setattr(policy, "offline_backend", lambda *a, **k: None)
    result = make_plugin({"state": "maybe", "sublayer": {"weight": -1}}).run(
        task_vars={"wfp_ipsec_offline_state": "x.json"}
    )
    assert result["failed"] is True
    assert result["problems"] == [
        "state: 'maybe' is not valid; use one of ['present', 'absent']",
        "sublayer.weight: -1 is out of range; use a value from 0 to 65535",
    ]


def test_a_lost_confirmation_makes_the_host_unreachable(monkeypatch: pytest.MonkeyPatch) -> None:
    from ansible_collections.wfp.ipsec.plugins.plugin_utils.runner import PolicyError

    monkeypatch.setattr(policy.ActionBase, "run", lambda self, tmp=None, task_vars=None: {})
    monkeypatch.setattr(policy, "offline_backend", lambda *a, **k: None)

    def lost(arguments: dict[str, Any], backend: Any, options: Any) -> dict[str, Any]:
        raise PolicyError(
            "applied, but ...; the host restores its previous policy at 2026-01-01T00:00:00Z",
            {"confirmation": {"status": "unconfirmed"}},
            unreachable=True,
        )

    monkeypatch.setattr(policy, "converge", lost)
    result = make_plugin({}).run(task_vars={"wfp_ipsec_offline_state": "x.json"})
    assert result["unreachable"] is True and result["changed"] is True
    assert "failed" not in result
    assert result["msg"].endswith("restores its previous policy at 2026-01-01T00:00:00Z")


def test_a_host_that_cannot_be_reached_is_unreachable_not_failed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from ansible_collections.wfp.ipsec.plugins.plugin_utils.backend import HostUnreachableError

    monkeypatch.setattr(policy.ActionBase, "run", lambda self, tmp=None, task_vars=None: {})
    monkeypatch.setattr(policy, "offline_backend", lambda *a, **k: None)

    def refused(arguments: dict[str, Any], backend: Any, options: Any) -> dict[str, Any]:
        raise HostUnreachableError("host unreachable: connection refused")

    monkeypatch.setattr(policy, "converge", refused)
    result = make_plugin({}).run(task_vars={"wfp_ipsec_offline_state": "x.json"})
    assert result == {
        "unreachable": True,
        "changed": False,
        "msg": "host unreachable: connection refused",
        "error": {},
    }


@pytest.mark.parametrize(("setting", "printed"), [(None, True), ("false", False), (True, True)])
def test_check_mode_notices_print_as_warnings_naming_the_host(
    monkeypatch: pytest.MonkeyPatch, setting: Any, printed: bool
) -> None:
    monkeypatch.setattr(policy.ActionBase, "run", lambda self, tmp=None, task_vars=None: {})
    monkeypatch.setattr(policy, "offline_backend", lambda *a, **k: None)
    notice = "check mode: would add 24 filters, 4 provider contexts, 1 sublayer, 1 provider"
    monkeypatch.setattr(
        policy,
        "converge",
        lambda *a: {"changed": True, "msg": notice, "notices": [notice], "warnings": []},
    )
    task_vars: dict[str, Any] = {"wfp_ipsec_offline_state": "x.json", "inventory_hostname": "web01"}
    if setting is not None:
        task_vars["wfp_ipsec_check_summary"] = setting
    result = make_plugin({"state": "absent"}, check_mode=True).run(task_vars=task_vars)
    assert result.get("warnings", []) == ([f"web01: {notice}"] if printed else [])
    assert result["msg"] == notice and "notices" not in result
