"""Ownership the collection can prove: the provider mark, adoption, keys that are never ours."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from ansible_collections.wfp.ipsec.plugins.plugin_utils import ownership
from ansible_collections.wfp.ipsec.plugins.plugin_utils.catalogue import GUIDS, NULL_GUID
from ansible_collections.wfp.ipsec.plugins.plugin_utils.model import owned_state
from ansible_collections.wfp.ipsec.plugins.plugin_utils.netsh import EXTRA_SYMBOLS, import_dump
from ansible_collections.wfp.ipsec.plugins.plugin_utils.offline import (
    OfflineBackend,
    serialise_state,
)
from ansible_collections.wfp.ipsec.plugins.plugin_utils.runner import (
    PolicyError,
    RunOptions,
    converge,
)
from ansible_collections.wfp.ipsec.plugins.plugin_utils.scenario import expand, provider_key_of

from tests.unit.conftest import shared_path

POLICY: dict[str, Any] = {
    "scenario": {"guaranteed_encryption": {"required_ports": [{"port": 5555}]}}
}
MPSSVC_WF = EXTRA_SYMBOLS["FWPM_PROVIDER_MPSSVC_WF"]
REAL_DUMP = "DuGuud__wfpstate.xml.gz"


def state_file(tmp_path: Path, state: dict[str, Any]) -> Path:
    path = tmp_path / "host.json"
    path.write_text(serialise_state(state), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def real_state() -> dict[str, Any]:
    """A copy of a real machine's state (a netsh dump turned into a state document)."""
    return import_dump(shared_path() / "wfp_realdata" / REAL_DUMP).state


def refused(arguments: dict[str, Any], path: Path, **options: Any) -> PolicyError:
    before = path.read_bytes()
    with pytest.raises(PolicyError) as caught:
        converge(arguments, OfflineBackend(path), RunOptions(**options))
    assert path.read_bytes() == before, "a refused run must not write"
    return caught.value


@pytest.mark.parametrize("check_mode", [False, True])
def test_windows_firewall_provider_is_never_deleted(
    tmp_path: Path, real_state: dict[str, Any], check_mode: bool
) -> None:
    path = state_file(tmp_path, real_state)
    assert len(owned_state(real_state, MPSSVC_WF)["filters"]) > 100
    for adopt in (False, True):
        declaration = {"state": "absent", "provider": {"key": MPSSVC_WF}, "adopt_provider": adopt}
        error = refused(declaration, path, check_mode=check_mode)
        assert "FWPM_PROVIDER_MPSSVC_WF" in str(error) and "belongs to Windows" in str(error)
        assert error.details["ownership"]


@pytest.mark.parametrize(
    ("section", "key"),
    [
        ("provider", NULL_GUID),
        ("provider", GUIDS["FWPM_PROVIDER_IKEEXT"]),
        ("provider", GUIDS["FWPM_PROVIDER_TCP_TEMPLATES"]),
        ("provider", GUIDS["FWPM_PROVIDER_TCP_CHIMNEY_OFFLOAD"]),
        ("provider", EXTRA_SYMBOLS["FWPM_PROVIDER_MPSSVC_WSH"]),
        ("sublayer", NULL_GUID),
        ("sublayer", GUIDS["FWPM_SUBLAYER_UNIVERSAL"]),
        ("sublayer", EXTRA_SYMBOLS["FWPM_SUBLAYER_MPSSVC_WF"]),
    ],
)
def test_builtin_keys_are_refused_before_reading(tmp_path: Path, section: str, key: str) -> None:
    path = state_file(tmp_path, expand(POLICY))
    error = refused({**POLICY, section: {"key": key}, "adopt_provider": True}, path)
    assert f"{section}.key {key}" in str(error) and f"remove {section}.key" in str(error)


def test_every_builtin_provider_of_the_catalogue_is_refused() -> None:
    symbols = [s for s in GUIDS if s.startswith("FWPM_PROVIDER_") and "CONTEXT" not in s]
    assert len(symbols) >= 4
    for symbol in symbols:
        assert ownership.key_problems(GUIDS[symbol], "1" * 8 + "-1111-1111-1111-" + "1" * 12)


def test_a_foreign_provider_without_the_mark_is_refused_unless_adopted(
    tmp_path: Path, real_state: dict[str, Any]
) -> None:
    foreign = next(
        p
        for p in real_state["providers"]
        if ownership.builtin_symbol("provider", p["key"]) is None
        and owned_state(real_state, p["key"])["filters"]
    )
    # The real state cut down to the foreign provider's filters and a few of Windows Firewall's.
    wf_filters = owned_state(real_state, MPSSVC_WF)["filters"][:20]
    real_state = {
        **real_state,
        "filters": owned_state(real_state, foreign["key"])["filters"] + wf_filters,
    }
    path = state_file(tmp_path, real_state)
    count = len(owned_state(real_state, foreign["key"])["filters"])
    for state in ("absent", "present"):
        declaration = {**POLICY, "state": state, "provider": {"key": foreign["key"]}}
        error = refused(declaration, path)
        assert "without the wfp.ipsec ownership mark" in str(error)
        assert "adopt_provider: true" in str(error)
    # Adopting it is explicit: its objects go, it is marked as ours.
    adopted = converge(
        {"state": "absent", "provider": {"key": foreign["key"]}, "adopt_provider": True},
        OfflineBackend(path),
        RunOptions(),
    )
    deleted = adopted["apply"]["deleted"]
    assert deleted["filter"] == count and deleted["provider"] == 1
    after = json.loads(path.read_text(encoding="utf-8"))
    assert not owned_state(after, foreign["key"])["filters"]
    assert len(owned_state(after, MPSSVC_WF)["filters"]) == len(
        owned_state(real_state, MPSSVC_WF)["filters"]
    )


def test_our_provider_is_marked_and_managed_without_adoption(tmp_path: Path) -> None:
    path = state_file(tmp_path, {"format": "wfp.ipsec.state/1"})
    first = converge(POLICY, OfflineBackend(path), RunOptions())
    assert first["changed"] is True
    provider = owned_state(json.loads(path.read_text()), provider_key_of(POLICY))["providers"][0]
    assert bytes.fromhex(provider["provider_data"]) == ownership.OWNERSHIP_MARK
    assert ownership.is_marked(provider)
    assert converge(POLICY, OfflineBackend(path), RunOptions())["changed"] is False
    removed = converge({"state": "absent"}, OfflineBackend(path), RunOptions())
    assert removed["changed"] is True


def test_an_unmarked_provider_of_an_older_version_needs_adoption_once(tmp_path: Path) -> None:
    path = state_file(tmp_path, expand(POLICY))  # what an earlier version wrote: no mark
    assert "ownership mark" in str(refused(POLICY, path))
    adopted = converge({**POLICY, "adopt_provider": True}, OfflineBackend(path), RunOptions())
    assert adopted["changed"] is True  # the provider is re-added with the mark
    assert converge(POLICY, OfflineBackend(path), RunOptions())["changed"] is False


@pytest.mark.parametrize("check_mode", [False, True])
def test_a_sublayer_of_another_provider_is_refused(
    tmp_path: Path, real_state: dict[str, Any], check_mode: bool
) -> None:
    foreign = next(
        s
        for s in real_state["sublayers"]
        if s["provider_key"] and ownership.builtin_symbol("sublayer", s["key"]) is None
    )
    path = state_file(tmp_path, real_state)
    error = refused({**POLICY, "sublayer": {"key": foreign["key"]}}, path, check_mode=check_mode)
    assert f"sublayer.key {foreign['key']}" in str(error) and "another provider" in str(error)


def test_marks_are_exact() -> None:
    assert not ownership.is_marked({"provider_data": None})
    assert not ownership.is_marked({"provider_data": "zz"})
    assert not ownership.is_marked({"provider_data": (ownership.OWNERSHIP_MARK + b"x").hex()})
    assert ownership.is_marked({"provider_data": ownership.mark_hex()})
