"""Commit confirmed through the runner and the offline backend: phase 1, a new connection,
phase 2; a host lost after phase 1 rolls back by itself (docs/commit-confirmed.md)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from ansible_collections.wfp.ipsec.plugins.plugin_utils.backend import (
    BackendError,
    HostUnreachableError,
)
from ansible_collections.wfp.ipsec.plugins.plugin_utils.model import (
    all_objects,
    empty_state,
    fingerprint,
)
from ansible_collections.wfp.ipsec.plugins.plugin_utils.offline import PENDING_KEY, OfflineBackend
from ansible_collections.wfp.ipsec.plugins.plugin_utils.runner import (
    PolicyError,
    RunOptions,
    converge,
    desired_state,
)
from ansible_collections.wfp.ipsec.plugins.plugin_utils.scenario import provider_key_of

from tests.unit.policy.test_runner import CountingBackend

POLICY = {"scenario": {"guaranteed_encryption": {"required_ports": [{"port": 5555}]}}}
CHANGED = {"scenario": {"guaranteed_encryption": {"required_ports": [{"port": 6000}]}}}
PK = provider_key_of(POLICY)
CONFIRMED = RunOptions(confirm_timeout=60)


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


class Host(CountingBackend):
    """An offline host whose connection can be lost after phase 1 (a fake live host)."""

    kind = "fake"

    def __init__(self, path: Path, clock: Clock) -> None:
        super().__init__(path, clock=clock)
        self.lose_connection_after_apply = False
        self.connected = True

    def pending(self, provider_key: str) -> dict[str, Any] | None:
        return self.inner.pending(provider_key)

    def apply_tentative(self, plan: dict[str, Any], timeout: int) -> dict[str, Any]:
        self.calls.append("apply_tentative")
        result = self.inner.apply_tentative(plan, timeout)
        self.connected = not self.lose_connection_after_apply
        return result

    def reconnect(self) -> None:
        self.calls.append("reconnect")
        if not self.connected:
            raise HostUnreachableError("connection refused")

    def confirm(self, provider_key: str, pending: dict[str, Any]) -> dict[str, Any]:
        self.calls.append("confirm")
        if not self.connected:
            raise HostUnreachableError("connection refused")
        return self.inner.confirm(provider_key, pending)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def path(tmp_path: Path) -> Path:
    state_file = tmp_path / "host.json"
    state_file.write_text(json.dumps(empty_state()))
    return state_file


@pytest.fixture
def host(path: Path, clock: Clock) -> Host:
    return Host(path, clock)


def owned_fingerprint(path: Path, clock: Clock) -> str:
    return fingerprint(OfflineBackend(path, clock=clock).read(PK))


def test_an_apply_is_confirmed_over_a_new_connection_and_a_rerun_changes_nothing(
    host: Host, path: Path, clock: Clock
) -> None:
    result = converge(POLICY, host, CONFIRMED)
    assert host.calls == ["read", "apply_tentative", "reconnect", "confirm"]
    assert result["changed"] is True and result["confirmation"]["status"] == "confirmed"
    assert result["confirmation"]["confirmed"] == len(list(all_objects(desired_state(POLICY))))
    assert "pending" not in result["apply"] and "snapshot" not in result["confirmation"]
    assert owned_fingerprint(path, clock) == fingerprint(desired_state(POLICY))
    assert PENDING_KEY not in json.loads(path.read_text())
    host.calls.clear()
    again = converge(POLICY, host, CONFIRMED)
    assert host.calls == ["read"] and again["changed"] is False


def test_an_unreachable_host_after_apply_fails_as_unreachable_and_rolls_back(
    host: Host, path: Path, clock: Clock
) -> None:
    converge(POLICY, host, CONFIRMED)
    previous = owned_fingerprint(path, clock)
    host.lose_connection_after_apply = True
    with pytest.raises(PolicyError) as caught:
        converge(CHANGED, host, CONFIRMED)
    error = caught.value
    assert error.unreachable is True
    assert "the host restores its previous policy at 2023-11-14T22:14:20Z" in str(error)
    assert error.details["confirmation"]["status"] == "unconfirmed"
    assert "snapshot" not in error.details["confirmation"]
    # Before the deadline the host runs the unconfirmed policy...
    assert owned_fingerprint(path, clock) == error.details["confirmation"]["tentative_fingerprint"]
    # ... and at the deadline its own task restores the previous one, nobody at the console.
    clock.now += 61
    assert fingerprint(host.inner.read(PK)) == previous
    assert PENDING_KEY not in json.loads(path.read_text())


def test_a_phase_one_failure_leaves_nothing_pending(host: Host, path: Path) -> None:
    converge(POLICY, host, CONFIRMED)
    before = path.read_bytes()

    def refuse(plan: dict[str, Any], timeout: int) -> dict[str, Any]:
        raise BackendError("FWP_E_INVALID_PARAMETER from the host", {"code": "X"})

    host.apply_tentative = refuse  # type: ignore[method-assign]
    with pytest.raises(PolicyError, match="keeps its previous policy") as caught:
        converge(CHANGED, host, CONFIRMED)
    assert caught.value.unreachable is False
    assert path.read_bytes() == before


def test_the_next_run_confirms_an_unconfirmed_apply_before_converging(
    host: Host, path: Path, clock: Clock
) -> None:
    host.lose_connection_after_apply = True
    with pytest.raises(PolicyError):
        converge(POLICY, host, CONFIRMED)
    host.lose_connection_after_apply = False
    host.connected = True
    host.calls.clear()
    result = converge(POLICY, host, CONFIRMED)
    assert host.calls == ["read", "confirm", "read"]
    assert result["changed"] is False
    assert result["confirmation"]["status"] == "confirmed_earlier_apply"
    assert any("confirmed it before converging" in w for w in result["warnings"])
    assert owned_fingerprint(path, clock) == fingerprint(desired_state(POLICY))


def test_check_mode_reports_a_pending_apply_and_plans_as_if_confirmed(
    host: Host, path: Path
) -> None:
    host.lose_connection_after_apply = True
    with pytest.raises(PolicyError):
        converge(POLICY, host, CONFIRMED)
    before = path.read_bytes()
    result = converge(POLICY, host, RunOptions(check_mode=True, confirm_timeout=60))
    assert result["changed"] is False and result["confirmation"]["status"] == "pending"
    assert any("not confirmed yet" in w for w in result["warnings"])
    assert path.read_bytes() == before
    assert "confirm" not in host.calls[-1:]


def test_a_reboot_before_the_confirmation_restores_the_previous_policy(
    path: Path, clock: Clock
) -> None:
    converge(POLICY, OfflineBackend(path, clock=clock), CONFIRMED)
    previous = owned_fingerprint(path, clock)
    rebooting = OfflineBackend(path, simulate="reboot_after_apply", clock=clock)
    with pytest.raises(PolicyError, match="no unconfirmed apply") as caught:
        converge(CHANGED, rebooting, CONFIRMED)
    assert caught.value.unreachable is False
    # The host's error stays nested: its keys never collide with the task result's own.
    assert caught.value.details["error"]["code"] == "WFP_IPSEC_NOT_PENDING"
    assert set(caught.value.details) == {"confirmation", "error"}
    assert owned_fingerprint(path, clock) == previous
    assert PENDING_KEY not in json.loads(path.read_text())


def test_the_offline_rehearsal_of_an_unreachable_host(path: Path, clock: Clock) -> None:
    lost = OfflineBackend(path, simulate="unreachable_after_apply", clock=clock)
    with pytest.raises(PolicyError, match="rehearsal") as caught:
        converge(POLICY, lost, CONFIRMED)
    assert caught.value.unreachable is True
    clock.now += 60.5
    assert fingerprint(OfflineBackend(path, clock=clock).read(PK)) == fingerprint(empty_state())


def test_a_plain_apply_is_refused_while_an_apply_is_pending(host: Host, path: Path) -> None:
    host.lose_connection_after_apply = True
    with pytest.raises(PolicyError):
        converge(POLICY, host, CONFIRMED)
    with pytest.raises(BackendError, match="pending until"):
        host.inner.apply({"provider_key": PK, "operations": []})


def test_timeout_zero_applies_in_one_step(host: Host) -> None:
    result = converge({**POLICY, "confirm_timeout": 0}, host, CONFIRMED)
    assert host.calls == ["read", "apply"] and "confirmation" not in result


def test_an_unknown_rehearsal_is_refused(path: Path) -> None:
    with pytest.raises(BackendError, match="unreachable_after_apply"):
        OfflineBackend(path, simulate="explode")


@pytest.mark.parametrize(
    "record",
    [
        [],
        {PK: []},
        {PK: {"format": "wfp.ipsec.pending/1"}},
        {
            PK: {
                "format": "other",
                "provider_key": PK,
                "deadline": 1,
                "deadline_utc": "x",
                "base_fingerprint": "x",
                "tentative_fingerprint": "x",
                "tentative": [],
                "snapshot": {},
            }
        },
    ],
)
def test_a_malformed_pending_record_is_a_clear_error(path: Path, record: Any) -> None:
    path.write_text(json.dumps({**empty_state(), PENDING_KEY: record}))
    with pytest.raises(BackendError, match=PENDING_KEY):
        OfflineBackend(path).read(PK)


def test_a_reply_lost_during_phase_one_says_the_host_rolls_back_by_itself(
    host: Host, path: Path, clock: Clock
) -> None:
    """A policy that cuts the connection also cuts phase 1's own reply: it may have committed."""
    converge(POLICY, host, CONFIRMED)
    previous = owned_fingerprint(path, clock)
    original = host.apply_tentative

    def applied_then_lost(plan: dict[str, Any], timeout: int) -> dict[str, Any]:
        original(plan, timeout)
        raise HostUnreachableError("connection reset")

    host.apply_tentative = applied_then_lost  # type: ignore[method-assign]
    with pytest.raises(PolicyError) as caught:
        converge(CHANGED, host, CONFIRMED)
    error = caught.value
    assert error.unreachable is True
    assert "if the host applied it, the host restores its previous policy at about" in str(error)
    assert "keeps its previous policy" not in str(error)
    assert error.details["confirmation"]["status"] == "unknown"
    clock.now += 61
    assert owned_fingerprint(path, clock) == previous


def test_a_reply_lost_without_commit_confirmed_does_not_claim_the_policy_is_kept(
    host: Host,
) -> None:
    def lost(plan: dict[str, Any]) -> dict[str, Any]:
        raise HostUnreachableError("connection reset")

    host.apply = lost  # type: ignore[method-assign]
    with pytest.raises(PolicyError, match="may or may not have applied") as caught:
        converge({**POLICY, "confirm_timeout": 0}, host, CONFIRMED)
    assert caught.value.unreachable is True


def test_a_confirmation_lost_in_flight_says_it_may_have_reached_the_host(host: Host) -> None:
    host.lose_connection_after_apply = True
    host.reconnect = lambda: None  # type: ignore[method-assign]
    with pytest.raises(PolicyError) as caught:
        converge(POLICY, host, CONFIRMED)
    assert caught.value.unreachable is True
    assert "unless the confirmation reached it, the host restores its previous policy at" in str(
        caught.value
    )


def test_an_expired_pending_apply_on_a_read_only_file_is_settled_in_memory(
    path: Path, clock: Clock
) -> None:
    lost = OfflineBackend(path, simulate="unreachable_after_apply", clock=clock)
    with pytest.raises(PolicyError):
        converge(POLICY, lost, CONFIRMED)
    before = path.read_bytes()
    clock.now += 61
    reader = OfflineBackend(path, clock=clock)
    reader._write = _refuse  # type: ignore[method-assign]
    assert fingerprint(reader.read(PK)) == fingerprint(empty_state())
    assert reader.pending(PK) is None
    assert path.read_bytes() == before


def _refuse(state: dict[str, Any]) -> None:
    raise BackendError("cannot write beside the file: read-only file system")
