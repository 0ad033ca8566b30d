"""The host-backend interface: how the policy action reads and changes one host's WFP state.

Two kinds of backend implement it: the offline host (a JSON state file driven through the engine
model, `offline.py`) and the live Windows host (the `wfp.ipsec.policy` PowerShell module run over
WinRM/PSRP, `live.py`). The action plugin picks one per host and never looks inside.
"""

from __future__ import annotations

from typing import Any, Protocol

StateDocument = dict[str, Any]
Plan = dict[str, Any]


class BackendError(Exception):
    """A host could not be read or changed. `details` is safe to show (no secrets)."""

    def __init__(self, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.details = details or {}


class HostBackend(Protocol):
    """Reads the objects one provider owns and applies plans atomically."""

    #: Short name shown in results (`offline`, `offline-dump`, `live`).
    kind: str

    def read(self, provider_key: str) -> StateDocument:
        """Return the state document (docs/canonical-form.md) of the objects `provider_key` owns:
        the provider itself, and every sublayer, provider context and filter whose provider_key
        is it. Foreign objects referenced by them are not included."""

    def read_all(self) -> StateDocument:
        """Return every object the backend can see (used for shadow analysis)."""

    def apply(self, plan: Plan) -> dict[str, Any]:
        """Apply every operation of `plan` in one transaction, or none of them.

        The backend first recomputes the owned state's fingerprint and refuses (BackendError,
        nothing written) when it differs from plan["base_fingerprint"]. On any failure it
        raises BackendError whose details name the failing operation, its object and the
        FWP_E_* code; the host keeps its previous state."""


class HostUnreachableError(BackendError):
    """The host could not be reached at all (connection refused, timed out, reset); Ansible
    reports the host as unreachable rather than the task as failed."""


class ConfirmingBackend(HostBackend, Protocol):
    """A backend that can apply a plan commit-confirmed (docs/commit-confirmed.md)."""

    def pending(self, provider_key: str) -> dict[str, Any] | None:
        """The summary of an unconfirmed apply for `provider_key` seen by the last read (no
        snapshot, no object bodies), or None."""

    def apply_tentative(self, plan: Plan, timeout: int) -> dict[str, Any]:
        """Phase 1: apply `plan` with every persistent add made non-persistent, save the
        previous owned objects and arm the host's own rollback at now + `timeout` seconds and
        at startup. The result has the apply report and `pending` (a summary)."""

    def reconnect(self) -> None:
        """Drop the connection so the next call opens a new one (HostUnreachableError if it cannot)."""

    def confirm(self, provider_key: str, pending: dict[str, Any]) -> dict[str, Any]:
        """Phase 2: make the tentative objects persistent and disarm the rollback, if the owned
        objects are still the unconfirmed apply `pending` describes and its deadline has not
        passed; BackendError (nothing changed) otherwise."""
