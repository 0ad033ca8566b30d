"""Commit confirmed in the C# host layer (WfpIpsecConfirm.cs) under Mono against the fwpuclnt
stand-in: non-persistent tentative adds, the pending record and its snapshot, confirm, restore,
a BFE restart in between, and the live backend driving it through the policy.ps1 dispatch.

The scheduled task that runs the restore is PowerShell only (policy.ps1): it is parse-checked
in test_powershell.py and confirmed on a real host only (docs/verification-ladder.md)."""

from __future__ import annotations

import base64
import gzip
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ansible_collections.wfp.ipsec.plugins.plugin_utils import model, plan
from ansible_collections.wfp.ipsec.plugins.plugin_utils.live import (
    MODULE_UTILS,
    RESTORE_SOURCES,
    ModuleBackend,
    tentative_arguments,
)
from ansible_collections.wfp.ipsec.plugins.plugin_utils.runner import (
    PolicyError,
    RunOptions,
    converge,
    desired_state,
)
from ansible_collections.wfp.ipsec.plugins.plugin_utils.scenario import expand, provider_key_of

from . import states
from .conftest import Build, Host, HostError

pytestmark = pytest.mark.slow
NOW = 1_800_000_000
CHANGED = {"scenario": {"guaranteed_encryption": {"required_ports": [{"port": 6000}]}}}


@pytest.fixture
def pending_dir(tmp_path: Path) -> Path:
    return tmp_path / "pending"


@pytest.fixture
def host(build: Build, pending_dir: Path) -> Iterator[Host]:
    instance = Host(build, env={"WFP_IPSEC_PENDING_DIR": str(pending_dir)})
    yield instance
    stats = instance.call("stats")
    instance.close()
    assert stats["sessions"] == 0 and stats["in_transaction"] is False


def persistent(state: dict[str, Any]) -> set[str]:
    return {
        obj["key"]
        for object_type in model.OBJECT_TYPES
        for obj in state[model.LIST_NAMES[object_type]]
        if model.PERSISTENT_FLAG[object_type] in obj["flags"]
    }


def tentative(
    host: Host, directory: Path, desired: dict[str, Any], provider_key: str
) -> dict[str, Any]:
    actual = host.call("read", provider_key=provider_key)
    the_plan = plan.make_plan(desired, actual, provider_key)
    return host.call("apply_tentative", plan=the_plan, deadline=NOW + 120, directory=str(directory))


def confirmed(
    host: Host, directory: Path, desired: dict[str, Any], provider_key: str
) -> dict[str, Any]:
    result = tentative(host, directory, desired, provider_key)
    host.call(
        "confirm",
        directory=str(directory),
        provider_key=provider_key,
        tentative_fingerprint=result["pending"]["tentative_fingerprint"],
        now=NOW,
    )
    return host.call("read", provider_key=provider_key)


def test_phase_one_adds_non_persistent_objects_and_saves_the_previous_state(
    host: Host, pending_dir: Path
) -> None:
    provider_key, desired = states.guaranteed_encryption()
    result = tentative(host, pending_dir, desired, provider_key)
    owned = host.call("read", provider_key=provider_key)
    objects = sum(
        len(desired[name]) for name in model.LIST_NAMES.values()
    )  # the exemptions included
    assert persistent(owned) == set() and len(owned["filters"]) == len(desired["filters"])
    summary = result["pending"]
    assert summary["tentative_fingerprint"] == model.fingerprint(owned) == result["fingerprint"]
    assert summary["deadline"] == NOW + 120 and summary["deadline_utc"] == "2027-01-15T08:02:00Z"
    assert len(summary["tentative"]) == objects and "snapshot" not in summary
    record = json.loads((pending_dir / f"{provider_key}.json").read_text(encoding="utf-8"))
    assert record["snapshot"]["filters"] == [] and len(record["objects"]) == objects
    assert host.call("pending", directory=str(pending_dir)) == [summary]
    # A BFE restart (or a reboot) drops every tentative object.
    host.call("restart")
    assert host.call("read", provider_key=provider_key)["filters"] == []


def test_confirm_makes_them_persistent_and_they_survive_a_restart(
    host: Host, pending_dir: Path
) -> None:
    provider_key, desired = states.guaranteed_encryption()
    owned = confirmed(host, pending_dir, desired, provider_key)
    assert model.fingerprint(owned) == model.fingerprint(desired)
    assert not list(pending_dir.iterdir())
    host.call("restart")
    assert model.fingerprint(host.call("read", provider_key=provider_key)) == model.fingerprint(
        desired
    )
    the_plan = plan.make_plan(desired, host.call("read", provider_key=provider_key), provider_key)
    assert the_plan["operations"] == []


def test_restore_brings_the_previous_policy_back_with_its_pre_shared_key(
    host: Host, pending_dir: Path
) -> None:
    provider_key, rich = states.rich()
    previous = confirmed(host, pending_dir, rich, provider_key)
    changed = expand({**CHANGED})
    result = tentative(host, pending_dir, changed, provider_key)
    assert result["applied"] > 0
    restored = host.call("restore", directory=str(pending_dir), provider_key=provider_key)
    assert restored == {"restored": True}
    after = host.call("read", provider_key=provider_key)
    # Same objects, the pre-shared key included (compared through its digest).
    assert model.fingerprint(after) == model.fingerprint(previous)
    assert not list(pending_dir.iterdir())
    assert host.call("restore", directory=str(pending_dir), provider_key=provider_key) == {
        "restored": False,
        "reason": "nothing pending",
    }


def test_a_restart_before_the_confirmation_then_the_startup_restore(
    host: Host, pending_dir: Path
) -> None:
    provider_key, desired = states.guaranteed_encryption()
    previous = confirmed(host, pending_dir, desired, provider_key)
    result = tentative(host, pending_dir, expand(CHANGED), provider_key)
    host.call("restart")
    with pytest.raises(HostError) as caught:
        host.call(
            "confirm",
            directory=str(pending_dir),
            provider_key=provider_key,
            tentative_fingerprint=result["pending"]["tentative_fingerprint"],
            now=NOW,
        )
    assert caught.value.details["error"] == "WFP_IPSEC_NOT_PENDING"
    assert host.call("restore", directory=str(pending_dir), provider_key=provider_key)["restored"]
    assert model.fingerprint(host.call("read", provider_key=provider_key)) == model.fingerprint(
        previous
    )


def test_confirm_after_the_deadline_is_refused_and_changes_nothing(
    host: Host, pending_dir: Path
) -> None:
    provider_key, desired = states.guaranteed_encryption()
    result = tentative(host, pending_dir, desired, provider_key)
    before = host.call("read", provider_key=provider_key)
    with pytest.raises(HostError, match="after the deadline 2027-01-15T08:02:00Z"):
        host.call(
            "confirm",
            directory=str(pending_dir),
            provider_key=provider_key,
            tentative_fingerprint=result["pending"]["tentative_fingerprint"],
            now=NOW + 121,
        )
    assert host.call("read", provider_key=provider_key) == before
    assert (pending_dir / f"{provider_key}.json").exists()


def test_a_second_tentative_apply_is_refused_while_one_is_pending(
    host: Host, pending_dir: Path
) -> None:
    provider_key, desired = states.guaranteed_encryption()
    tentative(host, pending_dir, desired, provider_key)
    with pytest.raises(HostError) as caught:
        tentative(host, pending_dir, expand(CHANGED), provider_key)
    assert caught.value.details["error"] == "WFP_IPSEC_PENDING"


def test_a_failing_phase_one_writes_no_pending_record(build: Build, pending_dir: Path) -> None:
    failing = Host(build, env={"FWPSIM_FAIL_AT": "5", "WFP_IPSEC_PENDING_DIR": str(pending_dir)})
    try:
        provider_key, desired = states.guaranteed_encryption()
        with pytest.raises(HostError):
            tentative(failing, pending_dir, desired, provider_key)
        assert failing.call("read", provider_key=provider_key)["providers"] == []
        assert not pending_dir.exists() or not list(pending_dir.iterdir())
    finally:
        failing.close()


def test_a_failing_commit_of_phase_one_removes_the_pending_record(
    build: Build, pending_dir: Path
) -> None:
    failing = Host(
        build, env={"FWPSIM_FAIL_COMMIT": "1", "WFP_IPSEC_PENDING_DIR": str(pending_dir)}
    )
    try:
        provider_key, desired = states.guaranteed_encryption()
        with pytest.raises(HostError):
            tentative(failing, pending_dir, desired, provider_key)
        assert not list(pending_dir.iterdir())
    finally:
        failing.close()


def test_the_live_backend_runs_both_phases_through_the_module_dispatch(
    host: Host, pending_dir: Path
) -> None:
    reconnects: list[str] = []
    backend = ModuleBackend(
        lambda args: host.call("module", args=args), reconnect=lambda: reconnects.append("reset")
    )
    declaration = {"scenario": {"guaranteed_encryption": {"required_ports": [{"port": 5555}]}}}
    provider_key = provider_key_of(declaration)
    result = converge(declaration, backend, RunOptions(confirm_timeout=60))
    assert result["confirmation"]["status"] == "confirmed" and reconnects == ["reset"]
    desired = desired_state(declaration)
    assert result["confirmation"]["confirmed"] == sum(
        len(desired[n]) for n in model.LIST_NAMES.values()
    )
    assert model.fingerprint(host.call("read", provider_key=provider_key)) == model.fingerprint(
        desired
    )
    assert converge(declaration, backend, RunOptions(confirm_timeout=60))["changed"] is False
    # The rollback task's sources, sent compressed, are on the host as the collection has them.
    for name in RESTORE_SOURCES:
        assert (pending_dir / "restore" / name).read_bytes() == (MODULE_UTILS / name).read_bytes()


@pytest.mark.parametrize(
    ("name", "value", "problem"),
    [
        ("WfpIpsecApply.cs", None, "restore_sources.WfpIpsecApply.cs is missing"),
        ("WfpIpsec.cs", "not base64!", "restore_sources.WfpIpsec.cs: not base64"),
        ("WfpIpsec.cs", base64.b64encode(b"plain text").decode(), "not gzip-compressed data"),
        (
            "WfpIpsecConfirm.cs",
            base64.b64encode(gzip.compress(b"bad \xff here", mtime=0)).decode(),
            "restore_sources.WfpIpsecConfirm.cs: not UTF-8 text",
        ),
    ],
    ids=["missing", "not-base64", "not-gzip", "not-utf8"],
)
def test_bad_restore_sources_refuse_the_apply_before_anything_changes(
    host: Host, pending_dir: Path, name: str, value: str | None, problem: str
) -> None:
    provider_key, desired = states.guaranteed_encryption()
    the_plan = plan.make_plan(desired, host.call("read", provider_key=provider_key), provider_key)
    arguments = tentative_arguments(the_plan, 60)
    sources = dict(arguments["restore_sources"])
    if value is None:
        del sources[name]
    else:
        sources[name] = value
    with pytest.raises(HostError, match=re.escape(problem)):
        host.call("module", args={**arguments, "restore_sources": sources})
    assert host.call("read", provider_key=provider_key)["providers"] == []
    assert not (pending_dir / "restore").exists() or not list((pending_dir / "restore").iterdir())
    assert not list(pending_dir.glob("*.json"))


def test_the_live_backend_reports_a_lost_confirmation_and_the_next_run_confirms_it(
    host: Host, pending_dir: Path
) -> None:
    from ansible_collections.wfp.ipsec.plugins.plugin_utils.backend import HostUnreachableError

    def lost() -> None:
        raise HostUnreachableError("connection refused")

    def execute(args: dict[str, Any]) -> dict[str, Any]:
        reply: dict[str, Any] = host.call("module", args=args)
        return reply

    declaration = {"scenario": {"guaranteed_encryption": {"required_ports": [{"port": 5555}]}}}
    with pytest.raises(PolicyError) as caught:
        converge(
            declaration, ModuleBackend(execute, reconnect=lost), RunOptions(confirm_timeout=60)
        )
    assert caught.value.unreachable is True
    assert "the host restores its previous policy at" in str(caught.value)
    again = converge(declaration, ModuleBackend(execute), RunOptions(confirm_timeout=60))
    assert again["confirmation"]["status"] == "confirmed_earlier_apply"
    assert again["changed"] is False and not list(pending_dir.glob("*.json"))
